// Tensor-core GEMM emulation (issue #13): C = A*B of M x N outputs over K through the
// tensor_core PE (every output one chained dot product, bit-exact; the PE's gemm, and for
// comparison its dot products one at a time), against OpenBLAS sgemm
// of the same shape on one thread and a scalar float FMA loop, in the same run. Items are
// MACs. Targets: >= 5% of sgemm and >= 25% of the scalar loop, for fp8 and fp16 inputs.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "bench/openblas_baseline.hpp"
#include "bench/random_data.hpp"
#include "bench/ratio_report.hpp"
#include <arithsim/models/pe/pe.hpp>

namespace {

constexpr size_t kM = 32, kN = 32, kK = 1024;

using arithsim::bench::normal_floats;

void BM_baseline_openblas_sgemm(benchmark::State& st) { arithsim::bench::openblas_sgemm_one_thread(st, kM, kN, kK); }
BENCHMARK(BM_baseline_openblas_sgemm);

void BM_baseline_scalar_fma_gemm(benchmark::State& st) {
  const auto a = normal_floats(kM * kK, 1), bt = normal_floats(kN * kK, 2);  // B transposed: columns contiguous
  std::vector<float> c(kM * kN);
  for (auto _ : st) {
    for (size_t i = 0; i < kM; ++i)
      for (size_t j = 0; j < kN; ++j) {
        float acc = 0;  // one sequential accumulator per output, as a dot product unit chains
        const float* x = &a[i * kK];
        const float* y = &bt[j * kK];
        for (size_t t = 0; t < kK; ++t) acc = std::fma(x[t], y[t], acc);
        c[i * kN + j] = acc;
      }
    benchmark::DoNotOptimize(c.data());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kM * kN * kK));
}
BENCHMARK(BM_baseline_scalar_fma_gemm);

// The PE's GEMM (units::mma_gemm: operands decoded once, 16 outputs on SIMD lanes where the
// preset's datapath allows), or with `dots` one dot product at a time (units::mma_dot).
void tensor_core_gemm(benchmark::State& st, const arithsim::pe::Params& p, bool dots) {
  const auto unit = arithsim::pe::make_pe("tensor_core", p);
  std::vector<arithsim::pe::Operand> rows, cols;
  for (size_t i = 0; i < kM; ++i) rows.push_back(unit->quantize_a(normal_floats(kK, 10 + i)));
  for (size_t j = 0; j < kN; ++j) cols.push_back(unit->quantize_w(normal_floats(kK, 1000 + j)));
  std::vector<double> c(kM * kN);
  for (auto _ : st) {
    if (dots) {
      for (size_t i = 0; i < kM; ++i)
        for (size_t j = 0; j < kN; ++j) c[i * kN + j] = unit->dot(rows[i], cols[j]);
    } else {
      unit->gemm(rows, cols, c);
    }
    benchmark::DoNotOptimize(c.data());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kM * kN * kK));
}
void BM_tensor_core_gemm(benchmark::State& st, arithsim::pe::Params p) { tensor_core_gemm(st, p, false); }
void BM_tensor_core_dots(benchmark::State& st, arithsim::pe::Params p) { tensor_core_gemm(st, p, true); }
BENCHMARK_CAPTURE(BM_tensor_core_gemm, h100_wgmma_e4m3, {{"gpu", "h100"}, {"instr", "wgmma"}, {"in", "e4m3"}});
BENCHMARK_CAPTURE(BM_tensor_core_gemm, h100_mma_sync_fp16, {{"gpu", "h100"}, {"in", "fp16"}});
BENCHMARK_CAPTURE(BM_tensor_core_gemm, b200_mma_sync_e4m3, {{"gpu", "b200"}, {"in", "e4m3"}});
BENCHMARK_CAPTURE(BM_tensor_core_gemm, a100_mma_sync_bf16, {{"gpu", "a100"}, {"in", "bf16"}});
BENCHMARK_CAPTURE(BM_tensor_core_dots, h100_wgmma_e4m3, {{"gpu", "h100"}, {"instr", "wgmma"}, {"in", "e4m3"}});
BENCHMARK_CAPTURE(BM_tensor_core_dots, h100_mma_sync_fp16, {{"gpu", "h100"}, {"in", "fp16"}});
// AMD CDNA: the exact sum (CDNA1), the rounded pairwise tree (CDNA2), the late rounded-down
// addend and the odd/even FP8 groups (CDNA3).
BENCHMARK_CAPTURE(BM_tensor_core_gemm, mi100_mfma_fp16, {{"gpu", "mi100"}, {"instr", "mfma"}, {"in", "fp16"}});
BENCHMARK_CAPTURE(BM_tensor_core_gemm, mi250x_mfma_fp16, {{"gpu", "mi250x"}, {"instr", "mfma"}, {"in", "fp16"}});
BENCHMARK_CAPTURE(BM_tensor_core_gemm, mi300x_mfma_fp16, {{"gpu", "mi300x"}, {"instr", "mfma"}, {"in", "fp16"}});
BENCHMARK_CAPTURE(BM_tensor_core_gemm, mi300x_mfma_e4m3fnuz, {{"gpu", "mi300x"}, {"instr", "mfma"}, {"in", "e4m3fnuz"}});

}  // namespace

int main(int argc, char** argv) {
  using arithsim::bench::Target;
  const std::string blas = "BM_baseline_openblas_sgemm", scalar = "BM_baseline_scalar_fma_gemm";
  std::vector<Target> t;
  for (const char* b : {"BM_tensor_core_gemm/h100_wgmma_e4m3", "BM_tensor_core_gemm/h100_mma_sync_fp16"}) {
    t.push_back({b, blas, 0, 0.05});
    t.push_back({b, scalar, 0, 0.25});
  }
  for (const char* b : {"BM_tensor_core_gemm/b200_mma_sync_e4m3", "BM_tensor_core_gemm/a100_mma_sync_bf16",
                        "BM_tensor_core_gemm/mi100_mfma_fp16", "BM_tensor_core_gemm/mi250x_mfma_fp16",
                        "BM_tensor_core_gemm/mi300x_mfma_fp16", "BM_tensor_core_gemm/mi300x_mfma_e4m3fnuz",
                        "BM_tensor_core_dots/h100_wgmma_e4m3", "BM_tensor_core_dots/h100_mma_sync_fp16"})
    t.push_back({b, scalar, 0, 0});
  return arithsim::bench::run_with_report(argc, argv, t);
}
