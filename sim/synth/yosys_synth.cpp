#include "sim/synth/yosys_synth.hpp"
#include "sim/synth/tools.hpp"
#include "sim/synth/gate_sim.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <bit>
#include <random>

#include <arithsim/models/cycle/registry.hpp>

namespace arithsim::synth {

const std::map<std::string, double>& gate_equivalents() {
  static const std::map<std::string, double> w = {
      {"$_NOT_", 0.67}, {"$_NAND_", 1.0},  {"$_NOR_", 1.0},  {"$_AND_", 1.33}, {"$_OR_", 1.33},
      {"$_XOR_", 2.33}, {"$_XNOR_", 2.33}, {"$_MUX_", 2.33}, {"$_DFF_P_", 4.33}};
  return w;
}

std::map<std::string, std::string> rtl_parameters(const std::string& pe, const pe::Params& params) {
  return cycle::rtl_parameters(pe, params);
}

namespace {

// rtl/pe_array.sv of the PE's configuration (its parameters passed through to every cell).
std::map<std::string, std::string> array_parameters(const std::string& pe, const pe::Params& params,
                                                    const ArraySynth& array) {
  return cycle::array_rtl_parameters(pe, params, array.rows, array.cols, cycle::parse_dataflow(array.dataflow));
}

}  // namespace

std::vector<std::filesystem::path> rtl_sources(const std::string& pe, const std::string& rtl_dir, bool array) {
  const std::filesystem::path dir(rtl_dir);
  if (!std::filesystem::exists(dir / (pe + ".sv")))
    throw std::runtime_error(fmt::format("synth: {} not found", (dir / (pe + ".sv")).string()));
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir / "common"))
    if (e.path().extension() == ".sv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (array) {
    std::vector<std::filesystem::path> top;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".sv") top.push_back(e.path());
    std::sort(top.begin(), top.end());
    files.insert(files.end(), top.begin(), top.end());
  } else {
    files.push_back(dir / (pe + ".sv"));
  }
  return files;
}

namespace {

// The yosys script; `liberty` empty: the generic-gate flow.
std::string script_of(const std::string& pe, const pe::Params& params, const std::string& rtl_dir, const ArraySynth& array,
                      const std::string& stat_json, const std::string& liberty, const std::string& netlist) {
  const bool is_array = array.rows > 0;
  const auto rtl = is_array ? array_parameters(pe, params, array) : rtl_parameters(pe, params);
  std::vector<std::string> files;
  for (const auto& f : rtl_sources(pe, rtl_dir, is_array)) files.push_back(f.string());
  const std::string top = is_array ? "pe_array" : pe;
  std::string script;
  for (const auto& f : files) script += fmt::format("read_verilog -sv {}\n", f);
  for (const auto& [k, v] : rtl) script += fmt::format("chparam -set {} {} {}\n", k, v, top);
  script += fmt::format("synth -top {} -flatten\n", top);
  if (!liberty.empty()) {
    // non-default parameters make the top a $paramod\...: OpenSTA links it by the PE's name
    script += fmt::format("rename -top {}\n", top);
    script += fmt::format("dfflibmap -liberty {0}\nabc -liberty {0}\nsetundef -zero\nsplitnets -ports\nopt_clean\n", liberty);
    script += fmt::format("tee -q -o {} stat -json -liberty {}\n", stat_json, liberty);
    script += fmt::format("tee -q -o {}.txt stat -liberty {}\n", stat_json, liberty);  // its chip area (not in 0.23's JSON)
    // the same simple instance names in both netlists: OpenSTA's pins are the gate simulation's
    script += "rename -hide c:*\nrename -enumerate -pattern g% c:*\n";
    script += fmt::format("write_verilog -noattr -noexpr -nohex -nodec {}\n", netlist);
    script += fmt::format("write_json {}.json\n", netlist);
    return script;
  }
  script += "abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX\nopt_clean\n";
  script += fmt::format("tee -q -o {} stat -json\n", stat_json);
  return script;
}

}  // namespace

std::string yosys_script(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                         const ArraySynth& array, const std::string& stat_json) {
  return script_of(pe, params, rtl_dir, array, stat_json, "", "");
}

std::string yosys_liberty_script(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                                 const ArraySynth& array, const std::string& merged_lib, const std::string& stat_json,
                                 const std::string& netlist) {
  return script_of(pe, params, rtl_dir, array, stat_json, merged_lib, netlist);
}


SynthResult synthesize(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                       const ArraySynth& array) {
  SynthResult r;
  r.module = array.rows > 0 ? fmt::format("pe_array of {} ({}x{}, {})", pe, array.rows, array.cols, array.dataflow) : pe;
  r.rtl_params = array.rows > 0 ? array_parameters(pe, params, array) : rtl_parameters(pe, params);
  if (!std::filesystem::exists(std::filesystem::path(rtl_dir) / (pe + ".sv")))
    throw std::runtime_error(fmt::format("synth: {} not found", (std::filesystem::path(rtl_dir) / (pe + ".sv")).string()));
  const TempDir tmp("synth");
  const std::filesystem::path& dir = tmp.path();
  std::ofstream(dir / "synth.ys") << yosys_script(pe, params, rtl_dir, array, (dir / "stat.json").string());
  run_yosys(dir / "synth.ys", dir / "yosys.log", {dir / "stat.json"});
  std::ifstream js(dir / "stat.json");
  const auto j = nlohmann::json::parse(js);
  for (const auto& [name, mod] : j.at("modules").items()) {
    for (const auto& [cell, n] : mod.at("num_cells_by_type").items()) r.cells[cell] += n.get<long>();
  }
  const auto& w = gate_equivalents();
  for (const auto& [cell, n] : r.cells) {
    r.total_cells += n;
    const bool flop = cell.find("DFF") != std::string::npos;
    if (flop) r.flops += n;
    const auto it = w.find(cell);
    r.nand2_equivalent += double(n) * (it != w.end() ? it->second : flop ? 5.33 : 2.0);
  }
  return r;
}


std::vector<cycle::PeIn> operand_stream(const cycle::PePorts& ports, uint64_t seed, size_t elements, size_t dot) {
  std::mt19937_64 g(seed);
  std::vector<cycle::PeIn> s;
  s.reserve(elements + 1);
  cycle::PeIn in;
  in.rst_n = false;
  s.push_back(in);
  in.rst_n = true;
  for (size_t e = 0; e < elements; ++e) {
    in.in_valid = true;
    in.in_first = e % dot == 0;
    in.in_last = e % dot == dot - 1;
    in.in_a = g() & cycle::mask(ports.a_bits);
    in.in_w = g() & cycle::mask(ports.w_bits);
    in.in_scale = ports.scale_bits ? uint64_t(15 - 3 + int(g() % 8)) << 10 : 0;  // FP16 2^-3 .. 2^4
    in.in_zero = g() & cycle::mask(ports.zero_bits);
    s.push_back(in);
  }
  return s;
}

std::map<std::string, double> input_port_activity(const std::string& pe, const pe::Params& params,
                                                  double operand_activity) {
  const auto m = cycle::make_pe_cycle(pe, params);
  m->record_activity(true);
  const cycle::PePorts ports = m->ports();
  const int n = 4096, dot = 64;
  const auto stream = operand_stream(ports, 1, n, dot);
  uint64_t ta = 0, tw = 0, ts = 0, tz = 0;
  for (size_t t = 0; t < stream.size(); ++t) {
    const cycle::PeIn& in = stream[t];
    if (t > 1) {
      const cycle::PeIn& prev = stream[t - 1];
      ta += uint64_t(std::popcount(in.in_a ^ prev.in_a));
      tw += uint64_t(std::popcount(in.in_w ^ prev.in_w));
      ts += uint64_t(std::popcount(in.in_scale ^ prev.in_scale));
      tz += uint64_t(std::popcount(in.in_zero ^ prev.in_zero));
    }
    m->tick(in);
  }
  const double cycles = n - 1;
  std::map<std::string, double> a = {{"rst_n", 0}, {"in_valid", 0}, {"out_ready", 0},
                                     {"in_first", 2.0 / dot}, {"in_last", 2.0 / dot}};
  auto per_bit = [&](uint64_t t, int bits) { return bits ? double(t) / (cycles * bits) : 0.0; };
  a["in_a"] = operand_activity >= 0 ? operand_activity : per_bit(ta, ports.a_bits);
  a["in_w"] = operand_activity >= 0 ? operand_activity : per_bit(tw, ports.w_bits);
  if (ports.scale_bits) a["in_scale"] = operand_activity >= 0 ? operand_activity : per_bit(ts, ports.scale_bits);
  if (ports.zero_bits) a["in_zero"] = operand_activity >= 0 ? operand_activity : per_bit(tz, ports.zero_bits);
  // the stream's operand toggles are the ones the cycle model counted
  const uint64_t model = m->activity().in_toggles;
  if (model != ta + tw + ts + tz)
    throw std::logic_error(fmt::format("synth: input toggles {} differ from the cycle model's {}", ta + tw + ts + tz, model));
  return a;
}

// Lane 0's outputs are checked so that the activity is that of a netlist computing what the
// PE computes.
GateRun netlist_activity(const std::string& pe, const pe::Params& params, const std::shared_ptr<const GateNetlist>& net) {
  const auto model = cycle::make_pe_cycle(pe, params);
  const cycle::PePorts ports = model->ports();
  constexpr size_t kLanes = 64, kElements = 512, kDot = 64;
  std::vector<std::vector<PortValues>> lanes(kLanes);
  std::vector<cycle::PeIn> first;
  for (size_t l = 0; l < kLanes; ++l) {
    const auto s = operand_stream(ports, l + 1, kElements, kDot);
    if (l == 0) first = s;
    for (const cycle::PeIn& in : s) {
      PortValues v = {{"rst_n", in.rst_n}, {"in_valid", in.in_valid}, {"in_first", in.in_first},
                      {"in_last", in.in_last}, {"out_ready", in.out_ready}, {"in_a", in.in_a}, {"in_w", in.in_w}};
      if (ports.scale_bits) v["in_scale"] = in.in_scale;
      if (ports.zero_bits) v["in_zero"] = in.in_zero;
      lanes[l].push_back(std::move(v));
    }
  }
  GateRun g = simulate(*net, lanes, 2);
  for (size_t t = 0; t < first.size(); ++t) {
    model->tick(first[t]);
    const cycle::PeOut o = model->outputs(true);
    const auto& gate = g.outputs[t];
    const bool valid = gate.count("out_valid") && gate.at("out_valid") != 0;
    const uint64_t acc = gate.count("out_acc") ? gate.at("out_acc") : 0;
    if (valid != o.out_valid || (valid && acc != (o.out_acc & cycle::mask(ports.out_bits))))
      throw std::runtime_error(fmt::format(
          "synth: the mapped netlist of {} disagrees with its cycle model at cycle {} (out_valid {} vs {}, out_acc 0x{:x} "
          "vs 0x{:x}); its per-net activity would not be the PE's",
          pe, t, valid, o.out_valid, acc, o.out_acc & cycle::mask(ports.out_bits)));
  }
  return g;
}

PpaResult synthesize_ppa(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                         const ArraySynth& array, const LibertyFlow& flow) {
  if (flow.liberty.empty()) throw std::runtime_error("synth: no liberty file (--liberty FILE)");
  PpaResult r;
  r.module = array.rows > 0 ? fmt::format("pe_array of {} ({}x{}, {})", pe, array.rows, array.cols, array.dataflow) : pe;
  r.rtl_params = array.rows > 0 ? array_parameters(pe, params, array) : rtl_parameters(pe, params);
  std::vector<Liberty> libs;
  for (const auto& f : flow.liberty) libs.push_back(read_liberty(f));
  for (const auto& l : libs) {
    r.libraries.push_back(l.library);
    if (l.time_unit_s != libs[0].time_unit_s)
      throw std::runtime_error(fmt::format("{}: time unit differs from {}'s", l.path, libs[0].path));
  }
  const TempDir tmp("synth");
  const std::filesystem::path& dir = tmp.path();
  // yosys reads one merged library; OpenSTA reads each file as given (decompressed)
  std::ofstream(dir / "merged.lib") << merged_liberty(libs, flow.dont_use);
  std::vector<std::string> plain;
  for (size_t i = 0; i < libs.size(); ++i) {
    const auto p = dir / fmt::format("lib{}.lib", i);
    std::ofstream(p) << libs[i].text;
    plain.push_back(p.string());
  }
  std::ofstream(dir / "synth.ys") << yosys_liberty_script(pe, params, rtl_dir, array, (dir / "merged.lib").string(),
                                                           (dir / "stat.json").string(), (dir / "netlist.v").string());
  run_yosys(dir / "synth.ys", dir / "yosys.log", {dir / "stat.json", dir / "netlist.v", dir / "netlist.v.json"});
  std::ifstream js(dir / "stat.json");
  const auto j = nlohmann::json::parse(js);
  for (const auto& [name, mod] : j.at("modules").items())
    for (const auto& [cell, n] : mod.at("num_cells_by_type").items()) r.cells[cell] += n.get<long>();
  std::ifstream stat_txt(dir / "stat.json.txt");
  for (std::string line; std::getline(stat_txt, line);)
    if (const size_t at = line.find("Chip area for module"); at != std::string::npos)
      r.yosys_area_um2 += std::stod(line.substr(line.rfind(':') + 1));
  for (const char* c : {"sequential", "buffer", "combinational"}) r.area_by_class_um2[c] = 0;
  for (const auto& [cell, n] : r.cells) {
    const LibertyCell* lc = nullptr;
    for (const auto& l : libs)
      if (!lc) lc = l.find(cell);
    if (!lc) throw std::runtime_error(fmt::format("synth: yosys used cell '{}', which no given library has", cell));
    r.total_cells += n;
    if (lc->cls == CellClass::Sequential) r.flops += n;
    r.area_um2 += double(n) * lc->area;
    r.area_by_class_um2[cell_class_name(lc->cls)] += double(n) * lc->area;
  }
  r.port_activity = input_port_activity(pe, params, flow.input_activity);
  {
    const cycle::PePorts ports = cycle::make_pe_cycle(pe, params)->ports();
    double bits = 0, toggles = 0;
    for (const auto& [port, w] : {std::pair<const char*, int>{"in_a", ports.a_bits}, {"in_w", ports.w_bits},
                                  {"in_scale", ports.scale_bits}, {"in_zero", ports.zero_bits}})
      if (w) bits += w, toggles += w * r.port_activity.at(port);
    r.input_activity = toggles / bits;
  }
  r.activity_how = flow.input_activity >= 0 ? "operand ports given (--activity)"
                                            : "the PE's cycle model fed uniformly random operand codes, 4,096 "
                                              "elements in dot products of 64";
  StaOptions so;
  const bool per_net = flow.net_activity && array.rows == 0 && flow.input_activity < 0;
  r.activity_method = per_net ? "nets: zero-delay simulation" : "ports: OpenSTA propagation";
  std::shared_ptr<const GateNetlist> gates;
  if (per_net) {
    gates = read_gate_netlist((dir / "netlist.v.json").string(), pe, libs);
    const GateRun g = netlist_activity(pe, params, gates);
    so.pin_activity = g.pin_activity;
    r.net_activity = g.mean_activity;
    r.activity_how = fmt::format("{}; every net's toggles from a zero-delay simulation of the mapped netlist ({} streams x "
                                 "{} cycles), its outputs equal to the cycle model's on every cycle",
                                 r.activity_how, g.lanes, g.cycles);
  }
  so.liberty = plain;
  so.netlist = (dir / "netlist.v").string();
  so.top = array.rows > 0 ? "pe_array" : pe;
  so.time_unit_s = libs[0].time_unit_s;
  so.input_activity = 0;
  so.port_activity = r.port_activity;
  so.period_s = flow.clock_s > 0 ? flow.clock_s : 10e-9;
  StaResult st = run_sta(so);
  r.critical_s = st.critical_s();
  r.fmax_hz = 1 / r.critical_s;
  if (flow.clock_s <= 0) {  // power at the fmax: rerun at that period (activity is per cycle)
    so.period_s = r.critical_s;
    st = run_sta(so);
  }
  r.clock_hz = 1 / so.period_s;
  r.slack_s = so.period_s - r.critical_s;
  r.startpoint = st.startpoint, r.endpoint = st.endpoint, r.critical_path = st.path;
  if (gates)  // the critical path's end registers by their RTL names
    for (std::string* point : {&r.startpoint, &r.endpoint}) {
      const std::string inst = point->substr(0, point->find(' '));
      if (const std::string reg = register_name(*gates, inst); !reg.empty()) *point = fmt::format("{} = register {}", inst, reg);
    }
  r.internal_w = st.internal_w, r.switching_w = st.switching_w, r.leakage_w = st.leakage_w;
  r.sequential_w = st.sequential_w, r.combinational_w = st.combinational_w;
  r.energy_per_cycle_pj = (st.internal_w + st.switching_w + st.leakage_w) / r.clock_hz * 1e12;
  r.yosys_version = tool_version("yosys -V");
  r.sta_version = "OpenSTA " + st.version;
  r.date = utc_date();
  return r;
}

}  // namespace arithsim::synth
