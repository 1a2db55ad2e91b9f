// Arithmetic units against independent references: exact rationals (boost cpp_rational),
// 128-bit integers, and the FPU's own correctly rounded float arithmetic.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

#include <boost/multiprecision/cpp_int.hpp>

#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/adder_tree.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim {
namespace {

using boost::multiprecision::cpp_int;
using Q = boost::multiprecision::cpp_rational;
using formats::ElementFormat;
using formats::Unrounded;

Q pow2(int e) { return e >= 0 ? Q(cpp_int(1) << e) : Q(1) / Q(cpp_int(1) << -e); }

Q to_q(const Unrounded& u) {
  if (u.kind == Unrounded::Kind::Zero) return 0;
  const Q v = Q(cpp_int(u.sig)) * pow2(u.exp - 63);
  return u.neg ? -v : v;
}

TEST(Multiply, ExactOnEveryPairOfTwoFormats) {
  for (auto [fa, fb] : {std::pair{"e4m3", "e5m2"}, std::pair{"fp4", "posit8_0"}, std::pair{"int8", "e4m3fnuz"}}) {
    const auto a = ElementFormat::parse(fa), b = ElementFormat::parse(fb);
    for (uint32_t i = 0; i < (1u << a.bits()); ++i)
      for (uint32_t j = 0; j < (1u << b.bits()); ++j) {
        const double x = a.decode(i), y = b.decode(j);
        const auto p = units::multiply_exact(a.decode_exact(i), b.decode_exact(j));
        if (std::isnan(x) || std::isnan(y) || std::isinf(x) || std::isinf(y)) {
          ASSERT_FALSE(p.finite() || p.kind == Unrounded::Kind::Zero);
          continue;
        }
        ASSERT_FALSE(p.sticky);
        ASSERT_EQ(to_q(p), Q(x) * Q(y)) << fa << " " << i << " x " << fb << " " << j;
      }
  }
}

TEST(Multiply, LutMultiplierHoldsEveryExactProduct) {
  const auto a = ElementFormat::parse("fp4"), b = ElementFormat::parse("e4m3");
  const units::LutMultiplier lut(a, b);
  EXPECT_EQ(lut.entries(), 4096u);
  for (uint32_t i = 0; i < 16; ++i)
    for (uint32_t j = 0; j < 256; ++j) {
      if (b.is_nan(j)) continue;
      ASSERT_EQ(to_q(lut.multiply(i, j)), Q(a.decode(i)) * Q(b.decode(j)));
    }
  EXPECT_THROW(units::LutMultiplier(ElementFormat::parse("e4m3"), ElementFormat::parse("fp16")), std::invalid_argument);
}

TEST(ShiftAdd, CsdIsNonAdjacentAndExact) {
  for (int64_t w = -5000; w <= 5000; ++w) {
    const auto d = units::csd(w);
    int64_t s = 0;
    for (size_t i = 0; i < d.size(); ++i) {
      s += (d[i].neg ? -1 : 1) * (int64_t(1) << d[i].shift);
      if (i) {
        ASSERT_GE(d[i - 1].shift - d[i].shift, 2) << w;  // no two adjacent nonzero digits
      }
    }
    ASSERT_EQ(s, w);
    ASSERT_LE(d.size(), size_t((64 - std::countl_zero(uint64_t(std::abs(w)))) / 2 + 1)) << w;
  }
  for (int64_t x = -128; x < 128; ++x)
    for (int64_t w = -128; w < 128; ++w) ASSERT_EQ(units::shift_add_multiply(x, w, 8), x * w);
  // Fewer terms: the product of x with the weight's leading CSD digits only.
  EXPECT_EQ(units::shift_add_multiply(3, 7, 1), 3 * 8);   // 7 = 8 - 1
  EXPECT_EQ(units::shift_add_multiply(3, 7, 2), 3 * 7);
  EXPECT_THROW(units::shift_add_multiply(1, 1, 0), std::invalid_argument);
}

// L-Mul against the paper's formula, computed with rationals from the decoded fields.
TEST(LMul, FormulaAndHardwareVariants) {
  for (const char* name : {"float8_e4m3", "e4m3", "e5m2", "e3m4", "e2m5:fn", "e3m6:fn", "e2m7:fn"}) {
    const auto f = ElementFormat::parse(name);
    const auto& c = *f.codec<formats::MinifloatCodec>();
    const int m = c.spec().m, l = units::lmul_offset_bits(m);
    for (uint32_t a = 0; a < (1u << f.bits()); ++a)
      for (uint32_t b = 0; b < (1u << f.bits()); ++b) {
        if (c.is_nan(a) || c.is_nan(b) || c.is_inf(a) || c.is_inf(b)) continue;
        const uint32_t ma = a & (c.sign_bit() - 1), mb = b & (c.sign_bit() - 1);
        const int ea = int(ma >> m), eb = int(mb >> m);
        const auto pf = units::lmul(c, a, b, units::LMulVariant::Formula);
        const auto ph = units::lmul(c, a, b, units::LMulVariant::Hardware);
        if (ea == 0 || eb == 0) {
          ASSERT_EQ(pf.kind, Unrounded::Kind::Zero);
          continue;
        }
        const Q xm = Q(cpp_int(ma & ((1u << m) - 1))) / Q(cpp_int(1) << m);
        const Q ym = Q(cpp_int(mb & ((1u << m) - 1))) / Q(cpp_int(1) << m);
        const int e = ea + eb - 2 * c.spec().bias;
        const Q s = xm + ym + pow2(-l);
        const bool neg = ((a ^ b) & c.sign_bit()) != 0;
        // Hardware: the literal adder on the packed fields (biased exponent|mantissa).
        const int64_t field = (int64_t(ea + eb - c.spec().bias) << m) + int64_t(ma & ((1u << m) - 1)) +
                              int64_t(mb & ((1u << m) - 1)) + (int64_t(1) << (m - l));
        const int64_t fe = field >> m, fm = field & ((int64_t(1) << m) - 1);
        const Q formula = (1 + s) * pow2(e),
                hardware = (1 + Q(cpp_int(fm)) / Q(cpp_int(1) << m)) * pow2(int(fe) - c.spec().bias);
        ASSERT_EQ(to_q(pf), neg ? -formula : formula) << name << " " << a << " " << b;
        ASSERT_EQ(to_q(ph), neg ? -hardware : hardware) << name << " " << a << " " << b;
      }
  }
}

// The count: the two variants differ on 21,952 of the 50,176 pairs of normal
// float8_e4m3 (IEEE-style, 224 normal codes) values.
TEST(LMul, VariantsDifferOn21952Of50176NormalE4m3Pairs) {
  const auto f = ElementFormat::parse("float8_e4m3");
  const auto& c = *f.codec<formats::MinifloatCodec>();
  std::vector<uint32_t> normal;
  for (uint32_t a = 0; a < 256; ++a) {
    const uint32_t ef = (a & 0x7f) >> 3;
    if (ef != 0 && !c.is_nan(a) && !c.is_inf(a)) normal.push_back(a);
  }
  ASSERT_EQ(normal.size() * normal.size(), 50176u);
  size_t differ = 0;
  for (uint32_t a : normal)
    for (uint32_t b : normal)
      differ += to_q(units::lmul(c, a, b, units::LMulVariant::Formula)) != to_q(units::lmul(c, a, b, units::LMulVariant::Hardware));
  EXPECT_EQ(differ, 21952u);
}

TEST(IntAccumulator, WrapAndSaturateAgainstWideIntegers) {
  std::mt19937_64 g(1);
  for (int width : {8, 16, 24, 32, 48}) {
    for (bool sat : {false, true}) {
      units::IntAccumulator acc(width, sat);
      __int128 ref = 0;
      bool ovf = false;
      const __int128 lo = -(__int128(1) << (width - 1)), hi = (__int128(1) << (width - 1)) - 1;
      for (int i = 0; i < 20000; ++i) {
        const int64_t v = int64_t(g() % (uint64_t(1) << (width - 2))) - (int64_t(1) << (width - 3));
        acc.add(v);
        __int128 s = ref + v;
        if (s < lo || s > hi) {
          ovf = true;
          if (sat) s = s < lo ? lo : hi;
          else {
            s = (s - lo) % (hi - lo + 1);
            if (s < 0) s += hi - lo + 1;
            s += lo;
          }
        }
        ref = s;
        ASSERT_EQ(acc.value(), int64_t(ref)) << width << " " << sat << " step " << i;
        ASSERT_EQ(acc.overflow(), ovf);
      }
    }
  }
  EXPECT_THROW(units::IntAccumulator(1, false), std::invalid_argument);
}

// Floating accumulation: float32 and float16 adds are the FPU's correctly rounded adds
// (double holds float sums exactly enough: 53 >= 2*24+2, so float(double(a)+double(b)) is
// the correctly rounded float sum).
TEST(FloatAccumulator, MatchesHardwareFloatAdds) {
  std::mt19937_64 g(2);
  std::normal_distribution<float> n(0, 1);
  const auto fp32 = ElementFormat::parse("fp32"), fp16 = ElementFormat::parse("fp16");
  units::FloatAccumulator acc(fp32);
  float ref = 0;
  for (int i = 0; i < 200000; ++i) {
    const float x = std::ldexp(n(g), int(g() % 60) - 30);
    acc.add(Unrounded::from_float(x));
    ref = float(double(ref) + double(x));
    ASSERT_EQ(std::bit_cast<uint32_t>(float(acc.value())), std::bit_cast<uint32_t>(ref)) << i;
  }
  units::FloatAccumulator h(fp16);
  _Float16 r16 = 0;
  for (int i = 0; i < 100000; ++i) {
    const _Float16 x = _Float16(std::ldexp(n(g), int(g() % 16) - 8));
    h.add(Unrounded::from_float(float(x)));
    r16 = _Float16(float(r16) + float(x));
    ASSERT_EQ(h.value(), double(float(r16))) << i;
  }
}

TEST(Add, ExactWithStickyRoundsLikeTheTrueSum) {
  std::mt19937_64 g(3);
  const auto f32 = ElementFormat::parse("fp32");
  for (int i = 0; i < 300000; ++i) {
    const double a = std::ldexp(double(int64_t(g() >> 11)) * (g() & 1 ? -1 : 1), int(g() % 200) - 100 - 53);
    const double b = std::ldexp(double(int64_t(g() >> 11)) * (g() & 1 ? -1 : 1), int(g() % 200) - 100 - 53);
    const auto s = units::add(Unrounded::from_double(a), Unrounded::from_double(b));
    // Reference: the exact rational sum, compared through the float32 rounding brackets.
    const Q exact = Q(a) + Q(b);
    const float r = float(f32.decode(f32.encode(s)));
    if (exact == 0) {
      ASSERT_EQ(r, 0.0f);
      continue;
    }
    const float lo = std::nextafter(r, -INFINITY), hi = std::nextafter(r, INFINITY);
    ASSERT_TRUE(abs(exact - Q(double(r))) <= abs(exact - Q(double(lo))) && abs(exact - Q(double(r))) <= abs(exact - Q(double(hi))))
        << std::hexfloat << a << " + " << b;
  }
}

TEST(AdderTree, AlignedTruncationMatchesRationalModel) {
  std::mt19937_64 g(4);
  for (int align : {10, 27, 40, 90})
    for (bool round : {false, true}) {
      const units::AdderTree tree({17, align, round});
      for (int trial = 0; trial < 3000; ++trial) {
        std::vector<Unrounded> t;
        std::vector<Q> v;
        for (int i = 0; i < 17; ++i) {
          const double x = std::ldexp(double(int64_t(g() % 4096) - 2048), int(g() % 40) - 20);
          t.push_back(Unrounded::from_double(x));
          v.push_back(Q(x));
        }
        int emax = INT32_MIN;
        for (const auto& u : t)
          if (u.finite()) emax = std::max(emax, u.exp);
        const Unrounded s = tree.sum(t);
        if (emax == INT32_MIN) {
          ASSERT_EQ(s.kind, Unrounded::Kind::Zero);
          continue;
        }
        const Q unit = pow2(emax - align + 1);
        Q ref = 0;
        for (const Q& x : v) {
          const Q q = abs(x) / unit;
          cpp_int fl = boost::multiprecision::numerator(q) / boost::multiprecision::denominator(q);
          if (round) {
            const Q frac = q - Q(fl);
            if (frac > Q(1, 2) || (frac == Q(1, 2) && (fl & 1) != 0)) fl += 1;
          }
          ref += (x < 0 ? -Q(fl) : Q(fl)) * unit;
        }
        ASSERT_EQ(to_q(s), ref) << align << " " << round << " trial " << trial;
      }
    }
  const units::AdderTree tree({4, 27, false});
  std::vector<Unrounded> nan_inf = {Unrounded::inf(false), Unrounded::inf(true)};
  EXPECT_EQ(tree.sum(nan_inf).kind, Unrounded::Kind::NaN);
  EXPECT_THROW(units::AdderTree({0, 27, false}), std::invalid_argument);
  EXPECT_THROW(units::AdderTree({4, 101, false}), std::invalid_argument);
}

}  // namespace
}  // namespace arithsim
