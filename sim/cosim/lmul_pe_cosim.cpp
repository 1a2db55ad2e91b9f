// Co-simulation binding of rtl/lmul_pe.sv: three Verilated parameter sets (bf16 hardware,
// 1 register; e4m3 hardware, 2 registers; bf16 formula, 1 register; all with an FP32
// accumulator); reference = the bit-accurate lmul_pe PE model (models/pe/lmul_pe.cpp) with
// unit operand scales, its result encoded to the accumulator format (exactly the accumulator).
#include <fmt/format.h>

#include "Vlmul_pe.h"
#include "Vlmul_pe_e4m3_s2.h"
#include "Vlmul_pe_formula.h"
#include <arithsim/models/cycle/lmul_pe_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {
namespace {

struct BuiltSet {
  const char* format;
  bool formula;
  int stages;
  RunFn run;
};
// The Verilated models of sim/cosim/lmul_pe_cosim.cmake.
const BuiltSet kBuilt[] = {{"bf16", false, 1, run_pe_cosim<Vlmul_pe>},
                           {"e4m3", false, 2, run_pe_cosim<Vlmul_pe_e4m3_s2>},
                           {"bf16", true, 1, run_pe_cosim<Vlmul_pe_formula>}};

}  // namespace

std::string lmul_pe_rtl_configs() {
  return describe_sets(kBuilt, " | ", [](const BuiltSet& b) {
    return fmt::format("format={} variant={} acc=fp32 stages={}", b.format, b.formula ? "formula" : "hardware",
                       b.stages);
  });
}

CosimReport run_lmul_pe_cosim(const pe::Params& params, const CosimOptions& o) {
  const auto model = reference_pe("lmul_pe", params);  // validates
  const auto p = cycle_params_or_pe_error(cycle::lmul_pe_cycle_params, params, lmul_pe_rtl_configs());
  const bool formula = p.variant == units::LMulVariant::Formula;
  const BuiltSet* set = find_set(kBuilt, [&](const BuiltSet& b) {
    return same_format(p.format, b.format) && same_format(p.acc, "fp32") && formula == b.formula && p.stages == b.stages;
  });
  if (set == nullptr)
    throw pe::PeError(fmt::format("cosim lmul_pe: no RTL built for format={} variant={} acc={} stages={} (built: {})",
                                  p.format, formula ? "formula" : "hardware", p.acc, p.stages, lmul_pe_rtl_configs()));
  const auto f = formats::ElementFormat::parse(p.format), acc = formats::ElementFormat::parse(p.acc);
  PeCosimSpec spec;
  spec.pe = "lmul_pe";
  spec.model = std::make_shared<cycle::LMulPeCycle>(p);
  // Finite-or-corner codes (FiniteOrCornerDraw); bf16 codes are drawn with exponents near the
  // bias half of the time (products that neither overflow nor vanish in FP32).
  spec.operands = [f, corners = corner_codes(f), draw = FiniteOrCornerDraw{}](std::mt19937_64& g, cycle::PeIn& in,
                                                                               size_t index) {
    draw.start(g, index);
    const auto& s = std::get<formats::MinifloatSpec>(f.spec());
    auto near_one = [&] {
      uint32_t code = draw(g, f, corners);
      if (s.e == 8 && (g() & 1) && (code & (((1u << s.e) - 1) << s.m)) != 0) {  // a normal: move it near 2^0
        const uint32_t ef = uint32_t(s.bias) - 20 + uint32_t(g() % 41);
        code = (code & ~(((1u << s.e) - 1) << s.m)) | (ef << s.m);
      }
      return code;
    };
    in.in_a = near_one();
    in.in_w = near_one();
  };
  spec.reference = [model, f, acc](const std::vector<cycle::PeIn>& dot) -> uint64_t {
    return encode_canonical_nan(acc, unit_scale_dot(*model, f, f, dot));
  };
  return set->run(spec, o);
}

}  // namespace arithsim::cosim
