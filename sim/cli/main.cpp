// arithsim <command> [options]
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

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
  add_run_command(app);
  add_trace_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "arithsim: error: {}\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    fmt::print(stderr, "arithsim: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "arithsim: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
