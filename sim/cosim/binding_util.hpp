// What the PE bindings (sim/cosim/<pe>_cosim.cpp) share: the table of Verilated parameter
// sets and its matching, the bit-accurate reference PE, the unit-scale reference dot product
// and the operand drawing of the floating-point PEs.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/pe/pe.hpp>
#include "sim/cosim/pe_cosim.hpp"

namespace arithsim::cosim {

// The harness instantiated for one Verilated model: run_pe_cosim<Vmodel>.
using RunFn = CosimReport (*)(const PeCosimSpec&, const CosimOptions&);

// The built sets of a binding in one line: describe(set) for each, joined by `sep`.
template <class Set, size_t N, class Describe>
std::string describe_sets(const Set (&sets)[N], const char* sep, Describe describe) {
  std::string s;
  for (const auto& b : sets) s += (s.empty() ? "" : sep) + describe(b);
  return s;
}

// The built set that `matches` the requested parameters, or nullptr.
template <class Set, size_t N, class Match>
const Set* find_set(const Set (&sets)[N], Match matches) {
  for (const auto& b : sets)
    if (matches(b)) return &b;
  return nullptr;
}

// Two format names of the same format (aliases: "fp32" and "float32").
inline bool same_format(const std::string& x, const std::string& y) {
  return formats::ElementFormat::parse(x).spec() == formats::ElementFormat::parse(y).spec();
}

// The bit-accurate PE model of the cycle model's parameters ("stages" is a cycle-model
// parameter, unknown to the PE); make_pe validates the PE's parameters (pe::PeError).
inline std::shared_ptr<const pe::ProcessingElement> reference_pe(const std::string& pe, const pe::Params& params) {
  pe::Params pe_params = params;
  pe_params.erase("stages");  // a cycle-model parameter
  return pe::make_pe(pe, pe_params);
}

// The cycle model's parameters; its std::invalid_argument becomes a pe::PeError naming the
// built sets.
template <class Parse>
auto cycle_params_or_pe_error(Parse parse, const pe::Params& params, const std::string& built) {
  try {
    return parse(params);
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(fmt::format("cosim {} (built: {})", e.what(), built));
  }
}

// The operand the reference takes: `codes` of format f at unit scale (the PE's power-of-two
// scaling lies outside the RTL), one scale group.
inline pe::Operand unit_scale_operand(const formats::ElementFormat& f, std::vector<uint32_t> codes) {
  pe::Operand o;
  o.format = &f;
  o.group = codes.size();
  o.scales = {1.0};
  o.codes = std::move(codes);
  return o;
}

// The codes of a dot product's elements on one port: `lanes` codes of `bits` bits per element
// (lane i in bits [i*bits, (i+1)*bits)), element by element.
inline std::vector<uint32_t> lane_codes(const std::vector<cycle::PeIn>& dot, uint64_t cycle::PeIn::*port, int bits,
                                        int lanes = 1) {
  std::vector<uint32_t> c;
  c.reserve(dot.size() * size_t(lanes));
  for (const auto& e : dot)
    for (int i = 0; i < lanes; ++i) c.push_back(uint32_t(cycle::lane(e.*port, i, bits)));
  return c;
}

// The bit-accurate PE's dot product of unit-scale operands (in_a codes of a, in_w codes of w,
// `lanes` per element).
inline double unit_scale_dot(const pe::ProcessingElement& model, const formats::ElementFormat& a,
                             const formats::ElementFormat& w, const std::vector<cycle::PeIn>& dot, int lanes = 1) {
  return model.dot(unit_scale_operand(a, lane_codes(dot, &cycle::PeIn::in_a, a.bits(), lanes)),
                   unit_scale_operand(w, lane_codes(dot, &cycle::PeIn::in_w, w.bits(), lanes)));
}

// The weight operand of the group-quantized PEs (MixPE, LUT Tensor Core): in_w codes of w,
// `lanes` of `bits` bits per element, and per `group` codes the scale (in_scale, a code of
// `scale`) and, with a zero point, in_zero of the group's first element.
inline pe::Operand group_weight_operand(const formats::ElementFormat& w, const formats::ElementFormat& scale,
                                        const std::vector<cycle::PeIn>& dot, int bits, int lanes, size_t group,
                                        bool zero_point) {
  pe::Operand o;
  o.format = &w;
  o.group = group;
  o.codes = lane_codes(dot, &cycle::PeIn::in_w, bits, lanes);
  for (size_t i = 0; i < dot.size(); i += group / size_t(lanes)) {
    o.scales.push_back(scale.decode(uint32_t(dot[i].in_scale & cycle::mask(scale.bits()))));
    if (zero_point) o.zeros.push_back(int32_t(dot[i].in_zero & cycle::mask(bits)));
  }
  return o;
}

// in_scale and in_zero of the group-quantized PEs: a random scale code (one in 16 a corner)
// and zero point (one in 4 a corner) drawn at each weight group's first element, held within
// the group. Copies share the group in flight.
class GroupScaleDraw {
 public:
  GroupScaleDraw(const formats::ElementFormat& scale, const formats::ElementFormat& zero)
      : st_(std::make_shared<State>(State{scale, zero, corner_codes(scale), corner_codes(zero)})) {}
  void operator()(std::mt19937_64& g, cycle::PeIn& in, bool group_start) const {
    if (group_start) {
      st_->scale_code = random_code(g, st_->scale, st_->scale_corners, 16);
      st_->zero_code = random_code(g, st_->zero, st_->zero_corners, 4);
    }
    in.in_scale = st_->scale_code;
    in.in_zero = st_->zero_code;
  }

 private:
  struct State {
    formats::ElementFormat scale, zero;
    std::vector<uint32_t> scale_corners, zero_corners;
    uint32_t scale_code = 0, zero_code = 0;
  };
  std::shared_ptr<State> st_;
};

// y encoded to the accumulator format; a NaN as the accumulator's canonical positive NaN (the
// hardware's NaN; the PE model's FP32 fast path computes in float, whose NaN sign is the host's).
inline uint64_t encode_canonical_nan(const formats::ElementFormat& acc, double y) {
  return std::isnan(y) ? acc.encode(formats::Unrounded::nan(false)) : acc.encode(y);
}

// Operand codes of the floating-point PEs: half of the dot products draw no NaN/inf (so that
// most results are numbers); the other half mix every corner code (zeros of both signs, max,
// subnormals, NaN, inf, all ones) in. Copies share the coin of the dot product in flight.
class FiniteOrCornerDraw {
 public:
  void start(std::mt19937_64& g, size_t index) const {  // element `index` of a dot product
    if (index == 0) *finite_ = g() & 1;
  }
  uint32_t operator()(std::mt19937_64& g, const formats::ElementFormat& f, const std::vector<uint32_t>& corners) const {
    uint32_t code = random_code(g, f, corners);
    while (*finite_ && !std::isfinite(f.decode(code))) code = random_code(g, f, corners);
    return code;
  }

 private:
  std::shared_ptr<bool> finite_ = std::make_shared<bool>(false);
};

}  // namespace arithsim::cosim
