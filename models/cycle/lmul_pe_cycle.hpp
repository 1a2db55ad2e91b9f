// Cycle-level L-Mul PE, the twin of rtl/lmul_pe.sv, built on the units of the bit-accurate
// model (models/pe/lmul_pe.cpp):
//   front:      decode -> multiply (units::lmul: L-Mul, hardware or formula variant; zero and
//               subnormal operands give a signed zero, NaN/inf propagate)
//   pipeline:   `stages` registers carrying the L-Mul product
//   accumulate: align, add, normalize/round (units::FloatAccumulator::add: one RNE rounding)
//   result:     the accumulator code (the PE's power-of-two output scaling lies outside)
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

// minifloat_spec, minifloat_rtl_conv, check_fp_acc_format, fp_accumulate:
#include <arithsim/models/cycle/fp8_mac_cycle.hpp>
#include <arithsim/models/cycle/cycle_params.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::cycle {

struct LMulPeCycleParams {
  std::string format = "bf16", acc = "fp32";
  units::LMulVariant variant = units::LMulVariant::Hardware;
  int stages = 1;
  void validate() const {
    const auto s = minifloat_spec("lmul_pe", "format", format);
    if (s.m < 2 || s.m > 7 || minifloat_rtl_conv(s.conv) < 0)
      throw std::invalid_argument(fmt::format(
          "lmul_pe: format={} has no cycle model/RTL: a signed minifloat with 2..7 mantissa bits and the ieee, fn or "
          "finite convention", format));
    check_fp_acc_format("lmul_pe", acc);
    check_stages("lmul_pe", stages);
  }
};

// The PE's parameters (models/pe/lmul_pe.cpp) plus "stages" onto the cycle model's.
inline LMulPeCycleParams lmul_pe_cycle_params(const pe::Params& params) {
  auto read = [](LMulPeCycleParams& p, const std::string& k, const std::string& v) {
    if (k == "format") p.format = v;
    else if (k == "acc") p.acc = v;
    else if (k == "variant") {
      if (v == "hardware") p.variant = units::LMulVariant::Hardware;
      else if (v == "formula") p.variant = units::LMulVariant::Formula;
      else throw std::invalid_argument(fmt::format("lmul_pe: variant '{}' is not hardware or formula", v));
    } else {
      return false;
    }
    return true;
  };
  return read_params<LMulPeCycleParams>("lmul_pe", params, read);
}

struct LMulPeDatapath {
  using Term = formats::Unrounded;  // the L-Mul product (exact: no rounding before the add)
  using Acc = uint32_t;             // the accumulator register: a code of the acc format
  explicit LMulPeDatapath(const LMulPeCycleParams& p)
      : p_((p.validate(), p)), f_(formats::ElementFormat::parse(p.format)), acc_(formats::ElementFormat::parse(p.acc)),
        ports_{f_.bits(), f_.bits(), 0, 0, acc_.bits()} {}
  const PePorts& ports() const { return ports_; }
  Term front(const PeIn& in) const {  // decode -> multiply (L-Mul)
    const auto& codec = *f_.codec<formats::MinifloatCodec>();
    return units::lmul(codec, uint32_t(in.in_a & mask(f_.bits())), uint32_t(in.in_w & mask(f_.bits())), p_.variant);
  }
  // sign, kind, exponent (E + 2 bits), significand (M + 2 bits: the L-Mul sum may carry),
  // normalized; the RTL register's lsb-exponent form is approximated, not replicated.
  void term_register(const Term& t, RegisterBits& r) const {
    const auto& s = f_.codec<formats::MinifloatCodec>()->spec();
    r.put(t, s.e + 2, s.m + 2);
  }
  void accumulate(Acc& acc, const Term& t, bool first) const { fp_accumulate(acc_, acc, t, first); }
  uint64_t result(const Acc& acc) const { return acc; }
  Acc zero() const { return 0; }

  LMulPeCycleParams p_;
  formats::ElementFormat f_, acc_;
  PePorts ports_;
};

class LMulPeCycle : public StreamingPe<LMulPeDatapath> {
 public:
  explicit LMulPeCycle(const LMulPeCycleParams& p) : StreamingPe(LMulPeDatapath(p), p.stages) {}
};

// RTL parameters of rtl/lmul_pe.sv for this configuration (every valid one is implemented).
inline std::map<std::string, std::string> lmul_pe_rtl_parameters(const LMulPeCycleParams& p) {
  p.validate();
  const auto f = minifloat_spec("lmul_pe", "format", p.format), acc = minifloat_spec("lmul_pe", "acc", p.acc);
  auto s = [](int v) { return std::to_string(v); };
  return {{"E", s(f.e)},         {"M", s(f.m)},         {"BIAS", s(f.bias)},
          {"CONV", s(minifloat_rtl_conv(f.conv))},
          {"VARIANT", s(p.variant == units::LMulVariant::Formula ? 1 : 0)},
          {"ACC_E", s(acc.e)},   {"ACC_M", s(acc.m)},   {"STAGES", s(p.stages)}};
}

}  // namespace arithsim::cycle
