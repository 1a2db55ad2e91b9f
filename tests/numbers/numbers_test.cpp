// The number value types (models/numbers) against exact rational arithmetic: every
// operator on every pair of codes of the <= 8-bit formats, and on random plus corner-case
// pairs of the 16-bit ones, equals the exact result rounded once, as computed by the
// independent reference (tests/reference/reference_arith.hpp: Boost rationals and a
// nearest-value search over each format's own value table, no arithsim codec involved).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/formats/quire.hpp>
#include <arithsim/models/numbers/integer.hpp>
#include <arithsim/models/numbers/minifloat.hpp>
#include <arithsim/models/numbers/posit.hpp>
#include <arithsim/models/numbers/quire.hpp>

#include "tests/reference/reference_arith.hpp"

namespace {

using namespace arithsim;
using ref::Op;
using Q = ref::Rational;
using P16 = posit<16, 1>;
using P8 = posit<8, 0>;

// --- one description per format: the value type and its reference ------------------------

template <class T>
struct Case;  // ref_arith(op, a, b), ref_round(q), ref_value(code) (NaN for NaN/NaR), is_nan(code)

template <int E, int M, FloatConvention C, int B>
struct Case<minifloat<E, M, C, B>> {
  ref::Minifloat f;
  uint32_t arith(Op op, uint32_t a, uint32_t b) const { return ref::arith(f, op, a, b); }
  uint32_t round(const Q& q, bool neg_zero = false) const { return ref::round_rational(f, q, neg_zero); }
  double value(uint32_t c) const { return ref::decode(f, c); }
  bool is_nan(uint32_t c) const { return ref::is_nan_code(f, c); }
  static constexpr bool posit = false;
};

template <int N, int ES>
struct Case<posit<N, ES>> {
  uint32_t arith(Op op, uint32_t a, uint32_t b) const { return ref::posit_arith(N, ES, op, a, b); }
  uint32_t round(const Q& q, bool = false) const { return ref::posit_round_rational(N, ES, q); }
  double value(uint32_t c) const { return ref::posit_decode(N, ES, c); }
  bool is_nan(uint32_t c) const { return c == (1u << (N - 1)); }
  static constexpr bool posit = true;
};

// Same result: the same code, or both NaN (a NaN's payload and sign are not specified).
template <class T, class C>
::testing::AssertionResult same(const C& c, uint32_t got, uint32_t want, const char* what, uint32_t a, uint32_t b) {
  if (got == want || (c.is_nan(got) && c.is_nan(want))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << T::format::name() << ": " << what << " of codes 0x" << std::hex << a
                                       << " and 0x" << b << " gave 0x" << got << ", exact rounding is 0x" << want;
}

template <class T>
T op(Op o, T a, T b) {
  switch (o) {
    case Op::Add: return a + b;
    case Op::Sub: return a - b;
    case Op::Mul: return a * b;
    case Op::Div: return a / b;
  }
  return a;
}
constexpr Op kOps[] = {Op::Add, Op::Sub, Op::Mul, Op::Div};
constexpr const char* kOpNames[] = {"a + b", "a - b", "a * b", "a / b"};

// Every operator and comparison on one pair of codes.
template <class T, class C>
::testing::AssertionResult check_pair(const C& c, uint32_t a, uint32_t b) {
  const T x = T::from_bits(typename T::storage(a)), y = T::from_bits(typename T::storage(b));
  for (int i = 0; i < 4; ++i) {
    auto r = same<T>(c, op(kOps[i], x, y).bits(), c.arith(kOps[i], a, b), kOpNames[i], a, b);
    if (!r) return r;
  }
  // Comparisons: IEEE rules on the reference values (NaN unordered, -0 == +0), or the
  // posit standard's (NaR equal to itself and below every number).
  const double va = c.value(a), vb = c.value(b);
  bool lt, eq;
  if constexpr (C::posit) {
    const bool na = std::isnan(va), nb = std::isnan(vb);
    eq = na || nb ? na == nb : va == vb;
    lt = na || nb ? na && !nb : va < vb;
  } else {
    eq = va == vb;
    lt = va < vb;
  }
  if ((x == y) != eq || (x < y) != lt || (x > y) != (C::posit ? !lt && !eq : va > vb) || (x != y) != !eq ||
      (x <= y) != (C::posit ? lt || eq : va <= vb))
    return ::testing::AssertionFailure() << T::format::name() << ": comparison of codes 0x" << std::hex << a
                                         << " and 0x" << b;
  return ::testing::AssertionSuccess();
}

template <class T>
void exhaustive(const Case<T>& c) {
  constexpr uint32_t n = uint32_t(1) << T::format::bits;
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) ASSERT_TRUE((check_pair<T>(c, a, b)));
    // Negation and abs are exact: the rounding of -value and |value|.
    const T x = T::from_bits(typename T::storage(a));
    const double v = c.value(a);
    if (std::isnan(v)) {
      ASSERT_TRUE(c.is_nan((-x).bits()));
      continue;
    }
    if (std::isinf(v)) {  // -inf and |inf|: the reference's encoding of those doubles
      ASSERT_EQ(double(-x), -v);
      ASSERT_EQ(double(abs(x)), std::fabs(v));
      continue;
    }
    const Q q = ref::exact(v);
    ASSERT_TRUE((same<T>(c, (-x).bits(), c.round(-q, !std::signbit(v)), "-a", a, a)));
    ASSERT_TRUE((same<T>(c, abs(x).bits(), c.round(q < 0 ? Q(-q) : q), "abs(a)", a, a)));
  }
}

// Codes worth pairing with everything: zeros, the extremes, one, NaN/inf and their
// neighbours (the places rounding and special rules change).
template <class T>
std::vector<uint32_t> corners() {
  using L = std::numeric_limits<T>;
  std::vector<uint32_t> v;
  const uint32_t mask = (uint32_t(1) << T::format::bits) - 1;
  for (T x : {T::from_bits(0), L::max(), L::min(), L::lowest(), L::denorm_min(), L::infinity(), L::quiet_NaN(),
              T(1)})
    for (int d = -2; d <= 2; ++d) {
      const uint32_t c = (uint32_t(x.bits()) + uint32_t(d)) & mask;
      v.push_back(c);
      v.push_back(c ^ (uint32_t(1) << (T::format::bits - 1)));  // the other sign
    }
  return v;
}

template <class T>
void random_pairs(const Case<T>& c, int pairs, uint64_t seed) {
  const uint32_t mask = (uint32_t(1) << T::format::bits) - 1;
  std::mt19937_64 g(seed);
  const std::vector<uint32_t> cs = corners<T>();
  for (uint32_t a : cs)
    for (uint32_t b : cs) ASSERT_TRUE((check_pair<T>(c, a, b)));
  for (int i = 0; i < pairs; ++i) {
    const uint32_t a = uint32_t(g()) & mask;
    // Half the pairs close in magnitude (cancellation, ties), half anywhere.
    const uint32_t b = (i & 1) ? uint32_t(g()) & mask : (a + uint32_t(g() % 9) - 4) & mask;
    ASSERT_TRUE((check_pair<T>(c, a, b)));
    if (i % 7 == 0) {
      ASSERT_TRUE((check_pair<T>(c, a, cs[g() % cs.size()])));
    }
  }
}

// ---- exhaustive: every pair of codes of every <= 8-bit format -----------------------------

TEST(NumberExhaustive, Float8) {
  exhaustive(Case<float8_e4m3fn>{ref::float8_e4m3fn});
  exhaustive(Case<float8_e4m3>{ref::float8_e4m3});
  exhaustive(Case<float8_e5m2>{ref::float8_e5m2});
  exhaustive(Case<float8_e3m4>{ref::float8_e3m4});
  exhaustive(Case<float8_e4m3fnuz>{ref::float8_e4m3fnuz});
  exhaustive(Case<float8_e5m2fnuz>{ref::float8_e5m2fnuz});
  exhaustive(Case<float8_e4m3b11fnuz>{ref::float8_e4m3b11fnuz});
}

TEST(NumberExhaustive, Float6AndFloat4) {
  exhaustive(Case<float6_e2m3fn>{ref::float6_e2m3fn});
  exhaustive(Case<float6_e3m2fn>{ref::float6_e3m2fn});
  exhaustive(Case<float4_e2m1fn>{ref::float4_e2m1fn});
  exhaustive(Case<minifloat<3, 1, FloatConvention::IEEE>>{ref::Minifloat{3, 1, 3, ref::Conv::IEEE}});
}

TEST(NumberExhaustive, Posits) {
  exhaustive(Case<posit<8, 0>>{});
  exhaustive(Case<posit<8, 1>>{});
  exhaustive(Case<posit<8, 2>>{});
  exhaustive(Case<posit<8, 3>>{});
  exhaustive(Case<posit<6, 1>>{});
  exhaustive(Case<posit<5, 2>>{});
  exhaustive(Case<posit<4, 0>>{});
  exhaustive(Case<posit<3, 0>>{});
  exhaustive(Case<posit<2, 0>>{});
}

// E8M0 (the MX scale: 2^-127 .. 2^127, no zero, no sign) is outside reference_arith; its
// rounding boundaries are 2^k and 1.5 * 2^k, so an exact rational r rounds as the double
// 2^k, 1.25 * 2^k, 1.5 * 2^k or 1.75 * 2^k on the same side of them (or as 0 / -1 when
// r <= 0, which has no code), fed to the independent reference's E8M0 encoder.
TEST(NumberExhaustive, Float8E8m0) {
  using T = float8_e8m0fnu;
  const ref::Minifloat f = ref::float8_e8m0fnu;
  const auto pow2 = [](int k) { return k >= 0 ? Q(boost::multiprecision::cpp_int(1) << k)
                                              : Q(1) / Q(boost::multiprecision::cpp_int(1) << -k); };
  const auto round = [&](const Q& r) -> uint32_t {
    if (r <= 0) return ref::encode(f, r == 0 ? 0.0 : -1.0);
    int k = std::ilogb(double(r));
    while (pow2(k) > r) --k;
    while (pow2(k + 1) <= r) ++k;
    const Q lo = pow2(k), mid = lo * 3 / 2;
    const double rep = r == lo ? 1.0 : r < mid ? 1.25 : r == mid ? 1.5 : 1.75;
    return ref::encode(f, std::ldexp(rep, k), ref::Mode::RNE, ref::Ovf::DEFAULT);
  };
  for (uint32_t a = 0; a < 256; ++a)
    for (uint32_t b = 0; b < 256; ++b) {
      const T x = T::from_bits(uint8_t(a)), y = T::from_bits(uint8_t(b));
      const double va = ref::decode(f, a), vb = ref::decode(f, b);
      for (int i = 0; i < 4; ++i) {
        const uint32_t got = op(kOps[i], x, y).bits();
        uint32_t want;
        if (std::isnan(va) || std::isnan(vb)) {
          want = ref::encode(f, std::nan(""));
        } else {
          const Q qa = ref::exact(va), qb = ref::exact(vb);
          const Q r = i == 0 ? Q(qa + qb) : i == 1 ? Q(qa - qb) : i == 2 ? Q(qa * qb) : Q(qa / qb);
          want = round(r);
        }
        ASSERT_EQ(got, want) << kOpNames[i] << " of codes " << a << " and " << b;
      }
      ASSERT_EQ(x == y, va == vb);
      ASSERT_EQ(x < y, va < vb);
    }
}

// ---- 16 bits: corner cases against everything, then random pairs ------------------------

TEST(NumberRandom16, Float16) { random_pairs(Case<float16>{ref::float16}, 400000, 1); }
TEST(NumberRandom16, Bfloat16) { random_pairs(Case<bfloat16>{ref::bfloat16}, 400000, 2); }
TEST(NumberRandom16, Posit16) {
  random_pairs(Case<posit<16, 1>>{}, 400000, 3);
  random_pairs(Case<posit<16, 0>>{}, 200000, 4);
  random_pairs(Case<posit<16, 2>>{}, 200000, 5);
  random_pairs(Case<posit<16, 3>>{}, 200000, 6);
}

// ---- fma and the quire: one rounding of an exact sum of products ------------------------

template <class T>
Q exact_value(const Case<T>& c, T x) {
  return ref::exact(c.value(x.bits()));
}

template <class T>
void fma_random(const Case<T>& c, int n, uint64_t seed) {
  const uint32_t mask = (uint32_t(1) << T::format::bits) - 1;
  std::mt19937_64 g(seed);
  for (int i = 0; i < n; ++i) {
    const T a = T::from_bits(typename T::storage(g() & mask)), b = T::from_bits(typename T::storage(g() & mask));
    // c near -a*b half the time: cancellation, where a rounded product would be wrong.
    T d = (i & 1) ? T::from_bits(typename T::storage(g() & mask)) : -(a * b);
    if (i & 2) d = T::from_bits(typename T::storage((d.bits() + (g() % 5) - 2) & mask));
    const double va = c.value(a.bits()), vb = c.value(b.bits()), vd = c.value(d.bits());
    if (!std::isfinite(va) || !std::isfinite(vb) || !std::isfinite(vd)) continue;
    const Q r = ref::exact(va) * ref::exact(vb) + ref::exact(vd);
    // An exact zero: +0 unless both the product and the addend are -0 (IEEE 754 6.3).
    const bool neg_zero = (std::signbit(va) != std::signbit(vb)) && std::signbit(vd) && va * vb == 0 && vd == 0;
    ASSERT_TRUE((same<T>(c, fma(a, b, d).bits(), c.round(r, neg_zero), "fma(a, b, c)", a.bits(), b.bits())))
        << "c = 0x" << std::hex << unsigned(d.bits());
  }
}

TEST(NumberFma, RoundsOnce) {
  fma_random(Case<float16>{ref::float16}, 200000, 7);
  fma_random(Case<bfloat16>{ref::bfloat16}, 200000, 8);
  fma_random(Case<posit<16, 1>>{}, 200000, 9);
  fma_random(Case<float8_e4m3fn>{ref::float8_e4m3fn}, 200000, 10);
}

template <class T>
void quire_random(const Case<T>& c, int trials, uint64_t seed) {
  const uint32_t mask = (uint32_t(1) << T::format::bits) - 1;
  std::mt19937_64 g(seed);
  for (int t = 0; t < trials; ++t) {
    const size_t len = 1 + g() % 128;
    std::vector<T> a, b;
    Q sum = 0;
    while (a.size() < len) {
      const T x = T::from_bits(typename T::storage(g() & mask)), y = T::from_bits(typename T::storage(g() & mask));
      if (!std::isfinite(c.value(x.bits())) || !std::isfinite(c.value(y.bits()))) continue;
      a.push_back(x);
      b.push_back(y);
      sum += exact_value(c, x) * exact_value(c, y);
    }
    // Cancel most of it: append -(a0 * b0) exactly as a subtraction in the quire.
    quire<T> q;
    for (size_t i = 0; i < len; ++i) q.fma(a[i], b[i]);
    if (t % 3 == 0) {
      q.fms(a[0], b[0]);
      sum -= exact_value(c, a[0]) * exact_value(c, b[0]);
    }
    const T got = q.round();
    ASSERT_TRUE((same<T>(c, got.bits(), c.round(sum), "quire round", uint32_t(len), uint32_t(t))));
    if (t % 3 != 0) {
      ASSERT_EQ(fdp<T>(a, b).bits(), got.bits());
    }
  }
}

TEST(NumberQuire, ExactDotProductsRoundedOnce) {
  quire_random(Case<posit<16, 1>>{}, 3000, 11);
  quire_random(Case<posit<8, 0>>{}, 3000, 12);
  quire_random(Case<float8_e4m3fn>{ref::float8_e4m3fn}, 3000, 13);
  quire_random(Case<float16>{ref::float16}, 2000, 14);
  quire_random(Case<bfloat16>{ref::bfloat16}, 2000, 15);
}

// The value types' quire and the format library's posit quire (formats::PositQuire, tested
// against rationals in tests/formats/posit_test.cpp) agree bit for bit.
TEST(NumberQuire, AgreesWithThePositQuireOfTheFormatTests) {
  using P = posit<16, 1>;
  std::mt19937_64 g(16);
  for (int t = 0; t < 2000; ++t) {
    formats::PositQuire pq(formats::PositSpec{16, 1});
    quire<P> q;
    for (int i = 0, len = 1 + int(g() % 256); i < len; ++i) {
      const auto a = uint16_t(g()), b = uint16_t(g());
      pq.fma(a, b);
      q.fma(P::from_bits(a), P::from_bits(b));
    }
    ASSERT_EQ(q.round().bits(), pq.to_posit());
  }
}

TEST(NumberQuire, SpecialValues) {
  quire<float16> q;
  q += std::numeric_limits<float16>::infinity();
  EXPECT_TRUE(q.round().isinf());
  q -= std::numeric_limits<float16>::infinity();
  EXPECT_TRUE(q.round().isnan());  // inf - inf
  quire<posit<8, 0>> p;
  p.fma(posit<8, 0>(2), std::numeric_limits<posit<8, 0>>::quiet_NaN());
  EXPECT_TRUE(p.round().isnan());  // NaR
  quire<float8_e4m3fn> z;
  EXPECT_TRUE(z.is_zero());
  EXPECT_EQ(z.round().bits(), 0);
}

// ---- integers: exhaustive against int64 arithmetic ---------------------------------------

template <class T>
void integer_exhaustive(int bits, bool is_signed, bool saturate) {
  const int64_t lo = is_signed ? -(int64_t(1) << (bits - 1)) : 0;
  const int64_t hi = is_signed ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
  const auto reduce = [&](int64_t v) -> int64_t {  // to the type's value
    if (saturate) return v < lo ? lo : v > hi ? hi : v;
    const int64_t m = int64_t(1) << bits;
    int64_t r = ((v % m) + m) % m;
    return is_signed && r > hi ? r - m : r;
  };
  for (int64_t x = lo; x <= hi; ++x)
    for (int64_t y = lo; y <= hi; ++y) {
      const T a = T(x), b = T(y);
      ASSERT_EQ(int64_t(double(a)), x);
      ASSERT_EQ(int64_t(double(a + b)), reduce(x + y)) << x << " + " << y;
      ASSERT_EQ(int64_t(double(a - b)), reduce(x - y)) << x << " - " << y;
      ASSERT_EQ(int64_t(double(a * b)), reduce(x * y)) << x << " * " << y;
      // Division truncates (C++); x / 0 is max, lowest or 0 (documented in integer.hpp).
      const int64_t q = y != 0 ? reduce(x / y) : x > 0 ? hi : x < 0 ? lo : 0;
      ASSERT_EQ(int64_t(double(a / b)), q) << x << " / " << y;
      ASSERT_EQ(a < b, x < y);
      ASSERT_EQ(a == b, x == y);
    }
}

TEST(NumberInteger, ExhaustiveAgainstInt64) {
  integer_exhaustive<integer<8>>(8, true, false);
  integer_exhaustive<integer<8, signedness::is_signed, int_overflow::saturate>>(8, true, true);
  integer_exhaustive<integer<8, signedness::is_unsigned>>(8, false, false);
  integer_exhaustive<integer<6, signedness::is_unsigned, int_overflow::saturate>>(6, false, true);
  integer_exhaustive<integer<4>>(4, true, false);
}

TEST(NumberInteger, WideValuesAndConversions) {
  using I32 = integer<32>;
  EXPECT_EQ(int64_t(double(I32(int64_t(1) << 40))), 0);  // wraps modulo 2^32
  EXPECT_EQ(int64_t(double(I32(2147483647) + I32(1))), -2147483648LL);
  EXPECT_EQ(int64_t(double(I32(-7.9))), -7);  // from floating point: toward zero
  using S16 = integer<16, signedness::is_signed, int_overflow::saturate>;
  EXPECT_EQ(int64_t(double(S16(1e9))), 32767);
  EXPECT_EQ(int64_t(double(std::numeric_limits<S16>::lowest())), -32768);
  EXPECT_EQ(int64_t(double(std::numeric_limits<S16>::min())), -32768);
  EXPECT_TRUE(std::numeric_limits<I32>::is_modulo);
  EXPECT_FALSE(std::numeric_limits<S16>::is_modulo);
  EXPECT_EQ(std::numeric_limits<I32>::digits, 31);
}

// ---- conversions, strings, limits, formatting --------------------------------------------

// Decimal strings round once from their exact value: strings a hair either side of every
// float16 rounding boundary (the exact decimal of each midpoint, then the next decimal
// digit up or down), checked against the reference's rounding of the exact rational.
TEST(NumberStrings, RoundOnceFromTheExactDecimal) {
  using boost::multiprecision::cpp_int;
  const Case<float16> c{ref::float16};
  const cpp_int scale = boost::multiprecision::pow(cpp_int(10), 61);
  // n * 10^-61 as a decimal string.
  const auto decimal = [](const cpp_int& n) {
    const std::string d = fmt::format("{:0>62}", n.str());
    return fmt::format("{}.{}", d.substr(0, d.size() - 61), d.substr(d.size() - 61));
  };
  int checked = 0;
  for (uint32_t code = 0; code < 0x7c00; ++code) {
    // The midpoint to the next value; above max, the overflow threshold 65520.
    const double mid = code == 0x7bff ? 65520.0 : c.value(code) / 2 + c.value(code + 1) / 2;  // exact
    const Q qmid = ref::exact(mid);
    const Q scaled = qmid * scale;
    ASSERT_EQ(denominator(scaled), 1) << "61 digits do not hold " << mid;
    const cpp_int n = numerator(scaled);
    for (const cpp_int& k : {n, cpp_int(n + 1), cpp_int(n - 1)}) {
      if (k < 0) continue;
      const std::string text = decimal(k);
      const Q q = Q(k) / scale;
      ASSERT_EQ(float16(text).bits(), c.round(q)) << text;
      ASSERT_EQ(float16(std::string("-").append(text)).bits(), c.round(-q, true)) << "-" << text;
    }
    ++checked;
  }
  EXPECT_GT(checked, 30000);
  EXPECT_EQ(P16("1e400").bits(), std::numeric_limits<P16>::max().bits());  // clamps, not NaR
  EXPECT_EQ(P16("1e-400").bits(), 1);                                               // minpos, not 0
  EXPECT_TRUE(float16("1e400").isinf());
  EXPECT_EQ(float16("-1e-400").bits(), 0x8000);
  EXPECT_TRUE(float8_e4m3fn("nan").isnan());
  EXPECT_TRUE(float16("-inf").isinf());
  EXPECT_EQ(float16("+2.5e0").bits(), float16(2.5).bits());
}

TEST(NumberStrings, NotANumberIsAOneLineError) {
  for (const char* s : {"", "abc", "1.5x", " 1", "1 ", "--1", "+-1", "0x10", "1e", ".", "e5", "1.2.3", "nan(1)", "1\n2"}) {
    try {
      (void)posit<16, 1>(s);
      ADD_FAILURE() << "accepted '" << s << "'";
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("is not a number"), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
}

TEST(NumberConversion, RoundingModesAndOverflowPolicies) {
  formats::RoundingOptions rtz;
  rtz.mode = formats::Rounding::TowardZero;
  formats::RoundingOptions sat;
  sat.overflow = formats::Overflow::Saturate;
  // 1 + 3/4 ulp: RNE up, RTZ down (float16 ulp at 1 is 2^-10).
  EXPECT_EQ(float16(1 + 0.75 * 0x1p-10).bits(), 0x3c01);
  EXPECT_EQ(float16(1 + 0.75 * 0x1p-10, rtz).bits(), 0x3c00);
  // Overflow: e4m3fn has no inf (NaN by default, 448 when saturating), e5m2 has inf.
  EXPECT_TRUE(float8_e4m3fn(1000.0).isnan());
  EXPECT_EQ(double(float8_e4m3fn(1000.0, sat)), 448.0);
  EXPECT_TRUE(float8_e5m2(1e6).isinf());
  EXPECT_EQ(double(float6_e2m3fn(100.0)), 7.5);  // Finite: saturates
  EXPECT_EQ(double(posit<8, 0>(1e9)), 64.0);     // posits clamp to maxpos
  EXPECT_EQ(double(posit<8, 0>(1e-9)), 1.0 / 64);
  // Integers convert exactly at any width, floats by the format's rounding.
  EXPECT_EQ(double(float32(16777217)), 16777216.0);
  EXPECT_EQ(double(float32(int64_t(1) << 62)), std::ldexp(1.0, 62));
  EXPECT_EQ(float(bfloat16(3.0f)), 3.0f);
}

TEST(NumberLimits, FromTheFormatDefinitions) {
  EXPECT_EQ(double(std::numeric_limits<float8_e4m3fn>::max()), 448.0);
  EXPECT_EQ(double(std::numeric_limits<float8_e4m3fn>::lowest()), -448.0);
  EXPECT_EQ(double(std::numeric_limits<float8_e4m3fn>::min()), 0x1p-6);
  EXPECT_EQ(double(std::numeric_limits<float8_e4m3fn>::denorm_min()), 0x1p-9);
  EXPECT_EQ(double(std::numeric_limits<float8_e4m3fn>::epsilon()), 0.125);
  EXPECT_FALSE(std::numeric_limits<float8_e4m3fn>::has_infinity);
  EXPECT_TRUE(std::numeric_limits<float8_e4m3fn>::has_quiet_NaN);
  EXPECT_EQ(double(std::numeric_limits<float8_e5m2>::max()), 57344.0);
  EXPECT_TRUE(std::numeric_limits<float8_e5m2>::infinity().isinf());
  EXPECT_EQ(double(std::numeric_limits<float16>::epsilon()), 0x1p-10);
  EXPECT_EQ(double(std::numeric_limits<float16>::max()), 65504.0);
  EXPECT_EQ(std::numeric_limits<float16>::max_exponent, 16);  // C23 FLT16_MAX_EXP
  EXPECT_EQ(std::numeric_limits<float16>::min_exponent, -13);  // C23 FLT16_MIN_EXP
  EXPECT_EQ(std::numeric_limits<float32>::max_exponent, std::numeric_limits<float>::max_exponent);
  EXPECT_EQ(std::numeric_limits<float32>::min_exponent, std::numeric_limits<float>::min_exponent);
  EXPECT_EQ(std::numeric_limits<float32>::digits, std::numeric_limits<float>::digits);
  EXPECT_EQ(double(std::numeric_limits<float32>::max()), double(std::numeric_limits<float>::max()));
  EXPECT_EQ(double(std::numeric_limits<float4_e2m1fn>::max()), 6.0);
  EXPECT_EQ(double(std::numeric_limits<float8_e8m0fnu>::max()), 0x1p127);
  EXPECT_EQ(double(std::numeric_limits<float8_e8m0fnu>::min()), 0x1p-127);
  EXPECT_FALSE(std::numeric_limits<float8_e8m0fnu>::is_signed);
  EXPECT_EQ(double(std::numeric_limits<posit<16, 1>>::max()), 0x1p28);
  EXPECT_EQ(double(std::numeric_limits<posit<16, 1>>::min()), 0x1p-28);
  EXPECT_EQ(double(std::numeric_limits<posit<16, 1>>::epsilon()), 0x1p-12);
  EXPECT_EQ(double(std::numeric_limits<posit<8, 0>>::epsilon()), 0x1p-5);
  EXPECT_EQ(double(std::numeric_limits<posit<32, 2>>::max()), 0x1p120);
  EXPECT_TRUE(std::numeric_limits<P16>::quiet_NaN().isnan());
}

// ---- bits, limits and conversions at the edges -------------------------------------------

TEST(NumberBits, FromBitsIgnoresBitsAboveTheWidth) {
  EXPECT_EQ(float6_e2m3fn::from_bits(0xff).bits(), 0x3f);
  EXPECT_EQ(double(float6_e2m3fn::from_bits(0xff)), -7.5);
  EXPECT_EQ(float4_e2m1fn::from_bits(0xf9).bits(), 0x9);
  EXPECT_EQ((posit<10, 1>::from_bits(0xffff).bits()), 0x3ff);
  EXPECT_EQ((posit<10, 1>::from_bits(0xffff)), (posit<10, 1>::from_bits(0x3ff)));
  using P24 = posit<24, 2>;
  EXPECT_TRUE(P24::from_bits(0xff800000u).isnan());  // NaR with junk above bit 23
  EXPECT_EQ(P24::from_bits(0xff800000u), std::numeric_limits<P24>::quiet_NaN());
  EXPECT_EQ((integer<5, signedness::is_unsigned>::from_bits(0xff).bits()), 0x1f);
}

// Each limit from its definition, computed here from the format's own codes with the
// library's (not the header's) log10: max_exponent10 = floor(log10 max), min_exponent10 =
// ceil(log10 min), epsilon = (the smallest value above 1) - 1, max as max_significand says.
template <class T>
void limits_by_definition(const char* name) {
  using L = std::numeric_limits<T>;
  SCOPED_TRACE(name);
  const double max = double(L::max()), min = double(L::min());
  EXPECT_EQ(L::max_exponent10, int(std::floor(std::log10(max))));
  EXPECT_EQ(L::min_exponent10, int(std::ceil(std::log10(min))));
  EXPECT_EQ(max, double(T::format::max_significand) * std::ldexp(1.0, L::max_exponent - 1));
  EXPECT_LE(std::ldexp(1.0, L::max_exponent - 1), max);
  EXPECT_LT(max, std::ldexp(1.0, L::max_exponent));
  EXPECT_EQ(min, std::ldexp(1.0, L::min_exponent - 1));
  double above = INFINITY, below = -INFINITY;  // the neighbours of 1 among all codes
  bool has_subnormal = false;
  for (uint32_t c = 0; c < (1u << T::format::bits); ++c) {
    const double v = double(T::from_bits(typename T::format::storage(c)));
    if (std::isnan(v) || std::isinf(v)) continue;
    if (v > 1 && v < above) above = v;
    if (v < 1 && v > below) below = v;
    has_subnormal = has_subnormal || (v != 0 && std::fabs(v) < min);
  }
  const double one = double(T(1.0));
  if (one == 1.0) {
    EXPECT_EQ(double(L::epsilon()), double(T(std::isinf(above) ? 1 - below : above - 1)));
  }
  EXPECT_EQ(L::has_denorm == std::denorm_present, has_subnormal);
  EXPECT_FALSE(L::has_denorm_loss);
}

TEST(NumberLimits, EveryLimitByItsDefinition) {
  limits_by_definition<float8_e4m3fn>("e4m3fn");
  limits_by_definition<float8_e4m3>("e4m3");
  limits_by_definition<float8_e5m2>("e5m2");
  limits_by_definition<float8_e3m4>("e3m4");
  limits_by_definition<float8_e4m3fnuz>("e4m3fnuz");
  limits_by_definition<float8_e5m2fnuz>("e5m2fnuz");
  limits_by_definition<float8_e4m3b11fnuz>("e4m3b11fnuz");
  limits_by_definition<float8_e8m0fnu>("e8m0fnu");
  limits_by_definition<float6_e2m3fn>("e2m3fn");
  limits_by_definition<float6_e3m2fn>("e3m2fn");
  limits_by_definition<float4_e2m1fn>("e2m1fn");
  limits_by_definition<float16>("float16");
  limits_by_definition<bfloat16>("bfloat16");
  limits_by_definition<minifloat<1, 2, FloatConvention::FN>>("e1m2fn (1.0 subnormal)");
  limits_by_definition<minifloat<2, 1, FloatConvention::FN>>("e2m1 FN");
  limits_by_definition<minifloat<3, 0, FloatConvention::FN>>("e3m0 FN");
  limits_by_definition<posit<8, 0>>("posit(8,0)");
  limits_by_definition<posit<16, 1>>("posit(16,1)");
  limits_by_definition<posit<3, 0>>("posit(3,0)");
  limits_by_definition<posit<2, 0>>("posit(2,0) (1 is maxpos)");
  // The built-in types' values where the format is the same.
  using LF = std::numeric_limits<float32>;
  EXPECT_EQ(LF::digits10, std::numeric_limits<float>::digits10);
  EXPECT_EQ(LF::max_digits10, std::numeric_limits<float>::max_digits10);
  EXPECT_EQ(LF::min_exponent10, std::numeric_limits<float>::min_exponent10);
  EXPECT_EQ(LF::max_exponent10, std::numeric_limits<float>::max_exponent10);
  EXPECT_EQ(std::numeric_limits<float16>::digits10, 3);  // C23 FLT16_DIG
  EXPECT_EQ(std::numeric_limits<float16>::min_exponent10, -4);  // FLT16_MIN_10_EXP
  EXPECT_EQ(std::numeric_limits<float16>::max_exponent10, 4);   // FLT16_MAX_10_EXP
  using I32 = std::numeric_limits<integer<32>>;
  using U16 = std::numeric_limits<integer<16, signedness::is_unsigned>>;
  EXPECT_EQ(I32::digits10, std::numeric_limits<int32_t>::digits10);
  EXPECT_EQ(U16::digits10, std::numeric_limits<uint16_t>::digits10);
  EXPECT_EQ(double(I32::round_error()), 0.0);
  EXPECT_EQ(I32::min_exponent10, 0);
  EXPECT_EQ(std::numeric_limits<integer<8>>::digits10, std::numeric_limits<int8_t>::digits10);
}

// Built-in operands are taken exactly: long double with all 64 significand bits, 128-bit
// integers with sticky (through the exact-value helper: __int128 is arithmetic only in
// GNU mode).
TEST(NumberConversion, LongDoubleAndInt128Exactly) {
  if constexpr (LDBL_MANT_DIG >= 61) {
    // 1 + 2^-24 is a float32 tie (to even, 1); 2^-60 above it rounds up. Through double
    // the 2^-60 would be lost.
    const long double x = 1.0L + 0x1p-24L + 0x1p-60L;
    EXPECT_EQ(float32(x).bits(), float32(1.0f).bits() + 1);
    EXPECT_EQ(float32(static_cast<double>(x)).bits(), float32(1.0f).bits());
    EXPECT_FALSE((posit<32, 2>(x) == x));
    EXPECT_TRUE(float32(1.5L) == 1.5L);
  }
  const __int128 big = (__int128(1) << 100) + (__int128(1) << 76);  // a float32 tie at 2^100
  const auto round32 = [](__int128 v) {
    return float32::format::encode(numbers_detail::exact(v), float32::format::arithmetic());
  };
  EXPECT_EQ(round32(big), float32(0x1p100).bits());  // to even
  EXPECT_EQ(round32(big + 1), float32(0x1p100).bits() + 1);  // sticky: up
  EXPECT_EQ(round32(-big - 1), float32(-0x1p100).bits() + 1);
  EXPECT_EQ(numbers_detail::compare(numbers_detail::exact(big + 1), numbers_detail::exact(big)),
            std::partial_ordering::greater);
}

TEST(NumberConversion, ToIntegralTypesIsNeverUndefined) {
  EXPECT_EQ(int(float16(NAN)), 0);
  EXPECT_EQ(int8_t(float16(1000.0)), 127);
  EXPECT_EQ(int8_t(float16(-1000.0)), -128);
  EXPECT_EQ(uint8_t(float16(-3.0)), 0);
  EXPECT_EQ(int(float16(-2.75)), -2);
  EXPECT_EQ(int64_t(float32(1e30)), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(uint64_t(float32(-1e30)), 0u);
  EXPECT_EQ(int(std::numeric_limits<float16>::infinity()), std::numeric_limits<int>::max());
  EXPECT_EQ(int(std::numeric_limits<P16>::quiet_NaN()), 0);
  EXPECT_EQ(int8_t(integer<16>(300)), int8_t(44));           // integers: modulo, as C++
  EXPECT_EQ(uint32_t(integer<32>(-1)), 0xffffffffu);
  EXPECT_EQ(int64_t(integer<32>(-7)), -7);
}

TEST(NumberComparison, BuiltInOperandsCompareExactly) {
  EXPECT_FALSE(integer<8>(100) == 356);  // 356 is not rounded (wrapped) to 100 first
  EXPECT_TRUE(integer<8>(100) != 356);
  EXPECT_TRUE(integer<8>(100) < 356);
  EXPECT_TRUE(integer<8>(100) == 100);
  EXPECT_TRUE(356 > integer<8>(100));  // reversed operands
  EXPECT_TRUE(float16(1) < 1.0000001);
  EXPECT_FALSE(float16(1) == 1.0000001);
  EXPECT_TRUE(float16(0.1) != 0.1);   // float16(0.1) is 0.0999755859375
  EXPECT_TRUE(float16(0.1) == 0.0999755859375);
  EXPECT_TRUE(-float16(0.0) == 0);    // -0 == +0
  EXPECT_TRUE(std::numeric_limits<float16>::infinity() > 1e300);
  EXPECT_TRUE(-std::numeric_limits<float16>::infinity() < -1e300);
  const P16 nar = std::numeric_limits<P16>::quiet_NaN();
  EXPECT_FALSE(nar == 0);
  EXPECT_FALSE(nar < 0);
  EXPECT_FALSE(nar > 0);
  EXPECT_TRUE((nar <=> 0) == std::partial_ordering::unordered);
  EXPECT_FALSE(float16(1) == NAN);
  EXPECT_TRUE(P16(2) == 2 && 2 == P16(2) && 3 > P16(2) && P16(2) <= 2.0f);
}

TEST(NumberConversion, OptionsAreValidated) {
  formats::RoundingOptions sr;
  sr.mode = formats::Rounding::Stochastic;  // and no random source
  formats::RoundingOptions to_inf;
  to_inf.overflow = formats::Overflow::Infinity;
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([&] { (void)float16(1.0, sr); }), "stochastic rounding needs a random source");
  EXPECT_EQ(message([&] { (void)float16("1.5", sr); }), "stochastic rounding needs a random source");
  EXPECT_EQ(message([&] { (void)quire<float16>().round(sr); }), "stochastic rounding needs a random source");
  EXPECT_EQ(message([&] { (void)float8_e4m3fn(1000.0, to_inf); }), "overflow=inf: format e4m3:bias=7:fn has no infinity");
  EXPECT_EQ(message([&] { (void)P16(1.0, to_inf); }), "overflow=inf: format posit(16,1) has no infinity");
  EXPECT_EQ(message([&] { (void)integer<8>(1.0, to_inf); }).rfind("overflow=inf: format ", 0), 0u);
  formats::RandomBits rng(1);
  sr.rng = &rng;
  EXPECT_EQ(message([&] { (void)float16(1.0, sr); }), "no error");
  sr.sr_bits = 0;
  EXPECT_EQ(message([&] { (void)float16(1.0, sr); }), "stochastic rounding bits must be 1..63, got 0");
}

// Decimal strings into wrapping integers are reduced modulo 2^N exactly, at any magnitude:
// random integers of up to 40 digits (with fractions and exponents) against Boost cpp_int.
TEST(NumberStrings, WrappingIntegersReduceExactly) {
  using boost::multiprecision::cpp_int;
  std::mt19937_64 g(21);
  formats::RoundingOptions rne;  // nearest, ties to even (the default rounding is toward zero)
  const auto wrap = [](const cpp_int& v, int n, bool is_signed) {
    const cpp_int m = cpp_int(1) << n;
    cpp_int r = v % m;
    if (r < 0) r += m;
    if (is_signed && r >= m / 2) r -= m;
    return int64_t(r);
  };
  for (int t = 0; t < 20000; ++t) {
    std::string digits(1 + g() % 40, '0');
    for (auto& d : digits) d = char('0' + g() % 10);
    const int frac_len = int(g() % 4);  // 0..3 digits after the point (".5" ties included)
    std::string frac(size_t(frac_len), '0');
    for (auto& d : frac) d = char('0' + (g() % 3 == 0 ? 5 : g() % 10));
    const int exp10 = g() % 4 == 0 ? int(g() % 30) : 0;
    const bool neg = g() % 2;
    std::string text = (neg ? "-" : "") + digits + (frac.empty() ? "" : "." + frac) + (exp10 ? "e" + std::to_string(exp10) : "");
    // The exact value as num / 10^den_digits.
    std::string all = digits + frac;  // cpp_int reads a leading 0 as octal
    all.erase(0, std::min(all.find_first_not_of('0'), all.size() - 1));
    cpp_int num(all);
    int scale = frac_len - exp10;
    if (scale < 0) num *= boost::multiprecision::pow(cpp_int(10), -scale), scale = 0;
    const cpp_int den = boost::multiprecision::pow(cpp_int(10), scale);
    const cpp_int trunc = num / den, rem = num % den;
    cpp_int nearest = trunc;
    if (rem * 2 > den || (rem * 2 == den && trunc % 2 == 1)) nearest += 1;
    const cpp_int sgn = neg ? -1 : 1;
    ASSERT_EQ(int64_t(integer<32>(text)), wrap(sgn * trunc, 32, true)) << text;
    ASSERT_EQ(int64_t(integer<8>(text)), wrap(sgn * trunc, 8, true)) << text;
    ASSERT_EQ(int64_t(integer<16, signedness::is_unsigned>(text)), wrap(sgn * trunc, 16, false)) << text;
    ASSERT_EQ(int64_t(integer<32>(text, rne)), wrap(sgn * nearest, 32, true)) << text;
  }
  EXPECT_EQ(int64_t(integer<32>("18446744073709551617")), 1);  // 2^64 + 1
  EXPECT_EQ(int64_t(integer<8>("-300.7")), -44);
  EXPECT_EQ(int64_t(integer<8>("1e9223372036854775807")), 0);   // 10^huge = 0 mod 2^8
  // Saturating integers clamp from the exact value, as before.
  EXPECT_EQ(int64_t(integer<8, signedness::is_signed, int_overflow::saturate>("1e30")), 127);
}

TEST(NumberStrings, ExponentsAtTheLimitsOfLong) {
  EXPECT_TRUE(float16("1e9223372036854775807").isinf());
  EXPECT_EQ(float16("1e-9223372036854775808").bits(), 0);
  EXPECT_TRUE(float16("1E00000000000000000000000000000009223372036854775807").isinf());  // the fuzz find
  EXPECT_TRUE(float16("0.0001e9223372036854775807").isinf());
  EXPECT_EQ(float16("123456789e-9223372036854775807").bits(), 0);
}

// Integer quires keep the exact sum: wrapping types round to it modulo 2^N, saturating ones
// clamp it; random int32 dot products whose sums pass 2^64, against __int128.
TEST(NumberQuire, IntegerSumsBeyond64Bits) {
  using I32 = integer<32>;
  using S32 = integer<32, signedness::is_signed, int_overflow::saturate>;
  std::mt19937_64 g(22);
  for (int t = 0; t < 200; ++t) {
    quire<I32> q;
    quire<S32> s;
    __int128 ref = 0;
    const bool same_sign = t % 2;  // half the sums grow far past 2^64
    for (int i = 0; i < 1000; ++i) {
      int32_t a = int32_t(g()), b = int32_t(g());
      if (same_sign) a = a < 0 ? a : -a, b = b < 0 ? b : -b;  // products >= 0
      q.fma(I32(a), I32(b));
      s.fma(S32(a), S32(b));
      ref += __int128(a) * b;
    }
    ASSERT_EQ(int64_t(q.round()), int64_t(int32_t(uint32_t(uint64_t(ref)))));
    const __int128 clamped = ref > INT32_MAX ? INT32_MAX : ref < INT32_MIN ? INT32_MIN : ref;
    ASSERT_EQ(int64_t(s.round()), int64_t(clamped));
  }
  quire<I32> q;
  for (int i = 0; i < 8; ++i) q.fma(std::numeric_limits<I32>::lowest(), std::numeric_limits<I32>::lowest());  // 8 * 2^62
  q += I32(5);
  EXPECT_EQ(int64_t(q.round()), 5);  // 2^65 + 5 mod 2^32
}

// A sum that would overflow the quire throws and leaves the sum as it was.
TEST(NumberQuire, OverflowThrowsInsteadOfWrapping) {
  formats::Quire q(0, 64);
  q.add(false, (unsigned __int128)1 << 62, 0);
  EXPECT_THROW(q.add(false, (unsigned __int128)1 << 62, 0), std::domain_error);  // 2^63 needs 65 bits
  EXPECT_EQ(q.value().exp, 62);
  EXPECT_EQ(q.value().sig, uint64_t(1) << 63);
  EXPECT_FALSE(q.value().neg);
  formats::Quire n(0, 64);
  n.add(true, (unsigned __int128)1 << 62, 0);
  n.add(true, (unsigned __int128)1 << 62, 0);  // -2^63 fits
  EXPECT_TRUE(n.value().neg);
  EXPECT_EQ(n.value().exp, 63);
  EXPECT_THROW(n.add(true, 1, 0), std::domain_error);
  EXPECT_EQ(n.value().exp, 63);
  n.add(false, 1, 0);  // and it goes on from there
  EXPECT_EQ(n.value().sig, ~uint64_t(0) << 1);
}

// Each ml_dtypes alias is the format registry's preset of that name.
TEST(NumberAliases, AreTheRegistryPresets) {
  const auto check = [](auto tag, const char* name) {
    using T = decltype(tag);
    const auto spec = std::get<formats::MinifloatSpec>(formats::ElementFormat::parse(name).spec());
    EXPECT_EQ(T::format::codec().spec(), spec) << name;
  };
  check(float8_e4m3fn{}, "float8_e4m3fn");
  check(float8_e4m3{}, "float8_e4m3");
  check(float8_e5m2{}, "float8_e5m2");
  check(float8_e3m4{}, "float8_e3m4");
  check(float8_e4m3fnuz{}, "float8_e4m3fnuz");
  check(float8_e5m2fnuz{}, "float8_e5m2fnuz");
  check(float8_e4m3b11fnuz{}, "float8_e4m3b11fnuz");
  check(float8_e8m0fnu{}, "float8_e8m0fnu");
  check(float6_e2m3fn{}, "float6_e2m3fn");
  check(float6_e3m2fn{}, "float6_e3m2fn");
  check(float4_e2m1fn{}, "float4_e2m1fn");
  check(float16{}, "float16");
  check(bfloat16{}, "bfloat16");
  check(float32{}, "float32");
}

TEST(NumberFormatting, FmtStreamsAndNames) {
  posit<16, 1> a = 1.5, b = 2, c = 0.25;
  c = a * b + c;  // the README's and docs/cpp.md's example
  EXPECT_EQ(fmt::format("{} {}\n", c, fma(a, b, c)), "3.25 6.25\n");
  EXPECT_EQ(fmt::format("{}", c), "3.25");
  EXPECT_EQ(fmt::format("{:.2e}", c), "3.25e+00");
  EXPECT_EQ(fmt::format("{:>6}", posit<8, 0>(0.5)), "   0.5");
  EXPECT_EQ(fmt::format("{}", std::numeric_limits<posit<8, 0>>::quiet_NaN()), "NaR");
  EXPECT_EQ(fmt::format("{}", float8_e4m3fn(1000.0)), "nan");
  EXPECT_EQ(fmt::format("{:>5}", std::numeric_limits<posit<8, 0>>::quiet_NaN()), "  NaR");  // the spec applies
  EXPECT_EQ(fmt::format("{:<5}|", float8_e4m3fn(1000.0)), "nan  |");
  EXPECT_EQ(fmt::format("{:+.3e}", std::numeric_limits<P16>::quiet_NaN()), "+NaR");
  std::ostringstream os;
  os << float16(0.1) << " " << -float8_e5m2(0.0) << " " << integer<8>(-5);
  EXPECT_EQ(os.str(), "0.0999755859375 -0 -5");
  EXPECT_EQ(to_string(bfloat16(1) / bfloat16(3)), "0.333984375");
  EXPECT_EQ(P16::format::name(), "posit(16,1)");
  EXPECT_EQ(float8_e4m3fn::format::name(), "e4m3:bias=7:fn");
  // Mixed operands convert (hidden friends): 2 * a, a / 4.
  EXPECT_EQ(double(2 * a), 3.0);
  EXPECT_EQ(double(a / 4), 0.375);
}

}  // namespace
