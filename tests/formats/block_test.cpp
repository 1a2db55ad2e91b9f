// Block formats: scale selection from an independent floor(log2) (frexp), element codes
// from the reference encoder, saturation, all-zero and NaN-containing blocks, error bounds.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <random>
#include <set>

#include <boost/multiprecision/cpp_int.hpp>

#include <arithsim/models/formats/block.hpp>
#include "tests/formats/test_util.hpp"

namespace arithsim {
namespace {

using formats::BlockCodec;
using formats::parse_block;

int ref_floor_log2(double a) {
  int e;
  std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1)
  return e - 1;
}

std::vector<float> gaussian(size_t n, uint64_t seed, float scale = 1.0f) {
  std::mt19937_64 g(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

struct MxCase {
  const char* name;
  ref::Minifloat elem;
  int emax;  // from the OCP MX spec's element table
};

class Mx : public ::testing::TestWithParam<MxCase> {};

TEST_P(Mx, ScaleRuleAndElementsMatchReference) {
  const auto p = GetParam();
  const BlockCodec c(parse_block(p.name));
  std::mt19937_64 g(1);
  std::vector<float> x;
  for (int b = 0; b < 2000; ++b) {
    const float scale = std::ldexp(1.0f, int(g() % 60) - 30);
    auto blk = gaussian(32, g(), scale);
    if (b % 7 == 0) blk[g() % 32] = std::nextafterf(std::ldexp(1.0f, int(g() % 20)), 0.0f);  // just below 2^k
    x.insert(x.end(), blk.begin(), blk.end());
  }
  const auto q = c.quantize(x, 32);
  for (size_t b = 0; b < q.scales.size(); ++b) {
    float amax = 0;
    for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[b * 32 + i]));
    const int X = std::clamp(ref_floor_log2(amax) - p.emax, -127, 127);
    ASSERT_EQ(q.scales[b], uint32_t(X + 127)) << "block " << b << " amax " << std::hexfloat << amax;
    for (int i = 0; i < 32; ++i) {
      const double scaled = std::ldexp(double(x[b * 32 + i]), -X);
      ASSERT_EQ(q.codes[b * 32 + i], ref::encode(p.elem, scaled, ref::Mode::RNE, ref::Ovf::SATURATE))
          << p.name << " block " << b << " elem " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ocp, Mx,
                         ::testing::Values(MxCase{"mxfp8", ref::float8_e4m3fn, 8}, MxCase{"mxfp8_e5m2", ref::float8_e5m2, 15},
                                           MxCase{"mxfp6_e2m3", ref::float6_e2m3fn, 2},
                                           MxCase{"mxfp6_e3m2", ref::float6_e3m2fn, 4}, MxCase{"mxfp4", ref::float4_e2m1fn, 2}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(MxEdgeCases, ExponentFromBitsNotLog2) {
  const BlockCodec c(parse_block("mxfp4"));
  // Just below a power of two: floor(log2) is 3, not 4 (microxcaling's float log2 says 4).
  std::vector<float> x(32, 0.0f);
  x[0] = std::nextafterf(16.0f, 0.0f);
  EXPECT_EQ(c.quantize(x, 32).scales[0], uint32_t(3 - 2 + 127));
  // FLT_MAX: a finite scale 2^(127-2), not inf.
  x[0] = FLT_MAX;
  const auto q = c.quantize(x, 32);
  EXPECT_EQ(q.scales[0], uint32_t(127 - 2 + 127));
  EXPECT_TRUE(std::isfinite(c.dequantize(q)[0]));
}

TEST(MxEdgeCases, BlockMaxSaturatesToElementMax) {
  const BlockCodec c(parse_block("mxfp8"));
  std::vector<float> x(32, 0.5f);
  x[5] = 1.99f * 64;  // scaled: 1.99 * 2^8 = 509 > 448 -> clamps to 448
  const auto q = c.quantize(x, 32);
  EXPECT_EQ(q.codes[5], 0x7eu);
  EXPECT_EQ(c.dequantize(q)[5], 448.0 * std::ldexp(1.0, 6 - 8));
}

TEST(MxEdgeCases, AllZeroAndNaNBlocks) {
  const BlockCodec c(parse_block("mxfp8"));
  std::vector<float> x(64, 0.0f);
  x[40] = NAN;
  x[41] = 3.0f;
  auto q = c.quantize(x, 64);
  EXPECT_EQ(q.scales[0], 0u);  // all zero: smallest scale, elements zero
  for (int i = 0; i < 32; ++i) EXPECT_EQ(q.codes[i], 0u);
  EXPECT_EQ(q.scales[1], 0xffu);  // NaN inside: scale NaN (default policy)
  auto d = c.dequantize(q);
  for (int i = 32; i < 64; ++i) EXPECT_TRUE(std::isnan(d[i]));
  x[42] = INFINITY;
  const BlockCodec e(parse_block("mxfp8:specials=element"));
  q = e.quantize(x, 64);
  d = e.dequantize(q);
  EXPECT_TRUE(std::isnan(d[40]));
  EXPECT_EQ(d[41], 3.0);
  EXPECT_EQ(q.codes[42], 0x7eu);  // inf saturates to the element max
  EXPECT_EQ(d[43], 0.0);
}

TEST(MxInt8, SymmetricNeverMinus128AndErrorBound) {
  const BlockCodec c(parse_block("mxint8"));
  const auto x = gaussian(32 * 500, 9);
  const auto q = c.quantize(x, 32);
  const auto d = c.dequantize(q);
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_NE(q.codes[i], 0x80u);
    const int X = int(q.scales[i / 32]) - 127;
    // Half a step of 2^(X-6), or the clamp to +-127/64 * 2^X for values just below 2^(X+1).
    const double clamp_err = std::fabs(x[i]) - 127.0 / 64 * std::ldexp(1.0, X);
    ASSERT_LE(std::fabs(d[i] - x[i]), std::max(std::ldexp(1.0, X - 7), clamp_err)) << i;
  }
}

// MXINT8's -128 is a setting: min=-127 (default, symmetric) or min=-128 (the full two's
// complement range of the OCP MX element, -2 .. 1 63/64 times 2^X).
TEST(MxInt8, MinusOneTwentyEightIsASetting) {
  const auto x = gaussian(32 * 500, 10);
  for (const char* name : {"mxint8", "mxint8:min=-127", "mxint8:min=-128", "mxint8:min=-128:block=16"}) {
    const auto spec = parse_block(name);
    const BlockCodec c(spec);
    const bool full = std::string(name).find("-128") != std::string::npos;
    const size_t n = size_t(spec.block);
    const auto q = c.quantize(x, n);
    size_t minus128 = 0;
    for (size_t b = 0; b < q.scales.size(); ++b) {
      float amax = 0;
      for (size_t i = 0; i < n; ++i) amax = std::max(amax, std::fabs(x[b * n + i]));
      const int X = ref_floor_log2(amax);  // emax_elem = 0
      ASSERT_EQ(q.scales[b], uint32_t(X + 127));
      for (size_t i = 0; i < n; ++i) {
        const double k = std::clamp(std::nearbyint(std::ldexp(double(x[b * n + i]), 6 - X)), full ? -128.0 : -127.0, 127.0);
        ASSERT_EQ(q.codes[b * n + i], uint8_t(int(k))) << name << " block " << b << " elem " << i;
        minus128 += q.codes[b * n + i] == 0x80;
      }
    }
    if (full) {
      EXPECT_GT(minus128, 0u) << name;  // a block maximum of -1.99 * 2^X becomes -2 * 2^X
    } else {
      EXPECT_EQ(minus128, 0u) << name;
    }
  }
  // A block whose maximum is negative and just below -2^(X+1): -2.0 exactly, or -127/64.
  std::vector<float> blk(32, 0.25f);
  blk[0] = -1.999f;
  EXPECT_EQ(BlockCodec(parse_block("mxint8:min=-128")).dequantize(BlockCodec(parse_block("mxint8:min=-128")).quantize(blk, 32))[0], -2.0);
  EXPECT_EQ(BlockCodec(parse_block("mxint8")).dequantize(BlockCodec(parse_block("mxint8")).quantize(blk, 32))[0], -127.0 / 64);
  for (const char* bad : {"mxint8:min=-126", "mxfp8:min=-128", "int8_g32:min=-128", "mxint8:min="})
    EXPECT_THROW(parse_block(bad), std::invalid_argument) << bad;
}

TEST(Nvfp4, ScaleIsE4m3OfAmaxOver6AndElementsAreReferenceFp4) {
  for (const char* name : {"nvfp4", "nvfp4:tensor_scale", "nvfp4:scale_round=up", "nvfp4:min_scale=0"}) {
    const auto spec = parse_block(name);
    const BlockCodec c(spec);
    std::vector<float> x = gaussian(16 * 400, 4, 0.01f);
    for (int i = 0; i < 16; ++i) x[16 + i] = 0.0f;  // an all-zero block
    const auto q = c.quantize(x, 16 * 20);
    float tamax = 0;
    for (float v : x) tamax = std::max(tamax, std::fabs(v));
    const double g = spec.tensor_scale ? double(float(double(tamax) / (448.0 * 6.0))) : 1.0;
    EXPECT_EQ(double(q.tensor_scale), g);
    for (size_t b = 0; b < q.scales.size(); ++b) {
      float amax = 0;
      for (int i = 0; i < 16; ++i) amax = std::max(amax, std::fabs(x[b * 16 + i]));
      uint32_t sc = ref::encode(ref::float8_e4m3fn, double(amax) / 6.0 / g,
                                spec.scale_round_up ? ref::Mode::UP : ref::Mode::RNE, ref::Ovf::SATURATE);
      if (ref::decode(ref::float8_e4m3fn, sc) < spec.min_scale) sc = ref::encode(ref::float8_e4m3fn, spec.min_scale);
      ASSERT_EQ(q.scales[b], sc) << name << " block " << b;
      const double s = ref::decode(ref::float8_e4m3fn, sc) * g;
      for (int i = 0; i < 16; ++i) {
        const uint32_t want = s == 0 ? 0 : ref::encode(ref::float4_e2m1fn, double(x[b * 16 + i]) / s, ref::Mode::RNE, ref::Ovf::SATURATE);
        ASSERT_EQ(q.codes[b * 16 + i], want) << name << " block " << b << " elem " << i;
      }
    }
  }
  std::vector<float> bad(16, 1.0f);
  bad[3] = NAN;
  EXPECT_THROW(BlockCodec(parse_block("nvfp4")).quantize(bad, 16), std::invalid_argument);
}

TEST(GroupInt, SymmetricAndZeroPointMatchDirectFormula) {
  for (const char* name : {"int4_g128", "int4_g128:asym", "int8_g32", "int2_g64:asym", "int3_g16"}) {
    const auto spec = parse_block(name);
    const BlockCodec c(spec);
    const int b = spec.element_bits();
    auto x = gaussian(size_t(spec.block) * 50, 17);
    for (size_t i = 0; i < x.size(); i += 5) x[i] = std::fabs(x[i]) + 0.5f;  // skew for the zero point
    const auto q = c.quantize(x, x.size());
    const auto d = c.dequantize(q);
    for (size_t g = 0; g < q.scales.size(); ++g) {
      const size_t n = size_t(spec.block);
      float mn = 0, mx = 0, amax = 0;
      for (size_t i = 0; i < n; ++i) {
        mn = std::min(mn, x[g * n + i]);
        mx = std::max(mx, x[g * n + i]);
        amax = std::max(amax, std::fabs(x[g * n + i]));
      }
      const double range = spec.zero_point ? (double(mx) - double(mn)) / ((1 << b) - 1) : double(amax) / ((1 << (b - 1)) - 1);
      const uint32_t sc = ref::encode(ref::float16, range);
      ASSERT_EQ(q.scales[g], sc);
      const double s = ref::decode(ref::float16, sc);
      const double z = spec.zero_point ? std::clamp(std::nearbyint(-double(mn) / s), 0.0, double((1 << b) - 1)) : 0.0;
      if (spec.zero_point) {
        ASSERT_EQ(q.zeros[g], uint8_t(z));
      }
      for (size_t i = 0; i < n; ++i) {
        const double lo = spec.zero_point ? 0.0 : -double(1 << (b - 1));
        const double hi = spec.zero_point ? double((1 << b) - 1) : double((1 << (b - 1)) - 1);
        const double qi = std::clamp(std::nearbyint(double(x[g * n + i]) / s) + z, lo, hi);
        ASSERT_EQ(d[g * n + i], (qi - z) * s) << name << " group " << g << " elem " << i;
        ASSERT_LE(std::fabs(d[g * n + i] - x[g * n + i]), s * 0.5 * (1 + 1e-3) + (spec.zero_point ? s : 0)) << name;
      }
    }
  }
}

TEST(Bfp, SharedExponentAndSignMagnitudeElements) {
  const auto spec = parse_block("bfp8");
  const BlockCodec c(spec);
  const auto x = gaussian(16 * 300, 5);
  const auto q = c.quantize(x, 16);
  const auto d = c.dequantize(q);
  for (size_t b = 0; b < q.scales.size(); ++b) {
    float amax = 0;
    for (int i = 0; i < 16; ++i) amax = std::max(amax, std::fabs(x[b * 16 + i]));
    const int E = ref_floor_log2(amax);
    ASSERT_EQ(q.scales[b], uint32_t(E + 127));
    const double unit = std::ldexp(1.0, E - 6);  // 7 magnitude bits
    for (int i = 0; i < 16; ++i) {
      const double want = std::clamp(std::nearbyint(double(x[b * 16 + i]) / unit), -127.0, 127.0) * unit;
      ASSERT_EQ(d[b * 16 + i], want);
    }
  }
}

TEST(BlockSpecs, ParseErrorsNameTheProblem) {
  for (const char* bad : {"mxfp5", "mxfp4:block=0", "mxfp4:foo", "int9_g128", "int4_gx", "bfp1", "bfp9", "nvfp4:min_scale=-1",
                          "bfp8:exp_bits=1", "int4_g128:tensor_scale"})
    EXPECT_THROW(parse_block(bad), std::invalid_argument) << bad;
  EXPECT_EQ(parse_block("mxfp4:block=16").block, 16);
  const auto g = parse_block("int4:group=64:asym");
  EXPECT_TRUE(g.kind == formats::BlockKind::GroupInt && g.block == 64 && g.zero_point);
}

// DAZ on input acts on a block's inputs, before amax and scaling (not on the scaled elements).
TEST(BlockSpecs, DenormalsAreZeroOnInput) {
  formats::RoundingOptions daz;
  daz.daz_in = true;
  const BlockCodec c(parse_block("mxfp8"));
  std::vector<float> x(64, 0.0f);
  for (int i = 0; i < 32; ++i) x[i] = std::ldexp(float(i + 1), -140) * (i % 2 ? -1.0f : 1.0f);  // all float subnormals
  for (int i = 32; i < 64; ++i) x[i] = std::ldexp(1.0f + float(i) / 64, -120);  // normal and tiny
  const auto plain = c.quantize(x, 32), flushed = c.quantize(x, 32, daz);
  EXPECT_EQ(plain.scales[0], 0u);  // X clamps to -127: the elements are x * 2^127, nonzero
  EXPECT_NE(plain.codes[31], 0u);
  EXPECT_EQ(flushed.scales[0], 0u);  // an all-zero block now
  for (int i = 0; i < 32; ++i) EXPECT_EQ(flushed.codes[i], i % 2 ? 0x80u : 0x00u) << i;  // zeros keep their sign
  EXPECT_EQ(flushed.scales[1], plain.scales[1]);  // normal inputs are untouched, though their scaled elements are tiny
  for (int i = 32; i < 64; ++i) EXPECT_EQ(flushed.codes[i], plain.codes[i]) << i;
  EXPECT_NE(flushed.codes[40], 0u);
  const BlockCodec g(parse_block("int8_g32"));
  const auto gq = g.quantize(x, 32, daz);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(gq.codes[i], 0u);
}

// The named block formats (format list's rows) all parse, and their aliases are the same format.
TEST(BlockSpecs, EveryNamedBlockFormatParses) {
  std::set<std::string> names;
  for (const auto& p : formats::block_presets()) {
    names.insert(p.name);
    const auto s = parse_block(p.name);
    EXPECT_FALSE(p.note.empty() || p.source.empty()) << p.name;
    for (const auto& a : p.aliases) {
      const auto t = parse_block(a);
      EXPECT_TRUE(t.kind == s.kind && t.elem.spec() == s.elem.spec() && t.block == s.block) << a;
    }
  }
  for (const char* n : {"mxfp8", "mxfp8_e5m2", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp4", "mxint8", "nvfp4", "int4_g128",
                        "int4_g128:asym", "bfp8"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST(BlockSpecs, PartialLastBlockAndRowLayout) {
  const BlockCodec c(parse_block("mxfp8"));
  std::vector<float> x(2 * 40);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i % 40) * (i < 40 ? 1.0f : 100.0f);
  const auto q = c.quantize(x, 40);
  EXPECT_EQ(q.blocks_per_row, 2u);
  EXPECT_EQ(q.scales.size(), 4u);
  EXPECT_EQ(q.scales[1], uint32_t(ref_floor_log2(39.0) - 8 + 127));  // elements 32..39 of row 0
  EXPECT_EQ(q.scales[3], uint32_t(ref_floor_log2(3900.0) - 8 + 127));
  EXPECT_THROW(c.quantize(x, 7), std::invalid_argument);
}

// --- the scale format is a parameter (:scale=F) --------------------------------------------

TEST(BlockScale, DefaultsAreUnchanged) {
  EXPECT_EQ(BlockCodec(parse_block("mxfp4")).scale_format().name(), "float8_e8m0fnu");
  EXPECT_EQ(BlockCodec(parse_block("mxint8")).scale_format().name(), "float8_e8m0fnu");
  EXPECT_EQ(BlockCodec(parse_block("nvfp4")).scale_format().name(), "float8_e4m3fn");
  EXPECT_EQ(BlockCodec(parse_block("int4_g128:asym")).scale_format().name(), "float16");
  EXPECT_EQ(BlockCodec(parse_block("bfp8")).scale_format().bits(), 8);
  EXPECT_EQ(BlockCodec(parse_block("bfp8:exp_bits=5")).scale_format().bits(), 5);
  EXPECT_TRUE(parse_block("mxfp4").scale.empty());
  // Naming the default explicitly gives the same codes and scales.
  const auto x = gaussian(32 * 64, 21);
  for (const auto& [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"mxfp4", "mxfp4:scale=e8m0"}, {"nvfp4", "nvfp4:scale=e4m3"}, {"int4_g128", "int4_g128:scale=fp16"}}) {
    const auto qa = BlockCodec(parse_block(a)).quantize(x, 32 * 64), qb = BlockCodec(parse_block(b)).quantize(x, 32 * 64);
    EXPECT_EQ(qa.codes, qb.codes) << b;
    EXPECT_EQ(qa.scales, qb.scales) << b;
  }
}

// MX with a 5-bit exponent scale (e5m0:ue: 2^-15 .. 2^15, NaN 0x1f): X clamps to its range.
TEST(BlockScale, MxWithANarrowExponentScale) {
  const BlockCodec c(parse_block("mxfp8:scale=e5m0:ue:block=16"));
  EXPECT_EQ(c.spec().block, 16);
  EXPECT_EQ(c.spec().scale, "e5m0:ue");
  std::mt19937_64 g(8);
  std::vector<float> x;
  for (int b = 0; b < 400; ++b) {
    const auto blk = gaussian(16, g(), std::ldexp(1.0f, int(g() % 60) - 30));
    x.insert(x.end(), blk.begin(), blk.end());
  }
  x.insert(x.end(), 16, 0.0f);  // an all-zero block: the smallest scale
  const auto q = c.quantize(x, 16);
  for (size_t b = 0; b < q.scales.size(); ++b) {
    float amax = 0;
    for (int i = 0; i < 16; ++i) amax = std::max(amax, std::fabs(x[b * 16 + i]));
    const int X = amax == 0 ? -15 : std::clamp(ref_floor_log2(amax) - 8, -15, 15);
    ASSERT_EQ(q.scales[b], uint32_t(X + 15)) << "block " << b;
    for (int i = 0; i < 16; ++i)
      ASSERT_EQ(q.codes[b * 16 + i],
                ref::encode(ref::float8_e4m3fn, std::ldexp(double(x[b * 16 + i]), -X), ref::Mode::RNE, ref::Ovf::SATURATE))
          << "block " << b << " elem " << i;
  }
  std::vector<float> nan_blk(16, 1.0f);
  nan_blk[2] = NAN;
  const auto qn = c.quantize(nan_blk, 16);
  EXPECT_EQ(qn.scales[0], 0x1fu);  // the scale's own NaN
  EXPECT_TRUE(std::isnan(c.dequantize(qn)[0]));
}

// MX with a bfloat16 scale reaches 2^-133 (bf16 subnormals): blocks of tiny floats keep
// their precision, and those shared exponents are below the float fast path (2^-X > FLT_MAX).
TEST(BlockScale, MxWithABfloat16Scale) {
  const BlockCodec c(parse_block("mxfp4:scale=bf16"));
  std::mt19937_64 g(4);
  std::vector<float> x;
  for (int b = 0; b < 300; ++b) {
    const auto blk = gaussian(32, g(), std::ldexp(1.0f, int(g() % 270) - 145));  // subnormal .. 2^125
    x.insert(x.end(), blk.begin(), blk.end());
  }
  const auto q = c.quantize(x, 32);
  int below_e8m0 = 0;
  for (size_t b = 0; b < q.scales.size(); ++b) {
    float amax = 0;
    for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[b * 32 + i]));
    const int X = amax == 0 ? -133 : std::clamp(ref_floor_log2(amax) - 2, -133, 127);
    below_e8m0 += X < -127;
    ASSERT_EQ(q.scales[b], ref::encode(ref::bfloat16, std::ldexp(1.0, X))) << "block " << b;
    for (int i = 0; i < 32; ++i)
      ASSERT_EQ(q.codes[b * 32 + i],
                ref::encode(ref::float4_e2m1fn, std::ldexp(double(x[b * 32 + i]), -X), ref::Mode::RNE, ref::Ovf::SATURATE))
          << "block " << b << " elem " << i;
  }
  EXPECT_GT(below_e8m0, 10);
}

TEST(BlockScale, Nvfp4WithAnE8m0Scale) {
  const auto spec = parse_block("nvfp4:scale=e8m0");
  const BlockCodec c(spec);
  std::vector<float> x = gaussian(16 * 300, 6, 0.5f);
  for (int i = 0; i < 16; ++i) x[32 + i] = 0.0f;  // all zero: E8M0 (saturating) 0x00, then the 2^-6 floor
  const auto q = c.quantize(x, 16 * 30);
  for (size_t b = 0; b < q.scales.size(); ++b) {
    float amax = 0;
    for (int i = 0; i < 16; ++i) amax = std::max(amax, std::fabs(x[b * 16 + i]));
    uint32_t sc = ref::encode(ref::float8_e8m0fnu, double(amax) / 6.0, ref::Mode::RNE, ref::Ovf::SATURATE);
    if (ref::decode(ref::float8_e8m0fnu, sc) < 0x1p-6) sc = ref::encode(ref::float8_e8m0fnu, 0x1p-6);
    ASSERT_EQ(q.scales[b], sc) << "block " << b;
    const double s = ref::decode(ref::float8_e8m0fnu, sc);
    for (int i = 0; i < 16; ++i)
      ASSERT_EQ(q.codes[b * 16 + i], ref::encode(ref::float4_e2m1fn, double(x[b * 16 + i]) / s, ref::Mode::RNE, ref::Ovf::SATURATE))
          << "block " << b << " elem " << i;
  }
  EXPECT_EQ(q.scales[2], 0x79u);  // 2^-6
}

TEST(BlockScale, GroupIntWithABfloat16Scale) {
  for (const char* name : {"int4_g128:scale=bf16", "int8_g32:scale=bf16:asym"}) {
    const auto spec = parse_block(name);
    const BlockCodec c(spec);
    const int b = spec.element_bits();
    const size_t n = size_t(spec.block);
    auto x = gaussian(n * 40, 12);
    for (size_t i = 0; i < x.size(); i += 3) x[i] = std::fabs(x[i]) + 0.25f;
    const auto q = c.quantize(x, x.size());
    const auto d = c.dequantize(q);
    for (size_t gi = 0; gi < q.scales.size(); ++gi) {
      float mn = 0, mx = 0, amax = 0;
      for (size_t i = 0; i < n; ++i) {
        mn = std::min(mn, x[gi * n + i]);
        mx = std::max(mx, x[gi * n + i]);
        amax = std::max(amax, std::fabs(x[gi * n + i]));
      }
      const double range = spec.zero_point ? (double(mx) - double(mn)) / ((1 << b) - 1) : double(amax) / ((1 << (b - 1)) - 1);
      ASSERT_EQ(q.scales[gi], ref::encode(ref::bfloat16, range)) << name;
      const double s = ref::decode(ref::bfloat16, q.scales[gi]);
      const double z = spec.zero_point ? std::clamp(std::nearbyint(-double(mn) / s), 0.0, double((1 << b) - 1)) : 0.0;
      const double lo = spec.zero_point ? 0.0 : -double(1 << (b - 1)), hi = spec.zero_point ? double((1 << b) - 1) : double((1 << (b - 1)) - 1);
      for (size_t i = 0; i < n; ++i) {
        const double qi = std::clamp(std::nearbyint(double(x[gi * n + i]) / s) + z, lo, hi);
        ASSERT_EQ(d[gi * n + i], (qi - z) * s) << name << " group " << gi << " elem " << i;
      }
    }
  }
}

TEST(BlockScale, ScalesThatMakeNoSenseAreOneLineErrorsNamingTheSpec) {
  for (const char* bad : {"mxfp4:scale=foo", "mxfp4:scale=int8", "mxfp4:scale=posit8", "nvfp4:scale=fp32",
                          "int4_g128:scale=uint8", "bfp8:scale=e8m0", "mxfp4:scale=e4m3:finite", "mxfp4:scale=",
                          "mxfp4:scale=e5m0:bias=x", "mxfp4:scale=e8m0:clamp", "nvfp4:scale=ternary"}) {
    try {
      parse_block(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(bad), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
  EXPECT_NE(std::string([] {
              try { parse_block("mxfp4:scale=int8"); } catch (const std::invalid_argument& e) { return std::string(e.what()); }
              return std::string();
            }()).find("powers of two"),
            std::string::npos);
  for (const char* good : {"mxfp4:scale=e4m3:finite:specials=element", "mxfp4:scale=e8m0:ue:clamp",
                           "nvfp4:scale=bf16:tensor_scale", "int4_g128:scale=e8m0:asym"})
    EXPECT_NO_THROW(BlockCodec(parse_block(good))) << good;
  formats::BlockSpec by_hand = parse_block("mxfp4");
  by_hand.scale = "int8";
  EXPECT_THROW(BlockCodec{by_hand}, std::invalid_argument);  // validated in the codec too
}

// quotient(x, d): on the same side of q = RN(x/d) as the exact quotient, and strictly
// between q and its neighbouring double on that side; exact iff the quotient is exact.
TEST(Quotient, RoundsLikeTheExactQuotient) {
  using Q = boost::multiprecision::cpp_rational;
  std::mt19937_64 g(77);
  auto value = [](const formats::Unrounded& u) {
    Q v = Q(boost::multiprecision::cpp_int(u.sig));
    const int e = u.exp - 63;
    v = e >= 0 ? v * Q(boost::multiprecision::cpp_int(1) << e) : v / Q(boost::multiprecision::cpp_int(1) << -e);
    return u.neg ? Q(-v) : v;
  };
  size_t inexact = 0, exact = 0;
  for (int i = 0; i < 100000; ++i) {
    // float numerators over scale-like denominators (few significant bits), and random doubles.
    double x = double(std::bit_cast<float>(uint32_t(g()) & 0x8fffffffu));
    double d = i % 3 == 0 ? double(std::ldexp(double(1 + g() % 2048), int(g() % 40) - 30))
                          : std::ldexp(1.0 + double(g() >> 12) * 0x1p-52, int(g() % 40) - 20);
    if (i % 4 == 1) x = std::ldexp(double(int64_t(g() % 4001) - 2000) / 2, 0) * d;  // exact multiples and halves
    if (i % 5 == 2) d = -d;
    if (x == 0 || !std::isfinite(x)) continue;
    const double q = x / d;
    if (!std::isnormal(q)) continue;
    const formats::Unrounded u = formats::quotient(x, d);
    const Q exact_q = Q(x) / Q(d), uq = value(u);
    ASSERT_EQ(u.neg, q < 0);
    if (exact_q == Q(q)) {
      ++exact;
      ASSERT_FALSE(u.sticky) << std::hexfloat << x << " / " << d;
      ASSERT_EQ(uq, Q(q));
      continue;
    }
    ++inexact;
    ASSERT_TRUE(u.sticky);
    // In magnitudes: sig with sticky stands for a value in (a, a + ulp64); that interval and
    // the exact quotient lie between q and its neighbouring double towards the quotient.
    const Q aq = abs(exact_q), a = abs(uq), mq = Q(std::fabs(q));
    const double nb = std::nextafter(std::fabs(q), aq > mq ? HUGE_VAL : 0.0);
    const Q lo = std::min(mq, Q(nb)), hi = std::max(mq, Q(nb));
    formats::Unrounded one = u;
    one.sig = uint64_t(1) << 63;
    const Q ulp = abs(value(one)) / Q(boost::multiprecision::cpp_int(1) << 63);
    ASSERT_TRUE(lo < aq && aq < hi) << std::hexfloat << x << " / " << d;
    ASSERT_TRUE(lo <= a && a + ulp <= hi) << std::hexfloat << x << " / " << d;
    ASSERT_EQ(a == mq, aq > mq) << "sticky on the wrong side of q: " << std::hexfloat << x << " / " << d;
  }
  EXPECT_GT(exact, 5000u);
  EXPECT_GT(inexact, 10000u);
}

}  // namespace
}  // namespace arithsim
