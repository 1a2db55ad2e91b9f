// SystemC co-simulation, the way users co-simulate their own RTL against arithsim: for every
// PE, the Verilated --sc module of rtl/<pe>.sv (default configuration) and the SystemC
// wrapper of its cycle model (sim/systemc/pe_sc.hpp) side by side in one sc_main, fed from
// the same signals and compared every cycle; the plain C++ tick loop runs on the same
// stimulus and must give identical outputs (so identical cycle counts).
// Usage: systemc_cosim [cycles]
#include <systemc.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vfp8_mac.h"
#include "Vint_mac.h"
#include "Vlmul_pe.h"
#include "Vlut_tensor_core.h"
#include "Vmixpe.h"
#include "Vrmmec.h"
#include <arithsim/models/cycle/registry.hpp>
#include "sim/systemc/pe_sc.hpp"

using namespace arithsim;

// One PE: its signals, the Verilated --sc RTL, the SystemC model and the plain model.
struct Rig {
  std::string pe;
  cycle::PePorts ports;
  sc_signal<bool> rst_n, in_valid, in_first, in_last, out_ready;
  sc_signal<uint32_t> in_a, in_w, in_scale, in_zero;
  sc_signal<bool> rtl_in_ready, rtl_out_valid, mdl_in_ready, mdl_out_valid;
  sc_signal<uint32_t> rtl_out_acc, mdl_out_acc;
  std::unique_ptr<sc::PeSc<>> model;
  std::unique_ptr<cycle::PeCycleModel> plain;
  size_t group = 1;   // dot products span whole weight groups (words)
  size_t in_dot = 0;  // elements accepted in the current dot product
  uint64_t scale = 0x3c00, zero = 0;  // the current group's
  int compared = 0, failed = 0, results = 0;
};

template <class V>
std::unique_ptr<V> bind(Rig& r, sc_clock& clk) {
  auto rtl = std::make_unique<V>(("rtl_" + r.pe).c_str());
  rtl->clk(clk);
  rtl->rst_n(r.rst_n);
  rtl->in_valid(r.in_valid);
  rtl->in_first(r.in_first);
  rtl->in_last(r.in_last);
  rtl->in_a(r.in_a);
  rtl->in_w(r.in_w);
  if constexpr (requires { rtl->in_scale; }) {
    rtl->in_scale(r.in_scale);
    rtl->in_zero(r.in_zero);
  }
  rtl->out_ready(r.out_ready);
  rtl->in_ready(r.rtl_in_ready);
  rtl->out_valid(r.rtl_out_valid);
  rtl->out_acc(r.rtl_out_acc);
  r.model = std::make_unique<sc::PeSc<>>(("model_" + r.pe).c_str(), cycle::make_pe_cycle(r.pe, {}));
  auto& m = *r.model;
  m.clk(clk);
  m.rst_n(r.rst_n);
  m.in_valid(r.in_valid);
  m.in_first(r.in_first);
  m.in_last(r.in_last);
  m.in_a(r.in_a);
  m.in_w(r.in_w);
  if (r.ports.scale_bits) {
    m.in_scale(r.in_scale);
    m.in_zero(r.in_zero);
  }
  m.out_ready(r.out_ready);
  m.in_ready(r.mdl_in_ready);
  m.out_valid(r.mdl_out_valid);
  m.out_acc(r.mdl_out_acc);
  r.plain = cycle::make_pe_cycle(r.pe, {});
  return rtl;
}

int sc_main(int argc, char* argv[]) {
  const int cycles = argc > 1 ? std::stoi(argv[1]) : 30000;
  sc_clock clk("clk", 10, SC_NS);
  std::vector<std::unique_ptr<Rig>> rigs;
  for (const char* pe : {"int_mac", "fp8_mac", "lmul_pe", "mixpe", "lut_tensor_core", "rmmec"}) {
    rigs.push_back(std::make_unique<Rig>());
    rigs.back()->pe = pe;
    rigs.back()->ports = cycle::make_pe_cycle(pe, {})->ports();
    rigs.back()->group = cycle::words_per_group(pe, {});
  }
  const auto v0 = bind<Vint_mac>(*rigs[0], clk);
  const auto v1 = bind<Vfp8_mac>(*rigs[1], clk);
  const auto v2 = bind<Vlmul_pe>(*rigs[2], clk);
  const auto v3 = bind<Vmixpe>(*rigs[3], clk);
  const auto v4 = bind<Vlut_tensor_core>(*rigs[4], clk);
  const auto v5 = bind<Vrmmec>(*rigs[5], clk);

  std::mt19937_64 g(7);
  for (auto& r : rigs) r->rst_n = false;
  sc_start(25, SC_NS);  // two edges in reset
  for (auto& r : rigs) {
    r->plain->tick(cycle::PeIn{false});
    r->plain->tick(cycle::PeIn{false});
  }
  for (int c = 0; c < cycles; ++c) {
    std::vector<cycle::PeIn> ins;
    for (auto& r : rigs) {
      cycle::PeIn in;
      in.out_ready = (g() % 4) != 0;
      in.in_valid = (g() % 5) != 0;
      in.in_a = g() & cycle::mask(r->ports.a_bits);
      in.in_w = g() & cycle::mask(r->ports.w_bits);
      // group PEs: a dot product spans whole groups, each with one scale and zero point
      if (r->in_dot % r->group == 0 && (g() % 3) == 0) {
        r->scale = 0x3c00 + (g() % 4) * 0x0400;  // FP16 1, 2, 4, 8
        r->zero = g() & cycle::mask(r->ports.zero_bits);
      }
      in.in_scale = r->scale;
      in.in_zero = r->zero;
      in.in_first = r->in_dot == 0;
      in.in_last = (r->in_dot + 1) % r->group == 0 && (g() % (r->group == 1 ? 16 : 2)) == 0;
      r->rst_n = true;
      r->out_ready = in.out_ready;
      r->in_valid = in.in_valid;
      r->in_first = in.in_first;
      r->in_last = in.in_last;
      r->in_a = uint32_t(in.in_a);
      r->in_w = uint32_t(in.in_w);
      r->in_scale = uint32_t(in.in_scale);
      r->in_zero = uint32_t(in.in_zero);
      ins.push_back(in);
    }
    sc_start(1, SC_NS);  // settle the combinational outputs before the next edge
    for (size_t k = 0; k < rigs.size(); ++k) {
      Rig& r = *rigs[k];
      const cycle::PeIn& in = ins[k];
      const auto p = r.plain->outputs(in.out_ready);
      ++r.compared;
      auto check = [&](const char* port, uint64_t a, uint64_t b, uint64_t want) {
        if ((a != b || a != want) && r.failed++ < 3)
          std::printf("%s cycle %d: %s rtl %llu systemc-model %llu plain-model %llu\n", r.pe.c_str(), c, port,
                      (unsigned long long)a, (unsigned long long)b, (unsigned long long)want);
      };
      check("in_ready", r.rtl_in_ready.read(), r.mdl_in_ready.read(), p.in_ready);
      check("out_valid", r.rtl_out_valid.read(), r.mdl_out_valid.read(), p.out_valid);
      if (p.out_valid) check("out_acc", r.rtl_out_acc.read(), r.mdl_out_acc.read(), uint32_t(p.out_acc));
      if (in.in_valid && p.in_ready) r.in_dot = in.in_last ? 0 : r.in_dot + 1;
      if (p.out_valid && in.out_ready) ++r.results;
    }
    sc_start(9, SC_NS);  // the rising edge at the end of this cycle
    for (size_t k = 0; k < rigs.size(); ++k) rigs[k]->plain->tick(ins[k]);
  }
  v0->final(), v1->final(), v2->final(), v3->final(), v4->final(), v5->final();
  int failed = 0;
  for (auto& r : rigs) {
    const bool ok = r->failed == 0 && r->results > 20;
    std::printf("systemc co-simulation %s: %d cycles, %d results compared (Verilated --sc RTL, SystemC model, C++ "
                "model): %s\n",
                r->pe.c_str(), r->compared, r->results, ok ? "pass" : "FAIL");
    failed += !ok;
  }
  return failed ? 1 : 0;
}
