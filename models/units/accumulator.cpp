#include <arithsim/models/units/accumulator.hpp>

#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::units {

using K = Unrounded::Kind;

IntAccumulator::IntAccumulator(int width, bool saturate) : width_(width), saturate_(saturate) {
  if (width < 2 || width > 63) throw std::invalid_argument(fmt::format("accumulator width must be 2..63 bits, got {}", width));
  min_ = -(int64_t(1) << (width - 1));
  max_ = (int64_t(1) << (width - 1)) - 1;
}

void IntAccumulator::add(int64_t v) {
  const __int128 s = (__int128)value_ + v;
  if (s < min_ || s > max_) {
    overflow_ = true;
    if (saturate_) {
      value_ = s < min_ ? min_ : max_;
      return;
    }
    // Wrap: keep the low W bits, sign-extended.
    const uint64_t low = uint64_t(s) & ((uint64_t(1) << width_) - 1);
    value_ = (low >> (width_ - 1)) & 1 ? int64_t(low) - (int64_t(1) << width_) : int64_t(low);
    return;
  }
  value_ = int64_t(s);
}

Unrounded add(const Unrounded& a, const Unrounded& b) {
  if (a.kind == K::NaN || b.kind == K::NaN) return Unrounded::nan(false);
  if (a.kind == K::Inf || b.kind == K::Inf) {
    if (a.kind == K::Inf && b.kind == K::Inf && a.neg != b.neg) return Unrounded::nan(false);
    return a.kind == K::Inf ? a : b;
  }
  if (a.kind == K::Zero && b.kind == K::Zero) return Unrounded::zero(a.neg && b.neg);  // -0 only for -0 + -0
  if (a.kind == K::Zero) return b;
  if (b.kind == K::Zero) return a;
  // x: the larger exponent. Both as 128-bit: x.sig << 64, y aligned below it.
  const Unrounded& x = a.exp >= b.exp ? a : b;
  const Unrounded& y = a.exp >= b.exp ? b : a;
  const int d = x.exp - y.exp;
  const unsigned __int128 X = (unsigned __int128)x.sig << 64;
  unsigned __int128 Y;
  bool sticky_y = y.sticky;
  if (d >= 128) {
    Y = 0;
    sticky_y = true;
  } else {
    const unsigned __int128 full = (unsigned __int128)y.sig << 64;
    Y = full >> d;
    sticky_y = sticky_y || (d > 0 && (full << (128 - d)) != 0);
  }
  const bool sticky_x = x.sticky;
  const int e = x.exp - 127;  // weight of bit 0 of X
  if (x.neg == y.neg) {
    // Magnitudes add; the carry out of bit 127 needs one more bit.
    const unsigned __int128 s = X + Y;
    const bool carry = s < X;
    if (!carry) {
      Unrounded r = Unrounded::from_u128(x.neg, s, e);
      r.sticky = r.sticky || sticky_x || sticky_y;
      return r;
    }
    const unsigned __int128 t = (s >> 1) | ((unsigned __int128)1 << 127);
    Unrounded r = Unrounded::from_u128(x.neg, t, e + 1);
    r.sticky = r.sticky || (s & 1) || sticky_x || sticky_y;
    return r;
  }
  // Magnitudes subtract. A sticky on the subtrahend means slightly more is taken away:
  // borrow one unit and keep sticky (the remainder lies strictly inside that unit).
  bool neg = x.neg;
  unsigned __int128 big = X, small = Y;
  bool st_small = sticky_y;
  if (Y > X || (Y == X && sticky_y && !sticky_x)) {
    std::swap(big, small);
    neg = y.neg;
    st_small = sticky_x;
  }
  unsigned __int128 diff = big - small;
  const bool st = sticky_x || sticky_y;
  if (st_small && diff > 0) diff -= 1;
  if (diff == 0 && !st) return Unrounded::zero(false);  // exact cancellation: +0 (RNE)
  Unrounded r = Unrounded::from_u128(neg, diff, e);
  // A borrow that leaves nothing: the value lies strictly inside (0, 2^e); keep its
  // order of magnitude and mark it inexact (only reachable with two sticky inputs).
  if (diff == 0) r = Unrounded{K::Finite, neg, true, e - 1, uint64_t(1) << 63};
  r.sticky = r.sticky || st;
  return r;
}

FloatAccumulator::FloatAccumulator(const formats::ElementFormat& fmt, formats::RoundingOptions o) : fmt_(&fmt), o_(o) {
  fmt_->check(o_);
  reset();
}

}  // namespace arithsim::units
