// Co-simulation binding of rtl/mixpe.sv: three Verilated parameter sets (INT8 activations,
// fp32 accumulator); reference = the bit-accurate MixPE model (models/pe/mixpe.cpp,
// pe::make_pe("mixpe")->dot) with activation scale 1 and the stimulus's group scales and zero
// points, its fp32 output encoded.
#include <fmt/format.h>

#include "Vmixpe.h"
#include "Vmixpe_w2.h"
#include "Vmixpe_w8.h"
#include "models/cycle/mixpe_cycle.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct MixPeBuilt {
  int w_bits, group, stages;
  bool zero_point;
};
// The Verilated parameter sets (sim/cosim/mixpe_cosim.cmake), in this order.
constexpr MixPeBuilt kBuilt[] = {{4, 128, 1, true}, {2, 32, 2, true}, {8, 64, 1, false}};

}  // namespace

std::string mixpe_rtl_configs() {
  return "a=int8 acc=fp32 with w=int4 group=128 zero_point=true stages=1 (default), w=int2 group=32 stages=2, "
         "or w=int8 zero_point=false group=64 stages=1";
}

CosimReport run_mixpe_cosim(const pe::Params& params, const CosimOptions& o) {
  const cycle::MixPeCycleParams p = cycle::mixpe_cycle_params(params);  // validates (pe::PeError)
  pe::Params pe_params = params;
  pe_params.erase("stages");  // a cycle-model parameter
  std::shared_ptr<const pe::ProcessingElement> ref = pe::make_pe("mixpe", pe_params);
  if (p.fp16_a)
    throw pe::PeError(fmt::format("cosim mixpe: a=fp16 has a cycle model but no RTL (built: {})", mixpe_rtl_configs()));
  if (formats::ElementFormat::parse(p.acc).name() != "float32")
    throw pe::PeError(fmt::format("cosim mixpe: no RTL built for acc={} (built: {})", p.acc, mixpe_rtl_configs()));
  int which = -1;
  for (int i = 0; i < 3; ++i)
    if (kBuilt[i].w_bits == p.w_bits && kBuilt[i].group == p.group && kBuilt[i].stages == p.stages &&
        kBuilt[i].zero_point == p.zero_point)
      which = i;
  if (which < 0)
    throw pe::PeError(fmt::format("cosim mixpe: no RTL built for w=int{} group={} zero_point={} stages={} (built: {})",
                                  p.w_bits, p.group, p.zero_point, p.stages, mixpe_rtl_configs()));

  auto a_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("int8"));
  auto w_fmt = std::make_shared<formats::ElementFormat>(
      formats::ElementFormat::parse(fmt::format("{}int{}", p.zero_point ? "u" : "", p.w_bits)));
  auto s_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float16"));
  auto z_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(fmt::format("uint{}", p.w_bits)));
  auto out_fmt = std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float32"));
  const size_t group = size_t(p.group);

  PeCosimSpec spec;
  spec.pe = "mixpe";
  spec.model = std::make_shared<cycle::MixPeCycle>(p);
  spec.k_multiple = group;
  spec.max_groups = group >= 128 ? 4 : 8;
  struct GroupState {
    uint32_t scale = 0, zero = 0;
  };
  auto st = std::make_shared<GroupState>();
  spec.operands = [=, ac = corner_codes(*a_fmt), wc = corner_codes(*w_fmt), sc = corner_codes(*s_fmt),
                   zc = corner_codes(*z_fmt)](std::mt19937_64& g, cycle::PeIn& in, size_t index) {
    if (index % group == 0) {  // a new weight group: its scale and zero point
      st->scale = random_code(g, *s_fmt, sc, 16);
      st->zero = random_code(g, *z_fmt, zc, 4);  // with zero_point=false: ignored by the PE
    }
    in.in_a = random_code(g, *a_fmt, ac);
    in.in_w = random_code(g, *w_fmt, wc);
    in.in_scale = st->scale;
    in.in_zero = st->zero;
  };
  spec.reference = [=](const std::vector<cycle::PeIn>& dot) {
    pe::Operand a, w;
    a.format = a_fmt.get();
    a.group = dot.size();
    a.scales = {1.0};
    w.format = w_fmt.get();
    w.group = group;
    for (size_t i = 0; i < dot.size(); ++i) {
      a.codes.push_back(uint32_t(dot[i].in_a & 0xff));
      w.codes.push_back(uint32_t(dot[i].in_w & cycle::mask(p.w_bits)));
      if (i % group == 0) {
        w.scales.push_back(s_fmt->decode(uint32_t(dot[i].in_scale & 0xffff)));
        if (p.zero_point) w.zeros.push_back(int32_t(dot[i].in_zero & cycle::mask(p.w_bits)));
      }
    }
    return uint64_t(out_fmt->encode(ref->dot(a, w)));
  };
  if (which == 1) return run_pe_cosim<Vmixpe_w2>(spec, o);
  if (which == 2) return run_pe_cosim<Vmixpe_w8>(spec, o);
  return run_pe_cosim<Vmixpe>(spec, o);
}

}  // namespace arithsim::cosim
