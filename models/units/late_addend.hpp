// The late addend of CDNA3's matrix cores (KMG "Algorithm 1"): the products' aligned sum S
// (block_fma_align: F bits below the largest product exponent, cut toward zero) meets the
// addend c only after alignment, and every cut on that way rounds down (floor, signed), so
// the result depends on the signs (1 + tiny rounds to 1, -1 - tiny to -(1 + ulp)).
// Stages: align c (floor to S's grid) or align S (floor to s_bits below c's exponent, add,
// normalize, floor to norm_bits) -> the caller rounds once. docs/pe/tensor_core.md.
#pragma once

#include <climits>
#include <cstdint>

#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/units/block_fma.hpp>

namespace arithsim::units {

struct LateAddendSpec {
  static constexpr int kNoCutoff = INT_MAX;
  int s_bits = 32;     // S is floored to 2^(e_c - s_bits) when c's exponent is the larger
  int norm_bits = 31;  // the normalized S + c is floored to 2^(e' - norm_bits)
  int cutoff = kNoCutoff;  // c counts as 0 once e_max - e_c > cutoff (CDNA3 FP8: 25)
  void validate() const;   // s_bits, norm_bits 1..60; cutoff >= 0
};

// S * 2^(sum.e - fraction_bits) + c, exactly as the floors leave it. c: a zero or finite
// value with c_m fraction bits, whose stored exponent is c.exp + c_m (at least emin, the
// minimum normal exponent of its format; a zero counts as emin). sum must not be empty.
Unrounded late_addend_rd(const AlignedSum& sum, int fraction_bits, const formats::Decoded& c, int c_m, int emin,
                         const LateAddendSpec& s);

}  // namespace arithsim::units
