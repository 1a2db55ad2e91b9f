// INT8/INT4 MAC: integer multiply, W-bit integer accumulate (wrap or saturate), and one
// dequantization (acc * s_a * s_w, rounded once to FP32) at the output.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/pe/int_lanes.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {
namespace {

const OperandPolicies kPolicies{{{"symmetric", "a float32 scale amax/qmax per vector, elements rounded and saturated"}}};
const PeInfo kInfo{"int_mac",
                   "integer MAC: INTa x INTw -> INT(acc_bits) accumulate, FP32 dequantized output",
                   "baseline integer MAC (e.g. INT8 x INT8 -> INT32 of 'FP8 versus INT8 for efficient deep learning inference', 2023)",
                   {{"a", "int8", "activation format: int2..int16"},
                    {"w", "int8", "weight format: int2..int16"},
                    {"acc_bits", "32", "accumulator width in bits (2..63)"},
                    {"saturate", "false", "saturate the accumulator instead of wrapping"},
                    {"fast", "true", "use the fast path (same bits, proven by tests) instead of the stage-by-stage datapath"},
                    kPolicies.param()}};

class IntMac final : public ProcessingElement {
 public:
  explicit IntMac(const Params& p)
      : r_(kInfo, p), a_(r_.format("a")), w_(r_.format("w")), out_(formats::ElementFormat::parse("float32")) {
    for (const auto* f : {&a_, &w_}) {
      const auto* ic = f->codec<formats::IntCodec>();
      if (!ic || !ic->spec().is_signed || ic->spec().frac_bits != 0 || ic->bits() > 16)
        r_.fail(fmt::format("operand format {} is not a signed integer of 2..16 bits", f->name()));
    }
    acc_bits_ = r_.integer("acc_bits", 2, 63);
    saturate_ = r_.flag("saturate");
    fast_ = r_.flag("fast");
    read_operand_policy(r_, kPolicies);
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved(); }
  void check_k(size_t) const override {}
  Operand scale_a(std::span<const float> a) const override { return quantize_int_symmetric(a_, a); }
  Operand scale_w(std::span<const float> w) const override { return quantize_int_symmetric(w_, w); }
  const formats::ElementFormat& output_format() const override { return out_; }

  // multiply, accumulate: the datapath, one product per step into the W-bit register.
  int64_t accumulate(const Operand& a, const Operand& w) const {
    const auto* ca = a_.codec<formats::IntCodec>();
    const auto* cw = w_.codec<formats::IntCodec>();
    units::IntAccumulator acc(acc_bits_, saturate_);
    for (size_t i = 0; i < a.size(); ++i) acc.add(ca->to_int(a.codes[i]) * cw->to_int(w.codes[i]));
    return acc.value();
  }
  // Same result: a wrapping register equals the 64-bit sum reduced modulo 2^W once (|each
  // product| <= 2^30 and K < 2^32, so the 64-bit sum is exact); saturation clamps per step.
  int64_t accumulate_fast(const Operand& a, const Operand& w) const {
    const int sa = 64 - a_.bits(), sw = 64 - w_.bits();
    const uint32_t* pa = a.codes.data();
    const uint32_t* pw = w.codes.data();
    const size_t k = a.size();
    if (!saturate_) {
      int64_t s = 0;
      for (size_t i = 0; i < k; ++i)
        s += (int64_t(uint64_t(pa[i]) << sa) >> sa) * (int64_t(uint64_t(pw[i]) << sw) >> sw);
      return wrap(s);
    }
    const int64_t lo = -(int64_t(1) << (acc_bits_ - 1)), hi = (int64_t(1) << (acc_bits_ - 1)) - 1;
    int64_t s = 0;
    for (size_t i = 0; i < k; ++i) {
      s += (int64_t(uint64_t(pa[i]) << sa) >> sa) * (int64_t(uint64_t(pw[i]) << sw) >> sw);
      s = s < lo ? lo : s > hi ? hi : s;
    }
    return s;
  }

  double dot(const Operand& a, const Operand& w) const override {
    return dequantize(fast_ ? accumulate_fast(a, w) : accumulate(a, w), a, w);
  }

  // The fast path over a whole GEMM: operands sign-extended once, 16 outputs of a row at a
  // time (int_lanes.hpp), then each register reduced to W bits and dequantized as dot does.
  void gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const override {
    if (!fast_ || !gemm_shape_ok(rows, cols, out)) return ProcessingElement::gemm(rows, cols, out);
    const size_t m = rows.size(), n = cols.size(), k = rows[0].size();
    const int sa = 32 - a_.bits(), sw = 32 - w_.bits();
    auto sext = [](uint32_t code, int sh) { return int32_t(code << sh) >> sh; };
    std::vector<int32_t> a(m * k), panel(k * kIntPanel);
    for (size_t i = 0; i < m; ++i)
      for (size_t t = 0; t < k; ++t) a[i * k + t] = sext(rows[i].codes[t], sa);
    const int64_t lo = -(int64_t(1) << (acc_bits_ - 1)), hi = (int64_t(1) << (acc_bits_ - 1)) - 1;
    int64_t acc[kIntPanel];
    for (size_t j0 = 0; j0 < n; j0 += kIntPanel) {
      const size_t ln = std::min(kIntPanel, n - j0);
      std::fill(panel.begin(), panel.end(), 0);
      for (size_t l = 0; l < ln; ++l)
        for (size_t t = 0; t < k; ++t) panel[t * kIntPanel + l] = sext(cols[j0 + l].codes[t], sw);
      for (size_t i = 0; i < m; ++i) {
        if (saturate_) int_lanes_saturate(&a[i * k], panel.data(), k, lo, hi, acc);
        else if (acc_bits_ <= 32) int_lanes_wrap32(&a[i * k], panel.data(), k, acc);
        else int_lanes_sum64(&a[i * k], panel.data(), k, acc);
        for (size_t l = 0; l < ln; ++l)
          out[i * n + j0 + l] = dequantize(saturate_ ? acc[l] : wrap(acc[l]), rows[i], cols[j0 + l]);
      }
    }
  }

 private:
  // The W-bit register's value of a sum known modulo 2^64 (or 2^32 with W <= 32).
  int64_t wrap(int64_t s) const {
    const uint64_t low = uint64_t(s) & ((uint64_t(1) << acc_bits_) - 1);  // acc_bits_ <= 63
    return (low >> (acc_bits_ - 1)) & 1 ? int64_t(low - (uint64_t(1) << acc_bits_)) : int64_t(low);
  }
  // dequantize: one rounding of acc * s_a * s_w. The scale product is exact in double
  // because quantize_int_symmetric makes float32 scales (two other doubles would round).
  double dequantize(int64_t v, const Operand& a, const Operand& w) const {
    const auto sum = formats::Unrounded::from_int(v < 0, uint64_t(v < 0 ? -v : v), 0);
    const auto y = units::multiply(sum, formats::Unrounded::from_double(a.scales[0] * w.scales[0]));
    return out_.decode(out_.encode(y));
  }

  ParamReader r_;
  formats::ElementFormat a_, w_, out_;
  int acc_bits_;
  bool saturate_, fast_;
};

}  // namespace

const PeInfo& int_mac_info() { return kInfo; }
std::unique_ptr<ProcessingElement> make_int_mac(const Params& p) { return std::make_unique<IntMac>(p); }

// Integer operands: weights wider than the PE's w bit-sliced into passes; group-scaled weights
// dequantized and re-quantized per output channel first (the dequantize-then-multiply baseline).
OperandPlan plan_int_mac(const std::string& pe, const Params& p, const OperandRequest& q) {
  OperandPlan r;
  r.params = p;
  const int wb = param_bits(p, "w", "int8"), ab = param_bits(p, "a", "int8");
  if (q.w.kind != "int") throw PeError(fmt::format("{}: weights must be integer formats int2..int16 {}", pe, asks(q, q.w)));
  if (q.a.kind != "int" || q.a.bits > ab)
    throw PeError(fmt::format("{}: activations must be integer formats of at most {} bits (the PE's a) {}", pe, ab,
                              asks(q, q.a)));
  if (q.w.bits > wb) {
    slice_weights(r, q.w, wb);
    r.params["w"] = fmt::format("int{}", q.w.bits);
  }
  if (q.group > 0) {
    r.dequant_on_load = true;
    r.note = fmt::format("dequantize-then-multiply: {} weights (FP16 scale per {}) dequantized and re-quantized to int{} "
                         "per output channel before the MAC", q.w.name, q.group, wb);
  }
  return r;
}

}  // namespace arithsim::pe
