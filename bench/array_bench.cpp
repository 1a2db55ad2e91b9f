// The 16x16 output-stationary systolic array on the same GEMM: the cycle-level C++ model
// against the Verilated RTL, simulated cycles per second, same run. Target (issue #4): the
// C++ model >= 10x faster than Verilator.
#include <benchmark/benchmark.h>

#include <array>
#include <random>

#include <verilated.h>

#include "Vsystolic_os.h"
#include "bench/ratio_report.hpp"
#include "models/cycle/systolic_os.hpp"

namespace {

constexpr int R = 16, C = 16, K = 256;

struct Stimulus {
  std::vector<std::vector<int64_t>> a, b;  // per cycle: R and C values
  Stimulus() {
    std::mt19937_64 g(1);
    for (int t = 0; t < K; ++t) {
      std::vector<int64_t> ra(R), rb(C);
      for (auto& x : ra) x = int8_t(g());
      for (auto& x : rb) x = int8_t(g());
      a.push_back(ra);
      b.push_back(rb);
    }
  }
};

void BM_cpp_model(benchmark::State& st) {
  static const Stimulus s;
  arithsim::cycle::SystolicOs m(arithsim::cycle::SystolicParams{R, C, 8, 8, 32});
  // The per-cycle inputs are prepared once, as the Verilator side's are below.
  std::vector<arithsim::cycle::SystolicOs::Inputs> ins(size_t(K + R + C));
  for (int t = 0; t < K + R + C; ++t) {
    auto& in = ins[size_t(t)];
    in.in_valid = t < K;
    in.in_first = t == 0;
    in.in_last = t == K - 1;
    in.in_a = s.a[size_t(t % K)];
    in.in_b = s.b[size_t(t % K)];
  }
  int64_t cycles = 0;
  for (auto _ : st) {
    for (const auto& in : ins) m.tick(in);
    benchmark::DoNotOptimize(m.out_c(R - 1, C - 1));
    cycles += K + R + C;
  }
  st.SetItemsProcessed(cycles);
}
BENCHMARK(BM_cpp_model);

void BM_verilator(benchmark::State& st) {
  static const Stimulus s;
  VerilatedContext ctx;
  Vsystolic_os rtl(&ctx);
  // Packed input words per cycle, prepared once.
  std::vector<std::array<uint32_t, R * 8 / 32>> pa(K);
  std::vector<std::array<uint32_t, C * 8 / 32>> pb(K);
  for (int t = 0; t < K; ++t) {
    for (int w = 0; w < R * 8 / 32; ++w)
      for (int i = 0; i < 4; ++i) pa[size_t(t)][size_t(w)] |= uint32_t(uint8_t(s.a[size_t(t)][size_t(w * 4 + i)])) << (8 * i);
    for (int w = 0; w < C * 8 / 32; ++w)
      for (int i = 0; i < 4; ++i) pb[size_t(t)][size_t(w)] |= uint32_t(uint8_t(s.b[size_t(t)][size_t(w * 4 + i)])) << (8 * i);
  }
  int64_t cycles = 0;
  for (auto _ : st) {
    for (int t = 0; t < K + R + C; ++t) {
      rtl.rst_n = 1;
      rtl.in_valid = t < K;
      rtl.in_first = t == 0;
      rtl.in_last = t == K - 1;
      for (int w = 0; w < R * 8 / 32; ++w) rtl.in_a[w] = pa[size_t(t % K)][size_t(w)];
      for (int w = 0; w < C * 8 / 32; ++w) rtl.in_b[w] = pb[size_t(t % K)][size_t(w)];
      rtl.clk = 0;
      rtl.eval();
      rtl.clk = 1;
      rtl.eval();
    }
    benchmark::DoNotOptimize(rtl.out_c[0]);
    cycles += K + R + C;
  }
  st.SetItemsProcessed(cycles);
}
BENCHMARK(BM_verilator);

}  // namespace

int main(int argc, char** argv) {
  using T = arithsim::bench::Target;
  return arithsim::bench::run_with_report(argc, argv, {T{"BM_cpp_model", "BM_verilator", 0, 10.0}});
}
