// Minifloats against the independent reference (tests/reference): exhaustive decode,
// encode on every bfloat16 value, every midpoint and its neighbours, and >= 10^6 random
// float32 patterns, in every rounding mode and overflow policy.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "models/formats/format.hpp"
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
                        "e3m1:fnuz", "e5m10:bias=3:ieee"})
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
      for (bool ftz : {false, true}) {
        RoundingOptions o;
        o.mode = r;
        o.ftz = ftz;
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
  }
}

}  // namespace
}  // namespace arithsim
