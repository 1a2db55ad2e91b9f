#include "sim/cosim/int_mac_cosim.hpp"

#include <deque>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vint_mac.h"
#include "models/cycle/int_mac_cycle.hpp"

namespace arithsim::cosim {
namespace {

using Inputs = cycle::IntMacCycle::Inputs;

std::string show(const Inputs& in) {
  return fmt::format("rst_n={} in_valid={} in_first={} in_last={} in_a={} in_w={} out_ready={}", int(in.rst_n),
                     int(in.in_valid), int(in.in_first), int(in.in_last), in.in_a, in.in_w, int(in.out_ready));
}

// One run; `trace_to` traces the RTL into an FST file; stops at `stop_after` cycles.
CosimReport run(const CosimOptions& o, const std::string& trace_to, uint64_t stop_after) {
  CosimReport rep;
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->traceEverOn(!trace_to.empty());
  auto rtl = std::make_unique<Vint_mac>(ctx.get());
  std::unique_ptr<VerilatedFstC> tfp;
  if (!trace_to.empty()) {
    tfp = std::make_unique<VerilatedFstC>();
    rtl->trace(tfp.get(), 99);
    tfp->open(trace_to.c_str());
  }
  cycle::IntMacCycle model{cycle::IntMacParams{}};
  std::mt19937_64 g(o.seed);
  std::deque<std::string> history;  // the inputs of the last cycles
  std::deque<int64_t> expected;
  units::IntAccumulator ref(32, false);
  bool in_dot = false;
  const int64_t corners[] = {-128, 127, 0, -1, 1};
  uint64_t t = 0;
  auto fail = [&](uint64_t cyc, const char* port, int64_t want, int64_t got) {
    rep.pass = false;
    std::string h;
    for (const auto& s : history) h += "\n    " + s;
    rep.mismatch = fmt::format("cycle {}: port {} expected {} actual {}; inputs of the last cycles (oldest first):{}", cyc,
                               port, want, got, h);
  };
  for (uint64_t c = 0; c < std::min(o.cycles, stop_after); ++c) {
    Inputs in;
    in.rst_n = c >= 2 && !(o.reset_every && c % o.reset_every == o.reset_every - 1);
    in.out_ready = o.backpressure == 0 || (g() % o.backpressure) != 0;
    in.in_valid = (g() % 5) != 0;
    in.in_a = (g() % 8 == 0) ? corners[g() % 5] : int64_t(int8_t(g()));
    in.in_w = (g() % 8 == 0) ? corners[g() % 5] : int64_t(int8_t(g()));
    in.in_first = !in_dot;
    in.in_last = (g() % 16) == 0;
    history.push_back(fmt::format("cycle {}: {}", c, show(in)));
    if (history.size() > 8) history.pop_front();
    // Drive the RTL, settle, compare every output port.
    rtl->rst_n = in.rst_n;
    rtl->in_valid = in.in_valid;
    rtl->in_first = in.in_first;
    rtl->in_last = in.in_last;
    rtl->in_a = uint8_t(in.in_a);
    rtl->in_w = uint8_t(in.in_w);
    rtl->out_ready = in.out_ready;
    rtl->clk = 0;
    rtl->eval();
    if (tfp) tfp->dump(2 * t);
    auto m = model.outputs(in.out_ready);
    if (int(c) == o.inject_fault_at) m.out_valid = !m.out_valid;
    const int64_t rtl_acc = int64_t(int32_t(rtl->out_acc));
    if (m.in_ready != bool(rtl->in_ready)) fail(c, "in_ready", m.in_ready, rtl->in_ready);
    else if (m.out_valid != bool(rtl->out_valid)) fail(c, "out_valid", m.out_valid, rtl->out_valid);
    else if (m.out_valid && m.out_acc != rtl_acc) fail(c, "out_acc", m.out_acc, rtl_acc);
    if (!rep.pass) break;
    // The transaction-level reference: results leave in order of their last element.
    if (in.rst_n) {
      if (m.out_valid && in.out_ready) {
        if (expected.empty() || m.out_acc != expected.front()) {
          fail(c, "out_acc (vs transaction-level)", expected.empty() ? 0 : expected.front(), m.out_acc);
          break;
        }
        expected.pop_front();
        ++rep.results;
      }
      if (in.in_valid && m.in_ready) {
        if (in.in_first) ref.reset(0);
        ref.add(in.in_a * in.in_w);
        in_dot = !in.in_last;
        if (in.in_last) expected.push_back(ref.value());
      }
    } else {
      expected.clear();
      in_dot = false;
    }
    rtl->clk = 1;
    rtl->eval();
    if (tfp) tfp->dump(2 * t + 1);
    model.tick(in);
    ++t;
    ++rep.cycles;
  }
  if (tfp) {
    tfp->close();
    rep.wave_file = trace_to;
  }
  rtl->final();
  return rep;
}

}  // namespace

CosimReport run_int_mac(const CosimOptions& o) {
  CosimReport rep = run(o, o.wave, UINT64_MAX);
  if (!rep.pass && o.wave.empty() && !o.mismatch_wave.empty()) {
    // Replay the same seed with tracing up to the mismatch: the waveform leads to it.
    const CosimReport replay = run(o, o.mismatch_wave, rep.cycles + 1);
    rep.wave_file = replay.wave_file;
  }
  return rep;
}

}  // namespace arithsim::cosim
