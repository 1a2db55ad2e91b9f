// The co-simulation harness shared by every PE: identical stimulus into a Verilated RTL
// module and the PE's cycle-level model, every output port compared every cycle, every
// produced dot product checked against the bit-accurate (transaction-level) PE model. On the
// first mismatch the report names the cycle, port, expected and actual values and the inputs
// that led there, and the run is replayed with FST tracing into a waveform file.
//
// Any Verilog PE with the port names of models/cycle/pe_cycle.hpp plugs in here (see
// docs/cosim.md: "Your own RTL"): run_pe_cosim<Vyour_pe>(spec, options).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include <verilated.h>
#include <verilated_fst_c.h>

#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/formats/format.hpp>

namespace arithsim::cosim {

struct CosimOptions {
  uint64_t cycles = 100000;
  uint64_t seed = 1;
  std::string wave;              // FST written for the whole run when set
  std::string mismatch_wave;     // written on a mismatch when wave is empty (unset: a file in the
                                 // system temporary directory, named in the report; never the cwd)
  uint64_t reset_every = 50000;  // a reset mid-stream every N cycles (0: never)
  unsigned backpressure = 4;     // out_ready is low one cycle in N (0: never)
  unsigned bubbles = 5;          // in_valid is low one cycle in N (0: never)
  int inject_fault_at = -1;      // for tests of the harness itself: corrupt the model's view at this cycle
};

struct CosimReport {
  bool pass = true;
  uint64_t cycles = 0;   // cycles compared
  uint64_t results = 0;  // dot products checked against the transaction-level model
  std::string mismatch;  // first mismatch, with the inputs that led there
  std::string wave_file; // waveform written, if any
};

// What a PE brings to the harness.
struct PeCosimSpec {
  std::string pe;  // names the waveform and messages
  std::shared_ptr<const cycle::PeCycleModel> model;  // prototype in its reset state (cloned per run)
  // Operand stimulus for element `index` of a dot product: fills in_a, in_w (and in_scale,
  // in_zero), random codes mixed with the formats' corner codes.
  std::function<void(std::mt19937_64&, cycle::PeIn&, size_t index)> operands;
  size_t k_multiple = 1;  // dot-product lengths are multiples of this (weight groups)
  size_t max_groups = 8;  // lengths are k_multiple * 1..max_groups (k_multiple 1: 1..4*max_groups)
  // The bit-accurate PE model's result code for one dot product (its accepted elements).
  std::function<uint64_t(const std::vector<cycle::PeIn>&)> reference;
};

// Corner codes of an element format: zeros, one, extremes, subnormals, inf/NaN/NaR, all ones.
std::vector<uint32_t> corner_codes(const formats::ElementFormat& f);
// A random code of `f`: one in `corner_one_in` draws is a corner code.
uint32_t random_code(std::mt19937_64& g, const formats::ElementFormat& f, const std::vector<uint32_t>& corners,
                     unsigned corner_one_in = 8);

std::string show(const cycle::PeIn& in);

namespace detail {

template <class V>
void drive(V& rtl, const cycle::PeIn& in, const cycle::PePorts& p) {
  rtl.rst_n = in.rst_n;
  rtl.in_valid = in.in_valid;
  rtl.in_first = in.in_first;
  rtl.in_last = in.in_last;
  rtl.out_ready = in.out_ready;
  rtl.in_a = in.in_a & cycle::mask(p.a_bits);
  rtl.in_w = in.in_w & cycle::mask(p.w_bits);
  if constexpr (requires { rtl.in_scale; }) rtl.in_scale = in.in_scale & cycle::mask(p.scale_bits);
  if constexpr (requires { rtl.in_zero; }) rtl.in_zero = in.in_zero & cycle::mask(p.zero_bits);
}

template <class V>
CosimReport run_once(const PeCosimSpec& spec, const CosimOptions& o, const std::string& trace_to, uint64_t stop_after) {
  CosimReport rep;
  auto ctx = std::make_unique<VerilatedContext>();
  ctx->traceEverOn(!trace_to.empty());
  auto rtl = std::make_unique<V>(ctx.get());
  std::unique_ptr<VerilatedFstC> tfp;
  if (!trace_to.empty()) {
    tfp = std::make_unique<VerilatedFstC>();
    rtl->trace(tfp.get(), 99);
    tfp->open(trace_to.c_str());
  }
  auto model = spec.model->clone();
  const cycle::PePorts& ports = model->ports();
  std::mt19937_64 g(o.seed);
  std::deque<std::string> history;  // the inputs of the last cycles
  std::deque<uint64_t> expected;    // results of dot products accepted but not yet taken
  std::vector<cycle::PeIn> dot;     // elements of the dot product in flight
  size_t dot_len = 0;
  bool have_pending = false;  // an element is presented until it is accepted
  cycle::PeIn pending;
  auto fail = [&](uint64_t cyc, const std::string& port, uint64_t want, uint64_t got) {
    rep.pass = false;
    std::string h;
    for (const auto& s : history) h += "\n    " + s;
    rep.mismatch = fmt::format("cycle {}: port {} expected {:#x} actual {:#x}; inputs of the last cycles (oldest first):{}",
                               cyc, port, want, got, h);
  };
  uint64_t t = 0;
  for (uint64_t c = 0; c < std::min(o.cycles, stop_after); ++c) {
    cycle::PeIn in;
    in.rst_n = c >= 2 && !(o.reset_every && c % o.reset_every == o.reset_every - 1);
    in.out_ready = o.backpressure == 0 || (g() % o.backpressure) != 0;
    if (!have_pending) {
      if (dot.empty() && dot_len == 0) {
        const size_t groups = 1 + g() % (spec.k_multiple == 1 ? 4 * spec.max_groups : spec.max_groups);
        dot_len = spec.k_multiple * groups;
      }
      pending = cycle::PeIn{};
      spec.operands(g, pending, dot.size());
      pending.in_first = dot.empty();
      pending.in_last = dot.size() + 1 == dot_len;
      have_pending = true;
    }
    in.in_valid = o.bubbles == 0 || (g() % o.bubbles) != 0;
    in.in_a = pending.in_a;
    in.in_w = pending.in_w;
    in.in_scale = pending.in_scale;
    in.in_zero = pending.in_zero;
    in.in_first = pending.in_first;
    in.in_last = pending.in_last;
    history.push_back(fmt::format("cycle {}: {}", c, show(in)));
    if (history.size() > 8) history.pop_front();
    // Drive the RTL, settle, compare every output port.
    drive(*rtl, in, ports);
    rtl->clk = 0;
    rtl->eval();
    if (tfp) tfp->dump(2 * t);
    auto m = model->outputs(in.out_ready);
    if (int64_t(c) == o.inject_fault_at) m.out_valid = !m.out_valid;
    const uint64_t rtl_out = uint64_t(rtl->out_acc) & cycle::mask(ports.out_bits);
    if (m.in_ready != bool(rtl->in_ready)) fail(c, "in_ready", m.in_ready, rtl->in_ready);
    else if (m.out_valid != bool(rtl->out_valid)) fail(c, "out_valid", m.out_valid, rtl->out_valid);
    else if (m.out_valid && m.out_acc != rtl_out) fail(c, "out_acc", m.out_acc, rtl_out);
    if (!rep.pass) break;
    // The transaction-level reference: results leave in the order of their last element.
    if (in.rst_n) {
      if (m.out_valid && in.out_ready) {
        if (expected.empty() || m.out_acc != expected.front()) {
          fail(c, "out_acc (vs the bit-accurate PE model)", expected.empty() ? 0 : expected.front(), m.out_acc);
          break;
        }
        expected.pop_front();
        ++rep.results;
      }
      if (in.in_valid && m.in_ready) {
        dot.push_back(in);
        have_pending = false;
        if (in.in_last) {
          expected.push_back(spec.reference(dot));
          dot.clear();
          dot_len = 0;
        }
      }
    } else {  // reset: everything in flight is dropped; the next element starts a dot product
      expected.clear();
      dot.clear();
      dot_len = 0;
      have_pending = false;
    }
    rtl->clk = 1;
    rtl->eval();
    if (tfp) tfp->dump(2 * t + 1);
    model->tick(in);
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

}  // namespace detail

// "<tmp>/arithsim-<pe>-seed<S>-<pid>-mismatch.fst": the harness writes nothing into the cwd.
inline std::string default_mismatch_wave(const std::string& pe, uint64_t seed) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  return (dir / ("arithsim-" + pe + "-seed" + std::to_string(seed) + "-" + std::to_string(::getpid()) + "-mismatch.fst"))
      .string();
}

template <class V>
CosimReport run_pe_cosim(const PeCosimSpec& spec, const CosimOptions& o) {
  CosimReport rep = detail::run_once<V>(spec, o, o.wave, UINT64_MAX);
  if (!rep.pass && o.wave.empty()) {
    // Replay the same seed with tracing up to the mismatch: the waveform leads to it.
    const std::string w = o.mismatch_wave.empty() ? default_mismatch_wave(spec.pe, o.seed) : o.mismatch_wave;
    rep.wave_file = detail::run_once<V>(spec, o, w, rep.cycles + 1).wave_file;
  }
  return rep;
}

}  // namespace arithsim::cosim
