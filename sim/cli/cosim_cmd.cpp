// arithsim cosim PE [--cycles N] [--seed S] [--wave out.fst]
#include <fmt/format.h>

#include "sim/cli/common.hpp"
#include "sim/cosim/int_mac_cosim.hpp"

namespace arithsim::cli {
namespace {

struct CosimArgs {
  std::string pe;
  std::vector<std::string> params;
  cosim::CosimOptions o;
};

void run(const CosimArgs& a) {
  if (a.pe != "int_mac") throw UsageError(fmt::format("no RTL co-simulation for PE '{}' yet (available: int_mac)", a.pe), "PE");
  if (!a.params.empty()) throw UsageError("int_mac co-simulation runs the default INT8 x INT8 -> INT32 configuration", "--param");
  if (a.o.cycles == 0) throw UsageError("cycles must be positive", "--cycles");
  const auto r = cosim::run_int_mac(a.o);
  if (!r.pass) {
    fmt::print("FAIL after {} cycles: {}\n", r.cycles, r.mismatch);
    if (!r.wave_file.empty()) fmt::print("waveform: {}\n", r.wave_file);
    throw RuntimeError("RTL and model disagree", fmt::format("seed {}", a.o.seed));
  }
  fmt::print("PASS: {} cycles compared on every port, {} dot products checked against the bit-accurate model\n", r.cycles,
             r.results);
  if (!r.wave_file.empty()) fmt::print("waveform: {}\n", r.wave_file);
}

}  // namespace

void add_cosim_command(CLI::App& app) {
  static CosimArgs a;
  auto* c = app.add_subcommand("cosim", "co-simulate a PE's Verilated RTL against its cycle-level model");
  c->add_option("PE", a.pe, "PE with RTL (int_mac)")->required();
  c->add_option("--param", a.params, "PE parameter key=value (int_mac: defaults only)");
  c->add_option("--cycles", a.o.cycles, "cycles to compare")->capture_default_str();
  c->add_option("--seed", a.o.seed, "stimulus seed")->capture_default_str();
  c->add_option("--wave", a.o.wave, "write an FST waveform of the whole run");
  c->callback([] { run(a); });
}

}  // namespace arithsim::cli
