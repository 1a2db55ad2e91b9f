// Cycle-level LUT Tensor Core unit, the twin of rtl/lut_tensor_core.sv: k activations
// per cycle (in_a: k INT8 or FP16 codes packed, lane i in bits [i*A, (i+1)*A), A = 8 or 16),
// their k B-bit weight codes (in_w, lane i in bits [i*B, (i+1)*B)), in_scale / in_zero the
// FP16 scale code and zero point of the weight group (constant within a group).
// Stages (names of models/pe/lut_tensor_core.cpp and docs/pe/lut_tensor_core.md):
//   precompute  the table of the k activations: T[idx] = sum_i (bit i of idx ? +a_i : -a_i),
//               2^k entries, or 2^(k-1) with symmetrize (FP16: entries rounded to `table`)
//   lookup      one index per weight bit plane (symmetrized: the index's top bit selects the
//               negated entry of the complement index)
//   shift       plane shift-accumulate: sum_b 2^b P_b of this cycle (INT8: exact integer;
//               FP16: the per-plane lookups go on to per-plane FloatAccumulators)
//   pipeline    `stages` registers (term, scale, zero)
//   accumulate  planes, asum (integer registers; FP16: FloatAccumulators in acc), the group
//               counter in cycles (group/k, restarted by in_first); at the group's last cycle
//               d = (planes + (2^B-1)*asum)/2 - z*asum -> dequantize (pe::dequantize_group)
//   result      the accumulator's code
#pragma once

#include <array>
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

struct LutTensorCoreCycleParams {
  int w_bits = 2;             // int1..int4 (unsigned codes with a zero point)
  bool fp16_a = false;        // activations: INT8 (false) or FP16 (true)
  int k = 4;                  // activations per table = elements per cycle
  int group = 128;            // elements per weight group, a multiple of k
  bool symmetrize = true;     // half table, top index bit selects a negation
  std::string table = "fp16"; // table entry format (FP16 activations)
  std::string acc = "fp32";   // plane sums (FP16), group outputs and the accumulator
  int stages = 1;
  void validate() const {
    if (w_bits < 1 || w_bits > 4)
      throw std::invalid_argument(fmt::format("lut_tensor_core: w_bits must be 1..4, got {}", w_bits));
    if (k < 1 || k > (fp16_a ? 4 : 8))
      throw std::invalid_argument(
          fmt::format("lut_tensor_core: k must be 1..{} ({} activations fill the 64-bit in_a), got {}", fp16_a ? 4 : 8,
                      fp16_a ? "FP16" : "INT8", k));
    if (group < k || group % k || group > (1 << 20))
      throw std::invalid_argument(
          fmt::format("lut_tensor_core: group must be a multiple of k={} up to 2^20, got {}", k, group));
    for (const auto* f : {&table, &acc}) {
      const auto e = formats::ElementFormat::parse(*f);
      if (!e.codec<formats::MinifloatCodec>() || e.bits() > 32)
        throw std::invalid_argument(
            fmt::format("lut_tensor_core: table and acc must be floating-point formats of <= 32 bits, got {}", *f));
    }
    check_stages("lut_tensor_core", stages);
  }
};

// The PE's parameters (models/pe/lut_tensor_core.cpp, with its defaults) plus "stages".
inline LutTensorCoreCycleParams lut_tensor_core_cycle_params(const pe::Params& params) {
  LutTensorCoreCycleParams p;
  const pe::ParamReader r(pe::lut_tensor_core_info(), take_stages("lut_tensor_core", params, p.stages));
  const std::string w = r.str("w");
  if (w != "int1" && w != "int2" && w != "int3" && w != "int4") r.fail(fmt::format("w={} is not int1..int4", w));
  p.w_bits = std::stoi(w.substr(3));
  p.fp16_a = read_fp16_activations(r);
  p.k = r.integer("k", 1, 8);
  p.group = r.integer("group", 1, 1 << 20);
  if (p.group % p.k) r.fail(fmt::format("group size {} is not a multiple of k={}", p.group, p.k));
  p.symmetrize = r.flag("symmetrize");
  p.table = r.str("table");
  p.acc = r.str("acc");
  return validated_as_pe_params(p);
}

// RTL parameters of rtl/lut_tensor_core.sv (INT8 or FP16 activations; IEEE-style table and
// accumulator formats).
inline std::map<std::string, std::string> lut_tensor_core_rtl_parameters(const LutTensorCoreCycleParams& p) {
  p.validate();
  auto r = fp_rtl_parameters("lut_tensor_core", "acc", p.acc, "ACC");
  if (p.fp16_a) r.merge(fp_rtl_parameters("lut_tensor_core", "table", p.table, "TABLE"));
  r.merge(std::map<std::string, std::string>{{"A_BITS", p.fp16_a ? "16" : "8"},
          {"A_FP16", p.fp16_a ? "1" : "0"},
          {"W_BITS", std::to_string(p.w_bits)},
          {"K", std::to_string(p.k)},
          {"GROUP", std::to_string(p.group)},
          {"SYMMETRIZE", p.symmetrize ? "1" : "0"},
          {"STAGES", std::to_string(p.stages)}});
  return r;
}

struct LutTensorCoreDatapath {
  struct Term {
    int64_t planes = 0;                           // INT8: sum_b 2^b P_b of this cycle
    int64_t asum = 0;                             // INT8: sum of the k activations
    std::array<formats::Unrounded, 8> x{};        // FP16: the decoded activations
    std::array<formats::Unrounded, 4> lookups{};  // FP16: the looked-up entry per plane
    uint64_t a_codes = 0;                         // FP16: the k activation codes (pipeline register)
    std::array<uint32_t, 4> lookup_codes{};       // FP16: the looked-up entry codes (pipeline register)
    uint32_t scale = 0;
    int32_t zero = 0;
  };
  struct Acc {
    int64_t planes = 0, asum = 0;
    std::array<units::FloatAccumulator, 4> fplane;  // FP16: per-plane sums in acc
    units::FloatAccumulator fasum, acc;
    int count = 0;  // cycles of the current group seen
  };

  explicit LutTensorCoreDatapath(const LutTensorCoreCycleParams& p)
      : p_((p.validate(), p)),
        a_(std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.fp16_a ? "float16" : "int8"))),
        table_(std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.table))),
        acc_(std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse(p.acc))),
        scale_(std::make_shared<formats::ElementFormat>(formats::ElementFormat::parse("float16"))),
        ports_{p.k * (p.fp16_a ? 16 : 8), p.k * p.w_bits, 16, p.w_bits, acc_->bits()} {}
  const PePorts& ports() const { return ports_; }

  Term front(const PeIn& in) const {
    Term t;
    t.scale = uint32_t(in.in_scale & 0xffff);
    t.zero = int32_t(in.in_zero & mask(p_.w_bits));
    const int abits = p_.fp16_a ? 16 : 8;
    const size_t half = size_t(1) << (p_.k - 1), full = size_t(1) << p_.k;
    const size_t entries = p_.symmetrize ? half : full;
    auto index = [&](int b) {  // lookup: the k weights' bit b
      size_t idx = 0;
      for (int i = 0; i < p_.k; ++i) idx |= size_t((lane(in.in_w, i, p_.w_bits) >> b) & 1) << i;
      return idx;
    };
    if (!p_.fp16_a) {
      std::array<int64_t, 256> table{};  // precompute
      int64_t a[8];
      for (int i = 0; i < p_.k; ++i) a[i] = sext(lane(in.in_a, i, abits), abits);
      for (size_t idx = 0; idx < entries; ++idx) {
        int64_t s = 0;
        for (int i = 0; i < p_.k; ++i) s += ((idx >> i) & 1) ? a[i] : -a[i];
        table[idx] = s;
      }
      for (int i = 0; i < p_.k; ++i) t.asum += a[i];
      for (int b = 0; b < p_.w_bits; ++b) {  // lookup, shift-accumulate the planes
        const size_t idx = index(b);
        const int64_t e = (!p_.symmetrize || idx < half) ? table[idx] : -table[(~idx) & (full - 1)];
        t.planes += e * (int64_t(1) << b);
      }
      return t;
    }
    std::array<formats::Unrounded, 256> table{};  // precompute, one rounding per add
    std::array<uint32_t, 256> codes{};
    t.a_codes = in.in_a & mask(p_.k * 16);
    for (int i = 0; i < p_.k; ++i) t.x[size_t(i)] = a_->decode_exact(uint32_t(lane(in.in_a, i, abits))).unrounded();
    for (size_t idx = 0; idx < entries; ++idx) {
      units::FloatAccumulator s(*table_);
      for (int i = 0; i < p_.k; ++i) {
        auto x = t.x[size_t(i)];
        if (!((idx >> i) & 1)) x.neg = !x.neg;
        s.add(x);
      }
      codes[idx] = s.code();
      table[idx] = table_->decode_exact(codes[idx]).unrounded();
    }
    for (int b = 0; b < p_.w_bits; ++b) {
      const size_t idx = index(b);
      const bool negated = p_.symmetrize && idx >= half;
      const size_t at = negated ? (~idx) & (full - 1) : idx;
      auto e = table[at];
      if (negated) e.neg = !e.neg;
      t.lookups[size_t(b)] = e;
      t.lookup_codes[size_t(b)] = negated ? codes[at] ^ (uint32_t(1) << (table_->bits() - 1)) : codes[at];  // sign flip
    }
    return t;
  }

  // The RTL's pipeline register (rtl/lut_tensor_core.sv d_term): INT8 {planes_k (8 + log2 k
  // + 1 + B + 1 bits), asum_k (8 + log2 k + 1), scale, zero}; FP16 {the k activation codes,
  // the B looked-up entry codes, scale, zero}.
  void term_register(const Term& t, RegisterBits& r) const {
    const int kb = std::bit_width(unsigned(p_.k - 1)) + 1;
    if (p_.fp16_a) {
      r.put(t.a_codes, p_.k * 16);
      for (int b = 0; b < p_.w_bits; ++b) r.put(t.lookup_codes[size_t(b)], table_->bits());
    } else {
      r.put(uint64_t(t.planes), 8 + kb + p_.w_bits + 1);
      r.put(uint64_t(t.asum), 8 + kb);
    }
    r.put(t.scale, 16);
    r.put(uint64_t(t.zero), p_.w_bits);
  }
  void accumulate(Acc& s, const Term& t, bool first) const {
    if (first) s = zero();
    if (p_.fp16_a) {
      for (int i = 0; i < p_.k; ++i) s.fasum.add(t.x[size_t(i)]);
      for (int b = 0; b < p_.w_bits; ++b) s.fplane[size_t(b)].add(t.lookups[size_t(b)]);
    } else {
      s.planes += t.planes;
      s.asum += t.asum;
    }
    if (++s.count < p_.group / p_.k) return;
    // the group's last cycle: d = sum_i a_i (q_i - z), dequantize once per group
    formats::Unrounded v;
    if (p_.fp16_a) {
      units::FloatAccumulator total(*acc_);
      for (int b = 0; b < p_.w_bits; ++b) {
        auto pb = acc_->decode_exact(s.fplane[size_t(b)].code()).unrounded();
        if (pb.finite()) pb.exp += b;  // shift
        total.add(pb);
      }
      const auto as = acc_->decode_exact(s.fasum.code()).unrounded();
      const int64_t cz = ((int64_t(1) << p_.w_bits) - 1) - 2 * int64_t(t.zero);
      total.add(units::multiply(as, formats::Unrounded::from_int(cz < 0, uint64_t(cz < 0 ? -cz : cz), 0)));
      v = acc_->decode_exact(total.code()).unrounded();
      if (v.finite()) v.exp -= 1;  // the /2 of the reinterpretation
    } else {
      const int64_t qsum2 = s.planes + ((int64_t(1) << p_.w_bits) - 1) * s.asum;  // = 2 * sum a_i q_i
      const int64_t d = qsum2 / 2 - int64_t(t.zero) * s.asum;
      v = formats::Unrounded::from_int(d < 0, uint64_t(d < 0 ? -d : d), 0);
    }
    pe::dequantize_group(s.acc, v, scale_->decode(t.scale));
    const auto fresh = zero();
    s.planes = s.asum = 0;
    s.fplane = fresh.fplane;
    s.fasum = fresh.fasum;
    s.count = 0;
  }

  uint64_t result(const Acc& s) const { return s.acc.code(); }
  Acc zero() const {
    units::FloatAccumulator z(*acc_);
    return Acc{0, 0, {z, z, z, z}, z, z, 0};
  }

  LutTensorCoreCycleParams p_;
  std::shared_ptr<const formats::ElementFormat> a_, table_, acc_, scale_;  // shared by copies
  PePorts ports_;
};

class LutTensorCoreCycle : public StreamingPe<LutTensorCoreDatapath> {
 public:
  explicit LutTensorCoreCycle(const LutTensorCoreCycleParams& p) : StreamingPe(LutTensorCoreDatapath(p), p.stages) {}
};

}  // namespace arithsim::cycle
