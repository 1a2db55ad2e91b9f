// Minifloats ExMy: one parameter set (exponent bits, mantissa bits, bias, special-value
// convention) and one generic codec over it, as in ml_dtypes' traits-driven conversion.
#pragma once

#include <cstdint>
#include <string>
#include <memory>
#include <vector>

#include <arithsim/models/formats/rounding.hpp>
#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::formats {

// Special-value conventions (names follow LLVM/ml_dtypes suffixes).
enum class FloatConvention {
  IEEE,     // inf at exponent all-ones with zero mantissa, NaNs at the rest of it
  FN,       // finite + NaN: no inf, NaN only at all-ones magnitude (float8_e4m3fn)
  Finite,   // no inf, no NaN: every code is a number (float4_e2m1fn, float6_*)
  FNUZ,     // no inf, no -0: the single NaN is 1000...0 (float8_e4m3fnuz)
  UE,       // unsigned, exponent-only (M = 0), no zero, NaN at all-ones (float8_e8m0fnu)
};

// How a UE format (E8M0) encodes: by default as ml_dtypes 0.6 converts to float8_e8m0fnu
// (its generic ConvertImpl: 0 and negatives are NaN, values below 2^(1-bias) round on the
// grid {0, 2^(1-bias)} as if code 0 were a subnormal zero, and then code 0 stands for
// 2^-bias); `clamp` rounds to the nearest power of two by value and maps 0 and everything
// below 2^-bias to code 0 in every mode (arithsim's behaviour before ml_dtypes was matched).

struct MinifloatSpec {
  int e = 4;
  int m = 3;
  int bias = 7;
  FloatConvention conv = FloatConvention::FN;
  bool ue_clamp = false;  // UE only: the `clamp` variant (see above); false: ml_dtypes

  static int default_bias(int e) { return (1 << (e - 1)) - 1; }
  // Throws std::invalid_argument naming the problem (1<=E<=8, 0<=M<=23, convention needs).
  void validate() const;
  // Throws when the options ask for something this format lacks (overflow=inf without inf).
  void check(const RoundingOptions& o) const;
  int bits() const { return (conv == FloatConvention::UE ? 0 : 1) + e + m; }
  bool has_sign() const { return conv != FloatConvention::UE; }
  bool has_inf() const { return conv == FloatConvention::IEEE; }
  bool has_nan() const { return conv != FloatConvention::Finite; }
  bool has_neg_zero() const { return conv == FloatConvention::IEEE || conv == FloatConvention::FN ||
                                     conv == FloatConvention::Finite; }
  std::string to_string() const;  // canonical generic spelling, e.g. "e4m3:bias=7:fn", "e8m0:bias=127:ue:clamp"
  bool operator==(const MinifloatSpec&) const = default;
};

std::string_view to_string(FloatConvention c);

class MinifloatCodec {
 public:
  explicit MinifloatCodec(const MinifloatSpec& spec);

  const MinifloatSpec& spec() const { return s_; }
  int bits() const { return s_.bits(); }
  uint32_t sign_bit() const { return sign_bit_; }
  uint32_t max_code() const { return max_mag_; }               // largest finite, positive
  uint32_t min_normal_code() const { return conv_ue() ? 0u : (1u << s_.m); }
  uint32_t nan_code(bool neg) const;                           // code produced for NaN input
  uint32_t inf_code(bool neg) const { return (neg ? sign_bit_ : 0) | inf_mag_; }  // IEEE only

  bool is_nan(uint32_t code) const;
  bool is_inf(uint32_t code) const;

  // Exact decode (every value of every spec is a double).
  double decode(uint32_t code, bool daz = false) const;

  uint32_t encode(double x, const RoundingOptions& o = {}) const {
    return encode(Unrounded::from_double(x), o);
  }
  uint32_t encode(float x, const RoundingOptions& o = {}) const {
    return encode(Unrounded::from_float(x), o);
  }

  // The one rounding routine: every other encode path ends here.
  uint32_t encode(const Unrounded& u, const RoundingOptions& o) const {
    // DAZ on input: the value is a zero of its sign, which then follows the -0 rules.
    if (o.daz_in && below_float_normal(u)) return encode(Unrounded::zero(u.neg), o);
    const uint32_t sgn = (u.neg && s_.has_sign()) ? sign_bit_ : 0;
    switch (u.kind) {
      case Unrounded::Kind::NaN:
        return nan_code(u.neg);
      case Unrounded::Kind::Inf:
        if (conv_ue() && u.neg) return nan_mag_;
        if (o.overflow == Overflow::Saturate)
          return o.saturate_inf ? sgn | max_mag_ : native_overflow(u.neg);
        return s_.has_inf() ? sgn | inf_mag_ : overflow_code(u.neg, o);
      case Unrounded::Kind::Zero:
        if (conv_ue()) return s_.ue_clamp ? (u.neg ? nan_mag_ : 0u) : ue_unrepresentable(o);
        return s_.conv == FloatConvention::FNUZ ? 0u : sgn;
      case Unrounded::Kind::Finite:
        break;
    }
    if (conv_ue() && u.neg) return s_.ue_clamp ? nan_mag_ : ue_unrepresentable(o);
    int64_t mag;
    Split sp;
    if (u.exp >= emin_) {
      sp = split_at(u.sig, 63 - s_.m, u.sticky);
      // Biased exponent field of emin is 1 (0 for clamped UE, which has no subnormals).
      mag = (int64_t(u.exp - emin_ + emin_field_ - 1) << s_.m) + int64_t(sp.kept);
    } else {
      if (emin_field_ == 0) return 0u;  // clamped UE below 2^-bias: the smallest code
      // Subnormal. For ml_dtypes UE (m = 0) this rounds on {0, 2^emin}; code 0 is 2^-bias.
      sp = split_at(u.sig, 63 - s_.m + (emin_ - u.exp), u.sticky);
      mag = int64_t(sp.kept);
    }
    mag += round_up(o, u.neg, sp.kept & 1, sp.frac, sp.sticky) ? 1 : 0;
    if (mag > int64_t(max_mag_)) return overflow_code(u.neg, o);
    if (o.ftz && mag != 0 && mag < (int64_t(1) << s_.m) && !conv_ue()) mag = 0;
    if (mag == 0 && s_.conv == FloatConvention::FNUZ) return 0u;
    return sgn | uint32_t(mag);
  }

  // Decode table for formats of <= 16 bits (built once); empty otherwise.
  const std::vector<double>& table() const { return *table_; }
  // Float table for <= 16-bit formats whose values all fit in float32; empty otherwise.
  const std::vector<float>& table_f32() const { return *table_f32_; }

 private:
  bool conv_ue() const { return s_.conv == FloatConvention::UE; }
  // ml_dtypes UE: zero and negative inputs have no code; NaN, or the smallest code 0x00
  // under saturation (ml_dtypes' kSaturate gives denorm_min() = lowest() = code 0).
  uint32_t ue_unrepresentable(const RoundingOptions& o) const {
    return o.overflow == Overflow::Saturate ? 0u : nan_mag_;
  }
  // What an overflowing (or infinite, when the format has no inf) value becomes.
  uint32_t overflow_code(bool neg, const RoundingOptions& o) const;
  // The format's own overflow result: inf, its NaN, or max where it has neither.
  uint32_t native_overflow(bool neg) const;

  MinifloatSpec s_;
  int emin_;        // unbiased exponent of the smallest normal
  int emin_field_;  // its exponent field (1, or 0 for clamped UE)
  uint32_t sign_bit_, max_mag_, inf_mag_, nan_mag_;
  // Shared, immutable once built: copying a codec (formats are values) copies no table.
  std::shared_ptr<const std::vector<double>> table_;
  std::shared_ptr<const std::vector<float>> table_f32_;
};

}  // namespace arithsim::formats
