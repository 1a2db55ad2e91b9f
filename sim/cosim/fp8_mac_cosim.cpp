// Co-simulation binding of rtl/fp8_mac.sv: three Verilated parameter sets (E4M3 x E4M3 -> FP32
// fused, 1 register; E5M2 x E4M3 -> FP16 per_product, 2 registers; E4M3 x E5M2 -> BF16 fused,
// 3 registers); reference = the bit-accurate fp8_mac PE model (models/pe/fp8_mac.cpp) with
// unit operand scales, its result encoded to the accumulator format (exactly the accumulator's
// value: every acc value is an FP32 value). A NaN result compares as the accumulator's
// canonical positive NaN (the hardware's NaN; the PE model's FP32 fast path computes in
// float, whose NaN sign is the host's).
#include <cmath>

#include <fmt/format.h>

#include "Vfp8_mac.h"
#include "Vfp8_mac_bf16_s3.h"
#include "Vfp8_mac_fp16_pp_s2.h"
#include "models/cycle/fp8_mac_cycle.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct BuiltSet {
  const char* a;
  const char* w;
  const char* acc;
  bool per_product;
  int stages;
};
// The order matches the Verilated models in run_fp8_mac_cosim (sim/cosim/fp8_mac_cosim.cmake).
constexpr BuiltSet kBuilt[] = {{"e4m3", "e4m3", "fp32", false, 1},
                               {"e5m2", "e4m3", "fp16", true, 2},
                               {"e4m3", "e5m2", "bf16", false, 3}};

bool same_format(const std::string& x, const char* y) {
  return formats::ElementFormat::parse(x).spec() == formats::ElementFormat::parse(y).spec();
}

}  // namespace

std::string fp8_mac_rtl_configs() {
  std::string s;
  for (const auto& b : kBuilt)
    s += fmt::format("{}a={} w={} acc={} mode={} stages={}", s.empty() ? "" : " | ", b.a, b.w, b.acc,
                     b.per_product ? "per_product" : "fused", b.stages);
  return s;
}

CosimReport run_fp8_mac_cosim(const pe::Params& params, const CosimOptions& o) {
  pe::Params pe_params = params;
  pe_params.erase("stages");  // a cycle-model parameter
  std::shared_ptr<const pe::ProcessingElement> model = pe::make_pe("fp8_mac", pe_params);  // validates
  cycle::Fp8MacCycleParams p;
  try {
    p = cycle::fp8_mac_cycle_params(params);
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(fmt::format("cosim {} (built: {})", e.what(), fp8_mac_rtl_configs()));
  }
  int set = -1;
  for (int i = 0; i < int(std::size(kBuilt)); ++i)
    if (same_format(p.a, kBuilt[i].a) && same_format(p.w, kBuilt[i].w) && same_format(p.acc, kBuilt[i].acc) &&
        p.per_product == kBuilt[i].per_product && p.stages == kBuilt[i].stages)
      set = i;
  if (set < 0)
    throw pe::PeError(fmt::format("cosim fp8_mac: no RTL built for a={} w={} acc={} mode={} stages={} (built: {})", p.a,
                                  p.w, p.acc, p.per_product ? "per_product" : "fused", p.stages, fp8_mac_rtl_configs()));
  const auto a = formats::ElementFormat::parse(p.a), w = formats::ElementFormat::parse(p.w),
             acc = formats::ElementFormat::parse(p.acc);
  PeCosimSpec spec;
  spec.pe = "fp8_mac";
  spec.model = std::make_shared<cycle::Fp8MacCycle>(p);
  // Half of the dot products draw no NaN/inf (so that most results are numbers); the other
  // half mix every corner code (zeros of both signs, max, subnormals, NaN, inf, all ones) in.
  spec.operands = [a, w, ca = corner_codes(a), cw = corner_codes(w), clean = std::make_shared<bool>(false)](
                      std::mt19937_64& g, cycle::PeIn& in, size_t index) {
    if (index == 0) *clean = g() & 1;
    auto draw = [&](const formats::ElementFormat& f, const std::vector<uint32_t>& c) {
      uint32_t code = random_code(g, f, c);
      while (*clean && !std::isfinite(f.decode(code))) code = random_code(g, f, c);
      return code;
    };
    in.in_a = draw(a, ca);
    in.in_w = draw(w, cw);
  };
  spec.reference = [model, a, w, acc](const std::vector<cycle::PeIn>& dot) -> uint64_t {
    pe::Operand oa{&a, {}, dot.size(), {1.0}, {}}, ow{&w, {}, dot.size(), {1.0}, {}};
    for (const auto& e : dot) {
      oa.codes.push_back(uint32_t(e.in_a));
      ow.codes.push_back(uint32_t(e.in_w));
    }
    const double y = model->dot(oa, ow);
    return std::isnan(y) ? acc.encode(formats::Unrounded::nan(false)) : acc.encode(y);
  };
  switch (set) {
    case 0: return run_pe_cosim<Vfp8_mac>(spec, o);
    case 1: return run_pe_cosim<Vfp8_mac_fp16_pp_s2>(spec, o);
    default: return run_pe_cosim<Vfp8_mac_bf16_s3>(spec, o);
  }
}

}  // namespace arithsim::cosim
