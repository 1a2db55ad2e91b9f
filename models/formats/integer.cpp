#include <arithsim/models/formats/integer.hpp>

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {

void IntSpec::validate() const {
  if (bits < 1 || bits > 32)
    throw std::invalid_argument(fmt::format("{} integer width must be 1..32 bits, got {}",
                                            is_signed ? "signed" : "unsigned", bits));
  if (frac_bits < -64 || frac_bits > 64)
    throw std::invalid_argument(fmt::format("fraction bits must be -64..64, got {}", frac_bits));
  if (symmetric && !is_signed) throw std::invalid_argument("symmetric range needs a signed integer");
  if (symmetric && !saturate) throw std::invalid_argument("symmetric range needs saturation, not wrap");
  if (symmetric && bits < 2) throw std::invalid_argument("symmetric range needs at least 2 bits (int1 is {-1, 0})");
}

std::string IntSpec::to_string() const {
  std::string s = fmt::format("{}int{}", is_signed ? "" : "u", bits);
  if (frac_bits) s += fmt::format(":frac={}", frac_bits);
  if (!saturate) s += ":wrap";
  if (symmetric) s += ":sym";
  return s;
}

IntCodec::IntCodec(const IntSpec& s) : s_(s) {
  s_.validate();
  mask_ = s_.bits == 32 ? 0xffffffffu : (1u << s_.bits) - 1;
}

int64_t IntCodec::to_int(uint32_t code) const {
  code &= mask_;
  if (s_.is_signed && (code >> (s_.bits - 1)) & 1) return int64_t(code) - (int64_t(1) << s_.bits);
  return int64_t(code);
}

double IntCodec::decode(uint32_t code) const { return std::ldexp(double(to_int(code)), -s_.frac_bits); }

uint32_t IntCodec::encode(const Unrounded& u, const RoundingOptions& o) const {
  if (o.daz_in && below_float_normal(u)) return 0;  // DAZ on input: zero
  const int64_t lo = s_.min_int(), hi = s_.max_int();
  switch (u.kind) {
    case Unrounded::Kind::NaN:
    case Unrounded::Kind::Zero: return 0;
    case Unrounded::Kind::Inf: return uint32_t((u.neg ? lo : hi)) & mask_;
    case Unrounded::Kind::Finite: break;
  }
  const int exp = u.exp + s_.frac_bits;  // exponent of the value in integer units
  const int sh = 63 - exp;               // fraction bits inside sig
  uint64_t mag;
  bool huge = false;                     // |value| >= 2^63: beyond every range
  if (sh <= 0) {
    huge = true;
    // Only the low bits survive wrapping; a shift of 64 or more leaves none.
    mag = -sh >= 64 ? 0 : u.sig << -sh;
  } else {
    const Split sp = split_at(u.sig, sh, u.sticky);
    mag = sp.kept + (round_up(o, u.neg, sp.kept & 1, sp.frac, sp.sticky) ? 1 : 0);
    huge = mag >> 63;
  }
  if (s_.saturate) {
    if (huge) return uint32_t(u.neg ? lo : hi) & mask_;
    const int64_t v = u.neg ? -int64_t(mag) : int64_t(mag);
    return uint32_t(v < lo ? lo : v > hi ? hi : v) & mask_;
  }
  const uint64_t v = u.neg ? uint64_t(0) - mag : mag;  // two's complement modulo 2^64
  return uint32_t(v) & mask_;
}

void BipolarSpec::validate() const {
  if (bits < 1 || bits > 32)
    throw std::invalid_argument(fmt::format("bipolar width must be 1..32 bits, got {}", bits));
}

std::string BipolarSpec::to_string() const { return fmt::format("bipolar{}", bits); }

BipolarCodec::BipolarCodec(const BipolarSpec& s) : s_(s) {
  s_.validate();
  levels_ = uint64_t(1) << s_.bits;
}

uint32_t BipolarCodec::encode(const Unrounded& u, const RoundingOptions& o) const {
  // DAZ on input: the value is a zero of its sign (+1, or -1 under `down`).
  if (o.daz_in && below_float_normal(u)) return encode(Unrounded::zero(u.neg), o);
  const uint64_t top = levels_ - 1;
  const uint64_t plus_one = levels_ / 2;  // code of level +1
  if (u.kind == Unrounded::Kind::NaN) return uint32_t(plus_one);
  if (u.kind == Unrounded::Kind::Inf) return uint32_t(u.neg ? 0 : top);
  double x = 0.0;
  if (u.kind == Unrounded::Kind::Finite) x = std::ldexp(double(u.sig), u.exp - 63) * (u.neg ? -1 : 1);
  auto level = [&](uint64_t c) { return decode(uint32_t(c)); };
  if (x <= level(0)) return 0;
  if (x >= level(top)) return uint32_t(top);
  // Bracket x between two adjacent levels by exact double comparisons (levels are
  // integers below 2^33, so every comparison is exact).
  double guess = std::floor((x + double(top)) / 2);
  uint64_t c = guess < 0 ? 0 : guess > double(top - 1) ? top - 1 : uint64_t(guess);
  while (c > 0 && x < level(c)) --c;
  while (c + 1 < top && x >= level(c + 1)) ++c;
  const uint64_t lo = c, hi = c + 1;
  if (x == level(lo)) return uint32_t(lo);
  const double mid = level(lo) + 1.0;  // midpoint between adjacent odd levels: an even integer
  const bool neg = x < 0;
  switch (o.mode) {
    case Rounding::TowardZero:
      if (level(lo) >= 0) return uint32_t(lo);
      if (level(hi) <= 0) return uint32_t(hi);
      return uint32_t(neg ? lo : hi);
    case Rounding::Up: return uint32_t(hi);
    case Rounding::Down: return uint32_t(lo);
    case Rounding::Stochastic: {
      const long double f = (static_cast<long double>(x) - level(lo)) / 2.0L;  // in (0,1)
      const uint64_t frac = uint64_t(std::ldexp(f, 64) >= 0x1p64L ? ~uint64_t(0) : std::ldexp(f, 64));
      return uint32_t(round_up(o, neg, lo & 1, frac, false) ? hi : lo);
    }
    case Rounding::NearestEven:
    case Rounding::NearestAway:
      break;
  }
  if (x < mid) return uint32_t(lo);
  if (x > mid) return uint32_t(hi);
  if (mid == 0) return uint32_t(plus_one);  // zero maps to +1: the sign() convention of BNNs
  if (o.mode == Rounding::NearestAway) return uint32_t(mid > 0 ? hi : lo);
  return uint32_t((lo & 1) == 0 ? lo : hi);
}

}  // namespace arithsim::formats
