// L-Mul PE ("Addition is All You Need for Energy-efficient Language Models", Luo & Sun,
// 2024): a dot product whose multiplies are L-Mul (units::lmul, formula or hardware
// variant) on operands with 2..7 mantissa bits, accumulated in FP32 with one rounding per
// add. Operands carry a power-of-two scale per vector; the output is acc * 2^(Xa + Xw).
#include <fmt/format.h>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {
namespace {

const OperandPolicies kPolicies{{policy_pow2()}};
const PeInfo kInfo{"lmul_pe",
                   "L-Mul PE: linear-complexity approximate multiplies (integer add of exponent|mantissa), FP32 accumulation",
                   "Addition is All You Need for Energy-efficient Language Models (Luo & Sun, arXiv 2410.00907)",
                   {{"format", "bf16", "operand format: a minifloat with 2..7 mantissa bits (bf16, e4m3, e5m2, e4m4 ...)"},
                    {"variant", "hardware", "hardware (field add, mantissa carry into the exponent) | formula"},
                    {"acc", "fp32", "accumulator format"},
                    kPolicies.param()}};

class LMulPe final : public ProcessingElement {
 public:
  explicit LMulPe(const Params& p)
      : r_(kInfo, p), f_(r_.format("format")), acc_(r_.format("acc")), out_(formats::ElementFormat::parse("float32")) {
    const auto* mc = f_.codec<formats::MinifloatCodec>();
    if (!mc || mc->spec().m < 2 || mc->spec().m > 7 || mc->spec().conv == formats::FloatConvention::UE)
      r_.fail(fmt::format("format={} is not a signed minifloat with 2..7 mantissa bits", f_.name()));
    const std::string v = r_.str("variant");
    if (v == "hardware") variant_ = units::LMulVariant::Hardware;
    else if (v == "formula") variant_ = units::LMulVariant::Formula;
    else r_.fail(fmt::format("variant '{}' is not hardware or formula", v));
    if (!acc_.codec<formats::MinifloatCodec>()) r_.fail(fmt::format("acc={} is not a floating-point format", acc_.name()));
    read_operand_policy(r_, kPolicies);
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved(); }
  void check_k(size_t) const override {}
  Operand scale_a(std::span<const float> a) const override { return quantize_pow2(f_, a); }
  Operand scale_w(std::span<const float> w) const override { return quantize_pow2(f_, w); }
  const formats::ElementFormat& output_format() const override { return out_; }

  double dot(const Operand& a, const Operand& w) const override {
    const auto& mc = *f_.codec<formats::MinifloatCodec>();
    units::FloatAccumulator acc(acc_);
    for (size_t i = 0; i < a.size(); ++i) acc.add(units::lmul(mc, a.codes[i], w.codes[i], variant_));
    return pow2_scaled_output(acc_.decode_exact(acc.code()).unrounded(), a, w, out_);
  }

 private:
  ParamReader r_;
  formats::ElementFormat f_, acc_, out_;
  units::LMulVariant variant_;
};

}  // namespace

const PeInfo& lmul_pe_info() { return kInfo; }
std::unique_ptr<ProcessingElement> make_lmul_pe(const Params& p) { return std::make_unique<LMulPe>(p); }

}  // namespace arithsim::pe
