#include <arithsim/models/formats/minifloat.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {

std::string_view to_string(FloatConvention c) {
  switch (c) {
    case FloatConvention::IEEE: return "ieee";
    case FloatConvention::FN: return "fn";
    case FloatConvention::Finite: return "finite";
    case FloatConvention::FNUZ: return "fnuz";
    case FloatConvention::UE: return "ue";
  }
  return "?";
}

void MinifloatSpec::validate() const {
  if (e < 1 || e > 8) throw std::invalid_argument(fmt::format("exponent bits must be 1..8, got {}", e));
  if (m < 0 || m > 23) throw std::invalid_argument(fmt::format("mantissa bits must be 0..23, got {}", m));
  if (bias < -300 || bias > 300) throw std::invalid_argument(fmt::format("bias {} out of range -300..300", bias));
  if (conv == FloatConvention::IEEE && m < 1)
    throw std::invalid_argument("ieee convention needs at least 1 mantissa bit (NaN != inf)");
  if (conv == FloatConvention::UE && m != 0)
    throw std::invalid_argument("ue (unsigned exponent-only) convention needs 0 mantissa bits");
  if (conv == FloatConvention::FN && e + m < 1)
    throw std::invalid_argument("fn convention needs at least 1 magnitude bit");
  if (ue_clamp && conv != FloatConvention::UE)
    throw std::invalid_argument("clamp applies only to the ue convention (e8m0:ue:clamp)");
}

void MinifloatSpec::check(const RoundingOptions& o) const {
  formats::validate(o);
  if (o.overflow == Overflow::Infinity && !has_inf())
    throw std::invalid_argument(fmt::format("overflow=inf: format {} has no infinity", to_string()));
  if (o.overflow == Overflow::NaN && !has_nan())
    throw std::invalid_argument(fmt::format("overflow=nan: format {} has no NaN", to_string()));
}

std::string MinifloatSpec::to_string() const {
  return fmt::format("e{}m{}:bias={}:{}{}", e, m, bias, formats::to_string(conv), ue_clamp ? ":clamp" : "");
}

MinifloatCodec::MinifloatCodec(const MinifloatSpec& spec) : s_(spec) {
  s_.validate();
  const int magbits = s_.e + s_.m;
  sign_bit_ = s_.has_sign() ? (1u << magbits) : 0u;
  const uint32_t all_ones = (1u << magbits) - 1;
  // ml_dtypes UE rounds below 2^(1-bias) as if code 0 were a subnormal zero (field 0), so
  // only the clamped variant starts its normal range at field 0.
  emin_field_ = s_.conv == FloatConvention::UE && s_.ue_clamp ? 0 : 1;
  emin_ = emin_field_ - s_.bias;
  inf_mag_ = ((1u << s_.e) - 1) << s_.m;
  switch (s_.conv) {
    case FloatConvention::IEEE: max_mag_ = inf_mag_ - 1; nan_mag_ = inf_mag_ | (1u << (s_.m - 1)); break;
    case FloatConvention::FN: max_mag_ = all_ones - 1; nan_mag_ = all_ones; break;
    case FloatConvention::Finite: max_mag_ = all_ones; nan_mag_ = 0; break;
    case FloatConvention::FNUZ: max_mag_ = all_ones; nan_mag_ = sign_bit_; break;
    case FloatConvention::UE: max_mag_ = all_ones - 1; nan_mag_ = all_ones; break;
  }
  std::vector<double> table;
  std::vector<float> table_f32;
  if (bits() <= 16) {
    const uint32_t n = 1u << bits();
    table.resize(n);
    bool fits = true;
    for (uint32_t c = 0; c < n; ++c) {
      table[c] = decode(c);
      const double a = std::fabs(table[c]);
      if (std::isfinite(a) && (a > std::numeric_limits<float>::max() ||
                               (a != 0 && a < std::numeric_limits<float>::denorm_min())))
        fits = false;
    }
    if (fits) table_f32.assign(table.begin(), table.end());
    // A value needing more than float's 24-bit precision cannot be in the float table.
    if (fits && s_.m > 23) table_f32.clear();
  }
  table_ = std::make_shared<const std::vector<double>>(std::move(table));
  table_f32_ = std::make_shared<const std::vector<float>>(std::move(table_f32));
}

uint32_t MinifloatCodec::nan_code(bool neg) const {
  switch (s_.conv) {
    case FloatConvention::IEEE:
    case FloatConvention::FN: return (neg ? sign_bit_ : 0) | nan_mag_;
    // No NaN: ml_dtypes returns quiet_NaN() == -0, negated for a negative NaN.
    case FloatConvention::Finite: return neg ? 0u : sign_bit_;
    case FloatConvention::FNUZ:
    case FloatConvention::UE: return nan_mag_;
  }
  return 0;
}

bool MinifloatCodec::is_nan(uint32_t code) const {
  const uint32_t mag = code & (sign_bit_ ? sign_bit_ - 1 : 0xffffffffu);
  switch (s_.conv) {
    case FloatConvention::IEEE: return (mag & inf_mag_) == inf_mag_ && mag != inf_mag_;
    case FloatConvention::FN: return mag == nan_mag_;
    case FloatConvention::Finite: return false;
    case FloatConvention::FNUZ: return code == sign_bit_;
    case FloatConvention::UE: return code == nan_mag_;
  }
  return false;
}

bool MinifloatCodec::is_inf(uint32_t code) const {
  return s_.has_inf() && (code & ~sign_bit_) == inf_mag_;
}

double MinifloatCodec::decode(uint32_t code, bool daz) const {
  if (is_nan(code)) return std::numeric_limits<double>::quiet_NaN();
  if (s_.conv == FloatConvention::UE) return std::ldexp(1.0, int(code) - s_.bias);
  const bool neg = code & sign_bit_;
  const uint32_t mag = code & (sign_bit_ - 1);
  if (is_inf(code)) return neg ? -HUGE_VAL : HUGE_VAL;
  const uint32_t ef = mag >> s_.m;
  const uint32_t mant = mag & ((1u << s_.m) - 1);
  double v;
  if (ef == 0)
    v = daz ? 0.0 : std::ldexp(double(mant), emin_ - s_.m);
  else
    v = std::ldexp(double(mant | (1u << s_.m)), int(ef) - s_.bias - s_.m);
  return neg ? -v : v;
}

uint32_t MinifloatCodec::native_overflow(bool neg) const {
  const uint32_t sgn = neg ? sign_bit_ : 0;
  switch (s_.conv) {
    case FloatConvention::IEEE: return sgn | inf_mag_;
    case FloatConvention::FN: return sgn | nan_mag_;
    case FloatConvention::Finite: return sgn | max_mag_;
    case FloatConvention::FNUZ:
    case FloatConvention::UE: return nan_mag_;
  }
  return 0;
}

uint32_t MinifloatCodec::overflow_code(bool neg, const RoundingOptions& o) const {
  const uint32_t sgn = neg ? sign_bit_ : 0;
  // The mode decides whether the value overflows at all (IEEE 754 7.4); the policy decides
  // what an overflow becomes.
  if (rounds_magnitude_down(o.mode, neg)) return sgn | max_mag_;
  switch (o.overflow) {
    case Overflow::Saturate: return sgn | max_mag_;
    case Overflow::Infinity: return s_.has_inf() ? sgn | inf_mag_ : native_overflow(neg);
    case Overflow::NaN: return s_.has_nan() ? nan_code(neg) : sgn | max_mag_;
    case Overflow::Default: break;
  }
  return native_overflow(neg);
}

}  // namespace arithsim::formats
