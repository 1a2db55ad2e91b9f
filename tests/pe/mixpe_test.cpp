// mixpe against the independent reference (tests/pe/pe_reference.hpp):
//   INT8 a: d = sum a_i (q_i - z) exactly; out_g = RN_acc(d * s_g)
//   FP16 a: element-major shift&add, psum/asum rounded to acc per add;
//           out_g = RN_acc(RN_acc(psum - RN_acc(z * asum)) * s_g)
//   acc = RN_acc(acc + out_g) across groups; output RN_fp32(acc * s_a).
#include <gtest/gtest.h>

#include <cmath>

#include <arithsim/models/pe/pe.hpp>
#include "tests/pe/pe_reference.hpp"

namespace arithsim {
namespace {

using namespace peref;
using formats::ElementFormat;

struct Cfg {
  int wbits = 4;
  bool zero_point = true, fp16 = false, fast = true;
  std::string acc = "fp32";
  size_t group = 128;
  pe::Params params() const {
    return {{"w", "int" + std::to_string(wbits)}, {"a", fp16 ? "fp16" : "int8"},       {"group", std::to_string(group)},
            {"zero_point", zero_point ? "true" : "false"}, {"acc", acc}, {"fast", fast ? "true" : "false"}};
  }
  MixCfg ref() const {
    MixCfg c;
    c.wbits = wbits;
    c.zero_point = zero_point;
    c.fp16_act = fp16;
    c.acc = acc == "fp32" ? kFp32 : acc == "fp16" ? kFp16 : kBf16;
    c.group = group;
    return c;
  }
  std::string wfmt() const { return (zero_point ? "uint" : "int") + std::to_string(wbits); }
};

// An FP16 activation code: mostly N(0,1)-like values over a range of binades, sometimes any
// finite code, and (when allowed) inf or NaN.
uint32_t rand_fp16(Rng& r, const ElementFormat& fp16, bool specials) {
  if (specials && r.chance(2)) return uint32_t(r.chance(50) ? 0x7c00 | (r.chance(50) ? 0x8000 : 0) : 0x7e00);
  if (r.chance(30)) {
    for (;;) {
      const auto c = uint32_t(r.below(0x10000));
      if (std::isfinite(fp16.decode(c))) return c;
    }
  }
  return fp16.encode(r.normal() * std::ldexp(1.0, r.range(-12, 10)));
}

pe::Operand weights(const Cfg& c, const ElementFormat& fw, std::vector<uint32_t> codes, Rng& r, const ElementFormat& fp16) {
  const size_t groups = codes.size() / c.group;
  std::vector<double> scales;
  std::vector<int32_t> zeros;
  for (size_t g = 0; g < groups; ++g) {
    scales.push_back(rand_f16_scale(r, fp16));
    if (c.zero_point) zeros.push_back(r.chance(95) ? int32_t(r.below(1u << c.wbits)) : int32_t(r.range(-300, 300)));
  }
  return make_operand(fw, std::move(codes), std::move(scales), c.group, std::move(zeros));
}

// Every (activation, weight) code pair at a random position of the last weight group, the
// other elements (and an earlier group, when groups > 1) random.
void sweep_pairs(const Cfg& c, size_t groups, uint64_t seed) {
  const auto pe = pe::make_pe("mixpe", c.params());
  SCOPED_TRACE(pe->config());
  const ElementFormat fa = ElementFormat::parse(c.fp16 ? "fp16" : "int8"), fw = ElementFormat::parse(c.wfmt()),
                      fp16 = ElementFormat::parse("fp16");
  const MixCfg rc = c.ref();
  const uint32_t na = 1u << fa.bits(), nw = 1u << c.wbits;
  const size_t k = c.group * groups;
  Failures f;
  parallel_for(size_t(na) * nw, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      Rng r(seed * 1000003 + i);
      std::vector<uint32_t> ca(k), cw(k);
      for (size_t j = 0; j < k; ++j) {
        ca[j] = c.fp16 ? rand_fp16(r, fp16, false) : uint32_t(r.below(256));
        cw[j] = uint32_t(r.below(nw));
      }
      const size_t pos = k - c.group + r.below(c.group);
      ca[pos] = uint32_t(i / nw);
      cw[pos] = uint32_t(i % nw);
      const double sa = c.fp16 && r.chance(80) ? 1.0 : rand_f32_scale(r);
      const auto oa = make_operand(fa, ca, {sa});
      const auto ow = weights(c, fw, cw, r, fp16);
      const double got = pe->dot(oa, ow), want = ref_mixpe(oa, ow, rc);
      if (!same(got, want))
        f.add("a=" + show(fa.decode(ca[pos])) + " q=" + std::to_string(cw[pos]) + " at " + std::to_string(pos) +
              (ow.zeros.empty() ? "" : " z=" + std::to_string(ow.zeros.back())) + " s_g=" + show(ow.scales.back()) +
              ": pe " + show(got) + " ref " + show(want));
    }
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

TEST(MixPe, ExhaustiveInt8TimesInt4WithinAGroup) {
  uint64_t seed = 1;
  for (bool zp : {true, false})
    for (bool fast : {true, false})
      for (const char* acc : {"fp32", "fp16", "bf16"}) {
        Cfg c;
        c.zero_point = zp;
        c.fast = fast;
        c.acc = acc;
        c.group = 4;
        sweep_pairs(c, 2, seed++);
      }
}

TEST(MixPe, ExhaustiveFp16TimesInt4WithZeroPoint) {
  Cfg c;
  c.fp16 = true;
  c.group = 2;
  sweep_pairs(c, 1, 100);  // 2^20 pairs
}

TEST(MixPe, ExhaustiveFp16TimesSignedInt4) {
  Cfg c;
  c.fp16 = true;
  c.zero_point = false;
  c.group = 2;
  sweep_pairs(c, 1, 200);  // 2^20 pairs
}

struct MixCase {
  Cfg c;
  std::unique_ptr<pe::ProcessingElement> pe;
  ElementFormat fa, fw;
  MixCfg rc;
  explicit MixCase(const Cfg& cfg)
      : c(cfg), pe(pe::make_pe("mixpe", cfg.params())), fa(ElementFormat::parse(cfg.fp16 ? "fp16" : "int8")),
        fw(ElementFormat::parse(cfg.wfmt())), rc(cfg.ref()) {}
};

TEST(MixPe, RandomDotProducts) {
  // 130 random configurations x 1000 dots, K = 8..64 in whole groups: int2/3/4/8 weights
  // with or without zero point, int8 or fp16 activations, fp32/fp16/bf16 acc, group 1..64;
  // mostly random codes, zero points and scales (1% from the PE's quantizers, which are slow
  // because the group quantizer builds its codec on every call).
  const int wbits[] = {2, 3, 4, 8};
  const size_t groups[] = {1, 2, 4, 8, 16, 32, 64};
  const char* accs[] = {"fp32", "fp16", "bf16"};
  const ElementFormat fp16 = ElementFormat::parse("fp16");
  Rng g(13);
  std::vector<MixCase> cases;
  cases.reserve(130);
  for (int i = 0; i < 130; ++i) {
    Cfg c;
    c.wbits = wbits[g.below(4)];
    c.zero_point = g.chance(60);
    c.fp16 = g.chance(50);
    c.fast = g.chance(50);
    c.acc = accs[g.chance(60) ? 0 : g.below(3)];
    c.group = groups[g.below(7)];
    cases.emplace_back(c);
  }
  Failures f;
  random_dots(kMixPe) += random_sweep(cases.size(), 1000, 13, f, [&](size_t ci, Rng& r) -> std::string {
    const MixCase& t = cases[ci];
    const Cfg& c = t.c;
    const size_t ng = std::max<size_t>(1, size_t(r.range(8, 64)) / c.group);
    const size_t k = ng * c.group;
    pe::Operand oa, ow;
    if (r.chance(1)) {
      std::vector<float> a(k), w(k);
      const double sa = std::ldexp(1.0, r.range(-8, 8));
      for (auto& x : a) x = float(r.normal() * sa * (r.chance(3) ? 100 : 1));
      for (auto& x : w) x = float(r.normal() + (r.chance(30) ? 0.5 : 0));
      oa = t.pe->quantize_a(a);
      ow = t.pe->quantize_w(w);
    } else {
      const bool specials = r.chance(5);
      std::vector<uint32_t> ca(k), cw(k);
      for (auto& x : ca) x = c.fp16 ? rand_fp16(r, fp16, specials) : uint32_t(r.below(256));
      for (auto& x : cw) x = uint32_t(r.below(1u << c.wbits));
      oa = make_operand(t.fa, ca, {c.fp16 && r.chance(70) ? 1.0 : rand_f32_scale(r)});
      ow = weights(c, t.fw, cw, r, fp16);
    }
    const double got = t.pe->dot(oa, ow), want = ref_mixpe(oa, ow, t.rc);
    if (same(got, want)) return "";
    return t.pe->config() + " K=" + std::to_string(k) + ": pe " + show(got) + " ref " + show(want);
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

TEST(MixPe, QuantizedOperandsHaveTheDocumentedLayout) {
  // Weights: uint B codes with a zero point per group (or signed codes without); FP16
  // activations with scale 1.
  const auto pe = pe::make_pe("mixpe", {{"w", "int3"}, {"group", "4"}, {"a", "fp16"}});
  std::vector<float> w = {-0.5f, 0.25f, 1.0f, 0.0f, 2.0f, -1.0f, 0.5f, 0.125f};
  const auto ow = pe->quantize_w(w);
  ASSERT_EQ(ow.group, 4u);
  ASSERT_EQ(ow.scales.size(), 2u);
  ASSERT_EQ(ow.zeros.size(), 2u);
  for (uint32_t q : ow.codes) EXPECT_LT(q, 8u);
  const auto oa = pe->quantize_a(w);
  ASSERT_EQ(oa.scales.size(), 1u);
  EXPECT_EQ(oa.scales[0], 1.0);
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(oa.value(i), double(w[i]));  // all exact in FP16
}

TEST(MixPe, ParametersAndErrors) {
  const auto pe = pe::make_pe("mixpe", {});
  EXPECT_EQ(pe->info().name, "mixpe");
  EXPECT_EQ(pe->output_format().name(), "float32");
  for (const char* key : {"w=int4", "a=int8", "group=128", "zero_point=true", "acc=fp32", "fast=true"})
    EXPECT_NE(pe->config().find(key), std::string::npos) << pe->config();
  EXPECT_NO_THROW(pe->check_k(128));
  EXPECT_NO_THROW(pe->check_k(4096));

  const auto g100 = pe::make_pe("mixpe", {{"group", "100"}});
  try {
    g100->check_k(4096);
    ADD_FAILURE() << "check_k(4096) with group=100 did not throw";
  } catch (const pe::PeError& e) {
    EXPECT_NE(std::string(e.what()).find("group size 100 does not divide K=4096"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("mixpe: ", 0), 0u) << e.what();
  }
  EXPECT_NO_THROW(g100->check_k(4000));
  // dot() checks K too.
  const ElementFormat int8 = ElementFormat::parse("int8"), uint4 = ElementFormat::parse("uint4");
  const auto g4 = pe::make_pe("mixpe", {{"group", "4"}});
  const auto oa = make_operand(int8, {1, 2, 3, 4, 5, 6}, {1.0});
  const auto ow = make_operand(uint4, {1, 2, 3, 4, 5, 6}, {1.0, 1.0}, 4, {0, 0});
  EXPECT_THROW(g4->dot(oa, ow), pe::PeError);

  EXPECT_TRUE(throws_pe_error("mixpe", {{"w", "int5"}}, "w=int5 is not int2, int3, int4 or int8"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"w", "uint4"}}, "is not int2, int3, int4 or int8"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"a", "e4m3"}}, "a=float8_e4m3fn is not int8 or fp16"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"a", "int4"}}, "is not int8 or fp16"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"a", "bf16"}}, "is not int8 or fp16"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"acc", "int32"}}, "acc=int32 is not a floating-point format"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"group", "0"}}, "group=0 out of range"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"group", "2097152"}}, "out of range"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"group", "12.5"}}, "bad value '12.5' for group"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"zero_point", "sometimes"}}, "bad value 'sometimes' for zero_point"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"k", "4"}}, "unknown parameter 'k'"));
}

}  // namespace
}  // namespace arithsim
