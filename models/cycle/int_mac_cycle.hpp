// Cycle-level INT MAC, the twin of rtl/int_mac.sv: front = multiply (sign-extended operands),
// accumulate = units::IntAccumulator (wrap or saturate), result = the accumulator's bits.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <stdexcept>

#include <fmt/format.h>

#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/units/accumulator.hpp>

namespace arithsim::cycle {

struct IntMacParams {
  int a_bits = 8, w_bits = 8, acc_bits = 32;
  bool saturate = false;
  int stages = 1;
  void validate() const {
    if (a_bits < 2 || a_bits > 16 || w_bits < 2 || w_bits > 16)
      throw std::invalid_argument(fmt::format("int_mac: operand widths must be 2..16 bits, got {} and {}", a_bits, w_bits));
    if (acc_bits < a_bits + w_bits || acc_bits > 62)
      throw std::invalid_argument(fmt::format("int_mac: acc_bits must be {}..62, got {}", a_bits + w_bits, acc_bits));
    check_stages("int_mac", stages);
  }
};

struct IntMacDatapath {
  using Term = int64_t;
  using Acc = units::IntAccumulator;
  explicit IntMacDatapath(const IntMacParams& p) : p_(p), ports_{p.a_bits, p.w_bits, 0, 0, p.acc_bits} { p.validate(); }
  const PePorts& ports() const { return ports_; }
  Term front(const PeIn& in) const { return sext(in.in_a, p_.a_bits) * sext(in.in_w, p_.w_bits); }  // multiply
  void term_register(Term prod, RegisterBits& r) const { r.put(uint64_t(prod), p_.a_bits + p_.w_bits); }
  void accumulate(Acc& acc, Term prod, bool first) const {
    if (first) acc.reset(0);
    acc.add(prod);
  }
  uint64_t result(const Acc& acc) const { return uint64_t(acc.value()) & mask(p_.acc_bits); }
  Acc zero() const { return Acc(p_.acc_bits, p_.saturate); }

  IntMacParams p_;
  PePorts ports_;
};

class IntMacCycle : public StreamingPe<IntMacDatapath> {
 public:
  explicit IntMacCycle(const IntMacParams& p) : StreamingPe(IntMacDatapath(p), p.stages) {}
};

// The int_mac PE's parameters (models/pe/int_mac.cpp: a, w, acc_bits, saturate) plus the
// cycle model's `stages`.
IntMacParams int_mac_cycle_params(const pe::Params& params);
// RTL parameters of rtl/int_mac.sv for that configuration.
std::map<std::string, std::string> int_mac_rtl_parameters(const IntMacParams& p);

}  // namespace arithsim::cycle
