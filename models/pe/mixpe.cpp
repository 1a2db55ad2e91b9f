// MixPE ("MixPE: Quantization and Hardware Co-design for Efficient LLM Inference", 2024):
// low-bit weights (INT2/3/4/8, group-wise scale and zero point) times INT8 or FP16
// activations. Inside a group of `group` elements the products are shift&add: every set bit
// b of a weight adds the activation shifted by b (for FP16, a shift is an exponent add).
// Dequantization happens once per group, after the group's partial sum:
//   INT8 a: psum = sum_b 2^b * sum_{i: bit b of q_i} a_i  (exact integer; the top plane of
//           a signed weight is negative), asum = sum a_i,
//           out_g = round_acc((psum - z*asum) * s_g)
//   FP16 a: psum and asum accumulate in the acc format, one rounding per add;
//           out_g = round_acc(round_acc(psum - round_acc(z*asum)) * s_g)
// acc = round_acc(acc + out_g) across groups; the output is round_fp32(acc * s_a).
#include <fmt/format.h>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {
namespace {

const PeInfo kInfo{"mixpe",
                   "MixPE: shift&add low-bit-weight PE, dequantization once per group after the group's partial sum",
                   "MixPE: Quantization and Hardware Co-design for Efficient LLM Inference (Zhang et al., arXiv 2411.16158)",
                   {{"w", "int4", "weight width: int2 | int3 | int4 | int8"},
                    {"a", "int8", "activation format: int8 | fp16"},
                    {"group", "128", "weights per scale/zero point along K"},
                    {"zero_point", "true", "asymmetric weights with an integer zero point"},
                    {"acc", "fp32", "format of the group outputs and the accumulator"},
                    {"fast", "true", "use the fast path (same bits, proven by tests) instead of the stage-by-stage datapath"},
                    LowBitOperands::policies().param()}};

class MixPe final : public ProcessingElement {
 public:
  explicit MixPe(const Params& p)
      : r_(kInfo, p), ops_(r_, weight_bits(r_), r_.flag("zero_point"), ""), acc_(r_.format("acc")),
        out_(formats::ElementFormat::parse("float32")) {
    if (!acc_.codec<formats::MinifloatCodec>()) r_.fail(fmt::format("acc={} is not a floating-point format", acc_.name()));
    fast_ = r_.flag("fast");
    read_operand_policy(r_, LowBitOperands::policies());
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved(); }
  void check_k(size_t k) const override { ops_.check_k(r_, k); }
  Operand scale_a(std::span<const float> a) const override { return ops_.quantize_a(a); }
  Operand scale_w(std::span<const float> w) const override { return ops_.quantize_w(w); }
  const formats::ElementFormat& output_format() const override { return out_; }

  // The fast path over a whole GEMM (INT8 activations): the shift&add planes sum to the exact
  // integer group sums, so low_bit_int8_gemm (pe_common.cpp) gives dot's bits.
  void gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const override {
    if (fast_ && ops_.int8_activations() && gemm_shape_ok(rows, cols, out)) {
      check_k(rows[0].size());
      if (low_bit_int8_gemm(ops_, ops_.weight_format().codec<formats::IntCodec>()->spec().is_signed, acc_, out_, rows, cols, out))
        return;
    }
    ProcessingElement::gemm(rows, cols, out);
  }

  double dot(const Operand& a, const Operand& w) const override {
    check_k(a.size());
    units::FloatAccumulator acc(acc_);
    const auto& af = ops_.activation_format();
    const auto* wc = ops_.weight_format().codec<formats::IntCodec>();
    const int wbits = ops_.weight_bits();
    const size_t group = ops_.group();
    for (size_t g0 = 0; g0 < a.size(); g0 += group) {
      const auto z = formats::Unrounded::from_int(w.zero(g0) < 0, uint64_t(std::abs(w.zero(g0))), 0);
      formats::Unrounded v;
      if (ops_.int8_activations()) {
        const auto* ac = af.codec<formats::IntCodec>();
        int64_t psum = 0, asum = 0;
        if (fast_) {
          // The shift&add planes sum to exactly sum_i a_i * q_i: one integer multiply-add.
          const int sh = 64 - af.bits();
          const bool sgn = wc->spec().is_signed;
          const int shw = 64 - wbits;
          for (size_t i = g0; i < g0 + group; ++i) {
            const int64_t ai = int64_t(uint64_t(a.codes[i]) << sh) >> sh;
            const int64_t qi = sgn ? int64_t(uint64_t(w.codes[i]) << shw) >> shw : int64_t(w.codes[i]);
            psum += ai * qi;
            asum += ai;
          }
        }
        for (int b = 0; b < wbits && !fast_; ++b) {  // one shift&add pass per weight bit plane
          int64_t plane = 0;
          for (size_t i = g0; i < g0 + group; ++i)
            if ((w.codes[i] >> b) & 1) plane += ac->to_int(a.codes[i]);
          const bool negative_plane = wc->spec().is_signed && b == wbits - 1;
          psum += (negative_plane ? -plane : plane) * (int64_t(1) << b);
        }
        if (!fast_)
          for (size_t i = g0; i < g0 + group; ++i) asum += ac->to_int(a.codes[i]);
        const int64_t d = psum - int64_t(w.zero(g0)) * asum;
        v = formats::Unrounded::from_int(d < 0, uint64_t(d < 0 ? -d : d), 0);
      } else {
        units::FloatAccumulator psum(acc_), asum(acc_);
        for (size_t i = g0; i < g0 + group; ++i) {
          const auto x = af.decode_exact(a.codes[i]).unrounded();
          asum.add(x);
          for (int b = 0; b < wbits; ++b) {
            if (!((w.codes[i] >> b) & 1)) continue;
            auto shifted = x;  // shift = exponent add
            if (shifted.finite()) shifted.exp += b;
            if (wc->spec().is_signed && b == wbits - 1) shifted.neg = !shifted.neg;
            psum.add(shifted);
          }
        }
        auto za = units::multiply(z, acc_.decode_exact(asum.code()).unrounded());
        za = acc_.decode_exact(acc_.encode(za)).unrounded();
        za.neg = !za.neg;
        psum.add(za);
        v = acc_.decode_exact(psum.code()).unrounded();
      }
      dequantize_group(acc, v, w.scale(g0));  // once per group, then accumulate
    }
    return scale_output(acc, a.scales[0], out_);
  }

 private:
  static int weight_bits(const ParamReader& r) {
    const std::string w = r.str("w");
    if (w != "int2" && w != "int3" && w != "int4" && w != "int8") r.fail(fmt::format("w={} is not int2, int3, int4 or int8", w));
    return std::stoi(w.substr(3));
  }

  ParamReader r_;
  LowBitOperands ops_;
  formats::ElementFormat acc_, out_;
  bool fast_;
};

}  // namespace

const PeInfo& mixpe_info() { return kInfo; }
std::unique_ptr<ProcessingElement> make_mixpe(const Params& p) { return std::make_unique<MixPe>(p); }

}  // namespace arithsim::pe
