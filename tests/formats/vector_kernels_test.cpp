// The vector kernels (models/formats/vector_kernels) at every instruction-set level this CPU
// runs, against the independent reference (tests/reference: encode by searching the value
// table) and, for the options the reference does not model (ftz, daz_in, saturation), the
// codecs' one-value rounding. Inputs: every float32 whose low 12 bits are one of a set of
// rounding-relevant patterns (all 2^20 high parts), ties and near-ties at every bit position,
// specials, and random patterns; lengths that leave every tail.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/formats/vector_kernels.hpp>
#include "tests/formats/test_util.hpp"

namespace {

using namespace arithsim::formats;
namespace ref = arithsim::ref;

std::vector<vec::Isa> levels() {
  std::vector<vec::Isa> v{vec::Isa::Portable};
  if (vec::detected_isa() >= vec::Isa::Avx2) v.push_back(vec::Isa::Avx2);
  if (vec::detected_isa() >= vec::Isa::Avx512) v.push_back(vec::Isa::Avx512);
  return v;
}

struct CapGuard {
  explicit CapGuard(vec::Isa i) { vec::set_isa_cap(i); }
  ~CapGuard() { vec::set_isa_cap(std::nullopt); }
};

// Rounding-relevant floats. `wide`: ties at every bit position (formats of up to 16 bits).
std::vector<float> inputs(bool wide) {
  std::vector<uint32_t> bits;
  for (uint32_t hi = 0; hi < (1u << 20); ++hi)
    for (uint32_t lo : {0x000u, 0x001u, 0x800u, 0xfffu}) bits.push_back(hi << 12 | lo);
  if (wide) {
    std::mt19937 g(7);
    for (uint32_t hi = 0; hi < (1u << 16); hi += 1 + g() % 3)
      for (int p = 0; p < 16; ++p) {
        const uint32_t t = hi << 16 | (1u << p);
        bits.push_back(t);
        bits.push_back(t | 1u);
        bits.push_back(t - 1u);
      }
  }
  std::mt19937_64 g(11);
  for (int i = 0; i < 200000; ++i) bits.push_back(uint32_t(g()));
  for (uint32_t s : {0u, 0x80000000u})
    for (uint32_t b : {0x0u, 0x1u, 0x7fffffu, 0x800000u, 0x7f7fffffu, 0x7f800000u, 0x7f800001u, 0x7fc00000u, 0x7fffffffu})
      bits.push_back(s | b);
  std::vector<float> v(bits.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::bit_cast<float>(bits[i]);
  return v;
}

uint32_t reference_code(const ElementFormat& f, float x) {
  if (const auto* m = std::get_if<MinifloatSpec>(&f.spec()))
    return ref::encode(arithsim::test::to_ref(*m), double(x), ref::Mode::RNE, ref::Ovf::DEFAULT);
  const auto& p = std::get<PositSpec>(f.spec());
  return ref::posit_encode_rne(p.n, p.es, double(x));
}

template <class Code>
void check_format(const std::string& name, bool wide) {
  const ElementFormat f = ElementFormat::parse(name);
  const std::vector<float> in = inputs(wide);
  std::vector<Code> want(in.size());
  for (size_t i = 0; i < in.size(); ++i) want[i] = Code(reference_code(f, in[i]));
  for (vec::Isa isa : levels()) {
    CapGuard cap(isa);
    std::vector<Code> got(in.size());
    f.encode(std::span<const float>(in), std::span<Code>(got));
    size_t bad = 0;
    for (size_t i = 0; i < in.size(); ++i)
      if (got[i] != want[i] && bad++ < 5)
        ADD_FAILURE() << name << " at " << vec::to_string(isa) << ": float bits 0x" << std::hex
                      << std::bit_cast<uint32_t>(in[i]) << " gave 0x" << uint32_t(got[i]) << ", reference 0x"
                      << uint32_t(want[i]);
    EXPECT_EQ(bad, 0u) << name << " at " << vec::to_string(isa);
  }
}

TEST(VectorKernels, MinifloatEncodeIsTheReference) {
  for (const char* n : {"e4m3", "e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e4m3b11fnuz", "e3m4", "fp6_e2m3",
                        "fp6_e3m2", "fp4", "e2m1:bias=3:ieee", "e4m3:bias=9:fn"})
    check_format<uint8_t>(n, false);
  for (const char* n : {"fp16", "bf16", "e5m10:bias=20:ieee", "e6m9"}) check_format<uint16_t>(n, true);
}

TEST(VectorKernels, PositEncodeIsTheReference) {
  for (const char* n : {"posit8_0", "posit8_1", "posit8_2", "posit(6,1)"}) check_format<uint8_t>(n, false);
  for (const char* n : {"posit16_1", "posit16_2", "posit(12,3)", "posit(16,0)"}) check_format<uint16_t>(n, true);
}

// Options the reference does not model: the same kernel against the codec's rounding.
TEST(VectorKernels, OptionsFollowTheCodec) {
  std::vector<float> in;
  for (uint32_t hi = 0; hi < (1u << 16); ++hi)
    for (uint32_t lo : {0x0000u, 0x0001u, 0x8000u, 0xffffu}) in.push_back(std::bit_cast<float>(hi << 16 | lo));
  for (const char* n : {"e4m3", "e5m2", "float8_e4m3fnuz", "fp4", "posit8_1"}) {
    const ElementFormat f = ElementFormat::parse(n);
    for (int variant = 0; variant < 5; ++variant) {
      RoundingOptions o;
      if (variant == 1) o.ftz = true;
      if (variant == 2) o.daz_in = true;
      if (variant == 3) o.overflow = Overflow::Saturate;
      if (variant == 4) o.overflow = Overflow::Saturate, o.saturate_inf = false;
      try {
        f.check(o);
      } catch (const std::invalid_argument&) {
        continue;
      }
      for (vec::Isa isa : levels()) {
        CapGuard cap(isa);
        std::vector<uint8_t> got(in.size());
        f.encode(std::span<const float>(in), std::span<uint8_t>(got), o);
        size_t bad = 0;
        for (size_t i = 0; i < in.size(); ++i)
          if (got[i] != f.encode(Unrounded::from_float(in[i]), o) && bad++ < 3)
            ADD_FAILURE() << n << " variant " << variant << " at " << vec::to_string(isa) << ": 0x" << std::hex
                          << std::bit_cast<uint32_t>(in[i]);
        EXPECT_EQ(bad, 0u);
      }
    }
  }
}

// Every length up to three vector steps and a long one, at every offset into the buffer:
// the tails and the exception lists (NaN and overflow lanes placed at every position).
TEST(VectorKernels, EveryTailAndExceptionPosition) {
  const ElementFormat f = ElementFormat::parse("e4m3"), p = ElementFormat::parse("posit16_1");
  std::vector<float> buf(1000);
  std::mt19937 g(3);
  std::normal_distribution<float> d(0, 100);
  for (auto& x : buf) x = d(g);
  for (size_t i = 0; i < buf.size(); i += 7) buf[i] = (i % 2) ? NAN : 1e6f;
  for (size_t i = 3; i < buf.size(); i += 11) buf[i] = 0.0f;
  for (vec::Isa isa : levels()) {
    CapGuard cap(isa);
    for (size_t off : {0u, 1u, 5u})
      for (size_t n = 0; n <= 200; ++n) {
        std::span<const float> in(buf.data() + off, n);
        std::vector<uint8_t> c8(n);
        std::vector<uint16_t> c16(n);
        f.encode(in, std::span<uint8_t>(c8));
        p.encode(in, std::span<uint16_t>(c16));
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(c8[i], f.encode(in[i])) << vec::to_string(isa) << " n " << n << " i " << i;
          ASSERT_EQ(c16[i], p.encode(in[i])) << vec::to_string(isa) << " n " << n << " i " << i;
        }
      }
  }
}

TEST(VectorKernels, DecodeIsTheTable) {
  std::vector<uint8_t> codes(4096 + 77);
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = uint8_t(i * 37 + i / 256);
  for (const char* n : {"e4m3", "e5m2", "fp4", "fp6_e3m2", "posit8_0", "float8_e4m3fnuz", "int8", "int4"}) {
    const ElementFormat f = ElementFormat::parse(n);
    for (vec::Isa isa : levels()) {
      CapGuard cap(isa);
      for (size_t len : {size_t(0), size_t(1), size_t(63), size_t(64), size_t(65), size_t(200), codes.size()}) {
        std::vector<float> out(len, -7.0f);
        f.decode(std::span<const uint8_t>(codes.data(), len), std::span<float>(out));
        for (size_t i = 0; i < len; ++i) {
          const double want = f.decode(codes[i] & ((1u << f.bits()) - 1));
          if (std::isnan(want)) ASSERT_TRUE(std::isnan(out[i])) << n;
          else ASSERT_EQ(std::bit_cast<uint32_t>(out[i]), std::bit_cast<uint32_t>(float(want)))
                   << n << " code " << int(codes[i]) << " at " << vec::to_string(isa);
        }
      }
    }
  }
}

TEST(VectorKernels, IsaNamesAndCap) {
  EXPECT_EQ(vec::parse_isa("avx2"), vec::Isa::Avx2);
  EXPECT_EQ(vec::parse_isa("sse"), std::nullopt);
  {
    CapGuard cap(vec::Isa::Portable);
    EXPECT_EQ(vec::active_isa(), vec::Isa::Portable);
  }
  if (!std::getenv("ARITHSIM_SIMD")) {
    EXPECT_EQ(vec::active_isa(), vec::detected_isa());
  }
}

}  // namespace
