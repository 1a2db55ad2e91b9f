// PE GEMM emulation (issue #17), items are MACs, in the same run:
//  - the PEs' GEMMs (ProcessingElement::gemm on quantized operands, one thread) against
//    OpenBLAS sgemm of the same shape on one thread. Targets: int_mac and fp8_mac >= 10 %,
//    mixpe and lut_tensor_core >= 5 %; and on every core against sgemm on every core (no target);
//  - `arithsim gemm` end to end (sim::run_gemm: quantization, the PE's GEMM and both
//    references) on 1 thread and on every thread of the machine. Target: the threaded run at
//    least 1.8 times the one-thread run on 2 cores (0.9 per thread on more).
#include <benchmark/benchmark.h>

#include <random>
#include <thread>

#include "bench/openblas_baseline.hpp"
#include "bench/random_data.hpp"
#include "bench/ratio_report.hpp"
#include "sim/gemm/gemm_driver.hpp"
#include <arithsim/models/threads/parallel_for.hpp>
#include <arithsim/models/pe/pe.hpp>

namespace {

constexpr size_t kM = 64, kN = 64, kK = 512;  // every benchmark's shape
constexpr size_t kMThreads = 256;  // the every-core rows: 4x the rows, so that each thread has 128+

using arithsim::bench::normal_floats;

void BM_baseline_openblas_sgemm(benchmark::State& st) { arithsim::bench::openblas_sgemm_one_thread(st, kM, kN, kK); }
BENCHMARK(BM_baseline_openblas_sgemm);
void BM_baseline_openblas_sgemm_all_threads(benchmark::State& st) {
  arithsim::bench::openblas_sgemm(st, kMThreads, kN, kK, int(arithsim::threads::default_threads()));
}
BENCHMARK(BM_baseline_openblas_sgemm_all_threads)->UseRealTime();

// The PE's GEMM of m x 64 x 512 on quantized operands, rows of C per thread (one thread: a
// single gemm call).
void pe_gemm(benchmark::State& st, const char* name, const arithsim::pe::Params& p, size_t m, size_t threads) {
  const auto unit = arithsim::pe::make_pe(name, p);
  std::vector<arithsim::pe::Operand> rows, cols;
  for (size_t i = 0; i < m; ++i) rows.push_back(unit->quantize_a(normal_floats(kK, 10 + i)));
  for (size_t j = 0; j < kN; ++j) cols.push_back(unit->quantize_w(normal_floats(kK, 1000 + j)));
  std::vector<double> c(m * kN);
  for (auto _ : st) {
    arithsim::threads::parallel_for(m, threads, [&](size_t lo, size_t hi) {
      unit->gemm(std::span(rows).subspan(lo, hi - lo), cols, std::span(c).subspan(lo * kN, (hi - lo) * kN));
    });
    benchmark::DoNotOptimize(c.data());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * m * kN * kK));
}
void BM_pe_gemm(benchmark::State& st, const char* name, arithsim::pe::Params p) { pe_gemm(st, name, p, kM, 1); }
// On every core (what run_gemm does for the GEMM part), against sgemm on every core, both
// 256 x 64 x 512 (each thread builds B's panels itself, so a thread needs many rows to pay):
// no target, the scaling beside the strongest baseline.
void BM_pe_gemm_all_threads(benchmark::State& st, const char* name, arithsim::pe::Params p) {
  pe_gemm(st, name, p, kMThreads, arithsim::threads::default_threads());
}
BENCHMARK_CAPTURE(BM_pe_gemm_all_threads, int_mac, "int_mac", {})->UseRealTime();
BENCHMARK_CAPTURE(BM_pe_gemm_all_threads, fp8_mac, "fp8_mac", {})->UseRealTime();
BENCHMARK_CAPTURE(BM_pe_gemm, int_mac, "int_mac", {});
BENCHMARK_CAPTURE(BM_pe_gemm, fp8_mac, "fp8_mac", {});
BENCHMARK_CAPTURE(BM_pe_gemm, mixpe, "mixpe", {});
BENCHMARK_CAPTURE(BM_pe_gemm, lut_tensor_core, "lut_tensor_core", {});
BENCHMARK_CAPTURE(BM_pe_gemm, mixpe_a_fp16, "mixpe", {{"a", "fp16"}});
BENCHMARK_CAPTURE(BM_pe_gemm, lut_tensor_core_a_fp16, "lut_tensor_core", {{"a", "fp16"}});

void run(benchmark::State& st, const char* name, arithsim::pe::Params p, size_t threads) {
  const auto unit = arithsim::pe::make_pe(name, p);
  const auto a = normal_floats(kM * kK, 1), b = normal_floats(kK * kN, 2);
  for (auto _ : st) {
    auto r = arithsim::sim::run_gemm(*unit, a, b, kM, kN, kK, threads);
    benchmark::DoNotOptimize(r.c.data());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kM * kN * kK));
}
const size_t kAll = arithsim::threads::default_threads();
void BM_run_gemm_1thread(benchmark::State& st, const char* name, arithsim::pe::Params p) { run(st, name, p, 1); }
void BM_run_gemm_all_threads(benchmark::State& st, const char* name, arithsim::pe::Params p) { run(st, name, p, kAll); }
BENCHMARK_CAPTURE(BM_run_gemm_1thread, int_mac, "int_mac", {})->UseRealTime();
BENCHMARK_CAPTURE(BM_run_gemm_all_threads, int_mac, "int_mac", {})->UseRealTime();
BENCHMARK_CAPTURE(BM_run_gemm_1thread, tensor_core_h100_e4m3, "tensor_core", {{"gpu", "h100"}, {"instr", "wgmma"}, {"in", "e4m3"}})
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_run_gemm_all_threads, tensor_core_h100_e4m3, "tensor_core", {{"gpu", "h100"}, {"instr", "wgmma"}, {"in", "e4m3"}})
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  using arithsim::bench::Target;
  const double scale = kAll <= 1 ? 0 : (kAll == 2 ? 1.8 : 0.9 * double(kAll));  // one core: nothing to scale
  std::vector<Target> t;
  const std::string blas = "BM_baseline_openblas_sgemm";
  for (auto [pe, ratio] : {std::pair{"int_mac", 0.10}, {"fp8_mac", 0.10}, {"mixpe", 0.05}, {"lut_tensor_core", 0.05}})
    t.push_back({std::string("BM_pe_gemm/") + pe, blas, 0, ratio});
  t.push_back({"BM_pe_gemm/mixpe_a_fp16", blas, 0, 0.05});
  for (const char* pe : {"int_mac", "fp8_mac"})
    t.push_back({std::string("BM_pe_gemm_all_threads/") + pe + "/real_time", "BM_baseline_openblas_sgemm_all_threads/real_time", 0, 0});
  t.push_back({"BM_pe_gemm/lut_tensor_core_a_fp16", blas, 0, 0});  // no GEMM kernel: one dot at a time
  for (const char* p : {"int_mac", "tensor_core_h100_e4m3"})
    t.push_back({std::string("BM_run_gemm_all_threads/") + p + "/real_time", std::string("BM_run_gemm_1thread/") + p + "/real_time",
                 0, scale});
  return arithsim::bench::run_with_report(argc, argv, t);
}
