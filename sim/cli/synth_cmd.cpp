// arithsim synth PE [--param k=v ...] [--array RxC [--dataflow os|dot]] [--rtl-dir DIR] [--json|--script]
//                  [--liberty LIB ... [--clock NS] [--activity F] [--ppa-db FILE] [--refresh]]
#include <cmath>
#include <cstdlib>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/cli/common.hpp"
#include "sim/synth/ppa_database.hpp"
#include "sim/synth/yosys_synth.hpp"

namespace arithsim::cli {
namespace {

struct SynthArgs {
  std::string pe, rtl_dir = ARITHSIM_RTL_DIR;
  std::vector<std::string> params;
  std::string array, dataflow = "os";
  bool json = false, script = false;
  std::vector<std::string> liberty;
  std::string clock, activity, ppa_db, activity_from = "nets";
  bool refresh = false;
};

// A number in (lo, hi] (lo < 0: [0, hi]) for `option`, else a usage error naming it.
double parse_number(const std::string& text, const std::string& option, double lo, double hi) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v > hi || (lo < 0 ? v < 0 : v <= lo))
    throw UsageError(fmt::format("{}: '{}' is not a number in {}{}, {}]", option, text, lo < 0 ? "[" : "(", std::max(lo, 0.0), hi),
                     "");
  return v;
}

// The liberty flow: area by cell class, the critical path and fmax, power at the clock.
void run_ppa(const SynthArgs& a, const pe::Params& p, const synth::ArraySynth& array) {
  synth::LibertyFlow flow;
  flow.liberty = a.liberty;
  if (!a.clock.empty()) flow.clock_s = parse_number(a.clock, "--clock", 0, 1e6) * 1e-9;
  if (!a.activity.empty()) flow.input_activity = parse_number(a.activity, "--activity", -1, 2);
  if (a.activity_from != "nets" && a.activity_from != "ports")
    throw UsageError(fmt::format("expected nets or ports, got '{}'", a.activity_from), "--activity-from");
  flow.net_activity = a.activity_from == "nets";
  synth::PpaResult r;
  try {
    if (a.script) {
      fmt::print("{}", synth::yosys_liberty_script(a.pe, p, a.rtl_dir, array, "merged.lib", "stat.json", "netlist.v"));
      return;
    }
    synth::rtl_parameters(a.pe, p);  // a bad PE or parameter is a usage error before any file is read
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what(), "PE/--param");
  }
  const synth::PpaDatabase db(a.ppa_db.empty() ? synth::default_ppa_database() : std::filesystem::path(a.ppa_db));
  std::string key;
  bool reused = false;
  try {
    key = synth::ppa_key(a.pe, p, a.rtl_dir, array, flow);
    if (a.refresh) {
      r = synth::synthesize_ppa(a.pe, p, a.rtl_dir, array, flow);
      db.store(key, r);
    } else {
      r = synth::cached_ppa(db, a.pe, p, a.rtl_dir, array, flow, &reused);
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what(), "PE/--param");
  } catch (const std::runtime_error& e) {
    throw RuntimeError(e.what(), "--liberty");
  }
  const std::string db_text = fmt::format("{} (entry {}, {})", db.file().string(), key,
                                          reused ? fmt::format("synthesized on {}, reused; --refresh reruns it", r.date)
                                                 : "synthesized now and stored");
  const std::string timing = r.slack_s >= 0 ? fmt::format("met at {:.3f} GHz (slack {:.1f} ps)", r.clock_hz / 1e9, r.slack_s * 1e12)
                                            : fmt::format("NOT met at {:.3f} GHz: slack {:.1f} ps (the fmax is {:.3f} GHz); "
                                                          "the power below is at that clock",
                                                          r.clock_hz / 1e9, r.slack_s * 1e12, r.fmax_hz / 1e9);
  std::string libs;
  for (const auto& l : r.libraries) libs += (libs.empty() ? "" : ", ") + l;
  const std::string flow_text = fmt::format("{}: synth -flatten, dfflibmap + abc -liberty ({}); {}: worst setup slack, "
                                            "report_power with the operand inputs at {:.3f} toggles per cycle per bit, "
                                            "in_first/in_last once per 64-element dot product ({})",
                                            r.yosys_version, libs, r.sta_version, r.input_activity, r.activity_how);
  if (a.json) {
    nlohmann::ordered_json j = {{"module", r.module}, {"rtl_params", r.rtl_params}, {"libraries", r.libraries},
                                {"cells", r.cells}, {"total_cells", r.total_cells}, {"flops", r.flops},
                                {"area_um2", r.area_um2}, {"area_by_class_um2", r.area_by_class_um2},
                                {"critical_path_s", r.critical_s}, {"fmax_hz", r.fmax_hz},
                                {"critical_path", {{"startpoint", r.startpoint}, {"endpoint", r.endpoint}, {"pins", r.critical_path}}},
                                {"clock_hz", r.clock_hz}, {"input_activity", r.input_activity}, {"port_activity", r.port_activity},
                                {"power_w", {{"internal", r.internal_w}, {"switching", r.switching_w}, {"leakage", r.leakage_w}}},
                                {"energy_per_cycle_pj", r.energy_per_cycle_pj}, {"flow", flow_text},
                                {"activity_method", r.activity_method}, {"net_activity", r.net_activity},
                                {"slack_s", r.slack_s}, {"timing_met", r.slack_s >= 0}, {"date", r.date},
                                {"ppa_database", {{"file", db.file().string()}, {"key", key}, {"reused", reused}}}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("module: {}\nflow: {}\n", r.module, flow_text);
  fmt::print("area: {:.3f} um2 (sequential {:.3f}, buffers {:.3f}, combinational {:.3f}); {} cells, {} flip-flops\n", r.area_um2,
             r.area_by_class_um2.at("sequential"), r.area_by_class_um2.at("buffer"), r.area_by_class_um2.at("combinational"),
             r.total_cells, r.flops);
  fmt::print("critical path: {:.1f} ps (fmax {:.3f} GHz), {} -> {}\n", r.critical_s * 1e12, r.fmax_hz / 1e9, r.startpoint,
             r.endpoint);
  fmt::print("timing: {}\n", timing);
  fmt::print("power at {:.3f} GHz: internal {:.4g} mW, switching {:.4g} mW, leakage {:.4g} mW; {:.4g} pJ per cycle\n",
             r.clock_hz / 1e9, r.internal_w * 1e3, r.switching_w * 1e3, r.leakage_w * 1e3, r.energy_per_cycle_pj);
  fmt::print("ppa database: {}\n", db_text);
}

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
  if (!a.liberty.empty()) return run_ppa(a, p, array);
  if (!a.clock.empty() || !a.activity.empty()) throw UsageError("--clock and --activity need --liberty", "--clock");
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
  s->add_option("--liberty", a.liberty,
                "liberty cell library (.lib or .lib.gz; repeatable, e.g. the five ASAP7 files): map to its cells, "
                "time and power with OpenSTA");
  s->add_option("--clock", a.clock, "with --liberty: clock period in ns for the power (default: the fmax)");
  s->add_option("--activity", a.activity,
                "with --liberty: toggles per cycle of every data input (default: measured by the PE's cycle model)");
  s->add_option("--activity-from", a.activity_from,
                "with --liberty: nets (every net's toggles from a zero-delay simulation of the mapped netlist, checked "
                "against the cycle model; one PE) or ports (OpenSTA propagates the input ports' activity, counting "
                "glitches; also arrays and --activity)")
      ->capture_default_str();
  s->add_option("--ppa-db", a.ppa_db,
                "with --liberty: the PPA database the result is kept in and reused from (default: $ARITHSIM_PPA_DB, else "
                "~/.cache/arithsim/ppa.json)");
  s->add_flag("--refresh", a.refresh, "with --liberty: synthesize again even when the database has the result");
  s->callback([] { run(a); });
}

}  // namespace arithsim::cli
