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

// The add stage alone: the terms cut toward zero onto the grid 2^grid and summed in 64
// bits (every term below 2^(F + 2) on the grid, F <= 40). Branch-free: the shift directions
// and signs depend on the data, and mispredicted branches cost more than both shifts.
inline int64_t block_fma_cut_sum(std::span<const BlockTerm> terms, int grid) {
  int64_t acc = 0;
  for (const auto& t : terms) {
    const int sh = t.lsb - grid;
    const uint64_t left = t.mant << (sh & 63);  // used only when 0 <= sh (< 64, see above)
    const int rs = -sh;
    const uint64_t right = rs >= 64 ? 0 : t.mant >> (rs & 63);
    const uint64_t v = sh >= 0 ? left : right;
    const uint64_t neg = -uint64_t(t.neg);
    acc += int64_t((v ^ neg) - neg);
  }
  return acc;
}

// align -> add, without the normalization: the sum as the integer `s` on the grid
// 2^(e - F), for the stages that add more after alignment (late_addend.hpp). `empty`: no
// terms (then s = 0 and e is meaningless). Cut toward zero, F <= 40.
struct AlignedSum {
  bool empty = true;
  int64_t s = 0;
  int e = 0;  // the alignment exponent
  int grid(int fraction_bits) const { return e - fraction_bits; }
};
AlignedSum block_fma_align(std::span<const BlockTerm> terms, const BlockFmaSpec& s);

// Two groups aligned separately (CDNA3 FP8: the even- and odd-indexed products), each to
// its own largest exponent; the group of the smaller exponent is then floored onto the
// other's grid and the two are added. A group whose terms cancel keeps its exponent.
AlignedSum block_fma_align_pair(std::span<const BlockTerm> g0, std::span<const BlockTerm> g1, const BlockFmaSpec& s);

// The exact sum of the terms (F = infinity: CDNA1's blocks, sequential FMA), +0 when it is
// zero or there are none. The caller rounds it once.
Unrounded exact_sum(std::span<const BlockTerm> terms);

}  // namespace arithsim::units
