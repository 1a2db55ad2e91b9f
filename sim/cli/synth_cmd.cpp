// arithsim synth PE [--param k=v ...] [--rtl-dir DIR] [--json]
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/cli/common.hpp"
#include "sim/synth/yosys_synth.hpp"

namespace arithsim::cli {
namespace {

struct SynthArgs {
  std::string pe, rtl_dir = ARITHSIM_RTL_DIR;
  std::vector<std::string> params;
  bool json = false;
};

void run(const SynthArgs& a) {
  const pe::Params p = parse_key_values(a.params, "--param");
  synth::SynthResult r;
  try {
    r = synth::synthesize(a.pe, p, a.rtl_dir);
  } catch (const pe::PeError& e) {
    throw UsageError(e.what(), "PE/--param");
  } catch (const std::runtime_error& e) {
    throw RuntimeError(e.what(), a.rtl_dir);
  }
  if (a.json) {
    nlohmann::json j = {{"module", r.module}, {"rtl_params", r.rtl_params}, {"cells", r.cells},
                        {"total_cells", r.total_cells}, {"flops", r.flops}, {"nand2_equivalent", r.nand2_equivalent},
                        {"flow", "yosys synth -flatten; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX (generic gates)"}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  std::string params;
  for (const auto& [k, v] : r.rtl_params) params += fmt::format("{}{}={}", params.empty() ? "" : " ", k, v);
  fmt::print("module: {} ({})\nflow: yosys synth, abc to generic gates\n", r.module, params);
  for (const auto& [cell, n] : r.cells) fmt::print("  {:<16} {:>8}\n", cell, n);
  fmt::print("total cells: {}\nflip-flops: {}\nNAND2-equivalent gates: {:.1f}\n", r.total_cells, r.flops, r.nand2_equivalent);
}

}  // namespace

void add_synth_command(CLI::App& app) {
  static SynthArgs a;
  auto* s = app.add_subcommand("synth", "synthesize a PE's RTL with yosys and print cell counts");
  s->add_option("PE", a.pe, "PE with RTL (int_mac)")->required();
  s->add_option("--param", a.params, "PE parameter key=value (repeatable), mapped onto the RTL parameters");
  s->add_option("--rtl-dir", a.rtl_dir, "directory of the SystemVerilog sources")->capture_default_str();
  s->add_flag("--json", a.json, "print JSON");
  s->callback([] { run(a); });
}

}  // namespace arithsim::cli
