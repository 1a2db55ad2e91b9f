#include <arithsim/models/units/divider.hpp>

#include <stdexcept>

namespace arithsim::units {

using formats::Unrounded;
using K = Unrounded::Kind;

Unrounded divide(const Unrounded& a, const Unrounded& b) {
  if (a.sticky || b.sticky) throw std::invalid_argument("divide: operands must be exact");
  const bool neg = a.neg != b.neg;
  if (a.kind == K::NaN || b.kind == K::NaN) return Unrounded::nan(neg);
  if (a.kind == K::Inf) return b.kind == K::Inf ? Unrounded::nan(neg) : Unrounded::inf(neg);
  if (b.kind == K::Inf) return Unrounded::zero(neg);
  if (b.kind == K::Zero) return a.kind == K::Zero ? Unrounded::nan(neg) : Unrounded::inf(neg);
  if (a.kind == K::Zero) return Unrounded::zero(neg);
  // a.sig * 2^64 / b.sig lies in (2^63, 2^65): at least 64 quotient bits; a nonzero
  // remainder means the exact quotient lies strictly above the truncated one (sticky).
  const unsigned __int128 num = (unsigned __int128)a.sig << 64;
  const unsigned __int128 q = num / b.sig;
  const bool rem = num % b.sig != 0;
  Unrounded r = Unrounded::from_u128(neg, q, a.exp - b.exp - 64);
  r.sticky = r.sticky || rem;
  return r;
}

}  // namespace arithsim::units
