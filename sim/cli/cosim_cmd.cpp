// arithsim cosim PE [--param k=v ...] [--cycles N] [--seed S] [--wave out.fst]
#include <fmt/format.h>

#include "sim/cli/common.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cli {
namespace {

struct CosimArgs {
  std::string pe;
  std::vector<std::string> params;
  cosim::CosimOptions o;
};

void run(const CosimArgs& a) {
  if (a.o.cycles == 0) throw UsageError("cycles must be positive", "--cycles");
  pe::Params params;
  for (const auto& [k, v] : parse_key_values(a.params, "--param")) params[k] = v;
  cosim::CosimReport r;
  try {
    r = cosim::run_cosim(a.pe, params, a.o);
  } catch (const pe::PeError& e) {
    throw UsageError(e.what(), "PE");
  }
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
  std::string help = "PE with RTL:";
  for (const auto& t : cosim::cosim_targets()) help += fmt::format("\n  {}: {}", t.pe, t.configs);
  auto* c = app.add_subcommand("cosim", "co-simulate a PE's Verilated RTL against its cycle-level model");
  c->add_option("PE", a.pe, help)->required();
  c->add_option("--param", a.params, "PE parameter key=value (the RTL parameter sets built are listed under PE)");
  c->add_option("--cycles", a.o.cycles, "cycles to compare")->capture_default_str();
  c->add_option("--seed", a.o.seed, "stimulus seed")->capture_default_str();
  c->add_option("--wave", a.o.wave, "write an FST waveform of the whole run");
  c->callback([] { run(a); });
}

}  // namespace arithsim::cli
