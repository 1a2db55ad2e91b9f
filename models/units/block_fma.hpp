// The block fused multiply-add of GPU matrix units (tensor cores): a block of exact products
// and an addend are aligned to the block's largest exponent on a grid of `fraction_bits`
// bits below it, every term is cut to that grid with no guard or sticky bit, the cut terms
// are summed exactly, and the sum is normalized once (the caller rounds it to the block's
// result format). Stages: multiply -> align -> add -> normalize; docs/pe/tensor_core.md.
//
// Unlike units::AdderTree (a window below the largest term's leading bit), the alignment
// exponent of a product is its *unnormalized* exponent ea + eb (significand in [0, 4)), as
// the hardware reads it off the exponent fields without looking at the significands.
#pragma once

#include <climits>
#include <cstdint>
#include <span>

#include <arithsim/models/formats/format.hpp>

namespace arithsim::units {

using formats::Decoded;
using formats::Unrounded;

// One finite nonzero term: value (-1)^neg * mant * 2^lsb, aligned by `align_exp`. Trivial
// (no member initializers) so that a block's scratch array costs nothing to set up.
struct BlockTerm {
  bool neg;
  uint64_t mant;
  int lsb;
  int align_exp;
};

// How a term is cut to the alignment grid: sign-magnitude truncation toward zero, or the
// two's-complement floor (toward minus infinity).
enum class AlignCut { TowardZero, Floor };

struct BlockFmaSpec {
  static constexpr int kNoFloor = INT_MIN / 4;
  int fraction_bits = 24;     // F: the grid is 2^(e - F) for alignment exponent e
  int exp_floor = kNoFloor;   // e = max(e, exp_floor)
  AlignCut cut = AlignCut::TowardZero;
  void validate() const;      // fraction_bits 0..60
};

// The exponent fields as the hardware holds them: a decoded finite nonzero value of a
// minifloat with `m` fraction bits has the stored exponent lsb + m (normal: floor(log2|x|);
// subnormal: the format's minimum exponent). A product's term (MmaInstruction's multiply
// stage) is the exact product with the sum of the operands' stored exponents.
BlockTerm addend_term(const Decoded& c, int c_m);

// align -> add -> normalize: the exact sum of the cut terms (+0 when it is zero or there
// are no terms). At most 2^20 terms, each with |value| < 2^(align_exp + 2) (as addend_term and the
// multiply stage make them).
Unrounded block_fma_sum(std::span<const BlockTerm> terms, const BlockFmaSpec& s);

}  // namespace arithsim::units
