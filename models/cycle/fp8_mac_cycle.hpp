// Cycle-level FP8 MAC, the twin of rtl/fp8_mac.sv, built on the units of the bit-accurate
// model (models/pe/fp8_mac.cpp):
//   front:      decode (ElementFormat::decode_exact) -> multiply (units::multiply_exact: the
//               exact product) -> round (mode=per_product only: the product rounded to the
//               accumulator format, as the PE model does)
//   pipeline:   `stages` registers carrying the (rounded) product
//   accumulate: align, add, normalize/round (units::FloatAccumulator::add: one RNE rounding)
//   result:     the accumulator code (the PE's power-of-two output scaling lies outside)
// Modes: fused and per_product; tree (several products per cycle) has no cycle model/RTL.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "models/cycle/cycle_params.hpp"
#include "models/cycle/pe_cycle.hpp"
#include "models/formats/format.hpp"
#include "models/pe/pe.hpp"
#include "models/units/accumulator.hpp"
#include "models/units/multiplier.hpp"

namespace arithsim::cycle {

// RTL encoding of a minifloat's special-value convention (parameter *_CONV of the FP RTL).
inline int minifloat_rtl_conv(formats::FloatConvention c) {
  switch (c) {
    case formats::FloatConvention::IEEE: return 0;
    case formats::FloatConvention::FN: return 1;
    case formats::FloatConvention::Finite: return 2;
    default: return -1;  // fnuz / ue: no RTL decode
  }
}

// The minifloat spec of a format name, or an error naming the PE and the parameter.
inline formats::MinifloatSpec minifloat_spec(const std::string& pe, const std::string& key, const std::string& name) {
  formats::ElementFormat f = [&] {
    try {
      return formats::ElementFormat::parse(name);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{}: bad value '{}' for {}: {}", pe, name, key, e.what()));
    }
  }();
  const auto* s = std::get_if<formats::MinifloatSpec>(&f.spec());
  if (!s) throw std::invalid_argument(fmt::format("{}: {}={} is not a minifloat", pe, key, name));
  return *s;
}

// An accumulator format the shared fp_acc_add block implements: IEEE-style, default bias.
inline void check_fp_acc_format(const std::string& pe, const std::string& name) {
  const auto s = minifloat_spec(pe, "acc", name);
  if (s.conv != formats::FloatConvention::IEEE || s.bias != formats::MinifloatSpec::default_bias(s.e) || s.m < 2)
    throw std::invalid_argument(
        fmt::format("{}: acc={} has no cycle model/RTL: the accumulator must be an IEEE-style format with the default "
                    "bias (fp32, fp16, bf16)", pe, name));
}

// The accumulate stage of rtl/common/fp_acc_add.sv (fp8_mac, lmul_pe): align, add,
// normalize/round (units::FloatAccumulator::add: one RNE rounding) into the accumulator
// register `acc`, a code of format `f`; first: restart from zero.
inline void fp_accumulate(const formats::ElementFormat& f, uint32_t& acc, const formats::Unrounded& t, bool first) {
  units::FloatAccumulator fa(f);
  if (!first) fa.set(acc);
  fa.add(t);
  acc = fa.code();
}

struct Fp8MacCycleParams {
  std::string a = "e4m3", w = "e4m3", acc = "fp32";
  bool per_product = false;  // mode: fused (false) or per_product (true)
  int stages = 1;
  void validate() const {
    for (const auto& [key, name] : {std::pair{"a", a}, std::pair{"w", w}}) {
      const auto s = minifloat_spec("fp8_mac", key, name);
      if (s.bits() > 8 || s.m < 1 || minifloat_rtl_conv(s.conv) < 0)
        throw std::invalid_argument(fmt::format(
            "fp8_mac: {}={} has no cycle model/RTL: operands are minifloats of <= 8 bits, >= 1 "
            "mantissa bit, ieee, fn or finite convention", key, name));
    }
    check_fp_acc_format("fp8_mac", acc);
    check_stages("fp8_mac", stages);
  }
};

// The PE's parameters (models/pe/fp8_mac.cpp) plus "stages" onto the cycle model's.
inline Fp8MacCycleParams fp8_mac_cycle_params(const pe::Params& params) {
  auto read = [](Fp8MacCycleParams& p, const std::string& k, const std::string& v) {
    if (k == "a") p.a = v;
    else if (k == "w") p.w = v;
    else if (k == "acc") p.acc = v;
    else if (k == "mode") {
      if (v == "tree")
        throw std::invalid_argument("fp8_mac: mode=tree has no cycle model/RTL (one product per cycle: fused, per_product)");
      if (v != "fused" && v != "per_product")
        throw std::invalid_argument(fmt::format("fp8_mac: mode '{}' is not fused, per_product or tree", v));
      p.per_product = v == "per_product";
    } else if (k == "tree_inputs" || k == "align_bits" || k == "round_shifted" || k == "fast") {
      // mode=tree only / a simulation switch: no effect on fused or per_product hardware
    } else {
      return false;
    }
    return true;
  };
  return read_params<Fp8MacCycleParams>("fp8_mac", params, read);
}

struct Fp8MacDatapath {
  using Term = formats::Unrounded;  // the (rounded) product
  using Acc = uint32_t;             // the accumulator register: a code of the acc format
  explicit Fp8MacDatapath(const Fp8MacCycleParams& p)
      : p_((p.validate(), p)), a_(formats::ElementFormat::parse(p.a)), w_(formats::ElementFormat::parse(p.w)),
        acc_(formats::ElementFormat::parse(p.acc)), ports_{a_.bits(), w_.bits(), 0, 0, acc_.bits()} {}
  const PePorts& ports() const { return ports_; }
  Term front(const PeIn& in) const {
    const auto da = a_.decode_exact(uint32_t(in.in_a & mask(a_.bits())));  // decode
    const auto dw = w_.decode_exact(uint32_t(in.in_w & mask(w_.bits())));
    Term prod = units::multiply_exact(da, dw);                            // multiply (exact)
    if (p_.per_product) prod = acc_.decode_exact(acc_.encode(prod)).unrounded();  // round the product
    return prod;
  }
  void accumulate(Acc& acc, const Term& t, bool first) const { fp_accumulate(acc_, acc, t, first); }
  uint64_t result(const Acc& acc) const { return acc; }
  Acc zero() const { return 0; }

  Fp8MacCycleParams p_;
  formats::ElementFormat a_, w_, acc_;
  PePorts ports_;
};

class Fp8MacCycle : public StreamingPe<Fp8MacDatapath> {
 public:
  explicit Fp8MacCycle(const Fp8MacCycleParams& p) : StreamingPe(Fp8MacDatapath(p), p.stages) {}
};

// RTL parameters of rtl/fp8_mac.sv for this configuration (every valid one is implemented).
inline std::map<std::string, std::string> fp8_mac_rtl_parameters(const Fp8MacCycleParams& p) {
  p.validate();
  const auto a = minifloat_spec("fp8_mac", "a", p.a), w = minifloat_spec("fp8_mac", "w", p.w),
             acc = minifloat_spec("fp8_mac", "acc", p.acc);
  auto s = [](int v) { return std::to_string(v); };
  return {{"A_E", s(a.e)},       {"A_M", s(a.m)},       {"A_BIAS", s(a.bias)}, {"A_CONV", s(minifloat_rtl_conv(a.conv))},
          {"W_E", s(w.e)},       {"W_M", s(w.m)},       {"W_BIAS", s(w.bias)}, {"W_CONV", s(minifloat_rtl_conv(w.conv))},
          {"ACC_E", s(acc.e)},   {"ACC_M", s(acc.m)},   {"PER_PRODUCT", s(p.per_product)},
          {"STAGES", s(p.stages)}};
}

}  // namespace arithsim::cycle
