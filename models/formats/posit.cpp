#include "models/formats/posit.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {

void PositSpec::validate() const {
  if (n < 2 || n > 32) throw std::invalid_argument(fmt::format("posit width must be 2..32, got {}", n));
  if (es < 0 || es > 4) throw std::invalid_argument(fmt::format("posit es must be 0..4, got {}", es));
}

std::string PositSpec::to_string() const { return fmt::format("posit{}_{}", n, es); }

PositCodec::PositCodec(const PositSpec& s) : s_(s) {
  s_.validate();
  mask_ = s_.n == 32 ? 0xffffffffu : (1u << s_.n) - 1;
  nar_ = 1u << (s_.n - 1);
  if (s_.n <= 16) {
    table_.resize(size_t(1) << s_.n);
    for (uint32_t c = 0; c < table_.size(); ++c) table_[c] = decode(c);
  }
}

PositCodec::Fields PositCodec::fields(uint32_t code) const {
  code &= mask_;
  const bool neg = (code >> (s_.n - 1)) & 1;
  const uint32_t mag = neg ? (0u - code) & mask_ : code;
  // The n-1 bits after the sign, left-aligned in 64 bits.
  uint64_t x = uint64_t(mag) << (64 - (s_.n - 1));
  const int avail = s_.n - 1;
  const bool ones = x >> 63;
  int run = ones ? std::countl_one(x) : std::countl_zero(x);
  if (run > avail) run = avail;
  const int k = ones ? run - 1 : -run;
  const int used = run + 1;  // the run and its terminating bit (possibly cut off)
  int left = avail - used;
  if (left < 0) left = 0;
  x = used >= 64 ? 0 : x << used;
  // Exponent bits cut off by the end of the word count as zeros.
  const uint32_t e = s_.es == 0 ? 0 : uint32_t(x >> (64 - s_.es));
  x = s_.es == 0 ? x : x << s_.es;
  const int fb = left - s_.es > 0 ? left - s_.es : 0;
  const uint32_t f = fb == 0 ? 0 : uint32_t(x >> (64 - fb));
  return {neg, k * (1 << s_.es) + int(e), f, fb};
}

double PositCodec::decode(uint32_t code) const {
  code &= mask_;
  if (code == 0) return 0.0;
  if (code == nar_) return std::numeric_limits<double>::quiet_NaN();
  const Fields f = fields(code);
  const double v = std::ldexp(double((uint64_t(1) << f.frac_bits) | f.frac), f.scale - f.frac_bits);
  return f.neg ? -v : v;
}

uint32_t PositCodec::encode(const Unrounded& u, const RoundingOptions& o) const {
  switch (u.kind) {
    case Unrounded::Kind::NaN:
    case Unrounded::Kind::Inf: return nar_;
    case Unrounded::Kind::Zero: return 0;
    case Unrounded::Kind::Finite: break;
  }
  const int maxs = s_.max_scale();
  uint32_t kept;
  if (u.exp >= maxs) {
    kept = nar_ - 1;  // at or beyond maxpos: clamp, never NaR
  } else if (u.exp < -maxs) {
    kept = 1;  // below minpos: clamp, never zero
  } else {
    const int k = u.exp >> s_.es;  // floor division
    const uint32_t e = uint32_t(u.exp - (k << s_.es));
    // Regime: k+1 ones and a zero, or -k zeros and a one.
    unsigned __int128 pat;
    int len;
    if (k >= 0) {
      pat = ((unsigned __int128)1 << (k + 1)) - 1;
      pat <<= 1;
      len = k + 2;
    } else {
      pat = 1;
      len = -k + 1;
    }
    pat = (pat << s_.es) | e;
    pat = (pat << 63) | (u.sig & ~(uint64_t(1) << 63));  // the 63 bits below the hidden one
    len += s_.es + 63;
    const int shift = len - (s_.n - 1);  // > 0: len >= 65 > n - 1
    const unsigned __int128 keep = pat >> shift;
    const unsigned __int128 rem = pat & ((((unsigned __int128)1) << shift) - 1);
    uint64_t frac;
    bool sticky = u.sticky;
    if (shift <= 64) {
      frac = uint64_t(rem) << (64 - shift);
    } else {
      frac = uint64_t(rem >> (shift - 64));
      sticky = sticky || (rem & ((((unsigned __int128)1) << (shift - 64)) - 1)) != 0;
    }
    uint64_t k2 = uint64_t(keep) + (round_up(o, u.neg, keep & 1, frac, sticky) ? 1 : 0);
    if (k2 >= nar_) k2 = nar_ - 1;
    if (k2 == 0) k2 = 1;
    kept = uint32_t(k2);
  }
  return u.neg ? (0u - kept) & mask_ : kept;
}

}  // namespace arithsim::formats
