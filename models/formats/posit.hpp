// Posits posit(n, es), 2 <= n <= 32, 0 <= es <= 4, per the 2022 posit standard with es as
// a parameter: NaR at 100...0, rounding on the encoding (ties to an even pattern), and no
// rounding to zero or NaR: magnitudes clamp to [minpos, maxpos].
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include <arithsim/models/formats/rounding.hpp>
#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::formats {

struct PositSpec {
  int n = 8;
  int es = 0;
  void validate() const;
  int max_scale() const { return (n - 2) << es; }  // maxpos = 2^max_scale
  std::string to_string() const;
  bool operator==(const PositSpec&) const = default;
};

class PositCodec {
 public:
  explicit PositCodec(const PositSpec& s);
  const PositSpec& spec() const { return s_; }
  int bits() const { return s_.n; }
  uint32_t nar() const { return nar_; }
  uint32_t maxpos() const { return nar_ - 1; }

  // Fields of a code: sign, scale (k*2^es + e), fraction bits and their count.
  struct Fields {
    bool neg;
    int scale;
    uint32_t frac;
    int frac_bits;
  };
  Fields fields(uint32_t code) const;  // code must be neither 0 nor NaR
  double decode(uint32_t code) const;  // exact

  // Rounds on the encoding: the regime, exponent and fraction bits are laid out as one
  // bit string and rounded once to n-1 bits after the sign.
  uint32_t encode(const Unrounded& u, const RoundingOptions& o = {}) const {
    if (o.daz_in && below_float_normal(u)) return 0;  // DAZ on input: zero
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
      const uint64_t e = uint64_t(u.exp - (k << s_.es));
      // Regime: k+1 ones and a zero, or -k zeros and a one; then es exponent bits.
      const uint64_t regime = k >= 0 ? ((uint64_t(1) << (k + 1)) - 1) << 1 : 1;
      const int len = (k >= 0 ? k + 2 : 1 - k) + s_.es;  // <= 35
      const uint64_t head = (regime << s_.es) | e;
      const uint64_t frac = u.sig << 1;  // the fraction bits below the hidden one
      const uint64_t pat = (head << (64 - len)) | (frac >> len);
      const bool sticky = u.sticky || (frac << (64 - len)) != 0;
      const int keep = s_.n - 1;
      const uint64_t k0 = pat >> (64 - keep);
      uint64_t k1 = k0 + (round_up(o, u.neg, k0 & 1, pat << keep, sticky) ? 1 : 0);
      if (k1 >= nar_) k1 = nar_ - 1;
      if (k1 == 0) k1 = 1;
      kept = uint32_t(k1);
    }
    return u.neg ? (0u - kept) & mask_ : kept;
  }
  uint32_t encode(double x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_double(x), o); }
  uint32_t encode(float x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_float(x), o); }

  // The same encoding for float input and round-to-nearest-even, with the regime and
  // exponent head of every scale precomputed (the hot loop of bulk encodes).
  uint32_t encode_f32_rne(float x) const {
    const uint32_t b = std::bit_cast<uint32_t>(x);
    const int ef = int((b >> 23) & 0xff);
    if (ef == 0 || ef == 0xff) return encode(Unrounded::from_float(x));
    const bool neg = b >> 31;
    const int e = ef - 127;
    uint32_t kept;
    if (e >= s_.max_scale()) {
      kept = nar_ - 1;
    } else if (e < -s_.max_scale()) {
      kept = 1;
    } else {
      const size_t i = size_t(e + s_.max_scale());
      // Head left-aligned, then the 23 fraction bits; nothing falls off (head <= 35 bits).
      const uint64_t pat = heads_[i] | ((uint64_t(b & 0x7fffff) << 41) >> head_len_[i]);
      const int keep = s_.n - 1;
      const uint64_t k0 = pat >> (64 - keep), rem = pat << keep;
      constexpr uint64_t half = uint64_t(1) << 63;
      uint64_t k1 = k0 + ((rem > half || (rem == half && (k0 & 1))) ? 1 : 0);
      if (k1 >= nar_) k1 = nar_ - 1;
      kept = uint32_t(k1);
    }
    return neg ? (0u - kept) & mask_ : kept;
  }

  const std::vector<double>& table() const { return table_; }  // n <= 16

 private:
  PositSpec s_;
  uint32_t mask_, nar_;
  std::vector<double> table_;
  std::vector<uint64_t> heads_;     // per scale in [-maxscale, maxscale): regime|exponent, left-aligned
  std::vector<uint8_t> head_len_;
};

}  // namespace arithsim::formats
