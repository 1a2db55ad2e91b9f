// PE emulation throughput (MAC/s) of one dot product against the strongest native dot
// product of the same shape in the same run (OpenBLAS sdot, one thread) and, as an extra
// column, the sequential float FMA loop that issue #3's targets are set against: int_mac
// and fp8_mac (fused FP32) >= 25% of it; mixpe and lut_tensor_core >= 10%; rmmec >= 5%.
#include <benchmark/benchmark.h>

#include <cblas.h>

#include <cmath>
#include <random>

#include "bench/random_data.hpp"
#include "bench/ratio_report.hpp"
#include <arithsim/models/pe/pe.hpp>

namespace {

constexpr size_t kK = 4096, kPairs = 8;

using arithsim::bench::normal_floats;

// The baselines' operands: kPairs pairs of float vectors of length kK.
std::pair<std::vector<std::vector<float>>, std::vector<std::vector<float>>> float_pairs() {
  std::vector<std::vector<float>> a, b;
  for (size_t p = 0; p < kPairs; ++p) {
    a.push_back(normal_floats(kK, p));
    b.push_back(normal_floats(kK, 100 + p));
  }
  return {a, b};
}

void BM_baseline_float_fma_dot(benchmark::State& st) {
  const auto [a, b] = float_pairs();
  size_t p = 0;
  for (auto _ : st) {
    float acc = 0;  // sequential, as the PE accumulates
    const float* x = a[p].data();
    const float* y = b[p].data();
    for (size_t i = 0; i < kK; ++i) acc = std::fma(x[i], y[i], acc);
    benchmark::DoNotOptimize(acc);
    p = (p + 1) % kPairs;
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kK));
}
BENCHMARK(BM_baseline_float_fma_dot);

// The strongest native dot product: OpenBLAS sdot on one thread, the same pairs.
void BM_baseline_openblas_sdot(benchmark::State& st) {
  openblas_set_num_threads(1);
  const auto [a, b] = float_pairs();
  size_t p = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(cblas_sdot(int(kK), a[p].data(), 1, b[p].data(), 1));
    p = (p + 1) % kPairs;
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kK));
}
BENCHMARK(BM_baseline_openblas_sdot);

void BM_pe(benchmark::State& st, const char* name, const char* params) {
  arithsim::pe::Params p;
  for (std::string s = params; !s.empty();) {
    const auto sp = s.find(' ');
    const std::string kv = s.substr(0, sp);
    p[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    s = sp == std::string::npos ? "" : s.substr(sp + 1);
  }
  const auto unit = arithsim::pe::make_pe(name, p);
  std::vector<arithsim::pe::Operand> a, w;
  for (size_t i = 0; i < kPairs; ++i) {
    a.push_back(unit->quantize_a(normal_floats(kK, i)));
    w.push_back(unit->quantize_w(normal_floats(kK, 100 + i)));
  }
  size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(unit->dot(a[i], w[i]));
    i = (i + 1) % kPairs;
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kK));
}
BENCHMARK_CAPTURE(BM_pe, int_mac, "int_mac", "");
BENCHMARK_CAPTURE(BM_pe, fp8_mac_fused_fp32, "fp8_mac", "");
BENCHMARK_CAPTURE(BM_pe, mixpe_w4a8, "mixpe", "");
BENCHMARK_CAPTURE(BM_pe, lut_tensor_core_w2a8, "lut_tensor_core", "");
BENCHMARK_CAPTURE(BM_pe, lmul_pe_bf16, "lmul_pe", "");
BENCHMARK_CAPTURE(BM_pe, rmmec_posit8_0, "rmmec", "mode=posit8_0");
BENCHMARK_CAPTURE(BM_pe, rmmec_posit16_1, "rmmec", "mode=posit16_1");
BENCHMARK_CAPTURE(BM_pe, rmmec_fp4, "rmmec", "mode=fp4");
BENCHMARK_CAPTURE(BM_pe, rmmec_posit16_1_fp32acc, "rmmec", "mode=posit16_1 acc=fp32");
BENCHMARK_CAPTURE(BM_pe, int_mac_datapath, "int_mac", "fast=false");
BENCHMARK_CAPTURE(BM_pe, fp8_mac_datapath, "fp8_mac", "fast=false");
BENCHMARK_CAPTURE(BM_pe, mixpe_w4a16_datapath, "mixpe", "a=fp16");
BENCHMARK_CAPTURE(BM_pe, lut_tensor_core_w2a16, "lut_tensor_core", "a=fp16");

}  // namespace

int main(int argc, char** argv) {
  using T = arithsim::bench::Target;
  // Every row against OpenBLAS sdot (no target: issue #17's goals are for whole GEMMs, in
  // gemm_bench), and against the old sequential FMA loop with the targets of issue #3.
  const std::string blas = "BM_baseline_openblas_sdot", fma = "BM_baseline_float_fma_dot";
  const std::vector<std::pair<const char*, double>> rows = {
      {"BM_pe/int_mac", 0.25}, {"BM_pe/fp8_mac_fused_fp32", 0.25}, {"BM_pe/mixpe_w4a8", 0.10},
      {"BM_pe/lut_tensor_core_w2a8", 0.10}, {"BM_pe/rmmec_posit8_0", 0.05}, {"BM_pe/rmmec_posit16_1", 0.05},
      {"BM_pe/rmmec_fp4", 0.05}, {"BM_pe/rmmec_posit16_1_fp32acc", 0.05}, {"BM_pe/lmul_pe_bf16", 0},
      {"BM_pe/int_mac_datapath", 0}, {"BM_pe/fp8_mac_datapath", 0}, {"BM_pe/mixpe_w4a16_datapath", 0},
      {"BM_pe/lut_tensor_core_w2a16", 0}};
  std::vector<T> t;
  for (const auto& [name, ratio] : rows) {
    t.push_back(T{name, blas, 0, 0});
    t.push_back(T{name, fma, 0, ratio});
  }
  return arithsim::bench::run_with_report(argc, argv, t);
}
