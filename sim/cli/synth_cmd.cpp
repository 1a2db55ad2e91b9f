// arithsim synth PE [--param k=v ...] [--array RxC [--dataflow os|dot]] [--rtl-dir DIR] [--json|--script]
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/cli/common.hpp"
#include "sim/synth/yosys_synth.hpp"

namespace arithsim::cli {
namespace {

struct SynthArgs {
  std::string pe, rtl_dir = ARITHSIM_RTL_DIR;
  std::vector<std::string> params;
  std::string array, dataflow = "os";
  bool json = false, script = false;
};

synth::ArraySynth parse_array(const SynthArgs& a) {
  synth::ArraySynth s;
  if (a.array.empty()) return s;
  std::tie(s.rows, s.cols) = parse_array_shape(a.array, "--array");
  s.dataflow = a.dataflow;
  return s;
}

void run(const SynthArgs& a) {
  const pe::Params p = parse_key_values(a.params, "--param");
  const auto array = parse_array(a);
  synth::SynthResult r;
  try {
    if (a.script) {
      fmt::print("{}", synth::yosys_script(a.pe, p, a.rtl_dir, array, "stat.json"));
      return;
    }
    r = synth::synthesize(a.pe, p, a.rtl_dir, array);
  } catch (const std::invalid_argument& e) {  // pe::PeError and bad dataflow names
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
  s->add_option("PE", a.pe, "PE with RTL (int_mac, fp8_mac, lmul_pe, mixpe, lut_tensor_core, rmmec)")->required();
  s->add_option("--param", a.params,
                "PE parameter key=value (repeatable; also stages=N), mapped onto the RTL parameters");
  s->add_option("--array", a.array, "synthesize rtl/pe_array.sv with RxC cells of the PE (e.g. 4x4)");
  s->add_option("--dataflow", a.dataflow, "array dataflow: os (output-stationary systolic) | dot (dot-product tile)")
      ->capture_default_str();
  s->add_flag("--script", a.script, "print the yosys script instead of running it");
  s->add_option("--rtl-dir", a.rtl_dir, "directory of the SystemVerilog sources")->capture_default_str();
  s->add_flag("--json", a.json, "print JSON");
  s->callback([] { run(a); });
}

}  // namespace arithsim::cli
