// fp8_mac against the independent reference (tests/pe/pe_reference.hpp):
//   fused        acc = RN_acc(acc + a*w)
//   per_product  acc = RN_acc(acc + RN_acc(a*w))
//   tree         acc = RN_acc(tree(tree_inputs products, acc)) with per-term truncation
//                (or RNE) below an align_bits window at the largest term's leading bit
// and the output RN_fp32(acc * 2^(Xa + Xw)).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>

#include <arithsim/models/pe/pe.hpp>
#include "tests/pe/pe_reference.hpp"

namespace arithsim {
namespace {

using namespace peref;
using formats::ElementFormat;

struct Cfg {
  std::string a = "e4m3", w = "e4m3", acc = "fp32", mode = "fused";
  int tree_inputs = 16, align_bits = 27;
  bool round_shifted = false, fast = true;
  pe::Params params() const {
    return {{"a", a},
            {"w", w},
            {"acc", acc},
            {"mode", mode},
            {"tree_inputs", std::to_string(tree_inputs)},
            {"align_bits", std::to_string(align_bits)},
            {"round_shifted", round_shifted ? "true" : "false"},
            {"fast", fast ? "true" : "false"}};
  }
  Fp8Cfg ref() const {
    Fp8Cfg c;
    c.mode = mode;
    c.acc = acc == "fp32" ? kFp32 : acc == "fp16" ? kFp16 : kBf16;
    c.tree_inputs = tree_inputs;
    c.align_bits = align_bits;
    c.round_shifted = round_shifted;
    return c;
  }
};

// A random code of f: no NaN (unless allowed); with `small`, |value| <= 2^small_exp.
uint32_t rand_code(Rng& r, const ElementFormat& f, bool allow_nan, int small_exp = 1000) {
  for (;;) {
    const auto c = uint32_t(r.below(1u << f.bits()));
    const double v = f.decode(c);
    if (std::isnan(v) && !allow_nan) continue;
    if (std::isfinite(v) && std::fabs(v) > std::ldexp(1.0, small_exp)) continue;
    return c;
  }
}

// Every (a, w) code pair as the last product of a dot whose 0..3 earlier products are
// random (a random accumulator state), with random power-of-two scales.
void sweep_pairs(const Cfg& c, uint64_t seed) {
  const auto pe = pe::make_pe("fp8_mac", c.params());
  SCOPED_TRACE(pe->config());
  const ElementFormat fa = ElementFormat::parse(c.a), fw = ElementFormat::parse(c.w);
  const uint32_t na = 1u << fa.bits(), nw = 1u << fw.bits();
  const Fp8Cfg rc = c.ref();
  Failures f;
  parallel_for(size_t(na) * nw, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      Rng r(seed * 1000003 + i);
      const size_t prefix = r.below(4);
      const bool zero_prefix = r.chance(10);
      const int small = r.chance(80) ? 5 : 1000;  // keep an fp16 accumulator mostly finite
      std::vector<uint32_t> ca, cw;
      for (size_t j = 0; j < prefix; ++j) {
        ca.push_back(zero_prefix ? 0 : rand_code(r, fa, false, small));
        cw.push_back(rand_code(r, fw, false, small));
      }
      ca.push_back(uint32_t(i / nw));
      cw.push_back(uint32_t(i % nw));
      const int lo = r.chance(5) ? -140 : -12, hi = r.chance(5) ? 140 : 12;
      const auto oa = make_operand(fa, ca, {rand_pow2(r, lo, hi)}), ow = make_operand(fw, cw, {rand_pow2(r, lo, hi)});
      const double got = pe->dot(oa, ow), want = ref_fp8_mac(oa, ow, rc);
      if (!same(got, want)) {
        std::string ops;
        for (size_t j = 0; j < ca.size(); ++j)
          ops += fmt::format(" {}*{}", fa.decode(ca[j]), fw.decode(cw[j]));
        f.add("products" + ops + " scales " + show(oa.scales[0]) + " " + show(ow.scales[0]) + ": pe " + show(got) +
              " ref " + show(want));
      }
    }
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

std::vector<Cfg> mode_variants(const std::string& a, const std::string& w, const std::string& acc) {
  std::vector<Cfg> v;
  Cfg c;
  c.a = a;
  c.w = w;
  c.acc = acc;
  c.mode = "fused";
  v.push_back(c);
  c.mode = "per_product";
  v.push_back(c);
  c.mode = "tree";  // one product and the accumulator per tree step, 27-bit window, truncation
  c.tree_inputs = 1;
  v.push_back(c);
  c.tree_inputs = 16;  // the whole dot in one step, a narrow 8-bit window, RNE per term
  c.align_bits = 8;
  c.round_shifted = true;
  v.push_back(c);
  return v;
}

TEST(Fp8Mac, ExhaustiveE4m3PairsFp32Acc) {
  uint64_t seed = 1;
  for (const auto& c : mode_variants("e4m3", "e4m3", "fp32")) sweep_pairs(c, seed++);
  Cfg slow;
  slow.fast = false;  // the stage-by-stage datapath too
  sweep_pairs(slow, seed++);
}

TEST(Fp8Mac, ExhaustiveE4m3PairsFp16Acc) {
  uint64_t seed = 20;
  for (const auto& c : mode_variants("e4m3", "e4m3", "fp16")) sweep_pairs(c, seed++);
}

TEST(Fp8Mac, ExhaustiveE5m2TimesE4m3PairsFp32Acc) {
  uint64_t seed = 40;
  for (const auto& c : mode_variants("e5m2", "e4m3", "fp32")) sweep_pairs(c, seed++);
}

TEST(Fp8Mac, ExhaustiveE5m2TimesE4m3PairsFp16Acc) {
  uint64_t seed = 60;
  for (const auto& c : mode_variants("e5m2", "e4m3", "fp16")) sweep_pairs(c, seed++);
}

struct Fp8Case {
  Cfg c;
  std::unique_ptr<pe::ProcessingElement> pe;
  ElementFormat fa, fw;
  Fp8Cfg rc;
  explicit Fp8Case(const Cfg& cfg)
      : c(cfg), pe(pe::make_pe("fp8_mac", cfg.params())), fa(ElementFormat::parse(cfg.a)), fw(ElementFormat::parse(cfg.w)),
        rc(cfg.ref()) {}
};

TEST(Fp8Mac, RandomDotProducts) {
  // 250 random configurations x 1000 dots, K = 8..64, over every minifloat of <= 8 bits the
  // PE accepts, every accumulator, every mode; half the operands from the PE's quantizer
  // (with outliers), half random codes (sometimes NaN/inf, sometimes small magnitudes).
  const char* fmts[] = {"e4m3", "e5m2", "e4m3fnuz", "e5m2fnuz", "e4m3b11fnuz", "e3m4", "e2m3:finite", "e3m2:finite", "e2m1:finite", "e4m3ieee"};
  const char* accs[] = {"fp32", "fp16", "bf16"};
  const char* modes[] = {"fused", "per_product", "tree"};
  const int inputs[] = {1, 2, 3, 4, 7, 8, 16, 32};
  Rng g(7);
  std::vector<Fp8Case> cases;
  cases.reserve(250);
  for (int i = 0; i < 250; ++i) {
    Cfg c;
    c.a = g.chance(60) ? "e4m3" : fmts[g.below(10)];
    c.w = g.chance(60) ? (g.chance(50) ? "e4m3" : "e5m2") : fmts[g.below(10)];
    c.acc = accs[g.chance(50) ? 0 : g.below(3)];
    c.mode = modes[g.below(3)];
    c.tree_inputs = inputs[g.below(8)];
    c.align_bits = g.chance(70) ? g.range(2, 40) : g.range(41, 100);
    c.round_shifted = g.chance(50);
    c.fast = g.chance(70);
    cases.emplace_back(c);
  }
  Failures f;
  random_dots(kFp8Mac) += random_sweep(cases.size(), 1000, 7, f, [&](size_t ci, Rng& r) -> std::string {
    const Fp8Case& t = cases[ci];
    const size_t k = size_t(r.range(8, 64));
    pe::Operand oa, ow;
    if (r.chance(50)) {
      std::vector<float> a(k), w(k);
      const double sa = std::ldexp(1.0, r.range(-30, 30)), sw = std::ldexp(1.0, r.range(-30, 30));
      for (auto& x : a) x = float(r.normal() * sa * (r.chance(5) ? 1000 : 1));
      for (auto& x : w) x = float(r.normal() * sw);
      oa = t.pe->quantize_a(a);
      ow = t.pe->quantize_w(w);
    } else {
      const bool nan = r.chance(5);
      const int small = r.chance(50) ? 3 : 1000;
      std::vector<uint32_t> ca(k), cw(k);
      for (auto& x : ca) x = rand_code(r, t.fa, nan, small);
      for (auto& x : cw) x = rand_code(r, t.fw, nan, small);
      oa = make_operand(t.fa, ca, {rand_pow2(r, -20, 20)});
      ow = make_operand(t.fw, cw, {rand_pow2(r, -20, 20)});
    }
    const double got = t.pe->dot(oa, ow), want = ref_fp8_mac(oa, ow, t.rc);
    if (same(got, want)) return "";
    return t.pe->config() + " K=" + std::to_string(k) + ": pe " + show(got) + " ref " + show(want);
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

TEST(Fp8Mac, ParametersAndErrors) {
  const auto pe = pe::make_pe("fp8_mac", {});
  EXPECT_EQ(pe->info().name, "fp8_mac");
  EXPECT_EQ(pe->output_format().name(), "float32");
  for (const char* key : {"a=e4m3", "w=e4m3", "acc=fp32", "mode=fused", "tree_inputs=16", "align_bits=27",
                          "round_shifted=false", "fast=true"})
    EXPECT_NE(pe->config().find(key), std::string::npos) << pe->config();
  EXPECT_NO_THROW(pe->check_k(1));
  EXPECT_NO_THROW(pe::make_pe("fp8_mac", {{"mode", "tree"}, {"tree_inputs", "4095"}, {"align_bits", "100"}}));
  EXPECT_NO_THROW(pe::make_pe("fp8_mac", {{"mode", "tree"}, {"tree_inputs", "1"}, {"align_bits", "2"}}));

  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"a", "int8"}}, "operand format int8 is not a minifloat of <= 8 bits"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"w", "int4"}}, "is not a minifloat of <= 8 bits"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"w", "fp16"}}, "is not a minifloat of <= 8 bits"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"a", "posit8_0"}}, "is not a minifloat of <= 8 bits"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"acc", "int32"}}, "accumulator int32 is not a minifloat"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"mode", "bogus"}}, "mode 'bogus' is not fused, per_product or tree"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"tree_inputs", "0"}}, "tree_inputs=0 out of range 1..4095"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"tree_inputs", "4096"}}, "out of range"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"align_bits", "1"}}, "align_bits=1 out of range 2..100"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"align_bits", "101"}}, "out of range"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"round_shifted", "x"}}, "bad value 'x' for round_shifted"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"group", "4"}}, "unknown parameter 'group'"));
  EXPECT_TRUE(throws_pe_error("fp8_mac", {{"acc", "e9m3"}}, "acc: "));
}

}  // namespace
}  // namespace arithsim
