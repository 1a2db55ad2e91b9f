// Co-simulation binding of rtl/lut_tensor_core.sv: seven Verilated parameter sets (four with
// INT8, three with FP16 activations; k=4; fp32, fp16, bf16 tables and accumulators); reference =
// the bit-accurate LUT Tensor Core model (models/pe/lut_tensor_core.cpp,
// pe::make_pe("lut_tensor_core")->dot) with activation scale 1 and the stimulus's group scales
// and zero points, its output encoded in the accumulator format.
#include <fmt/format.h>

#include "Vlut_tensor_core.h"
#include "Vlut_tensor_core_acc16.h"
#include "Vlut_tensor_core_fp16_bf16.h"
#include "Vlut_tensor_core_fp16.h"
#include "Vlut_tensor_core_fp16_t32.h"
#include "Vlut_tensor_core_w1.h"
#include "Vlut_tensor_core_w4.h"
#include <arithsim/models/cycle/lut_tensor_core_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct LutBuilt {
  bool fp16_a;
  const char* table;  // FP16 activations: the table format
  int w_bits, k, group, stages;
  bool symmetrize;
  const char* acc;
  RunFn run;
};
// The Verilated parameter sets (sim/cosim/lut_tensor_core_cosim.cmake).
const LutBuilt kBuilt[] = {{false, "", 2, 4, 128, 1, true, "fp32", run_pe_cosim<Vlut_tensor_core>},
                           {false, "", 4, 4, 64, 2, true, "fp32", run_pe_cosim<Vlut_tensor_core_w4>},
                           {false, "", 1, 4, 32, 1, false, "fp32", run_pe_cosim<Vlut_tensor_core_w1>},
                           {false, "", 2, 4, 32, 1, true, "fp16", run_pe_cosim<Vlut_tensor_core_acc16>},
                           {true, "fp16", 2, 4, 128, 1, true, "fp32", run_pe_cosim<Vlut_tensor_core_fp16>},
                           {true, "fp32", 4, 4, 32, 2, false, "fp32", run_pe_cosim<Vlut_tensor_core_fp16_t32>},
                           {true, "bf16", 2, 4, 32, 1, true, "bf16", run_pe_cosim<Vlut_tensor_core_fp16_bf16>}};

}  // namespace

std::string lut_tensor_core_rtl_configs() {
  return "k=4 with a=int8 w=int2 group=128 symmetrize=true acc=fp32 stages=1 (default), a=int8 w=int4 group=64 "
         "stages=2, a=int8 w=int1 symmetrize=false group=32 stages=1, a=int8 w=int2 group=32 acc=fp16, a=fp16 "
         "table=fp16 w=int2 group=128 symmetrize=true stages=1, a=fp16 table=fp32 w=int4 group=32 symmetrize=false "
         "stages=2, or a=fp16 table=bf16 w=int2 group=32 acc=bf16 (acc=fp32 where not stated)";
}

CosimReport run_lut_tensor_core_cosim(const pe::Params& params, const CosimOptions& o) {
  const cycle::LutTensorCoreCycleParams p = cycle::lut_tensor_core_cycle_params(params);  // validates
  const auto ref = reference_pe("lut_tensor_core", params);
  const LutBuilt* set = find_set(kBuilt, [&](const LutBuilt& b) {
    return b.fp16_a == p.fp16_a && (!b.fp16_a || same_format(b.table, p.table)) && b.w_bits == p.w_bits &&
           b.k == p.k && b.group == p.group && b.stages == p.stages && b.symmetrize == p.symmetrize &&
           same_format(b.acc, p.acc);
  });
  if (set == nullptr)
    throw pe::PeError(
        fmt::format("cosim lut_tensor_core: no RTL built for a={}{} w=int{} k={} group={} symmetrize={} acc={} "
                    "stages={} (built: {})",
                    p.fp16_a ? "fp16 table=" : "int8", p.fp16_a ? p.table : "", p.w_bits, p.k, p.group, p.symmetrize,
                    p.acc, p.stages, lut_tensor_core_rtl_configs()));

  auto a_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.fp16_a ? "float16" : "int8"));
  const int a_bits = a_fmt->bits();
  auto w_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(fmt::format("uint{}", p.w_bits)));
  auto s_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float16"));
  auto out_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.acc));
  const size_t k = size_t(p.k), group = size_t(p.group), cycles = group / k;
  const int wb = p.w_bits;

  PeCosimSpec spec;
  spec.pe = "lut_tensor_core";
  spec.model = std::make_shared<cycle::LutTensorCoreCycle>(p);
  spec.k_multiple = cycles;  // in cycles of k elements
  spec.max_groups = cycles >= 32 ? 4 : 8;
  spec.operands = [=, ac = corner_codes(*a_fmt), wc = corner_codes(*w_fmt), scale = GroupScaleDraw(*s_fmt, *w_fmt),
                   draw = FiniteOrCornerDraw()](
                      std::mt19937_64& g, cycle::PeIn& in, size_t index) {
    scale(g, in, index % cycles == 0);
    if (p.fp16_a) draw.start(g, index);  // FP16: half the dot products without NaN/inf
    in.in_a = in.in_w = 0;
    for (size_t i = 0; i < k; ++i) {
      in.in_a |= uint64_t(p.fp16_a ? draw(g, *a_fmt, ac) : random_code(g, *a_fmt, ac)) << (size_t(a_bits) * i);
      in.in_w |= uint64_t(random_code(g, *w_fmt, wc)) << (size_t(wb) * i);
    }
  };
  spec.reference = [=](const std::vector<cycle::PeIn>& dot) {
    const pe::Operand a = unit_scale_operand(*a_fmt, lane_codes(dot, &cycle::PeIn::in_a, a_bits, int(k)));
    const pe::Operand w = group_weight_operand(*w_fmt, *s_fmt, dot, wb, int(k), group, true);
    return encode_canonical_nan(*out_fmt, ref->dot(a, w));
  };
  return set->run(spec, o);
}

}  // namespace arithsim::cosim
