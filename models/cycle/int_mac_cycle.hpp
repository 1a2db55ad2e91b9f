// Cycle-level INT MAC: the same stages, registers, handshake and port names as
// rtl/int_mac.sv, built from the datapath pieces of the bit-accurate model (units::
// IntAccumulator). tick() is one rising clock edge; outputs() reads the registers.
#pragma once

#include <cstdint>
#include <stdexcept>

#include <fmt/format.h>

#include "models/units/accumulator.hpp"

namespace arithsim::cycle {

struct IntMacParams {
  int a_bits = 8, w_bits = 8, acc_bits = 32;
  bool saturate = false;
  void validate() const {
    if (a_bits < 2 || a_bits > 16 || w_bits < 2 || w_bits > 16)
      throw std::invalid_argument(fmt::format("int_mac: operand widths must be 2..16 bits, got {} and {}", a_bits, w_bits));
    if (acc_bits < a_bits + w_bits || acc_bits > 62)
      throw std::invalid_argument(fmt::format("int_mac: acc_bits must be {}..62, got {}", a_bits + w_bits, acc_bits));
  }
};

class IntMacCycle {
 public:
  struct Inputs {  // sampled at the rising edge
    bool rst_n = true, in_valid = false, in_first = false, in_last = false, out_ready = true;
    int64_t in_a = 0, in_w = 0;  // two's complement values of a_bits / w_bits
  };
  struct Outputs {
    bool in_ready, out_valid;
    int64_t out_acc;
  };

  explicit IntMacCycle(IntMacParams p) : p_(p), acc_(p.acc_bits, p.saturate) { p_.validate(); }
  const IntMacParams& params() const { return p_; }

  // in_ready depends combinationally on this cycle's out_ready (stall = out_valid && !out_ready),
  // as in the RTL.
  Outputs outputs(bool out_ready) const { return {!(out_valid_ && !out_ready), out_valid_, out_acc_}; }

  void tick(const Inputs& in) {
    if (!in.rst_n) {
      m_valid_ = m_first_ = m_last_ = false;
      m_prod_ = 0;
      acc_.reset(0);
      out_valid_ = false;
      out_acc_ = 0;
      return;
    }
    if (out_valid_ && !in.out_ready) return;  // stall: every register holds
    // accumulate stage (reads the multiply register before it is overwritten)
    const bool produce = m_valid_ && m_last_;
    if (m_valid_) {
      if (m_first_) acc_.reset(0);
      acc_.add(m_prod_);
    }
    if (produce) {
      out_valid_ = true;
      out_acc_ = acc_.value();
    } else if (out_valid_ && in.out_ready) {
      out_valid_ = false;
    }
    // multiply stage
    m_valid_ = in.in_valid;
    if (in.in_valid) {
      m_prod_ = sext(in.in_a, p_.a_bits) * sext(in.in_w, p_.w_bits);
      m_first_ = in.in_first;
      m_last_ = in.in_last;
    }
  }

 private:
  static int64_t sext(int64_t v, int bits) { return int64_t(uint64_t(v) << (64 - bits)) >> (64 - bits); }

 private:
  IntMacParams p_;
  bool m_valid_ = false, m_first_ = false, m_last_ = false;
  int64_t m_prod_ = 0;
  units::IntAccumulator acc_;
  bool out_valid_ = false;
  int64_t out_acc_ = 0;
};

}  // namespace arithsim::cycle
