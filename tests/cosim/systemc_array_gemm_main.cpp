// The SystemC top: a tiled GEMM on an array of PEs (sim/systemc/array_sc.hpp) driven by a
// SystemC testbench thread from the same edge stream as the plain C++ tick loop
// (cycle::ArrayGemmStream); the two must give identical results and cycle counts.
// Usage: systemc_array_gemm PE os|dot [rows cols]
#include <systemc.h>

#include <cstdio>
#include <string>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include "sim/systemc/array_sc.hpp"

using namespace arithsim;

SC_MODULE(GemmBench) {
  sc_in<bool> clk;
  sc_out<bool> rst_n, in_valid, in_first, in_last;
  sc_vector<sc_out<uint64_t>> in_a, in_w, in_scale, in_zero;
  sc_vector<sc_in<bool>> out_valid;
  sc_vector<sc_in<uint64_t>> out_acc;

  GemmBench(sc_module_name n, cycle::ArrayGemmStream& s, int rows, int cols)
      : sc_module(n), in_a("in_a", size_t(rows)), in_w("in_w", size_t(cols)), in_scale("in_scale", size_t(cols)),
        in_zero("in_zero", size_t(cols)), out_valid("out_valid", size_t(rows * cols)),
        out_acc("out_acc", size_t(rows * cols)), s_(s), C_(cols) {
    SC_THREAD(run);
  }
  SC_HAS_PROCESS(GemmBench);
  bool finished = false;

  void run() {
    while (!s_.done()) {
      const cycle::ArrayIn& in = s_.next();
      rst_n.write(in.rst_n);
      in_valid.write(in.in_valid);
      in_first.write(in.in_first);
      in_last.write(in.in_last);
      for (size_t i = 0; i < in_a.size(); ++i) in_a[i].write(in.a[i]);
      for (size_t j = 0; j < in_w.size(); ++j) {
        in_w[j].write(in.w[j]);
        in_scale[j].write(in.scale.empty() ? 0 : in.scale[j]);
        in_zero[j].write(in.zero.empty() ? 0 : in.zero[j]);
      }
      wait(clk.posedge_event());
      wait(1, SC_NS);  // the array's registers have been written
      s_.collect([&](int i, int j) { return out_valid[size_t(i * C_ + j)].read(); },
                 [&](int i, int j) { return out_acc[size_t(i * C_ + j)].read(); });
    }
    finished = true;
    sc_stop();
  }

 private:
  cycle::ArrayGemmStream& s_;
  int C_;
};

int sc_main(int argc, char* argv[]) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: systemc_array_gemm PE os|dot [rows cols]\n");
    return 2;
  }
  const std::string pe = argv[1];
  const auto df = cycle::parse_dataflow(argv[2]);
  const int rows = argc > 4 ? std::stoi(argv[3]) : 4, cols = argc > 4 ? std::stoi(argv[4]) : 4;
  const pe::Params params = {{"stages", "2"}};
  auto plain = cycle::make_pe_array(pe, params, rows, cols, df);
  const size_t kw = 3 * cycle::words_per_group(pe, params);
  const auto problem = cycle::random_array_problem(plain->ports(), size_t(2 * rows + 1), size_t(2 * cols - 1), kw, 9);
  const cycle::ArrayGemmOptions opts{5};  // feeder stalls one edge in 5
  const auto want = cycle::run_array_gemm(*plain, problem, opts);  // the fast path

  cycle::ArrayGemmStream stream(problem, rows, cols, plain->latency(), opts);
  sc_clock clk("clk", 10, SC_NS);
  sc::ArraySignals sig(rows, cols);
  sc::ArraySc dut("array", cycle::make_pe_array(pe, params, rows, cols, df));
  GemmBench tb("tb", stream, rows, cols);
  dut.clk(clk);
  tb.clk(clk);
  sig.bind(dut);
  sig.bind(tb);
  sc_start();
  const auto got = stream.result();
  const bool same = tb.finished && got.out == want.out && got.cycles == want.cycles && got.stall_edges == want.stall_edges;
  std::printf("systemc array gemm: %s %s %dx%d, %zux%zux%zu words: SystemC %llu cycles, C++ %llu cycles, results %s\n",
              pe.c_str(), argv[2], rows, cols, problem.m, problem.n, problem.kw, (unsigned long long)got.cycles,
              (unsigned long long)want.cycles, got.out == want.out ? "identical" : "DIFFER");
  const uint64_t closed = cycle::array_gemm_cycles(rows, cols, df, 2, problem.m, problem.n, kw, want.stall_edges);
  const bool exact = want.cycles == closed;
  if (!exact) std::printf("cycle count %llu differs from the closed form %llu\n", (unsigned long long)want.cycles, (unsigned long long)closed);
  return same && exact ? 0 : 1;
}
