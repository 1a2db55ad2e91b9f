// quire<T>: the exact accumulator of a number type (Kulisch; the posit standard's quire):
// sums of values and of exact products with no rounding until round(). Wide enough for
// every product of two finite values of T plus 2^31 of them (carry bits); a term that would
// overflow it throws std::domain_error (the sum is left as it was) rather than wrap.
// Wrapping integers round to the sum modulo 2^N, as their hardware accumulators do.
//   arithsim::quire<arithsim::posit<16, 1>> q;
//   for (i...) q.fma(a[i], b[i]);
//   arithsim::posit<16, 1> dot = q.round();          // or fdp(a, b)
#pragma once

#include <algorithm>
#include <span>
#include <stdexcept>

#include <arithsim/models/formats/quire.hpp>
#include <arithsim/models/numbers/number.hpp>

namespace arithsim {

template <class T>
class quire {
 public:
  using value_type = T;

  quire() : q_(lsb(), width()) {}
  void clear() {
    q_.clear();
    nan_ = pos_inf_ = neg_inf_ = false;
  }
  // q += a * b exactly.
  quire& fma(T a, T b) { return add_product(a, b, false); }
  // q -= a * b exactly.
  quire& fms(T a, T b) { return add_product(a, b, true); }
  quire& operator+=(T a) { return add_value(a, false); }
  quire& operator-=(T a) { return add_value(a, true); }
  // The sum rounded once to T (NaN/NaR if a NaN or both infinities were added); throws
  // std::invalid_argument for options the format cannot honour.
  T round(const formats::RoundingOptions& o = T::format::arithmetic()) const {
    using U = formats::Unrounded;
    T::format::check(o);
    if constexpr (T::format::is_integer && T::format::is_modulo)  // exact: the low N bits
      return T::from_bits(typename T::format::storage(q_.low_bits()));
    if (nan_ || (pos_inf_ && neg_inf_)) return T::from_bits(T::format::encode(U::nan(false), o));
    if (pos_inf_ || neg_inf_) return T::from_bits(T::format::encode(U::inf(neg_inf_), o));
    return T::from_bits(T::format::encode(q_.value(), o));
  }
  bool is_zero() const { return !nan_ && !pos_inf_ && !neg_inf_ && q_.is_zero(); }

 private:
  // The LSB weighs the smallest product of two values (or the smallest value, if larger);
  // the MSB is above the largest product (an integer's lowest squared included), plus 31
  // carry bits and a sign bit.
  static int value_exp(T x) {  // floor(log2 |x|) of a finite nonzero value
    return x.unrounded().exp;
  }
  static int lsb() {
    if constexpr (T::format::is_integer) return 0;
    const int e = value_exp(std::numeric_limits<T>::denorm_min());
    return std::min(2 * e, e);
  }
  static int width() {
    const int e = value_exp(std::numeric_limits<T>::max());
    return std::max(64, std::max(2 * e + 3, e + 2) - lsb() + 32);
  }
  quire& add_product(T a, T b, bool negate) {
    const formats::Unrounded x = a.unrounded(), y = b.unrounded();
    const bool neg = (x.neg != y.neg) != negate;
    if (x.finite() && y.finite()) {  // the common case: the exact 128-bit product
      q_.add(neg, (unsigned __int128)x.sig * y.sig, x.exp + y.exp - 126);
      return *this;
    }
    formats::Unrounded p = units::multiply(x, y);  // zero, inf or NaN by IEEE rules
    p.neg = neg;
    special(p);
    return *this;
  }
  quire& add_value(T a, bool negate) {
    formats::Unrounded x = a.unrounded();
    x.neg = x.neg != negate;
    if (!special(x)) q_.add(x);
    return *this;
  }
  // Records a NaN or infinite term; true when the term was special (not added).
  bool special(const formats::Unrounded& u) {
    switch (u.kind) {
      case formats::Unrounded::Kind::NaN: nan_ = true; return true;
      case formats::Unrounded::Kind::Inf: (u.neg ? neg_inf_ : pos_inf_) = true; return true;
      case formats::Unrounded::Kind::Zero: return true;
      case formats::Unrounded::Kind::Finite: return false;
    }
    return false;
  }

  formats::Quire q_;
  bool nan_ = false, pos_inf_ = false, neg_inf_ = false;
};

// Fused dot product: sum a[i] * b[i] exactly, rounded once.
template <class T>
T fdp(std::span<const T> a, std::span<const T> b) {
  if (a.size() != b.size()) throw std::invalid_argument("fdp: the vectors differ in length");
  quire<T> q;
  for (size_t i = 0; i < a.size(); ++i) q.fma(a[i], b[i]);
  return q.round();
}

}  // namespace arithsim
