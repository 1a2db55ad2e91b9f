// RMMEC against an independent reference: operand values from the format definitions (via
// the proven decoders), exact products and sums as rationals (boost cpp_rational), and a
// self-written rational -> float32 round-to-nearest-even for the output and FP32 cycles.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <boost/multiprecision/cpp_int.hpp>

#include <arithsim/models/pe/pe.hpp>

namespace arithsim {
namespace {

using boost::multiprecision::cpp_int;
using Q = boost::multiprecision::cpp_rational;

Q pow2(int e) { return e >= 0 ? Q(cpp_int(1) << e) : Q(1) / Q(cpp_int(1) << -e); }

// Round a rational to float32, RNE, with subnormals and overflow to inf.
double round_f32(const Q& q) {
  if (q == 0) return 0.0;
  const bool neg = q < 0;
  const Q a = neg ? Q(-q) : q;
  int e = 0;  // 2^e <= a < 2^(e+1)
  while (a >= pow2(e + 1)) ++e;
  while (a < pow2(e)) --e;
  const int lsb = std::max(e, -126) - 23;
  const Q scaled = a / pow2(lsb);
  cpp_int fl = boost::multiprecision::numerator(scaled) / boost::multiprecision::denominator(scaled);
  const Q rem = scaled - Q(fl);
  if (rem > Q(1, 2) || (rem == Q(1, 2) && (fl & 1) != 0)) fl += 1;
  if (Q(fl) * pow2(lsb) >= pow2(128)) return neg ? -HUGE_VAL : HUGE_VAL;
  const double v = std::ldexp(fl.convert_to<double>(), lsb);
  return neg ? -v : v;
}

struct Setup {
  std::unique_ptr<pe::ProcessingElement> unit;
  pe::Operand a, w;
};

// Operands with the given codes; the float inputs are chosen so that the scale is 1.
Setup make(const pe::Params& p, size_t k) {
  Setup s{pe::make_pe("rmmec", p), {}, {}};
  std::vector<float> x(k, 1.0f);
  x[0] = 4.5f;  // amax in [4, 8): FP4's power-of-two scale is 2^0; posits are never scaled
  s.a = s.unit->quantize_a(x);
  s.w = s.unit->quantize_w(x);
  EXPECT_EQ(s.a.scales[0], 1.0);
  return s;
}

TEST(Rmmec, EveryOperandPairOfEachMode) {
  for (const char* mode : {"fp4", "posit4_1", "posit8_0"}) {
    for (const char* acc : {"quire", "fp32"}) {
      auto s = make({{"mode", mode}, {"acc", acc}}, 1);
      const auto& f = *s.a.format;
      for (uint32_t i = 0; i < (1u << f.bits()); ++i)
        for (uint32_t j = 0; j < (1u << f.bits()); ++j) {
          s.a.codes[0] = i;
          s.w.codes[0] = j;
          const double x = f.decode(i), y = f.decode(j);
          const double got = s.unit->dot(s.a, s.w);
          if (std::isnan(x) || std::isnan(y)) {
            ASSERT_TRUE(std::isnan(got)) << mode;
            continue;
          }
          ASSERT_EQ(got, round_f32(Q(x) * Q(y))) << mode << " " << acc << " " << i << " x " << j;
        }
    }
  }
  // Posit(16,1): every code times a spread of codes.
  auto s = make({{"mode", "posit16_1"}}, 1);
  const auto& f = *s.a.format;
  for (uint32_t i = 0; i < 65536; ++i)
    for (uint32_t j : {0x0001u, 0x4000u, 0x7fffu, 0x8001u, 0x3a5bu, 0xc3c3u, 0x5555u}) {
      s.a.codes[0] = i;
      s.w.codes[0] = j;
      const double x = f.decode(i), y = f.decode(j);
      if (std::isnan(x)) continue;
      ASSERT_EQ(s.unit->dot(s.a, s.w), round_f32(Q(x) * Q(y))) << i << " x " << j;
    }
}

TEST(Rmmec, RandomDotProductsQuireAndFp32Cycles) {
  std::mt19937_64 g(11);
  size_t dots = 0;
  for (const char* mode : {"fp4", "posit4_1", "posit8_0", "posit16_1"})
    for (const char* acc : {"quire", "fp32"})
      for (const char* lanes : {"0", "3"})
        for (const char* fast : {"true", "false"}) {
          const size_t k = 1 + g() % 96;
          auto s = make({{"mode", mode}, {"acc", acc}, {"lanes", lanes}, {"fast", fast}}, k);
          const auto& f = *s.a.format;
          const size_t nl = std::string(lanes) == "3" ? 3 : (std::string(mode) == "posit8_0" ? 2 : std::string(mode) == "posit16_1" ? 1 : 4);
          for (int t = 0; t < 1500; ++t, ++dots) {
            for (size_t i = 0; i < k; ++i) {
              do s.a.codes[i] = uint32_t(g()) & ((1u << f.bits()) - 1); while (f.is_nan(s.a.codes[i]));
              do s.w.codes[i] = uint32_t(g()) & ((1u << f.bits()) - 1); while (f.is_nan(s.w.codes[i]));
            }
            double want;
            if (std::string(acc) == "quire") {
              Q sum = 0;
              for (size_t i = 0; i < k; ++i) sum += Q(f.decode(s.a.codes[i])) * Q(f.decode(s.w.codes[i]));
              want = round_f32(sum);
            } else {
              double r = 0;  // the FP32 register, rounded once per cycle of nl products
              for (size_t c = 0; c < k; c += nl) {
                Q cyc = 0;
                for (size_t i = c; i < std::min(k, c + nl); ++i) cyc += Q(f.decode(s.a.codes[i])) * Q(f.decode(s.w.codes[i]));
                r = round_f32(Q(r) + cyc);
              }
              want = r;
            }
            ASSERT_EQ(s.unit->dot(s.a, s.w), want) << mode << " acc=" << acc << " lanes=" << lanes << " fast=" << fast;
          }
        }
  EXPECT_GE(dots, 48000u);
}

TEST(Rmmec, ParametersAreValidated) {
  EXPECT_THROW(pe::make_pe("rmmec", {{"mode", "posit8_2"}}), pe::PeError);
  EXPECT_THROW(pe::make_pe("rmmec", {{"lanes", "17"}}), pe::PeError);
  EXPECT_THROW(pe::make_pe("rmmec", {{"acc", "fp16"}}), pe::PeError);
  EXPECT_THROW(pe::make_pe("rmmec", {{"out", "nope"}}), pe::PeError);
  try {
    pe::make_pe("rmmec", {{"mode", "int8"}});
    FAIL();
  } catch (const pe::PeError& e) {
    EXPECT_NE(std::string(e.what()).find("rmmec: mode 'int8' is not fp4, posit4_1, posit8_0 or posit16_1"), std::string::npos)
        << e.what();
  }
  EXPECT_NE(pe::make_pe("rmmec", {{"mode", "fp4"}})->config().find("lanes=4"), std::string::npos);
}

}  // namespace
}  // namespace arithsim
