// `arithsim cosim ...`: runs arithsim-cosim, the program beside this one that links the
// Verilated co-simulation models, with the same arguments.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "sim/cli/common.hpp"

namespace arithsim::cli {

void add_cosim_command(CLI::App& app) {
  auto* c = app.add_subcommand("cosim",
                               "co-simulate a PE's Verilated RTL against its cycle-level model (arithsim cosim --help)");
  c->prefix_command();
  c->allow_extras();
  c->set_help_flag();  // --help goes to arithsim-cosim, which knows the options
  c->callback([c] {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const auto prog = (ec ? std::filesystem::path(".") : self.parent_path()) / "arithsim-cosim";
    if (!std::filesystem::is_regular_file(prog))
      throw RuntimeError(fmt::format("arithsim cosim needs the co-simulation program {} (build it: cmake --build build "
                                     "--target arithsim-cosim; it needs Verilator)",
                                     prog.string()),
                         "");
    std::vector<std::string> args = c->remaining();
    std::vector<char*> argv;
    std::string name = "arithsim-cosim";
    argv.push_back(name.data());
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execv(prog.c_str(), argv.data());
    throw RuntimeError(fmt::format("cannot run {}: {}", prog.string(), std::strerror(errno)), "");
  });
}

}  // namespace arithsim::cli
