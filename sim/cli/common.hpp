// Shared pieces of the CLI: the error convention and option helpers.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include <arithsim/models/formats/rounding.hpp>

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

// Integer option values, strictly: decimal digits (an optional leading '+'; '-' only where
// `min` < 0), nothing else, no wrap-around and no saturation. A value outside [min, max] or
// not a number is a UsageError naming the option, the input and the range.
uint64_t parse_unsigned(std::string_view text, std::string_view option, uint64_t min, uint64_t max);
int64_t parse_int(std::string_view text, std::string_view option, int64_t min, int64_t max);

// --name for an integer variable, parsed by parse_unsigned / parse_int within [min, max].
template <class T>
CLI::Option* add_integer(CLI::App& app, const std::string& name, T& ref, const std::string& help, T min,
                         T max = std::numeric_limits<T>::max()) {
  const std::string opt = name;
  auto* o = app.add_option_function<std::string>(
      name,
      [&ref, opt, min, max](const std::string& s) {
        if constexpr (std::is_signed_v<T>)
          ref = T(parse_int(s, opt, int64_t(min), int64_t(max)));
        else
          ref = T(parse_unsigned(s, opt, uint64_t(min), uint64_t(max)));
      },
      help);
  o->default_str(std::to_string(ref));
  return o;
}

// "RxC" array shapes (--array): each side 1..max_side; anything else is a UsageError.
std::pair<int, int> parse_array_shape(std::string_view text, std::string_view option, int max_side = 1024);

// "key=value" options (repeatable --param) into a map; a malformed one is a usage error.
std::map<std::string, std::string> parse_key_values(const std::vector<std::string>& kv, const std::string& option);

// A progress bar on stderr (`arithsim run`, `arithsim sweep`): `auto` when stderr is a terminal
// and the work has taken more than a second, `always` from the first step on (also into a file
// or pipe), `never`. Throws UsageError for another mode.
class ProgressBar {
 public:
  explicit ProgressBar(const std::string& mode);
  ~ProgressBar();
  // `f`: fraction done, 0..1; `status`: shown after the elapsed time ("12/40 points, 3.1/s, ETA 9 s").
  void operator()(double f, const std::string& status = "");
  double elapsed_s() const;

 private:
  bool tty_, shown_ = false;
  double delay_s_;
  std::chrono::steady_clock::time_point start_;
};

void add_format_commands(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_quantize_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_pe_commands(CLI::App& app);  // pe list, gemm
void add_synth_command(CLI::App& app);
// `arithsim cosim ...` runs the program arithsim-cosim beside the arithsim binary (the
// Verilated models live there, so that arithsim itself builds without Verilator).
void add_cosim_command(CLI::App& app);
void add_cosim_options(CLI::App& app);  // arithsim-cosim's own options (sim/cli/cosim_cmd.cpp)

// Parses and runs `app`, printing errors as "arithsim: error: <one line>"; returns the exit
// code (0; 2 usage errors and refused outputs; 1 runtime errors).
int run_cli(CLI::App& app, int argc, char** argv);
void add_cost_command(CLI::App& app);
void add_fit_command(CLI::App& app);
void add_trace_commands(CLI::App& app);  // trace list, gen, show

}  // namespace arithsim::cli
