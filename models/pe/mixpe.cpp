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
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {
namespace {

constexpr size_t kLanes = 16, kRows = 4;  // output columns x rows per step of the FP16 GEMM

// One group of the FP16-activation shift&add for 4 rows x 16 columns at once. Every weight
// bit b of column l adds x_t * 2^b (negated for the sign plane) to that output's FP32 partial
// sum, in the datapath's order (element by element, bits ascending): `planes` holds, per
// element and bit, each column's +-2^b or 0, and plane * x_t is exact, so each step is one
// float add (or FMA: the same) per lane. A clear bit adds a zero, which changes no partial
// sum (they start at +0 and never become -0). The four rows are independent chains (one
// would wait on the add's latency).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
[[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#endif
void shift_add_lanes(const float* x, size_t stride, const float* planes, size_t len, int wbits, float* psum) {
  using vf = float __attribute__((vector_size(4 * kLanes)));
  vf acc[kRows];
  std::memcpy(acc, psum, sizeof acc);
  for (size_t t = 0; t < len; ++t) {
    float xr[kRows];
    for (size_t r = 0; r < kRows; ++r) xr[r] = x[r * stride + t];
    for (int b = 0; b < wbits; ++b) {
      vf p;
      std::memcpy(&p, planes + (t * size_t(wbits) + size_t(b)) * kLanes, sizeof p);
      for (size_t r = 0; r < kRows; ++r) acc[r] += p * xr[r];
    }
  }
  std::memcpy(psum, acc, sizeof acc);
}

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
    if (fast_ && !ops_.int8_activations() && gemm_shape_ok(rows, cols, out)) {
      check_k(rows[0].size());
      if (fp16_gemm(rows, cols, out)) return;
    }
    ProcessingElement::gemm(rows, cols, out);
  }

  // The fast path over a whole GEMM (FP16 activations, FP32 accumulators): the accumulators
  // are host floats, each step one IEEE operation as FloatAccumulator(fp32) does it: the
  // shift&add adds, asum, z*asum (exact in double, rounded once), psum - z*asum, the group's
  // v * s_g (exact in double) and the final * s_a. Non-finite activations take dot().
  bool fp16_gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const {
    const size_t m = rows.size(), n = cols.size(), k = rows[0].size(), group = ops_.group();
    if (acc_.name() != "float32" || !std::numeric_limits<float>::is_iec559 || k % group) return false;
    const auto& af = ops_.activation_format();
    const std::vector<float>& table = af.table();  // FP16: every code's value, exact in float
    if (table.empty()) return false;
    std::vector<float> x(m * k);
    for (size_t i = 0; i < m; ++i)
      for (size_t t = 0; t < k; ++t) {
        x[i * k + t] = table[rows[i].codes[t] & (table.size() - 1)];
        if (!std::isfinite(x[i * k + t])) return false;
      }
    const size_t groups = k / group, m4 = (m + kRows - 1) / kRows * kRows;
    x.resize(m4 * k, 0.0f);  // rows past m: zeros, computed and dropped
    std::vector<float> asum(m * groups, 0.0f);
    for (size_t i = 0; i < m; ++i)
      for (size_t t = 0; t < k; ++t) asum[i * groups + t / group] += x[i * k + t];
    const bool signed_w = ops_.weight_format().codec<formats::IntCodec>()->spec().is_signed;
    const int wbits = ops_.weight_bits();
    const size_t wb = size_t(wbits);
    float plane_value[32];  // what a set bit b adds per unit of x: 2^b, -2^b for the sign plane
    for (size_t b = 0; b < wb; ++b) plane_value[b] = (signed_w && b + 1 == wb ? -1.0f : 1.0f) * float(1u << b);
    std::vector<float> planes(k * wb * kLanes);
    std::vector<float> psum(groups * kRows * kLanes);
    std::vector<double> zero(kLanes * groups), scale(kLanes * groups);  // per column of the panel and group
    for (size_t j0 = 0; j0 < n; j0 += kLanes) {
      const size_t ln = std::min(kLanes, n - j0);
      std::fill(planes.begin(), planes.end(), 0.0f);
      for (size_t l = 0; l < ln; ++l)
        for (size_t t = 0; t < k; ++t) {
          const uint32_t q = cols[j0 + l].codes[t];
          for (size_t b = 0; b < wb; ++b) planes[(t * wb + b) * kLanes + l] = ((q >> b) & 1u) ? plane_value[b] : 0.0f;
        }
      for (size_t l = 0; l < ln; ++l)
        for (size_t g = 0; g < groups; ++g) {
          zero[l * groups + g] = double(cols[j0 + l].zero(g * group));
          scale[l * groups + g] = cols[j0 + l].scale(g * group);
        }
      for (size_t i0 = 0; i0 < m; i0 += kRows) {
        std::fill(psum.begin(), psum.end(), 0.0f);
        for (size_t g = 0; g < groups; ++g)
          shift_add_lanes(&x[i0 * k + g * group], k, &planes[g * group * wb * kLanes], group, wbits,
                          &psum[g * kRows * kLanes]);
        for (size_t i = i0; i < std::min(m, i0 + kRows); ++i)
          for (size_t l = 0; l < ln; ++l) {
            float acc = 0.0f;
            for (size_t g = 0; g < groups; ++g) {
              const float za = float(zero[l * groups + g] * double(asum[i * groups + g]));
              const float v = psum[(g * kRows + (i - i0)) * kLanes + l] + -za;
              acc += float(double(v) * scale[l * groups + g]);
            }
            out[i * n + j0 + l] = double(float(double(acc) * rows[i].scales[0]));  // out is float32
          }
      }
    }
    return true;
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

// Integer weights of 2..8 bits run at the nearest width the PE builds (2, 3, 4 or 8), their
// group scales inside the PE; wider than the configured w: bit-sliced passes.
OperandPlan plan_mixpe(const std::string& pe, const Params& p, const OperandRequest& q) {
  OperandPlan r = plan_low_bit_weights(pe, p, q, "int4", "int2..int8");
  const int b = q.w.bits;
  r.params["w"] = fmt::format("int{}", b <= 2 ? 2 : b <= 3 ? 3 : b <= 4 ? 4 : 8);
  return r;
}

}  // namespace arithsim::pe
