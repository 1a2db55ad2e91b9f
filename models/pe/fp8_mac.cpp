// FP8 MAC: E4M3/E5M2 (mixed allowed) products accumulated in FP32 or FP16, with the
// rounding points as a parameter (the accumulator choices that 'FP8 versus INT8 for
// efficient deep learning inference', Qualcomm 2023, weighs in hardware cost):
//   fused        acc = round(acc + a*w)            (an FMA per element)
//   per_product  acc = round(acc + round(a*w))     (the product rounded to the acc format)
//   tree         acc = round(tree(a*w ..., acc))   (tree_inputs products and the accumulator
//                                                   aligned in align_bits, one rounding)
// Operands carry a power-of-two scale per vector (amax lands in the binade 2^min(emax, 8):
// the element max for E4M3, as MX does; lower for E5M2, see pe_common.cpp);
// the output is acc * 2^(Xa + Xw) in FP32.
#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/adder_tree.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {
namespace {

// Four rows of A (a[r * k + t]) against a panel of 16 columns of B (element t of column l at
// panel[t * 16 + l]): 4 x 16 float accumulators side by side, each adding its exact products
// in K order. The loop over l vectorizes, and the four rows are independent chains (one
// would wait on the add's latency); clones for AVX-512, AVX2 and SSE2 are picked at run time.
constexpr size_t kPanel = 16, kRows = 4;
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
[[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#endif
void float_lanes(const float* a, const float* panel, size_t k, float* out) {
  using vf = float __attribute__((vector_size(4 * kPanel)));  // GCC lowers it to the clone's widest vectors
  vf acc[kRows] = {};
  for (size_t t = 0; t < k; ++t) {
    vf p;
    std::memcpy(&p, panel + t * kPanel, sizeof p);
    for (size_t r = 0; r < kRows; ++r) acc[r] += a[r * k + t] * p;  // exact product: an FMA is the same
  }
  std::memcpy(out, acc, sizeof acc);
}

const OperandPolicies kPolicies{{policy_pow2()}};
const PeInfo kInfo{"fp8_mac",
                   "FP8 MAC: E4M3/E5M2 products, FP32/FP16 accumulation, fused / per-product / adder-tree rounding",
                   "'FP8 versus INT8 for efficient deep learning inference' (van Baalen et al., 2023); OCP OFP8 v1.0",
                   {{"a", "e4m3", "activation format (any minifloat of <= 8 bits)"},
                    {"w", "e4m3", "weight format (any minifloat of <= 8 bits)"},
                    {"acc", "fp32", "accumulator format (fp32, fp16, bf16 or any minifloat)"},
                    {"mode", "fused", "fused | per_product | tree"},
                    {"tree_inputs", "16", "products per adder-tree step (mode=tree)"},
                    {"align_bits", "27", "adder-tree alignment window in bits (mode=tree)"},
                    {"round_shifted", "false", "adder tree rounds (true) or truncates (false) shifted-out bits"},
                    {"fast", "true", "use the fast path (same bits, proven by tests) instead of the stage-by-stage datapath"},
                    kPolicies.param()}};

class Fp8Mac final : public ProcessingElement {
 public:
  explicit Fp8Mac(const Params& p)
      : r_(kInfo, p), a_(r_.format("a")), w_(r_.format("w")), acc_(r_.format("acc")),
        out_(formats::ElementFormat::parse("float32")), mode_(r_.str("mode")),
        tree_({r_.integer("tree_inputs", 1, 4095) + 1, r_.integer("align_bits", 2, 100), r_.flag("round_shifted")}) {
    for (const auto* f : {&a_, &w_})
      if (!f->codec<formats::MinifloatCodec>() || f->bits() > 8)
        r_.fail(fmt::format("operand format {} is not a minifloat of <= 8 bits", f->name()));
    if (!acc_.codec<formats::MinifloatCodec>()) r_.fail(fmt::format("accumulator {} is not a minifloat", acc_.name()));
    if (mode_ != "fused" && mode_ != "per_product" && mode_ != "tree")
      r_.fail(fmt::format("mode '{}' is not fused, per_product or tree", mode_));
    // Fast path: FP8 x FP8 products have <= 8 significant bits and exponents well inside
    // float's normal range, so a float multiply is exact, and per_product rounding to FP32
    // changes nothing; the float add is then exactly the FP32 accumulator's RNE add.
    fast_ = r_.flag("fast") && mode_ != "tree" && acc_.name() == "float32" &&
            a_.codec<formats::MinifloatCodec>()->spec().m + w_.codec<formats::MinifloatCodec>()->spec().m + 2 <= 24 &&
            !a_.table().empty() && !w_.table().empty() &&
            a_.info().min_subnormal * w_.info().min_subnormal >= 0x1p-126 && a_.info().max * w_.info().max <= 0x1p100;
    read_operand_policy(r_, kPolicies);
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved(); }
  void check_k(size_t) const override {}
  Operand scale_a(std::span<const float> a) const override { return quantize_pow2(a_, a); }
  Operand scale_w(std::span<const float> w) const override { return quantize_pow2(w_, w); }
  const formats::ElementFormat& output_format() const override { return out_; }

  // The fast path over a whole GEMM: each operand decoded once to float (its table), 16
  // outputs of a row accumulated side by side in float lanes, each in K order as dot_fast does.
  void gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const override {
    if (!fast_ || !gemm_shape_ok(rows, cols, out)) return ProcessingElement::gemm(rows, cols, out);
    const size_t m = rows.size(), n = cols.size(), k = rows[0].size();
    const float* ta = a_.table().data();
    const float* tw = w_.table().data();
    const size_t mp = (m + kRows - 1) / kRows * kRows;  // rows past m are zeros
    std::vector<float> a(mp * k, 0.0f), panel(k * kPanel);
    for (size_t i = 0; i < m; ++i)
      for (size_t t = 0; t < k; ++t) a[i * k + t] = ta[rows[i].codes[t]];
    float acc[kRows * kPanel];
    for (size_t j0 = 0; j0 < n; j0 += kPanel) {
      const size_t ln = std::min(kPanel, n - j0);
      std::fill(panel.begin(), panel.end(), 0.0f);
      for (size_t l = 0; l < ln; ++l)
        for (size_t t = 0; t < k; ++t) panel[t * kPanel + l] = tw[cols[j0 + l].codes[t]];
      for (size_t i0 = 0; i0 < m; i0 += kRows) {
        float_lanes(&a[i0 * k], panel.data(), k, acc);
        for (size_t i = i0; i < std::min(m, i0 + kRows); ++i)
          for (size_t l = 0; l < ln; ++l)
            out[i * n + j0 + l] =
                pow2_scaled_output(formats::Unrounded::from_float(acc[(i - i0) * kPanel + l]), rows[i], cols[j0 + l], out_);
      }
    }
  }

  double dot(const Operand& a, const Operand& w) const override {
    if (fast_) return dot_fast(a, w);
    units::FloatAccumulator acc(acc_);
    const size_t k = a.size();
    if (mode_ == "tree") {
      const size_t step = size_t(tree_.spec().inputs - 1);
      std::vector<formats::Unrounded> terms;
      for (size_t base = 0; base < k; base += step) {
        terms.clear();
        for (size_t i = base; i < std::min(k, base + step); ++i)
          terms.push_back(units::multiply_exact(a_.decode_exact(a.codes[i]), w_.decode_exact(w.codes[i])));
        terms.push_back(acc_.decode_exact(acc.code()).unrounded());
        acc.set(acc_.encode(tree_.sum(terms)));  // align, add, one normalize/round
      }
    } else {
      for (size_t i = 0; i < k; ++i) {
        auto p = units::multiply_exact(a_.decode_exact(a.codes[i]), w_.decode_exact(w.codes[i]));  // multiply
        if (mode_ == "per_product") p = acc_.decode_exact(acc_.encode(p)).unrounded();  // round the product
        acc.add(p);  // align, add, round
      }
    }
    // Output: the accumulator times the power-of-two operand scales, in FP32.
    return pow2_scaled_output(acc_.decode_exact(acc.code()).unrounded(), a, w, out_);
  }

 private:
  double dot_fast(const Operand& a, const Operand& w) const {
    const float* ta = a_.table().data();
    const float* tw = w_.table().data();
    float acc = 0.0f;
    for (size_t i = 0; i < a.size(); ++i) acc += ta[a.codes[i]] * tw[w.codes[i]];
    return pow2_scaled_output(formats::Unrounded::from_float(acc), a, w, out_);
  }

  ParamReader r_;
  formats::ElementFormat a_, w_, acc_, out_;
  bool fast_ = false;
  std::string mode_;
  units::AdderTree tree_;
};

}  // namespace

const PeInfo& fp8_mac_info() { return kInfo; }
std::unique_ptr<ProcessingElement> make_fp8_mac(const Params& p) { return std::make_unique<Fp8Mac>(p); }

}  // namespace arithsim::pe
