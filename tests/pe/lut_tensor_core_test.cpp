// lut_tensor_core against the independent reference (tests/pe/pe_reference.hpp):
//   INT8 activations: the group sum is exactly sum a_i (q_i - z);
//   FP16 activations: per k-block, table entries summed in `table` with one RN per add (the
//   symmetrized table reads -T[~idx]), asum and the plane sums in `acc` with one RN per add,
//   then sum_b 2^b P_b and (2^B - 1 - 2z) asum added in `acc`, halved;
//   then acc = RN_acc(acc + RN_acc(gs * s_g)) per group and RN_fp32(acc * s_a).
#include <gtest/gtest.h>

#include <cmath>

#include <arithsim/models/pe/pe.hpp>
#include "tests/pe/pe_reference.hpp"

namespace arithsim {
namespace {

using namespace peref;
using formats::ElementFormat;

struct Cfg {
  int wbits = 2;
  size_t k = 4, group = 128;
  bool symmetrize = true, fp16 = false, fast = true;
  std::string table = "fp16", acc = "fp32";
  pe::Params params() const {
    return {{"w", "int" + std::to_string(wbits)},
            {"a", fp16 ? "fp16" : "int8"},
            {"k", std::to_string(k)},
            {"group", std::to_string(group)},
            {"symmetrize", symmetrize ? "true" : "false"},
            {"table", table},
            {"acc", acc},
            {"fast", fast ? "true" : "false"}};
  }
  static FloatFmt fmt(const std::string& s) { return s == "fp32" ? kFp32 : s == "fp16" ? kFp16 : kBf16; }
  LutCfg ref() const {
    LutCfg c;
    c.wbits = wbits;
    c.k = k;
    c.group = group;
    c.symmetrize = symmetrize;
    c.fp16_act = fp16;
    c.table = fmt(table);
    c.acc = fmt(acc);
    return c;
  }
};

// FP16 activations: N(0,1)-like over a range of binades, sometimes any finite code,
// sometimes tuples built from one magnitude (exact cancellations in the table), and (when
// allowed) inf/NaN.
uint32_t rand_fp16(Rng& r, const ElementFormat& fp16, bool specials) {
  if (specials && r.chance(2)) return uint32_t(r.chance(50) ? 0x7c00 | (r.chance(50) ? 0x8000 : 0) : 0x7e00);
  if (r.chance(25)) {
    for (;;) {
      const auto c = uint32_t(r.below(0x10000));
      if (std::isfinite(fp16.decode(c))) return c;
    }
  }
  return fp16.encode(r.normal() * std::ldexp(1.0, r.range(-12, 10)));
}
std::vector<uint32_t> rand_acts(Rng& r, size_t n, bool fp16_act, const ElementFormat& fp16, bool specials) {
  std::vector<uint32_t> v(n);
  if (fp16_act && r.chance(10)) {  // one magnitude, random signs and doublings
    const uint32_t base = rand_fp16(r, fp16, false) & 0x7fff;
    for (auto& x : v) x = fp16.encode(fp16.decode(base) * (r.chance(50) ? -1 : 1) * (r.chance(30) ? 2 : 1));
    return v;
  }
  for (auto& x : v) x = fp16_act ? rand_fp16(r, fp16, specials) : uint32_t(r.below(256));
  return v;
}

pe::Operand weights(const Cfg& c, const ElementFormat& fw, std::vector<uint32_t> codes, Rng& r, const ElementFormat& fp16) {
  std::vector<double> scales;
  std::vector<int32_t> zeros;
  for (size_t g = 0; g < codes.size() / c.group; ++g) {
    scales.push_back(rand_f16_scale(r, fp16));
    zeros.push_back(r.chance(95) ? int32_t(r.below(1u << c.wbits)) : int32_t(r.range(-40, 40)));
  }
  return make_operand(fw, std::move(codes), std::move(scales), c.group, std::move(zeros));
}

// Every weight k-tuple (2^(k B) of them) in the last k-block of a K = 2k dot, times
// `acts_per_tuple` random activation tuples; the first block is random.
void sweep_tuples(const Cfg& c, size_t acts_per_tuple, uint64_t seed) {
  const auto pe = pe::make_pe("lut_tensor_core", c.params());
  SCOPED_TRACE(pe->config());
  const ElementFormat fa = ElementFormat::parse(c.fp16 ? "fp16" : "int8"),
                      fw = ElementFormat::parse("uint" + std::to_string(c.wbits)), fp16 = ElementFormat::parse("fp16");
  const LutCfg rc = c.ref();
  const size_t k = 2 * c.k, tuples = size_t(1) << (c.k * size_t(c.wbits));
  Failures f;
  parallel_for(tuples * acts_per_tuple, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      Rng r(seed * 1000003 + i);
      const size_t tuple = i / acts_per_tuple;
      const auto ca = rand_acts(r, k, c.fp16, fp16, false);
      std::vector<uint32_t> cw(k);
      for (size_t j = 0; j < c.k; ++j) {
        cw[j] = uint32_t(r.below(1u << c.wbits));
        cw[c.k + j] = uint32_t((tuple >> (j * size_t(c.wbits))) & ((1u << c.wbits) - 1));
      }
      const double sa = c.fp16 && r.chance(80) ? 1.0 : rand_f32_scale(r);
      const auto oa = make_operand(fa, ca, {sa});
      const auto ow = weights(c, fw, cw, r, fp16);
      const double got = pe->dot(oa, ow), want = ref_lut(oa, ow, rc);
      if (!same(got, want)) {
        std::string s = "a=[";
        for (auto x : ca) s += show(fa.decode(x)) + " ";
        s += "] q=[";
        for (auto x : cw) s += std::to_string(x) + " ";
        s += "] z=" + std::to_string(ow.zeros.back()) + " s_g=" + show(ow.scales.back());
        f.add(s + ": pe " + show(got) + " ref " + show(want));
      }
    }
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

// INT8: symmetrize x fast; FP16: symmetrize x table fp16/fp32 (with `thin`, only
// symmetrize=true with an fp16 table and symmetrize=false with an fp32 table).
void sweep_all_configs(int wbits, size_t int8_acts, size_t fp16_acts, uint64_t seed, bool thin = false) {
  for (bool sym : {true, false}) {
    Cfg c;
    c.wbits = wbits;
    c.k = 4;
    c.symmetrize = sym;
    c.group = sym ? 8 : 4;  // one group of two tables, or two groups
    for (bool fast : {true, false}) {
      c.fast = fast;
      sweep_tuples(c, int8_acts, seed++);
    }
    c.fp16 = true;
    for (const std::string table : {"fp16", "fp32"}) {
      c.table = table;
      if (!thin || (table == "fp16") == sym) sweep_tuples(c, fp16_acts, seed);
      ++seed;
    }
  }
}

TEST(LutTensorCore, ExhaustiveW1Tuples) { sweep_all_configs(1, 256, 128, 1); }
TEST(LutTensorCore, ExhaustiveW2Tuples) { sweep_all_configs(2, 64, 16, 100); }
TEST(LutTensorCore, ExhaustiveW3Tuples) { sweep_all_configs(3, 4, 2, 200); }
TEST(LutTensorCore, ExhaustiveW4Tuples) { sweep_all_configs(4, 1, 1, 300, true); }

struct LutCase {
  Cfg c;
  std::unique_ptr<pe::ProcessingElement> pe;
  ElementFormat fa, fw;
  LutCfg rc;
  explicit LutCase(const Cfg& cfg)
      : c(cfg), pe(pe::make_pe("lut_tensor_core", cfg.params())), fa(ElementFormat::parse(cfg.fp16 ? "fp16" : "int8")),
        fw(ElementFormat::parse("uint" + std::to_string(cfg.wbits))), rc(cfg.ref()) {}
};

TEST(LutTensorCore, RandomDotProducts) {
  // 100 random configurations x 1000 dots: w int1..4, k 1..8, group = k * 1..8, symmetrize,
  // int8/fp16 activations, fp16/fp32 tables, fp32/fp16/bf16 acc; K = 8..64 in whole groups
  // (8..16 for k >= 6 and 8..32 for FP16 activations, whose tables cost the most).
  const char* accs[] = {"fp32", "fp16", "bf16"};
  const ElementFormat fp16 = ElementFormat::parse("fp16");
  Rng g(17);
  std::vector<LutCase> cases;
  cases.reserve(100);
  for (int i = 0; i < 100; ++i) {
    Cfg c;
    c.wbits = g.range(1, 4);
    c.k = g.chance(50) ? 4 : size_t(g.range(1, 8));
    c.group = c.k * (size_t(1) << g.below(c.k >= 6 ? 2 : 4));
    c.symmetrize = g.chance(50);
    c.fp16 = g.chance(50);
    c.fast = g.chance(50);
    c.table = g.chance(50) ? "fp16" : "fp32";
    c.acc = accs[g.chance(60) ? 0 : g.below(3)];
    cases.emplace_back(c);
  }
  Failures f;
  random_dots(kLut) += random_sweep(cases.size(), 1000, 17, f, [&](size_t ci, Rng& r) -> std::string {
    const LutCase& t = cases[ci];
    const Cfg& c = t.c;
    const size_t kmax = c.k >= 6 ? 16 : c.fp16 ? 32 : 64;
    const size_t ng = std::max<size_t>(1, size_t(r.range(8, int(kmax))) / c.group);
    const size_t k = ng * c.group;
    pe::Operand oa, ow;
    if (r.chance(1)) {  // through the PE's quantizers (slow: the group quantizer builds its codec per call)
      std::vector<float> a(k), w(k);
      const double sa = std::ldexp(1.0, r.range(-8, 8));
      for (auto& x : a) x = float(r.normal() * sa);
      for (auto& x : w) x = float(r.normal());
      oa = t.pe->quantize_a(a);
      ow = t.pe->quantize_w(w);
    } else {
      std::vector<uint32_t> cw(k);
      for (auto& x : cw) x = uint32_t(r.below(1u << c.wbits));
      oa = make_operand(t.fa, rand_acts(r, k, c.fp16, fp16, r.chance(5)), {c.fp16 && r.chance(70) ? 1.0 : rand_f32_scale(r)});
      ow = weights(c, t.fw, cw, r, fp16);
    }
    const double got = t.pe->dot(oa, ow), want = ref_lut(oa, ow, t.rc);
    if (same(got, want)) return "";
    return t.pe->config() + " K=" + std::to_string(k) + ": pe " + show(got) + " ref " + show(want);
  });
  EXPECT_EQ(f.count, 0u) << f.report();
}

TEST(LutTensorCore, ParametersAndErrors) {
  const auto pe = pe::make_pe("lut_tensor_core", {});
  EXPECT_EQ(pe->info().name, "lut_tensor_core");
  EXPECT_EQ(pe->output_format().name(), "float32");
  for (const char* key : {"w=int2", "a=int8", "k=4", "group=128", "symmetrize=true", "table=fp16", "acc=fp32", "fast=true"})
    EXPECT_NE(pe->config().find(key), std::string::npos) << pe->config();
  EXPECT_NO_THROW(pe->check_k(256));
  try {
    pe->check_k(130);
    ADD_FAILURE() << "check_k(130) with group=128 did not throw";
  } catch (const pe::PeError& e) {
    EXPECT_NE(std::string(e.what()).find("lut_tensor_core: group size 128 does not divide K=130"), std::string::npos)
        << e.what();
  }
  const ElementFormat int8 = ElementFormat::parse("int8"), uint2 = ElementFormat::parse("uint2");
  const auto g4 = pe::make_pe("lut_tensor_core", {{"group", "4"}});
  EXPECT_THROW(g4->dot(make_operand(int8, {1, 2}, {1.0}), make_operand(uint2, {1, 2}, {1.0}, 4, {0})), pe::PeError);
  EXPECT_NO_THROW(pe::make_pe("lut_tensor_core", {{"k", "8"}, {"group", "8"}, {"w", "int1"}}));
  EXPECT_NO_THROW(pe::make_pe("lut_tensor_core", {{"k", "1"}, {"group", "1"}, {"w", "int4"}, {"table", "fp32"}}));

  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"a", "e4m3"}},
                              "a=float8_e4m3fn is not int8 or fp16 (LUT Tensor Core tables are built from INT8/FP16 activations)"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"a", "bf16"}}, "is not int8 or fp16"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"w", "int5"}}, "w=int5 is not int1..int4"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"w", "int8"}}, "is not int1..int4"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"k", "0"}}, "k=0 out of range 1..8"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"k", "9"}}, "k=9 out of range 1..8"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"group", "6"}}, "group size 6 is not a multiple of k=4"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"group", "0"}}, "out of range"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"table", "int8"}}, "table and acc must be floating-point formats"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"acc", "int32"}}, "table and acc must be floating-point formats"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"symmetrize", "half"}}, "bad value 'half' for symmetrize"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"zero_point", "false"}}, "unknown parameter 'zero_point'"));
}

}  // namespace
}  // namespace arithsim
