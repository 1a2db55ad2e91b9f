// GPU tensor core / matrix core: one output element of a GEMM as a GPU's matrix unit computes
// it, bit for bit: the instruction (units/mma_instruction.hpp: block FMAs with truncating
// alignment, one normalization per block) chained over K with FP32 promotion, split-K and
// the epilogue (units/mma_schedule.hpp). Which GPU does what is data: the presets
// (tensor_core_presets.yaml, or a user's file via presets=FILE). docs/pe/tensor_core.md.
#include <cmath>

#include <fmt/format.h>

#include <arithsim/models/formats/block.hpp>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/registry.hpp>
#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/units/mma_gemm.hpp>
#include <arithsim/models/units/mma_schedule.hpp>

namespace arithsim::pe {
namespace {

const OperandPolicies kPolicies{
    {{"round", "each value rounded (RNE) to the input type; block-scaled types (mxfp8, mxfp4, nvfp4) quantized by "
               "their block format (OCP MX shared exponents, NVFP4 E4M3 scales)"},
     policy_pow2()}};
const PeInfo kInfo{
    "tensor_core",
    "GPU tensor/matrix core (NVIDIA V100 .. B200, AMD MI100 .. MI300X): the vendors' block sums, chained over K, bit-exact",
    "Khattak & Mikaitis, 'Accurate Models of NVIDIA Tensor Cores' (arXiv:2512.07004); Khattak, Mikaitis & Graziani, 'Accurate Models of AMD Matrix Cores' (arXiv:2609.14845); Fasi et al. 2021; recorded GPU results",
    {{"gpu", "h100", "GPU of the preset (v100, t4, a100, a2, a30, ada, l40s, h100, h200, b200, mi100, mi210, mi250, mi250x, mi300a, mi300x; or a presets file's)"},
     {"instr", "mma.sync", "instruction (mma.sync, wmma, wgmma, tcgen05; AMD mfma, mfma_1k; as the preset has them)"},
     {"in", "fp16", "input type of a and b (fp16, bf16, tf32, e4m3, e5m2; B200 tcgen05 block-scaled mxfp8, mxfp8_e5m2, mxfp4, nvfp4; AMD fp32, xf32, e4m3fnuz, e5m2fnuz)"},
     {"a", "", "input type of A where it differs from in (mixed FP8)"},
     {"b", "", "input type of B where it differs from in"},
     {"out", "fp32", "accumulator/output type of the instruction (fp32, fp16)"},
     {"promote", "0", "K elements per FP32 promotion (e.g. 128, DeepSeek-V3's N_C); 0: never"},
     {"split_k", "1", "K split into this many parts, reduced in order in FP32"},
     {"alpha", "1", "epilogue scale: D = alpha * (A*B), in FP32"},
     {"d", "", "output type after the epilogue (fp32, fp16, bf16 or any float format); default: out"},
     kPolicies.param(),
     {"presets", "", "a presets YAML file used instead of the built-in one"}}};

// The presets the parameters name: the built-in ones, or presets=FILE (read into `user`).
const TensorCorePresets& presets_of(const ParamReader& r, TensorCorePresets& user) {
  if (r.str("presets").empty()) return builtin_tensor_core_presets();
  try {
    user = load_tensor_core_presets(r.str("presets"));
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }
  return user;
}

class TensorCore final : public ProcessingElement {
 public:
  explicit TensorCore(const Params& p) : r_(kInfo, p), mma_(select(r_)), d_(out_format(r_)) {
    read_operand_policy(r_, kPolicies);
    pow2_ = operand_policy() == "pow2";
    if (const auto& sp = mma_.spec(); sp.scale) {  // block-scaled inputs: their own block codec quantizes them
      if (pow2_) r_.fail(fmt::format("scale=pow2 does not apply to block-scaled inputs ({}): their block scales are the scaling", r_.str("in")));
      const bool mx = sp.scale->codec<formats::MinifloatCodec>()->spec().m == 0;  // UE8M0: OCP MX; UE4M3: NVFP4
      for (auto [f, q] : {std::pair{&sp.a, &qa_}, std::pair{&sp.b, &qb_}}) {
        formats::BlockSpec bs;
        bs.kind = mx ? formats::BlockKind::MX : formats::BlockKind::NVFP4;
        bs.name = f->name();
        bs.elem = *f;
        bs.block = sp.scale_block;
        bs.scale = sp.scale->name();
        q->emplace(bs);
      }
    }
    sched_.promote = size_t(r_.integer("promote", 0, 1 << 30));
    sched_.split_k = size_t(r_.integer("split_k", 1, 1 << 20));
    const std::string alpha = r_.str("alpha");
    try {
      size_t used = 0;
      sched_.alpha = std::stof(alpha, &used);
      if (used != alpha.size() || !std::isfinite(sched_.alpha)) throw std::invalid_argument("");
    } catch (const std::exception&) {
      r_.fail(fmt::format("bad value '{}' for alpha (want a finite number)", alpha));
    }
    if (!r_.str("d").empty()) sched_.d = d_;  // else the accumulator type, with the unit's NaN code
    try {
      sched_.validate(mma_);
    } catch (const std::invalid_argument& e) {
      r_.fail(e.what());
    }
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved(); }
  void check_k(size_t) const override {}
  Operand scale_a(std::span<const float> x) const override { return scale(mma_.spec().a, x); }
  Operand scale_w(std::span<const float> x) const override { return scale(mma_.spec().b, x); }
  const formats::ElementFormat& output_format() const override { return d_; }

  double dot(const Operand& a, const Operand& w) const override {
    if (qa_) return dot_scaled(a, w, scale_codes(a), scale_codes(w));
    const uint32_t d = units::mma_dot(mma_, sched_, a.codes, w.codes, zero_c_);
    if (!pow2_) return d_.decode(d);
    return pow2_scaled_output(d_.decode_exact(d).unrounded(), a, w, d_);
  }
  void gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const override {
    if (!gemm_shape_ok(rows, cols, out)) return ProcessingElement::gemm(rows, cols, out);
    if (qa_) {  // block-scaled: one dot product at a time, each operand's scale codes made once
      std::vector<std::vector<uint32_t>> sa, sb;
      for (const auto& x : rows) sa.push_back(scale_codes(x));
      for (const auto& x : cols) sb.push_back(scale_codes(x));
      for (size_t i = 0; i < rows.size(); ++i)
        for (size_t j = 0; j < cols.size(); ++j) out[i * cols.size() + j] = dot_scaled(rows[i], cols[j], sa[i], sb[j]);
      return;
    }
    const size_t K = rows[0].codes.size();
    std::vector<uint32_t> a, bt, d(out.size());
    a.reserve(rows.size() * K);
    bt.reserve(cols.size() * K);
    for (const auto& x : rows) a.insert(a.end(), x.codes.begin(), x.codes.end());
    for (const auto& x : cols) bt.insert(bt.end(), x.codes.begin(), x.codes.end());
    units::mma_gemm(mma_, sched_, a, bt, rows.size(), cols.size(), K, {&zero_c_, 1}, d);
    for (size_t i = 0; i < rows.size(); ++i)
      for (size_t j = 0; j < cols.size(); ++j) {
        const uint32_t code = d[i * cols.size() + j];
        out[i * cols.size() + j] =
            pow2_ ? pow2_scaled_output(d_.decode_exact(code).unrounded(), rows[i], cols[j], d_) : d_.decode(code);
      }
  }

 private:
  static units::MmaInstruction select(const ParamReader& r) {
    TensorCorePresets user;
    const TensorCorePresets& p = presets_of(r, user);
    try {
      const std::string in = r.str("in");
      const std::string a = r.str("a").empty() ? in : r.str("a"), b = r.str("b").empty() ? in : r.str("b");
      return units::MmaInstruction(select_tensor_core(p, r.str("gpu"), r.str("instr"), a, b, r.str("out")).spec);
    } catch (const std::invalid_argument& e) {
      r.fail(e.what());
    }
  }
  formats::ElementFormat out_format(const ParamReader& r) const {
    if (r.str("d").empty()) return mma_.spec().out;
    static const std::map<std::string, std::string> kShort = {{"fp32", "float32"}, {"fp16", "float16"}, {"bf16", "bfloat16"}};
    const auto it = kShort.find(r.str("d"));
    try {
      return formats::ElementFormat::parse(it == kShort.end() ? r.str("d") : it->second);
    } catch (const std::invalid_argument& e) {
      r.fail(fmt::format("d: {}", e.what()));
    }
  }
  Operand scale(const formats::ElementFormat& f, std::span<const float> x) const {
    if (qa_) {  // block-scaled: the block format's quantization (OCP MX, or NVFP4's E4M3 scales)
      const formats::BlockCodec& q = &f == &mma_.spec().a ? *qa_ : *qb_;
      formats::Quantized z;
      try {
        z = q.quantize(x, std::max<size_t>(x.size(), 1));
      } catch (const std::invalid_argument& e) {
        throw PeError(fmt::format("tensor_core: {}", e.what()));
      }
      Operand o;
      o.format = &f;
      o.codes.assign(z.codes.begin(), z.codes.end());
      o.group = size_t(mma_.spec().scale_block);
      for (uint32_t c : z.scales) o.scales.push_back(q.scale_value(c));
      return o;
    }
    return pow2_ ? quantize_pow2(f, x) : quantize_unscaled(f, x);
  }
  // Block-scaled inputs: the scales go to the instruction as codes of the scale format.
  double dot_scaled(const Operand& a, const Operand& w, std::span<const uint32_t> sa, std::span<const uint32_t> sb) const {
    return d_.decode(units::mma_dot(mma_, sched_, a.codes, w.codes, zero_c_, sa, sb));
  }
  // An operand's block scales as codes of the scale format (they are its values: exact).
  std::vector<uint32_t> scale_codes(const Operand& o) const {
    std::vector<uint32_t> v;
    for (double x : o.scales) v.push_back(mma_.spec().scale->encode(x));
    return v;
  }

  ParamReader r_;
  units::MmaInstruction mma_;
  formats::ElementFormat d_;
  units::MmaSchedule sched_;
  bool pow2_ = false;  // scale=pow2: the output carries the operands' power-of-two scales
  std::optional<formats::BlockCodec> qa_, qb_;  // block-scaled inputs: their quantization
  uint32_t zero_c_ = mma_.spec().out.encode(0.0);  // C = +0: the GEMM has no C operand
};

}  // namespace

const PeInfo& tensor_core_info() { return kInfo; }

PresetTable tensor_core_presets_table(const Params& p) {
  const ParamReader r(kInfo, p);
  TensorCorePresets user;
  const TensorCorePresets& presets = presets_of(r, user);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  PresetTable t;
  t.columns = {"gpu", "instr", "in", "out", "k", "block", "interleave", "sum", "F", "floor", "block result", "c", "source", "proven by"};
  for (const auto& row : presets.rows) {
    const auto& s = row.spec;
    const bool aligned = s.sum == units::BlockSum::Aligned || s.sum == units::BlockSum::OddEven;
    std::string sum = s.sum == units::BlockSum::Aligned  ? "aligned"
                      : s.sum == units::BlockSum::Exact  ? "exact"
                      : s.sum == units::BlockSum::OddEven ? "odd/even groups"
                                                          : "pairwise, products rounded";
    if (s.ftz) sum += ", FTZ";
    if (s.scale)
      sum += fmt::format(", block-scaled ({} per {}{})", row.scale, s.scale_block,
                         s.scale_group ? fmt::format(", products in groups of {}", s.scale_group) : "");
    if (s.product_overflow_inf) sum += ", product overflow = inf";
    std::string c = s.c == units::AddendPlace::First     ? "first block"
                    : s.c == units::AddendPlace::LateRne ? "late, rne"
                    : s.c == units::AddendPlace::Last    ? "last add of each block"
                                                         : fmt::format("late, rounded down ({}/{} bits", s.late.s_bits, s.late.norm_bits);
    if (s.c == units::AddendPlace::LateRd)
      c += s.late.cutoff == units::LateAddendSpec::kNoCutoff ? ")" : fmt::format(", dropped past {})", s.late.cutoff);
    t.rows.push_back({join(row.gpus), join(row.instrs), join(row.inputs), row.out, std::to_string(s.k), std::to_string(s.block),
                      s.interleave ? std::to_string(s.interleave) : "-", sum,
                      aligned ? std::to_string(s.fma.fraction_bits) : "-",
                      aligned && s.fma.exp_floor != units::BlockFmaSpec::kNoFloor ? std::to_string(s.fma.exp_floor) : "-",
                      fmt::format("{} {}{}", row.block_result, s.block_rounding == formats::Rounding::TowardZero ? "rtz" : "rne",
                                  s.fma.cut == units::AlignCut::Floor ? " (floor cut)" : ""),
                      c, row.source, row.proven.empty() ? "-" : row.proven});
  }
  return t;
}
std::unique_ptr<ProcessingElement> make_tensor_core(const Params& p) { return std::make_unique<TensorCore>(p); }

}  // namespace arithsim::pe
