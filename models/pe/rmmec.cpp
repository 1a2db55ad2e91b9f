// XR-NPE RMMEC ("XR-NPE: High-Throughput Mixed-precision SIMD Neural Processing Engine for
// Extended Reality Perception Workloads", arXiv 2508.13049): a reconfigurable mantissa
// multiplier with exponent processing running FP4 (E2M1), Posit(4,1), Posit(8,0) or
// Posit(16,1) in SIMD lanes that share one mantissa multiplier array.
// What the sources we could read state and what is assumed is listed in
// docs/research/xr-npe.md and docs/pe/rmmec.md. Assumed here, as parameters:
//  - lanes per cycle: fp4 4, posit4_1 4, posit8_0 2, posit16_1 1 (a 16-bit operand word;
//    one 13x13 array split into 2 x 6x6 or 4 x 2x2 blocks);
//  - accumulation: `quire` (exact fixed point from minpos^2, the posit standard's quire,
//    one rounding at the output) or `fp32` (the lanes' products of one cycle summed exactly,
//    then one FP32 rounding per cycle);
//  - posit operands are not scaled (posits taper around 1); FP4 operands carry a per-vector
//    power-of-two scale as the other FP PEs; the output is rounded once to `out`.
// Stages: decode (regime/exponent/fraction or E2M1 fields) -> exponent processing (scale
// add) -> mantissa multiply (lane blocks) -> align -> accumulate -> round -> encode.
#include <fmt/format.h>

#include <arithsim/models/formats/quire.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {
namespace {

const OperandPolicies kPolicies{
    {{"auto", "fp4: a power-of-two scale per vector (pow2); posits: each value rounded to the posit, unscaled"}}};
const PeInfo kInfo{"rmmec",
                   "XR-NPE RMMEC: SIMD FP4 / Posit(4,1) / Posit(8,0) / Posit(16,1) MAC sharing one mantissa multiplier",
                   "XR-NPE: High-Throughput Mixed-precision SIMD Neural Processing Engine for Extended Reality Perception "
                   "Workloads (Lokhande et al., arXiv 2508.13049); lanes and accumulator are assumptions (docs/pe/rmmec.md)",
                   {{"mode", "posit8_0", "fp4 | posit4_1 | posit8_0 | posit16_1"},
                    {"lanes", "0", "products per cycle (0: the mode's default 4/4/2/1)"},
                    {"acc", "quire", "quire (exact, one final rounding) | fp32 (one rounding per cycle)"},
                    {"out", "fp32", "output format (fp32, or the mode's own format, e.g. posit16_1)"},
                    {"fast", "true", "use the fast path (same bits, proven by tests) instead of the stage-by-stage datapath"},
                    kPolicies.param()}};

int default_lanes(const std::string& mode) { return mode == "posit8_0" ? 2 : mode == "posit16_1" ? 1 : 4; }

class Rmmec final : public ProcessingElement {
 public:
  explicit Rmmec(const Params& p)
      : r_(kInfo, p), mode_(r_.str("mode")), f_(pick(mode_)), acc32_(formats::ElementFormat::parse("float32")),
        out_(r_.format("out")) {
    const int l = r_.integer("lanes", 0, 16);
    lanes_ = size_t(l == 0 ? default_lanes(mode_) : l);
    const std::string acc = r_.str("acc");
    if (acc != "quire" && acc != "fp32") r_.fail(fmt::format("acc '{}' is not quire or fp32", acc));
    quire_ = acc == "quire";
    fast_ = r_.flag("fast");
    read_operand_policy(r_, kPolicies);
    // Quire range: every operand is a multiple of 2^lsb and below 2^(emax+1).
    const auto lo = f_.decode_exact(1);  // the smallest positive code in every mode
    lsb_ = 2 * lo.exp;
    msb_ = 2 * (f_.emax() + 1);
    // decode stage, as a table over every code (<= 16 bits)
    for (uint32_t c = 0; c < (1u << f_.bits()); ++c) decoded_.push_back(f_.decode_exact(c));
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved() + fmt::format(" (lanes={})", lanes_); }
  void check_k(size_t) const override {}
  Operand scale_a(std::span<const float> a) const override { return quantize(a); }
  Operand scale_w(std::span<const float> w) const override { return quantize(w); }
  const formats::ElementFormat& output_format() const override { return out_; }

  double dot(const Operand& a, const Operand& w) const override {
    const size_t k = a.size();
    const int carry = 64 - std::countl_zero(uint64_t(k)) + 2;
    if (fast_ && quire_ && msb_ - lsb_ + carry <= 126) return dot_int128(a, w);
    if (fast_ && !quire_ && msb_ - lsb_ + 8 <= 126) return dot_fp32_int128(a, w);
    formats::Quire q(lsb_, std::max(64, msb_ - lsb_ + carry + 2));
    formats::Quire cycle(lsb_, std::max(64, msb_ - lsb_ + 8));
    units::FloatAccumulator acc(acc32_);
    bool nan = false;
    for (size_t c0 = 0; c0 < k; c0 += lanes_) {  // one SIMD cycle: `lanes_` products
      if (!quire_) cycle.clear();
      for (size_t i = c0; i < std::min(k, c0 + lanes_); ++i) {
        const auto p = units::multiply_exact(decoded_[a.codes[i]], decoded_[w.codes[i]]);  // decode, multiply
        if (p.kind == formats::Unrounded::Kind::NaN || p.kind == formats::Unrounded::Kind::Inf) {
          nan = true;  // NaR
          continue;
        }
        (quire_ ? q : cycle).add(p);  // align, accumulate
      }
      if (!quire_) acc.add(cycle.value());  // one FP32 rounding per cycle
    }
    if (nan) return nar();
    return output(quire_ ? q.value() : acc32_.decode_exact(acc.code()).unrounded(), a, w);  // round, encode
  }

 private:
  // Exact sum of the products [begin, end) in a 128-bit integer of LSB 2^lsb_ (the quire of
  // these modes fits: posit(16,1) spans 2^-56 .. 2^58 plus carry bits). False on NaR/NaN.
  bool sum_int128(const Operand& a, const Operand& w, size_t begin, size_t end, __int128& s) const {
    for (size_t i = begin; i < end; ++i) {
      const formats::Decoded& x = decoded_[a.codes[i]];
      const formats::Decoded& y = decoded_[w.codes[i]];
      if (x.kind == formats::Unrounded::Kind::NaN || y.kind == formats::Unrounded::Kind::NaN) return false;
      if (x.kind == formats::Unrounded::Kind::Zero || y.kind == formats::Unrounded::Kind::Zero) continue;
      const __int128 m = __int128((unsigned __int128)x.mant * y.mant) << (x.exp + y.exp - lsb_);
      s += x.neg != y.neg ? -m : m;
    }
    return true;
  }
  formats::Unrounded from_int128(__int128 s) const {
    return s == 0 ? formats::Unrounded::zero(false)
                  : formats::Unrounded::from_u128(s < 0, (unsigned __int128)(s < 0 ? -s : s), lsb_);
  }
  double output(const formats::Unrounded& y, const Operand& a, const Operand& w) const {
    return pow2_scaled_output(y, a, w, out_);
  }
  double nar() const { return out_.decode(out_.encode(std::numeric_limits<double>::quiet_NaN())); }

  // Fast paths: the quire, or each cycle's exact sum, held in a 128-bit integer.
  double dot_int128(const Operand& a, const Operand& w) const {
    __int128 s = 0;
    if (!sum_int128(a, w, 0, a.size(), s)) return nar();
    return output(from_int128(s), a, w);
  }
  double dot_fp32_int128(const Operand& a, const Operand& w) const {
    units::FloatAccumulator acc(acc32_);
    for (size_t c0 = 0; c0 < a.size(); c0 += lanes_) {
      __int128 s = 0;
      if (!sum_int128(a, w, c0, std::min(a.size(), c0 + lanes_), s)) return nar();
      acc.add(from_int128(s));
    }
    return output(acc32_.decode_exact(acc.code()).unrounded(), a, w);
  }

  formats::ElementFormat pick(const std::string& mode) const {
    if (mode == "fp4") return formats::ElementFormat::parse("float4_e2m1fn");
    if (mode == "posit4_1" || mode == "posit8_0" || mode == "posit16_1") return formats::ElementFormat::parse(mode);
    r_.fail(fmt::format("mode '{}' is not fp4, posit4_1, posit8_0 or posit16_1", mode));
  }
  Operand quantize(std::span<const float> x) const { return mode_ == "fp4" ? quantize_pow2(f_, x) : quantize_unscaled(f_, x); }

  ParamReader r_;
  std::string mode_;
  formats::ElementFormat f_, acc32_, out_;
  size_t lanes_;
  bool quire_, fast_;
  std::vector<formats::Decoded> decoded_;
  int lsb_, msb_;
};

}  // namespace

const PeInfo& rmmec_info() { return kInfo; }
std::unique_ptr<ProcessingElement> make_rmmec(const Params& p) { return std::make_unique<Rmmec>(p); }

}  // namespace arithsim::pe
