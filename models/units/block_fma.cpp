#include <arithsim/models/units/block_fma.hpp>

#include <algorithm>
#include <bit>
#include <stdexcept>

#include <fmt/format.h>

#include <arithsim/models/formats/quire.hpp>

namespace arithsim::units {

void BlockFmaSpec::validate() const {
  if (fraction_bits < 0 || fraction_bits > 60)
    throw std::invalid_argument(fmt::format("block FMA fraction bits must be 0..60, got {}", fraction_bits));
}

namespace {

void check_align(std::span<const BlockTerm> terms, const BlockFmaSpec& s) {
  if (s.cut != AlignCut::TowardZero || s.fraction_bits > 40)
    throw std::invalid_argument("block FMA alignment without normalization: cut toward zero and F <= 40 only");
  if (terms.size() > (size_t(1) << 20)) throw std::invalid_argument("block FMA: more than 2^20 terms");
}

}  // namespace

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
    const int64_t acc = block_fma_cut_sum(terms, grid);
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

AlignedSum block_fma_align(std::span<const BlockTerm> terms, const BlockFmaSpec& s) {
  check_align(terms, s);
  if (terms.empty()) return {};
  int e = s.exp_floor;
  for (const auto& t : terms) e = std::max(e, t.align_exp);
  return {false, block_fma_cut_sum(terms, e - s.fraction_bits), e};
}

AlignedSum block_fma_align_pair(std::span<const BlockTerm> g0, std::span<const BlockTerm> g1, const BlockFmaSpec& s) {
  const AlignedSum x = block_fma_align(g0, s), y = block_fma_align(g1, s);
  if (x.empty || y.empty) return x.empty ? y : x;
  const AlignedSum& hi = x.e >= y.e ? x : y;
  const AlignedSum& lo = x.e >= y.e ? y : x;
  const int sh = hi.e - lo.e;  // floor (arithmetic shift) of the smaller group onto the larger's grid
  return {false, hi.s + (sh >= 63 ? (lo.s < 0 ? -1 : 0) : lo.s >> sh), hi.e};
}

Unrounded exact_sum(std::span<const BlockTerm> terms) {
  if (terms.empty()) return Unrounded::zero(false);
  if (terms.size() > (size_t(1) << 20)) throw std::invalid_argument("exact sum: more than 2^20 terms");
  int lo = INT_MAX, hi = INT_MIN;
  for (const auto& t : terms) {
    lo = std::min(lo, t.lsb);
    hi = std::max(hi, t.lsb + int(std::bit_width(t.mant)));
  }
  if (hi - lo <= 100 && terms.size() <= 1024) {  // fits a 128-bit integer with carries and sign
    __int128 acc = 0;
    for (const auto& t : terms) {
      const __int128 v = __int128(t.mant) << (t.lsb - lo);
      acc += t.neg ? -v : v;
    }
    if (acc == 0) return Unrounded::zero(false);
    return Unrounded::from_u128(acc < 0, (unsigned __int128)(acc < 0 ? -acc : acc), lo);
  }
  formats::Quire q(lo, hi - lo + 22);  // + carries of 2^20 terms and the sign
  for (const auto& t : terms) q.add(t.neg, t.mant, t.lsb);
  return q.is_zero() ? Unrounded::zero(false) : q.value();
}

}  // namespace arithsim::units
