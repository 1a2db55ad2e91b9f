// arithsim <command> [options]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <arithsim/models/formats/vector_kernels.hpp>
#include "sim/cli/common.hpp"

int main(int argc, char** argv) {
  using namespace arithsim::cli;
  CLI::App app{"arithsim: bit-accurate hardware arithmetic simulator and cost model", "arithsim"};
  app.set_version_flag("--version", std::string("arithsim ") + ARITHSIM_VERSION);
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "print the version");
  version->callback([] { fmt::print("arithsim {}\n", ARITHSIM_VERSION); });
  add_format_commands(app);
  add_quantize_command(app);
  add_pe_commands(app);
  add_synth_command(app);
  add_cosim_command(app);
  add_cost_command(app);
  add_fit_command(app);
  add_run_command(app);
  add_sweep_command(app);
  add_trace_commands(app);
  // Which vector kernels run, when they are not the CPU's best or the CPU lacks AVX2 (the
  // portable fallback then runs: the same results, slower). Never an illegal instruction.
  if (const std::string note = arithsim::formats::vec::active_isa_note(); !note.empty())
    fmt::print(stderr, "{}\n", note);
  return run_cli(app, argc, argv);
}
