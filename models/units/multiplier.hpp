// Multipliers: exact (any two formats, into the unrounded form), shift-add over canonical
// signed digits, lookup table, and L-Mul ("Addition is All You Need", Luo & Sun 2024).
// Stage names follow docs/pe: decode -> multiply -> (align -> accumulate -> round).
#pragma once

#include <cstdint>
#include <vector>

#include <arithsim/models/formats/format.hpp>

namespace arithsim::units {

using formats::Decoded;
using formats::Unrounded;

// multiply stage: exact product; NaN for NaN or inf*0, inf for inf, signed zero for zero.
Unrounded multiply_exact(const Decoded& a, const Decoded& b);

// Product of two unrounded values (e.g. a sum and a scale factor): 128-bit exact product,
// truncated to 64 bits with sticky; rounds correctly when at most one input is inexact.
Unrounded multiply(const Unrounded& a, const Unrounded& b);

// Canonical signed-digit (non-adjacent form) recoding of an integer weight, most
// significant digit first: w = sum(+-2^shift). At most ceil((bits+1)/2) nonzero digits.
struct SignedDigit {
  int shift;
  bool neg;
};
std::vector<SignedDigit> csd(int64_t w);

// Shift-add multiplier: x * w as the sum of x shifted by the `terms` most significant CSD
// digits of w (exact when terms >= csd(w).size(); an approximation below that).
int64_t shift_add_multiply(int64_t x, int64_t w, int terms);

// Lookup-table multiplier: every product of two small formats (<= 2^16 entries) held in
// a table and returned exactly.
class LutMultiplier {
 public:
  LutMultiplier(const formats::ElementFormat& a, const formats::ElementFormat& b);
  const Unrounded& multiply(uint32_t a, uint32_t b) const { return table_[(size_t(a) << bits_b_) | b]; }
  size_t entries() const { return table_.size(); }

 private:
  int bits_b_;
  std::vector<Unrounded> table_;
};

// L-Mul: x*y ~= (1 + x_m + y_m + 2^-l(m)) * 2^(x_e + y_e) for m-bit mantissas, with
// l(m) = m (m <= 3), 3 (m = 4), 4 (m > 4).
//  Formula:  exactly that value (the sum may reach 3; no renormalization).
//  Hardware: one integer add of the exponent|mantissa fields, minus bias << m, plus the
//            offset 2^(m - l(m)) in mantissa LSBs; mantissa carries move into the
//            exponent, so when 1 <= x_m + y_m + 2^-l < 2 the value is (x_m + y_m + 2^-l) *
//            2^(x_e + y_e + 1) instead, and for m >= 5 a sum >= 2 carries twice.
// Added here (the paper has none): NaN/inf propagate; zero or subnormal operands give a
// signed zero (subnormals are flushed: the field add assumes an implicit one); the
// exponent is not range-limited (the accumulator's rounding decides overflow).
enum class LMulVariant { Formula, Hardware };
int lmul_offset_bits(int m);  // l(m)
Unrounded lmul(const formats::MinifloatCodec& f, uint32_t a, uint32_t b, LMulVariant v);

}  // namespace arithsim::units
