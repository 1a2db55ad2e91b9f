// Block (shared-scale) formats: OCP Microscaling (MXFP8/6/4, MXINT8 with E8M0 scales),
// NVFP4 (E2M1 with E4M3 block scales and an optional FP32 tensor scale), group-wise
// integer quantization (GPTQ/AWQ-style, FP16 scale, optional zero point) and block floating
// point with a shared exponent (BFP/MSFP). Block size and scale format are parameters.
// The scale format is the kind's default (MX E8M0, NVFP4 E4M3, group INT FP16) or any
// minifloat of at most 16 bits given as `:scale=F`.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <arithsim/models/formats/format.hpp>

namespace arithsim::formats {

enum class BlockKind { MX, NVFP4, GroupInt, BFP };

struct BlockSpec {
  BlockKind kind = BlockKind::MX;
  std::string name;
  ElementFormat elem = ElementFormat::parse("fp4");  // element codec (BFP: symmetric int)
  int block = 32;
  // Scale format spec (`:scale=F`); empty: the kind's default (MX float8_e8m0fnu, NVFP4
  // float8_e4m3fn, group INT float16). BFP's scale is its shared exponent (exp_bits).
  std::string scale;
  // MX: what a block holding NaN or inf becomes. ScaleNaN (default, as the OCP spec's
  // reference and microxcaling): the scale is NaN (0xFF), so every element decodes to NaN.
  // Element: the scale comes from the finite values; NaN/inf go through the element codec
  // (saturating), keeping NaN where the element format has one.
  enum class MxSpecials { ScaleNaN, Element } mx_specials = MxSpecials::ScaleNaN;
  // NVFP4.
  bool tensor_scale = false;        // FP32 per-tensor scale amax/(448*6)
  double min_scale = 0x1p-6;        // block scales are kept >= this (0: no floor)
  bool scale_round_up = false;      // false: RNE of amax/6 to E4M3; true: round up (no clipping)
  // Group-wise INT.
  bool zero_point = false;          // asymmetric with an integer zero point
  // BFP: shared exponent width (bias 2^(w-1)-1).
  int exp_bits = 8;

  std::string to_string() const { return name; }
  int element_bits() const { return elem.bits(); }
};

// mxfp8 (= mxfp8_e4m3), mxfp8_e5m2, mxfp6_e2m3, mxfp6_e3m2, mxfp4, mxint8, nvfp4,
// intB_gG (e.g. int4_g128), bfpN (N = bits per element incl. sign, MSFP-style block 16),
// each with options :block=N, :scale=F, :min=-128 (mxint8: elements may use -2.0), :asym, :tensor_scale, :min_scale=X, :scale_round=up,
// :specials=element. Throws std::invalid_argument for an unknown name or bad option.
BlockSpec parse_block(std::string_view text);
// The scale format of a spec (its `scale`, or the kind's default; BFP: uint<exp_bits>).
// Throws std::invalid_argument naming the spec where the scale makes no sense: not a
// minifloat of at most 16 bits, or (MX with :specials=scale_nan) one without a NaN.
ElementFormat block_scale_format(const BlockSpec& s);
bool looks_like_block(std::string_view text);

// The named block formats (for `arithsim format list`): the spelling parse_block takes, its
// other spellings, a short note and where the definition comes from.
struct BlockPreset {
  std::string name;
  std::vector<std::string> aliases;
  std::string note;
  std::string source;
};
const std::vector<BlockPreset>& block_presets();

struct Quantized {
  size_t rows = 0, row_len = 0, blocks_per_row = 0;
  std::vector<uint8_t> codes;    // element codes, row-major like the input
  std::vector<uint32_t> scales;  // one code per block (E8M0, E4M3, FP16 or the BFP exponent)
  std::vector<uint8_t> zeros;    // per block, group-wise INT with zero point only
  float tensor_scale = 1.0f;     // NVFP4 with tensor_scale only
};

class BlockCodec {
 public:
  explicit BlockCodec(BlockSpec spec);
  const BlockSpec& spec() const { return s_; }
  const ElementFormat& scale_format() const { return scale_fmt_; }

  // Blocks run along rows of length row_len (the last axis); a row's last block may be
  // shorter. Throws std::invalid_argument for non-finite input where the format has no
  // rule for it (everything but MX).
  // On up to `threads` threads (1..threads::kMaxThreads; the result does not depend on it).
  Quantized quantize(std::span<const float> x, size_t row_len, const RoundingOptions& o = {}, size_t threads = 1) const;
  std::vector<double> dequantize(const Quantized& q) const;

  // One block: writes element codes, returns the scale code (and the zero point).
  uint32_t quantize_block(std::span<const float> x, std::span<uint8_t> codes, uint8_t* zero,
                          float tensor_scale, const RoundingOptions& o) const;
  double dequantize_element(uint8_t code, uint32_t scale, uint8_t zero, float tensor_scale) const;
  // The decoded scale of a block (2^X for MX and BFP).
  double scale_value(uint32_t scale_code) const;

 private:
  BlockSpec s_;
  ElementFormat scale_fmt_;
  // MX: the shared exponents X whose 2^X the scale format holds exactly, and their codes.
  int x_min_ = 0, x_max_ = 0;
  std::vector<uint32_t> x_code_;     // code of 2^X at X - x_min_
  uint32_t scale_nan_ = 0;           // the scale's NaN code (MX :specials=scale_nan)
  IntCodec wide_ = IntCodec(IntSpec{32, true, true, false, 0});
};

}  // namespace arithsim::formats
