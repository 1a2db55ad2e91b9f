// The block-scaled presets of Blackwell tcgen05 (kind::mxf8f6f4, mxf4, mxf4nvf4; the rules of
// MMA-Sim, docs/pe/tensor_core.md) on directed vectors whose results are worked out by hand
// here, one rule each: scales move a product's exponent (and so its alignment), the grid of
// F bits, a group of products aligned by its scales alone (also when it sums to zero), UE4M3
// significands multiplying a group, the sign bit of UE4M3 unread, NaN scales, chains with a
// scale per instruction, and the PE's quantization through the OCP MX / NVFP4 codecs.
#include <bit>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/units/mma_schedule.hpp>

namespace {

using namespace arithsim;
using Codes = std::vector<uint32_t>;

units::MmaInstruction instr(const char* in) {
  return units::MmaInstruction(pe::select_tensor_core(pe::builtin_tensor_core_presets(), "b200", "tcgen05", in, in, "fp32").spec);
}
uint32_t f32(float x) { return std::bit_cast<uint32_t>(x); }
uint32_t e8m0(int x) { return uint32_t(x + 127); }  // the UE8M0 code of 2^x
constexpr uint32_t kOne4 = 0x38, kHalf2 = 0x1, kOne2 = 0x2, kSix2 = 0x7, kNegHalf2 = 0x9;  // E4M3 1.0; E2M1 0.5, 1, 6, -0.5
constexpr uint32_t kNaN32 = 0x7fffffff;

// ---------------------------------------------------------------- mxf8f6f4: one block of 32
TEST(BlockScaled, Mxf8ScalesMultiplyTheProducts) {
  const auto m = instr("mxfp8");
  Codes a(32, 0), b(32, 0);
  a[0] = b[0] = kOne4;  // 1 * 1 scaled by 2^3 * 2^-5
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{e8m0(3)}, Codes{e8m0(-5)}), f32(0.25f));
}

TEST(BlockScaled, Mxf8ScalesMoveTheAlignment) {
  const auto m = instr("mxfp8");
  Codes a(32, 0), b(32, 0);
  a[0] = b[0] = a[1] = b[1] = kOne4;
  // Two products of 2^-24 beside c = 1: on the grid 2^(0 - 25), so 1 + 2^-23 exactly.
  EXPECT_EQ(m.apply(a, b, f32(1), Codes{e8m0(-24)}, Codes{e8m0(0)}), f32(1 + 0x1p-23f));
  // The same elements scaled to 2^-26 fall below the grid: cut to zero, d = 1.
  EXPECT_EQ(m.apply(a, b, f32(1), Codes{e8m0(-26)}, Codes{e8m0(0)}), f32(1));
  // Scaled to 2^30 each, the products set the exponent and c = 1 is below 2^(30 - 25).
  a[1] = b[1] = 0;
  EXPECT_EQ(m.apply(a, b, f32(1), Codes{e8m0(20)}, Codes{e8m0(10)}), f32(0x1p30f));
}

TEST(BlockScaled, Mxf8NanScaleAndChains) {
  const auto m = instr("mxfp8");
  Codes a(32, 0), b(32, 0);
  EXPECT_EQ(m.apply(a, b, f32(1), Codes{0xff}, Codes{e8m0(0)}), kNaN32);  // UE8M0 0xFF is NaN, even on zeros
  // K = 64: two instructions, a scale each; ones: 32 * 2^0, then 32 * 2^10 + 32.
  Codes a2(64, kOne4), b2(64, kOne4);
  EXPECT_EQ(units::mma_dot(m, {}, a2, b2, f32(0), Codes{e8m0(0), e8m0(10)}, Codes{e8m0(0), e8m0(0)}), f32(32800));
  // Scales are required, one per run of 32 elements.
  EXPECT_THROW(units::mma_dot(m, {}, a2, b2, f32(0)), std::invalid_argument);
  EXPECT_THROW(units::mma_dot(m, {}, a2, b2, f32(0), Codes{e8m0(0)}, Codes{e8m0(0)}), std::invalid_argument);
}

// ---------------------------------------------------------------- mxf4: groups of 16, F = 35
TEST(BlockScaled, Mxf4GridOfThirtyFiveBits) {
  const auto m = instr("mxfp4");
  Codes a(64, 0), b(64, 0);
  a[0] = kNegHalf2;
  b[0] = kHalf2;  // -0.25, scaled by 2^-28: -2^-30 beside c = 1 (exponent 0): on the grid 2^-35
  EXPECT_EQ(m.apply(a, b, f32(1), Codes{e8m0(-28), e8m0(-28)}, Codes{e8m0(0), e8m0(0)}), 0x3f7fffffu);  // RZ(1 - 2^-30)
  // Scaled by 2^-33: -2^-35 is the grid's unit, kept; by 2^-34: -2^-36 is below it, cut to zero.
  EXPECT_EQ(m.apply(a, b, f32(1), Codes{e8m0(-33), e8m0(-33)}, Codes{e8m0(0), e8m0(0)}), 0x3f7fffffu);
  EXPECT_EQ(m.apply(a, b, f32(1), Codes{e8m0(-34), e8m0(-34)}, Codes{e8m0(0), e8m0(0)}), f32(1));
}

TEST(BlockScaled, Mxf4GroupsAlignByTheirScalesEvenWhenZero) {
  const auto m = instr("mxfp4");
  Codes a(64, 0), b(64, 0);
  a[32] = b[32] = kHalf2;  // 0.25 in the second scale block, scaled by 2^-20: 2^-22
  // The first block's groups are zero, but their scales (2^20) set the exponent: the grid
  // is 2^(20 - 35) and 2^-22 is cut to +0.
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{e8m0(20), e8m0(-20)}, Codes{e8m0(0), e8m0(0)}), f32(0));
  // With the first block's scales at 2^0 the grid is 2^-35 and the product stays.
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{e8m0(0), e8m0(-20)}, Codes{e8m0(0), e8m0(0)}), f32(0x1p-22f));
}

TEST(BlockScaled, Mxf4GroupSumIsExact) {
  const auto m = instr("mxfp4");
  Codes a(64, 0), b(64, 0);
  for (int j = 0; j < 16; ++j) a[size_t(j)] = b[size_t(j)] = kSix2;  // 16 * 36 = 576
  a[16] = kOne2;
  b[16] = kNegHalf2;  // the second group: -0.5
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{e8m0(0), e8m0(0)}, Codes{e8m0(0), e8m0(0)}), f32(575.5f));
}

// ---------------------------------------------------------------- mxf4nvf4: UE4M3 scales
TEST(BlockScaled, Nvfp4ScaleSignificands) {
  const auto m = instr("nvfp4");
  Codes a(64, 0), b(64, 0);
  a[0] = b[0] = kOne2;
  const Codes one{0x38, 0x38, 0x38, 0x38};
  // 1 * 1.5 (E4M3 0x3c) * 1.25 (0x3a) = 1.875
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{0x3c, 0x38, 0x38, 0x38}, Codes{0x3a, 0x38, 0x38, 0x38}), f32(1.875f));
  // The sign bit of a UE4M3 scale is not read: 0xbc is 1.5 as well.
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{0xbc, 0x38, 0x38, 0x38}, Codes{0x3a, 0x38, 0x38, 0x38}), f32(1.875f));
  // A NaN scale (0x7f) gives NaN; a zero scale drops its group.
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{0x38, 0x7f, 0x38, 0x38}, one), kNaN32);
  EXPECT_EQ(m.apply(a, b, f32(3), Codes{0x00, 0x38, 0x38, 0x38}, one), f32(3));
  EXPECT_EQ(m.apply(a, b, f32(3), one, one), f32(4));
}

// ---------------------------------------------------------------- the PE
TEST(BlockScaled, PeQuantizesThroughTheBlockFormat) {
  // MXFP8: values that E4M3 holds with a shared scale of 2^0 are exact; the dot is exact.
  const auto unit = pe::make_pe("tensor_core", {{"gpu", "b200"}, {"instr", "tcgen05"}, {"in", "mxfp8"}});
  std::vector<float> x(64), w(64);
  double want = 0;
  for (size_t i = 0; i < 64; ++i) {
    x[i] = float(int(i % 7) - 3) * 0.5f;
    w[i] = float(int(i % 5) - 2);
    want += double(x[i]) * w[i];
  }
  const auto a = unit->quantize_a(x), b = unit->quantize_w(w);
  EXPECT_EQ(a.group, 32u);
  EXPECT_EQ(a.scales.size(), 2u);
  for (size_t i = 0; i < 64; ++i) EXPECT_EQ(a.value(i), double(x[i])) << i;
  EXPECT_EQ(unit->dot(a, b), want);
  // NVFP4: E4M3 scales per 16 (amax / 6); the values 6 * 2^k quantize exactly.
  const auto nv = pe::make_pe("tensor_core", {{"gpu", "b200"}, {"instr", "tcgen05"}, {"in", "nvfp4"}});
  std::vector<float> y(64, 3.0f), z(64, 1.5f), h(64, 0.5f);
  const auto ya = nv->quantize_a(y), zb = nv->quantize_w(z);
  EXPECT_EQ(ya.group, 16u);
  for (size_t i = 0; i < 64; ++i) ASSERT_EQ(ya.value(i) * zb.value(i), 4.5);
  EXPECT_EQ(nv->dot(ya, zb), 288.0);
  // 0.5 is not: amax / 6 rounds to the E4M3 scale 0.0859375, the element to 6 (0.515625).
  EXPECT_EQ(nv->dot(ya, nv->quantize_w(h)), 64 * 3 * 0.515625);
  // scale=none: elements as they are, unit scales; pow2 does not apply.
  const auto exact = pe::make_pe("tensor_core", {{"gpu", "b200"}, {"instr", "tcgen05"}, {"in", "mxfp4"}, {"scale", "none"}});
  std::vector<float> u(64, 1.5f), v(64, -0.5f);
  EXPECT_EQ(exact->dot(exact->quantize_a(u), exact->quantize_w(v)), -48.0);
  u[3] = 1.25f;  // not an E2M1 value
  EXPECT_THROW(exact->quantize_a(u), pe::OperandError);
  EXPECT_THROW(pe::make_pe("tensor_core", {{"gpu", "b200"}, {"instr", "tcgen05"}, {"in", "mxfp8"}, {"scale", "pow2"}}), pe::PeError);
}

// inf * (a zero scale) is NaN, as inf * 0 is: a user's preset of E5M2 elements (they have
// infinities) with UE4M3 scales (they have a zero).
TEST(BlockScaled, InfinityTimesAZeroScaleIsNan) {
  const auto p = pe::parse_tensor_core_presets(
      "formats: {e5m2: float8_e5m2, fp32: float32, ue4m3: float8_e4m3fn}\n"
      "presets:\n  - {gpu: x, instr: y, in: e5m2, out: fp32, k: 32, fraction_bits: 25, block_rounding: rtz, "
      "scale: ue4m3, scale_block: 32, scale_group: 16, source: s}\n",
      "user.yaml");
  const units::MmaInstruction m(pe::select_tensor_core(p, "x", "y", "e5m2", "e5m2", "fp32").spec);
  Codes a(32, 0), b(32, 0x3c);  // b = 1.0
  a[0] = 0x7c;                  // +inf
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{0x00}, Codes{0x38}), kNaN32);
  EXPECT_EQ(m.apply(a, b, f32(0), Codes{0x38}, Codes{0x38}), f32(INFINITY));
}

TEST(BlockScaled, PresetFieldsAreChecked) {
  const char* head = "formats: {e4m3: float8_e4m3fn, fp32: float32, ue8m0: float8_e8m0fnu, ue4m3: float8_e4m3fn}\npresets:\n";
  const char* row = "  - {gpu: x, instr: y, in: e4m3, out: fp32, k: 32, fraction_bits: 25, block_rounding: rtz, source: s";
  auto parse = [&](const std::string& extra) {
    return pe::parse_tensor_core_presets(std::string(head) + row + extra + "}\n", "test.yaml");
  };
  EXPECT_NO_THROW(parse(", scale: ue8m0, scale_block: 32"));
  EXPECT_THROW(parse(", scale: ue8m0"), std::invalid_argument);                    // no scale_block
  EXPECT_THROW(parse(", scale: ue8m0, scale_block: 24"), std::invalid_argument);   // does not divide k
  EXPECT_THROW(parse(", scale: ue4m3, scale_block: 32"), std::invalid_argument);   // UE4M3 needs scale_group
  EXPECT_THROW(parse(", scale_group: 16"), std::invalid_argument);                 // no scale
  EXPECT_THROW(parse(", scale: fp32, scale_block: 32"), std::invalid_argument);    // a scale with infinities
  try {
    parse(", scale: ue8m0, scale_block: 24");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("test.yaml"), std::string::npos) << e.what();
  }
}

}  // namespace
