#include <arithsim/models/units/late_addend.hpp>

#include <algorithm>
#include <bit>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::units {
namespace {

using I128 = __int128;

// v * 2^sh, rounded down (floor) when sh < 0. Left shifts stay below 2^100 here (callers'
// operands are < 2^60 and shift by < 40).
I128 shift_floor(I128 v, int sh) {
  if (sh >= 0) return v << sh;
  if (sh <= -127) return v < 0 ? -1 : 0;
  return v >> -sh;  // arithmetic: floor
}

Unrounded from_signed(I128 v, int grid) {
  if (v == 0) return Unrounded::zero(false);
  const bool neg = v < 0;
  return Unrounded::from_u128(neg, (unsigned __int128)(neg ? -v : v), grid);
}

int bit_length(I128 v) {
  const auto m = (unsigned __int128)(v < 0 ? -v : v);
  const uint64_t hi = uint64_t(m >> 64);
  return hi ? 128 - std::countl_zero(hi) : 64 - std::countl_zero(uint64_t(m));
}

}  // namespace

void LateAddendSpec::validate() const {
  if (s_bits < 1 || s_bits > 60 || norm_bits < 1 || norm_bits > 60)
    throw std::invalid_argument(fmt::format("late addend bits must be 1..60, got {} and {}", s_bits, norm_bits));
  if (cutoff < 0) throw std::invalid_argument(fmt::format("late addend cutoff must be >= 0, got {}", cutoff));
}

Unrounded late_addend_rd(const AlignedSum& sum, int fraction_bits, const formats::Decoded& c, int c_m, int emin,
                         const LateAddendSpec& s) {
  if (sum.empty) throw std::invalid_argument("late addend: no aligned sum");
  const bool c_finite = c.kind == Unrounded::Kind::Finite;
  if (!c_finite && c.kind != Unrounded::Kind::Zero) throw std::invalid_argument("late addend: c is not finite");
  const int e_max = sum.e, grid = sum.grid(fraction_bits);
  const int e_c = c_finite ? std::max(c.exp + c_m, emin) : emin;
  const I128 cv = c_finite ? (c.neg ? -I128(c.mant) : I128(c.mant)) : 0;  // c = cv * 2^c.exp
  if (e_max >= e_c) {
    // align c: floored onto S's grid (dropped past the cutoff)
    const bool cut = s.cutoff != LateAddendSpec::kNoCutoff && e_max - e_c > s.cutoff;
    const I128 c_al = (c_finite && !cut) ? shift_floor(cv, c.exp - grid) : 0;
    return from_signed(I128(sum.s) + c_al, grid);
  }
  // align S: floored to s_bits below e_c, added to c exactly, normalized (not below emin)
  // and floored to norm_bits below the leading bit.
  const int g2 = e_c - s.s_bits;
  const I128 t = shift_floor(sum.s, grid - g2) + (c_finite ? shift_floor(cv, c.exp - g2) : 0);
  if (t == 0) return Unrounded::zero(false);
  const int e_t = std::max(g2 + bit_length(t) - 1, emin);
  const int g3 = e_t - s.norm_bits;
  return g3 > g2 ? from_signed(shift_floor(t, g2 - g3), g3) : from_signed(t, g2);
}

}  // namespace arithsim::units
