// int_mac against the independent reference (tests/pe/pe_reference.hpp): integer products
// into an acc_bits register that wraps or saturates after every add, one RN_fp32 of
// acc * s_a * s_w. Also the self-test of the reference's exact arithmetic and rounding.
#include <gtest/gtest.h>

#include <cmath>

#include <arithsim/models/pe/pe.hpp>
#include "tests/pe/pe_reference.hpp"

namespace arithsim {
namespace {

using namespace peref;
using formats::ElementFormat;

// ---------------------------------------------------------------------------------------
// The reference itself: round() against a second implementation on rationals and against
// the host's IEEE conversions double -> float and double -> _Float16; add/mul against
// rationals; a few hand-derived tree and L-Mul values.

double random_double(Rng& r) {
  // Random sign, 1..53 significant bits, exponents spanning fp16/bf16/fp32 subnormals,
  // normals and overflow.
  const int bits = r.range(1, 53);
  const uint64_t m = (r() >> (64 - bits)) | (uint64_t(1) << (bits - 1));
  const double x = std::ldexp(double(m), r.range(-175, 140) - bits);
  return r.chance(50) ? -x : x;
}

// Values on and next to the rounding boundaries of `f`: midpoints between neighbours,
// the overflow threshold, half the smallest subnormal.
double boundary_double(Rng& r, const FloatFmt& f) {
  const int e = r.range(f.emin - f.p - 1, f.emax + 1);
  const int q = std::max(e, f.emin) - (f.p - 1);  // quantum of that binade
  const uint64_t n = (uint64_t(1) << (f.p - 1)) + r.below(uint64_t(1) << (f.p - 1));
  double x = std::ldexp(double(2 * n + 1), q - 1);  // a midpoint
  switch (r.below(6)) {
    case 0: x = std::nextafter(x, 0.0); break;
    case 1: x = std::nextafter(x, INFINITY); break;
    case 2: x = std::ldexp(double((uint64_t(1) << (f.p + 1)) - 1), f.emax - f.p); break;  // max + half ulp
    case 3: x = std::ldexp(1.0, f.emin - f.p); break;                                     // half the min subnormal
    case 4: x = std::ldexp(3.0, f.emin - f.p - 1); break;                                 // 3/4 of it
    default: break;
  }
  return r.chance(50) ? -x : x;
}

TEST(PeReference, RoundingAgreesWithRationalsAndTheHost) {
  Rng r(11);
  size_t n = 0;
  for (int i = 0; i < 30000; ++i)
    for (const FloatFmt& f : {kFp32, kFp16, kBf16}) {
      const double x = (i % 2) ? random_double(r) : boundary_double(r, f);
      const Num a = round(Num::of_double(x), f);
      const Num b = round_rational(Num::of_double(x).rat(), f);
      Num bs = b;
      if (bs.kind == Num::Zero || bs.kind == Num::Inf) bs.neg = std::signbit(x);  // round_rational: sign by value
      ASSERT_TRUE(a == bs) << f.name << " " << show(x) << ": " << a.str() << " vs rational " << b.str();
      if (f.p == 24) {
        ASSERT_TRUE(same(a.to_double(), double(float(x)))) << show(x);
      }
#ifdef __FLT16_MAX__
      if (f.p == 11) {
        ASSERT_TRUE(same(a.to_double(), double(_Float16(x)))) << show(x);
      }
#endif
      ++n;
    }
  EXPECT_EQ(n, 90000u);
}

TEST(PeReference, AddAndMultiplyAreExact) {
  Rng r(12);
  for (int i = 0; i < 20000; ++i) {
    const Num a = Num::of_double(random_double(r)), b = Num::of_double(random_double(r));
    ASSERT_EQ(add(a, b).kind == Num::Zero ? Rat(0) : add(a, b).rat(), a.rat() + b.rat());
    ASSERT_EQ(mul(a, b).rat(), a.rat() * b.rat());
    ASSERT_EQ(cmp(a, b), a.rat() < b.rat() ? -1 : a.rat() > b.rat() ? 1 : 0);
  }
  // IEEE zero and special rules.
  EXPECT_TRUE(add(Num::zero(true), Num::zero(true)) == Num::zero(true));
  EXPECT_TRUE(add(Num::zero(true), Num::zero(false)) == Num::zero(false));
  EXPECT_TRUE(add(Num::of_double(2.5), Num::of_double(-2.5)) == Num::zero(false));
  EXPECT_TRUE(add(Num::inf(false), Num::inf(true)).is_nan());
  EXPECT_TRUE(mul(Num::inf(false), Num::zero(true)).is_nan());
  EXPECT_TRUE(mul(Num::of_double(-3), Num::zero(false)) == Num::zero(true));
  EXPECT_TRUE(round(Num::of_double(-0x1p-200), kFp32) == Num::zero(true));
  EXPECT_TRUE(round(Num::of_double(0x1.ffffffp127), kFp32) == Num::inf(false));  // max + half ulp ties to inf
  EXPECT_TRUE(round(Num::of_double(65520.0), kFp16) == Num::inf(false));
  EXPECT_TRUE(round(Num::of_double(65519.99), kFp16) == Num::of_double(65504.0));
}

TEST(PeReference, HandDerivedTreeAndLMulValues) {
  // tree: 3 + 0.75 in a 2-bit window at 2^1: LSB 2^0, 0.75 truncates to 0 or rounds to 1.
  const std::vector<Num> t = {Num::of_double(3), Num::of_double(0.75)};
  EXPECT_EQ(tree_sum(t, 2, false).to_double(), 3.0);
  EXPECT_EQ(tree_sum(t, 2, true).to_double(), 4.0);
  EXPECT_EQ(tree_sum(t, 3, false).to_double(), 3.5);
  EXPECT_EQ(tree_sum({Num::of_double(1), Num::of_double(-1)}, 4, false).to_double(), 0.0);
  EXPECT_TRUE(tree_sum({Num::zero(true), Num::zero(true)}, 4, false) == Num::zero(true));
  // L-Mul on e4m3 (m = 3, l = 3): 1.5 * 1.5 -> formula (1 + .5 + .5 + 1/8) = 2.125;
  // hardware: .5 + .5 + 1/8 >= 1 carries: 1.125 * 2 = 2.25. 1.25 * 1.125 -> 1.5 both ways.
  const ElementFormat e4m3 = ElementFormat::parse("e4m3");
  const double mn = e4m3.info().min_normal;
  const uint32_t c15 = e4m3.encode(1.5), c125 = e4m3.encode(1.25), c1125 = e4m3.encode(1.125), cm3 = e4m3.encode(-3.0);
  EXPECT_EQ(ref_lmul(e4m3, 3, mn, c15, c15, LMulVar::Formula).to_double(), 2.125);
  EXPECT_EQ(ref_lmul(e4m3, 3, mn, c15, c15, LMulVar::Hardware).to_double(), 2.25);
  EXPECT_EQ(ref_lmul(e4m3, 3, mn, c125, c1125, LMulVar::Formula).to_double(), 1.5);
  EXPECT_EQ(ref_lmul(e4m3, 3, mn, c125, c1125, LMulVar::Hardware).to_double(), 1.5);
  // -3 * 1.5 = -(1.5 * 1.5) * 2
  EXPECT_EQ(ref_lmul(e4m3, 3, mn, cm3, c15, LMulVar::Hardware).to_double(), -4.5);
  // subnormal operand flushes: a signed zero
  EXPECT_TRUE(ref_lmul(e4m3, 3, mn, 0x01, cm3, LMulVar::Hardware) == Num::zero(true));
}

// ---------------------------------------------------------------------------------------
// int_mac.

struct IntCfg {
  std::string a, w;
  int acc_bits;
  bool saturate, fast;
  pe::Params params() const {
    return {{"a", a}, {"w", w}, {"acc_bits", std::to_string(acc_bits)}, {"saturate", saturate ? "true" : "false"},
            {"fast", fast ? "true" : "false"}};
  }
};

// Every (activation, weight) code pair twice: as a single-element dot (K = 1) and as the
// last element of a dot whose first 1..3 elements are random (a random accumulator state),
// with random float32 scales.
void sweep_pairs(const IntCfg& c, uint64_t seed) {
  SCOPED_TRACE(pe::make_pe("int_mac", c.params())->config());
  const auto pe = pe::make_pe("int_mac", c.params());
  const ElementFormat fa = ElementFormat::parse(c.a), fw = ElementFormat::parse(c.w);
  const uint32_t na = 1u << fa.bits(), nw = 1u << fw.bits();
  Failures f;
  const size_t pairs = size_t(na) * nw;
  parallel_for(2 * pairs, [&](size_t b, size_t e) {
    for (size_t n = b; n < e; ++n) {
      Rng r(seed * 1000003 + n);
      const size_t i = n % pairs, prefix = n < pairs ? 0 : 1 + r.below(3);
      std::vector<uint32_t> ca, cw;
      for (size_t j = 0; j < prefix; ++j) {
        ca.push_back(uint32_t(r.below(na)));
        cw.push_back(uint32_t(r.below(nw)));
      }
      ca.push_back(uint32_t(i / nw));
      cw.push_back(uint32_t(i % nw));
      const auto oa = make_operand(fa, ca, {rand_f32_scale(r)}), ow = make_operand(fw, cw, {rand_f32_scale(r)});
      const double got = pe->dot(oa, ow), want = ref_int_mac(oa, ow, c.acc_bits, c.saturate);
      if (!same(got, want))
        f.add("a=" + std::to_string(ca.back()) + " w=" + std::to_string(cw.back()) + " prefix " + std::to_string(prefix) +
              " s_a=" + show(oa.scales[0]) + " s_w=" + show(ow.scales[0]) + ": pe " + show(got) + " ref " + show(want));
    }
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

TEST(IntMac, ExhaustiveInt4WeightsTimesInt8Activations) {
  // 16 x 256 pairs; a 9- or 8-bit register makes the int8 x int4 products (|p| <= 1024)
  // wrap or saturate.
  uint64_t seed = 1;
  for (int acc_bits : {32, 9, 8})
    for (bool sat : {false, true})
      for (bool fast : {true, false}) sweep_pairs({"int8", "int4", acc_bits, sat, fast}, seed++);
}

TEST(IntMac, ExhaustiveInt8PairsOntoRandomAccumulatorStates) {
  uint64_t seed = 100;
  for (const IntCfg& c : std::vector<IntCfg>{{"int8", "int8", 32, false, true},
                                             {"int8", "int8", 16, false, true},
                                             {"int8", "int8", 16, true, true},
                                             {"int8", "int8", 12, false, false},
                                             {"int8", "int8", 12, true, false},
                                             {"int8", "int8", 63, false, true}})
    sweep_pairs(c, seed++);
}

// A case of the random tests: a configuration, its PE and its operand formats.
struct IntCase {
  IntCfg c;
  std::unique_ptr<pe::ProcessingElement> pe;
  ElementFormat fa, fw;
  explicit IntCase(const IntCfg& cfg)
      : c(cfg), pe(pe::make_pe("int_mac", cfg.params())), fa(ElementFormat::parse(cfg.a)), fw(ElementFormat::parse(cfg.w)) {}
};

TEST(IntMac, RandomDotProducts) {
  // 80 random configurations x 5000 dots, K = 8..64: random codes (the full range, -2^(n-1)
  // included) with random float32 scales, power-of-two scales (output rounding ties), or
  // operands from the PE's quantizers.
  const char* ints[] = {"int2", "int3", "int4", "int5", "int8", "int11", "int12", "int16"};
  Rng g(5);
  std::vector<IntCase> cases;
  cases.reserve(80);
  for (int i = 0; i < 80; ++i) {
    IntCfg c{ints[g.below(8)], ints[g.below(8)], 0, g.chance(40), g.chance(50)};
    c.acc_bits = g.chance(50) ? g.range(2, 24) : g.range(25, 63);
    cases.emplace_back(c);
  }
  Failures f;
  random_dots(kIntMac) += random_sweep(cases.size(), 5000, 5, f, [&](size_t ci, Rng& r) -> std::string {
    const IntCase& t = cases[ci];
    const size_t k = size_t(r.range(8, 64));
    pe::Operand oa, ow;
    if (r.chance(10)) {
      std::vector<float> a(k), w(k);
      for (auto& x : a) x = float(r.normal() * std::ldexp(1.0, r.range(-10, 10)));
      for (auto& x : w) x = float(r.normal());
      oa = t.pe->quantize_a(a);
      ow = t.pe->quantize_w(w);
    } else {
      std::vector<uint32_t> ca(k), cw(k);
      for (auto& x : ca) x = uint32_t(r.below(1u << t.fa.bits()));
      for (auto& x : cw) x = uint32_t(r.below(1u << t.fw.bits()));
      const bool pow2 = r.chance(30);
      oa = make_operand(t.fa, ca, {pow2 ? rand_pow2(r, -30, 10) : rand_f32_scale(r)});
      ow = make_operand(t.fw, cw, {pow2 ? rand_pow2(r, -30, 10) : rand_f32_scale(r)});
    }
    const double got = t.pe->dot(oa, ow), want = ref_int_mac(oa, ow, t.c.acc_bits, t.c.saturate);
    if (same(got, want)) return "";
    return t.pe->config() + " K=" + std::to_string(k) + ": pe " + show(got) + " ref " + show(want);
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

// Output rounding, hand-derived: 4096 * 4096 + 1 = 2^24 + 1 is a tie between 2^24 and
// 2^24 + 2 and goes to the even 2^24; 2^24 + 3 goes to 2^24 + 4.
TEST(IntMac, OutputRoundingTiesToEven) {
  const auto pe = pe::make_pe("int_mac", {{"a", "int16"}, {"w", "int16"}});
  const ElementFormat i16 = ElementFormat::parse("int16");
  const auto w = make_operand(i16, {4096, 1}, {1.0});
  EXPECT_EQ(pe->dot(make_operand(i16, {4096, 1}, {1.0}), w), 16777216.0);
  EXPECT_EQ(pe->dot(make_operand(i16, {4096, 3}, {1.0}), w), 16777220.0);
  EXPECT_EQ(pe->dot(make_operand(i16, {4096, 3}, {0.5}), w), 8388610.0);
  // the negative side (codes are two's complement): -(2^24 + 1) -> -2^24
  EXPECT_EQ(pe->dot(make_operand(i16, {4096, 0xffff}, {1.0}), make_operand(i16, {0xf000, 1}, {1.0})), -16777216.0);
}

TEST(IntMac, ParametersAndErrors) {
  const auto pe = pe::make_pe("int_mac", {});
  EXPECT_EQ(pe->info().name, "int_mac");
  EXPECT_EQ(pe->output_format().name(), "float32");
  for (const char* key : {"a=int8", "w=int8", "acc_bits=32", "saturate=false", "fast=true"})
    EXPECT_NE(pe->config().find(key), std::string::npos) << pe->config();
  EXPECT_NO_THROW(pe->check_k(1));
  EXPECT_NO_THROW(pe->check_k(4097));
  EXPECT_NO_THROW(pe::make_pe("int_mac", {{"a", "int2"}, {"w", "int16"}, {"acc_bits", "2"}, {"saturate", "yes"}}));
  EXPECT_NO_THROW(pe::make_pe("int_mac", {{"acc_bits", "63"}, {"saturate", "0"}, {"fast", "no"}}));

  EXPECT_TRUE(throws_pe_error("int_mac", {{"bogus", "1"}}, "unknown parameter 'bogus'"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"acc_bits", "64"}}, "acc_bits=64 out of range 2..63"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"acc_bits", "1"}}, "out of range"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"acc_bits", "32x"}}, "bad value '32x' for acc_bits"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"acc_bits", ""}}, "bad value"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"saturate", "maybe"}}, "bad value 'maybe' for saturate"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"fast", "2"}}, "bad value '2' for fast"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"a", "nonsense"}}, "a: "));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"a", "e4m3"}}, "is not a signed integer of 2..16 bits"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"w", "uint8"}}, "is not a signed integer of 2..16 bits"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"w", "int17"}}, "is not a signed integer of 2..16 bits"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"a", "int8:frac=2"}}, "is not a signed integer of 2..16 bits"));
  EXPECT_TRUE(throws_pe_error("int_mac", {{"a", "fp16"}}, "is not a signed integer"));
}

}  // namespace
}  // namespace arithsim
