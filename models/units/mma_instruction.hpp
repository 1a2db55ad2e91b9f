// One matrix-multiply-accumulate instruction of a GPU matrix unit, for one output element:
// d = a . b + c over the instruction's K products, as the hardware computes it: the K
// products are split into blocks (contiguous, or interleaved runs), each block's sum is
// rounded to the block result format and becomes the addend of the next block. A block's
// sum is one of the datapaths of the vendors' units (BlockSum): NVIDIA's aligned block FMA
// (units/block_fma.hpp), AMD CDNA1's exact sum, CDNA2's tree of rounded adds
// (units/rounded_tree.hpp), CDNA3's aligned products with a late, rounded-down addend
// (units/late_addend.hpp) and its FP8 variant over odd/even groups. The addend c joins the
// first block, or is added after the last one (AddendPlace). docs/pe/tensor_core.md gives
// each stage and the presets (models/pe/tensor_core_presets.yaml) that set its parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/units/block_fma.hpp>
#include <arithsim/models/units/late_addend.hpp>
#include <arithsim/models/units/rounded_tree.hpp>

namespace arithsim::units {

// How a block's products (and addend) are summed.
enum class BlockSum {
  Aligned,   // block FMA: align to the largest exponent, cut to F bits, add, normalize (NVIDIA)
  Exact,     // the exact sum (F = infinity): AMD CDNA1, and sequential FMA with block = 1
  Pairwise,  // products rounded to `out`, then a tree of rounded adds: AMD CDNA2
  OddEven,   // even- and odd-indexed products aligned apart, then merged: AMD CDNA3 FP8
};
// Where the addend c (and each block's carried result) enters.
enum class AddendPlace {
  First,    // a term of the (first) block's sum
  LateRne,  // added after the last block with one round-to-nearest-even add
  LateRd,   // merged after each block's alignment, every cut a floor (late_addend.hpp): CDNA3
  Last,     // the last rounded add of each block's tree (Pairwise): CDNA2
};

struct MmaSpec {
  formats::ElementFormat a = formats::ElementFormat::parse("float16");
  formats::ElementFormat b = formats::ElementFormat::parse("float16");
  formats::ElementFormat out = formats::ElementFormat::parse("float32");  // c and d
  int k = 16;           // products per instruction (per output element)
  int block = 16;       // products per block FMA (one normalization)
  int interleave = 0;   // runs of this many consecutive k go to the blocks in turn; 0: contiguous
  BlockFmaSpec fma;
  // Each block's result: rounded to `block_result` (a format whose values `out` holds
  // exactly, e.g. e8m13 inside float32) with `block_rounding`; overflow gives infinity.
  formats::ElementFormat block_result = formats::ElementFormat::parse("float32");
  formats::Rounding block_rounding = formats::Rounding::TowardZero;
  BlockSum sum = BlockSum::Aligned;
  AddendPlace c = AddendPlace::First;
  LateAddendSpec late;  // AddendPlace::LateRd
  // Subnormal inputs and c read as +0, and every rounding flushes subnormal results to a
  // zero of their sign (Pairwise only: CDNA2).
  bool ftz = false;
  // A product of magnitude >= 2^(emax(out) + 1) is an infinity before the sum (CDNA3).
  bool product_overflow_inf = false;
  uint32_t nan_code = 0x7fffffff;  // the output's NaN
  // The format the multipliers take the operands in, when the unit converts them first (FP8
  // on the FP16 datapath: an E4M3 subnormal is an FP16 normal, so its exponent field, and
  // with it the product's alignment exponent, changes). Every input value must be one of
  // its values. Empty: the input formats themselves.
  std::optional<formats::ElementFormat> operand_format;
  // Block-scaled inputs (Blackwell tcgen05 kind::mxf8f6f4, mxf4, mxf4nvf4): every run of
  // `scale_block` elements of a, and of b, carries one scale, a code of `scale` (UE8M0, or
  // E4M3 read without its sign: UE4M3). A NaN scale makes the result NaN.
  std::optional<formats::ElementFormat> scale;
  int scale_block = 0;
  // How scaled products enter the block sum. 0: each product is a term, its value and its
  // alignment exponent raised by both scales' exponents (power-of-two scales only:
  // mxf8f6f4). G > 0: the products are summed exactly in groups of G; a group's sum times
  // both scales' significands is one term, aligned by the scales' stored exponents alone,
  // whatever the sum (mxf4, mxf4nvf4).
  int scale_group = 0;
  // Throws std::invalid_argument: minifloat inputs of <= 32 significand bits, block divides
  // k, interleave divides block, block_result inside out, inputs inside operand_format, and
  // the combinations of sum and c that the datapaths define (Pairwise: c Last, contiguous
  // power-of-two blocks of <= 64, block_result = out; OddEven: c LateRd; Exact: c First).
  void validate() const;
};

class MmaInstruction {
 public:
  explicit MmaInstruction(MmaSpec s);
  const MmaSpec& spec() const { return s_; }
  // a, b: k codes of the input formats (fewer: the rest are zero); c: a code of `out`.
  // Returns d as a code of `out`. NaN, inf * 0 or inf - inf among the products and c give
  // nan_code; otherwise an infinity among them gives that infinity.
  // Block-scaled presets take sa, sb: the scale codes of the instruction's runs of
  // scale_block elements (k / scale_block of each; fewer with fewer elements).
  uint32_t apply(std::span<const uint32_t> a, std::span<const uint32_t> b, uint32_t c,
                 std::span<const uint32_t> sa = {}, std::span<const uint32_t> sb = {}) const;

  // The same on a decoded accumulator value (d in the block result's representation, with
  // its fraction bits): chains of instructions pass D to C without the code round trip.
  struct Value {
    formats::Decoded d;
    int m = 0;  // fraction bits of the format d is in (its alignment exponent is d.exp + m)
  };
  Value apply(std::span<const uint32_t> a, std::span<const uint32_t> b, const Value& c,
              std::span<const uint32_t> sa = {}, std::span<const uint32_t> sb = {}) const;
  Value value(uint32_t c_code) const;    // a code of `out` as a Value
  uint32_t code(const Value& d) const;   // a Value as a code of `out` (NaN: nan_code)

  // An operand as the multiplier takes it: significand, weight of its LSB, the exponent
  // field it aligns by (lsb + fraction bits), and its class.
  struct OperandBits {
    uint32_t mant = 0;
    int16_t lsb = 0, align = 0;
    uint8_t cls = 0;  // kZero, kFinite, kNaN, kPosInf, kNegInf
    bool neg = false;
  };
  enum : uint8_t { kZero = 0, kFinite = 1, kNaN = 2, kPosInf = 4, kNegInf = 8 };  // OperandBits::cls
  OperandBits operand_a(uint32_t code) const;
  OperandBits operand_b(uint32_t code) const;
  // What a kernel over many outputs at once (units/mma_gemm.hpp) needs to run the aligned
  // block FMA itself: set only when the datapath is the 64-bit add stage (`lanes`), c joins
  // the first block, and block results are IEEE cuts.
  struct AlignedDatapath {
    bool lanes = false;
    int am = 0, bm = 0;                          // fraction bits of the multiplier's operands
    int blockm = 0, block_emin = 0, block_emax = 0;  // the block result format
  };
  AlignedDatapath aligned_datapath() const;

 private:
  struct DecodeTable {  // every code's operand, for formats of <= 16 bits (else empty)
    uint32_t mask = 0;
    std::vector<OperandBits> table;
    // IEEE formats of 9..16 bits (fp16, bf16) are decoded from their fields instead: a
    // 65,536-entry table does not stay in cache, and the fields take a few instructions.
    bool fields = false;
    int m = 0, bias = 0;
    uint32_t emask = 0;
  };
  static OperandBits from_fields(const DecodeTable& t, uint32_t code);
  OperandBits operand(const formats::ElementFormat& f, const DecodeTable& t, int m, uint32_t code) const;
  static OperandBits to_bits(const formats::Decoded& d, int m);
  Value apply_pairwise(std::span<const uint32_t> a, std::span<const uint32_t> b, const Value& c, size_t n) const;
  Value apply_scaled(std::span<const uint32_t> a, std::span<const uint32_t> b, const Value& c, std::span<const uint32_t> sa,
                     std::span<const uint32_t> sb, size_t n) const;
  // A block's sum rounded to the block result (an exponent past the format's: infinity).
  formats::Decoded round_block(const formats::Unrounded& sum) const;
  Value apply_pairwise_float(std::span<const uint32_t> a, std::span<const uint32_t> b, const Value& c, size_t n) const;
  // kNaN, kPosInf, kNegInf, kZero or kFinite: the class of the product x * y.
  uint8_t product_class(const OperandBits& x, const OperandBits& y) const;
  MmaSpec s_;
  int am_, bm_, outm_, blockm_, block_emax_, block_emin_, out_emin_, prod_inf_exp_;
  bool float_tree_ = false;  // Pairwise into binary32: the host's float adds
  bool fast_sum_ = false;  // aligned, cut toward zero, F <= 40: the 64-bit add stage inline
  bool ieee_block_ = false;  // the block result is an IEEE format under RZ or RNE: cut_block
  formats::Decoded cut_block(const formats::Unrounded& u) const;
  std::optional<RoundedTree> tree_;  // BlockSum::Pairwise
  DecodeTable ta_, tb_;
};

}  // namespace arithsim::units
