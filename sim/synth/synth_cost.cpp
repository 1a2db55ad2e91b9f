#include "sim/synth/synth_cost.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::synth {

std::string synthesis_source(const PpaResult& r, const std::string& library) {
  std::string libs;
  for (const auto& l : r.libraries) libs += (libs.empty() ? "" : ", ") + l;
  return fmt::format("synthesized by {} + {} onto {} ({}) on {}: {:.1f} um2, critical path {:.0f} ps ({} -> {}), "
                     "{:.4g} pJ per cycle at {:.3f} GHz with input activity {:.3f}",
                     r.yosys_version, r.sta_version, library, libs, r.date, r.area_um2, r.critical_s * 1e12,
                     r.startpoint, r.endpoint, r.energy_per_cycle_pj, r.clock_hz / 1e9, r.input_activity);
}

cost::PeCost synthesized_pe_cost(const cost::ComponentLibrary& lib, const std::string& pe, const pe::Params& params,
                                 const cost::Node& node, const PpaResult& r, const std::string& library) {
  if (!(r.clock_hz > 0) || !(r.critical_s > 0) || !(r.input_activity > 0))
    throw std::invalid_argument(fmt::format("{}: synthesis result without clock, critical path or input activity", pe));
  cost::PeCost c = cost::pe_cost(lib, pe, params, node);
  c.parts.clear();
  const double ref = c.options.reference_activity, share = c.options.clock_share, a = r.input_activity;
  const double seq_area = r.area_by_class_um2.count("sequential") ? r.area_by_class_um2.at("sequential") : 0;
  const double comb_area = r.area_um2 - seq_area;
  // OpenSTA reports leakage for the whole design; it is shared by area (the groups' totals
  // include it).
  const double leak_seq_w = r.area_um2 > 0 ? r.leakage_w * seq_area / r.area_um2 : 0;
  const double leak_comb_w = r.leakage_w - leak_seq_w;
  const double e_seq = std::max(0.0, r.sequential_w - leak_seq_w) / r.clock_hz * 1e12;  // pJ per cycle
  const double e_comb = std::max(0.0, r.combinational_w - leak_comb_w) / r.clock_hz * 1e12;
  const std::string src = synthesis_source(r, library);
  auto part = [&](const char* what, double area, double leak_w, double unit_pj, bool clocked) {
    cost::PePart& p = c.parts.emplace_back();
    p.stage = "synthesized";
    p.part = what;
    p.component = "synthesis";
    p.clocked = clocked;
    p.segment = clocked ? cost::Segment::Pipeline : cost::Segment::Front;
    p.toggle = cost::Toggle::Input;  // the activity the synthesis was powered at is the operands'
    p.unit = {area, unit_pj, leak_w * 1e6, clocked ? 0 : r.critical_s * 1e12, src};
  };
  // Dynamic energy at activity x: logic e_comb * x / a; flip-flops e_seq * (share + (1 -
  // share) x / a). The parts' reference-activity energies that reproduce those through
  // retotal / evaluate (which scale by x / ref):
  part("combinational cells (the netlist's logic and buffers)", comb_area, leak_comb_w, e_comb * ref / a, false);
  part("flip-flops (the netlist's registers, their clock pins included)", seq_area, leak_seq_w,
       e_seq / (share + (1 - share) * a / ref), true);
  cost::retotal(c);
  c.front_delay_ps = r.critical_s * 1e12;
  c.loop_delay_ps = 0;
  c.clock_ps = r.critical_s * 1e12;  // OpenSTA's worst register-to-register path, clock-to-q and setup included
  c.critical = "synthesized";
  c.synthesized = src;
  return c;
}

bool valid_cost_source(const std::string& spec) {
  for (const char* p : {"synth:", "fitted:"})
    if (spec.rfind(p, 0) == 0) return spec.size() > std::string_view(p).size();
  return spec == "analytical";
}

CostSource resolve_cost_source(const std::string& spec, const std::string& node) {
  if (!valid_cost_source(spec))
    throw std::invalid_argument(fmt::format("expected analytical, fitted:LIB (fitted:sky130, fitted:asap7) or synth:LIB "
                                            "(synth:sky130, synth:asap7, synth:FILE.lib), got '{}'",
                                            spec));
  CostSource s{spec, node, nullptr, std::nullopt};
  if (spec.rfind("fitted:", 0) == 0) {
    s.fit = &cost::find_fit(cost::builtin_fits(), spec.substr(7));
    s.node = s.fit->node;
  } else if (spec != "analytical") {
    s.cells = resolve_cell_library(spec.substr(6), default_pdk_dir(), node);
    s.node = s.cells->node;
  }
  return s;
}

cost::PeCost price_pe(const CostSource& source, const cost::ComponentLibrary& lib, const std::string& pe,
                      const pe::Params& params, const std::filesystem::path& ppa_db) {
  const cost::Node& node = lib.technology().node(std::string_view(source.node));
  if (source.fit) return cost::apply_fit(cost::pe_cost(lib, pe, params, node), *source.fit);
  if (!source.cells) return cost::pe_cost(lib, pe, params, node);
  LibertyFlow flow;
  flow.liberty = source.cells->liberty;
  const PpaResult r = cached_ppa(PpaDatabase(ppa_db), pe, params, ARITHSIM_RTL_DIR, {}, flow);
  return synthesized_pe_cost(lib, pe, params, node, r, source.cells->name);
}

}  // namespace arithsim::synth
