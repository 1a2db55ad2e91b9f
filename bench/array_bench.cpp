// A 16x16 output-stationary array of INT8 MACs (rtl/pe_array.sv with int_mac cells) on the
// same GEMM tile stream: the cycle-level C++ model (models/cycle/pe_array.hpp) against the
// Verilated RTL, simulated cycles per second, same run; and the SystemC wrapper's overhead
// over the plain C++ tick loop (the same array model inside an sc_module, clocked by an
// sc_clock). Targets (issue #4): the C++ model >= 10x faster than Verilator; the SystemC
// overhead is reported (no target).
#include <benchmark/benchmark.h>

#include <random>

#include <systemc.h>
#include <verilated.h>

#include "Vpe_array.h"
#include "bench/ratio_report.hpp"
#include <arithsim/models/cycle/registry.hpp>
#include "sim/cosim/array_cosim.hpp"
#include "sim/systemc/array_sc.hpp"

namespace {

using namespace arithsim;
constexpr int R = 16, C = 16, K = 256, EDGES = K + R + C;

// Per edge: the array inputs, prepared once for both sides.
const std::vector<cycle::ArrayIn>& stimulus() {
  static const std::vector<cycle::ArrayIn> ins = [] {
    std::mt19937_64 g(1);
    std::vector<cycle::ArrayIn> v(EDGES);
    for (int t = 0; t < EDGES; ++t) {
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

void run(benchmark::State& st, cycle::PeArrayModel& m) {
  int64_t cycles = 0;
  for (auto _ : st) {
    for (const auto& in : stimulus()) m.tick(in);
    benchmark::DoNotOptimize(m.out_acc(R - 1, C - 1));
    cycles += EDGES;
  }
  st.SetItemsProcessed(cycles);
}

void BM_cpp_model(benchmark::State& st) {
  const auto m = cycle::make_pe_array("int_mac", {}, R, C, cycle::Dataflow::OutputStationary);
  run(st, *m);
}
BENCHMARK(BM_cpp_model);

// The Verilated RTL on the same inputs, packed into its port words once beforehand.
void BM_verilator(benchmark::State& st) {
  VerilatedContext ctx;
  Vpe_array rtl(&ctx);
  struct Words {
    VlWide<R * 8 / 32> a;
    VlWide<C * 8 / 32> w;
  };
  std::vector<Words> words(EDGES);
  for (int t = 0; t < EDGES; ++t) {
    const auto& in = stimulus()[size_t(t)];
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
      const auto& in = stimulus()[size_t(t)];
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
BENCHMARK(BM_verilator);

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
    const auto& in = stimulus()[t_++ % EDGES];
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
  using T = arithsim::bench::Target;
  return arithsim::bench::run_with_report(
      argc, argv, {T{"BM_cpp_model", "BM_verilator", 0, 10.0}, T{"BM_systemc_wrapper", "BM_cpp_model", 0, 0}});
}
