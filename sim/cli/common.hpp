// Shared pieces of the CLI: the error convention and option helpers.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "models/formats/rounding.hpp"

namespace arithsim::cli {

// "arithsim: error: <what> (<input>)"; usage errors exit 2, runtime errors exit 1.
struct UsageError : std::runtime_error {
  UsageError(const std::string& what, const std::string& input)
      : std::runtime_error(input.empty() ? what : what + " (" + input + ")") {}
};
struct RuntimeError : std::runtime_error {
  RuntimeError(const std::string& what, const std::string& input)
      : std::runtime_error(input.empty() ? what : what + " (" + input + ")") {}
};

// --rounding, --overflow, --seed, --sr-bits, --ftz, --daz on a subcommand.
struct RoundingArgs {
  std::string rounding = "rne";
  std::string overflow = "default";
  uint64_t seed = 1;
  int sr_bits = 16;
  bool ftz = false, daz = false;
  formats::RandomBits rng{1};
  void add_to(CLI::App& app, bool with_daz);  // --daz only where codes are decoded
  formats::RoundingOptions options();  // throws UsageError for unknown names
};

// "key=value" options (repeatable --param) into a map; a malformed one is a usage error.
std::map<std::string, std::string> parse_key_values(const std::vector<std::string>& kv, const std::string& option);

void add_format_commands(CLI::App& app);
void add_quantize_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_pe_commands(CLI::App& app);  // pe list, gemm
void add_synth_command(CLI::App& app);
void add_cosim_command(CLI::App& app);
void add_cost_command(CLI::App& app);
void add_trace_commands(CLI::App& app);  // trace list, gen, show

}  // namespace arithsim::cli
