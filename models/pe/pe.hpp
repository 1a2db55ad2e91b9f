// Bit-accurate (transaction-level) processing-element models: one dot product at a time,
// built from the shared datapath stages of models/units (decode -> multiply -> align ->
// accumulate -> normalize -> round -> encode). The cycle-level models, RTL and cost model
// reuse the same stages and names.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/units/accumulator.hpp>

namespace arithsim::pe {

// Bad PE name, parameter or shape: the message names the PE and the problem.
struct PeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// An operand value that is not exact in the PE's input format under scale=none: `index`
// is its position in the K-vector (the GEMM driver names it A[i, t] or B[t, j]).
struct OperandError : PeError {
  // `where` names the value in the message (default: "activation element 3").
  OperandError(const std::string& pe, char side, size_t index, double value, const std::string& format,
               const std::string& where = "");
  char side;  // 'a' (activations, a row of A) or 'w' (weights, a column of B)
  size_t index;
  double value;
  std::string format;
};

using Params = std::map<std::string, std::string>;

struct ParamInfo {
  std::string name, default_value, help;
};

struct PeInfo {
  std::string name;   // registry name, e.g. "mixpe"
  std::string title;  // one line
  std::string paper;  // source
  std::vector<ParamInfo> params;
};

// A K-vector operand as the PE holds it: element codes of `format`, with a scale (and
// zero point) per group of `group` elements along K. value(i) = (q - zero) * scale,
// where q is the decoded element; every value is exact in double.
struct Operand {
  const formats::ElementFormat* format = nullptr;
  std::vector<uint32_t> codes;
  size_t group = 0;             // elements per scale; = K for one scale
  std::vector<double> scales;   // per group
  std::vector<int32_t> zeros;   // per group (empty: all zero)
  size_t size() const { return codes.size(); }
  double scale(size_t i) const { return scales[i / group]; }
  int32_t zero(size_t i) const { return zeros.empty() ? 0 : zeros[i / group]; }
  double value(size_t i) const { return (format->decode(codes[i]) - zero(i)) * scale(i); }
};

class ParamReader;

// The operand policies of a PE, for its `scale` parameter: "none" (operands are exact
// values of the PE's input formats, taken as they are; anything else is an OperandError)
// beside the PE's own scalings, the first of which is the default.
struct OperandPolicies {
  std::vector<std::pair<std::string, std::string>> own;  // name, what it does
  ParamInfo param() const;                                // the `scale` parameter's entry
};

class ProcessingElement {
 public:
  virtual ~ProcessingElement() = default;
  virtual const PeInfo& info() const = 0;
  virtual std::string config() const = 0;  // resolved parameters, "key=value ..."
  // Throws PeError when the PE cannot run a reduction of length K (e.g. group size).
  virtual void check_k(size_t k) const = 0;
  // The operands as the hardware holds them: a row of A (activations) and a column of B
  // (weights), both of length K, under the operand policy: the PE's own scaling, or with
  // scale=none the values themselves (codes of the input format, unit scales, zero points
  // 0), where a value that is not exact in the format throws OperandError.
  Operand quantize_a(std::span<const float> a) const { return quantize(a, 'a'); }
  Operand quantize_w(std::span<const float> w) const { return quantize(w, 'w'); }
  const std::string& operand_policy() const { return policy_; }
  bool exact_operands() const { return policy_ == "none"; }
  // The PE's output for one dot product (a value of output_format()).
  virtual double dot(const Operand& a, const Operand& w) const = 0;
  // Every dot product of `rows` (of A) by `cols` (of B): out[i * cols.size() + j] =
  // dot(rows[i], cols[j]). PEs with a kernel over many outputs at once (the tensor core's
  // SIMD lanes) give the same values faster.
  virtual void gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const;
  virtual const formats::ElementFormat& output_format() const = 0;

 protected:
  // The PE's own scalings (the layout of an operand: formats, groups, zero points, also
  // under scale=none, which replaces its codes, scales and zeros).
  virtual Operand scale_a(std::span<const float> a) const = 0;
  virtual Operand scale_w(std::span<const float> w) const = 0;
  // Reads parameter `scale` (one of `p` or none); every PE constructor calls it.
  void read_operand_policy(const ParamReader& r, const OperandPolicies& p);

 private:
  Operand quantize(std::span<const float> x, char side) const;
  std::string policy_;
};

std::unique_ptr<ProcessingElement> make_pe(const std::string& name, const Params& params);
const std::vector<PeInfo>& pe_catalog();

// The rows of data a PE selects its configuration from (the tensor core's GPU presets),
// for `arithsim pe presets NAME`; every row names its source.
struct PresetTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};
// The PE's presets under `params` (e.g. a presets file), or std::nullopt when it has none.
// Throws PeError for an unknown PE or bad parameters.
std::optional<PresetTable> pe_presets(const std::string& name, const Params& params);

// Parameter access with defaults and one-line errors ("mixpe: bad value 'x' for group").
class ParamReader {
 public:
  ParamReader(const PeInfo& info, const Params& p);
  std::string str(const std::string& key) const;
  int integer(const std::string& key, int lo, int hi) const;
  bool flag(const std::string& key) const;  // true/false/1/0/yes/no
  formats::ElementFormat format(const std::string& key) const;
  [[noreturn]] void fail(const std::string& what) const;
  std::string resolved() const;  // every parameter with its value

 private:
  const PeInfo& info_;
  Params values_;
};

// The operand policies the PEs share (entries of OperandPolicies::own).
inline std::pair<std::string, std::string> policy_pow2() {
  return {"pow2", "a power-of-two scale per vector moves amax into the binade 2^min(emax, 8); elements saturate"};
}
inline std::pair<std::string, std::string> policy_round() {
  return {"round", "each value rounded (RNE) to the input format, unscaled"};
}

// Whether rows x cols into out is a GEMM a PE's own kernel takes: both sides non-empty, every
// operand of the same K, out of rows * cols values (else the PE leaves it to the default
// gemm, which reports a bad size).
bool gemm_shape_ok(std::span<const Operand> rows, std::span<const Operand> cols, std::span<const double> out);

// Quantization helpers shared by the PEs.
// Symmetric per-vector scaling onto an element format: a power-of-two scale 2^X with
// X = floor(log2 amax) - min(emax, 8) (the OCP MX rule over the whole vector for formats
// up to E4M3's range), elements saturate.
Operand quantize_pow2(const formats::ElementFormat& f, std::span<const float> x);
// Each value rounded to the format as it is (scale 1): FP16 activations, posits.
Operand quantize_unscaled(const formats::ElementFormat& f, std::span<const float> x);
// Symmetric integer quantization with a float scale amax/qmax (per vector).
Operand quantize_int_symmetric(const formats::ElementFormat& f, std::span<const float> x);
// Group-wise integer weights (GPTQ/AWQ style): FP16 scales, optional zero point. `codec` is
// the group-INT block codec of the same width, group and zero point (built once by the PE:
// its FP16 scale format carries decode tables).
formats::BlockSpec int_group_spec(int bits, size_t group, bool zero_point);
Operand quantize_int_groups(const formats::BlockCodec& codec, const formats::ElementFormat& f, std::span<const float> x);

// The operand side shared by the low-bit-weight PEs (MixPE, LUT Tensor Core): B-bit integer
// weights quantized group-wise along K (FP16 scale, optional zero point; unsigned codes with
// a zero point, two's complement without) and INT8 (symmetric float scale) or FP16
// (unscaled) activations from parameter "a"; the group size comes from parameter "group".
class LowBitOperands {
 public:
  LowBitOperands(const ParamReader& r, int weight_bits, bool zero_point, const std::string& activation_error);
  static OperandPolicies policies() {
    return {{{"group", "weights: integers per group along K with an FP16 scale (and zero point); activations: "
                       "int8 with a float32 scale per vector, or fp16 rounded"}}};
  }
  int weight_bits() const { return bits_; }
  size_t group() const { return group_; }
  bool int8_activations() const { return int8_; }
  const formats::ElementFormat& activation_format() const { return a_; }
  const formats::ElementFormat& weight_format() const { return w_; }
  void check_k(const ParamReader& r, size_t k) const;  // the group must divide K
  Operand quantize_a(std::span<const float> a) const {
    return int8_ ? quantize_int_symmetric(a_, a) : quantize_unscaled(a_, a);
  }
  Operand quantize_w(std::span<const float> w) const { return quantize_int_groups(wq_, w_, w); }

 private:
  int bits_;
  size_t group_;
  bool int8_;
  formats::ElementFormat a_, w_;
  formats::BlockCodec wq_;  // built once: its FP16 scale format carries decode tables
};

// The INT8-activation GEMM of the low-bit-weight PEs (MixPE, LUT Tensor Core), whose dot
// products compute, per weight group, the exact integer d = sum_i a_i q_i - z * sum_i a_i,
// dequantize it once (dequantize_group) into `acc` in group order, and scale the result by the
// activation scale into `out_format` (scale_output). Here the sums of 16 outputs of a row run
// on integer lanes (int_lanes.hpp). q is the two's-complement value of the weight code with
// `signed_weights`, else the code. Returns false, writing nothing, where a group's sum might
// not fit the 32-bit lanes; the shapes must be gemm_shape_ok and K a multiple of the group.
bool low_bit_int8_gemm(const LowBitOperands& ops, bool signed_weights, const formats::ElementFormat& acc,
                       const formats::ElementFormat& out_format, std::span<const Operand> rows, std::span<const Operand> cols,
                       std::span<double> out);
// The dequantization stage of a weight group, once per group: acc += round_acc(sum * s_g).
void dequantize_group(units::FloatAccumulator& acc, const formats::Unrounded& group_sum, double scale);
// The output stage of the PEs whose operands carry power-of-two scales (quantize_pow2):
// y * 2^(Xa + Xw), exact, then one rounding to `out`.
double pow2_scaled_output(formats::Unrounded y, const Operand& a, const Operand& w, const formats::ElementFormat& out);
// The output stage: round_out(acc * s_a).
double scale_output(const units::FloatAccumulator& acc, double scale, const formats::ElementFormat& out);

}  // namespace arithsim::pe
