// Co-simulation binding of rtl/lmul_pe.sv: three Verilated parameter sets (bf16 hardware,
// 1 register; e4m3 hardware, 2 registers; bf16 formula, 1 register; all with an FP32
// accumulator); reference = the bit-accurate lmul_pe PE model (models/pe/lmul_pe.cpp) with
// unit operand scales, its result encoded to the accumulator format (exactly the accumulator).
#include <cmath>

#include <fmt/format.h>

#include "Vlmul_pe.h"
#include "Vlmul_pe_e4m3_s2.h"
#include "Vlmul_pe_formula.h"
#include "models/cycle/lmul_pe_cycle.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct BuiltSet {
  const char* format;
  bool formula;
  int stages;
};
// The order matches the Verilated models in run_lmul_pe_cosim (sim/cosim/lmul_pe_cosim.cmake).
constexpr BuiltSet kBuilt[] = {{"bf16", false, 1}, {"e4m3", false, 2}, {"bf16", true, 1}};

bool same_format(const std::string& x, const char* y) {
  return formats::ElementFormat::parse(x).spec() == formats::ElementFormat::parse(y).spec();
}

}  // namespace

std::string lmul_pe_rtl_configs() {
  std::string s;
  for (const auto& b : kBuilt)
    s += fmt::format("{}format={} variant={} acc=fp32 stages={}", s.empty() ? "" : " | ", b.format,
                     b.formula ? "formula" : "hardware", b.stages);
  return s;
}

CosimReport run_lmul_pe_cosim(const pe::Params& params, const CosimOptions& o) {
  pe::Params pe_params = params;
  pe_params.erase("stages");  // a cycle-model parameter
  std::shared_ptr<const pe::ProcessingElement> model = pe::make_pe("lmul_pe", pe_params);  // validates
  cycle::LMulPeCycleParams p;
  try {
    p = cycle::lmul_pe_cycle_params(params);
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(fmt::format("cosim {} (built: {})", e.what(), lmul_pe_rtl_configs()));
  }
  const bool formula = p.variant == units::LMulVariant::Formula;
  int set = -1;
  for (int i = 0; i < int(std::size(kBuilt)); ++i)
    if (same_format(p.format, kBuilt[i].format) && same_format(p.acc, "fp32") && formula == kBuilt[i].formula &&
        p.stages == kBuilt[i].stages)
      set = i;
  if (set < 0)
    throw pe::PeError(fmt::format("cosim lmul_pe: no RTL built for format={} variant={} acc={} stages={} (built: {})",
                                  p.format, formula ? "formula" : "hardware", p.acc, p.stages, lmul_pe_rtl_configs()));
  const auto f = formats::ElementFormat::parse(p.format), acc = formats::ElementFormat::parse(p.acc);
  PeCosimSpec spec;
  spec.pe = "lmul_pe";
  spec.model = std::make_shared<cycle::LMulPeCycle>(p);
  // Half of the dot products draw no NaN/inf (so that most results are numbers); the other
  // half mix every corner code (zeros of both signs, max, subnormals, NaN, inf, all ones) in.
  // bf16 codes are drawn with exponents near the bias half of the time (products that neither
  // overflow nor vanish in FP32).
  spec.operands = [f, corners = corner_codes(f), clean = std::make_shared<bool>(false)](
                      std::mt19937_64& g, cycle::PeIn& in, size_t index) {
    if (index == 0) *clean = g() & 1;
    const auto& s = std::get<formats::MinifloatSpec>(f.spec());
    auto draw = [&] {
      uint32_t code = random_code(g, f, corners);
      while (*clean && !std::isfinite(f.decode(code))) code = random_code(g, f, corners);
      if (s.e == 8 && (g() & 1) && (code & (((1u << s.e) - 1) << s.m)) != 0) {  // a normal: move it near 2^0
        const uint32_t ef = uint32_t(s.bias) - 20 + uint32_t(g() % 41);
        code = (code & ~(((1u << s.e) - 1) << s.m)) | (ef << s.m);
      }
      return code;
    };
    in.in_a = draw();
    in.in_w = draw();
  };
  spec.reference = [model, f, acc](const std::vector<cycle::PeIn>& dot) -> uint64_t {
    pe::Operand oa{&f, {}, dot.size(), {1.0}, {}}, ow{&f, {}, dot.size(), {1.0}, {}};
    for (const auto& e : dot) {
      oa.codes.push_back(uint32_t(e.in_a));
      ow.codes.push_back(uint32_t(e.in_w));
    }
    const double y = model->dot(oa, ow);
    return std::isnan(y) ? acc.encode(formats::Unrounded::nan(false)) : acc.encode(y);
  };
  switch (set) {
    case 0: return run_pe_cosim<Vlmul_pe>(spec, o);
    case 1: return run_pe_cosim<Vlmul_pe_e4m3_s2>(spec, o);
    default: return run_pe_cosim<Vlmul_pe_formula>(spec, o);
  }
}

}  // namespace arithsim::cosim
