// SystemC co-simulation, the way users co-simulate their own RTL against arithsim: the
// Verilated --sc module of rtl/int_mac.sv and the SystemC wrapper of the cycle model side by
// side in one sc_main, fed from the same signals, compared every cycle; and the plain C++
// tick loop on the same stimulus must give identical outputs and cycle counts.
#include <systemc.h>

#include <random>

#include "Vint_mac.h"
#include "models/cycle/int_mac_cycle.hpp"
#include "sim/systemc/pe_sc.hpp"

int sc_main(int, char*[]) {
  sc_clock clk("clk", 10, SC_NS);
  sc_signal<bool> rst_n, in_valid, in_first, in_last, out_ready;
  sc_signal<uint32_t> in_a, in_w;
  sc_signal<bool> rtl_in_ready, rtl_out_valid, mdl_in_ready, mdl_out_valid;
  sc_signal<uint32_t> rtl_out_acc, mdl_out_acc;

  Vint_mac rtl("rtl");
  rtl.clk(clk);
  rtl.rst_n(rst_n);
  rtl.in_valid(in_valid);
  rtl.in_first(in_first);
  rtl.in_last(in_last);
  rtl.in_a(in_a);
  rtl.in_w(in_w);
  rtl.out_ready(out_ready);
  rtl.in_ready(rtl_in_ready);
  rtl.out_valid(rtl_out_valid);
  rtl.out_acc(rtl_out_acc);

  arithsim::sc::PeSc<> mdl("model", std::make_unique<arithsim::cycle::IntMacCycle>(arithsim::cycle::IntMacParams{}));
  mdl.clk(clk);
  mdl.rst_n(rst_n);
  mdl.in_valid(in_valid);
  mdl.in_first(in_first);
  mdl.in_last(in_last);
  mdl.in_a(in_a);
  mdl.in_w(in_w);
  mdl.out_ready(out_ready);
  mdl.in_ready(mdl_in_ready);
  mdl.out_valid(mdl_out_valid);
  mdl.out_acc(mdl_out_acc);

  // The plain C++ model on the same stimulus (the fast path).
  arithsim::cycle::IntMacCycle plain{arithsim::cycle::IntMacParams{}};

  std::mt19937_64 g(7);
  const int cycles = 100000;
  int failed = 0, compared = 0;
  bool in_dot = false;
  rst_n = false;
  sc_start(25, SC_NS);  // two edges in reset
  plain.tick(arithsim::cycle::PeIn{false});
  plain.tick(arithsim::cycle::PeIn{false});
  for (int c = 0; c < cycles && failed == 0; ++c) {
    arithsim::cycle::PeIn in;
    in.rst_n = true;
    in.out_ready = (g() % 4) != 0;
    in.in_valid = (g() % 5) != 0;
    in.in_a = uint8_t(g());
    in.in_w = uint8_t(g());
    in.in_first = !in_dot;
    in.in_last = (g() % 16) == 0;
    rst_n = in.rst_n;
    out_ready = in.out_ready;
    in_valid = in.in_valid;
    in_first = in.in_first;
    in_last = in.in_last;
    in_a = uint32_t(in.in_a);
    in_w = uint32_t(in.in_w);
    sc_start(1, SC_NS);  // settle the combinational outputs before the next edge
    const auto p = plain.outputs(in.out_ready);
    const bool accepted = in.in_valid && p.in_ready;
    ++compared;
    auto check = [&](const char* port, uint64_t a, uint64_t b, uint64_t want) {
      if (a != b || a != want) {
        std::printf("cycle %d: %s rtl %llu systemc-model %llu plain-model %llu\n", c, port, (unsigned long long)a,
                    (unsigned long long)b, (unsigned long long)want);
        ++failed;
      }
    };
    check("in_ready", rtl_in_ready.read(), mdl_in_ready.read(), p.in_ready);
    check("out_valid", rtl_out_valid.read(), mdl_out_valid.read(), p.out_valid);
    if (p.out_valid) check("out_acc", rtl_out_acc.read(), mdl_out_acc.read(), uint32_t(p.out_acc));
    if (accepted) in_dot = !in.in_last;
    sc_start(9, SC_NS);  // the rising edge at the end of this cycle
    plain.tick(in);
  }
  rtl.final();
  // The plain-language summary CTest and CI read.
  std::printf("systemc co-simulation: %d cycles compared (RTL, SystemC model, C++ model)\n", compared);
  std::printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
  return failed ? 1 : 0;
}
