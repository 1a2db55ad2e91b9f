// integer<N, Signedness, Overflow>: an N-bit integer code as a value type, wrapping modulo
// 2^N (as C++ unsigned arithmetic and Universal's integer<N>) or saturating. Arithmetic is
// exact, then reduced to N bits; division and conversion from floating point round toward
// zero as in C++. Division by zero gives max (x > 0), lowest (x < 0) or 0 (0 / 0): the
// codec's rule for +-inf and NaN, since no integer hardware result is more defensible.
#pragma once

#include <cstdint>
#include <string>

#include <arithsim/models/formats/integer.hpp>
#include <arithsim/models/numbers/number.hpp>
#include <arithsim/models/numbers/posit.hpp>  // storage_for

namespace arithsim {

enum class signedness { is_signed, is_unsigned };
enum class int_overflow { wrap, saturate };

template <int N, signedness S = signedness::is_signed, int_overflow O = int_overflow::wrap>
struct integer_format {
  static_assert(N >= 1 && N <= 32, "integer<N>: N must be 1..32");
  static constexpr int bits = N;
  using storage = storage_for<N>;
  static constexpr bool is_signed = S == signedness::is_signed;

  static const formats::IntCodec& codec() {
    static const formats::IntCodec c(formats::IntSpec{N, is_signed, O == int_overflow::saturate, false, 0});
    return c;
  }
  static formats::Unrounded decode(storage code) {
    const int64_t v = codec().to_int(code);
    return formats::Unrounded::from_int(v < 0, v < 0 ? uint64_t(-v) : uint64_t(v), 0);
  }
  static storage encode(const formats::Unrounded& u, const formats::RoundingOptions& o) {
    return storage(codec().encode(u, o));
  }
  static constexpr formats::RoundingOptions arithmetic() {
    formats::RoundingOptions o;
    o.mode = formats::Rounding::TowardZero;
    return o;
  }
  static std::string name() { return codec().spec().to_string(); }
  static void check(const formats::RoundingOptions& o) { formats::check_finite_overflow(o, name()); }
  static std::string nan_name() { return "nan"; }  // never: integers have no NaN
  static constexpr bool is_nan(storage) { return false; }
  static constexpr bool ordered_codes = false;

  static constexpr bool is_integer = true, is_modulo = O == int_overflow::wrap;
  static constexpr bool has_infinity = false, has_nan = false, has_subnormals = false;
  static constexpr int digits = is_signed ? N - 1 : N;
  static constexpr int min_exponent = 0, max_exponent = 0;
  static constexpr long double max_significand = 1;  // unused: numeric_limits gives 0 exponents
  static constexpr storage mask = storage((uint64_t(1) << N) - 1);
  static constexpr storage max_code() { return is_signed ? storage(mask >> 1) : mask; }
  static constexpr storage min_code() { return lowest_code(); }  // as numeric_limits<int>::min()
  static constexpr storage denorm_min_code() { return 0; }
  static constexpr storage lowest_code() { return is_signed ? storage(uint32_t(1) << (N - 1)) : storage(0); }
  static constexpr storage infinity_code() { return 0; }
  static constexpr storage nan_code() { return 0; }
};

template <int N, signedness S = signedness::is_signed, int_overflow O = int_overflow::wrap>
using integer = number<integer_format<N, S, O>>;

}  // namespace arithsim
