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

}  // namespace arithsim::synth
