// The strongest native GEMM baseline: OpenBLAS sgemm (libopenblas-dev) on one or more threads, C = A*B
// of float32 M x K by K x N row-major. Items are MACs.
#pragma once

#include <benchmark/benchmark.h>

#include <cblas.h>

#include "bench/random_data.hpp"

namespace arithsim::bench {

inline void openblas_sgemm(benchmark::State& st, size_t m, size_t n, size_t k, int threads) {
  openblas_set_num_threads(threads);
  const auto a = normal_floats(m * k, 1), b = normal_floats(k * n, 2);
  std::vector<float> c(m * n);
  for (auto _ : st) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0f, a.data(), int(k), b.data(), int(n),
                0.0f, c.data(), int(n));
    benchmark::DoNotOptimize(c.data());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * m * n * k));
}
inline void openblas_sgemm_one_thread(benchmark::State& st, size_t m, size_t n, size_t k) { openblas_sgemm(st, m, n, k, 1); }

}  // namespace arithsim::bench
