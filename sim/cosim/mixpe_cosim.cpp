// Co-simulation binding of rtl/mixpe.sv: seven Verilated parameter sets (four with INT8, three
// with FP16 activations; fp32, fp16 and bf16 accumulators); reference = the bit-accurate MixPE
// model (models/pe/mixpe.cpp, pe::make_pe("mixpe")->dot) with activation scale 1 and the
// stimulus's group scales and zero points, its output encoded in the accumulator format.
#include <fmt/format.h>

#include "Vmixpe.h"
#include "Vmixpe_acc16.h"
#include "Vmixpe_fp16_accbf16.h"
#include "Vmixpe_fp16.h"
#include "Vmixpe_fp16_w8.h"
#include "Vmixpe_w2.h"
#include "Vmixpe_w8.h"
#include <arithsim/models/cycle/mixpe_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct MixPeBuilt {
  bool fp16_a;
  int w_bits, group, stages;
  bool zero_point;
  const char* acc;
  RunFn run;
};
// The Verilated parameter sets (sim/cosim/mixpe_cosim.cmake).
const MixPeBuilt kBuilt[] = {{false, 4, 128, 1, true, "fp32", run_pe_cosim<Vmixpe>},
                             {false, 2, 32, 2, true, "fp32", run_pe_cosim<Vmixpe_w2>},
                             {false, 8, 64, 1, false, "fp32", run_pe_cosim<Vmixpe_w8>},
                             {false, 4, 32, 1, true, "fp16", run_pe_cosim<Vmixpe_acc16>},
                             {true, 4, 128, 1, true, "fp32", run_pe_cosim<Vmixpe_fp16>},
                             {true, 8, 32, 2, false, "fp32", run_pe_cosim<Vmixpe_fp16_w8>},
                             {true, 4, 32, 1, true, "bf16", run_pe_cosim<Vmixpe_fp16_accbf16>}};

}  // namespace

std::string mixpe_rtl_configs() {
  return "a=int8 w=int4 group=128 zero_point=true acc=fp32 stages=1 (default), a=int8 w=int2 group=32 "
         "stages=2, a=int8 w=int8 zero_point=false group=64 stages=1, a=int8 w=int4 group=32 acc=fp16, a=fp16 "
         "w=int4 group=128 stages=1, a=fp16 w=int8 zero_point=false group=32 stages=2, or a=fp16 w=int4 group=32 "
         "acc=bf16 (acc=fp32 where not stated)";
}

CosimReport run_mixpe_cosim(const pe::Params& params, const CosimOptions& o) {
  const cycle::MixPeCycleParams p = cycle::mixpe_cycle_params(params);  // validates (pe::PeError)
  const auto ref = reference_pe("mixpe", params);
  const MixPeBuilt* set = find_set(kBuilt, [&](const MixPeBuilt& b) {
    return b.fp16_a == p.fp16_a && b.w_bits == p.w_bits && b.group == p.group && b.stages == p.stages &&
           b.zero_point == p.zero_point && same_format(b.acc, p.acc);
  });
  if (set == nullptr)
    throw pe::PeError(fmt::format("cosim mixpe: no RTL built for a={} w=int{} group={} zero_point={} acc={} "
                                  "stages={} (built: {})",
                                  p.fp16_a ? "fp16" : "int8", p.w_bits, p.group, p.zero_point, p.acc, p.stages,
                                  mixpe_rtl_configs()));

  auto a_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.fp16_a ? "float16" : "int8"));
  const int a_bits = a_fmt->bits();
  auto w_fmt = std::make_shared<formats::ElementFormat>(
      formats::ElementFormat::parse(fmt::format("{}int{}", p.zero_point ? "u" : "", p.w_bits)));
  auto s_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float16"));
  auto z_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(fmt::format("uint{}", p.w_bits)));
  auto out_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.acc));
  const size_t group = size_t(p.group);

  PeCosimSpec spec;
  spec.pe = "mixpe";
  spec.model = std::make_shared<cycle::MixPeCycle>(p);
  spec.k_multiple = group;
  spec.max_groups = group >= 128 ? 4 : 8;
  spec.operands = [=, ac = corner_codes(*a_fmt), wc = corner_codes(*w_fmt), scale = GroupScaleDraw(*s_fmt, *z_fmt),
                   draw = FiniteOrCornerDraw()](
                      std::mt19937_64& g, cycle::PeIn& in, size_t index) {
    scale(g, in, index % group == 0);  // with zero_point=false the zero point is ignored by the PE
    if (p.fp16_a) draw.start(g, index);  // FP16: half the dot products without NaN/inf
    in.in_a = p.fp16_a ? draw(g, *a_fmt, ac) : random_code(g, *a_fmt, ac);
    in.in_w = random_code(g, *w_fmt, wc);
  };
  spec.reference = [=](const std::vector<cycle::PeIn>& dot) {
    const pe::Operand a = unit_scale_operand(*a_fmt, lane_codes(dot, &cycle::PeIn::in_a, a_bits));
    const pe::Operand w = group_weight_operand(*w_fmt, *s_fmt, dot, p.w_bits, 1, group, p.zero_point);
    return encode_canonical_nan(*out_fmt, ref->dot(a, w));
  };
  return set->run(spec, o);
}

}  // namespace arithsim::cosim
