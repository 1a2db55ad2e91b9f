// Co-simulation binding of rtl/fp8_mac.sv: five Verilated parameter sets (E4M3 x E4M3 -> FP32
// fused, 1 register; E5M2 x E4M3 -> FP16 per_product, 2 registers; E4M3 x E5M2 -> BF16 fused,
// 3 registers; mode=tree: E4M3 x E4M3 -> FP32, 4 lanes, align_bits=27, truncating, 1 register;
// E5M2 x E4M3 -> BF16, 8 lanes, align_bits=16, round_shifted, 2 registers); reference = the bit-accurate fp8_mac PE model (models/pe/fp8_mac.cpp) with
// unit operand scales, its result encoded to the accumulator format (exactly the accumulator's
// value: every acc value is an FP32 value). A NaN result compares as the accumulator's
// canonical positive NaN (the hardware's NaN; the PE model's FP32 fast path computes in
// float, whose NaN sign is the host's).
#include <fmt/format.h>

#include "Vfp8_mac.h"
#include "Vfp8_mac_bf16_s3.h"
#include "Vfp8_mac_fp16_pp_s2.h"
#include "Vfp8_mac_tree4.h"
#include "Vfp8_mac_tree8_rs_bf16_s2.h"
#include <arithsim/models/cycle/fp8_mac_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct BuiltSet {
  const char* a;
  const char* w;
  const char* acc;
  bool per_product;
  int stages;
  RunFn run;
  int tree_inputs = 0;  // mode=tree: products per step (lanes); 0: fused / per_product
  int align_bits = 0;
  bool round_shifted = false;
  std::string mode() const { return tree_inputs ? "tree" : per_product ? "per_product" : "fused"; }
};
// The Verilated models of sim/cosim/fp8_mac_cosim.cmake.
const BuiltSet kBuilt[] = {{"e4m3", "e4m3", "fp32", false, 1, run_pe_cosim<Vfp8_mac>},
                           {"e5m2", "e4m3", "fp16", true, 2, run_pe_cosim<Vfp8_mac_fp16_pp_s2>},
                           {"e4m3", "e5m2", "bf16", false, 3, run_pe_cosim<Vfp8_mac_bf16_s3>},
                           {"e4m3", "e4m3", "fp32", false, 1, run_pe_cosim<Vfp8_mac_tree4>, 4, 27, false},
                           {"e5m2", "e4m3", "bf16", false, 2, run_pe_cosim<Vfp8_mac_tree8_rs_bf16_s2>, 8, 16, true}};

// mode=tree's parameters in a set's description ("" otherwise).
std::string tree_desc(int tree_inputs, int align_bits, bool round_shifted) {
  if (tree_inputs == 0) return "";
  return fmt::format(" tree_inputs={} align_bits={} round_shifted={}", tree_inputs, align_bits, round_shifted);
}

}  // namespace

std::string fp8_mac_rtl_configs() {
  return describe_sets(kBuilt, " | ", [](const BuiltSet& b) {
    return fmt::format("a={} w={} acc={} mode={}{} stages={}", b.a, b.w, b.acc, b.mode(),
                       tree_desc(b.tree_inputs, b.align_bits, b.round_shifted), b.stages);
  });
}

CosimReport run_fp8_mac_cosim(const pe::Params& params, const CosimOptions& o) {
  const auto model = reference_pe("fp8_mac", params);  // validates
  const auto p = cycle_params_or_pe_error(cycle::fp8_mac_cycle_params, params, fp8_mac_rtl_configs());
  const BuiltSet* set = find_set(kBuilt, [&](const BuiltSet& b) {
    return same_format(p.a, b.a) && same_format(p.w, b.w) && same_format(p.acc, b.acc) &&
           p.per_product == b.per_product && p.stages == b.stages && p.tree == (b.tree_inputs > 0) &&
           (!p.tree || (p.tree_inputs == b.tree_inputs && p.align_bits == b.align_bits &&
                        p.round_shifted == b.round_shifted));
  });
  if (set == nullptr)
    throw pe::PeError(fmt::format("cosim fp8_mac: no RTL built for a={} w={} acc={} mode={}{} stages={} (built: {})", p.a,
                                  p.w, p.acc, p.mode(),
                                  tree_desc(p.tree ? p.tree_inputs : 0, p.align_bits, p.round_shifted), p.stages,
                                  fp8_mac_rtl_configs()));
  const auto a = formats::ElementFormat::parse(p.a), w = formats::ElementFormat::parse(p.w),
             acc = formats::ElementFormat::parse(p.acc);
  PeCosimSpec spec;
  spec.pe = "fp8_mac";
  spec.model = std::make_shared<cycle::Fp8MacCycle>(p);
  const int lanes = p.lanes();  // mode=tree: one code per lane, lane i in bits [i*bits, (i+1)*bits)
  spec.operands = [a, w, lanes, ca = corner_codes(a), cw = corner_codes(w), draw = FiniteOrCornerDraw{}](
                      std::mt19937_64& g, cycle::PeIn& in, size_t index) {
    draw.start(g, index);
    in.in_a = in.in_w = 0;
    for (int i = 0; i < lanes; ++i) {
      in.in_a |= uint64_t(draw(g, a, ca)) << (i * a.bits());
      in.in_w |= uint64_t(draw(g, w, cw)) << (i * w.bits());
    }
  };
  spec.reference = [model, a, w, acc, lanes](const std::vector<cycle::PeIn>& dot) -> uint64_t {
    return encode_canonical_nan(acc, unit_scale_dot(*model, a, w, dot, lanes));
  };
  return set->run(spec, o);
}

}  // namespace arithsim::cosim
