// The scale=none operand policy of every PE (issue #13, "Operands as given"): exact values
// of the PE's input formats go through as they are (identity codes, unit scales, zero
// points 0), and a value that is not exact is an error naming its position. The codes are
// drawn as bit patterns and decoded by the format, independently of the policy's encoder.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <arithsim/models/pe/pe.hpp>
#include "sim/gemm/gemm_driver.hpp"

namespace arithsim {
namespace {

struct Case {
  std::string pe;
  pe::Params params;
  size_t k;
};

// Every PE of the catalogue at its defaults, and variants with other input formats.
std::vector<Case> cases() {
  std::vector<Case> c;
  for (const auto& info : pe::pe_catalog()) c.push_back({info.name, {}, 128});
  c.push_back({"int_mac", {{"a", "int4"}, {"w", "int16"}}, 64});
  c.push_back({"fp8_mac", {{"a", "e5m2"}, {"w", "e4m3"}}, 64});
  c.push_back({"mixpe", {{"zero_point", "false"}, {"group", "32"}}, 64});
  c.push_back({"mixpe", {{"a", "fp16"}, {"w", "int8"}, {"group", "64"}}, 128});
  c.push_back({"lut_tensor_core", {{"a", "fp16"}, {"w", "int4"}, {"group", "32"}}, 64});
  c.push_back({"lmul_pe", {{"format", "e4m3"}}, 64});
  c.push_back({"rmmec", {{"mode", "fp4"}}, 64});
  c.push_back({"rmmec", {{"mode", "posit16_1"}}, 64});
  c.push_back({"tensor_core", {{"gpu", "h100"}, {"instr", "wgmma"}, {"in", "e4m3"}}, 64});
  c.push_back({"tensor_core", {{"gpu", "a100"}, {"in", "bf16"}}, 64});
  c.push_back({"tensor_core", {{"gpu", "a100"}, {"in", "tf32"}}, 64});
  return c;
}

// Random finite codes of f (rejection on NaN and inf), as the values they stand for.
std::vector<float> random_values(const formats::ElementFormat& f, size_t n, std::mt19937_64& g, std::vector<uint32_t>& codes) {
  std::vector<float> v;
  codes.clear();
  while (v.size() < n) {
    const uint32_t c = uint32_t(g()) & uint32_t((uint64_t{1} << f.bits()) - 1);
    const double x = f.decode(c);
    if (!std::isfinite(x)) continue;
    v.push_back(float(x));
    codes.push_back(c);
  }
  return v;
}

TEST(OperandPolicy, EveryPeTakesExactCodesAsTheyAre) {
  std::mt19937_64 g(13);
  for (auto c : cases()) {
    SCOPED_TRACE(c.pe + " " + pe::make_pe(c.pe, c.params)->config());
    c.params["scale"] = "none";
    const auto unit = pe::make_pe(c.pe, c.params);
    EXPECT_TRUE(unit->exact_operands());
    const std::vector<float> zeros(c.k, 0.0f);
    const auto& fa = *unit->quantize_a(zeros).format;
    const auto& fw = *unit->quantize_w(zeros).format;
    for (int t = 0; t < 20; ++t) {
      std::vector<uint32_t> ca, cw;
      const auto a = random_values(fa, c.k, g, ca), w = random_values(fw, c.k, g, cw);
      const auto oa = unit->quantize_a(a), ow = unit->quantize_w(w);
      for (size_t i = 0; i < c.k; ++i) {
        ASSERT_EQ(oa.value(i), double(a[i])) << "activation " << i;
        ASSERT_EQ(ow.value(i), double(w[i])) << "weight " << i;
        // Identity codes, except that a zero may come back as the other zero's code.
        if (a[i] != 0) {
          ASSERT_EQ(oa.codes[i], ca[i]) << "activation " << i;
        }
        if (w[i] != 0) {
          ASSERT_EQ(ow.codes[i], cw[i]) << "weight " << i;
        }
      }
      for (double s : oa.scales) ASSERT_EQ(s, 1.0);
      for (double s : ow.scales) ASSERT_EQ(s, 1.0);
      for (int32_t z : ow.zeros) ASSERT_EQ(z, 0);
      (void)unit->dot(oa, ow);  // runs on them
    }
  }
}

// The issue's two examples: an FP8 amax of 3.75 stays 3.75 (the pow2 policy moves it into
// [256, 512) and saturates it to 448), and int_mac takes -128 as -128 (symmetric rescales
// by 128/127).
TEST(OperandPolicy, IssueExamplesStayExact) {
  {
    const auto p = pe::make_pe("fp8_mac", {{"scale", "none"}});
    const std::vector<float> a = {3.75f, -1.5f}, w = {1.0f, 2.0f};
    const auto oa = p->quantize_a(a);
    EXPECT_EQ(oa.value(0), 3.75);
    EXPECT_EQ(p->dot(oa, p->quantize_w(w)), 0.75);
    const auto scaled = pe::make_pe("fp8_mac", {})->quantize_a(a);
    EXPECT_NE(scaled.codes[0], oa.codes[0]);  // the default policy does alter it
  }
  {
    const auto p = pe::make_pe("int_mac", {{"scale", "none"}});
    const std::vector<float> a = {-128.0f, 127.0f, 1.0f}, w = {1.0f, 1.0f, -128.0f};
    EXPECT_EQ(p->dot(p->quantize_a(a), p->quantize_w(w)), -129.0);
  }
}

TEST(OperandPolicy, InexactValueIsAnErrorNamingItsPosition) {
  const auto p = pe::make_pe("fp8_mac", {{"scale", "none"}});
  const std::vector<float> bad = {1.0f, 0.3f};
  try {
    (void)p->quantize_w(bad);
    FAIL() << "no error";
  } catch (const pe::OperandError& e) {
    EXPECT_EQ(e.index, 1u);
    EXPECT_EQ(e.side, 'w');
    EXPECT_NE(std::string(e.what()).find("weight element 1 = 0.3 is not a value of float8_e4m3fn"), std::string::npos) << e.what();
  }
  // Through the GEMM driver, the position in A or B.
  std::vector<float> A(2 * 3, 1.0f), B(3 * 4, 1.0f);
  A[1 * 3 + 2] = 500.0f;  // beyond e4m3's 448
  try {
    (void)sim::run_gemm(*p, A, B, 2, 4, 3);
    FAIL() << "no error";
  } catch (const pe::OperandError& e) {
    EXPECT_NE(std::string(e.what()).find("A[1, 2] = 500"), std::string::npos) << e.what();
  }
  A[1 * 3 + 2] = 1.0f;
  B[2 * 4 + 3] = 1.0f / 3.0f;
  try {
    (void)sim::run_gemm(*p, A, B, 2, 4, 3);
    FAIL() << "no error";
  } catch (const pe::OperandError& e) {
    EXPECT_NE(std::string(e.what()).find("B[2, 3]"), std::string::npos) << e.what();
  }
  const auto i8 = pe::make_pe("int_mac", {{"scale", "none"}});
  EXPECT_THROW((void)i8->quantize_a(std::vector<float>{128.0f}), pe::OperandError);
  EXPECT_THROW((void)i8->quantize_a(std::vector<float>{0.5f}), pe::OperandError);
}

TEST(OperandPolicy, UnknownPolicyListsTheKnownOnes) {
  try {
    (void)pe::make_pe("mixpe", {{"scale", "bogus"}});
    FAIL() << "no error";
  } catch (const pe::PeError& e) {
    EXPECT_STREQ(e.what(), "mixpe: scale 'bogus' is not one of none, group");
  }
  for (const auto& info : pe::pe_catalog()) {
    bool has = false;
    for (const auto& p : info.params) has |= p.name == "scale";
    EXPECT_TRUE(has) << info.name << " has no operand policy";
  }
}

TEST(OperandPolicy, StatisticsStateTheirOperands) {
  const std::vector<float> A = {1.0f, 2.0f, 0.5f, -1.0f}, B = {1.0f, 0.25f, 3.0f, -2.0f};
  const auto none = pe::make_pe("fp8_mac", {{"scale", "none"}});
  const auto r = sim::run_gemm(*none, A, B, 2, 2, 2);
  EXPECT_EQ(r.stats.operands, "exact values of float8_e4m3fn x float8_e4m3fn (scale=none)");
  EXPECT_EQ(r.stats.exact_match_rate, 1.0);
  EXPECT_EQ(r.c[0], 1.0f * 1.0f + 2.0f * 3.0f);
  const auto own = pe::make_pe("fp8_mac", {});
  EXPECT_EQ(sim::run_gemm(*own, A, B, 2, 2, 2).stats.operands, "float8_e4m3fn x float8_e4m3fn as the PE scaled them (scale=pow2)");
}

}  // namespace
}  // namespace arithsim
