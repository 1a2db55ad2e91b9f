#include <arithsim/cost/array_cost.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include <arithsim/models/cycle/registry.hpp>

namespace arithsim::cost {

namespace {

void check_shape(const ArrayOptions& options) {
  if (options.rows < 1 || options.cols < 1 || options.rows > 4096 || options.cols > 4096)
    throw std::invalid_argument(fmt::format("array shape {}x{} must be 1..4096 each", options.rows, options.cols));
  if (options.dataflow != "os" && options.dataflow != "ws" && options.dataflow != "is" && options.dataflow != "dot")
    throw std::invalid_argument(fmt::format("dataflow '{}' is not os, ws, is or dot", options.dataflow));
}

}  // namespace

ArrayCost array_cost(const ComponentLibrary& lib, const std::string& pe, const pe::Params& params, const Node& node,
                     const ArrayOptions& options, const PeCostOptions& pe_options) {
  check_shape(options);
  return array_cost(lib, pe, params, node, options, pe_cost(lib, pe, params, node, pe_options));
}

ArrayCost array_cost(const ComponentLibrary& lib, const std::string& pe, const pe::Params& params, const Node& node,
                     const ArrayOptions& options, const PeCost& priced_pe) {
  check_shape(options);
  ArrayCost c;
  c.options = options;
  c.pe = priced_pe;
  const double R = options.rows, C = options.cols;
  c.pes = R * C;
  c.macs_per_cycle = c.pes * c.pe.macs_per_cycle;
  const cycle::PePorts ports = cycle::make_pe_cycle(pe, params)->ports();
  const double a_bits = ports.a_bits, b_bits = ports.w_bits + ports.scale_bits + ports.zero_bits;
  auto add = [&](std::string stage, std::string part, std::string comp, std::vector<double> widths, double count,
                 double rate, Toggle tog) -> PePart& {
    PePart& p = c.parts.emplace_back(priced_part(lib, node, std::move(stage), std::move(part), std::move(comp),
                                                 std::move(widths), Segment::Pipeline, tog, count));
    p.rate = rate;
    return p;
  };

  // LUT Tensor Core in a dot tile: the table is built once per row and broadcast to the row's
  // PEs (the paper's design), so the precompute leaves the PE for a per-row unit. (A
  // synthesized PE is its RTL as synthesized, table included: rtl/pe_array.sv does not share it.)
  double row_bits = a_bits;  // what travels along a row
  if (pe == "lut_tensor_core" && options.dataflow == "dot" && priced_pe.synthesized.empty()) {
    std::vector<PePart> kept, shared;
    for (const PePart& p : c.pe.parts) (p.stage == "precompute" ? shared : kept).push_back(p);
    c.pe.parts = kept;
    retotal(c.pe);  // the PE without its table precompute
    double entries = 0, ew = 0;
    for (PePart& p : shared) {
      if (p.component == "int_adder" && p.part.rfind("table entry", 0) == 0) {
        entries = p.count;
        ew = p.widths[0];
      }
      p.count *= R;
      p.part = "per-row " + p.part;
      p.segment = Segment::Pipeline;
      c.parts.push_back(p);
    }
    if (entries == 0) {  // FP16 tables: entries x table bits
      for (const PePart& p : shared) entries = std::max(entries, p.count / R);
      ew = 16;
    }
    add("lut storage", "per-row table register (broadcast to the row)", "register", {entries * ew}, R, 1,
        Toggle::Input);
    row_bits = entries * ew;
  }

  const double cycles_per_dot = c.pe.dot_cycles;
  if (options.dataflow == "os") {
    add("interconnect", "hop registers (A right, B down, flags)", "register", {a_bits + b_bits + 3}, c.pes, 1,
        Toggle::Input);
    const double skew_bits = R * (R - 1) / 2 * a_bits + C * (C - 1) / 2 * b_bits;
    if (skew_bits > 0)
      add("interconnect", "input skew registers", "register", {skew_bits}, 1, 1, Toggle::Input);
  } else if (options.dataflow == "ws" || options.dataflow == "is") {
    // models/cycle/stationary_array.hpp: the streamed operand moves right, the partial sum
    // (the accumulate stage's state, counted at the result width) moves down; two stationary
    // registers per PE (active + shadow) whose chain shifts R of every >= 2R edges.
    const bool ws = options.dataflow == "ws";
    const double streamed = ws ? a_bits : b_bits, held = ws ? b_bits : a_bits;
    add("interconnect", "hop registers (streamed operand right, partial sum down, flags)", "register",
        {streamed + double(ports.out_bits) + 4}, c.pes, 1, Toggle::Input);
    add("interconnect", "stationary registers (active + shadow)", "register", {2 * held}, c.pes, 0.5, Toggle::Input);
    const double skew_bits = R * (R - 1) / 2 * streamed + C * (C - 1) / 2 * held;
    if (skew_bits > 0)
      add("interconnect", "input and load skew registers", "register", {skew_bits}, 1, 1, Toggle::Input);
  } else {
    const double pitch_mm = std::sqrt(c.pe.area_um2) * 1e-3;
    const double bit_mm = R * row_bits * C * pitch_mm + C * b_bits * R * pitch_mm;
    PePart w;
    w.stage = "interconnect";
    w.part = fmt::format("broadcast wires ({:.3g} bit-mm per cycle: rows x {} bits and columns x {} bits over the "
                         "PE pitch {:.3g} mm)", bit_mm, row_bits, b_bits, pitch_mm);
    w.component = "wire";
    w.widths = {bit_mm};
    w.segment = Segment::Pipeline;
    w.toggle = Toggle::Input;
    w.unit.energy_pj = options.wire_pj_per_bit_mm * bit_mm * node.energy;
    w.unit.source = fmt::format("assumed: {} pJ per bit per mm at the reference node (ArrayOptions::"
                                "wire_pj_per_bit_mm), times the node's energy factor", options.wire_pj_per_bit_mm);
    c.parts.push_back(w);
  }
  add("buffer", "A input buffer (SRAM, one row word per cycle)", "sram", {options.buffer_entries, R * a_bits}, 1, 1,
      Toggle::Input);
  add("buffer", "B input buffer (SRAM, one column word per cycle)", "sram", {options.buffer_entries, C * b_bits}, 1,
      1, Toggle::Input);
  add("buffer", "output buffer (SRAM, one row of results per write)", "sram",
      {options.output_entries, C * double(ports.out_bits)}, 1, R / cycles_per_dot, Toggle::Acc);

  c.area_um2 = c.pes * c.pe.area_um2;
  c.leakage_uw = c.pes * c.pe.leakage_uw;
  for (const PePart& p : c.parts) {
    c.area_um2 += p.area_um2();
    c.leakage_uw += p.leakage_uw();
  }
  c.clock_ps = c.pe.clock_ps;
  return c;
}

ArrayEnergy evaluate(const ArrayCost& c, const ActivityFactors& a, double freq_hz) {
  ArrayEnergy r;
  r.freq_hz = freq_hz > 0 ? freq_hz : (c.clock_ps > 0 ? 1e12 / c.clock_ps : 0);
  const PeEnergy pe = evaluate(c.pe, a, r.freq_hz);
  r.pe_pj = pe.dynamic_pj * c.pes;
  for (const PePart& p : c.parts) {
    const double e = part_energy_pj(c.pe, p, a);
    if (p.stage == "interconnect") r.interconnect_pj += e;
    else if (p.stage == "buffer") r.buffer_pj += e;
    else r.table_pj += e;
  }
  r.leakage_pj = c.leakage_uw * 1e-6 / r.freq_hz * 1e12;
  r.total_pj = r.pe_pj + r.interconnect_pj + r.buffer_pj + r.table_pj + r.leakage_pj;
  r.pj_per_mac = r.total_pj / c.macs_per_cycle;
  r.power_mw = r.total_pj * 1e-12 * r.freq_hz * 1e3;
  return r;
}

}  // namespace arithsim::cost
