// arithsim cost PE [--param k=v ...] [--node 28] [--freq 1GHz]
//                  [--activity random|zeros|sparse:P|FILE | --workload NAME|TRACE] [--activity-out FILE]
//                  [--array RxC --dataflow os|ws|is|dot] [--format text|csv|json] [--library FILE]
//                  [--accelergy-out FILE] [--accelergy-in FILE]
// arithsim cost --library [FILE]      print the component library in use
#include <cmath>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include <arithsim/cost/accelergy.hpp>
#include <arithsim/cost/activity_file.hpp>
#include <arithsim/cost/array_cost.hpp>
#include <arithsim/models/io/output_paths.hpp>
#include <arithsim/cost/pe_cost.hpp>
#include "sim/synth/synth_cost.hpp"
#include <arithsim/models/tensor/npy.hpp>
#include "sim/cli/common.hpp"
#include "sim/estimator/default_job.hpp"
#include "sim/estimator/estimator.hpp"
#include "traces/generators.hpp"

namespace arithsim::cli {
namespace {

struct CostArgs {
  std::string pe;
  std::vector<std::string> params;
  double node = 45;
  std::string freq, activity = "random", workload, activity_out, array, dataflow = "os", format = "text", accelergy_out,
      accelergy_in, cost = "analytical", ppa_db;
  bool activity_given = false;
  std::vector<std::string> library;  // --library [FILE]: user files; given without a value: print the library
  bool library_flag = false;
  uint64_t seed = 1;
};

// The PE as --cost asks; a synthesis (or its database) failing is the run's error.
cost::PeCost priced(const CostArgs& a, const pe::Params& params, const cost::ComponentLibrary& lib,
                    const synth::CostSource& source) {
  const auto db = a.ppa_db.empty() ? synth::default_ppa_database() : std::filesystem::path(a.ppa_db);
  if (!source.cells) return synth::price_pe(source, lib, a.pe, params, db);
  try {
    return synth::price_pe(source, lib, a.pe, params, db);
  } catch (const std::runtime_error& e) {
    throw RuntimeError(e.what(), "--cost");
  }
}

double parse_freq(const std::string& s) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    throw UsageError("bad frequency, want e.g. 1GHz, 500MHz, 2e9", "--freq");
  }
  std::string unit = s.substr(used);
  for (auto& ch : unit) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  const double mul = unit.empty() || unit == "hz" ? 1 : unit == "khz" ? 1e3 : unit == "mhz" ? 1e6 : unit == "ghz" ? 1e9 : -1;
  if (mul < 0 || !(v > 0)) throw UsageError(fmt::format("bad frequency '{}', want e.g. 1GHz, 500MHz, 2e9", s), "--freq");
  return v * mul;
}

std::string widths_of(const cost::PePart& p) {
  const auto& w = p.via.empty() ? p.widths : p.via_widths;
  const auto& n = p.via.empty() ? p.params : p.via_params;
  std::string s;
  for (size_t i = 0; i < w.size(); ++i) s += fmt::format("{}{}={:g}", s.empty() ? "" : ",", i < n.size() ? n[i] : "?", w[i]);
  return (p.via.empty() ? p.component : p.via + ">" + p.component) + "(" + s + ")";
}

void print_library(const cost::ComponentLibrary& lib) {
  fmt::print("component library (version {}); reference node {} nm\n", lib.version(),
             lib.technology().reference().feature_nm);
  for (const auto& n : lib.names()) {
    std::string ps;
    for (const auto& p : lib.params(n)) ps += (ps.empty() ? "" : ", ") + p;
    fmt::print("{:<16} ({}) {}\n", n, ps, lib.description(n));
  }
  fmt::print("\nnodes:\n");
  for (const auto& n : lib.technology().nodes())
    fmt::print("  {:<6} {:>5.2f} V  area {:.4g}  energy {:.4g}  delay {:.4g}  leakage {:.4g}  ({})\n", n.name, n.vdd_v,
               n.area, n.energy, n.delay, n.leakage, n.source);
}

void run(CostArgs& a) {
  cost::ComponentLibrary lib = cost::ComponentLibrary::builtin();
  for (const auto& f : a.library) {
    if (f.empty()) continue;  // `--library` alone: print the library
    try {
      lib.merge_file(f);
    } catch (const cost::LibraryError& e) {
      throw RuntimeError(e.what(), "--library");
    }
  }
  if (!a.accelergy_in.empty()) {
    std::ifstream in(a.accelergy_in, std::ios::binary);
    if (!in) throw RuntimeError("cannot read the file", a.accelergy_in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      cost::import_accelergy(lib, text, a.accelergy_in);
    } catch (const cost::LibraryError& e) {
      throw RuntimeError(e.what(), "--accelergy-in");
    }
  }
  if (a.pe.empty()) {
    if (!a.library_flag) throw UsageError("give a PE, or --library to print the component library", "");
    print_library(lib);
    return;
  }
  if (a.format != "text" && a.format != "csv" && a.format != "json")
    throw UsageError(fmt::format("unknown format '{}' (text, csv, json)", a.format), "--format");
  const pe::Params params = parse_key_values(a.params, "--param");
  const cost::Node* node = nullptr;
  try {
    node = &lib.technology().node(a.node);
  } catch (const cost::LibraryError& e) {
    throw UsageError(e.what(), "--node");
  }
  // --cost fitted:LIB / synth:LIB: priced at LIB's node (sky130 130 nm, asap7 7 nm).
  synth::CostSource source;
  try {
    source = synth::resolve_cost_source(a.cost, node->name);
    node = &lib.technology().node(std::string_view(source.node));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what(), "--cost");
  } catch (const cost::LibraryError& e) {
    throw UsageError(e.what(), "--cost");
  }
  // Where the activity comes from: an operand distribution (random | zeros | sparse:P), an
  // activity file, or a workload's sampled values.
  if (a.activity_given && !a.workload.empty())
    throw UsageError("give --activity or --workload, not both", "--workload");
  cost::OperandSpec spec;
  std::optional<cost::ActivityFile> file;
  const bool distribution = a.activity == "random" || a.activity == "zeros" || a.activity.rfind("sparse:", 0) == 0;
  if (distribution) {
    try {
      spec = cost::parse_operand_spec(a.activity);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what(), "--activity");
    }
    spec.seed = a.seed;
  } else if (a.workload.empty()) {
    if (!std::filesystem::exists(a.activity))
      throw UsageError(fmt::format("'{}' is neither random, zeros, sparse:P nor an activity file", a.activity),
                       "--activity");
    try {
      file = cost::load_activity(a.activity);
    } catch (const cost::LibraryError& e) {
      throw RuntimeError(e.what(), "");
    }
    if (!file->pe.empty() && file->pe != a.pe)
      throw RuntimeError(fmt::format("measured on PE '{}', not '{}'", file->pe, a.pe), a.activity);
  }
  traces::Trace workload;
  std::string workload_dir = ".";
  if (!a.workload.empty()) {
    const auto& gens = traces::generators();
    const bool is_generator = std::any_of(gens.begin(), gens.end(), [&](const auto& g) { return g.name == a.workload; });
    try {
      if (a.workload == "default") workload = estimator::default_trace();
      else if (is_generator) workload = traces::generate(a.workload);
      else if (std::filesystem::exists(a.workload)) {
        workload = traces::load_trace(a.workload);
        workload_dir = std::filesystem::path(a.workload).parent_path().string();
        if (workload_dir.empty()) workload_dir = ".";
      } else {
        throw UsageError(fmt::format("'{}' is neither a trace generator (arithsim trace list), 'default' nor a trace "
                                     "file",
                                     a.workload),
                         "--workload");
      }
    } catch (const traces::TraceError& e) {
      throw RuntimeError(e.what(), "");
    }
  }
  cost::PeCost c;
  cost::ArrayCost arr;
  const bool is_array = !a.array.empty();
  cost::ActivityFactors act;
  try {
    if (is_array) {
      const auto [r, col] = parse_array_shape(a.array, "--array");
      cost::ArrayOptions o;
      o.rows = r;
      o.cols = col;
      o.dataflow = a.dataflow;
      arr = cost::array_cost(lib, a.pe, params, *node, o, priced(a, params, lib, source));
      c = arr.pe;
    } else {
      c = priced(a, params, lib, source);
    }
    if (file) {
      act = file->factors;
    } else if (!a.workload.empty()) {
      try {
        act = estimator::workload_activity({a.pe, params, a.pe}, workload, workload_dir);
      } catch (const std::invalid_argument& e) {
        throw RuntimeError(e.what(), a.workload);
      }
    } else {
      spec.dot_length = c.options.dot_length;
      act = cost::activity_factors(cost::measure_activity(a.pe, params, spec),
                                   "measured (" + cost::to_string(spec) + ")");
    }
  } catch (const UsageError&) {
    throw;
  } catch (const RuntimeError&) {
    throw;
  } catch (const cost::LibraryError& e) {
    throw RuntimeError(e.what(), "--library");
  } catch (const std::invalid_argument& e) {  // pe::PeError, bad parameters
    throw UsageError(e.what(), "PE/--param");
  }
  const double freq = a.freq.empty() ? c.fmax_hz() : parse_freq(a.freq);
  const cost::PeEnergy e = cost::evaluate(c, act, freq);
  const auto stages = cost::stage_breakdown(c, act);

  // Every input is valid: the output files, each written atomically, never over an input.
  std::vector<std::string> inputs = a.library;
  inputs.push_back(a.accelergy_in);
  if (!distribution && a.workload.empty()) inputs.push_back(a.activity);
  if (!a.workload.empty()) inputs.push_back(a.workload);
  for (const auto* out : {&a.activity_out, &a.accelergy_out})
    if (!out->empty()) io::check_output_file(*out, out == &a.activity_out ? "--activity-out" : "--accelergy-out", inputs);
  if (!a.activity_out.empty()) {
    try {
      tensor::write_file_atomic(a.activity_out, cost::activity_yaml({a.pe, act}));
    } catch (const std::exception& ex) {
      throw RuntimeError(ex.what(), a.activity_out);
    }
  }

  if (!a.accelergy_out.empty()) {
    const std::string y = is_array ? cost::export_accelergy(arr, act) : cost::export_accelergy(c, act);
    try {
      tensor::write_file_atomic(a.accelergy_out, y);
    } catch (const std::exception& ex) {
      throw RuntimeError(ex.what(), a.accelergy_out);
    }
  }
  std::string params_s;
  for (const auto& [k, v] : params) params_s += fmt::format("{}{}={}", params_s.empty() ? "" : " ", k, v);

  if (a.format == "json") {
    nlohmann::json j;
    j["pe"] = a.pe;
    j["params"] = params;
    j["node_nm"] = c.node.feature_nm;
    j["vdd_v"] = c.node.vdd_v;
    j["freq_hz"] = e.freq_hz;
    j["activity"] = {{"input", act.input}, {"pipeline", act.pipe_or_input()}, {"acc", act.acc},
                     {"output", act.out_or_acc()}, {"data", act.how}, {"reference", c.options.reference_activity}};
    j["area_um2"] = c.area_um2;
    j["energy_pj_per_cycle"] = e.total_pj;
    j["dynamic_pj_per_cycle"] = e.dynamic_pj;
    j["leakage_pj_per_cycle"] = e.leakage_pj;
    j["energy_pj_per_mac"] = e.pj_per_mac;
    j["macs_per_cycle"] = c.macs_per_cycle;
    j["power_mw"] = e.power_mw;
    j["leakage_uw"] = c.leakage_uw;
    j["clock_ps"] = c.clock_ps;
    j["fmax_hz"] = c.fmax_hz();
    j["critical"] = c.critical;
    for (const auto& s : stages)
      j["stages"].push_back({{"stage", s.stage}, {"segment", cost::segment_name(s.segment)}, {"area_um2", s.area_um2},
                             {"energy_pj", s.energy_pj}, {"leakage_uw", s.leakage_uw}, {"delay_ps", s.delay_ps}});
    for (const auto& p : c.parts)
      j["parts"].push_back({{"stage", p.stage}, {"part", p.part}, {"component", widths_of(p)}, {"count", p.count},
                            {"rate", p.rate}, {"area_um2", p.area_um2()}, {"energy_pj", cost::part_energy_pj(c, p, act)},
                            {"leakage_uw", p.leakage_uw()}, {"delay_ps", p.clocked ? 0.0 : p.delay_ps()},
                            {"source", p.unit.source}});
    if (is_array) {
      const auto ae = cost::evaluate(arr, act, freq);
      j["array"] = {{"rows", arr.options.rows}, {"cols", arr.options.cols}, {"dataflow", arr.options.dataflow},
                    {"area_um2", arr.area_um2}, {"energy_pj_per_cycle", ae.total_pj}, {"pe_pj", ae.pe_pj},
                    {"interconnect_pj", ae.interconnect_pj}, {"buffer_pj", ae.buffer_pj}, {"table_pj", ae.table_pj},
                    {"leakage_pj", ae.leakage_pj}, {"energy_pj_per_mac", ae.pj_per_mac}, {"power_mw", ae.power_mw}};
      for (const auto& p : arr.parts)
        j["array"]["parts"].push_back({{"stage", p.stage}, {"part", p.part}, {"component", widths_of(p)},
                                       {"count", p.count}, {"area_um2", p.area_um2()},
                                       {"energy_pj", cost::part_energy_pj(arr.pe, p, act)}, {"source", p.unit.source}});
    }
    fmt::print("{}\n", j.dump(2));
    return;
  }
  if (a.format == "csv") {
    auto q = [](const std::string& s) {
      std::string o = "\"";
      for (char ch : s) o += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      return o + "\"";
    };
    fmt::print("stage,part,component,count,rate,area_um2,energy_pj_per_cycle,leakage_uw,delay_ps,source\n");
    for (const auto& p : c.parts)
      fmt::print("{},{},{},{:g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{}\n", q(p.stage), q(p.part), q(widths_of(p)), p.count,
                 p.rate, p.area_um2(), cost::part_energy_pj(c, p, act), p.leakage_uw(), p.clocked ? 0.0 : p.delay_ps(),
                 q(p.unit.source));
    if (is_array)
      for (const auto& p : arr.parts)
        fmt::print("{},{},{},{:g},{:.6g},{:.6g},{:.6g},{:.6g},0,{}\n", q("array " + p.stage), q(p.part), q(widths_of(p)),
                   p.count, p.rate, p.area_um2(), cost::part_energy_pj(arr.pe, p, act), p.leakage_uw(), q(p.unit.source));
    fmt::print("total,PE,,,,{:.6g},{:.6g},{:.6g},{:.6g},\n", c.area_um2, e.dynamic_pj, c.leakage_uw, c.clock_ps);
    return;
  }
  // text
  fmt::print("PE: {}{}\nnode: {} nm, {:.2f} V ({})\n", a.pe, params_s.empty() ? "" : " (" + params_s + ")",
             c.node.feature_nm, c.node.vdd_v, c.node.source);
  fmt::print("activity: input {:.3f}, pipeline {:.3f}, accumulator {:.3f}, result {:.3f} bits toggling per "
             "operation, {} (reference {} = the library's energies)\n",
             act.input, act.pipe_or_input(), act.acc, act.out_or_acc(), act.how, c.options.reference_activity);
  fmt::print("area: {:.1f} um^2\n", c.area_um2);
  fmt::print("clock: {:.0f} ps ({}: front {:.0f} ps / {} stage(s), loop {:.0f} ps, register {:.0f} ps) -> max "
             "frequency {:.3g} GHz\n",
             c.clock_ps, c.critical, c.front_delay_ps, c.stages, c.loop_delay_ps, c.register_delay_ps,
             c.fmax_hz() / 1e9);
  fmt::print("at {:.4g} GHz: energy {:.4g} pJ per cycle ({:.4g} dynamic + {:.4g} leakage), {:.4g} pJ per MAC "
             "({:g} MACs/cycle), power {:.4g} mW\n",
             e.freq_hz / 1e9, e.total_pj, e.dynamic_pj, e.leakage_pj, e.pj_per_mac, c.macs_per_cycle, e.power_mw);
  fmt::print("\n{:<12} {:<9} {:>12} {:>12} {:>12} {:>10}\n", "stage", "segment", "area um^2", "pJ/cycle", "leak uW",
             "delay ps");
  for (const auto& s : stages)
    fmt::print("{:<12} {:<9} {:>12.2f} {:>12.5f} {:>12.4f} {:>10.1f}\n", s.stage, cost::segment_name(s.segment),
               s.area_um2, s.energy_pj, s.leakage_uw, s.delay_ps);
  std::vector<std::string> sources;
  auto src = [&](const std::string& s) {
    for (size_t i = 0; i < sources.size(); ++i)
      if (sources[i] == s) return i + 1;
    sources.push_back(s);
    return sources.size();
  };
  fmt::print("\n{:<11} {:<44} {:<34} {:>5} {:>8} {:>10} {:>10} {:>8} src\n", "stage", "part", "component(widths)", "count",
             "rate", "area um^2", "pJ/cycle", "delay ps");
  auto row = [&](const cost::PeCost& pc, const cost::PePart& p, const std::string& stage) {
    fmt::print("{:<11} {:<44} {:<34} {:>5g} {:>8.4g} {:>10.2f} {:>10.5f} {:>8.1f} [{}]\n", stage, p.part.substr(0, 44),
               widths_of(p).substr(0, 34), p.count, p.rate, p.area_um2(), cost::part_energy_pj(pc, p, act),
               p.clocked ? 0.0 : p.delay_ps(), src(p.unit.source));
  };
  for (const auto& p : c.parts) row(c, p, p.stage);
  if (is_array) {
    const auto ae = cost::evaluate(arr, act, freq);
    fmt::print("\narray {}x{} ({}): {:g} PEs, {:g} MACs/cycle, area {:.4g} mm^2\n", arr.options.rows, arr.options.cols,
               arr.options.dataflow, arr.pes, arr.macs_per_cycle, arr.area_um2 * 1e-6);
    fmt::print("per cycle: PEs {:.4g} pJ, interconnect {:.4g} pJ, buffers {:.4g} pJ, tables {:.4g} pJ, leakage {:.4g} pJ "
               "-> {:.4g} pJ per MAC, {:.4g} mW\n",
               ae.pe_pj, ae.interconnect_pj, ae.buffer_pj, ae.table_pj, ae.leakage_pj, ae.pj_per_mac, ae.power_mw);
    for (const auto& p : arr.parts) row(arr.pe, p, p.stage);
  }
  fmt::print("\nsources:\n");
  for (size_t i = 0; i < sources.size(); ++i) fmt::print("[{}] {}\n", i + 1, sources[i]);
  fmt::print("[node] {}\n", c.node.source);
}

}  // namespace

void add_cost_command(CLI::App& app) {
  static CostArgs a;
  auto* s = app.add_subcommand("cost", "area / energy / power / clock of a PE or an array, per stage, with sources");
  s->add_option("PE", a.pe, "int_mac, fp8_mac, lmul_pe, mixpe, lut_tensor_core, rmmec");
  s->add_option("--param", a.params, "PE parameter key=value (repeatable; also stages=N)");
  s->add_option("--node", a.node, "technology node in nm (130, 45, 32, 28, 22, 20, 16, 14, 10, 7)")->capture_default_str();
  s->add_option("--freq", a.freq, "clock frequency for power and leakage energy (e.g. 1GHz); default: the max frequency");
  auto* act = s->add_option("--activity", a.activity,
                            "switching activity: measured on operands random | zeros | sparse:P, or read from an "
                            "activity FILE (docs/cost.md)")
                  ->capture_default_str();
  s->add_option("--workload", a.workload,
                "measure the activity on a workload's sampled values: a trace generator (arithsim trace list), "
                "'default' (the run command's job) or a trace file");
  s->add_option("--activity-out", a.activity_out, "write the activity used as an activity file (YAML)");
  add_integer<uint64_t>(*s, "--seed", a.seed, "seed of the operand data", 0);
  s->add_option("--array", a.array, "an R x C array of the PE (e.g. 16x16)");
  s->add_option("--dataflow", a.dataflow, "array dataflow: os | ws | is | dot")->capture_default_str();
  s->add_option("--format", a.format, "text | csv | json")->capture_default_str();
  s->add_option("--cost", a.cost,
                "analytical (the cost model at --node), fitted:sky130|asap7 (the model fitted to synthesis on that library, at "
                "its node) or synth:LIB: the PE's RTL synthesized onto sky130, asap7 or "
                "FILE.lib[,FILE.lib] (yosys + OpenSTA, once; kept in the PPA database), at that library's node")
      ->capture_default_str();
  s->add_option("--ppa-db", a.ppa_db,
                "the PPA database of synthesized PEs (default: $ARITHSIM_PPA_DB, else ~/.cache/arithsim/ppa.json)");
  auto* lib = s->add_option("--library", a.library,
                            "user component library file(s) merged over the built-in one; without a PE: print the "
                            "library in use");
  lib->expected(0, 8);
  s->add_option("--accelergy-out", a.accelergy_out, "write the costs as Accelergy-style ERT/ART YAML");
  s->add_option("--accelergy-in", a.accelergy_in, "read an Accelergy ERT/ART YAML as a user component library");
  s->callback([lib, act] {
    a.library_flag = lib->count() > 0;
    a.activity_given = act->count() > 0;
    run(a);
  });
}

}  // namespace arithsim::cli
