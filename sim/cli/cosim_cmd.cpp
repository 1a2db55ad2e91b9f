// arithsim cosim PE [--param k=v ...] [--cycles N] [--seed S] [--wave out.fst]: the options of
// the arithsim-cosim program (the one that links the Verilated models), which `arithsim cosim`
// runs.
#include <filesystem>

#include <fmt/format.h>

#include <arithsim/models/io/output_paths.hpp>

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
  if (!a.o.wave.empty()) io::check_output_file(a.o.wave, "--wave");
  pe::Params params;
  for (const auto& [k, v] : parse_key_values(a.params, "--param")) params[k] = v;
  cosim::CosimReport r;
  try {
    r = cosim::run_cosim(a.pe, params, a.o);
  } catch (const pe::PeError& e) {
    throw UsageError(e.what(), "PE");
  }
  if (!r.wave_file.empty() && !std::filesystem::is_regular_file(r.wave_file))
    throw RuntimeError(fmt::format("the waveform '{}' was not written", r.wave_file), "--wave");
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

void add_cosim_options(CLI::App& app) {
  static CosimArgs a;
  std::string help = "PE with RTL:";
  for (const auto& t : cosim::cosim_targets()) help += fmt::format("\n  {}: {}", t.pe, t.configs);
  CLI::App* c = &app;
  c->add_option("PE", a.pe, help)->required();
  c->add_option("--param", a.params, "PE parameter key=value (the RTL parameter sets built are listed under PE)");
  add_integer<uint64_t>(*c, "--cycles", a.o.cycles, "cycles to compare (1..10^12)", 1, 1000000000000ULL);
  add_integer<uint64_t>(*c, "--seed", a.o.seed, "stimulus seed", 0);
  c->add_option("--wave", a.o.wave, "write an FST waveform of the whole run");
  c->callback([] { run(a); });
}

}  // namespace arithsim::cli
