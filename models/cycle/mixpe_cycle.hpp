// Cycle-level MixPE, the twin of rtl/mixpe.sv: one element per cycle (in_a an INT8
// or FP16 activation code, in_w a B-bit weight code, in_scale / in_zero the FP16 scale code and zero
// point of the element's weight group, constant within a group).
// Stages (names of models/pe/mixpe.cpp and docs/pe/mixpe.md):
//   front       shift&add: the activation shifted by every set weight bit b (the top plane
//               negative for signed weights) -> the exact product; the activation itself
//               for the zero-point sum (FP16: the decoded activation, the adds happen in
//               accumulate, one rounding each, as in the PE model)
//   pipeline    `stages` registers (term, scale, zero)
//   accumulate  psum, asum (integer registers; FP16: FloatAccumulators in acc) and the group
//               counter (restarted by in_first); at the group's last element
//               d = psum - z*asum -> dequantize (pe::dequantize_group: acc += round_acc(d*s_g))
//   result      the accumulator's code (the output stage times the activation scale is
//               outside the PE)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <arithsim/models/cycle/cycle_params.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::cycle {

struct MixPeCycleParams {
  int w_bits = 4;           // int2 | int3 | int4 | int8
  bool fp16_a = false;      // activations: INT8 (false) or FP16 (true)
  int group = 128;          // elements per weight group (scale, zero point)
  bool zero_point = true;   // unsigned weight codes with a zero point; false: two's complement
  std::string acc = "fp32"; // accumulator (and group output) format
  int stages = 1;
  void validate() const {
    if (w_bits != 2 && w_bits != 3 && w_bits != 4 && w_bits != 8)
      throw std::invalid_argument(fmt::format("mixpe: w_bits must be 2, 3, 4 or 8, got {}", w_bits));
    if (group < 1 || group > (1 << 20))
      throw std::invalid_argument(fmt::format("mixpe: group must be 1..2^20, got {}", group));
    const auto f = formats::ElementFormat::parse(acc);
    if (!f.codec<formats::MinifloatCodec>() || f.bits() > 32)
      throw std::invalid_argument(fmt::format("mixpe: acc must be a floating-point format of <= 32 bits, got {}", acc));
    check_stages("mixpe", stages);
  }
};

// The PE's parameters (models/pe/mixpe.cpp, with its defaults) plus "stages".
inline MixPeCycleParams mixpe_cycle_params(const pe::Params& params) {
  MixPeCycleParams p;
  const pe::ParamReader r(pe::mixpe_info(), take_stages("mixpe", params, p.stages));
  const std::string w = r.str("w");
  if (w != "int2" && w != "int3" && w != "int4" && w != "int8")
    r.fail(fmt::format("w={} is not int2, int3, int4 or int8", w));
  p.w_bits = std::stoi(w.substr(3));
  p.fp16_a = read_fp16_activations(r);
  p.group = r.integer("group", 1, 1 << 20);
  p.zero_point = r.flag("zero_point");
  p.acc = r.str("acc");
  return validated_as_pe_params(p);
}

// RTL parameters of rtl/mixpe.sv (INT8 or FP16 activations; IEEE-style accumulators).
inline std::map<std::string, std::string> mixpe_rtl_parameters(const MixPeCycleParams& p) {
  p.validate();
  auto r = fp_rtl_parameters("mixpe", "acc", p.acc, "ACC");
  r.merge(std::map<std::string, std::string>{{"A_BITS", p.fp16_a ? "16" : "8"},
          {"A_FP16", p.fp16_a ? "1" : "0"},
          {"W_BITS", std::to_string(p.w_bits)},
          {"ZERO_POINT", p.zero_point ? "1" : "0"},
          {"GROUP", std::to_string(p.group)},
          {"STAGES", std::to_string(p.stages)}});
  return r;
}

struct MixPeDatapath {
  struct Term {
    int64_t prod = 0;         // shift&add: a * q exactly (INT8 activations)
    int64_t a = 0;            // the activation, for the zero-point sum (INT8)
    formats::Unrounded x{};   // the decoded activation (FP16)
    uint32_t a_code = 0;      // its code (FP16: what the pipeline register holds)
    uint32_t w = 0;           // the weight code (FP16: the adds happen in accumulate)
    uint32_t scale = 0;       // FP16 code of the group scale
    int32_t zero = 0;         // the group's zero point
  };
  struct Acc {
    int64_t psum = 0, asum = 0;          // integer group sums (INT8 activations)
    units::FloatAccumulator fpsum, fasum;  // group sums in acc (FP16 activations)
    units::FloatAccumulator acc;         // the accumulator across groups
    int count = 0;                       // group counter: elements of the current group seen
  };

  explicit MixPeDatapath(const MixPeCycleParams& p)
      : p_((p.validate(), p)),
        a_(std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.fp16_a ? "float16" : "int8"))),
        acc_(std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.acc))),
        scale_(std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float16"))),
        ports_{p.fp16_a ? 16 : 8, p.w_bits, 16, p.zero_point ? p.w_bits : 0, acc_->bits()} {}
  const PePorts& ports() const { return ports_; }

  Term front(const PeIn& in) const {
    Term t;
    t.w = uint32_t(in.in_w & mask(p_.w_bits));
    t.scale = uint32_t(in.in_scale & 0xffff);
    t.zero = p_.zero_point ? int32_t(in.in_zero & mask(p_.w_bits)) : 0;
    if (p_.fp16_a) {
      t.a_code = uint32_t(in.in_a & 0xffff);
      t.x = a_->decode_exact(t.a_code).unrounded();
      return t;
    }
    t.a = sext(in.in_a, 8);
    for (int b = 0; b < p_.w_bits; ++b) {  // shift&add: one term per set weight bit
      if (!((t.w >> b) & 1)) continue;
      const int64_t shifted = t.a * (int64_t(1) << b);
      t.prod += (!p_.zero_point && b == p_.w_bits - 1) ? -shifted : shifted;  // signed: top plane negative
    }
    return t;
  }

  // The RTL's pipeline register (rtl/mixpe.sv d_term): INT8 {product (8 + B + 1 bits),
  // activation, scale, zero point}; FP16 {activation code, weight code, scale, zero point}.
  void term_register(const Term& t, RegisterBits& r) const {
    if (p_.fp16_a) {
      r.put(t.a_code, 16);
      r.put(t.w, p_.w_bits);
    } else {
      r.put(uint64_t(t.prod), 8 + p_.w_bits + 1);
      r.put(uint64_t(t.a), 8);
    }
    r.put(t.scale, 16);
    r.put(uint64_t(t.zero), p_.w_bits);  // zero_point=false: held at 0
  }

  void accumulate(Acc& s, const Term& t, bool first) const {
    if (first) s = zero();
    if (p_.fp16_a) {
      s.fasum.add(t.x);
      for (int b = 0; b < p_.w_bits; ++b) {
        if (!((t.w >> b) & 1)) continue;
        auto shifted = t.x;  // shift = exponent add
        if (shifted.finite()) shifted.exp += b;
        if (!p_.zero_point && b == p_.w_bits - 1) shifted.neg = !shifted.neg;
        s.fpsum.add(shifted);
      }
    } else {
      s.psum += t.prod;
      s.asum += t.a;
    }
    if (++s.count < p_.group) return;
    // the group's last element: dequantize once per group
    const auto z = formats::Unrounded::from_int(t.zero < 0, uint64_t(t.zero < 0 ? -int64_t(t.zero) : t.zero), 0);
    formats::Unrounded v;
    if (p_.fp16_a) {
      auto za = units::multiply(z, acc_->decode_exact(s.fasum.code()).unrounded());
      za = acc_->decode_exact(acc_->encode(za)).unrounded();
      za.neg = !za.neg;
      s.fpsum.add(za);
      v = acc_->decode_exact(s.fpsum.code()).unrounded();
    } else {
      const int64_t d = s.psum - int64_t(t.zero) * s.asum;
      v = formats::Unrounded::from_int(d < 0, uint64_t(d < 0 ? -d : d), 0);
    }
    pe::dequantize_group(s.acc, v, scale_->decode(t.scale));  // FP16 values are exact doubles
    s.psum = s.asum = 0;
    s.fpsum.reset();
    s.fasum.reset();
    s.count = 0;
  }

  uint64_t result(const Acc& s) const { return s.acc.code(); }
  Acc zero() const {
    units::FloatAccumulator z(*acc_);
    return Acc{0, 0, z, z, z, 0};
  }

  MixPeCycleParams p_;
  std::shared_ptr<const formats::ElementFormat> a_, acc_, scale_;  // shared by copies (accumulators point here)
  PePorts ports_;
};

class MixPeCycle : public StreamingPe<MixPeDatapath> {
 public:
  explicit MixPeCycle(const MixPeCycleParams& p) : StreamingPe(MixPeDatapath(p), p.stages) {}
};

}  // namespace arithsim::cycle
