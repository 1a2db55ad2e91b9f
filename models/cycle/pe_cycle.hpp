// Cycle-level PE models: what every PE shares with its RTL twin (rtl/<pe>.sv).
//
// Ports (same names in the RTL; data ports carry raw codes, low bits first):
//   rst_n                  synchronous reset, active low
//   in_valid / in_ready    input handshake; an element is accepted when both are high
//   in_first / in_last     the accepted element starts / ends a dot product
//   in_a, in_w             operand words: one element code each, or `lanes` codes packed
//                          (lane i in bits [i*bits, (i+1)*bits))
//   in_scale, in_zero      group-wise weight dequantization (MixPE, LUT Tensor Core): the
//                          FP16 scale code and the zero point of the element's weight group
//   out_valid / out_ready  output handshake; out_acc holds the dot product's result code
//                          (the accumulator, or the output stage's code) until taken
//
// Stages: front (decode -> multiply, combinational) -> `stages` pipeline registers ->
// accumulate (the loop register) -> result register. A held output (out_valid && !out_ready)
// stalls every register, so in_ready = !(out_valid && !out_ready) combinationally.
// The PE-specific part is a Datapath:
//   struct Datapath {
//     using Term = ...;   // what the front stage hands to the pipeline registers
//     using Acc = ...;    // the accumulate stage's registers
//     Term front(const PeIn&) const;                 // decode -> multiply
//     void accumulate(Acc&, const Term&, bool first) const;  // first: restart from zero
//     uint64_t result(const Acc&) const;            // the output stage (round/encode)
//     Acc zero() const;                              // reset value of Acc
//     void term_register(const Term&, RegisterBits&) const;  // the pipeline register's
//                                                    // fields at their hardware widths
//   };
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::cycle {

// Helpers for datapaths: lane i of a packed word, sign extension.
inline uint64_t lane(uint64_t word, int i, int bits) { return (word >> (i * bits)) & ((uint64_t(1) << bits) - 1); }
inline int64_t sext(uint64_t v, int bits) { return int64_t(v << (64 - bits)) >> (64 - bits); }
inline uint64_t mask(int bits) { return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1; }

// A pipeline register's contents as fields at their hardware widths, for counting the bits
// that toggle between consecutive elements (the C++ Term holds wider integers than the
// register: a negative int64 product would toggle 64 sign bits, the register a+w).
struct RegisterBits {
  static constexpr int kMaxFields = 48;
  std::array<uint64_t, kMaxFields> field{};
  int n = 0, bits = 0;
  void put(uint64_t v, int width) {
    field[size_t(n++)] = v & mask(width);
    bits += width;
  }
  // An exact product / decoded value as the register holds it: sign, kind (zero/inf/NaN,
  // 2 bits), exponent (exp_bits, two's complement) and the top sig_bits of the significand.
  void put(const formats::Unrounded& u, int exp_bits, int sig_bits) {
    put((uint64_t(u.neg) | uint64_t(u.kind) << 1 | (uint64_t(int64_t(u.exp)) & mask(exp_bits)) << 3), 3 + exp_bits);
    put(sig_bits >= 64 ? u.sig : u.sig >> (64 - sig_bits), sig_bits);
  }
  friend int toggles(const RegisterBits& x, const RegisterBits& y) {
    int t = 0;
    for (int i = 0; i < x.n; ++i) t += std::popcount(x.field[size_t(i)] ^ y.field[size_t(i)]);
    return t;
  }
};

struct PeIn {  // sampled at the rising edge
  bool rst_n = true, in_valid = false, in_first = false, in_last = false, out_ready = true;
  uint64_t in_a = 0, in_w = 0, in_scale = 0, in_zero = 0;
};

struct PeOut {
  bool in_ready = true, out_valid = false;
  uint64_t out_acc = 0;
};

// Port widths of one PE configuration (0: the port does not exist).
struct PePorts {
  int a_bits = 0, w_bits = 0, scale_bits = 0, zero_bits = 0, out_bits = 0;
};

// Switching activity measured by a cycle model, for the cost model's activity-driven energy:
// Hamming distances of consecutive values (bits that toggle) at each register of the stage
// chain: the front stage's inputs (the operand registers feeding decode/multiply), the
// pipeline register (the front's output, at its hardware width), the accumulate stage's
// register (its result code after every accumulation) and the result register (one code per
// dot product). Zero or repeated data toggles nothing.
struct Activity {
  uint64_t cycles = 0;       // edges out of reset
  uint64_t elements = 0;     // elements accepted (front-stage operations)
  uint64_t accumulates = 0;  // accumulate-stage operations
  uint64_t results = 0;      // dot products completed (result register loads)
  uint64_t in_toggles = 0;   // bits of in_a, in_w (and in_scale, in_zero) that toggled between accepted elements
  uint64_t pipe_toggles = 0; // bits of the (first) pipeline register that toggled between accepted elements
  uint64_t acc_toggles = 0;  // bits of the accumulate stage's result code that toggled per accumulation
  uint64_t out_toggles = 0;  // bits of the result register that toggled between results
  int in_bits = 0, pipe_bits = 0, acc_bits = 0, out_bits = 0;
  // Mean fraction of bits toggling per operation (0..1); NaN where nothing was measured
  // (fewer than two operations, or a datapath without a pipeline-register view).
  static double fraction(uint64_t toggles, uint64_t ops, int bits) {
    return ops > 1 && bits > 0 ? double(toggles) / (double(ops - 1) * bits) : std::nan("");
  }
  double input_activity() const { return elements > 1 ? double(in_toggles) / (double(elements - 1) * in_bits) : 0.0; }
  double acc_activity() const { return accumulates > 1 ? double(acc_toggles) / (double(accumulates - 1) * acc_bits) : 0.0; }
  double pipe_activity() const { return fraction(pipe_toggles, elements, pipe_bits); }
  double out_activity() const { return fraction(out_toggles, results, out_bits); }
};

// The runtime view of any PE's cycle model (arrays, SystemC wrappers, the CLI).
class PeCycleModel {
 public:
  virtual ~PeCycleModel() = default;
  // Activity recording is off by default (it costs an extra result() per accumulation).
  virtual void record_activity(bool on) = 0;
  virtual const Activity& activity() const = 0;
  virtual const PePorts& ports() const = 0;
  virtual int stages() const = 0;  // front pipeline registers: result latency = stages + 1
  virtual PeOut outputs(bool out_ready) const = 0;
  virtual void tick(const PeIn& in) = 0;
  virtual std::unique_ptr<PeCycleModel> clone() const = 0;
};

// Front pipeline depth: 1..8 registers between the front stage and the accumulator.
inline void check_stages(const std::string& pe, int stages) {
  if (stages < 1 || stages > 8)
    throw std::invalid_argument(fmt::format("{}: stages must be 1..8 pipeline registers, got {}", pe, stages));
}

template <class Datapath>
class StreamingPe : public PeCycleModel {
 public:
  StreamingPe(Datapath dp, int stages)
      : dp_(std::move(dp)), pipe_(size_t(stages)), acc_(dp_.zero()) {}

  const Datapath& datapath() const { return dp_; }
  void record_activity(bool on) override {
    record_ = on;
    act_ = Activity{};
    const PePorts& p = dp_.ports();
    act_.in_bits = p.a_bits + p.w_bits + p.scale_bits + p.zero_bits;
    act_.acc_bits = act_.out_bits = p.out_bits;
  }
  const Activity& activity() const override { return act_; }
  const PePorts& ports() const override { return dp_.ports(); }
  int stages() const override { return int(pipe_.size()); }
  std::unique_ptr<PeCycleModel> clone() const override { return std::make_unique<StreamingPe>(*this); }

  PeOut outputs(bool out_ready) const override { return {!(out_valid_ && !out_ready), out_valid_, out_acc_}; }

  void tick(const PeIn& in) override {
    if (!in.rst_n) {
      for (auto& s : pipe_) s = Slot{};
      acc_ = dp_.zero();
      out_valid_ = false;
      out_acc_ = 0;
      head_ = 0;
      return;
    }
    if (record_) ++act_.cycles;
    if (out_valid_ && !in.out_ready) return;  // stall: every register holds
    // accumulate stage: reads the last pipeline register before the pipe moves
    const size_t n = pipe_.size();
    Slot& last = pipe_[(head_ + n - 1) % n];
    if (last.valid) {
      dp_.accumulate(acc_, last.term, last.first);
      if (record_) count_accumulate();
      if (last.last) {
        out_valid_ = true;
        out_acc_ = dp_.result(acc_);
        if (record_) count_result();
      } else if (out_valid_) {
        out_valid_ = false;  // taken this edge (out_ready is high here)
      }
    } else if (out_valid_) {
      out_valid_ = false;
    }
    // the pipe moves one stage: the last slot is overwritten by the front stage's output
    head_ = (head_ + n - 1) % n;
    Slot& s = pipe_[head_];
    s.valid = in.in_valid;
    if (in.in_valid) {  // the registers load only on a valid element, as in the RTL
      s.term = dp_.front(in);
      if (record_) count_input(in, s.term);
      s.first = in.in_first;
      s.last = in.in_last;
    }
  }

 private:
  struct Slot {
    bool valid = false, first = false, last = false;
    typename Datapath::Term term{};
  };
  void count_input(const PeIn& in, const typename Datapath::Term& term) {
    RegisterBits reg;
    dp_.term_register(term, reg);
    act_.pipe_bits = reg.bits;
    if (act_.elements > 0) act_.pipe_toggles += uint64_t(toggles(reg, prev_term_));
    prev_term_ = reg;
    const PePorts& p = dp_.ports();
    if (act_.elements > 0)
      act_.in_toggles += std::popcount((in.in_a ^ prev_in_.in_a) & mask(p.a_bits)) +
                         std::popcount((in.in_w ^ prev_in_.in_w) & mask(p.w_bits)) +
                         std::popcount((in.in_scale ^ prev_in_.in_scale) & mask(p.scale_bits)) +
                         std::popcount((in.in_zero ^ prev_in_.in_zero) & mask(p.zero_bits));
    prev_in_ = in;
    ++act_.elements;
  }
  void count_result() {
    if (act_.results > 0) act_.out_toggles += std::popcount((out_acc_ ^ prev_out_) & mask(act_.out_bits));
    prev_out_ = out_acc_;
    ++act_.results;
  }
  void count_accumulate() {
    const uint64_t code = dp_.result(acc_);
    if (act_.accumulates > 0) act_.acc_toggles += std::popcount(code ^ prev_acc_);
    prev_acc_ = code;
    ++act_.accumulates;
  }

  Datapath dp_;
  bool record_ = false;
  Activity act_;
  PeIn prev_in_;
  RegisterBits prev_term_;
  uint64_t prev_acc_ = 0, prev_out_ = 0;
  std::vector<Slot> pipe_;  // ring: pipe_[head_] is the newest register
  size_t head_ = 0;
  typename Datapath::Acc acc_;
  bool out_valid_ = false;
  uint64_t out_acc_ = 0;
};


}  // namespace arithsim::cycle
