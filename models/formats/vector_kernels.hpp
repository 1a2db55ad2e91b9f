// Vector kernels behind ElementFormat's bulk encode and decode: the same results as the
// codecs' one-value routines (tests/formats/vector_kernels_test.cpp proves it per format),
// many values per instruction. Each kernel exists for AVX-512, AVX2 and a portable
// fallback; one is chosen per process from the CPU (docs/formats.md, "Speed").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace arithsim::formats::vec {

// Instruction-set levels the kernels are built for, in increasing order.
enum class Isa { Portable, Avx2, Avx512 };
std::string_view to_string(Isa i);
std::optional<Isa> parse_isa(std::string_view s);  // portable | avx2 | avx512

// What this CPU runs: x86-64-v4 (AVX-512 F/BW/DQ/VL) -> Avx512, x86-64-v3 (AVX2, FMA, F16C,
// BMI2) -> Avx2, anything else -> Portable.
Isa detected_isa();
// The level the kernels use: detected_isa(), lowered by ARITHSIM_SIMD=portable|avx2 in the
// environment (read once) or by set_isa_cap (tests run every level they can).
Isa active_isa();
void set_isa_cap(std::optional<Isa> cap);  // nullopt: the environment's cap again
// A one-line note when the kernels do not run at the CPU's best level or the CPU lacks
// AVX2 (the portable fallback runs: correct, slower); empty otherwise.
std::string active_isa_note();

// out[i] = table[in[i]] for 8-bit codes; `table` has 256 entries (formats narrower than
// 8 bits repeat theirs). AVX-512 with VBMI: four byte planes of the table looked up 64 codes
// at a time (vpermi2b); AVX2: gathers.
void decode8(const float* table, const uint8_t* in, float* out, size_t n);

// Round-to-nearest-even encode of float32 to a signed minifloat with subnormals (any ExMy
// whose smallest subnormal step times 2^23 is a normal float). Normal results round the
// float's bit pattern; subnormal ones come from one float addition of a magic constant whose
// step is the format's subnormal step (RNE in the hardware). Lanes whose input is NaN or inf,
// or whose magnitude passes `max_mag`, are left to the caller: their indices are written to
// `exceptions` and counted in the return value.
struct MinifloatLanes {
  int m = 3;                  // mantissa bits
  int bias = 7;               // exponent bias
  uint32_t max_mag = 0x7e;    // largest finite magnitude code
  uint32_t sign_bit = 0x80;   // 0 would be an unsigned format (not supported here)
  bool no_neg_zero = false;   // FNUZ: a zero result has no sign
  bool ftz = false;           // results that would be subnormal become zero
  bool daz_in = false;        // float32 subnormal inputs are zeros
  // Whether these lanes can encode such a format (false: use the codec).
  static bool supported(int m, int bias);
};
size_t encode_minifloat_rne(const MinifloatLanes& p, const float* in, size_t n, uint8_t* out, uint32_t* exceptions);
size_t encode_minifloat_rne(const MinifloatLanes& p, const float* in, size_t n, uint16_t* out, uint32_t* exceptions);

// Round-to-nearest-even encode of float32 to posit(n, es), n <= 16, es <= 3, per the posit
// standard (rounding on the encoding, clamping to minpos/maxpos). Zeros, float32 subnormals,
// inf and NaN are left to the caller (as above).
struct PositLanes {
  int n = 16;
  int es = 1;
  static bool supported(int n, int es) { return n >= 3 && n <= 16 && es >= 0 && es <= 3; }
};
size_t encode_posit_rne(const PositLanes& p, const float* in, size_t n, uint8_t* out, uint32_t* exceptions);
size_t encode_posit_rne(const PositLanes& p, const float* in, size_t n, uint16_t* out, uint32_t* exceptions);

}  // namespace arithsim::formats::vec
