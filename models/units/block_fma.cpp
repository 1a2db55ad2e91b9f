#include <arithsim/models/units/block_fma.hpp>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::units {

void BlockFmaSpec::validate() const {
  if (fraction_bits < 0 || fraction_bits > 60)
    throw std::invalid_argument(fmt::format("block FMA fraction bits must be 0..60, got {}", fraction_bits));
}

BlockTerm addend_term(const Decoded& c, int c_m) { return {c.neg, c.mant, c.exp, c.exp + c_m}; }

Unrounded block_fma_sum(std::span<const BlockTerm> terms, const BlockFmaSpec& s) {
  if (terms.empty()) return Unrounded::zero(false);
  if (terms.size() > (size_t(1) << 20)) throw std::invalid_argument("block FMA: more than 2^20 terms");
  int e = s.exp_floor;
  for (const auto& t : terms) e = std::max(e, t.align_exp);
  const int grid = e - s.fraction_bits;  // weight of one unit of the aligned integers
  // Every cut term is below 2^(F + 2) (|term| < 2^(align_exp + 2): products' significands
  // are < 4 at their alignment exponent, an addend's < 2), so 2^20 of them fit in F + 23
  // bits: 64-bit integers for every F <= 40 (all the presets), 128 beyond.
  if (s.cut == AlignCut::TowardZero && s.fraction_bits <= 40) {
    int64_t acc = 0;
    for (const auto& t : terms) {
      const int sh = t.lsb - grid;
      const uint64_t v = sh >= 0 ? t.mant << sh : (sh > -64 ? t.mant >> -sh : 0);
      acc += t.neg ? -int64_t(v) : int64_t(v);
    }
    if (acc == 0) return Unrounded::zero(false);
    return Unrounded::from_int(acc < 0, acc < 0 ? uint64_t(-acc) : uint64_t(acc), grid);
  }
  __int128 acc = 0;
  for (const auto& t : terms) {
    const int sh = t.lsb - grid;  // left shift of mant onto the grid
    unsigned __int128 v;
    if (sh >= 0) {
      v = (unsigned __int128)t.mant << sh;
    } else if (-sh >= 64) {
      v = (s.cut == AlignCut::Floor && t.neg) ? 1 : 0;  // mant != 0: the floor of a negative sliver is -1
    } else {
      const uint64_t kept = t.mant >> -sh;
      const bool lost = (t.mant & ((uint64_t{1} << -sh) - 1)) != 0;
      v = kept + ((s.cut == AlignCut::Floor && t.neg && lost) ? 1 : 0);
    }
    acc += t.neg ? -__int128(v) : __int128(v);
  }
  if (acc == 0) return Unrounded::zero(false);
  const bool neg = acc < 0;
  return Unrounded::from_u128(neg, (unsigned __int128)(neg ? -acc : acc), grid);
}

}  // namespace arithsim::units
