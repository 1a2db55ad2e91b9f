// Number value types over the bit-exact codecs: `number<Format>` is one code of a format
// (its bits, nothing else) with C++ operators, as in Universal and ml_dtypes. A Format is
// a small traits struct (posit.hpp, minifloat.hpp, integer.hpp): its storage type, its
// codec's decode to the exact unrounded form and encode from it, the rounding of its
// arithmetic, and its special codes. Every operator is exact and then rounded once to the
// format (units::add / multiply / divide keep 64 significant bits and a sticky bit, which
// is enough for one correct rounding to any format here), so `a * b + c` rounds twice and
// `fma(a, b, c)` once, as in IEEE 754 hardware.
#pragma once

#include <cmath>
#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include <arithsim/models/formats/decimal.hpp>
#include <arithsim/models/formats/rounding.hpp>
#include <arithsim/models/formats/unrounded.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/divider.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim {

// What a Format provides (see posit_format, minifloat_format, integer_format).
template <class F>
concept number_format = requires(typename F::storage s, const formats::Unrounded& u, const formats::RoundingOptions& o) {
  { F::decode(s) } -> std::same_as<formats::Unrounded>;
  { F::encode(u, o) } -> std::same_as<typename F::storage>;
  { F::arithmetic() } -> std::same_as<formats::RoundingOptions>;
  { F::name() } -> std::convertible_to<std::string>;
  { F::is_nan(s) } -> std::same_as<bool>;
  { F::bits } -> std::convertible_to<int>;
};

template <number_format F>
class number {
 public:
  using format = F;
  using storage = typename F::storage;

  constexpr number() = default;  // the code 0 (zero, or the smallest E8M0 scale)
  // From any arithmetic value, rounded by the format's arithmetic rounding (integers
  // exactly, at any width): implicit, so that `a * 2` and `posit<16, 1> x = 1.5` work.
  template <class A>
    requires std::is_arithmetic_v<A>
  number(A x) : bits_(F::encode(from_arithmetic(x), F::arithmetic())) {}  // NOLINT(google-explicit-constructor)
  // From a double with a chosen rounding (mode, overflow policy, stochastic source, ...).
  number(double x, const formats::RoundingOptions& o) : bits_(F::encode(formats::Unrounded::from_double(x), o)) {}
  // From a decimal string ("0.1", "-2.5e-3", "inf", "nan"), rounded once from its exact
  // value; throws std::invalid_argument("'TEXT' is not a number").
  explicit number(std::string_view text, const formats::RoundingOptions& o = F::arithmetic())
      : bits_(F::encode(formats::parse_decimal(text), o)) {}

  static constexpr number from_bits(storage b) {
    number n;
    n.bits_ = b;
    return n;
  }
  constexpr storage bits() const { return bits_; }

  // The exact value (every value of every format here is a double).
  formats::Unrounded unrounded() const { return F::decode(bits_); }
  double to_double() const {
    const formats::Unrounded u = unrounded();
    switch (u.kind) {
      case formats::Unrounded::Kind::Zero: return u.neg ? -0.0 : 0.0;
      case formats::Unrounded::Kind::Inf: return u.neg ? -std::numeric_limits<double>::infinity()
                                                       : std::numeric_limits<double>::infinity();
      case formats::Unrounded::Kind::NaN: return std::numeric_limits<double>::quiet_NaN();
      case formats::Unrounded::Kind::Finite: break;
    }
    const double v = std::ldexp(double(u.sig >> 11), u.exp - 52);  // <= 53 significant bits
    return u.neg ? -v : v;
  }
  template <class A>
    requires std::is_arithmetic_v<A>
  explicit operator A() const { return static_cast<A>(to_double()); }

  bool isnan() const { return F::is_nan(bits_); }
  bool isinf() const { return unrounded().kind == formats::Unrounded::Kind::Inf; }
  bool iszero() const { return unrounded().kind == formats::Unrounded::Kind::Zero; }

  // Arithmetic: exact, then one rounding to the format (hidden friends, so that an
  // arithmetic operand on either side converts).
  friend number operator+(number a, number b) { return round(units::add(a.unrounded(), b.unrounded())); }
  friend number operator-(number a, number b) { return round(units::add(a.unrounded(), negated(b.unrounded()))); }
  friend number operator*(number a, number b) { return round(units::multiply(a.unrounded(), b.unrounded())); }
  friend number operator/(number a, number b) { return round(units::divide(a.unrounded(), b.unrounded())); }
  friend number operator-(number a) { return round(negated(a.unrounded())); }
  friend number operator+(number a) { return a; }
  number& operator+=(number b) { return *this = *this + b; }
  number& operator-=(number b) { return *this = *this - b; }
  number& operator*=(number b) { return *this = *this * b; }
  number& operator/=(number b) { return *this = *this / b; }
  // a * b + c rounded once.
  friend number fma(number a, number b, number c) {
    return round(units::add(units::multiply(a.unrounded(), b.unrounded()), c.unrounded()));
  }
  friend number abs(number a) {
    formats::Unrounded u = a.unrounded();
    u.neg = false;
    return round(u);
  }

  // Comparison by the format's rules: IEEE-style formats compare values (NaN is unordered
  // and unequal to itself, -0 == +0); posits order their codes as two's complement
  // integers (NaR equals itself and is below every number), per the posit standard.
  friend bool operator==(number a, number b) {
    if constexpr (F::ordered_codes) return a.bits_ == b.bits_;
    else return a.to_double() == b.to_double();
  }
  friend auto operator<=>(number a, number b) {
    if constexpr (F::ordered_codes) return F::signed_code(a.bits_) <=> F::signed_code(b.bits_);
    else return a.to_double() <=> b.to_double();
  }

  friend std::ostream& operator<<(std::ostream& os, number x) { return os << to_string(x); }
  // The shortest decimal that reads back as the same value ("NaR" for a posit's NaR).
  friend std::string to_string(number x) {
    if (x.isnan()) return F::nan_name();
    return fmt::format("{}", x.to_double());
  }

 private:
  template <class A>
  static formats::Unrounded from_arithmetic(A x) {
    if constexpr (std::is_integral_v<A>) {
      if constexpr (std::is_signed_v<A>) {
        const bool neg = x < 0;
        const uint64_t mag = neg ? uint64_t(0) - uint64_t(x) : uint64_t(x);
        return formats::Unrounded::from_int(neg, mag, 0);
      } else {
        return formats::Unrounded::from_int(false, uint64_t(x), 0);
      }
    } else if constexpr (std::is_same_v<A, float>) {
      return formats::Unrounded::from_float(x);
    } else {
      return formats::Unrounded::from_double(double(x));  // long double: through double
    }
  }
  static formats::Unrounded negated(formats::Unrounded u) {
    u.neg = !u.neg;
    return u;
  }
  // A NaN result is the format's default NaN, whatever the operands' signs (IEEE 754 leaves
  // it open; formats without NaN then give ml_dtypes' quiet_NaN(), the -0 code).
  static number round(const formats::Unrounded& u) {
    if (u.kind == formats::Unrounded::Kind::NaN) return from_bits(F::encode(formats::Unrounded::nan(false), F::arithmetic()));
    return from_bits(F::encode(u, F::arithmetic()));
  }

  storage bits_{};
};

}  // namespace arithsim

// std::numeric_limits from the format's special codes (not constexpr: codes come from the
// codec). min() is the smallest positive normal (minpos for posits, the most negative
// value for integers, as for built-in types).
template <arithsim::number_format F>
class std::numeric_limits<arithsim::number<F>> {
  using T = arithsim::number<F>;

 public:
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = F::is_signed;
  static constexpr bool is_integer = F::is_integer;
  static constexpr bool is_exact = F::is_integer;
  static constexpr bool has_infinity = F::has_infinity;
  static constexpr bool has_quiet_NaN = F::has_nan;
  static constexpr bool has_signaling_NaN = false;
  static constexpr bool is_iec559 = false;
  static constexpr bool is_bounded = true;
  static constexpr bool is_modulo = F::is_modulo;
  static constexpr bool traps = false;
  static constexpr bool tinyness_before = false;
  static constexpr int radix = 2;
  static constexpr int digits = F::digits;  // significand bits incl. the hidden one (posits: at 1.0)
  static constexpr int digits10 = (digits - 1) * 30103 / 100000;
  static constexpr int max_digits10 = F::is_integer ? 0 : 2 + digits * 30103 / 100000;
  static constexpr int min_exponent = F::min_exponent;
  static constexpr int max_exponent = F::max_exponent;
  static constexpr int min_exponent10 = min_exponent * 30103 / 100000;
  static constexpr int max_exponent10 = max_exponent * 30103 / 100000;
  static constexpr std::float_round_style round_style =
      F::is_integer ? std::round_toward_zero : std::round_to_nearest;

  static T min() noexcept { return T::from_bits(F::min_code()); }
  static T max() noexcept { return T::from_bits(F::max_code()); }
  static T lowest() noexcept { return T::from_bits(F::lowest_code()); }
  static T denorm_min() noexcept { return T::from_bits(F::denorm_min_code()); }
  static T infinity() noexcept { return T::from_bits(F::infinity_code()); }
  static T quiet_NaN() noexcept { return T::from_bits(F::nan_code()); }
  static T signaling_NaN() noexcept { return quiet_NaN(); }
  // The distance from 1 to the next value (0 for integers).
  static T epsilon() noexcept {
    if constexpr (F::is_integer) return T::from_bits(0);
    else return T(T::from_bits(F::one_code() + 1).to_double() - 1.0);
  }
  static T round_error() noexcept { return T(F::is_integer ? 1.0 : 0.5); }
};

// fmt: any double format spec ("{:.3e}", "{:>10}").
template <arithsim::number_format F>
struct fmt::formatter<arithsim::number<F>> : fmt::formatter<double> {
  template <class FormatContext>
  auto format(const arithsim::number<F>& x, FormatContext& ctx) const {
    if (x.isnan()) return fmt::format_to(ctx.out(), "{}", F::nan_name());
    return fmt::formatter<double>::format(x.to_double(), ctx);
  }
};

#if defined(__cpp_lib_format)
#include <format>
template <arithsim::number_format F>
struct std::formatter<arithsim::number<F>> : std::formatter<double> {
  auto format(const arithsim::number<F>& x, std::format_context& ctx) const {
    if (x.isnan()) return std::format_to(ctx.out(), "{}", F::nan_name());
    return std::formatter<double>::format(x.to_double(), ctx);
  }
};
#endif
