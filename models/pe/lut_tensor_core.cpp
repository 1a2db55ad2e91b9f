// LUT Tensor Core ("LUT Tensor Core: Lookup Table Enables Efficient Low-Bit LLM Inference
// Acceleration", Mo et al., 2024): W1..W4 weights processed bit-serially; activations in
// groups of k index a precomputed table of partial sums.
//   precompute  per k activations: T[idx] = sum_i (bit i of idx ? +a_i : -a_i). Weight bits
//               t in {0,1} are reinterpreted as s = 2t - 1 in {-1,+1}, so T is odd:
//               T[~idx] = -T[idx]; with symmetrize only the 2^(k-1) entries whose top bit
//               is 0 are stored and the top bit selects a negation.
//   lookup      per weight bit plane b: P_b = sum over activation groups of T[idx_b].
//   accumulate  sum_i a_i (q_i - z) = (sum_b 2^b P_b + (2^B - 1 - 2z) * sum_i a_i) / 2;
//               dequantize once per weight group (s_g), accumulate in acc; the output is
//               round_fp32(acc * s_a).
// INT8 activations: table entries and plane sums are exact integers. FP16 activations:
// table entries are rounded to `table` (fp16 or fp32); plane sums, the shifted-plane total
// and the one correction term (2^B - 1 - 2z) * sum a accumulate in `acc`, one rounding per
// add; the halving is exact.
#include <algorithm>

#include <fmt/format.h>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {
namespace {

const PeInfo kInfo{"lut_tensor_core",
                   "LUT Tensor Core: bit-serial W1..W4 weights indexing precomputed activation tables (symmetrized)",
                   "LUT Tensor Core: Lookup Table Enables Efficient Low-Bit LLM Inference Acceleration (Mo et al., arXiv 2408.06003)",
                   {{"w", "int2", "weight width: int1 | int2 | int3 | int4"},
                    {"a", "int8", "activation format: int8 | fp16"},
                    {"k", "4", "activations per table (table has 2^k entries, 2^(k-1) symmetrized)"},
                    {"group", "128", "weights per scale/zero point along K (a multiple of k)"},
                    {"symmetrize", "true", "store half the table and negate by the index's top bit"},
                    {"table", "fp16", "table entry format for fp16 activations (fp16 | fp32)"},
                    {"acc", "fp32", "format of plane sums (fp16 activations), group outputs and the accumulator"},
                    {"fast", "true", "use the fast path (same bits, proven by tests) instead of the stage-by-stage datapath"},
                    LowBitOperands::policies().param()}};

class LutTensorCore final : public ProcessingElement {
 public:
  explicit LutTensorCore(const Params& p)
      : r_(kInfo, p),
        ops_(r_, weight_bits(r_), /*zero_point=*/true, " (LUT Tensor Core tables are built from INT8/FP16 activations)"),
        table_(r_.format("table")), acc_(r_.format("acc")), out_(formats::ElementFormat::parse("float32")) {
    k_ = size_t(r_.integer("k", 1, 8));
    if (ops_.group() % k_) r_.fail(fmt::format("group size {} is not a multiple of k={}", ops_.group(), k_));
    symmetrize_ = r_.flag("symmetrize");
    if (!table_.codec<formats::MinifloatCodec>() || !acc_.codec<formats::MinifloatCodec>())
      r_.fail("table and acc must be floating-point formats");
    fast_ = r_.flag("fast");
    read_operand_policy(r_, LowBitOperands::policies());
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved(); }
  void check_k(size_t k) const override { ops_.check_k(r_, k); }
  Operand scale_a(std::span<const float> a) const override { return ops_.quantize_a(a); }
  // Weights are unsigned B-bit with a zero point (bit planes of q are the serial inputs).
  Operand scale_w(std::span<const float> w) const override { return ops_.quantize_w(w); }
  const formats::ElementFormat& output_format() const override { return out_; }

  // The fast path over a whole GEMM (INT8 activations): every table entry and plane sum is an
  // exact integer, so the group sums are sum_i a_i (q_i - z) of the raw weight codes, and
  // low_bit_int8_gemm (pe_common.cpp) gives dot's bits.
  void gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const override {
    if (fast_ && ops_.int8_activations() && gemm_shape_ok(rows, cols, out)) {
      check_k(rows[0].size());
      if (low_bit_int8_gemm(ops_, false, acc_, out_, rows, cols, out)) return;
    }
    ProcessingElement::gemm(rows, cols, out);
  }

  double dot(const Operand& a, const Operand& w) const override {
    check_k(a.size());
    units::FloatAccumulator acc(acc_);
    const auto& af = ops_.activation_format();
    const int wbits = ops_.weight_bits();
    const size_t group = ops_.group();
    const size_t half = size_t(1) << (k_ - 1), full = size_t(1) << k_;
    for (size_t g0 = 0; g0 < a.size(); g0 += group) {
      formats::Unrounded group_sum;  // sum_i a_i (q_i - z) over the weight group
      if (ops_.int8_activations() && fast_) {
        // With INT8 activations every table entry, plane sum and the reinterpretation are
        // exact integers, so the result is exactly sum_i a_i (q_i - z).
        const int sh = 64 - af.bits();
        int64_t d = 0;
        for (size_t i = g0; i < g0 + group; ++i)
          d += (int64_t(uint64_t(a.codes[i]) << sh) >> sh) * (int64_t(w.codes[i]) - w.zero(g0));
        group_sum = formats::Unrounded::from_int(d < 0, uint64_t(d < 0 ? -d : d), 0);
      } else if (ops_.int8_activations()) {
        const auto* ac = af.codec<formats::IntCodec>();
        int64_t planes = 0, asum = 0;
        std::vector<int64_t> table(symmetrize_ ? half : full);
        std::vector<int64_t> plane(size_t(wbits), 0);
        for (size_t j = g0; j < g0 + group; j += k_) {
          // precompute: the (half) table of this k-activation group
          for (size_t idx = 0; idx < table.size(); ++idx) {
            int64_t t = 0;
            for (size_t i = 0; i < k_; ++i) t += ((idx >> i) & 1) ? ac->to_int(a.codes[j + i]) : -ac->to_int(a.codes[j + i]);
            table[idx] = t;
          }
          for (size_t i = 0; i < k_; ++i) asum += ac->to_int(a.codes[j + i]);
          // lookup: one index per weight bit plane
          for (int b = 0; b < wbits; ++b) {
            size_t idx = 0;
            for (size_t i = 0; i < k_; ++i) idx |= size_t((w.codes[j + i] >> b) & 1) << i;
            plane[size_t(b)] += lookup(table, idx, half);
          }
        }
        for (int b = 0; b < wbits; ++b) planes += plane[size_t(b)] * (int64_t(1) << b);  // shift-accumulate planes
        const int64_t qsum2 = planes + ((int64_t(1) << wbits) - 1) * asum;  // = 2 * sum a_i q_i
        const int64_t d = qsum2 / 2 - int64_t(w.zero(g0)) * asum;
        group_sum = formats::Unrounded::from_int(d < 0, uint64_t(d < 0 ? -d : d), 0);
      } else {
        const units::FloatAccumulator zero_acc(acc_);
        std::vector<units::FloatAccumulator> plane(size_t(wbits), zero_acc);
        units::FloatAccumulator asum(acc_);
        std::vector<formats::Unrounded> table(symmetrize_ ? half : full);
        for (size_t j = g0; j < g0 + group; j += k_) {
          for (size_t idx = 0; idx < table.size(); ++idx) {
            // precompute in the table format: one rounding per add
            units::FloatAccumulator t(table_);
            for (size_t i = 0; i < k_; ++i) {
              auto x = af.decode_exact(a.codes[j + i]).unrounded();
              if (!((idx >> i) & 1)) x.neg = !x.neg;
              t.add(x);
            }
            table[idx] = table_.decode_exact(t.code()).unrounded();
          }
          for (size_t i = 0; i < k_; ++i) asum.add(af.decode_exact(a.codes[j + i]).unrounded());
          for (int b = 0; b < wbits; ++b) {
            size_t idx = 0;
            for (size_t i = 0; i < k_; ++i) idx |= size_t((w.codes[j + i] >> b) & 1) << i;
            plane[size_t(b)].add(lookup(table, idx, half));
          }
        }
        units::FloatAccumulator total(acc_);
        for (int b = 0; b < wbits; ++b) {
          auto pb = acc_.decode_exact(plane[size_t(b)].code()).unrounded();
          if (pb.finite()) pb.exp += b;  // shift
          total.add(pb);
        }
        auto as = acc_.decode_exact(asum.code()).unrounded();
        const int64_t cz = ((int64_t(1) << wbits) - 1) - 2 * int64_t(w.zero(g0));  // (2^B - 1 - 2z) * asum
        total.add(units::multiply(as, formats::Unrounded::from_int(cz < 0, uint64_t(cz < 0 ? -cz : cz), 0)));
        group_sum = acc_.decode_exact(total.code()).unrounded();
        if (group_sum.finite()) group_sum.exp -= 1;  // the /2 of the reinterpretation
      }
      dequantize_group(acc, group_sum, w.scale(g0));  // once per weight group
    }
    return scale_output(acc, a.scales[0], out_);
  }

 private:
  // Symmetrized lookup: an index with its top bit set reads the complement's entry negated.
  template <class T>
  T lookup(const std::vector<T>& table, size_t idx, size_t half) const {
    if (!symmetrize_ || idx < half) return table[idx];
    return negate(table[(~idx) & (2 * half - 1)]);
  }
  static int64_t negate(int64_t v) { return -v; }
  static formats::Unrounded negate(formats::Unrounded v) {
    v.neg = !v.neg;
    return v;
  }

  static int weight_bits(const ParamReader& r) {
    const std::string w = r.str("w");
    if (w != "int1" && w != "int2" && w != "int3" && w != "int4") r.fail(fmt::format("w={} is not int1..int4", w));
    return std::stoi(w.substr(3));
  }

  ParamReader r_;
  LowBitOperands ops_;
  formats::ElementFormat table_, acc_, out_;
  size_t k_;
  bool symmetrize_, fast_;
};

}  // namespace

const PeInfo& lut_tensor_core_info() { return kInfo; }
std::unique_ptr<ProcessingElement> make_lut_tensor_core(const Params& p) { return std::make_unique<LutTensorCore>(p); }

// Integer weights of 1..4 bits index the table directly; 5..8 bits run as 4-bit bit-sliced
// passes, whose exact sum an int_mac of the full width reproduces for the accuracy run.
OperandPlan plan_lut_tensor_core(const std::string& pe, const Params& p, const OperandRequest& q) {
  OperandPlan r = plan_low_bit_weights(pe, p, q, "int2", "int1..int4 (int5..int8 are bit-sliced into 4-bit passes)");
  if (q.w.bits > 4) {
    r.proxy_pe = "int_mac";
    r.params = {{"a", "int8"}, {"w", fmt::format("int{}", q.w.bits)}};
  } else {
    r.params["w"] = fmt::format("int{}", std::max(1, q.w.bits));
  }
  return r;
}

}  // namespace arithsim::pe
