// Independent reference model of the arithsim number formats, for tests.
//
// Deliberately NOT a bit-manipulating codec: every value is derived from the
// format definition with integer math (std::ldexp of an integer significand),
// and encoding is a nearest-value search over a sorted table of every finite
// value of the format, with the tie and overflow rules spelled out
// explicitly.  All comparisons are exact comparisons of doubles: every code
// value, and every midpoint between adjacent values, of the supported formats
// is exactly representable in a double (checked when a table is built).
//
// Minifloats are limited to <= 16 bits (the table holds every code).
// Posits are decoded for 2 <= n <= 33 and encoded for 2 <= n <= 32, 0 <= es <= 4;
// encode binary-searches the (monotone) positive code space, using a cached
// table for n <= 16.
// Integers ([u]intN, fixed point k * 2^-F, 1 <= N <= 16) are decoded from the two's
// complement definition and encoded by a search over the sorted values (saturating) or by
// rounding between the two neighbouring integers and reducing modulo 2^N (wrapping).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace arithsim::ref {

// E8M0: float8_e8m0fnu as ml_dtypes 0.6 converts to it; E8M0_CLAMP: arithsim's `e8m0:ue:clamp`.
enum class Conv { IEEE, FN, FN_NONAN, FNUZ, E8M0, E8M0_CLAMP };
struct Minifloat {
  int e;
  int m;
  int bias;
  Conv conv;
};
// UP = toward +inf, DOWN = toward -inf, AWAY = nearest, ties away from zero.
enum class Mode { RNE, RTZ, UP, DOWN, AWAY };
enum class Ovf { DEFAULT, SATURATE, INF, NAN_ };

// Named formats (for convenience in tests).
inline constexpr Minifloat float8_e4m3fn{4, 3, 7, Conv::FN};
inline constexpr Minifloat float8_e5m2{5, 2, 15, Conv::IEEE};
inline constexpr Minifloat float8_e4m3fnuz{4, 3, 8, Conv::FNUZ};
inline constexpr Minifloat float8_e5m2fnuz{5, 2, 16, Conv::FNUZ};
inline constexpr Minifloat float8_e4m3b11fnuz{4, 3, 11, Conv::FNUZ};
inline constexpr Minifloat float8_e3m4{3, 4, 3, Conv::IEEE};
inline constexpr Minifloat float8_e4m3{4, 3, 7, Conv::IEEE};
inline constexpr Minifloat float8_e8m0fnu{8, 0, 127, Conv::E8M0};
inline constexpr Minifloat e8m0_clamp{8, 0, 127, Conv::E8M0_CLAMP};
inline constexpr Minifloat float6_e2m3fn{2, 3, 1, Conv::FN_NONAN};
inline constexpr Minifloat float6_e3m2fn{3, 2, 3, Conv::FN_NONAN};
inline constexpr Minifloat float4_e2m1fn{2, 1, 1, Conv::FN_NONAN};
inline constexpr Minifloat float16{5, 10, 15, Conv::IEEE};
inline constexpr Minifloat bfloat16{8, 7, 127, Conv::IEEE};

namespace detail {

[[noreturn]] inline void fail(const std::string& what) {
  throw std::invalid_argument("arithsim::ref: " + what);
}

inline double qnan(bool neg) {
  const double q = std::numeric_limits<double>::quiet_NaN();
  return neg ? -q : q;
}

inline bool is_e8m0(const Minifloat& f) { return f.conv == Conv::E8M0 || f.conv == Conv::E8M0_CLAMP; }

inline void validate(const Minifloat& f) {
  if (is_e8m0(f)) {
    if (f.e != 8 || f.m != 0 || f.bias != 127) fail("E8M0 must be {8,0,127}");
    return;
  }
  if (f.e < 1 || f.m < 0 || 1 + f.e + f.m > 32) fail("bad minifloat shape");
  if (f.conv == Conv::IEEE && f.m < 1) fail("IEEE minifloat needs m >= 1");
}

inline uint32_t sign_bit(const Minifloat& f) { return 1u << (f.e + f.m); }
inline uint32_t mag_mask(const Minifloat& f) { return sign_bit(f) - 1u; }
inline uint32_t exp_field_max(const Minifloat& f) { return (1u << f.e) - 1u; }

}  // namespace detail

inline int bits(const Minifloat& f) {
  detail::validate(f);
  return detail::is_e8m0(f) ? 8 : 1 + f.e + f.m;
}

inline bool is_nan_code(const Minifloat& f, uint32_t code) {
  const int n = bits(f);
  if (n < 32 && code >> n) detail::fail("code out of range");
  if (detail::is_e8m0(f)) return code == 0xFF;
  const uint32_t mag = code & detail::mag_mask(f);
  switch (f.conv) {
    case Conv::IEEE:
      return (mag >> f.m) == detail::exp_field_max(f) && (mag & ((1u << f.m) - 1u)) != 0;
    case Conv::FN:
      return mag == detail::mag_mask(f);
    case Conv::FN_NONAN:
      return false;
    case Conv::FNUZ:
      return code == detail::sign_bit(f);
    default:
      return false;
  }
}

// Exact value straight from the definition:
//   subnormal (exp field 0): mant * 2^(1 - bias - m)
//   normal:                  (2^m + mant) * 2^(exp - bias - m)
inline double decode(const Minifloat& f, uint32_t code) {
  const int n = bits(f);
  if (n < 32 && code >> n) detail::fail("code out of range");
  if (detail::is_e8m0(f)) {
    if (code == 0xFF) return detail::qnan(false);
    return std::ldexp(1.0, static_cast<int>(code) - 127);  // no zero, no subnormal
  }
  const bool neg = (code & detail::sign_bit(f)) != 0;
  if (is_nan_code(f, code)) return detail::qnan(neg);
  const uint32_t mag = code & detail::mag_mask(f);
  const uint32_t expf = mag >> f.m;
  const uint32_t mant = mag & ((1u << f.m) - 1u);
  if (f.conv == Conv::IEEE && expf == detail::exp_field_max(f))  // mant == 0 here
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  double v;
  if (expf == 0)
    v = std::ldexp(static_cast<double>(mant), 1 - f.bias - f.m);
  else
    v = std::ldexp(static_cast<double>((uint64_t{1} << f.m) + mant),
                   static_cast<int>(expf) - f.bias - f.m);
  return neg ? -v : v;
}

namespace detail {

// Sorted table of every finite value of a minifloat (<= 16 bits), with the
// code of each value and the exact midpoint to the next value.  +0 and -0 are
// merged into one entry (value 0); the zero's sign is applied by encode.
struct MfTable {
  std::vector<double> vals;     // strictly increasing
  std::vector<uint32_t> codes;  // code of vals[i] (zero entry: the +0 code)
  std::vector<double> mids;     // mids[i] = (vals[i] + vals[i+1]) / 2, exact
  double tie_above_max = 0;     // maxf + ulp_top/2, exact
};

// a + b exactly, or throw: Fast2Sum error term must be zero.
inline double exact_sum(double a, double b) {
  if (std::fabs(a) < std::fabs(b)) std::swap(a, b);
  const double s = a + b;
  if (b - (s - a) != 0.0 || std::isinf(s)) fail("midpoint not exact in double");
  return s;
}

inline std::unique_ptr<MfTable> build_table(const Minifloat& f) {
  auto t = std::make_unique<MfTable>();
  struct Entry {
    double v;
    uint32_t c;
  };
  std::vector<Entry> es;
  const uint32_t ncodes = 1u << bits(f);
  for (uint32_t c = 0; c < ncodes; ++c) {
    if (is_nan_code(f, c)) continue;
    const double v = decode(f, c);
    if (std::isinf(v)) continue;
    if (v == 0.0 && std::signbit(v)) continue;  // -0 merged with +0
    es.push_back({v, c});
  }
  std::sort(es.begin(), es.end(), [](const Entry& a, const Entry& b) { return a.v < b.v; });
  for (size_t i = 0; i < es.size(); ++i) {
    if (i && es[i].v == es[i - 1].v) fail("duplicate value in table");
    t->vals.push_back(es[i].v);
    t->codes.push_back(es[i].c);
  }
  for (size_t i = 0; i + 1 < t->vals.size(); ++i)
    t->mids.push_back(exact_sum(t->vals[i], t->vals[i + 1]) * 0.5);  // halving is exact here

  // Tie point above max: maxf + ulp_top/2 = (2*sig + 1) * 2^(E - bias - m - 1),
  // with sig the integer significand of maxf.  A subnormal top binade (exp
  // field 0) has the subnormal spacing 2^(1 - bias - m).
  const uint32_t maxc = t->codes.back();
  const uint32_t expf = (maxc & mag_mask(f)) >> f.m;
  const uint64_t mant = maxc & ((1u << f.m) - 1u);
  const uint64_t sig = expf ? (uint64_t{1} << f.m) + mant : mant;
  const int e_eff = expf ? static_cast<int>(expf) : 1;
  t->tie_above_max = std::ldexp(static_cast<double>(2 * sig + 1), e_eff - f.bias - f.m - 1);
  if (t->tie_above_max <= t->vals.back() || std::isinf(t->tie_above_max))
    fail("tie above max not exact");
  return t;
}

inline const MfTable& table_for(const Minifloat& f) {
  if (bits(f) > 16) fail("encode supports minifloats of at most 16 bits");
  static std::mutex mu;
  static std::map<std::tuple<int, int, int, int>, std::unique_ptr<MfTable>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{f.e, f.m, f.bias, static_cast<int>(f.conv)}];
  if (!slot) slot = build_table(f);
  return *slot;
}

// Code of the format's NaN for an input NaN / NAN_ overflow of sign `neg`.
inline uint32_t nan_code(const Minifloat& f, bool neg) {
  const uint32_t s = neg ? sign_bit(f) : 0u;
  switch (f.conv) {
    case Conv::IEEE:
      return s | (exp_field_max(f) << f.m) | (1u << (f.m - 1));
    case Conv::FN:
      return s | mag_mask(f);
    case Conv::FN_NONAN:
      // No NaN: ml_dtypes' quiet_NaN() is -0 and negation flips the sign bit,
      // so +NaN -> -0 code and -NaN -> +0 code.
      return neg ? 0u : sign_bit(f);
    case Conv::FNUZ:
      return sign_bit(f);
    case Conv::E8M0:
    case Conv::E8M0_CLAMP:
      return 0xFF;
  }
  return 0;
}

inline uint32_t zero_code(const Minifloat& f, bool neg) {
  if (f.conv == Conv::FNUZ) return 0u;  // no negative zero (its code is the NaN)
  return neg ? sign_bit(f) : 0u;
}

inline uint32_t inf_code(const Minifloat& f, bool neg) {
  return (neg ? sign_bit(f) : 0u) | (exp_field_max(f) << f.m);
}

// What an overflowing result of sign `neg` becomes, per the overflow policy.
inline uint32_t overflow_code(const Minifloat& f, const MfTable& t, bool neg, Ovf ovf) {
  const uint32_t sat = neg ? t.codes.front() : t.codes.back();
  if (ovf == Ovf::SATURATE) return sat;
  switch (f.conv) {
    case Conv::IEEE:
      return ovf == Ovf::NAN_ ? nan_code(f, neg) : inf_code(f, neg);
    case Conv::FN:
      return nan_code(f, neg);
    case Conv::FN_NONAN:
      return sat;  // no inf, no NaN
    case Conv::FNUZ:
      return sign_bit(f);
    case Conv::E8M0:
    case Conv::E8M0_CLAMP:
      return 0xFF;
  }
  return sat;
}

// "Even" for ties-to-even: the significand's last digit. With m >= 1 that is the code's
// LSB (adjacent codes differ in it). With m == 0 the significand is the implicit 1 for
// every nonzero value, so only zero is even: ties between two nonzero values go to the
// larger magnitude (arithsim's documented rule, the same as E8M0's ties-up).
inline bool even_significand(const Minifloat& f, uint32_t code) {
  if (f.m >= 1) return (code & 1u) == 0;
  return (code & ((1u << f.e) - 1)) == 0;
}

// E8M0: unsigned powers of two 2^-127 .. 2^127, code 0xFF = NaN.
//
// E8M0 (ml_dtypes 0.6, float8_e8m0fnu; see tests/formats/minifloat_test.cpp for the source
// reading): 0, -0 and negative inputs have no code (NaN, or code 0x00 under SATURATE); a
// positive x below 2^-126 is rounded on the two points {0, 2^-126} (the code is the
// binary32 exponent field rounded by its fraction, and a subnormal's field is 0) and the
// result 0 is code 0x00, which stands for 2^-127; above, x is rounded to a power of two
// with the midpoint 1.5 * 2^k, ties up.
// E8M0_CLAMP: rounded by value to the powers of two, and 0 and everything below 2^-127 are
// code 0x00 in every mode (-0 and negatives are NaN in every policy).
inline uint32_t encode_e8m0(double x, Mode mode, Ovf ovf, bool clamp) {
  if (std::isnan(x)) return 0xFF;
  // Documented arithsim rules: a mode that rounds the magnitude down never overflows
  // (IEEE 754 7.4), and saturation turns +inf into max; -inf is NaN.
  const bool toward_zero = mode == Mode::RTZ || mode == Mode::DOWN;
  if (std::isinf(x)) return !std::signbit(x) && (ovf == Ovf::SATURATE || toward_zero) ? 0xFE : 0xFF;
  if (clamp) {
    if (std::signbit(x)) return 0xFF;
    if (x == 0.0) return 0x00;
  } else if (x == 0.0 || std::signbit(x)) {
    return ovf == Ovf::SATURATE ? 0x00 : 0xFF;
  }
  const double tiny = std::ldexp(1.0, -126);
  if (!clamp && x < tiny) {
    // Nearest of 0 and 2^-126 (t = x / 2^-126 in (0, 1), exact); the tie t = 1/2 goes to
    // the even one, 0.
    const double t = x / tiny;
    bool up = false;
    switch (mode) {
      case Mode::RNE: up = t > 0.5; break;
      case Mode::AWAY: up = t >= 0.5; break;
      case Mode::UP: up = true; break;
      case Mode::RTZ:
      case Mode::DOWN: up = false; break;
    }
    return up ? 0x01 : 0x00;
  }
  int ex;
  std::frexp(x, &ex);  // 2^(ex-1) <= x < 2^ex, exact
  int k = ex - 1;      // floor(log2 x)
  if (x != std::ldexp(1.0, k)) {
    switch (mode) {
      case Mode::RNE:
      case Mode::AWAY:  // arithmetic midpoint 1.5*2^k = 3*2^(k-1); tie goes up
        if (x >= std::ldexp(3.0, k - 1)) ++k;
        break;
      case Mode::UP:
        ++k;
        break;
      case Mode::RTZ:
      case Mode::DOWN:
        break;
    }
  }
  if (k < -127) return 0x00;  // clamp: nothing smaller than 2^-127
  if (k > 127) return (ovf == Ovf::SATURATE || toward_zero) ? 0xFE : 0xFF;
  return static_cast<uint32_t>(k + 127);
}

}  // namespace detail

// Nearest-value search over the sorted table of finite values.
inline uint32_t encode(const Minifloat& f, double x, Mode mode = Mode::RNE, Ovf ovf = Ovf::DEFAULT) {
  if (detail::is_e8m0(f)) {
    detail::validate(f);
    return detail::encode_e8m0(x, mode, ovf, f.conv == Conv::E8M0_CLAMP);
  }
  const detail::MfTable& t = detail::table_for(f);
  const bool neg = std::signbit(x);
  if (std::isnan(x)) return detail::nan_code(f, neg);
  if (x == 0.0) return detail::zero_code(f, neg);

  const double maxf = t.vals.back();
  const double ax = std::fabs(x);
  if (ax > maxf) {
    // Decide between +-maxf and an overflow, as an unbounded-exponent format
    // of the same precision would (next value above max = maxf + ulp_top).
    bool over = false;
    switch (mode) {
      case Mode::RNE:
        over = ax > t.tie_above_max ||
               (ax == t.tie_above_max && !detail::even_significand(f, t.codes.back()));  // tie: to even
        break;
      case Mode::AWAY:
        over = ax >= t.tie_above_max;
        break;
      case Mode::RTZ:
        over = false;
        break;
      case Mode::UP:
        over = !neg;
        break;
      case Mode::DOWN:
        over = neg;
        break;
    }
    // +-inf input goes through the same rules (as an overflowing value), except that
    // inf is exact in IEEE formats and stays inf; under SATURATE it becomes +-max in
    // every mode (arithsim's documented saturate_inf rule).
    if (std::isinf(x) && f.conv == Conv::IEEE && ovf != Ovf::SATURATE) return detail::inf_code(f, neg);
    if (!over) return neg ? t.codes.front() : t.codes.back();
    return detail::overflow_code(f, t, neg, ovf);
  }

  // -maxf <= x <= maxf, x != 0: find i with vals[i-1] < x <= vals[i].
  const size_t i = static_cast<size_t>(std::lower_bound(t.vals.begin(), t.vals.end(), x) - t.vals.begin());
  size_t pick;
  if (t.vals[i] == x) {
    pick = i;
  } else {
    const size_t lo = i - 1, hi = i;  // i >= 1 because x > -maxf = vals[0]
    const double mid = t.mids[lo];
    // Larger-magnitude neighbour: hi for positive x, lo for negative x.
    const size_t big = neg ? lo : hi, small = neg ? hi : lo;
    switch (mode) {
      case Mode::RNE:
        if (x < mid) pick = lo;
        else if (x > mid) pick = hi;
        else pick = detail::even_significand(f, t.codes[small]) ? small : big;
        break;
      case Mode::AWAY:
        if (x == mid) pick = big;
        else pick = x < mid ? lo : hi;
        break;
      case Mode::RTZ:
        pick = small;
        break;
      case Mode::UP:
        pick = hi;
        break;
      case Mode::DOWN:
      default:
        pick = lo;
        break;
    }
  }
  if (t.vals[pick] == 0.0) return detail::zero_code(f, neg);  // zero keeps x's sign
  return t.codes[pick];
}

// ----------------------------------------------------------------------------
// Posits
// ----------------------------------------------------------------------------
namespace detail {

inline void validate_posit(int n, int es, int nmax) {
  if (n < 2 || n > nmax || es < 0 || es > 4) fail("bad posit shape");
}

// Decode from the regime/exponent/fraction definition; 64-bit code so that
// posit(n+1, es) midpoints are available for n = 32.
inline double posit_decode_u64(int n, int es, uint64_t code) {
  validate_posit(n, es, 33);
  const uint64_t mask = (uint64_t{1} << n) - 1;
  if (code & ~mask) fail("posit code out of range");
  const uint64_t nar = uint64_t{1} << (n - 1);
  if (code == 0) return 0.0;
  if (code == nar) return qnan(false);
  const bool neg = (code & nar) != 0;
  const uint64_t mag = neg ? ((~code + 1) & mask) : code;  // two's complement magnitude

  // Bits after the sign, MSB first: positions n-2 .. 0.
  int pos = n - 2;
  const int first = static_cast<int>((mag >> pos) & 1);
  int r = 0;
  while (pos >= 0 && static_cast<int>((mag >> pos) & 1) == first) {
    ++r;
    --pos;
  }
  if (pos >= 0) --pos;  // skip the terminating (opposite) bit
  const int k = first ? r - 1 : -r;
  int rem = pos + 1;  // bits left for exponent and fraction

  const int etaken = std::min(es, rem);
  uint64_t e = 0;
  for (int j = 0; j < etaken; ++j, --pos) e = (e << 1) | ((mag >> pos) & 1);
  e <<= (es - etaken);  // cut-off exponent bits count as 0
  rem -= etaken;

  const uint64_t frac = rem > 0 ? (mag & ((uint64_t{1} << rem) - 1)) : 0;
  // value = 2^(k*2^es + e) * (1 + frac/2^rem) = (2^rem + frac) * 2^(k*2^es + e - rem)
  const double v = std::ldexp(static_cast<double>((uint64_t{1} << rem) + frac),
                              k * (1 << es) + static_cast<int>(e) - rem);
  return neg ? -v : v;
}

// Cached values and midpoints of the positive codes of small posits.
struct PositTable {
  std::vector<double> vals;  // vals[c] for c = 0 .. 2^(n-1)-1 (vals[0] = 0)
  std::vector<double> mids;  // mids[c] = value of posit(n+1) code (c<<1)|1
};

inline const PositTable& posit_table(int n, int es) {
  static std::mutex mu;
  static std::map<std::pair<int, int>, std::unique_ptr<PositTable>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{n, es}];
  if (!slot) {
    slot = std::make_unique<PositTable>();
    const uint32_t npos = 1u << (n - 1);
    for (uint32_t c = 0; c < npos; ++c) {
      slot->vals.push_back(posit_decode_u64(n, es, c));
      slot->mids.push_back(posit_decode_u64(n + 1, es, (uint64_t{c} << 1) | 1));
    }
  }
  return *slot;
}

}  // namespace detail

inline double posit_decode(int n, int es, uint32_t code) {
  return detail::posit_decode_u64(n, es, code);
}

// Wide variant (n = 33 codes do not fit in uint32_t).
inline double posit_decode_wide(int n, int es, uint64_t code) {
  return detail::posit_decode_u64(n, es, code);
}

// RNE on the encoding ("rounding the infinite bit string"): compare |x| with
// the posit(n+1) value between adjacent codes; clamp to [minpos, maxpos].
inline uint32_t posit_encode_rne(int n, int es, double x) {
  detail::validate_posit(n, es, 32);
  const uint64_t mask = (uint64_t{1} << n) - 1;
  if (std::isnan(x) || std::isinf(x)) return static_cast<uint32_t>(uint64_t{1} << (n - 1));
  if (x == 0.0) return 0;
  const bool neg = x < 0;
  const double ax = std::fabs(x);
  const uint64_t maxcode = (uint64_t{1} << (n - 1)) - 1;
  const double maxpos = std::ldexp(1.0, (n - 2) * (1 << es));
  const double minpos = std::ldexp(1.0, -(n - 2) * (1 << es));

  uint64_t c;
  if (ax >= maxpos) {
    c = maxcode;
  } else if (ax <= minpos) {
    c = 1;
  } else {
    const detail::PositTable* tab = n <= 16 ? &detail::posit_table(n, es) : nullptr;
    auto val = [&](uint64_t k) { return tab ? tab->vals[k] : detail::posit_decode_u64(n, es, k); };
    // Largest code lo in [1, maxcode-1] with value(lo) <= ax (positive codes
    // are monotone in value); invariant value(lo) <= ax < value(hi).
    uint64_t lo = 1, hi = maxcode;
    while (hi - lo > 1) {
      const uint64_t m = lo + (hi - lo) / 2;
      if (val(m) <= ax) lo = m;
      else hi = m;
    }
    if (val(lo) == ax) {
      c = lo;
    } else {
      const double mid = tab ? tab->mids[lo] : detail::posit_decode_u64(n + 1, es, (lo << 1) | 1);
      if (ax < mid) c = lo;
      else if (ax > mid) c = hi;
      else c = (lo & 1) == 0 ? lo : hi;
    }
  }
  return static_cast<uint32_t>(neg ? ((~c + 1) & mask) : c);
}

// ----------------------------------------------------------------------------
// Integers: value k * 2^-frac for the integer k of the code (two's complement when signed).
// ----------------------------------------------------------------------------
struct Int {
  int bits;        // 1..16 (signed 1 bit: {-1, 0})
  bool is_signed;
  bool saturate;   // false: wrap modulo 2^bits
  bool symmetric;  // signed, saturating: the most negative integer is not produced
  int frac;        // value = k * 2^-frac
};

namespace detail {
inline void validate_int(const Int& f) {
  if (f.bits < 1 || f.bits > 16) fail("integer reference supports 1..16 bits");
  if (f.symmetric && (!f.is_signed || !f.saturate || f.bits < 2)) fail("bad symmetric integer");
}
inline int64_t int_lo(const Int& f) {
  return f.is_signed ? -(int64_t{1} << (f.bits - 1)) + (f.symmetric ? 1 : 0) : 0;
}
inline int64_t int_hi(const Int& f) {
  return f.is_signed ? (int64_t{1} << (f.bits - 1)) - 1 : (int64_t{1} << f.bits) - 1;
}
inline uint32_t int_code_of(const Int& f, int64_t k) {  // k modulo 2^bits
  const int64_t m = int64_t{1} << f.bits;
  return static_cast<uint32_t>(((k % m) + m) % m);
}
// Pick between the neighbouring integers lo < y < lo + 1 (y = x * 2^frac, exact) by the mode,
// comparing y with the midpoint lo + 1/2 (exact for |lo| < 2^52; neg is the sign of x); the tie is decided as
// documented: RNE to the even integer, AWAY from zero.
inline int64_t round_between(int64_t lo, double y, bool neg, Mode mode) {
  const double mid = static_cast<double>(lo) + 0.5;
  switch (mode) {
    case Mode::RNE: return y < mid ? lo : y > mid ? lo + 1 : (lo % 2 == 0 ? lo : lo + 1);
    case Mode::AWAY: return y < mid ? lo : y > mid ? lo + 1 : (neg ? lo : lo + 1);
    case Mode::RTZ: return neg ? lo + 1 : lo;
    case Mode::UP: return lo + 1;
    case Mode::DOWN: return lo;
  }
  return lo;
}
}  // namespace detail

inline double int_decode(const Int& f, uint32_t code) {
  detail::validate_int(f);
  if (code >> f.bits) detail::fail("code out of range");
  int64_t k = code;
  if (f.is_signed && (code >> (f.bits - 1)) & 1u) k -= int64_t{1} << f.bits;
  return std::ldexp(static_cast<double>(k), -f.frac);
}

// NaN -> 0, +-inf -> max / min (also when wrapping), +-0 -> 0.
inline uint32_t int_encode(const Int& f, double x, Mode mode = Mode::RNE) {
  detail::validate_int(f);
  const int64_t lo = detail::int_lo(f), hi = detail::int_hi(f);
  if (std::isnan(x)) return 0;
  if (std::isinf(x)) return detail::int_code_of(f, x > 0 ? hi : lo);
  if (std::ldexp(std::ldexp(x, f.frac), -f.frac) != x) detail::fail("x * 2^frac is not exact in double");
  if (f.saturate) {
    // Every value k * 2^-frac, ascending; the search finds the two around x.
    std::vector<double> v;
    for (int64_t k = lo; k <= hi; ++k) v.push_back(std::ldexp(static_cast<double>(k), -f.frac));
    if (x <= v.front()) return detail::int_code_of(f, lo);
    if (x >= v.back()) return detail::int_code_of(f, hi);
    const size_t i = static_cast<size_t>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
    if (v[i] == x) return detail::int_code_of(f, lo + static_cast<int64_t>(i));
    const int64_t below = lo + static_cast<int64_t>(i) - 1;  // v[i-1] < x < v[i]
    return detail::int_code_of(f, detail::round_between(below, std::ldexp(x, f.frac), x < 0, mode));
  }
  // Wrap: round x * 2^frac (exact) between its neighbouring integers, then modulo 2^bits.
  const double y = std::ldexp(x, f.frac);
  if (std::fabs(y) >= 0x1p52) {  // already an integer: reduce exactly
    const double r = std::fmod(y, std::ldexp(1.0, f.bits));
    return detail::int_code_of(f, static_cast<int64_t>(r));
  }
  const double fl = std::floor(y);
  if (fl == y) return detail::int_code_of(f, static_cast<int64_t>(y));
  return detail::int_code_of(f, detail::round_between(static_cast<int64_t>(fl), y, x < 0, mode));
}

}  // namespace arithsim::ref
