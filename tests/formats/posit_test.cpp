// Posits against the independent reference: exhaustive decode, round trip of every code,
// RNE encode at every pattern midpoint (the (n+1)-bit posit between two codes) and its
// neighbours, random inputs, and the quire against exact rational sums.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <boost/multiprecision/cpp_int.hpp>

#include <arithsim/models/formats/posit.hpp>
#include <arithsim/models/formats/quire.hpp>
#include "tests/formats/test_util.hpp"

namespace arithsim {
namespace {

using formats::PositCodec;
using formats::PositSpec;
using Q = boost::multiprecision::cpp_rational;

class Posit : public ::testing::TestWithParam<PositSpec> {};

TEST_P(Posit, DecodeEveryCodeAndRoundTrip) {
  const auto s = GetParam();
  const PositCodec c(s);
  for (uint32_t code = 0; code < (1u << s.n); ++code) {
    const double want = ref::posit_decode(s.n, s.es, code);
    ASSERT_TRUE(test::same_value(c.decode(code), want)) << s.to_string() << " 0x" << std::hex << code;
    ASSERT_TRUE(test::same_value(c.table()[code], want));
    if (code == c.nar()) continue;
    ASSERT_EQ(c.encode(want), code) << s.to_string() << " 0x" << std::hex << code;
    if (double(float(want)) == want) {
      ASSERT_EQ(c.encode(float(want)), code);
    }
  }
  EXPECT_EQ(c.encode(std::nan("")), c.nar());
  EXPECT_EQ(c.encode(HUGE_VAL), c.nar());
  EXPECT_EQ(c.encode(-0.0), 0u);
}

TEST_P(Posit, EncodeAtEveryPatternMidpoint) {
  const auto s = GetParam();
  const PositCodec c(s);
  const uint32_t top = c.maxpos();
  size_t checked = 0;
  for (uint32_t code = 1; code < top; ++code) {
    // The midpoint in the encoding's sense: posit(n+1) pattern (code << 1) | 1.
    const double mid = ref::posit_decode(s.n + 1, s.es, (code << 1) | 1);
    for (double x : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, HUGE_VAL)})
      for (double sx : {x, -x}) {
        ASSERT_EQ(c.encode(sx), ref::posit_encode_rne(s.n, s.es, sx)) << s.to_string() << " " << std::hexfloat << sx;
        ++checked;
      }
  }
  // Clamping: never zero, never NaR.
  const double maxpos = c.decode(top), minpos = c.decode(1);
  EXPECT_EQ(c.encode(maxpos * 1e10), top);
  EXPECT_EQ(c.encode(minpos / 1e10), 1u);
  EXPECT_EQ(c.encode(-minpos / 1e10), (0u - 1u) & ((1u << s.n) - 1));
  EXPECT_GT(checked, 0u);
}

TEST_P(Posit, EncodeRandom) {
  const auto s = GetParam();
  const PositCodec c(s);
  const int lo = -s.max_scale() - 3, hi = s.max_scale() + 3;
  auto in = test::random_floats(1'000'000 / 5, std::max(lo, -149), std::min(hi, 127), s.n * 7 + s.es);
  for (float x : in)
    ASSERT_EQ(c.encode(x), ref::posit_encode_rne(s.n, s.es, x)) << s.to_string() << " " << std::hexfloat << x;
}

INSTANTIATE_TEST_SUITE_P(Required, Posit,
                         ::testing::Values(PositSpec{4, 1}, PositSpec{8, 0}, PositSpec{16, 1}, PositSpec{8, 2},
                                           PositSpec{16, 2}, PositSpec{6, 3}, PositSpec{10, 4}, PositSpec{3, 0}),
                         [](const auto& i) { return "posit" + std::to_string(i.param.n) + "_" + std::to_string(i.param.es); });

TEST(Posit32, RandomAgainstReference) {
  for (int es : {0, 2, 4}) {
    const PositCodec c(PositSpec{32, es});
    auto in = test::random_floats(100000, -126, 127, es);
    for (float x : in) ASSERT_EQ(c.encode(x), ref::posit_encode_rne(32, es, x)) << es << " " << std::hexfloat << x;
    std::mt19937_64 g(es);
    for (int i = 0; i < 100000; ++i) {
      const uint32_t code = uint32_t(g());
      if (code == c.nar()) continue;
      ASSERT_TRUE(test::same_value(c.decode(code), ref::posit_decode(32, es, code)));
    }
  }
}

TEST(PositSpecs, KnownValuesFromTheStandard) {
  EXPECT_EQ(PositCodec(PositSpec{8, 0}).encode(1.0), 0x40u);
  EXPECT_EQ(PositCodec(PositSpec{8, 0}).decode(0x7f), 64.0);
  EXPECT_EQ(PositCodec(PositSpec{16, 1}).encode(1.0), 0x4000u);
  EXPECT_EQ(PositCodec(PositSpec{8, 2}).decode(0x7f), 0x1p24);
  EXPECT_EQ(PositCodec(PositSpec{32, 2}).decode(0x7fffffff), 0x1p120);
  EXPECT_THROW(PositCodec(PositSpec{33, 2}), std::invalid_argument);
  EXPECT_THROW(PositCodec(PositSpec{8, 5}), std::invalid_argument);
}

Q to_q(const formats::Unrounded& u) {
  if (u.kind == formats::Unrounded::Kind::Zero) return 0;
  Q v = Q(boost::multiprecision::cpp_int(u.sig));
  const int e = u.exp - 63;
  if (e >= 0) v *= Q(boost::multiprecision::cpp_int(1) << e);
  else v /= Q(boost::multiprecision::cpp_int(1) << -e);
  return u.neg ? -v : v;
}

Q decode_q(int n, int es, uint32_t code) { return Q(ref::posit_decode(n, es, code)); }

// Quire: sum of products is exact; one final rounding agrees with pattern midpoints.
TEST(PositQuire, ExactDotProductsAndOneRounding) {
  for (const PositSpec s : {PositSpec{8, 0}, PositSpec{16, 1}, PositSpec{16, 2}, PositSpec{4, 1}}) {
    const PositCodec c(s);
    std::mt19937_64 g(s.n + s.es);
    formats::PositQuire q(s);
    for (int trial = 0; trial < 300; ++trial) {
      q.clear();
      Q exact = 0;
      const int len = 1 + int(g() % 64);
      for (int i = 0; i < len; ++i) {
        uint32_t a = uint32_t(g()) & ((1u << s.n) - 1), b = uint32_t(g()) & ((1u << s.n) - 1);
        if (a == c.nar()) a = 0;
        if (b == c.nar()) b = 0;
        q.fma(a, b);
        exact += decode_q(s.n, s.es, a) * decode_q(s.n, s.es, b);
      }
      const auto v = q.quire().value();
      if (!v.sticky) {
        ASSERT_EQ(to_q(v), exact);
      } else {  // truncated to 64 bits: the exact magnitude lies within one unit above
        formats::Unrounded ulp = v;
        ulp.sig = uint64_t(1);
        const Q lo = abs(to_q(v)), unit = abs(to_q(ulp)), ae = abs(exact);
        ASSERT_TRUE(ae > lo && ae < lo + unit);
      }
      const uint32_t r = q.to_posit();
      if (exact == 0) {
        ASSERT_EQ(r, 0u);
        continue;
      }
      // r must be the RNE pattern rounding: exact lies between the midpoints around r.
      const bool neg = exact < 0;
      const Q ax = neg ? Q(-exact) : exact;
      const uint32_t m = neg ? (0u - r) & ((1u << s.n) - 1) : r;
      ASSERT_TRUE(m >= 1 && m <= c.maxpos());
      if (m > 1) {
        ASSERT_GE(ax, decode_q(s.n + 1, s.es, ((m - 1) << 1) | 1));
      }
      if (m < c.maxpos()) {
        ASSERT_LE(ax, decode_q(s.n + 1, s.es, (m << 1) | 1));
      }
    }
    q.clear();
    q.fma(c.nar(), 0x1);
    EXPECT_TRUE(q.is_nar());
    EXPECT_EQ(q.to_posit(), c.nar());
  }
}

TEST(Quire, RejectsInexactTerms) {
  formats::Quire q(-10, 64);
  EXPECT_THROW(q.add(false, 1, -11), std::domain_error);
  EXPECT_THROW(q.add(false, 1, 60), std::domain_error);
  q.add(true, 3, -10);
  q.add(false, 1, -9);
  const auto v = q.value();
  EXPECT_TRUE(v.neg);
  EXPECT_EQ(to_q(v), Q(-1) / 1024);
}

}  // namespace
}  // namespace arithsim
