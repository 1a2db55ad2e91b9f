// Minifloats against the independent reference (tests/reference): exhaustive decode,
// encode on every bfloat16 value, every midpoint and its neighbours, and >= 10^6 random
// float32 patterns, in every rounding mode and overflow policy.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <arithsim/models/formats/format.hpp>
#include "tests/formats/test_util.hpp"

namespace arithsim {
namespace {

using formats::ElementFormat;
using formats::MinifloatCodec;
using formats::MinifloatSpec;
using formats::Overflow;
using formats::Rounding;
using formats::RoundingOptions;

// Every minifloat preset of <= 16 bits, plus generic specs exercising odd shapes.
std::vector<std::string> minifloat_names() {
  std::vector<std::string> names;
  for (const auto& p : formats::presets())
    if (auto* m = std::get_if<MinifloatSpec>(&p.spec); m && m->bits() <= 16) names.push_back(p.name);
  for (const char* g : {"e3m2:bias=1:ieee", "e5m4:fn", "e2m5:fnuz", "e6m3:bias=40:finite", "e4m0:fn", "e1m2:finite",
                        "e3m1:fnuz", "e5m10:bias=3:ieee", "e8m0:ue:clamp"})
    names.push_back(g);
  return names;
}

class Minifloat : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    fmt_ = std::make_unique<ElementFormat>(ElementFormat::parse(GetParam()));
    spec_ = std::get<MinifloatSpec>(fmt_->spec());
    codec_ = fmt_->codec<MinifloatCodec>();
    ref_ = test::to_ref(spec_);
  }
  // Encode inputs: all bfloat16 values, every midpoint between adjacent finite values and
  // its neighbours (one double ulp and one float ulp either side), and the extremes.
  std::vector<double> structured_inputs() const {
    std::vector<double> in;
    for (uint32_t b = 0; b < 0x10000; ++b) in.push_back(std::bit_cast<float>(b << 16));
    std::vector<double> vals;
    for (uint32_t c = 0; c < (1u << spec_.bits()); ++c) {
      const double v = ref::decode(ref_, c);
      if (std::isfinite(v)) vals.push_back(v);
    }
    std::sort(vals.begin(), vals.end());
    vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
    const double top_ulp = vals.size() > 1 ? vals.back() - vals[vals.size() - 2] : 1.0;
    vals.push_back(vals.back() + top_ulp);  // the first value past max, and its midpoint
    vals.insert(vals.begin(), -vals.back());
    for (size_t i = 0; i + 1 < vals.size(); ++i) {
      const double mid = vals[i] + (vals[i + 1] - vals[i]) / 2;
      for (double x : {mid, std::nextafter(mid, -HUGE_VAL), std::nextafter(mid, HUGE_VAL), vals[i],
                       std::nextafter(vals[i], -HUGE_VAL), std::nextafter(vals[i], HUGE_VAL)})
        in.push_back(x);
      const float fm = float(mid);
      in.push_back(std::nextafterf(fm, -HUGE_VALF));
      in.push_back(std::nextafterf(fm, HUGE_VALF));
    }
    for (double x : {0.0, -0.0, HUGE_VAL, -HUGE_VAL, std::numeric_limits<double>::quiet_NaN(),
                     -std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::max(),
                     -std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(), 1e-300})
      in.push_back(x);
    return in;
  }
  std::vector<Overflow> policies() const {
    std::vector<Overflow> p = {Overflow::Default, Overflow::Saturate};
    if (spec_.has_inf()) p.push_back(Overflow::Infinity);
    if (spec_.has_nan()) p.push_back(Overflow::NaN);
    return p;
  }
  void expect_encode(const std::vector<double>& in, Rounding r, Overflow ov) const {
    RoundingOptions o;
    o.mode = r;
    o.overflow = ov;
    size_t bad = 0;
    for (double x : in) {
      const uint32_t want = ref::encode(ref_, x, test::to_ref(r), test::to_ref(ov));
      const uint32_t got = codec_->encode(x, o);
      if (got != want && ++bad <= 5)
        ADD_FAILURE() << GetParam() << " encode(" << std::hexfloat << x << ") mode " << formats::to_string(r)
                      << " overflow " << formats::to_string(ov) << ": got 0x" << std::hex << got << " want 0x" << want;
      // The float entry point must agree wherever the input is a float.
      if (double(float(x)) == x || std::isnan(x)) {
        const uint32_t gf = codec_->encode(float(x), o);
        if (gf != got && ++bad <= 5) ADD_FAILURE() << "float path differs at " << std::hexfloat << x;
      }
    }
    EXPECT_EQ(bad, 0u) << GetParam() << " " << formats::to_string(r) << "/" << formats::to_string(ov);
  }

  std::unique_ptr<ElementFormat> fmt_;
  MinifloatSpec spec_;
  const MinifloatCodec* codec_ = nullptr;
  ref::Minifloat ref_;
};

TEST_P(Minifloat, DecodeEveryCode) {
  for (uint32_t c = 0; c < (1u << spec_.bits()); ++c) {
    ASSERT_TRUE(test::same_value(codec_->decode(c), ref::decode(ref_, c)))
        << GetParam() << " code 0x" << std::hex << c << ": got " << codec_->decode(c) << " want " << ref::decode(ref_, c);
    ASSERT_EQ(codec_->is_nan(c), ref::is_nan_code(ref_, c)) << GetParam() << " code 0x" << std::hex << c;
    if (!codec_->table().empty()) {
      ASSERT_TRUE(test::same_value(codec_->table()[c], codec_->decode(c)));
    }
  }
}

TEST_P(Minifloat, EncodeStructuredAllModesAndPolicies) {
  const auto in = structured_inputs();
  for (Rounding r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down, Rounding::NearestAway})
    for (Overflow ov : policies()) expect_encode(in, r, ov);
}

TEST_P(Minifloat, EncodeRandomFloat32) {
  const int emax = spec_.conv == formats::FloatConvention::UE ? 127 : (1 << spec_.e) - 1 - spec_.bias;
  const int emin = 1 - spec_.bias - spec_.m;
  auto in32 = test::random_floats(1'000'000, std::max(emin - 4, -149), std::min(emax + 3, 127), 42);
  const std::vector<double> in(in32.begin(), in32.end());
  expect_encode(in, Rounding::NearestEven, Overflow::Default);
  const std::vector<double> small(in.begin(), in.begin() + 100'000);
  for (Rounding r : {Rounding::TowardZero, Rounding::Up, Rounding::Down, Rounding::NearestAway})
    expect_encode(small, r, Overflow::Default);
  expect_encode(small, Rounding::NearestEven, Overflow::Saturate);
}

TEST_P(Minifloat, RoundTripEveryCode) {
  for (uint32_t c = 0; c < (1u << spec_.bits()); ++c) {
    if (codec_->is_nan(c)) continue;
    const double v = codec_->decode(c);
    uint32_t want = c;
    if (spec_.conv == formats::FloatConvention::FNUZ && v == 0) want = 0;
    ASSERT_EQ(codec_->encode(v), want) << GetParam() << " code 0x" << std::hex << c;
  }
}

INSTANTIATE_TEST_SUITE_P(All, Minifloat, ::testing::ValuesIn(minifloat_names()), [](const auto& info) {
  std::string s = info.param;
  for (auto& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
});

// The defaults the issue pins to ml_dtypes 0.6 / PyTorch float8 casts (values from their
// specifications, not from this code).
TEST(MinifloatDefaults, MatchMlDtypesAndPyTorch) {
  const auto e4m3 = ElementFormat::parse("float8_e4m3fn");
  EXPECT_EQ(e4m3.encode(448.0), 0x7eu);
  EXPECT_EQ(e4m3.encode(464.0), 0x7eu);  // tie rounds to even 448
  EXPECT_EQ(e4m3.encode(465.0), 0x7fu);  // overflow -> NaN
  EXPECT_EQ(e4m3.encode(-1e9), 0xffu);
  EXPECT_EQ(e4m3.encode(HUGE_VAL), 0x7fu);
  EXPECT_EQ(e4m3.encode(std::nan("")), 0x7fu);
  const auto e5m2 = ElementFormat::parse("float8_e5m2");
  EXPECT_EQ(e5m2.encode(1e6), 0x7cu);  // overflow -> inf
  EXPECT_EQ(e5m2.encode(57344.0), 0x7bu);
  EXPECT_EQ(e5m2.encode(61440.0), 0x7cu);  // tie with odd max -> inf
  const auto fp4 = ElementFormat::parse("float4_e2m1fn");
  EXPECT_EQ(fp4.encode(100.0), 0x7u);          // saturates to 6
  EXPECT_EQ(fp4.encode(-HUGE_VAL), 0xfu);      // -6
  EXPECT_EQ(fp4.encode(std::nan("")), 0x8u);   // NaN -> -0 (quiet_NaN of ml_dtypes)
  EXPECT_EQ(ElementFormat::parse("float6_e2m3fn").encode(1e3), 0x1fu);
  EXPECT_EQ(ElementFormat::parse("float6_e3m2fn").encode(-1e3), 0x3fu);
  const auto e8m0 = ElementFormat::parse("float8_e8m0fnu");
  EXPECT_EQ(e8m0.encode(3.0), 0x81u);  // ties go up: 3 -> 4
  EXPECT_EQ(e8m0.encode(2.0), 0x80u);
  EXPECT_EQ(e8m0.encode(std::nan("")), 0xffu);
  EXPECT_EQ(e8m0.encode(0.0), 0xffu);  // no zero: NaN (see E8m0MlDtypes below)
  EXPECT_TRUE(std::isnan(e8m0.decode(0xff)));
  EXPECT_EQ(e8m0.decode(0), std::ldexp(1.0, -127));
  const auto fnuz = ElementFormat::parse("float8_e4m3fnuz");
  EXPECT_EQ(fnuz.encode(-0.0), 0x00u);
  EXPECT_EQ(fnuz.encode(1e6), 0x80u);
}

TEST(MinifloatOptions, FlushToZeroAndDenormalsAreZero) {
  const MinifloatCodec c(MinifloatSpec{4, 3, 7, formats::FloatConvention::FN});
  RoundingOptions ftz;
  ftz.ftz = true;
  const double min_normal = std::ldexp(1.0, -6), sub = std::ldexp(3.0, -9);
  EXPECT_EQ(c.encode(sub), 0x03u);
  EXPECT_EQ(c.encode(sub, ftz), 0x00u);
  EXPECT_EQ(c.encode(-sub, ftz), 0x80u);  // signed zero
  EXPECT_EQ(c.encode(min_normal, ftz), 0x08u);
  // A value just below min normal that rounds up to it is not flushed (tininess after rounding).
  EXPECT_EQ(c.encode(std::ldexp(0.99999, -6), ftz), 0x08u);
  EXPECT_EQ(c.decode(0x03, /*daz=*/true), 0.0);
  EXPECT_EQ(c.decode(0x08, /*daz=*/true), min_normal);
}

// DAZ on input (daz_in): an input below 2^-126 in magnitude (a float32 subnormal, or a
// double that would be one) is a zero of its sign before rounding; the result follows the
// format's -0 rule. Results are not flushed (that is FTZ).
TEST(MinifloatOptions, DenormalsAreZeroOnInput) {
  RoundingOptions daz;
  daz.daz_in = true;
  const auto bf16 = ElementFormat::parse("bf16"), f32 = ElementFormat::parse("float32");
  const float sub = 0x1p-127f, nsub = -0x1p-130f, min_normal = 0x1p-126f;
  EXPECT_EQ(bf16.encode(sub), 0x0040u);       // without DAZ: the bf16 subnormal 2^-127
  EXPECT_EQ(bf16.encode(sub, daz), 0x0000u);
  EXPECT_EQ(bf16.encode(nsub, daz), 0x8000u);  // -0
  EXPECT_EQ(bf16.encode(min_normal, daz), 0x0080u);
  EXPECT_EQ(f32.encode(nsub), 0x80080000u);
  EXPECT_EQ(f32.encode(nsub, daz), 0x80000000u);
  EXPECT_EQ(f32.encode(std::nextafterf(min_normal, 0.0f), daz), 0x00000000u);  // the largest subnormal
  EXPECT_EQ(f32.encode(0x1p-130, daz), 0x00000000u);  // a double below 2^-126 too
  EXPECT_EQ(f32.encode(0x1.0000001p-126, daz), 0x00800000u);
  // -0 rules of the conventions: fnuz has none, e8m0 (ml_dtypes) has no zero at all.
  EXPECT_EQ(ElementFormat::parse("e4m3fnuz").encode(nsub, daz), 0x00u);
  EXPECT_EQ(ElementFormat::parse("fp4").encode(nsub, daz), 0x8u);
  const auto e8 = ElementFormat::parse("e8m0");
  EXPECT_EQ(e8.encode(0x1.8p-127f), 0x01u);
  EXPECT_EQ(e8.encode(0x1.8p-127f, daz), 0xffu);
  RoundingOptions daz_sat = daz;
  daz_sat.overflow = Overflow::Saturate;
  EXPECT_EQ(e8.encode(0x1.8p-127f, daz_sat), 0x00u);
  // Other kinds: the value is zero, whatever the mode would have done with it.
  RoundingOptions up;
  up.mode = Rounding::Up;
  EXPECT_EQ(ElementFormat::parse("int8").encode(sub, up), 0x01u);
  up.daz_in = true;
  EXPECT_EQ(ElementFormat::parse("int8").encode(sub, up), 0x00u);
  EXPECT_EQ(ElementFormat::parse("posit8").encode(sub), 0x01u);  // minpos without DAZ
  EXPECT_EQ(ElementFormat::parse("posit8").encode(sub, daz), 0x00u);
  EXPECT_EQ(ElementFormat::parse("binary").encode(-double(sub)), 0x0u);       // -1
  EXPECT_EQ(ElementFormat::parse("binary").encode(-double(sub), daz), 0x1u);  // zero -> +1
  // Not FTZ: a normal input that rounds to a subnormal code keeps it.
  EXPECT_EQ(ElementFormat::parse("e4m3").encode(0x1p-9, daz), 0x01u);
}

TEST(MinifloatOptions, SaturateInfIsASetting) {
  const MinifloatCodec e5m2(MinifloatSpec{5, 2, 15, formats::FloatConvention::IEEE});
  RoundingOptions sat;
  sat.overflow = Overflow::Saturate;
  EXPECT_EQ(e5m2.encode(HUGE_VAL, sat), 0x7bu);
  sat.saturate_inf = false;
  EXPECT_EQ(e5m2.encode(HUGE_VAL, sat), 0x7cu);
  const MinifloatCodec e4m3(MinifloatSpec{4, 3, 7, formats::FloatConvention::FN});
  EXPECT_EQ(e4m3.encode(-HUGE_VAL, sat), 0xffu);  // the format's own 'inf' is NaN
}

TEST(MinifloatOptions, StochasticRoundingIsUnbiasedAndSeeded) {
  const MinifloatCodec c(MinifloatSpec{4, 3, 7, formats::FloatConvention::FN});
  formats::RandomBits rng(7);
  RoundingOptions o;
  o.mode = Rounding::Stochastic;
  o.rng = &rng;
  o.sr_bits = 16;
  // 1.0 and 1.125 are adjacent; 1.0 + 0.3 ulp rounds up with probability 0.3 (to 2^-16).
  const double x = 1.0 + 0.3 * 0.125;
  const int n = 200000;
  int up = 0;
  for (int i = 0; i < n; ++i) {
    const uint32_t code = c.encode(x, o);
    ASSERT_TRUE(code == 0x38 || code == 0x39);
    up += code == 0x39;
  }
  const double p = std::floor(0.3 * 65536) / 65536, sd = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(up, n * p, 5 * sd);
  // Exact values never move; the same seed gives the same stream.
  EXPECT_EQ(c.encode(1.125, o), 0x39u);
  formats::RandomBits a(99), b(99);
  RoundingOptions oa = o, ob = o;
  oa.rng = &a;
  ob.rng = &b;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(c.encode(x, oa), c.encode(x, ob));
  // With few random bits, a tiny fraction below 2^-sr_bits never rounds up (hardware SR).
  o.sr_bits = 4;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(c.encode(1.0 + 0.01 * 0.125, o), 0x38u);
}

TEST(MinifloatOptions, ChecksRejectWhatAFormatLacks) {
  RoundingOptions o;
  o.overflow = Overflow::Infinity;
  EXPECT_THROW(ElementFormat::parse("e4m3").check(o), std::invalid_argument);
  EXPECT_NO_THROW(ElementFormat::parse("e5m2").check(o));
  o.overflow = Overflow::NaN;
  EXPECT_THROW(ElementFormat::parse("fp4").check(o), std::invalid_argument);
  o = {};
  o.mode = Rounding::Stochastic;
  EXPECT_THROW(ElementFormat::parse("e4m3").check(o), std::invalid_argument);  // no random source
}

TEST(MinifloatSpecs, ParseAndValidate) {
  EXPECT_EQ(ElementFormat::parse("e4m3").name(), "float8_e4m3fn");
  EXPECT_EQ(ElementFormat::parse("bf16").name(), "bfloat16");
  const auto g = ElementFormat::parse("e5m2:bias=15:ieee");
  EXPECT_EQ(std::get<MinifloatSpec>(g.spec()), (MinifloatSpec{5, 2, 15, formats::FloatConvention::IEEE}));
  EXPECT_EQ(std::get<MinifloatSpec>(ElementFormat::parse("e3m4").spec()).bias, 3);
  for (const char* bad : {"e9m2", "e0m3", "e4m24", "e4m0", "e4m3:bias=x", "e4m3:bogus", "fp5", "", "posit40_2",
                          "posit8_5", "int0", "int33", "e2m1:ue"})
    EXPECT_THROW(ElementFormat::parse(bad), std::invalid_argument) << bad;
}

TEST(Float32, EncodeIsExactOnFloatsAndRoundsDoubles) {
  const auto f32 = ElementFormat::parse("float32");
  auto in = test::random_floats(200000, -149, 127, 3);
  for (float x : in) {
    if (std::isnan(x)) continue;
    ASSERT_EQ(f32.encode(double(x)), std::bit_cast<uint32_t>(x));
  }
  // Doubles round as the hardware double->float conversion does (an independent RNE).
  std::mt19937_64 g(5);
  for (int i = 0; i < 200000; ++i) {
    const double d = std::bit_cast<double>(g());
    if (std::isnan(d)) continue;
    ASSERT_EQ(f32.encode(d), std::bit_cast<uint32_t>(float(d))) << std::hexfloat << d;
  }
}

}  // namespace
}  // namespace arithsim

namespace arithsim {
namespace {

// The bulk table path (encode_table) must equal the scalar encoder bit for bit: every
// bfloat16 pattern with several low halves, in every deterministic mode, every <= 8-bit preset.
TEST(BulkEncode, TableEqualsScalarForEveryEightBitPreset) {
  std::vector<float> in;
  for (uint32_t hi = 0; hi < 0x10000; ++hi)
    for (uint32_t lo : {0x0000u, 0x0001u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu}) in.push_back(std::bit_cast<float>(hi << 16 | lo));
  std::vector<uint8_t> out(in.size());
  size_t tables = 0;
  for (const auto& p : formats::presets()) {
    const formats::ElementFormat f(p.spec, p.name);
    if (f.bits() > 8) continue;
    for (Rounding r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down, Rounding::NearestAway})
      for (int flags = 0; flags < 4; ++flags) {
        const bool ftz = flags & 1;
        RoundingOptions o;
        o.mode = r;
        o.ftz = ftz;
        o.daz_in = flags & 2;
        o.overflow = ftz ? Overflow::Saturate : Overflow::Default;
        tables += f.encode_table(o) != nullptr;
        f.encode(std::span<const float>(in), std::span<uint8_t>(out), o);
        for (size_t i = 0; i < in.size(); ++i)
          ASSERT_EQ(out[i], f.encode(in[i], o)) << p.name << " " << formats::to_string(r) << " " << std::hexfloat << in[i];
      }
  }
  EXPECT_GT(tables, 100u);  // the fast path is actually in use
}

// The posit bulk path (per-scale head table, RNE) equals the scalar encoder.
TEST(BulkEncode, PositFastPathEqualsScalar) {
  std::vector<float> in;
  for (uint32_t hi = 0; hi < 0x10000; ++hi)
    for (uint32_t lo : {0x0000u, 0x0001u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu}) in.push_back(std::bit_cast<float>(hi << 16 | lo));
  std::vector<uint16_t> out(in.size());
  for (const char* name : {"posit16_1", "posit16", "posit(10,4)", "posit(12,0)", "posit(3,1)"}) {
    const auto f = formats::ElementFormat::parse(name);
    f.encode(std::span<const float>(in), std::span<uint16_t>(out));
    for (size_t i = 0; i < in.size(); ++i) ASSERT_EQ(out[i], f.encode(in[i])) << name << " " << std::hexfloat << in[i];
    RoundingOptions daz;
    daz.daz_in = true;
    f.encode(std::span<const float>(in), std::span<uint16_t>(out), daz);
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(out[i], f.encode(in[i], daz)) << name << " daz " << std::hexfloat << in[i];
      if (std::fpclassify(in[i]) == FP_SUBNORMAL) {
        ASSERT_EQ(out[i], 0u) << name << " daz " << std::hexfloat << in[i];
      }
    }
  }
}

}  // namespace
}  // namespace arithsim

namespace arithsim {
namespace {

// ---------------------------------------------------------------------------------------
// float8_e8m0fnu against ml_dtypes 0.6.
//
// Source read: jax-ml/ml_dtypes, ml_dtypes/include/float8.h, the generic
// `ConvertImpl<From, To, kSaturate, kTruncate>::run` (what `float8_e8m0fnu(x)` and
// `ConvertFrom<kSaturate, kTruncate>(x)` call for float and double x), with
// `Traits<float8_e8m0fnu>::kHasZero = false`, `is_signed = false`, and
// `numeric_limits<float8_e8m0fnu>`: max() = 0xFE, min() = lowest() = denorm_min() = 0x00,
// infinity() = quiet_NaN() = 0xFF, max_exponent = 128. The steps of `run`:
//   1. inf or NaN (either sign) -> +-infinity() / +-quiet_NaN(), all 0xFF (negation of an
//      E8M0 is NaN);
//   2. +-0 -> kSaturate ? denorm_min() (0x00) : quiet_NaN() (0xFF); then a negative input
//      -> kSaturate ? lowest() (0x00) : quiet_NaN();
//   3. normalize: (unbiased exponent e, mantissa with the implicit bit at kFromMantissaBits),
//      subnormal inputs shifted up by their leading zeros;
//   4. base = e + 127 - 1;
//   5. shift = min(kFromMantissaBits + max(0, -base), kFromMantissaBits + 2), then
//      RoundBitsToNearestEven(mantissa, shift) (bias = bit[shift] + 2^(shift-1) - 1) and >>;
//   6. result = aligned + max(0, base); if base >= 128 + 127 or result > 0xFE: kSaturate ?
//      0xFE : infinity() (0xFF).
// The same generic routine exists in the repository's older float8.h (separate subnormal
// branches); both give the results pinned below for 0, subnormals, negatives and specials.
// Ties go up because bit[shift] is the implicit bit: ml_dtypes 0.6 converts 3.0 to 0x81,
// the behaviour that jax-ml/ml_dtypes PR #398 (opened after 0.6.0) describes and proposes
// to change.
//
// This is a transcription of those steps for IEEE binary32/binary64 bit patterns, written
// here independently of arithsim's encoder (which rounds from Unrounded).
uint32_t ml_dtypes_e8m0(uint64_t bits, int mant_bits, int exp_bits, bool saturate) {
  const int total = 1 + exp_bits + mant_bits;
  const int from_bias = (1 << (exp_bits - 1)) - 1;
  const bool sign = (bits >> (total - 1)) & 1;
  const uint64_t abs_bits = bits & ((uint64_t(1) << (total - 1)) - 1);
  const uint64_t mant_mask = (uint64_t(1) << mant_bits) - 1;
  const uint64_t bexp = abs_bits >> mant_bits, frac = abs_bits & mant_mask;
  if (bexp == (uint64_t(1) << exp_bits) - 1) return 0xFF;  // 1. inf / NaN
  if (abs_bits == 0) return saturate ? 0x00 : 0xFF;        // 2. zero
  if (sign) return saturate ? 0x00 : 0xFF;                 //    negative
  int e;                                                   // 3.
  uint64_t nm;
  if (bexp != 0) {
    e = int(bexp) - from_bias;
    nm = (uint64_t(1) << mant_bits) | frac;
  } else {
    int msb = 63;
    while (!((frac >> msb) & 1)) --msb;
    const int shift = mant_bits - msb;
    nm = frac << shift;
    e = 1 - from_bias - shift;
  }
  const int base = e + 127 - 1;                                        // 4.
  const int shift = std::min(mant_bits + std::max(0, -base), mant_bits + 2);  // 5.
  nm += ((nm >> shift) & 1) + (uint64_t(1) << (shift - 1)) - 1;
  const uint64_t aligned = nm >> shift;
  const uint64_t result = aligned + uint64_t(std::max(0, base));        // 6.
  if (base >= 128 + 127 || result > 0xFE) return saturate ? 0xFE : 0xFF;
  return uint32_t(result);
}
uint32_t ml_dtypes_e8m0(float x, bool saturate = false) {
  return ml_dtypes_e8m0(std::bit_cast<uint32_t>(x), 23, 8, saturate);
}
uint32_t ml_dtypes_e8m0(double x, bool saturate = false) {
  return ml_dtypes_e8m0(std::bit_cast<uint64_t>(x), 52, 11, saturate);
}

float f32(uint32_t bits) { return std::bit_cast<float>(bits); }

// Results of ml_dtypes 0.6 worked out from the steps above, written as constants.
TEST(E8m0MlDtypes, PinnedValues) {
  const auto e8 = ElementFormat::parse("float8_e8m0fnu");
  RoundingOptions sat;
  sat.overflow = Overflow::Saturate;
  const float kNaN = std::numeric_limits<float>::quiet_NaN(), kInf = std::numeric_limits<float>::infinity();
  struct Case {
    float x;
    uint32_t code, saturated;  // ConvertFrom<false, false>, ConvertFrom<true, false>
    const char* what;
  };
  const Case cases[] = {
      {0.0f, 0xff, 0x00, "+0: no zero"},
      {-0.0f, 0xff, 0x00, "-0"},
      {f32(0x00000001), 0x00, 0x00, "smallest subnormal 2^-149"},
      {f32(0x00000002), 0x00, 0x00, "2^-148"},
      {f32(0x00100000), 0x00, 0x00, "2^-129"},
      {f32(0x00200000), 0x00, 0x00, "2^-128"},
      {f32(0x00300000), 0x00, 0x00, "1.5 * 2^-128"},
      {f32(0x003fffff), 0x00, 0x00, "2^-127 - 2^-149"},
      {f32(0x00400000), 0x00, 0x00, "2^-127: the tie between 0 and 2^-126, to even"},
      {f32(0x00400001), 0x01, 0x01, "2^-127 + 2^-149"},
      {f32(0x00500000), 0x01, 0x01, "1.25 * 2^-127 (nearer 2^-127 by value, still 0x01)"},
      {f32(0x005fffff), 0x01, 0x01, "just below 1.5 * 2^-127"},
      {f32(0x00600000), 0x01, 0x01, "1.5 * 2^-127"},
      {f32(0x007fffff), 0x01, 0x01, "largest subnormal"},
      {f32(0x00800000), 0x01, 0x01, "2^-126, smallest normal"},
      {f32(0x00bfffff), 0x01, 0x01, "just below 1.5 * 2^-126"},
      {f32(0x00c00000), 0x02, 0x02, "1.5 * 2^-126: tie, up"},
      {0.75f, 0x7f, 0x7f, "tie 0.5|1, up"},
      {1.0f, 0x7f, 0x7f, "1"},
      {1.5f, 0x80, 0x80, "tie 1|2, up"},
      {std::nextafterf(1.5f, 0.0f), 0x7f, 0x7f, "below the tie"},
      {2.0f, 0x80, 0x80, "2"},
      {3.0f, 0x81, 0x81, "tie 2|4, up (not to the even code 0x80)"},
      {std::nextafterf(3.0f, 0.0f), 0x80, 0x80, "below the tie"},
      {6.0f, 0x82, 0x82, "tie 4|8, up"},
      {std::ldexp(1.0f, 127), 0xfe, 0xfe, "2^127, max"},
      {std::nextafterf(std::ldexp(1.5f, 127), 0.0f), 0xfe, 0xfe, "below 1.5 * 2^127"},
      {std::ldexp(1.5f, 127), 0xff, 0xfe, "1.5 * 2^127: the tie rounds past max"},
      {std::numeric_limits<float>::max(), 0xff, 0xfe, "FLT_MAX"},
      {kInf, 0xff, 0xff, "+inf: NaN even when saturating (ml_dtypes)"},
      {-kInf, 0xff, 0xff, "-inf"},
      {kNaN, 0xff, 0xff, "NaN"},
      {-kNaN, 0xff, 0xff, "-NaN"},
      {-1.0f, 0xff, 0x00, "negative: NaN, lowest() when saturating"},
      {-f32(0x00000001), 0xff, 0x00, "negative subnormal"},
      {-std::numeric_limits<float>::max(), 0xff, 0x00, "-FLT_MAX"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ml_dtypes_e8m0(c.x), c.code) << c.what;  // the transcription agrees with the reading
    EXPECT_EQ(ml_dtypes_e8m0(c.x, true), c.saturated) << c.what;
    EXPECT_EQ(e8.encode(c.x), c.code) << c.what << " (float " << std::hexfloat << c.x << ")";
    EXPECT_EQ(e8.encode(double(c.x)), c.code) << c.what << " (double)";
    if (!std::isinf(c.x)) {  // arithsim's saturate_inf (OCP) rule turns +inf into max instead
      EXPECT_EQ(e8.encode(c.x, sat), c.saturated) << c.what << " (saturate)";
    }
  }
  EXPECT_EQ(e8.encode(kInf, sat), 0xfeu);  // arithsim: OCP saturate_inf
  RoundingOptions sat_nan = sat;
  sat_nan.saturate_inf = false;
  EXPECT_EQ(e8.encode(kInf, sat_nan), 0xffu);  // ml_dtypes' kSaturate
  // Doubles go through the same routine with 52 mantissa bits (no rounding via float).
  EXPECT_EQ(e8.encode(0x1p-127 + 0x1p-170), 0x01u);
  EXPECT_EQ(e8.encode(0x1p-127 - 0x1p-170), 0x00u);
  EXPECT_EQ(e8.encode(0x1p+128), 0xffu);  // ml_dtypes float8_test.cc ConvertFromWithTruncation: kLarge -> inf
  EXPECT_EQ(e8.encode(1e-300), 0x00u);
  EXPECT_EQ(e8.encode(-1e-300), 0xffu);
  EXPECT_EQ(e8.encode(std::numeric_limits<double>::denorm_min()), 0x00u);
}

// The clamped variant keeps arithsim's earlier rule (nearest power of two by value; 0 and
// everything below 2^-127 is code 0 in every mode).
TEST(E8m0MlDtypes, ClampVariantIsASpec) {
  const auto c = ElementFormat::parse("e8m0:ue:clamp");
  EXPECT_EQ(std::get<MinifloatSpec>(c.spec()).to_string(), "e8m0:bias=127:ue:clamp");
  EXPECT_EQ(c.encode(0.0), 0x00u);
  EXPECT_EQ(c.encode(-0.0), 0xffu);
  EXPECT_EQ(c.encode(0x1.4p-127), 0x00u);  // nearer 2^-127
  EXPECT_EQ(c.encode(0x1.8p-127), 0x01u);  // the value midpoint, ties up
  EXPECT_EQ(c.encode(0x1p-140), 0x00u);
  RoundingOptions up;
  up.mode = Rounding::Up;
  EXPECT_EQ(c.encode(0x1p-140, up), 0x00u);
  EXPECT_EQ(c.encode(3.0), 0x81u);
  for (const char* bad : {"e8m0:clamp", "e4m3:fn:clamp", "e8m0:clamp:ieee"})
    EXPECT_THROW(ElementFormat::parse(bad), std::invalid_argument) << bad;
}

// 10^6 float32 patterns (uniform over all patterns, subnormals, the band around 2^-127 and
// 2^-126, normals, exact ties) and doubles, against the transcription, default and saturating.
TEST(E8m0MlDtypes, RandomPatternsMatchTranscription) {
  const auto e8 = ElementFormat::parse("float8_e8m0fnu");
  RoundingOptions sat;
  sat.overflow = Overflow::Saturate;
  sat.saturate_inf = false;  // ml_dtypes' kSaturate keeps inf as NaN
  std::mt19937_64 g(2025);
  std::vector<float> in;
  for (int i = 0; i < 1'000'000; ++i) {
    const uint32_t r = uint32_t(g());
    uint32_t b = r;
    switch (i % 5) {
      case 0: break;                                               // any pattern
      case 1: b = r & 0x807fffffu; break;                          // subnormals (and +-0)
      case 2: b = (r & 0x801fffffu) | 0x00200000u | ((r >> 9) & 0x00600000u); break;  // 2^-128 .. 2^-126
      case 3: b = (r & 0x807fffffu) | (uint32_t(g() % 256) << 23); break;  // any exponent
      case 4: b = (r & 0x80000000u) | (uint32_t(g() % 255) << 23) | 0x00400000u | (r & (g() % 2)); break;  // ties
    }
    in.push_back(f32(b));
  }
  size_t bad = 0;
  std::vector<uint8_t> bulk(in.size());
  e8.encode(std::span<const float>(in), std::span<uint8_t>(bulk));
  for (size_t i = 0; i < in.size(); ++i) {
    const float x = in[i];
    const uint32_t want = ml_dtypes_e8m0(x), want_sat = ml_dtypes_e8m0(x, true);
    if ((e8.encode(x) != want || e8.encode(double(x)) != want || bulk[i] != want || e8.encode(x, sat) != want_sat) &&
        ++bad <= 5)
      ADD_FAILURE() << std::hexfloat << x << ": got 0x" << std::hex << e8.encode(x) << " (bulk 0x" << int(bulk[i])
                    << ", saturating 0x" << e8.encode(x, sat) << "), ml_dtypes 0x" << want << " (0x" << want_sat << ")";
  }
  for (int i = 0; i < 200'000; ++i) {
    uint64_t b = g();
    if (i % 2) b = (b & 0x800fffffffffffffull) | (uint64_t(1023 - 140 + g() % 280) << 52);  // 2^-140 .. 2^140
    const double x = std::bit_cast<double>(b);
    const uint32_t want = ml_dtypes_e8m0(x), want_sat = ml_dtypes_e8m0(x, true);
    if ((e8.encode(x) != want || e8.encode(x, sat) != want_sat) && ++bad <= 10)
      ADD_FAILURE() << "double " << std::hexfloat << x << ": got 0x" << std::hex << e8.encode(x) << ", ml_dtypes 0x" << want;
  }
  EXPECT_EQ(bad, 0u);
}

}  // namespace
}  // namespace arithsim
