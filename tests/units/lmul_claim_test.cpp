// The L-Mul paper's numerical claim (Luo & Sun, arXiv 2410.00907, abstract): "L-Mul with
// 4-bit mantissa achieves comparable precision as float8_e4m3 multiplications, and L-Mul
// with 3-bit mantissa outperforms float8_e5m2". The paper's exact protocol is not in the
// sources we could read (docs/research/pe-papers.md), so this test fixes one and states it:
//  - operands x, y ~ N(0,1), 400k pairs, seed 1, |x|,|y| >= 1e-3;
//  - L-Mul (hardware variant) on x, y rounded (RNE) to E8Mm: the paper's bf16/fp32-style
//    exponent range with an m-bit mantissa;
//  - FP8 multiplication: x, y rounded to float8_e4m3fn / float8_e5m2 (RNE, saturating), their
//    exact product rounded to the same format (RNE);
//  - metric: root-mean-square relative error against the exact float64 product x*y.
// Under this protocol both claims hold. Under the mean *absolute* relative error, L-Mul m=3
// still beats E5M2, but L-Mul m=4 (about 5.3%) does not reach E4M3 (about 4.4%): E4M3's
// error is mostly small values losing precision near its narrow range, which RMS weighs
// more. docs/pe/lmul_pe.md records both.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <arithsim/models/units/multiplier.hpp>

namespace arithsim {
namespace {

struct Err {
  double rms = 0, mean_abs = 0;
};

TEST(LMulPaperClaim, FourBitMantissaMatchesE4m3AndThreeBitBeatsE5m2) {
  std::mt19937_64 g(1);
  std::normal_distribution<double> nd(0, 1);
  std::vector<std::pair<double, double>> xs;
  while (xs.size() < 400000) {
    const double x = nd(g), y = nd(g);
    if (std::fabs(x) >= 1e-3 && std::fabs(y) >= 1e-3) xs.emplace_back(x, y);
  }
  auto measure = [&](auto approx) {
    Err e;
    for (auto [x, y] : xs) {
      const double p = x * y, r = (approx(x, y) - p) / p;
      e.rms += r * r;
      e.mean_abs += std::fabs(r);
    }
    e.rms = std::sqrt(e.rms / double(xs.size()));
    e.mean_abs /= double(xs.size());
    return e;
  };
  auto lmul_err = [&](int m) {
    const auto f = formats::ElementFormat::parse("e8m" + std::to_string(m));
    const auto& c = *f.codec<formats::MinifloatCodec>();
    return measure([&](double x, double y) {
      const auto u = units::lmul(c, c.encode(x), c.encode(y), units::LMulVariant::Hardware);
      return std::ldexp(double(u.sig), u.exp - 63) * (u.neg ? -1 : 1);
    });
  };
  auto fp8_err = [&](const char* name) {
    const auto f = formats::ElementFormat::parse(name);
    formats::RoundingOptions sat;
    sat.overflow = formats::Overflow::Saturate;
    return measure([&](double x, double y) {
      const double q = f.decode(f.encode(x, sat)) * f.decode(f.encode(y, sat));  // exact in double
      return f.decode(f.encode(q, sat));
    });
  };
  const Err l4 = lmul_err(4), l3 = lmul_err(3), e4m3 = fp8_err("float8_e4m3fn"), e5m2 = fp8_err("float8_e5m2");
  RecordProperty("lmul_m4_rms", std::to_string(l4.rms));
  RecordProperty("e4m3_rms", std::to_string(e4m3.rms));
  std::printf("RMS relative error: L-Mul m4 %.4f vs E4M3 %.4f; L-Mul m3 %.4f vs E5M2 %.4f\n", l4.rms, e4m3.rms, l3.rms, e5m2.rms);
  std::printf("mean |relative error|: L-Mul m4 %.4f vs E4M3 %.4f; L-Mul m3 %.4f vs E5M2 %.4f\n", l4.mean_abs, e4m3.mean_abs,
              l3.mean_abs, e5m2.mean_abs);
  EXPECT_LE(l4.rms, e4m3.rms);           // "comparable to float8_e4m3": at least as precise here
  EXPECT_LT(l3.rms, e5m2.rms);           // "outperforms float8_e5m2"
  EXPECT_LT(l3.mean_abs, e5m2.mean_abs);  // holds under the other metric too
  EXPECT_GT(l4.mean_abs, e4m3.mean_abs);  // and this one does not: recorded, see the header
}

}  // namespace
}  // namespace arithsim
