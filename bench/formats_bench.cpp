// Format-library throughput against native baselines in the same run.
// Targets (issue #2): decode of <= 8-bit formats >= 1 G values/s; encode float32 ->
// FP8/FP6/FP4 >= 200 M/s; posit <= 16-bit encode and decode >= 100 M/s; MX/NVFP4 block
// quantization of a 16 M-element tensor >= 100 M elements/s; all on one core.
#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/ratio_report.hpp"
#include <arithsim/models/formats/block.hpp>

namespace {

using arithsim::formats::BlockCodec;
using arithsim::formats::ElementFormat;

constexpr size_t kN = 1 << 16;  // element loops: in-cache working set

const std::vector<float>& inputs(size_t n) {
  static std::map<size_t, std::vector<float>> cache;
  auto& v = cache[n];
  if (v.empty()) {
    std::mt19937_64 g(1);
    std::normal_distribution<float> d(0.0f, 1.0f);
    v.resize(n);
    for (auto& x : v) x = d(g);
  }
  return v;
}

std::vector<uint8_t> codes8(size_t n) {
  std::vector<uint8_t> c(n);
  std::mt19937_64 g(2);
  for (auto& x : c) x = uint8_t(g());
  return c;
}

// --- baselines -------------------------------------------------------------------------
void BM_baseline_memcpy_f32(benchmark::State& st) {
  const auto& in = inputs(kN);
  std::vector<float> out(kN);
  for (auto _ : st) {
    std::memcpy(out.data(), in.data(), kN * sizeof(float));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_baseline_memcpy_f32);

void BM_baseline_float_to_half(benchmark::State& st) {
  const auto& in = inputs(kN);
  std::vector<_Float16> out(kN);
  for (auto _ : st) {
    for (size_t i = 0; i < kN; ++i) out[i] = static_cast<_Float16>(in[i]);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_baseline_float_to_half);

void BM_baseline_float_to_int8(benchmark::State& st) {
  const auto& in = inputs(kN);
  std::vector<int8_t> out(kN);
  for (auto _ : st) {
    for (size_t i = 0; i < kN; ++i) {
      const float v = std::nearbyint(in[i] * 32.0f);
      out[i] = int8_t(v > 127.f ? 127.f : v < -128.f ? -128.f : v);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_baseline_float_to_int8);

// --- element formats -----------------------------------------------------------------
void BM_decode(benchmark::State& st, const char* name) {
  const auto f = ElementFormat::parse(name);
  auto in = codes8(kN);
  std::vector<float> out(kN);
  for (auto _ : st) {
    f.decode(std::span<const uint8_t>(in), std::span<float>(out));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK_CAPTURE(BM_decode, e4m3, "e4m3");
BENCHMARK_CAPTURE(BM_decode, fp4, "fp4");
BENCHMARK_CAPTURE(BM_decode, posit8_0, "posit8_0");

void BM_encode8(benchmark::State& st, const char* name) {
  const auto f = ElementFormat::parse(name);
  const auto& in = inputs(kN);
  std::vector<uint8_t> out(kN);
  for (auto _ : st) {
    f.encode(std::span<const float>(in), std::span<uint8_t>(out));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK_CAPTURE(BM_encode8, e4m3, "e4m3");
BENCHMARK_CAPTURE(BM_encode8, e5m2, "e5m2");
BENCHMARK_CAPTURE(BM_encode8, fp6_e2m3, "fp6_e2m3");
BENCHMARK_CAPTURE(BM_encode8, fp4, "fp4");
BENCHMARK_CAPTURE(BM_encode8, posit8_0, "posit8_0");

void BM_posit16(benchmark::State& st, bool encode) {
  const auto f = ElementFormat::parse("posit16_1");
  const auto& in = inputs(kN);
  std::vector<uint16_t> codes(kN);
  f.encode(std::span<const float>(in), std::span<uint16_t>(codes));
  std::vector<float> out(kN);
  for (auto _ : st) {
    if (encode) f.encode(std::span<const float>(in), std::span<uint16_t>(codes));
    else f.decode(std::span<const uint16_t>(codes), std::span<float>(out));
    benchmark::DoNotOptimize(codes.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK_CAPTURE(BM_posit16, encode_posit16_1, true);
BENCHMARK_CAPTURE(BM_posit16, decode_posit16_1, false);

// --- block formats: a 16 M-element tensor ----------------------------------------------
void BM_block(benchmark::State& st, const char* name) {
  constexpr size_t n = size_t(1) << 24;
  const BlockCodec c(arithsim::formats::parse_block(name));
  const auto& in = inputs(n);
  for (auto _ : st) {
    auto q = c.quantize(in, 4096);
    benchmark::DoNotOptimize(q.codes.data());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * n));
}
BENCHMARK_CAPTURE(BM_block, mxfp4, "mxfp4")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_block, mxfp8, "mxfp8")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_block, nvfp4, "nvfp4")->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  using T = arithsim::bench::Target;
  const std::string mem = "BM_baseline_memcpy_f32", half = "BM_baseline_float_to_half", i8 = "BM_baseline_float_to_int8";
  return arithsim::bench::run_with_report(
      argc, argv,
      {T{"BM_decode/e4m3", mem, 1e9}, T{"BM_decode/fp4", mem, 1e9}, T{"BM_decode/posit8_0", mem, 1e9},
       T{"BM_encode8/e4m3", half, 2e8}, T{"BM_encode8/e5m2", half, 2e8}, T{"BM_encode8/fp6_e2m3", half, 2e8},
       T{"BM_encode8/fp4", half, 2e8}, T{"BM_encode8/posit8_0", half, 1e8},
       T{"BM_posit16/encode_posit16_1", half, 1e8}, T{"BM_posit16/decode_posit16_1", mem, 1e8},
       T{"BM_block/mxfp4/min_time:2.000", i8, 1e8}, T{"BM_block/mxfp8/min_time:2.000", i8, 1e8},
       T{"BM_block/nvfp4/min_time:2.000", i8, 1e8}});
}
