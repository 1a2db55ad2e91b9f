// Every PE fast path gives the same bits as the stage-by-stage datapath (fast=false), on
// random operands across parameter settings, including overflow and special values.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

#include <arithsim/models/pe/pe.hpp>

namespace arithsim {
namespace {

struct Case {
  std::string pe;
  pe::Params params;
  size_t k;
};

std::vector<Case> cases() {
  return {
      {"int_mac", {}, 64},
      {"int_mac", {{"a", "int4"}, {"w", "int4"}, {"acc_bits", "12"}}, 256},
      {"int_mac", {{"acc_bits", "16"}, {"saturate", "true"}}, 512},
      {"int_mac", {{"acc_bits", "63"}}, 64},
      {"fp8_mac", {}, 128},
      {"fp8_mac", {{"a", "e5m2"}, {"w", "e4m3"}, {"mode", "per_product"}}, 128},
      {"fp8_mac", {{"a", "e5m2"}, {"w", "e5m2"}}, 512},
      {"fp8_mac", {{"acc", "fp16"}}, 64},  // no fast path: must still agree with itself
      {"mixpe", {}, 256},
      {"mixpe", {{"w", "int2"}, {"zero_point", "false"}, {"group", "32"}}, 256},
      {"mixpe", {{"w", "int8"}, {"group", "64"}}, 256},
      {"mixpe", {{"w", "int3"}, {"a", "fp16"}, {"group", "32"}}, 64},
      {"lut_tensor_core", {}, 256},
      {"lut_tensor_core", {{"w", "int1"}, {"group", "64"}}, 256},
      {"lut_tensor_core", {{"w", "int4"}, {"k", "2"}, {"symmetrize", "false"}, {"group", "32"}}, 128},
      {"lut_tensor_core", {{"w", "int3"}, {"a", "fp16"}, {"group", "32"}}, 64},
      {"rmmec", {}, 256},
      {"rmmec", {{"mode", "posit16_1"}}, 1024},
      {"rmmec", {{"mode", "posit4_1"}, {"lanes", "3"}}, 100},
      {"rmmec", {{"mode", "fp4"}, {"out", "posit16_1"}}, 64},
      {"rmmec", {{"mode", "posit16_1"}, {"acc", "fp32"}}, 512},
      {"rmmec", {{"mode", "posit8_0"}, {"acc", "fp32"}, {"lanes", "5"}}, 99},
  };
}

TEST(FastPath, SameBitsAsTheDatapath) {
  std::mt19937_64 g(7);
  for (const auto& c : cases()) {
    auto pf = c.params, ps = c.params;
    pf["fast"] = "true";
    ps["fast"] = "false";
    const auto fast = pe::make_pe(c.pe, pf), slow = pe::make_pe(c.pe, ps);
    std::vector<float> a(c.k), w(c.k);
    const int trials = 100;
    for (int t = 0; t < trials; ++t) {
      const float sa = std::ldexp(1.0f, int(g() % 40) - 20), sw = std::ldexp(1.0f, int(g() % 40) - 20);
      std::normal_distribution<float> n(0, 1);
      for (auto& x : a) x = n(g) * sa * (g() % 17 == 0 ? 1000.0f : 1.0f);
      for (auto& x : w) x = n(g) * sw;
      if (t % 50 == 7) std::fill(a.begin(), a.end(), 0.0f);
      const auto qa = fast->quantize_a(a), qw = fast->quantize_w(w);
      const double x = fast->dot(qa, qw), y = slow->dot(qa, qw);
      ASSERT_TRUE(std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y) || (std::isnan(x) && std::isnan(y)))
          << c.pe << " " << fast->config() << " trial " << t << ": fast " << x << " datapath " << y;
    }
  }
}

// The same on exact codes taken as they are (scale=none): every code of the input formats,
// NaN and inf included, in every other trial; finite codes only in the rest.
TEST(FastPath, SameBitsOnExactCodesWithSpecials) {
  std::mt19937_64 g(17);
  for (const auto& c : cases()) {
    auto pf = c.params, ps = c.params;
    pf["scale"] = ps["scale"] = "none";
    pf["fast"] = "true";
    ps["fast"] = "false";
    const auto fast = pe::make_pe(c.pe, pf), slow = pe::make_pe(c.pe, ps);
    const std::vector<float> zeros(c.k, 0.0f);
    const auto& fa = *fast->quantize_a(zeros).format;
    const auto& fw = *fast->quantize_w(zeros).format;
    std::vector<float> a(c.k), w(c.k);
    for (int t = 0; t < 50; ++t) {
      for (size_t i = 0; i < c.k; ++i) {
        a[i] = float(fa.decode(uint32_t(g()) & uint32_t((uint64_t{1} << fa.bits()) - 1)));
        w[i] = float(fw.decode(uint32_t(g()) & uint32_t((uint64_t{1} << fw.bits()) - 1)));
        if (t % 2 && !std::isfinite(a[i])) a[i] = 0;  // so that not every dot is NaN
        if (t % 2 && !std::isfinite(w[i])) w[i] = 0;
      }
      const auto qa = fast->quantize_a(a), qw = fast->quantize_w(w);
      const double x = fast->dot(qa, qw), y = slow->dot(qa, qw);
      ASSERT_TRUE(std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y) || (std::isnan(x) && std::isnan(y)))
          << c.pe << " " << fast->config() << " trial " << t << ": fast " << x << " datapath " << y;
    }
  }
}

// A PE's GEMM (its own kernel where it has one: int_mac's SIMD lanes, the tensor core's) gives
// the datapath's dot products, on every case above and on int_mac registers of every kind:
// wrapping at 8..63 bits, saturating, int2..int16 operands at their extremes; shapes with
// partial panels of 16 columns and K from 1 up.
TEST(FastPath, GemmIsTheDatapathsDots) {
  std::mt19937_64 g(27);
  auto all = cases();
  for (const char* acc : {"8", "16", "31", "32", "33", "48"})
    for (const char* sat : {"false", "true"}) all.push_back({"int_mac", {{"acc_bits", acc}, {"saturate", sat}}, 300});
  for (const char* acc : {"24", "32", "40"})  // sums far past 2^32: the 32-bit lanes wrap
    all.push_back({"int_mac", {{"a", "int16"}, {"w", "int16"}, {"acc_bits", acc}}, 1000});
  all.push_back({"int_mac", {{"a", "int2"}, {"w", "int16"}, {"acc_bits", "20"}, {"saturate", "true"}}, 77});
  all.push_back({"int_mac", {}, 1});
  // MixPE's FP16-activation GEMM (host-float accumulators on 16 column lanes).
  all.push_back({"mixpe", {{"a", "fp16"}}, 256});
  all.push_back({"mixpe", {{"a", "fp16"}, {"w", "int8"}, {"zero_point", "false"}, {"group", "64"}}, 128});
  all.push_back({"mixpe", {{"a", "fp16"}, {"w", "int2"}, {"group", "16"}}, 96});
  for (const auto& c : all) {
    auto pf = c.params, ps = c.params;
    pf["fast"] = "true";
    ps["fast"] = "false";
    const auto fast = pe::make_pe(c.pe, pf), slow = pe::make_pe(c.pe, ps);
    // Exact codes (scale=none) of every kind, NaN and inf included, beside scaled data.
    auto pe_codes = c.params, ps_codes = c.params;
    pe_codes["scale"] = ps_codes["scale"] = "none";
    pe_codes["fast"] = "true";
    ps_codes["fast"] = "false";
    const auto fast_codes = pe::make_pe(c.pe, pe_codes), slow_codes = pe::make_pe(c.pe, ps_codes);
    for (const size_t m : {1u, 3u, 4u, 5u}) {
      const bool codes = m == 5;
      const auto& f = codes ? *fast_codes : *fast;
      const size_t n = m == 1 ? 16 : 37;
      std::normal_distribution<float> nd(0, 1);
      std::vector<pe::Operand> rows, cols;
      const std::vector<float> zeros(c.k, 0.0f);
      const auto& fa = *f.quantize_a(zeros).format;
      const auto& fw = *f.quantize_w(zeros).format;
      for (size_t i = 0; i < m + n; ++i) {
        std::vector<float> x(c.k);
        const auto& fx = i < m ? fa : fw;
        const float scale = std::ldexp(1.0f, int(g() % 40) - 20);  // vectors 2^-20 .. 2^19: scales underflow and overflow
        for (auto& v : x)
          v = codes ? float(fx.decode(uint32_t(g()) & uint32_t((uint64_t{1} << fx.bits()) - 1)))
                    : nd(g) * scale * (g() % 9 == 0 ? 1000.0f : 1.0f);  // outliers: codes at the extremes
        if (codes && i % 2)  // finite codes only in every other vector, so that not every output is NaN
          for (auto& v : x) v = std::isfinite(v) ? v : 0.0f;
        if (i < m) rows.push_back(f.quantize_a(x));
        else cols.push_back(f.quantize_w(x));
      }
      std::vector<double> out(m * n);
      f.gemm(rows, cols, out);
      for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) {
          const double x = out[i * n + j], y = (codes ? *slow_codes : *slow).dot(rows[i], cols[j]);
          ASSERT_TRUE(std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y) || (std::isnan(x) && std::isnan(y)))
              << c.pe << " " << fast->config() << " output (" << i << ", " << j << "): gemm " << x << " datapath " << y;
        }
    }
  }
}

}  // namespace
}  // namespace arithsim
