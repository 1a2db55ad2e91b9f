// arithsim-cosim: `arithsim cosim` with the Verilated RTL models linked in.
#include <CLI/CLI.hpp>

#include "sim/cli/common.hpp"

int main(int argc, char** argv) {
  CLI::App app{"co-simulate a PE's Verilated RTL against its cycle-level model", "arithsim cosim"};
  arithsim::cli::add_cosim_options(app);
  return arithsim::cli::run_cli(app, argc, argv);
}
