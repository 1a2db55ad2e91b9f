// Integer, ternary and bipolar formats against references built on the FPU's own rounding
// (rint/trunc/ceil/floor/round) and 128-bit modular arithmetic.
#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <limits>
#include <random>
#include <span>

#include <boost/multiprecision/cpp_int.hpp>

#include <arithsim/models/formats/format.hpp>
#include "tests/formats/test_util.hpp"

namespace arithsim {
namespace {

using formats::IntCodec;
using formats::IntSpec;
using formats::Rounding;
using formats::RoundingOptions;

double ref_round(double x, Rounding r) {
  switch (r) {
    case Rounding::NearestEven: return std::nearbyint(x);  // default FE_TONEAREST
    case Rounding::TowardZero: return std::trunc(x);
    case Rounding::Up: return std::ceil(x);
    case Rounding::Down: return std::floor(x);
    case Rounding::NearestAway: return std::round(x);
    case Rounding::Stochastic: break;
  }
  return 0;
}

// Expected code: round, then clamp or reduce modulo 2^bits, by a different route.
uint32_t ref_int(const IntSpec& s, double x, Rounding r) {
  const __int128 lo = s.min_int(), hi = s.max_int();
  const uint32_t mask = s.bits == 32 ? 0xffffffffu : (1u << s.bits) - 1;
  if (std::isnan(x)) return 0;
  if (std::isinf(x)) return uint32_t(int64_t(x > 0 ? hi : lo)) & mask;
  const double v = ref_round(std::ldexp(x, s.frac_bits), r);
  if (s.saturate) {
    if (v >= 0x1p100) return uint32_t(int64_t(hi)) & mask;
    if (v <= -0x1p100) return uint32_t(int64_t(lo)) & mask;
    __int128 q = __int128(v);
    q = q < lo ? lo : q > hi ? hi : q;
    return uint32_t(int64_t(q)) & mask;
  }
  // Wrap: v is an integer-valued double; reduce modulo 2^bits exactly via fmod.
  const double m = std::fmod(v, 0x1p32);  // exact
  const int64_t w = int64_t(m);
  return uint32_t(uint64_t(w)) & mask;
}

TEST(Integer, DecodeEveryCodeOfSmallWidths) {
  for (int b = 2; b <= 16; ++b)
    for (bool sgn : {true, false}) {
      const IntCodec c(IntSpec{b, sgn, true, false, 0});
      for (uint32_t code = 0; code < (1u << b); ++code) {
        const int64_t want = sgn && code >= (1u << (b - 1)) ? int64_t(code) - (int64_t(1) << b) : int64_t(code);
        ASSERT_EQ(c.decode(code), double(want)) << b << " " << code;
      }
    }
  const IntCodec fx(IntSpec{8, true, true, true, 6});  // MXINT8 element
  EXPECT_EQ(fx.decode(0x7f), 127.0 / 64);
  EXPECT_EQ(fx.decode(0x81), -127.0 / 64);
}

TEST(Integer, EncodeAllModesWrapAndSaturate) {
  std::mt19937_64 g(11);
  std::vector<double> in;
  for (int i = -300; i <= 300; ++i) {  // every half-integer tie and its neighbours
    const double h = i / 2.0;
    for (double x : {h, std::nextafter(h, -1e9), std::nextafter(h, 1e9)}) in.push_back(x);
  }
  for (double x : {0.0, -0.0, 1e30, -1e30, 0x1p63, -0x1p63, 0x1p64, 4294967296.5, HUGE_VAL, -HUGE_VAL, std::nan("")})
    in.push_back(x);
  for (int i = 0; i < 200000; ++i) {
    std::uniform_real_distribution<double> u(-1, 1);
    in.push_back(std::ldexp(u(g), int(g() % 40)));
  }
  for (const IntSpec s : {IntSpec{8, true, true, false, 0}, IntSpec{8, true, false, false, 0},
                          IntSpec{4, true, true, false, 0}, IntSpec{4, false, true, false, 0},
                          IntSpec{4, false, false, false, 0}, IntSpec{2, true, true, true, 0},
                          IntSpec{8, true, true, true, 6}, IntSpec{16, true, false, false, 3},
                          IntSpec{32, true, true, false, 0}, IntSpec{32, false, false, false, 0},
                          IntSpec{1, false, true, false, 0}}) {
    const IntCodec c(s);
    for (Rounding r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down,
                       Rounding::NearestAway}) {
      RoundingOptions o;
      o.mode = r;
      size_t bad = 0;
      for (double x : in) {
        const uint32_t got = c.encode(x, o), want = ref_int(s, x, r);
        if (got != want && ++bad < 4)
          ADD_FAILURE() << s.to_string() << " " << formats::to_string(r) << " x=" << std::hexfloat << x << " got "
                        << got << " want " << want;
      }
      EXPECT_EQ(bad, 0u);
    }
  }
}

TEST(Integer, TernaryNeverProducesMinusTwo) {
  const auto t = formats::ElementFormat::parse("ternary");
  for (double x : {-5.0, -1.6, -1.0, -0.5, -0.49, 0.0, 0.5, 0.51, 1.0, 7.0}) {
    const uint32_t c = t.encode(x);
    EXPECT_NE(c, 2u);
    EXPECT_EQ(t.decode(c), std::clamp(std::nearbyint(x), -1.0, 1.0)) << x;
  }
}

// Bipolar: brute-force nearest level with the documented tie rules.
uint32_t ref_bipolar(int bits, double x, Rounding r) {
  const int64_t n = int64_t(1) << bits;
  if (std::isnan(x)) return uint32_t(n / 2);
  uint32_t best = 0;
  for (int64_t c = 0; c < n; ++c) {
    const double v = 2.0 * double(c) - double(n - 1), bv = 2.0 * best - double(n - 1);
    using Q = boost::multiprecision::cpp_rational;  // exact distances, even for denormal x
    const Q d = abs(Q(x) - Q(v)), bd = abs(Q(x) - Q(bv));
    bool take = false;
    switch (r) {
      case Rounding::Up: take = v >= x && (bv < x || v < bv); break;
      case Rounding::Down: take = v <= x && (bv > x || v > bv); break;
      default: take = d < bd || (d == bd && ((x == 0 && v > 0) || (r == Rounding::NearestAway && std::fabs(v) > std::fabs(bv)) ||
                                             (r == Rounding::NearestEven && x != 0 && c % 2 == 0)));
    }
    if (take) best = uint32_t(c);
  }
  if (r == Rounding::Up && x > 2.0 * double(n - 1) - double(n - 1)) best = uint32_t(n - 1);
  if (r == Rounding::Down && x < -double(n - 1)) best = 0;
  return best;
}

TEST(Bipolar, MatchesBruteForceNearestLevel) {
  std::mt19937_64 g(3);
  for (int bits : {1, 2, 3, 4}) {
    const formats::BipolarCodec c(formats::BipolarSpec{bits});
    std::vector<double> in;
    for (int i = -40; i <= 40; ++i)
      for (double x : {i * 0.5, std::nextafter(i * 0.5, -100.0), std::nextafter(i * 0.5, 100.0)}) in.push_back(x);
    for (int i = 0; i < 20000; ++i) in.push_back(std::uniform_real_distribution<double>(-20, 20)(g));
    for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::Up, Rounding::Down}) {
      RoundingOptions o;
      o.mode = r;
      for (double x : in) ASSERT_EQ(c.encode(x, o), ref_bipolar(bits, x, r)) << bits << " " << formats::to_string(r) << " " << x;
    }
  }
  const auto bin = formats::ElementFormat::parse("binary");
  EXPECT_EQ(bin.decode(bin.encode(0.0)), 1.0);  // sign(0) = +1
  EXPECT_EQ(bin.decode(bin.encode(-0.1)), -1.0);
}

TEST(Integer, SpecValidation) {
  for (const char* bad : {"int0", "int33", "uint0", "int8:frac=99", "uint4:sym", "int4:wrap:sym", "int8:foo", "bipolar0",
                          "int1:sym"})
    EXPECT_THROW(formats::ElementFormat::parse(bad), std::invalid_argument) << bad;
  EXPECT_EQ(formats::ElementFormat::parse("uint1").bits(), 1);
  const auto i1 = formats::ElementFormat::parse("int1");
  EXPECT_EQ(i1.bits(), 1);
  EXPECT_TRUE(std::get<IntSpec>(i1.spec()).is_signed);
  EXPECT_EQ(i1.info().max, 0.0);
}

// --- signed INT1, {-1, 0}, against the independent reference (tests/reference) ----------

ref::Int to_ref(const IntSpec& s) { return {s.bits, s.is_signed, s.saturate, s.symmetric, s.frac_bits}; }

// Every bfloat16 pattern, every value of the format, every midpoint and its neighbours (a
// double and a float ulp either side), the range ends and beyond, and the specials; inputs
// whose x * 2^frac is not exact in double are left out (the reference refuses them).
std::vector<double> int_inputs(const IntSpec& s) {
  std::vector<double> in;
  for (uint32_t b = 0; b < 0x10000; ++b) in.push_back(std::bit_cast<float>(b << 16));
  const double step = std::ldexp(1.0, -s.frac_bits);
  for (int64_t k = s.min_int() - 3; k <= s.max_int() + 3; ++k)
    for (double v : {double(k) * step, (double(k) + 0.5) * step}) {
      for (double x : {v, std::nextafter(v, -HUGE_VAL), std::nextafter(v, HUGE_VAL)}) in.push_back(x);
      in.push_back(std::nextafterf(float(v), -HUGE_VALF));
      in.push_back(std::nextafterf(float(v), HUGE_VALF));
    }
  for (double x : {0.0, -0.0, HUGE_VAL, -HUGE_VAL, std::nan(""), -std::nan(""), 1e30, -1e30, 0x1p63, -0x1p64,
                   std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::denorm_min()})
    in.push_back(x);
  std::erase_if(in, [&](double x) {
    return std::isfinite(x) && std::ldexp(std::ldexp(x, s.frac_bits), -s.frac_bits) != x;
  });
  return in;
}

const IntSpec kInt1s[] = {IntSpec{1, true, true, false, 0}, IntSpec{1, true, false, false, 0},
                          IntSpec{1, true, true, false, 2}, IntSpec{1, true, true, false, -3},
                          IntSpec{1, true, false, false, 7}};

TEST(Int1, DecodeEveryCode) {
  // Two's complement of one bit: code 0 = 0, code 1 = -1 (times 2^-frac).
  EXPECT_EQ(ref::int_decode(to_ref(kInt1s[0]), 0), 0.0);
  EXPECT_EQ(ref::int_decode(to_ref(kInt1s[0]), 1), -1.0);
  EXPECT_EQ(ref::int_decode(to_ref(kInt1s[2]), 1), -0.25);
  EXPECT_EQ(ref::int_decode(to_ref(kInt1s[3]), 1), -8.0);
  for (const IntSpec& s : kInt1s) {
    const formats::ElementFormat f{s};
    for (uint32_t c = 0; c < 2; ++c) {
      EXPECT_EQ(f.decode(c), ref::int_decode(to_ref(s), c)) << s.to_string() << " code " << c;
      EXPECT_EQ(f.decode_exact(c).unrounded().kind == formats::Unrounded::Kind::Zero, c == 0) << s.to_string();
    }
  }
  EXPECT_EQ(formats::ElementFormat::parse("int1").decode(1), -1.0);
  EXPECT_EQ(formats::ElementFormat::parse("int1:frac=2").decode(1), -0.25);
}

TEST(Int1, EncodeExhaustiveAgainstReference) {
  for (const IntSpec& s : kInt1s) {
    const formats::ElementFormat f{s};
    const auto in = int_inputs(s);
    std::vector<float> in32;
    for (double x : in)
      if (double(float(x)) == x || std::isnan(x)) in32.push_back(float(x));
    std::vector<uint8_t> bulk(in32.size());
    for (Rounding r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down, Rounding::NearestAway}) {
      RoundingOptions o;
      o.mode = r;
      size_t bad = 0;
      for (double x : in) {
        const uint32_t want = ref::int_encode(to_ref(s), x, test::to_ref(r)), got = f.encode(x, o);
        if (got != want && ++bad <= 5)
          ADD_FAILURE() << s.to_string() << " " << formats::to_string(r) << " x=" << std::hexfloat << x << " got " << got
                        << " want " << want;
      }
      f.encode(std::span<const float>(in32), std::span<uint8_t>(bulk), o);  // the table path
      for (size_t i = 0; i < in32.size(); ++i) {
        const uint32_t want = ref::int_encode(to_ref(s), in32[i], test::to_ref(r));
        if ((bulk[i] != want || f.encode(in32[i], o) != want) && ++bad <= 10)
          ADD_FAILURE() << s.to_string() << " " << formats::to_string(r) << " float " << std::hexfloat << in32[i]
                        << " bulk " << int(bulk[i]) << " want " << want;
      }
      EXPECT_EQ(bad, 0u) << s.to_string() << " " << formats::to_string(r);
    }
  }
  // Spot values: nearest of {-1, 0}; ties to even (0); saturation and wrap.
  const auto i1 = formats::ElementFormat::parse("int1"), w1 = formats::ElementFormat::parse("int1:wrap");
  EXPECT_EQ(i1.encode(-0.5), 0u);
  EXPECT_EQ(i1.encode(-0.51), 1u);
  EXPECT_EQ(i1.encode(-7.0), 1u);
  EXPECT_EQ(i1.encode(5.0), 0u);
  EXPECT_EQ(w1.encode(5.0), 1u);   // 5 = 1 mod 2, i.e. -1
  EXPECT_EQ(w1.encode(-2.0), 0u);
  EXPECT_EQ(i1.encode(HUGE_VAL), 0u);
  EXPECT_EQ(i1.encode(-HUGE_VAL), 1u);
}

// The new reference agrees with the FPU-based one above on wider integers, and the codec on both.
TEST(IntReference, AgreesWithTheFpuReference) {
  std::mt19937_64 g(19);
  for (const IntSpec s : {IntSpec{2, true, true, false, 0}, IntSpec{4, true, true, false, 0}, IntSpec{3, false, true, false, 0},
                          IntSpec{8, true, true, true, 6}, IntSpec{4, true, false, false, 1}, IntSpec{2, true, true, true, 0}}) {
    auto in = int_inputs(s);
    for (int i = 0; i < 20000; ++i) in.push_back(std::uniform_real_distribution<double>(-40, 40)(g));
    const IntCodec c(s);
    for (Rounding r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down, Rounding::NearestAway}) {
      RoundingOptions o;
      o.mode = r;
      for (double x : in) {
        const uint32_t want = ref::int_encode(to_ref(s), x, test::to_ref(r));
        ASSERT_EQ(want, ref_int(s, x, r)) << s.to_string() << " " << formats::to_string(r) << " " << std::hexfloat << x;
        ASSERT_EQ(c.encode(x, o), want) << s.to_string() << " " << formats::to_string(r) << " " << std::hexfloat << x;
      }
    }
  }
}

}  // namespace
}  // namespace arithsim
