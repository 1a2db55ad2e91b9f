// lmul_pe against the independent reference (tests/pe/pe_reference.hpp): every product is
// the L-Mul paper's formula (1 + xm + ym + 2^-l(m)) * 2^(xe + ye), or its hardware variant
// ((xm + ym + 2^-l) * 2^(xe + ye + 1) when the mantissa field sum carries), computed exactly
// from the decoded operands; the products accumulate in `acc` with one rounding per add and
// the output is RN_fp32(acc * 2^(Xa + Xw)).
#include <gtest/gtest.h>

#include <cmath>

#include <arithsim/models/pe/pe.hpp>
#include "tests/pe/pe_reference.hpp"

namespace arithsim {
namespace {

using namespace peref;
using formats::ElementFormat;

int mantissa_bits(const ElementFormat& f) { return f.codec<formats::MinifloatCodec>()->spec().m; }

uint32_t rand_code(Rng& r, const ElementFormat& f, bool allow_nan) {
  for (;;) {
    const auto c = uint32_t(r.below(1u << f.bits()));
    if (allow_nan || !std::isnan(f.decode(c))) return c;
  }
}

// Every code pair of `fmt` as the last product of a dot with 0..2 random earlier products.
void sweep_pairs(const std::string& fmt, LMulVar v, uint64_t seed) {
  const std::string variant = v == LMulVar::Hardware ? "hardware" : "formula";
  const auto pe = pe::make_pe("lmul_pe", {{"format", fmt}, {"variant", variant}});
  SCOPED_TRACE(pe->config());
  const ElementFormat f = ElementFormat::parse(fmt);
  const LMulCfg rc{&f, mantissa_bits(f), v, kFp32};
  const uint32_t n = 1u << f.bits();
  Failures fails;
  parallel_for(size_t(n) * n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      Rng r(seed * 1000003 + i);
      const size_t prefix = r.below(3);
      std::vector<uint32_t> ca, cw;
      for (size_t j = 0; j < prefix; ++j) {
        ca.push_back(rand_code(r, f, false));
        cw.push_back(rand_code(r, f, false));
      }
      ca.push_back(uint32_t(i / n));
      cw.push_back(uint32_t(i % n));
      const int lo = r.chance(5) ? -140 : -10, hi = r.chance(5) ? 140 : 10;
      const auto oa = make_operand(f, ca, {rand_pow2(r, lo, hi)}), ow = make_operand(f, cw, {rand_pow2(r, lo, hi)});
      const double got = pe->dot(oa, ow), want = ref_lmul_pe(oa, ow, rc);
      if (!same(got, want))
        fails.add("last pair " + show(f.decode(ca.back())) + " * " + show(f.decode(cw.back())) + " prefix " +
                  std::to_string(prefix) + ": pe " + show(got) + " ref " + show(want));
    }
  });
  EXPECT_EQ(fails.count, 0u) << fails.report();
}

// 2..7 mantissa bits, every l(m) case, formats of at most 10 bits (<= 2^20 pairs).
TEST(LMulPe, ExhaustiveE5m2AndE4m3) {
  uint64_t seed = 1;
  for (const char* fmt : {"e5m2", "e4m3"})
    for (LMulVar v : {LMulVar::Hardware, LMulVar::Formula}) sweep_pairs(fmt, v, seed++);
}

TEST(LMulPe, ExhaustiveE3m4AndE3m5AndE2m6) {
  uint64_t seed = 10;
  for (const char* fmt : {"e3m4", "e3m5", "e2m6"})
    for (LMulVar v : {LMulVar::Hardware, LMulVar::Formula}) sweep_pairs(fmt, v, seed++);
}

TEST(LMulPe, ExhaustiveE2m7) {
  uint64_t seed = 20;
  for (LMulVar v : {LMulVar::Hardware, LMulVar::Formula}) sweep_pairs("e2m7", v, seed++);
}

// bf16 (m = 7, l = 4): every mantissa pair (1 + fx/128) x 8 (1 + fy/128), K = 1. The field
// add carries twice when fx + fy + 8 >= 256; the result differs from a single carry
// (s 2^(e+1)) exactly when fx + fy is 249..254: 6 + 5 + ... + 1 = 21 pairs.
TEST(LMulPe, Bf16MantissaPairsAndTheDoubleCarry) {
  const auto pe = pe::make_pe("lmul_pe", {});
  const ElementFormat f = ElementFormat::parse("bf16");
  const double mn = f.info().min_normal;
  size_t differ = 0;
  Failures fails;
  for (uint32_t fx = 0; fx < 128; ++fx)
    for (uint32_t fy = 0; fy < 128; ++fy) {
      const uint32_t cx = 0x3f80 | fx, cy = 0x4180 | fy;  // 1.fx and 8 * 1.fy
      const auto oa = make_operand(f, {cx}, {1.0}), ow = make_operand(f, {cy}, {1.0});
      const double got = pe->dot(oa, ow);
      const double want = round(ref_lmul(f, 7, mn, cx, cy, LMulVar::Hardware), kFp32).to_double();
      const double single = ref_lmul(f, 7, mn, cx, cy, LMulVar::SingleCarry).to_double();
      if (!same(got, want)) fails.add(std::to_string(fx) + "," + std::to_string(fy) + ": pe " + show(got) + " ref " + show(want));
      differ += got != single;
    }
  EXPECT_EQ(fails.count, 0u) << fails.report();
  EXPECT_EQ(differ, 21u);
  // docs/pe/lmul_pe.md §7: 1.9921875 x 1.9765625, s = (127 + 125 + 8)/128 = 2.03125,
  // (s - 1) 2^2 = 4.125 (formula: 1 + s = 3.03125).
  const auto oa = make_operand(f, {0x3fff}, {1.0}), ow = make_operand(f, {0x3ffd}, {1.0});
  EXPECT_EQ(pe->dot(oa, ow), 4.125);
  EXPECT_EQ(pe::make_pe("lmul_pe", {{"variant", "formula"}})->dot(oa, ow), 3.03125);
}

struct LMulCase {
  std::unique_ptr<pe::ProcessingElement> pe;
  ElementFormat f;
  LMulCfg rc;
  LMulCase(const std::string& fmt, LMulVar v, const std::string& acc)
      : pe(pe::make_pe("lmul_pe", {{"format", fmt}, {"variant", v == LMulVar::Hardware ? "hardware" : "formula"}, {"acc", acc}})),
        f(ElementFormat::parse(fmt)),
        rc{&f, mantissa_bits(f), v, acc == "fp32" ? kFp32 : acc == "fp16" ? kFp16 : kBf16} {}
};

TEST(LMulPe, RandomDotProducts) {
  // 120 random configurations x 1000 dots, K = 8..64: bf16 and other 2..7-bit-mantissa
  // formats, both variants, fp32/fp16/bf16 accumulators; half the operands from the PE's
  // quantizer, half random codes (sometimes NaN/inf).
  const char* fmts[] = {"bf16", "e4m3", "e5m2", "e3m4", "e4m4", "e5m7", "e8m2", "e4m3fnuz", "e6m5", "e4m3b11fnuz"};
  const char* accs[] = {"fp32", "fp16", "bf16"};
  Rng g(9);
  std::vector<LMulCase> cases;
  cases.reserve(120);
  for (int i = 0; i < 120; ++i) {
    const std::string fmt = g.chance(40) ? "bf16" : fmts[g.below(10)];
    const LMulVar v = g.chance(50) ? LMulVar::Hardware : LMulVar::Formula;
    cases.emplace_back(fmt, v, accs[g.chance(70) ? 0 : g.below(3)]);
  }
  Failures fails;
  random_dots(kLMul) += random_sweep(cases.size(), 1000, 9, fails, [&](size_t ci, Rng& r) -> std::string {
    const LMulCase& t = cases[ci];
    const size_t k = size_t(r.range(8, 64));
    pe::Operand oa, ow;
    if (r.chance(50)) {
      std::vector<float> a(k), w(k);
      const double sa = std::ldexp(1.0, r.range(-20, 20));
      for (auto& x : a) x = float(r.normal() * sa * (r.chance(5) ? 1000 : 1));
      for (auto& x : w) x = float(r.normal());
      oa = t.pe->quantize_a(a);
      ow = t.pe->quantize_w(w);
    } else {
      const bool nan = r.chance(3);
      std::vector<uint32_t> ca(k), cw(k);
      for (auto& x : ca) x = rand_code(r, t.f, nan);
      for (auto& x : cw) x = rand_code(r, t.f, nan);
      oa = make_operand(t.f, ca, {rand_pow2(r, -20, 20)});
      ow = make_operand(t.f, cw, {rand_pow2(r, -20, 20)});
    }
    const double got = t.pe->dot(oa, ow), want = ref_lmul_pe(oa, ow, t.rc);
    if (same(got, want)) return "";
    return t.pe->config() + " K=" + std::to_string(k) + ": pe " + show(got) + " ref " + show(want);
  });
  EXPECT_EQ(fails.count, 0u) << fails.report();
}

TEST(LMulPe, ParametersAndErrors) {
  const auto pe = pe::make_pe("lmul_pe", {});
  EXPECT_EQ(pe->info().name, "lmul_pe");
  EXPECT_EQ(pe->output_format().name(), "float32");
  for (const char* key : {"format=bf16", "variant=hardware", "acc=fp32"})
    EXPECT_NE(pe->config().find(key), std::string::npos) << pe->config();
  EXPECT_NO_THROW(pe->check_k(3));
  for (const char* ok : {"e5m2", "e4m3", "e2m7", "bf16", "e4m3fnuz"}) EXPECT_NO_THROW(pe::make_pe("lmul_pe", {{"format", ok}}));

  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"format", "fp16"}}, "format=float16 is not a signed minifloat with 2..7 mantissa bits"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"format", "fp32"}}, "is not a signed minifloat with 2..7 mantissa bits"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"format", "e5m1"}}, "is not a signed minifloat with 2..7 mantissa bits"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"format", "e4m8"}}, "is not a signed minifloat with 2..7 mantissa bits"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"format", "int8"}}, "is not a signed minifloat with 2..7 mantissa bits"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"format", "e8m0"}}, "is not a signed minifloat with 2..7 mantissa bits"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"variant", "exact"}}, "variant 'exact' is not hardware or formula"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"acc", "int8"}}, "acc=int8 is not a floating-point format"));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"format", "what"}}, "format: "));
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"mode", "fused"}}, "unknown parameter 'mode' (parameters: format, variant, acc, scale)"));
}

}  // namespace
}  // namespace arithsim
