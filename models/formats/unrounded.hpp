// The unrounded internal form shared by every codec and arithmetic unit:
// value = (-1)^neg * sig * 2^(exp - 63), sig normalized (bit 63 set), plus a sticky bit
// for nonzero bits already below sig. Encoders round from this; exact products, scaled
// block elements and quire contents are all expressed in it.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace arithsim::formats {

struct Unrounded {
  enum class Kind : uint8_t { Finite, Zero, Inf, NaN };
  Kind kind = Kind::Zero;
  bool neg = false;
  bool sticky = false;
  int exp = 0;
  uint64_t sig = 0;

  bool finite() const { return kind == Kind::Finite; }

  static Unrounded zero(bool neg) { return {Kind::Zero, neg, false, 0, 0}; }
  static Unrounded inf(bool neg) { return {Kind::Inf, neg, false, 0, 0}; }
  static Unrounded nan(bool neg) { return {Kind::NaN, neg, false, 0, 0}; }
  // From an unsigned integer magnitude m * 2^e (m may be unnormalized).
  static Unrounded from_int(bool neg, uint64_t m, int e, bool sticky = false) {
    if (m == 0) return zero(neg);
    const int lz = std::countl_zero(m);
    return {Kind::Finite, neg, sticky, e + 63 - lz, m << lz};
  }

  // From a 128-bit magnitude m * 2^e; bits below the top 64 go to sticky.
  static Unrounded from_u128(bool neg, unsigned __int128 m, int e) {
    const uint64_t hi = uint64_t(m >> 64);
    if (hi == 0) return from_int(neg, uint64_t(m), e);
    const int lz = std::countl_zero(hi);
    const unsigned __int128 n = m << lz;
    return {Kind::Finite, neg, uint64_t(n) != 0, e + 127 - lz, uint64_t(n >> 64)};
  }

  static Unrounded from_double(double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    const bool neg = b >> 63;
    const int ef = static_cast<int>((b >> 52) & 0x7ff);
    const uint64_t f = b & ((uint64_t{1} << 52) - 1);
    if (ef == 0x7ff) return f ? nan(neg) : inf(neg);
    if (ef == 0) return from_int(neg, f, -1074);
    return {Kind::Finite, neg, false, ef - 1023, (f | (uint64_t{1} << 52)) << 11};
  }

  static Unrounded from_float(float x) {
    uint32_t b;
    std::memcpy(&b, &x, sizeof b);
    const bool neg = b >> 31;
    const int ef = static_cast<int>((b >> 23) & 0xff);
    const uint32_t f = b & 0x7fffff;
    if (ef == 0xff) return f ? nan(neg) : inf(neg);
    if (ef == 0) return from_int(neg, f, -149);
    return {Kind::Finite, neg, false, ef - 127, uint64_t(f | 0x800000u) << 40};
  }
};

// DAZ on input (RoundingOptions::daz_in): a finite nonzero value below the smallest normal
// float32, 2^-126, in magnitude (a binary32 subnormal, or a double that would be one).
inline bool below_float_normal(const Unrounded& u) { return u.finite() && u.exp < -126; }

// x / d for finite doubles as an Unrounded that every encoder rounds as it rounds the exact
// quotient, at every rounding boundary that is a double (the values, midpoints and overflow
// thresholds of every format of <= 53 significant bits, and the stochastic decision points
// k * 2^-r ulp while they fit in a double). q = RN(x / d); the exact residual
// fma(q, d, -x) = q*d - x says on which side of q the quotient lies, and no double lies
// strictly between them, so q nudged towards the quotient by less than a 64-bit ulp (with
// sticky) decides alike. Unlike from_double, sig is then not the top 64 bits of the quotient
// (docs/formats.md 6.6). Needs q to be zero or a normal double (the residual is exact then).
inline Unrounded quotient(double x, double d) {
  const double q = x / d;
  const Unrounded u = Unrounded::from_double(q);
  if (!u.finite()) return u;
  const double r = std::fma(q, d, -x);  // exact
  if (r == 0) return u;
  const bool away = (r > 0) == ((q < 0) == (d > 0));  // |x/d| > |q|: x/d - q = -r/d
  if (away) return {u.kind, u.neg, true, u.exp, u.sig};
  return Unrounded::from_int(u.neg, u.sig - 1, u.exp - 63, true);
}

// Splits sig into the part kept above bit `shift` and the left-aligned discarded fraction.
// shift may be 0..127+; bits lost below the 64-bit fraction go to sticky.
struct Split {
  uint64_t kept;
  uint64_t frac;
  bool sticky;
};
inline Split split_at(uint64_t sig, int shift, bool sticky) {
  if (shift <= 0) return {sig, 0, sticky};
  if (shift < 64) return {sig >> shift, sig << (64 - shift), sticky};
  if (shift == 64) return {0, sig, sticky};
  if (shift < 128) return {0, sig >> (shift - 64), sticky || (sig << (128 - shift)) != 0};
  return {0, 0, sticky || sig != 0};
}

}  // namespace arithsim::formats
