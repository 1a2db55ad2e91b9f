#include <arithsim/cost/pe_cost.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

#include <arithsim/models/cycle/fp8_mac_cycle.hpp>
#include <arithsim/models/cycle/int_mac_cycle.hpp>
#include <arithsim/models/cycle/lmul_pe_cycle.hpp>
#include <arithsim/models/cycle/lut_tensor_core_cycle.hpp>
#include <arithsim/models/cycle/mixpe_cycle.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include <arithsim/models/cycle/rmmec_cycle.hpp>
#include <arithsim/models/formats/format.hpp>

namespace arithsim::cost {

const char* segment_name(Segment s) {
  switch (s) {
    case Segment::Front: return "front";
    case Segment::Pipeline: return "pipeline";
    case Segment::Loop: return "loop";
    case Segment::Output: return "output";
  }
  return "?";
}

PePart priced_part(const ComponentLibrary& lib, const Node& node, std::string stage, std::string part,
                   std::string component, std::vector<double> widths, Segment seg, Toggle tog, double count) {
  PePart p;
  p.stage = std::move(stage);
  p.part = std::move(part);
  p.component = std::move(component);
  p.widths = std::move(widths);
  p.segment = seg;
  p.toggle = tog;
  p.count = count;
  p.clocked = p.component == "register";
  p.unit = lib.component(p.component, p.widths, node);
  p.params = lib.params(p.component);
  return p;
}

std::vector<std::string> costed_pes() {
  return {"int_mac", "fp8_mac", "lmul_pe", "mixpe", "lut_tensor_core", "rmmec"};
}

namespace {

int clog2(double x) { return x <= 1 ? 0 : int(std::ceil(std::log2(x))); }

// Adds priced parts to a PE's list.
struct Builder {
  const ComponentLibrary& lib;
  const Node& node;
  std::vector<PePart>& parts;

  PePart& add(std::string stage, std::string part, std::string component, std::vector<double> widths,
              Segment seg, Toggle tog, double count = 1) {
    return parts.emplace_back(priced_part(lib, node, std::move(stage), std::move(part), std::move(component),
                                          std::move(widths), seg, tog, count));
  }
  // A register of w bits (pipeline, accumulator, result): clocked, no logic delay.
  PePart& reg(std::string stage, std::string part, double w, Segment seg, Toggle tog, double count = 1) {
    return add(std::move(stage), std::move(part), "register", {w}, seg, tog, count);
  }
  // A composite's stages (fp_adder: align / accumulate / normalize / round) as parts.
  void composite(const std::string& comp, std::vector<double> widths, Segment seg, Toggle tog, double rate = 1,
                 double count = 1, const std::string& stage_prefix = "") {
    const std::string via_source = lib.component(comp, widths, node).source;
    for (const StageCost& s : lib.breakdown(comp, widths, node)) {
      PePart p;
      p.stage = stage_prefix.empty() ? s.stage : stage_prefix;
      p.part = stage_prefix.empty() ? s.part : s.stage + ": " + s.part;
      p.component = s.component;
      p.via = comp;
      p.via_widths = widths;
      p.via_params = lib.params(comp);
      p.params = lib.params(s.component);
      p.segment = seg;
      p.toggle = tog;
      p.rate = rate;
      p.count = count;
      p.unit = s.cost;  // already the part's cost (its count and calibration included)
      p.unit.source = s.cost.source + " | share of " + comp + ", whose total is: " + via_source;
      parts.push_back(std::move(p));
    }
  }
};

struct Fp {
  int e = 0, m = 0;
  int bits() const { return 1 + e + m; }
};
Fp fp_of(const std::string& pe, const std::string& key, const std::string& name) {
  const auto s = cycle::minifloat_spec(pe, key, name);
  return {s.e, s.m};
}

// ---- the six PEs -------------------------------------------------------------------------

void int_mac_parts(Builder& b, PeCost& c) {
  const auto p = cycle::int_mac_cycle_params(c.params);
  c.stages = p.stages;
  b.add("multiply", "integer multiplier", "int_multiplier", {double(p.a_bits), double(p.w_bits)}, Segment::Front,
        Toggle::Input);
  b.reg("pipeline", "product register", p.a_bits + p.w_bits, Segment::Pipeline, Toggle::Pipe, p.stages);
  b.add("accumulate", "accumulator adder", "int_adder", {double(p.acc_bits)}, Segment::Loop, Toggle::Acc);
  if (p.saturate) b.add("accumulate", "saturation select", "mux", {double(p.acc_bits), 2}, Segment::Loop, Toggle::Acc);
  b.reg("accumulate", "accumulator register", p.acc_bits, Segment::Loop, Toggle::Acc);
  b.reg("result", "result register", p.acc_bits, Segment::Output, Toggle::Out).rate = 1 / c.dot_cycles;
}

void fp8_mac_parts(Builder& b, PeCost& c) {
  const auto p = cycle::fp8_mac_cycle_params(c.params);
  c.stages = p.stages;
  const Fp a = fp_of("fp8_mac", "a", p.a), w = fp_of("fp8_mac", "w", p.w), acc = fp_of("fp8_mac", "acc", p.acc);
  const int L = p.lanes();  // products per cycle: 1, or tree_inputs in mode=tree
  c.macs_per_cycle = L;
  b.add("decode", "a exponent-zero detect (hidden bit)", "comparator", {double(a.e)}, Segment::Front, Toggle::Input, L);
  b.add("decode", "w exponent-zero detect (hidden bit)", "comparator", {double(w.e)}, Segment::Front, Toggle::Input, L)
      .parallel = true;
  const int pe_bits = std::max(a.e, w.e) + 2, pm = (a.m + 1) + (w.m + 1);
  b.add("multiply", "exponent add", "int_adder", {double(pe_bits)}, Segment::Front, Toggle::Input, L);
  b.add("multiply", "significand multiplier", "int_multiplier", {double(a.m + 1), double(w.m + 1)}, Segment::Front,
        Toggle::Input, L)
      .parallel = true;
  if (p.per_product) {
    b.add("round", "product normalize", "mux", {double(pm), 2}, Segment::Front, Toggle::Input);
    b.add("round", "product rounding incrementer", "int_adder", {double(std::min(pm, acc.m + 1))}, Segment::Front,
          Toggle::Input);
  }
  b.reg("pipeline", "product register", L * (1 + pe_bits + pm), Segment::Pipeline, Toggle::Pipe, p.stages);
  if (!p.tree) {
    b.composite("fp_adder", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc);
  } else {
    // The multi-operand adder tree (units::AdderTree, rtl/common/fp_adder_tree.sv): the L
    // exact products and the accumulator aligned to the largest exponent within align_bits,
    // summed as integers, normalized and rounded once. Alignment and the tree are their own
    // stages (arXiv 2510.25602 finds them, not the multiplier, dominating FP dot products);
    // priced from the primitive components: no published point calibrates a multi-input FP
    // adder.
    const int terms = L + 1, depth = std::max(1, clog2(terms));
    const double xe = std::max(pe_bits, acc.e) + 1, A = p.align_bits, sum_w = A + clog2(terms);
    b.add("align", "max-exponent comparator tree", "comparator", {xe}, Segment::Loop, Toggle::Acc, L).depth = depth;
    b.add("align", "max-exponent select", "mux", {xe, 2}, Segment::Loop, Toggle::Acc, L).depth = depth;
    b.add("align", "exponent difference per term", "int_adder", {xe}, Segment::Loop, Toggle::Acc, terms);
    b.add("align", "alignment shifter per term", "barrel_shifter", {A, A}, Segment::Loop, Toggle::Acc, terms);
    b.add("accumulate", "integer adder tree", "int_adder", {sum_w}, Segment::Loop, Toggle::Acc, L).depth = depth;
    b.add("normalize", "leading-zero count", "lzc", {sum_w}, Segment::Loop, Toggle::Acc);
    b.add("normalize", "normalize shifter", "barrel_shifter", {sum_w, sum_w}, Segment::Loop, Toggle::Acc);
    b.add("normalize", "exponent adjust", "int_adder", {xe}, Segment::Loop, Toggle::Acc);
    b.add("round", "rounding incrementer", "int_adder", {double(acc.m + 1)}, Segment::Loop, Toggle::Acc);
  }
  b.reg("accumulate", "accumulator register", acc.bits(), Segment::Loop, Toggle::Acc);
  b.reg("result", "result register", acc.bits(), Segment::Output, Toggle::Out).rate = 1 / c.dot_cycles;
}

void lmul_pe_parts(Builder& b, PeCost& c) {
  const auto p = cycle::lmul_pe_cycle_params(c.params);
  c.stages = p.stages;
  const Fp f = fp_of("lmul_pe", "format", p.format), acc = fp_of("lmul_pe", "acc", p.acc);
  b.add("decode", "zero/subnormal detect", "comparator", {double(f.e)}, Segment::Front, Toggle::Input, 2);
  // L-Mul: exponent and mantissa fields added as one integer, the 2^-l(m) offset folded in
  b.add("multiply", "L-Mul field adder (exponent + mantissa + offset)", "int_adder", {double(f.e + f.m + 1)},
        Segment::Front, Toggle::Input);
  b.reg("pipeline", "product register", 1 + (f.e + 2) + (f.m + 2), Segment::Pipeline, Toggle::Pipe, p.stages);
  b.composite("fp_adder", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc);
  b.reg("accumulate", "accumulator register", acc.bits(), Segment::Loop, Toggle::Acc);
  b.reg("result", "result register", acc.bits(), Segment::Output, Toggle::Out).rate = 1 / c.dot_cycles;
}

// The group dequantization shared by MixPE and LUT Tensor Core (pe::dequantize_group):
// d = sum - z*asum (integer), converted to the accumulator format, times the group scale,
// added into the accumulator; once per group (rate).
void dequantize_parts(Builder& b, int w_bits, bool zero_point, double sum_w, double asum_w, const Fp& acc,
                      double rate) {
  auto tag = [&](PePart& p) -> PePart& {
    p.rate = rate;
    return p;
  };
  if (zero_point) {
    tag(b.add("dequantize", "zero point x activation sum", "int_multiplier", {double(w_bits), asum_w}, Segment::Loop,
              Toggle::Acc));
    tag(b.add("dequantize", "subtract z*asum", "int_adder", {sum_w}, Segment::Loop, Toggle::Acc));
  }
  tag(b.add("dequantize", "int-to-float leading-zero count", "lzc", {sum_w}, Segment::Loop, Toggle::Acc));
  tag(b.add("dequantize", "int-to-float normalize shifter", "barrel_shifter", {sum_w, sum_w}, Segment::Loop,
            Toggle::Acc));
  b.composite("fp_multiplier", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, rate, 1, "dequantize");
  b.composite("fp_adder", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, rate);
}

void mixpe_parts(Builder& b, PeCost& c) {
  const auto p = cycle::mixpe_cycle_params(c.params);
  c.stages = p.stages;
  const Fp acc = fp_of("mixpe", "acc", p.acc);
  const int B = p.w_bits, lg = clog2(p.group);
  const double rate = 1.0 / p.group;
  const int zbits = p.zero_point ? B : 0;
  if (!p.fp16_a) {
    b.add("shift&add", "weight-bit gating", "mux", {8, 2}, Segment::Front, Toggle::Input, B);
    if (B > 1)
      b.add("shift&add", "shifted-activation adders", "int_adder", {double(8 + B)}, Segment::Front, Toggle::Input,
            B - 1)
          .depth = clog2(B);
    b.reg("pipeline", "term register (product, activation, scale, zero)", (8 + B) + 8 + 16 + zbits,
          Segment::Pipeline, Toggle::Pipe, p.stages);
    const double psum_w = 8 + B + lg, asum_w = 8 + lg;
    b.add("accumulate", "psum adder", "int_adder", {psum_w}, Segment::Loop, Toggle::Acc);
    if (p.zero_point) b.add("accumulate", "asum adder", "int_adder", {asum_w}, Segment::Loop, Toggle::Acc).parallel = true;
    b.add("accumulate", "group counter", "int_adder", {double(lg + 1)}, Segment::Loop, Toggle::Acc).parallel = true;
    b.reg("accumulate", "psum/asum/counter registers", psum_w + (p.zero_point ? asum_w : 0) + lg + 1, Segment::Loop,
          Toggle::Acc);
    dequantize_parts(b, B, p.zero_point, psum_w + 1, asum_w, acc, rate);
  } else {
    b.add("decode", "FP16 exponent-zero detect", "comparator", {5}, Segment::Front, Toggle::Input);
    b.reg("pipeline", "term register (activation, weight, scale, zero)", 16 + B + 16 + zbits, Segment::Pipeline,
          Toggle::Pipe, p.stages);
    // the shift&add planes and the activation sum as FP additions in the accumulator format
    b.composite("fp_adder", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, 1, B + 1);
    b.add("accumulate", "group counter", "int_adder", {double(lg + 1)}, Segment::Loop, Toggle::Acc).parallel = true;
    b.reg("accumulate", "fpsum/fasum/counter registers", 2 * acc.bits() + lg + 1, Segment::Loop, Toggle::Acc);
    b.add("dequantize", "zero point x activation sum", "fp_multiplier", {double(acc.e), double(acc.m)}, Segment::Loop,
          Toggle::Acc)
        .rate = rate;
    b.composite("fp_multiplier", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, rate, 1, "dequantize");
    b.composite("fp_adder", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, rate);
  }
  b.reg("accumulate", "accumulator register", acc.bits(), Segment::Loop, Toggle::Acc).rate = rate;
  b.reg("result", "result register", acc.bits(), Segment::Output, Toggle::Out).rate = 1 / c.dot_cycles;
}

void lut_tensor_core_parts(Builder& b, PeCost& c) {
  const auto p = cycle::lut_tensor_core_cycle_params(c.params);
  c.stages = p.stages;
  c.macs_per_cycle = p.k;
  const Fp acc = fp_of("lut_tensor_core", "acc", p.acc);
  const int B = p.w_bits, k = p.k, lk = clog2(k);
  const double entries = p.symmetrize ? std::ldexp(1.0, k - 1) : std::ldexp(1.0, k);
  const double rate = double(k) / p.group;
  const int lgc = clog2(double(p.group) / k);
  if (!p.fp16_a) {
    const double ew = 8 + lk + 1;  // an entry: sum of k +-8-bit activations
    b.add("precompute", "table entry adders (one per entry, sharing partial sums)", "int_adder", {ew}, Segment::Front,
          Toggle::Input, entries)
        .depth = std::max(1, lk);
    if (k > 1)
      b.add("precompute", "activation sum", "int_adder", {double(8 + lk)}, Segment::Front, Toggle::Input, k - 1)
          .parallel = true;
    b.add("lookup", "table read mux per weight plane", "mux", {ew, entries}, Segment::Front, Toggle::Input, B);
    if (p.symmetrize)
      b.add("lookup", "symmetric-table negation", "int_adder", {ew}, Segment::Front, Toggle::Input, B);
    if (B > 1)
      b.add("shift", "plane shift-add", "int_adder", {ew + B}, Segment::Front, Toggle::Input, B - 1).depth = clog2(B);
    const double planes_w = ew + B + lgc, asum_w = 8 + lk + lgc;
    b.reg("pipeline", "term register (planes, asum, scale, zero)", (ew + B) + (8 + lk) + 16 + B, Segment::Pipeline,
          Toggle::Pipe, p.stages);
    b.add("accumulate", "plane-sum adder", "int_adder", {planes_w}, Segment::Loop, Toggle::Acc);
    b.add("accumulate", "asum adder", "int_adder", {asum_w}, Segment::Loop, Toggle::Acc).parallel = true;
    b.add("accumulate", "group counter", "int_adder", {double(lgc + 1)}, Segment::Loop, Toggle::Acc).parallel = true;
    b.reg("accumulate", "planes/asum/counter registers", planes_w + asum_w + lgc + 1, Segment::Loop, Toggle::Acc);
    b.add("dequantize", "(planes + (2^B-1) asum) / 2", "int_adder", {planes_w + 1}, Segment::Loop, Toggle::Acc).rate =
        rate;
    dequantize_parts(b, B, true, planes_w + 1, asum_w, acc, rate);
  } else {
    const Fp t = fp_of("lut_tensor_core", "table", p.table);
    b.composite("fp_adder", {double(t.e), double(t.m)}, Segment::Front, Toggle::Input, 1, entries, "precompute");
    b.add("lookup", "table read mux per weight plane", "mux", {double(t.bits()), entries}, Segment::Front,
          Toggle::Input, B);
    b.reg("pipeline", "term register (activations, lookups, scale, zero)", k * 16 + B * t.bits() + 16 + B,
          Segment::Pipeline, Toggle::Pipe, p.stages);
    b.composite("fp_adder", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, 1, B + k);
    b.add("accumulate", "group counter", "int_adder", {double(lgc + 1)}, Segment::Loop, Toggle::Acc).parallel = true;
    b.reg("accumulate", "plane/asum/counter registers", (B + 1) * acc.bits() + lgc + 1, Segment::Loop, Toggle::Acc);
    b.composite("fp_multiplier", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, rate, 2, "dequantize");
    b.composite("fp_adder", {double(acc.e), double(acc.m)}, Segment::Loop, Toggle::Acc, rate);
  }
  b.reg("accumulate", "accumulator register", acc.bits(), Segment::Loop, Toggle::Acc).rate = rate;
  b.reg("result", "result register", acc.bits(), Segment::Output, Toggle::Out).rate = 1 / c.dot_cycles;
}

void rmmec_parts(Builder& b, PeCost& c) {
  const auto p = cycle::rmmec_cycle_params(c.params);
  c.stages = p.stages;
  const int L = p.lanes_used(), n = p.mode_bits();
  c.macs_per_cycle = L;
  const cycle::RmmecDatapath dp(p);
  const double Q = dp.quire_width();
  int f = 0, sb = 0;  // fraction bits, scale bits of one operand
  if (p.mode == "fp4") {
    f = 1;
    sb = 3;
    b.add("decode", "E2M1 exponent-zero detect", "comparator", {2}, Segment::Front, Toggle::Input, 2 * L);
  } else {
    const int es = p.mode == "posit8_0" ? 0 : 1;
    f = std::max(0, n - 3 - es);
    sb = clog2(2.0 * (n - 2) * std::ldexp(1.0, es) + 1) + 1;
    b.add("decode", "two's complement of negative posits", "int_adder", {double(n)}, Segment::Front, Toggle::Input,
          2 * L);
    b.add("decode", "regime leading-run count", "lzc", {double(n)}, Segment::Front, Toggle::Input, 2 * L);
    b.add("decode", "regime/exponent/fraction extract shifter", "barrel_shifter", {double(n), double(n)},
          Segment::Front, Toggle::Input, 2 * L);
  }
  b.add("exponent", "scale add", "int_adder", {double(sb + 1)}, Segment::Front, Toggle::Input, L);
  b.add("multiply", "mantissa multiplier", "int_multiplier", {double(f + 1), double(f + 1)}, Segment::Front,
        Toggle::Input, L)
      .parallel = true;
  b.reg("pipeline", "lane product registers + NaR", L * (1 + sb + 1 + 2 * (f + 1)) + 1, Segment::Pipeline,
        Toggle::Pipe, p.stages);
  b.add("align", "product-to-quire shifter", "barrel_shifter", {Q, Q}, Segment::Loop, Toggle::Acc, L);
  if (p.acc == "quire") {
    b.add("quire", "quire adder (tree over the lanes)", "int_adder", {Q}, Segment::Loop, Toggle::Acc, L).depth =
        std::max(1, clog2(L + 1));
    b.reg("quire", "quire register", Q, Segment::Loop, Toggle::Acc);
  } else {
    if (L > 1)
      b.add("accumulate", "lane-sum adder tree", "int_adder", {Q}, Segment::Loop, Toggle::Acc, L - 1).depth = clog2(L);
    b.add("accumulate", "sum-to-FP32 leading-zero count", "lzc", {Q}, Segment::Loop, Toggle::Acc);
    b.add("accumulate", "sum-to-FP32 normalize shifter", "barrel_shifter", {Q, Q}, Segment::Loop, Toggle::Acc);
    b.composite("fp_adder", {8, 23}, Segment::Loop, Toggle::Acc);
    b.reg("accumulate", "FP32 accumulator register", 32, Segment::Loop, Toggle::Acc);
  }
  const auto out = formats::ElementFormat::parse(p.out);
  int out_m = out.bits();
  try {
    out_m = cycle::minifloat_spec("rmmec", "out", p.out).m;
  } catch (const std::exception&) {
  }
  const double src_w = p.acc == "quire" ? Q : 32;
  const double rr = 1 / c.dot_cycles;
  b.add("round", "leading-zero count", "lzc", {src_w}, Segment::Output, Toggle::Acc).rate = rr;
  b.add("round", "normalize shifter", "barrel_shifter", {src_w, src_w}, Segment::Output, Toggle::Acc).rate = rr;
  b.add("round", "rounding incrementer", "int_adder", {double(out_m + 1)}, Segment::Output, Toggle::Acc).rate = rr;
  b.reg("encode", "result register", out.bits(), Segment::Output, Toggle::Out).rate = rr;
}

}  // namespace

PeCost pe_cost(const ComponentLibrary& lib, const std::string& pe, const pe::Params& params, const Node& node,
               const PeCostOptions& options) {
  PeCost c;
  c.pe = pe;
  c.params = params;
  c.node = node;
  c.options = options;
  Builder b{lib, node, c.parts};
  // dot_cycles depends on macs_per_cycle: set it for the PE first (lanes), then build.
  c.macs_per_cycle = cycle::lanes(pe, params);  // throws pe::PeError for an unknown PE
  c.dot_cycles = std::max(1.0, options.dot_length / c.macs_per_cycle);
  if (pe == "int_mac") int_mac_parts(b, c);
  else if (pe == "fp8_mac") fp8_mac_parts(b, c);
  else if (pe == "lmul_pe") lmul_pe_parts(b, c);
  else if (pe == "mixpe") mixpe_parts(b, c);
  else if (pe == "lut_tensor_core") lut_tensor_core_parts(b, c);
  else if (pe == "rmmec") rmmec_parts(b, c);
  else throw pe::PeError(fmt::format("no cost model for PE '{}'", pe));

  retotal(c);
  // delays: per stage, parts in series unless marked parallel; stages in series per segment
  for (const StageSummary& s : stage_breakdown(c, ActivityFactors{})) {
    if (s.segment == Segment::Front) c.front_delay_ps += s.delay_ps;
    else if (s.segment == Segment::Loop || s.segment == Segment::Output) c.loop_delay_ps += s.delay_ps;
  }
  const std::vector<double> one{1};
  c.register_delay_ps = lib.component("register", one, node).delay_ps;
  const double front = c.front_delay_ps / c.stages;  // retimed over the pipeline registers
  c.critical = front >= c.loop_delay_ps ? "front" : "loop";
  c.clock_ps = std::max(front, c.loop_delay_ps) + c.register_delay_ps;
  return c;
}

void retotal(PeCost& c) {
  c.area_um2 = c.leakage_uw = c.energy_ref_pj = 0;
  c.e_input = c.e_pipe = c.e_acc = c.e_out = c.e_clock = 0;
  const double cs = c.options.clock_share;
  for (const PePart& p : c.parts) {
    c.area_um2 += p.area_um2();
    c.leakage_uw += p.leakage_uw();
    const double e = p.energy_ref_pj();
    c.energy_ref_pj += e;
    const double data = p.clocked ? e * (1 - cs) : e;
    if (p.clocked) c.e_clock += e * cs;
    switch (p.toggle) {
      case Toggle::Input: c.e_input += data; break;
      case Toggle::Pipe: c.e_pipe += data; break;
      case Toggle::Acc: c.e_acc += data; break;
      case Toggle::Out: c.e_out += data; break;
    }
  }
}

namespace {
double factor(Toggle t, const ActivityFactors& a) {
  switch (t) {
    case Toggle::Input: return a.input;
    case Toggle::Pipe: return a.pipe_or_input();
    case Toggle::Acc: return a.acc;
    case Toggle::Out: return a.out_or_acc();
  }
  return a.input;
}
}  // namespace

double part_energy_pj(const PeCost& c, const PePart& p, const ActivityFactors& a) {
  const double ref = c.options.reference_activity;
  const double act = factor(p.toggle, a) / ref;
  const double e = p.energy_ref_pj();
  if (!p.clocked) return e * act;
  return e * (c.options.clock_share + (1 - c.options.clock_share) * act);
}

PeEnergy evaluate(const PeCost& c, const ActivityFactors& a, double freq_hz) {
  PeEnergy r;
  const double ref = c.options.reference_activity;
  r.freq_hz = freq_hz > 0 ? freq_hz : c.fmax_hz();
  r.dynamic_pj = (c.e_input * a.input + c.e_pipe * a.pipe_or_input() + c.e_acc * a.acc + c.e_out * a.out_or_acc()) / ref +
                 c.e_clock;
  r.leakage_pj = c.leakage_uw * 1e-6 / r.freq_hz * 1e12;
  r.total_pj = r.dynamic_pj + r.leakage_pj;
  r.pj_per_mac = r.total_pj / c.macs_per_cycle;
  r.power_mw = r.total_pj * 1e-12 * r.freq_hz * 1e3;
  return r;
}

std::vector<StageSummary> stage_breakdown(const PeCost& c, const ActivityFactors& a) {
  std::vector<StageSummary> out;
  std::vector<double> group;  // current series group's max delay per stage
  for (const PePart& p : c.parts) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const StageSummary& s) { return s.stage == p.stage && s.segment == p.segment; });
    if (it == out.end()) {
      out.push_back(StageSummary{p.stage, p.segment});
      group.push_back(0);
      it = out.end() - 1;
    }
    const size_t i = size_t(it - out.begin());
    it->area_um2 += p.area_um2();
    it->leakage_uw += p.leakage_uw();
    it->energy_pj += part_energy_pj(c, p, a);
    if (p.clocked) continue;  // registers: the register overhead, not logic delay
    const double d = p.delay_ps();
    if (p.parallel) {
      if (d > group[i]) {
        it->delay_ps += d - group[i];
        group[i] = d;
      }
    } else {
      it->delay_ps += d;
      group[i] = d;
    }
  }
  return out;
}

// ---- activity ----------------------------------------------------------------------------

OperandSpec parse_operand_spec(const std::string& s) {
  OperandSpec o;
  if (s == "random") return o;
  if (s == "zeros") {
    o.kind = OperandSpec::Kind::Zeros;
    return o;
  }
  if (s.rfind("sparse:", 0) == 0) {
    o.kind = OperandSpec::Kind::Sparse;
    const std::string v = s.substr(7);
    size_t used = 0;
    try {
      o.zero_fraction = std::stod(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || v.empty() || !(o.zero_fraction >= 0 && o.zero_fraction <= 1))
      throw std::invalid_argument(fmt::format("bad sparsity '{}': want sparse:P with 0 <= P <= 1", v));
    return o;
  }
  throw std::invalid_argument(fmt::format("unknown operand distribution '{}' (random, zeros, sparse:P)", s));
}

std::string to_string(const OperandSpec& s) {
  switch (s.kind) {
    case OperandSpec::Kind::Random: return "random";
    case OperandSpec::Kind::Zeros: return "zeros";
    case OperandSpec::Kind::Sparse: return fmt::format("sparse:{:g}", s.zero_fraction);
  }
  return "?";
}

namespace {

// Codes of a lane's format that decode to finite values (random operands: a NaN would freeze
// the accumulator and understate its activity). Empty: every code (integers).
std::vector<uint32_t> finite_codes(const std::string& format, int bits) {
  std::vector<uint32_t> v;
  if (format.empty() || bits > 16) return v;
  const auto f = formats::ElementFormat::parse(format);
  for (uint32_t code = 0; code < (1u << bits); ++code)
    if (std::isfinite(f.decode(code))) v.push_back(code);
  return v;
}

struct LaneFormats {
  std::string a, w;  // empty: integer codes, every code valid
};
LaneFormats lane_formats(const std::string& pe, const pe::Params& params) {
  if (pe == "fp8_mac") {
    const auto p = cycle::fp8_mac_cycle_params(params);
    return {p.a, p.w};
  }
  if (pe == "lmul_pe") {
    const auto p = cycle::lmul_pe_cycle_params(params);
    return {p.format, p.format};
  }
  if (pe == "mixpe") return {cycle::mixpe_cycle_params(params).fp16_a ? "float16" : "", ""};
  if (pe == "lut_tensor_core") return {cycle::lut_tensor_core_cycle_params(params).fp16_a ? "float16" : "", ""};
  if (pe == "rmmec") {
    const auto p = cycle::rmmec_cycle_params(params);
    return {p.element_format(), p.element_format()};
  }
  return {};
}

}  // namespace

cycle::Activity measure_stream(cycle::PeCycleModel& model, size_t cycles, size_t dot_words, size_t group_words,
                               const std::function<CodePair(size_t)>& group,
                               const std::function<CodePair(size_t)>& element) {
  model.record_activity(true);
  const cycle::PePorts ports = model.ports();
  cycle::PeIn in;
  in.rst_n = false;
  model.tick(in);
  in.rst_n = true;
  in.in_valid = true;
  in.out_ready = true;
  uint64_t group_toggles = 0;  // scale/zero bits toggling between accepted elements
  for (size_t t = 0; t < cycles; ++t) {
    const size_t pos = t % dot_words;
    if (pos % group_words == 0) {  // a new weight group
      const auto [scale, zero] = group(t);
      if (t > 0) group_toggles += uint64_t(std::popcount(in.in_scale ^ scale) + std::popcount(in.in_zero ^ zero));
      in.in_scale = scale;
      in.in_zero = zero;
    }
    std::tie(in.in_a, in.in_w) = element(t);
    in.in_first = pos == 0;
    in.in_last = pos == dot_words - 1;
    model.tick(in);
  }
  cycle::Activity act = model.activity();
  if (ports.scale_bits || ports.zero_bits) {
    act.in_toggles -= std::min(act.in_toggles, group_toggles);
    act.in_bits = ports.a_bits + ports.w_bits;
  }
  return act;
}

cycle::Activity measure_activity(const std::string& pe, const pe::Params& params, const OperandSpec& spec) {
  auto model = cycle::make_pe_cycle(pe, params);
  const cycle::PePorts ports = model->ports();
  const int lanes = cycle::lanes(pe, params);
  const size_t gw = std::max<size_t>(1, cycle::words_per_group(pe, params));
  const size_t dot_words = std::max<size_t>(
      gw, size_t(std::ceil(std::max(1.0, spec.dot_length / lanes) / double(gw))) * gw);
  const int abits = ports.a_bits / lanes, wbits = ports.w_bits / lanes;
  const LaneFormats lf = lane_formats(pe, params);
  const auto a_codes = finite_codes(lf.a, abits), w_codes = finite_codes(lf.w, wbits);
  const auto scale_codes = ports.scale_bits ? finite_codes("float16", 16) : std::vector<uint32_t>{};
  std::mt19937_64 rng(spec.seed);
  std::uniform_real_distribution<double> u(0, 1);
  auto draw = [&](const std::vector<uint32_t>& codes, int bits) -> uint64_t {
    if (spec.kind == OperandSpec::Kind::Zeros) return 0;
    if (spec.kind == OperandSpec::Kind::Sparse && u(rng) < spec.zero_fraction) return 0;
    if (!codes.empty()) return codes[rng() % codes.size()];
    return rng() & cycle::mask(bits);
  };
  auto word = [&](const std::vector<uint32_t>& codes, int bits) {
    uint64_t v = 0;
    for (int i = 0; i < lanes; ++i) v |= draw(codes, bits) << (i * bits);
    return v;
  };
  uint64_t scale = 0x3c00, zero = 0;  // FP16 1.0, zero point 0 (zeros)
  return measure_stream(
      *model, spec.cycles, dot_words, gw,
      [&](size_t) {
        if (spec.kind != OperandSpec::Kind::Zeros) {
          if (ports.scale_bits) scale = scale_codes[rng() % scale_codes.size()];
          if (ports.zero_bits) zero = rng() & cycle::mask(ports.zero_bits);
        }
        return CodePair{scale, zero};
      },
      [&](size_t) {
        const uint64_t a = word(a_codes, abits);
        return CodePair{a, word(w_codes, wbits)};
      });
}

ActivityFactors activity_factors(const cycle::Activity& a, const std::string& how) {
  ActivityFactors f{a.input_activity(), a.acc_activity(), how, std::nullopt, std::nullopt};
  if (!std::isnan(a.pipe_activity())) f.pipe = a.pipe_activity();
  if (!std::isnan(a.out_activity())) f.out = a.out_activity();
  return f;
}

namespace {
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> idx(v.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    const double mean = (double(i) + double(j)) / 2 + 1;  // ranks 1..n, ties averaged
    for (size_t k = i; k <= j; ++k) r[idx[k]] = mean;
    i = j + 1;
  }
  return r;
}
}  // namespace

double spearman_rank_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2)
    throw std::invalid_argument(fmt::format("rank correlation needs two samples of equal length >= 2, got {} and {}",
                                            x.size(), y.size()));
  const auto rx = ranks(x), ry = ranks(y);
  const double n = double(x.size()), mean = (n + 1) / 2;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace arithsim::cost
