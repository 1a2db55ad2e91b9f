// lmul_pe against the independent reference (tests/pe/pe_reference.hpp): every product is
// the L-Mul paper's formula (1 + xm + ym + 2^-l(m)) * 2^(xe + ye), or its hardware variant
// ((xm + ym + 2^-l) * 2^(xe + ye + 1) when the mantissa field sum carries), computed exactly
// from the decoded operands; the products accumulate in `acc` with one rounding per add and
// the output is RN_fp32(acc * 2^(Xa + Xw)).
#include <gtest/gtest.h>

#include <cmath>

#include "models/pe/pe.hpp"
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

TEST(LMulPe, RandomDotProducts) {
  const char* fmts[] = {"bf16", "e4m3", "e5m2", "e3m4", "e4m4", "e5m7", "e8m2", "e4m3fnuz", "e6m5", "e4m3b11fnuz"};
  const char* accs[] = {"fp32", "fp16", "bf16"};
  Rng r(9);
  size_t dots = 0;
  Failures fails;
  for (int cfg = 0; cfg < 150; ++cfg) {
    const std::string fmt = r.chance(40) ? "bf16" : fmts[r.below(10)];
    const LMulVar v = r.chance(50) ? LMulVar::Hardware : LMulVar::Formula;
    const std::string acc = accs[r.chance(70) ? 0 : r.below(3)];
    const auto pe = pe::make_pe("lmul_pe", {{"format", fmt}, {"variant", v == LMulVar::Hardware ? "hardware" : "formula"},
                                           {"acc", acc}});
    const ElementFormat f = ElementFormat::parse(fmt);
    const LMulCfg rc{&f, mantissa_bits(f), v, acc == "fp32" ? kFp32 : acc == "fp16" ? kFp16 : kBf16};
    for (int t = 0; t < 1000; ++t, ++dots) {
      const size_t k = size_t(r.range(8, 64));
      pe::Operand oa, ow;
      if (r.chance(50)) {
        std::vector<float> a(k), w(k);
        const double sa = std::ldexp(1.0, r.range(-20, 20));
        for (auto& x : a) x = float(r.normal() * sa * (r.chance(5) ? 1000 : 1));
        for (auto& x : w) x = float(r.normal());
        oa = pe->quantize_a(a);
        ow = pe->quantize_w(w);
      } else {
        const bool nan = r.chance(3);
        std::vector<uint32_t> ca(k), cw(k);
        for (auto& x : ca) x = rand_code(r, f, nan);
        for (auto& x : cw) x = rand_code(r, f, nan);
        oa = make_operand(f, ca, {rand_pow2(r, -20, 20)});
        ow = make_operand(f, cw, {rand_pow2(r, -20, 20)});
      }
      const double got = pe->dot(oa, ow), want = ref_lmul_pe(oa, ow, rc);
      if (!same(got, want)) fails.add(pe->config() + " K=" + std::to_string(k) + ": pe " + show(got) + " ref " + show(want));
    }
  }
  random_dots(kLMul) += dots;
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
  EXPECT_TRUE(throws_pe_error("lmul_pe", {{"mode", "fused"}}, "unknown parameter 'mode' (parameters: format, variant, acc)"));
}

}  // namespace
}  // namespace arithsim
