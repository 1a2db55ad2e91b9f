// Number value types over the bit-exact codecs: `number<Format>` is one code of a format
// (its bits, nothing else) with C++ operators, as in Universal and ml_dtypes. A Format is
// a small traits struct (posit.hpp, minifloat.hpp, integer.hpp): its storage type, its
// codec's decode to the exact unrounded form and encode from it, the rounding of its
// arithmetic, and its special codes. Every operator is exact and then rounded once to the
// format (units::add / multiply / divide keep 64 significant bits and a sticky bit, which
// is enough for one correct rounding to any format here), so `a * b + c` rounds twice and
// `fma(a, b, c)` once, as in IEEE 754 hardware.
#pragma once

#include <version>  // __cpp_lib_format, before it is tested below

#include <algorithm>
#include <cfloat>
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

// What a Format provides (see posit_format, minifloat_format, integer_format): everything
// number<F> and numeric_limits<number<F>> use.
template <class F>
concept number_format = requires(typename F::storage s, const formats::Unrounded& u, const formats::RoundingOptions& o) {
  requires std::unsigned_integral<typename F::storage>;
  { F::bits } -> std::convertible_to<int>;
  { F::decode(s) } -> std::same_as<formats::Unrounded>;
  { F::encode(u, o) } -> std::same_as<typename F::storage>;
  F::check(o);  // throws std::invalid_argument for options the format cannot honour
  { F::arithmetic() } -> std::same_as<formats::RoundingOptions>;
  { F::name() } -> std::convertible_to<std::string>;
  { F::nan_name() } -> std::convertible_to<std::string>;
  { F::is_nan(s) } -> std::same_as<bool>;
  { F::ordered_codes } -> std::convertible_to<bool>;
  { F::is_signed } -> std::convertible_to<bool>;
  { F::is_integer } -> std::convertible_to<bool>;
  { F::is_modulo } -> std::convertible_to<bool>;
  { F::has_infinity } -> std::convertible_to<bool>;
  { F::has_nan } -> std::convertible_to<bool>;
  { F::has_subnormals } -> std::convertible_to<bool>;
  { F::digits } -> std::convertible_to<int>;
  { F::min_exponent } -> std::convertible_to<int>;
  { F::max_exponent } -> std::convertible_to<int>;
  { F::max_significand } -> std::convertible_to<long double>;  // max = this * 2^(max_exponent - 1)
  { F::max_code() } -> std::convertible_to<typename F::storage>;
  { F::min_code() } -> std::convertible_to<typename F::storage>;
  { F::lowest_code() } -> std::convertible_to<typename F::storage>;
  { F::denorm_min_code() } -> std::convertible_to<typename F::storage>;
  { F::infinity_code() } -> std::convertible_to<typename F::storage>;
  { F::nan_code() } -> std::convertible_to<typename F::storage>;
};

namespace numbers_detail {

// The exact value of an arithmetic value (long double exactly, with sticky where it has more
// than 64 significand bits; 128-bit integers likewise).
template <class A>
formats::Unrounded exact(A x) {
  using U = formats::Unrounded;
  if constexpr (std::is_same_v<A, __int128> || std::is_same_v<A, unsigned __int128>) {
    const bool neg = x < 0;
    const unsigned __int128 mag = neg ? (unsigned __int128)0 - (unsigned __int128)x : (unsigned __int128)x;
    return U::from_u128(neg, mag, 0);
  } else if constexpr (std::is_integral_v<A>) {
    if constexpr (std::is_signed_v<A>) {
      const bool neg = x < 0;
      return U::from_int(neg, neg ? uint64_t(0) - uint64_t(x) : uint64_t(x), 0);
    } else {
      return U::from_int(false, uint64_t(x), 0);
    }
  } else if constexpr (std::is_same_v<A, float>) {
    return U::from_float(x);
  } else if constexpr (std::is_same_v<A, double>) {
    return U::from_double(x);
  } else {
    static_assert(std::is_same_v<A, long double>);
    if (std::isnan(x)) return U::nan(std::signbit(x));
    if (std::isinf(x)) return U::inf(x < 0);
    if (x == 0) return U::zero(std::signbit(x));
    int e = 0;
    const long double m = std::frexp(std::fabs(x), &e);  // [0.5, 1), exact
    // The top 64 significand bits, in two exact 32-bit steps; the rest (only where long
    // double has more than 64 bits) becomes sticky.
    const long double hi_f = std::floor(std::ldexp(m, 32));
    const long double lo_f = std::ldexp(m, 64) - std::ldexp(hi_f, 32);
    const long double lo_i = std::floor(lo_f);
    const uint64_t sig = (uint64_t(hi_f) << 32) | uint64_t(lo_i);
    return {U::Kind::Finite, x < 0, lo_f != lo_i, e - 1, sig};
  }
}

// The exact order of two exact values (NaN unordered, -0 == +0).
inline std::partial_ordering compare(const formats::Unrounded& x, const formats::Unrounded& y) {
  using K = formats::Unrounded::Kind;
  if (x.kind == K::NaN || y.kind == K::NaN) return std::partial_ordering::unordered;
  // Magnitude classes: 0 zero, 1 finite, 2 infinite; then the sign.
  auto cls = [](const formats::Unrounded& u) { return u.kind == K::Zero ? 0 : u.kind == K::Inf ? 2 : 1; };
  const int sx = cls(x) == 0 ? 0 : (x.neg ? -1 : 1), sy = cls(y) == 0 ? 0 : (y.neg ? -1 : 1);
  if (sx != sy) return sx <=> sy;
  if (sx == 0) return std::partial_ordering::equivalent;
  std::strong_ordering mag = cls(x) <=> cls(y);
  if (mag == 0 && cls(x) == 1) {
    mag = x.exp <=> y.exp;
    if (mag == 0) mag = x.sig <=> y.sig;
    if (mag == 0) mag = int(x.sticky) <=> int(y.sticky);
  }
  return sx > 0 ? std::partial_ordering(mag) : std::partial_ordering(0 <=> mag);
}

// floor(log10 x) of a finite x > 0, by exact scaling (no power of ten but 1 is a dyadic
// rational, so the inexact divisions cannot decide a boundary wrongly).
constexpr int floor_log10(long double x) {
  int k = 0;
  while (x >= 10) x /= 10, ++k;
  while (x < 1) x *= 10, --k;
  return k;
}
constexpr long double pow2(int e) {
  long double v = 1;
  for (; e > 0; --e) v *= 2;
  for (; e < 0; ++e) v /= 2;
  return v;
}

}  // namespace numbers_detail

template <number_format F>
class number {
 public:
  using format = F;
  using storage = typename F::storage;

  constexpr number() = default;  // the code 0 (zero, or the smallest E8M0 scale)
  // From any arithmetic value, rounded once from its exact value by the format's
  // arithmetic rounding (integers at any width, long double, 128-bit integers): implicit,
  // so that `a * 2` and `posit<16, 1> x = 1.5` work.
  template <class A>
    requires std::is_arithmetic_v<A>
  number(A x) : bits_(F::encode(numbers_detail::exact(x), F::arithmetic())) {}  // NOLINT(google-explicit-constructor)
  // From an arithmetic value with a chosen rounding (mode, overflow policy, stochastic
  // source, ...); throws std::invalid_argument for options the format cannot honour.
  template <class A>
    requires std::is_arithmetic_v<A>
  number(A x, const formats::RoundingOptions& o) : bits_(encode_checked(numbers_detail::exact(x), o)) {}
  // From a decimal string ("0.1", "-2.5e-3", "inf", "nan"), rounded once from its exact
  // value (wrapping integers: reduced modulo 2^N exactly first, at any magnitude); throws
  // std::invalid_argument("'TEXT' is not a number").
  explicit number(std::string_view text, const formats::RoundingOptions& o = F::arithmetic())
      : bits_(encode_checked(F::is_integer && F::is_modulo ? formats::parse_decimal_modulo(text, F::bits)
                                                           : formats::parse_decimal(text),
                             o)) {}

  // The code b (bits above the format's width are ignored).
  static constexpr number from_bits(storage b) {
    number n;
    n.bits_ = storage(b & code_mask);
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
  // To a built-in type: floating point exactly or rounded once (to_double is exact).
  // Integral types never get undefined behaviour: integer formats convert as C++ integers
  // do (modulo 2^bits of the target), other formats round toward zero and saturate at the
  // target's range, NaN giving 0 (as Rust's `as` and AArch64 FCVTZS).
  template <class A>
    requires std::is_arithmetic_v<A>
  explicit operator A() const {
    if constexpr (std::is_floating_point_v<A>) {
      return static_cast<A>(to_double());
    } else if constexpr (std::is_same_v<A, bool>) {
      return !iszero();  // as for built-in types: NaN is true
    } else if constexpr (F::is_integer) {
      return static_cast<A>(static_cast<int64_t>(to_double()));  // |value| < 2^32: exact
    } else {
      const double v = std::trunc(to_double());
      if (std::isnan(v)) return A(0);
      // Compared in long double, where A's bounds are exact up to 64 bits; wider types
      // (__int128) hold every finite value here except above 2^127.
      if (static_cast<long double>(v) <= static_cast<long double>(std::numeric_limits<A>::lowest())) return std::numeric_limits<A>::lowest();
      if (static_cast<long double>(v) >= static_cast<long double>(std::numeric_limits<A>::max())) return std::numeric_limits<A>::max();
      return static_cast<A>(v);
    }
  }

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
  // Against a built-in value: the exact values (the operand is not rounded to the format
  // first, so integer<8>(100) != 356 and float16(1) < 1.0000001); NaN and NaR are unordered.
  template <class A>
    requires std::is_arithmetic_v<A>
  friend bool operator==(number a, A b) {
    return numbers_detail::compare(a.unrounded(), numbers_detail::exact(b)) == 0;
  }
  template <class A>
    requires std::is_arithmetic_v<A>
  friend std::partial_ordering operator<=>(number a, A b) {
    return numbers_detail::compare(a.unrounded(), numbers_detail::exact(b));
  }

  friend std::ostream& operator<<(std::ostream& os, number x) { return os << to_string(x); }
  // The shortest decimal that reads back as the same value ("NaR" for a posit's NaR).
  friend std::string to_string(number x) {
    if (x.isnan()) return F::nan_name();
    return fmt::format("{}", x.to_double());
  }

 private:
  static constexpr storage code_mask = storage((uint64_t(1) << F::bits) - 1);
  static storage encode_checked(const formats::Unrounded& u, const formats::RoundingOptions& o) {
    F::check(o);
    return F::encode(u, o);
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
  static constexpr std::float_denorm_style has_denorm = F::has_subnormals ? std::denorm_present : std::denorm_absent;
  static constexpr bool has_denorm_loss = false;
  static constexpr int digits = F::digits;  // significand bits incl. the hidden one (posits: at 1.0)
  // As for built-in types: decimal digits that survive a round trip through the format
  // (floor((digits - 1) log10 2); integers floor(digits log10 2)), and that distinguish
  // every value (ceil(digits log10 2) + 1).
  static constexpr int digits10 = (F::is_integer ? digits : digits - 1) * 30103 / 100000;
  static constexpr int max_digits10 = F::is_integer ? 0 : 2 + digits * 30103 / 100000;
  static constexpr int min_exponent = F::min_exponent;
  static constexpr int max_exponent = F::max_exponent;
  // The smallest k with 10^k normal, and the largest with 10^k finite (0 for integers).
  static constexpr int min_exponent10 =
      F::is_integer ? 0
      : min_exponent <= 1
          ? -arithsim::numbers_detail::floor_log10(arithsim::numbers_detail::pow2(1 - min_exponent))
          : arithsim::numbers_detail::floor_log10(arithsim::numbers_detail::pow2(min_exponent - 1)) + 1;
  static constexpr int max_exponent10 =
      F::is_integer ? 0
                    : arithsim::numbers_detail::floor_log10(F::max_significand *
                                                            arithsim::numbers_detail::pow2(max_exponent - 1));
  static constexpr std::float_round_style round_style =
      F::is_integer ? std::round_toward_zero : std::round_to_nearest;

  static T min() noexcept { return T::from_bits(F::min_code()); }
  static T max() noexcept { return T::from_bits(F::max_code()); }
  static T lowest() noexcept { return T::from_bits(F::lowest_code()); }
  static T denorm_min() noexcept { return T::from_bits(F::denorm_min_code()); }
  static T infinity() noexcept { return T::from_bits(F::infinity_code()); }
  static T quiet_NaN() noexcept { return T::from_bits(F::nan_code()); }
  static T signaling_NaN() noexcept { return quiet_NaN(); }
  // The distance from 1 to the next larger value (0 for integers). Where 1 is the largest
  // value (posit<2, ES>, some tiny minifloats), the distance to the next smaller one; where
  // 1 is not a value, from the value nearest 1.
  static T epsilon() noexcept {
    if constexpr (F::is_integer) {
      return T::from_bits(0);
    } else {
      const typename F::storage one = T(1.0).bits();
      const double v = T::from_bits(one).to_double();
      const double up = T::from_bits(typename F::storage(one + 1)).to_double();
      if (std::isfinite(up) && up > v) return T(up - v);
      return T(v - T::from_bits(typename F::storage(one - 1)).to_double());
    }
  }
  static T round_error() noexcept { return T(F::is_integer ? 0.0 : 0.5); }
};

namespace arithsim::numbers_detail {
// A NaN formatted with the caller's spec (width, fill, sign, case), then named as the
// format names it: "NaR" for posits ("nan" and "NaR" are both three letters).
inline std::string nan_text(std::string formatted, std::string_view name) {
  if (name.size() != 3) return formatted;
  for (const char* n : {"nan", "NAN"})
    if (const size_t at = formatted.find(n); at != std::string::npos) return formatted.replace(at, 3, name);
  return formatted;
}
}  // namespace arithsim::numbers_detail

// fmt: any double format spec ("{:.3e}", "{:>10}"), NaN and NaR included.
template <arithsim::number_format F>
struct fmt::formatter<arithsim::number<F>> : fmt::formatter<double> {
  template <class FormatContext>
  auto format(const arithsim::number<F>& x, FormatContext& ctx) const {
    if (!x.isnan()) return fmt::formatter<double>::format(x.to_double(), ctx);
    fmt::memory_buffer buf;
    fmt::basic_format_context<fmt::appender, char> inner(fmt::appender(buf), {}, {});
    fmt::formatter<double>::format(std::numeric_limits<double>::quiet_NaN(), inner);
    const std::string s = arithsim::numbers_detail::nan_text(fmt::to_string(buf), F::nan_name());
    return std::copy(s.begin(), s.end(), ctx.out());
  }
};

#if defined(__cpp_lib_format)
#include <format>
template <arithsim::number_format F>
struct std::formatter<arithsim::number<F>> : std::formatter<double> {
  auto format(const arithsim::number<F>& x, std::format_context& ctx) const {
    if (!x.isnan()) return std::formatter<double>::format(x.to_double(), ctx);
    // A minifloat NaN through the spec; a posit's NaR by name (the spec is not applied).
    if (F::nan_name() == "nan") return std::formatter<double>::format(std::numeric_limits<double>::quiet_NaN(), ctx);
    return std::format_to(ctx.out(), "{}", F::nan_name());
  }
};
#endif
