// Output-stationary arrays of INT8 MACs and of FP8 (E4M3) MACs at 16x16 and 32x32
// (rtl/pe_array.sv with int_mac / fp8_mac cells, which carry no group scale or zero-point
// fields) on the same GEMM tile stream: the cycle-level C++ model (models/cycle/pe_array.hpp)
// against the Verilated RTL, simulated cycles per second, same run; and the SystemC wrapper's
// overhead over the plain C++ tick loop (the 16x16 int_mac model inside an sc_module, clocked
// by an sc_clock). Targets (issues #4, #11): the C++ model >= 10x faster than Verilator for
// each PE and size; the SystemC overhead is reported (no target).
#include <benchmark/benchmark.h>

#include <random>

#include <systemc.h>
#include <verilated.h>

#include "Vpe_array_fp8_16.h"
#include "Vpe_array_int_16.h"
#if ARITHSIM_BENCH_LARGE_ARRAYS  // -DARITHSIM_BENCH_LARGE_ARRAYS=ON (bench/CMakeLists.txt)
#include "Vpe_array_fp8_32.h"
#include "Vpe_array_int_32.h"
#endif
#include "bench/ratio_report.hpp"
#include <arithsim/models/cycle/registry.hpp>
#include "sim/cosim/array_cosim.hpp"
#include "sim/systemc/array_sc.hpp"

namespace {

using namespace arithsim;
constexpr int K = 256;

// Per edge: the array inputs (8-bit codes for both PEs), prepared once for both sides.
template <int R, int C>
const std::vector<cycle::ArrayIn>& stimulus() {
  static const std::vector<cycle::ArrayIn> ins = [] {
    std::mt19937_64 g(1);
    std::vector<cycle::ArrayIn> v(K + R + C);
    for (int t = 0; t < K + R + C; ++t) {
      auto& in = v[size_t(t)];
      in.in_valid = t < K;
      in.in_first = t == 0;
      in.in_last = t == K - 1;
      for (int i = 0; i < R; ++i) in.a.push_back(g() & 0xff);
      for (int j = 0; j < C; ++j) in.w.push_back(g() & 0xff);
    }
    return v;
  }();
  return ins;
}

template <int R, int C>
void run(benchmark::State& st, cycle::PeArrayModel& m) {
  int64_t cycles = 0;
  for (auto _ : st) {
    for (const auto& in : stimulus<R, C>()) m.tick(in);
    benchmark::DoNotOptimize(m.out_acc(R - 1, C - 1));
    cycles += K + R + C;
  }
  st.SetItemsProcessed(cycles);
}

template <int R, int C>
void cpp_model(benchmark::State& st, const char* pe) {
  const auto m = cycle::make_pe_array(pe, {}, R, C, cycle::Dataflow::OutputStationary);
  run<R, C>(st, *m);
}

// The Verilated RTL on the same inputs, packed into its port words once beforehand.
template <class V, int R, int C>
void verilator(benchmark::State& st) {
  constexpr int EDGES = K + R + C;
  VerilatedContext ctx;
  V rtl(&ctx);
  struct Words {
    VlWide<R * 8 / 32> a;
    VlWide<C * 8 / 32> w;
  };
  std::vector<Words> words(EDGES);
  for (int t = 0; t < EDGES; ++t) {
    const auto& in = stimulus<R, C>()[size_t(t)];
    for (int i = 0; i < R; ++i) cosim::set_bits(words[size_t(t)].a, 8 * i, 8, in.a[size_t(i)]);
    for (int j = 0; j < C; ++j) cosim::set_bits(words[size_t(t)].w, 8 * j, 8, in.w[size_t(j)]);
  }
  rtl.rst_n = 0;
  for (int e = 0; e < 2; ++e) {
    rtl.clk = 0;
    rtl.eval();
    rtl.clk = 1;
    rtl.eval();
  }
  rtl.rst_n = 1;
  int64_t cycles = 0;
  for (auto _ : st) {
    for (int t = 0; t < EDGES; ++t) {
      const auto& in = stimulus<R, C>()[size_t(t)];
      rtl.in_valid = in.in_valid;
      rtl.in_first = in.in_first;
      rtl.in_last = in.in_last;
      rtl.in_a = words[size_t(t)].a;
      rtl.in_w = words[size_t(t)].w;
      rtl.clk = 0;
      rtl.eval();
      rtl.clk = 1;
      rtl.eval();
    }
    benchmark::DoNotOptimize(rtl.out_acc[0]);
    cycles += EDGES;
  }
  st.SetItemsProcessed(cycles);
}

// BM_cpp_model_<pe>_<R>x<C> and BM_verilator_<pe>_<R>x<C>, registered before the run.
template <class V, int R, int C>
void register_pair(const char* pe) {
  benchmark::RegisterBenchmark(fmt::format("BM_cpp_model_{}_{}x{}", pe, R, C).c_str(),
                               [pe](benchmark::State& st) { cpp_model<R, C>(st, pe); });
  benchmark::RegisterBenchmark(fmt::format("BM_verilator_{}_{}x{}", pe, R, C).c_str(), verilator<V, R, C>);
}

void register_arrays() {
  register_pair<Vpe_array_int_16, 16, 16>("int_mac");
  register_pair<Vpe_array_fp8_16, 16, 16>("fp8_mac");
#if ARITHSIM_BENCH_LARGE_ARRAYS
  register_pair<Vpe_array_int_32, 32, 32>("int_mac");
  register_pair<Vpe_array_fp8_32, 32, 32>("fp8_mac");
#endif
}

constexpr int R = 16, C = 16, EDGES = K + R + C;  // the SystemC wrapper's array

// The same array inside SystemC (sim/systemc/array_sc.hpp), clocked by an sc_clock, inputs
// written by a testbench method each falling edge: the wrapper's overhead over the plain
// tick loop (BM_cpp_model).
SC_MODULE(Feeder) {
  sc_in<bool> clk;
  sc_out<bool> rst_n, in_valid, in_first, in_last;
  sc_vector<sc_out<uint64_t>> in_a{"in_a", R}, in_w{"in_w", C};
  SC_CTOR(Feeder) {
    SC_METHOD(feed);
    sensitive << clk.neg();
  }
  void feed() {
    const auto& in = stimulus<R, C>()[t_++ % EDGES];
    rst_n.write(true);
    in_valid.write(in.in_valid);
    in_first.write(in.in_first);
    in_last.write(in.in_last);
    for (int i = 0; i < R; ++i) in_a[size_t(i)].write(in.a[size_t(i)]);
    for (int j = 0; j < C; ++j) in_w[size_t(j)].write(in.w[size_t(j)]);
  }
  size_t t_ = 0;
};

struct ScTop {
  sc_clock clk{"clk", 10, SC_NS};
  sc::ArraySignals sig{R, C};
  sc::ArraySc dut{"array", cycle::make_pe_array("int_mac", {}, R, C, cycle::Dataflow::OutputStationary)};
  Feeder feeder{"feeder"};
  ScTop() {
    dut.clk(clk), feeder.clk(clk);
    sig.bind(dut);
    sig.bind(feeder);
  }
};

void BM_systemc_wrapper(benchmark::State& st) {
  static ScTop* top = new ScTop;  // elaborated once: SystemC allows no new modules after sc_start
  int64_t cycles = 0;
  for (auto _ : st) {
    sc_start(EDGES * 10, SC_NS);
    benchmark::DoNotOptimize(top->sig.out_acc[0].read());
    cycles += EDGES;
  }
  st.SetItemsProcessed(cycles);
}
BENCHMARK(BM_systemc_wrapper);

}  // namespace

// SystemC's library defines main() to call sc_main(); this program has its own main.
int sc_main(int, char*[]) { return 0; }

int main(int argc, char** argv) {
  register_arrays();
  using T = arithsim::bench::Target;
  return arithsim::bench::run_with_report(
      argc, argv,
      {T{"BM_cpp_model_int_mac_16x16", "BM_verilator_int_mac_16x16", 0, 10.0},
       T{"BM_cpp_model_fp8_mac_16x16", "BM_verilator_fp8_mac_16x16", 0, 10.0},
#if ARITHSIM_BENCH_LARGE_ARRAYS
       T{"BM_cpp_model_int_mac_32x32", "BM_verilator_int_mac_32x32", 0, 10.0},
       T{"BM_cpp_model_fp8_mac_32x32", "BM_verilator_fp8_mac_32x32", 0, 10.0},
#endif
       T{"BM_systemc_wrapper", "BM_cpp_model_int_mac_16x16", 0, 0}});
}
