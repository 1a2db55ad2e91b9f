// Co-simulation binding of rtl/lut_tensor_core.sv: three Verilated parameter sets (INT8
// activations, k=4, fp32 accumulator); reference = the bit-accurate LUT Tensor Core model
// (models/pe/lut_tensor_core.cpp, pe::make_pe("lut_tensor_core")->dot) with activation scale 1
// and the stimulus's group scales and zero points, its fp32 output encoded.
#include <fmt/format.h>

#include "Vlut_tensor_core.h"
#include "Vlut_tensor_core_w1.h"
#include "Vlut_tensor_core_w4.h"
#include "models/cycle/lut_tensor_core_cycle.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct LutBuilt {
  int w_bits, k, group, stages;
  bool symmetrize;
};
// The Verilated parameter sets (sim/cosim/lut_tensor_core_cosim.cmake), in this order.
constexpr LutBuilt kBuilt[] = {{2, 4, 128, 1, true}, {4, 4, 64, 2, true}, {1, 4, 32, 1, false}};

}  // namespace

std::string lut_tensor_core_rtl_configs() {
  return "a=int8 acc=fp32 k=4 with w=int2 group=128 symmetrize=true stages=1 (default), w=int4 group=64 stages=2, "
         "or w=int1 symmetrize=false group=32 stages=1";
}

CosimReport run_lut_tensor_core_cosim(const pe::Params& params, const CosimOptions& o) {
  const cycle::LutTensorCoreCycleParams p = cycle::lut_tensor_core_cycle_params(params);  // validates
  pe::Params pe_params = params;
  pe_params.erase("stages");  // a cycle-model parameter
  std::shared_ptr<const pe::ProcessingElement> ref = pe::make_pe("lut_tensor_core", pe_params);
  if (p.fp16_a)
    throw pe::PeError(fmt::format("cosim lut_tensor_core: a=fp16 has a cycle model but no RTL (built: {})",
                                  lut_tensor_core_rtl_configs()));
  if (formats::ElementFormat::parse(p.acc).name() != "float32")
    throw pe::PeError(fmt::format("cosim lut_tensor_core: no RTL built for acc={} (built: {})", p.acc,
                                  lut_tensor_core_rtl_configs()));
  int which = -1;
  for (int i = 0; i < 3; ++i)
    if (kBuilt[i].w_bits == p.w_bits && kBuilt[i].k == p.k && kBuilt[i].group == p.group &&
        kBuilt[i].stages == p.stages && kBuilt[i].symmetrize == p.symmetrize)
      which = i;
  if (which < 0)
    throw pe::PeError(
        fmt::format("cosim lut_tensor_core: no RTL built for w=int{} k={} group={} symmetrize={} stages={} (built: {})",
                    p.w_bits, p.k, p.group, p.symmetrize, p.stages, lut_tensor_core_rtl_configs()));

  auto a_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("int8"));
  auto w_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(fmt::format("uint{}", p.w_bits)));
  auto s_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float16"));
  auto out_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float32"));
  const size_t k = size_t(p.k), group = size_t(p.group), cycles = group / k;
  const int wb = p.w_bits;

  PeCosimSpec spec;
  spec.pe = "lut_tensor_core";
  spec.model = std::make_shared<cycle::LutTensorCoreCycle>(p);
  spec.k_multiple = cycles;  // in cycles of k elements
  spec.max_groups = cycles >= 32 ? 4 : 8;
  struct GroupState {
    uint32_t scale = 0, zero = 0;
  };
  auto st = std::make_shared<GroupState>();
  spec.operands = [=, ac = corner_codes(*a_fmt), wc = corner_codes(*w_fmt), sc = corner_codes(*s_fmt)](
                      std::mt19937_64& g, cycle::PeIn& in, size_t index) {
    if (index % cycles == 0) {  // a new weight group: its scale and zero point
      st->scale = random_code(g, *s_fmt, sc, 16);
      st->zero = random_code(g, *w_fmt, wc, 4);
    }
    in.in_a = in.in_w = 0;
    for (size_t i = 0; i < k; ++i) {
      in.in_a |= uint64_t(random_code(g, *a_fmt, ac)) << (8 * i);
      in.in_w |= uint64_t(random_code(g, *w_fmt, wc)) << (size_t(wb) * i);
    }
    in.in_scale = st->scale;
    in.in_zero = st->zero;
  };
  spec.reference = [=](const std::vector<cycle::PeIn>& dot) {
    pe::Operand a, w;
    a.format = a_fmt.get();
    a.group = dot.size() * k;
    a.scales = {1.0};
    w.format = w_fmt.get();
    w.group = group;
    for (size_t c = 0; c < dot.size(); ++c) {
      for (size_t i = 0; i < k; ++i) {
        a.codes.push_back(uint32_t(cycle::lane(dot[c].in_a, int(i), 8)));
        w.codes.push_back(uint32_t(cycle::lane(dot[c].in_w, int(i), wb)));
      }
      if (c % cycles == 0) {
        w.scales.push_back(s_fmt->decode(uint32_t(dot[c].in_scale & 0xffff)));
        w.zeros.push_back(int32_t(dot[c].in_zero & cycle::mask(wb)));
      }
    }
    return uint64_t(out_fmt->encode(ref->dot(a, w)));
  };
  if (which == 1) return run_pe_cosim<Vlut_tensor_core_w4>(spec, o);
  if (which == 2) return run_pe_cosim<Vlut_tensor_core_w1>(spec, o);
  return run_pe_cosim<Vlut_tensor_core>(spec, o);
}

}  // namespace arithsim::cosim
