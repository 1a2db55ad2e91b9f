// Rounding modes, overflow policies and the one rounding decision every codec shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arithsim::formats {

enum class Rounding { NearestEven, TowardZero, Up, Down, NearestAway, Stochastic };
enum class Overflow { Default, Saturate, Infinity, NaN };

std::string_view to_string(Rounding r);
std::string_view to_string(Overflow o);
std::optional<Rounding> parse_rounding(std::string_view s);  // rne|rtz|up|down|away|stochastic
std::optional<Overflow> parse_overflow(std::string_view s);  // default|saturate|inf|nan

// Seedable random source for stochastic rounding (xoshiro256**, seeded by splitmix64).
// Hardware SR adds a few random bits to the discarded fraction; this is that source.
class RandomBits {
 public:
  explicit RandomBits(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

struct RoundingOptions {
  Rounding mode = Rounding::NearestEven;
  Overflow overflow = Overflow::Default;
  bool ftz = false;           // flush results that round to a subnormal to (signed) zero
  bool daz = false;           // treat subnormal codes as zero when decoding
  bool daz_in = false;        // encode: treat inputs below 2^-126 (float32 subnormals) as zero
  bool saturate_inf = true;   // under Overflow::Saturate, +-inf inputs become +-max (OCP OFP8 rule)
  int sr_bits = 16;           // random bits added by stochastic rounding (1..63)
  RandomBits* rng = nullptr;  // required when mode == Stochastic
};

// Throws std::invalid_argument when the options are inconsistent (e.g. SR without a source).
void validate(const RoundingOptions& o);
// validate(o), and refuses overflow=inf/nan for a format (named `format`) that has neither
// infinity nor NaN to overflow to (posits, integers, MX/group scales).
void check_finite_overflow(const RoundingOptions& o, std::string_view format);

// The rounding decision. `kept_odd` is the LSB of the kept magnitude; `frac` holds the
// discarded bits left-aligned (bit 63 = one half ulp); `sticky` is set when nonzero bits
// were lost below `frac`. Returns whether the kept magnitude is incremented by one ulp.
inline bool round_up(const RoundingOptions& o, bool negative, bool kept_odd, uint64_t frac,
                     bool sticky) {
  constexpr uint64_t kHalf = uint64_t{1} << 63;
  switch (o.mode) {
    case Rounding::NearestEven:
      return frac > kHalf || (frac == kHalf && (sticky || kept_odd));
    case Rounding::NearestAway:
      return frac >= kHalf;
    case Rounding::TowardZero:
      return false;
    case Rounding::Up:
      return !negative && (frac != 0 || sticky);
    case Rounding::Down:
      return negative && (frac != 0 || sticky);
    case Rounding::Stochastic: {
      // Hardware SR: the top sr_bits of the discarded fraction plus sr_bits random bits;
      // a carry out rounds up. Bits below the top sr_bits are ignored, as in hardware.
      const int r = o.sr_bits;
      const uint64_t top = frac >> (64 - r);
      const uint64_t rnd = o.rng->next() >> (64 - r);
      return ((top + rnd) >> r) != 0;
    }
  }
  return false;
}

// True when the mode rounds the magnitude of a value of this sign toward zero (IEEE 754
// 7.4: such overflows give the largest finite number instead of infinity).
inline bool rounds_magnitude_down(Rounding m, bool negative) {
  return m == Rounding::TowardZero || (m == Rounding::Up && negative) ||
         (m == Rounding::Down && !negative);
}

}  // namespace arithsim::formats
