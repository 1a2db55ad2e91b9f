// Cycle-level FP8 MAC, the twin of rtl/fp8_mac.sv, built on the units of the bit-accurate
// model (models/pe/fp8_mac.cpp):
//   front:      decode (ElementFormat::decode_exact) -> multiply (units::multiply_exact: the
//               exact product) -> round (mode=per_product only: the product rounded to the
//               accumulator format, as the PE model does)
//   pipeline:   `stages` registers carrying the (rounded) product
//   accumulate: align, add, normalize/round (units::FloatAccumulator::add: one RNE rounding)
//   result:     the accumulator code (the PE's power-of-two output scaling lies outside)
// Modes fused and per_product: one product per element. Mode tree: one element = one
// adder-tree step of L = tree_inputs products (L <= 8: the L operand codes packed into
// in_a / in_w, lane i in bits [i*bits, (i+1)*bits)); front = decode -> multiply per lane
// (exact products), accumulate = the adder tree (units::AdderTree: the L products and the
// accumulator aligned to the largest exponent in an align_bits window, shifted-out bits
// truncated or rounded, summed exactly) -> normalize/round (one RNE rounding to acc).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <arithsim/models/cycle/cycle_params.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/adder_tree.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::cycle {

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
  bool tree = false;         // mode=tree (the fields below apply)
  int tree_inputs = 16;      // products per adder-tree step = lanes per element (<= kMaxTreeLanes)
  int align_bits = 27;       // adder-tree alignment window
  bool round_shifted = false;  // the tree rounds (true) or truncates (false) shifted-out bits
  int stages = 1;
  static constexpr int kMaxTreeLanes = 8;  // 8 lanes of <= 8-bit codes fill the 64-bit in_a/in_w
  int lanes() const { return tree ? tree_inputs : 1; }
  std::string mode() const { return tree ? "tree" : per_product ? "per_product" : "fused"; }
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
    if (tree && (tree_inputs < 1 || tree_inputs > kMaxTreeLanes))
      throw std::invalid_argument(fmt::format(
          "fp8_mac: mode=tree with tree_inputs={} has no cycle model/RTL: at most {} products per step (one operand "
          "code per 8-bit lane of the 64-bit in_a/in_w ports)", tree_inputs, kMaxTreeLanes));
    if (tree && (align_bits < 2 || align_bits > 100))
      throw std::invalid_argument(fmt::format("fp8_mac: align_bits must be 2..100, got {}", align_bits));
  }
};

// The PE's parameters (models/pe/fp8_mac.cpp) plus "stages" onto the cycle model's.
inline Fp8MacCycleParams fp8_mac_cycle_params(const pe::Params& params) {
  auto read = [](Fp8MacCycleParams& p, const std::string& k, const std::string& v) {
    if (k == "a") p.a = v;
    else if (k == "w") p.w = v;
    else if (k == "acc") p.acc = v;
    else if (k == "mode") {
      if (v != "fused" && v != "per_product" && v != "tree")
        throw std::invalid_argument(fmt::format("fp8_mac: mode '{}' is not fused, per_product or tree", v));
      p.per_product = v == "per_product";
      p.tree = v == "tree";
    } else if (k == "tree_inputs" || k == "align_bits") {  // mode=tree only
      int x = 0;
      try {
        size_t used = 0;
        x = std::stoi(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw std::invalid_argument(fmt::format("fp8_mac: bad value '{}' for {}", v, k));
      }
      (k == "tree_inputs" ? p.tree_inputs : p.align_bits) = x;
    } else if (k == "round_shifted") {  // mode=tree only
      if (v == "true" || v == "1" || v == "yes") p.round_shifted = true;
      else if (v == "false" || v == "0" || v == "no") p.round_shifted = false;
      else throw std::invalid_argument(fmt::format("fp8_mac: bad value '{}' for round_shifted (want true or false)", v));
    } else if (k == "fast") {
      // a simulation switch of the PE model: same bits
    } else {
      return false;
    }
    return true;
  };
  return read_params<Fp8MacCycleParams>("fp8_mac", params, read);
}

struct Fp8MacDatapath {
  // The (rounded) product of each lane (fused, per_product: lane 0 only; tree: lanes 0..L-1).
  using Term = std::array<formats::Unrounded, Fp8MacCycleParams::kMaxTreeLanes>;
  using Acc = uint32_t;  // the accumulator register: a code of the acc format
  explicit Fp8MacDatapath(const Fp8MacCycleParams& p)
      : p_((p.validate(), p)), a_(formats::ElementFormat::parse(p.a)), w_(formats::ElementFormat::parse(p.w)),
        acc_(formats::ElementFormat::parse(p.acc)),
        ports_{a_.bits() * p.lanes(), w_.bits() * p.lanes(), 0, 0, acc_.bits()},
        tree_(p.tree ? units::AdderTreeSpec{p.tree_inputs + 1, p.align_bits, p.round_shifted} : units::AdderTreeSpec{}) {}
  const PePorts& ports() const { return ports_; }
  Term front(const PeIn& in) const {
    Term t{};
    for (int i = 0; i < p_.lanes(); ++i) {
      const auto da = a_.decode_exact(uint32_t(lane(in.in_a, i, a_.bits())));  // decode
      const auto dw = w_.decode_exact(uint32_t(lane(in.in_w, i, w_.bits())));
      t[size_t(i)] = units::multiply_exact(da, dw);  // multiply (exact)
      if (p_.per_product) t[size_t(i)] = acc_.decode_exact(acc_.encode(t[size_t(i)])).unrounded();  // round
    }
    return t;
  }
  // per lane: sign, kind, product exponent (max(Ea, Ew) + 2 bits), exact significand product,
  // normalized; the RTL holds the same product unnormalized (12-bit lsb exponent), so its
  // toggles are approximated, not replicated.
  void term_register(const Term& t, RegisterBits& r) const {
    const auto a = a_.codec<formats::MinifloatCodec>(), w = w_.codec<formats::MinifloatCodec>();
    const int eb = std::max(a->spec().e, w->spec().e) + 2, sb = (a->spec().m + 1) + (w->spec().m + 1);
    for (int i = 0; i < p_.lanes(); ++i) r.put(t[size_t(i)], eb, sb);
  }
  void accumulate(Acc& acc, const Term& t, bool first) const {
    if (!p_.tree) {
      fp_accumulate(acc_, acc, t[0], first);  // align, add, normalize/round
      return;
    }
    // adder tree: the L products and the accumulator (+0 on a dot product's first step)
    std::array<formats::Unrounded, Fp8MacCycleParams::kMaxTreeLanes + 1> terms;
    const size_t n = size_t(p_.lanes());
    std::copy(t.begin(), t.begin() + std::ptrdiff_t(n), terms.begin());
    terms[n] = acc_.decode_exact(first ? 0u : acc).unrounded();
    acc = acc_.encode(tree_.sum(std::span(terms.data(), n + 1)));  // align, add, normalize/round
  }
  uint64_t result(const Acc& acc) const { return acc; }
  Acc zero() const { return 0; }

  Fp8MacCycleParams p_;
  formats::ElementFormat a_, w_, acc_;
  PePorts ports_;
  units::AdderTree tree_;
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
          {"TREE_INPUTS", s(p.tree ? p.tree_inputs : 0)}, {"ALIGN_BITS", s(p.align_bits)},
          {"ROUND_SHIFTED", s(p.round_shifted)}, {"STAGES", s(p.stages)}};
}

}  // namespace arithsim::cycle
