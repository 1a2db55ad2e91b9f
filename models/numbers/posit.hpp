// posit<N, ES>: a posit(n, es) code as a value type (2022 posit standard, es a parameter):
// NaR at 100...0, no rounding to 0 or NaR, codes ordered as two's complement integers.
//   arithsim::posit<16, 1> a = 1.5, b = 2, c = fma(a, b, a);  // 4.5, rounded once
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include <arithsim/models/formats/posit.hpp>
#include <arithsim/models/numbers/number.hpp>

namespace arithsim {

// The smallest unsigned type of at least N bits.
template <int N>
using storage_for = std::conditional_t<(N <= 8), uint8_t, std::conditional_t<(N <= 16), uint16_t, uint32_t>>;

template <int N, int ES>
struct posit_format {
  static_assert(N >= 2 && N <= 32, "posit<N, ES>: N must be 2..32");
  static_assert(ES >= 0 && ES <= 4, "posit<N, ES>: ES must be 0..4");
  static constexpr int bits = N;
  using storage = storage_for<N>;

  static const formats::PositCodec& codec() {
    static const formats::PositCodec c(formats::PositSpec{N, ES});
    return c;
  }
  // Exact: from the decode table (N <= 16) or the codec.
  static formats::Unrounded decode(storage code) {
    if constexpr (N <= 16) return formats::Unrounded::from_double(codec().table()[code]);
    else return formats::Unrounded::from_double(codec().decode(code));
  }
  static storage encode(const formats::Unrounded& u, const formats::RoundingOptions& o) {
    return storage(codec().encode(u, o));
  }
  static constexpr formats::RoundingOptions arithmetic() { return {}; }  // round to nearest, ties to even pattern
  static void check(const formats::RoundingOptions& o) { formats::check_finite_overflow(o, name()); }
  static std::string name() { return fmt::format("posit({},{})", N, ES); }
  static std::string nan_name() { return "NaR"; }

  static constexpr storage nar = storage(uint32_t(1) << (N - 1));
  static constexpr bool is_nan(storage c) { return c == nar; }
  static constexpr bool ordered_codes = true;
  static constexpr int32_t signed_code(storage c) {  // the code as an N-bit two's complement integer
    return int32_t(uint32_t(c) << (32 - N)) >> (32 - N);
  }

  static constexpr bool is_signed = true, is_integer = false, is_modulo = false;
  static constexpr bool has_infinity = false, has_nan = true, has_subnormals = false;
  static constexpr int max_scale = (N - 2) << ES;
  static constexpr int digits = N - 3 - ES >= 0 ? N - 2 - ES : 1;  // significand bits at 1.0
  static constexpr int min_exponent = 1 - max_scale, max_exponent = max_scale + 1;
  static constexpr long double max_significand = 1;  // maxpos = 2^max_scale
  static constexpr storage max_code() { return nar - 1; }
  static constexpr storage min_code() { return 1; }  // minpos
  static constexpr storage denorm_min_code() { return 1; }
  static constexpr storage lowest_code() { return storage(nar + 1); }  // -maxpos
  static constexpr storage infinity_code() { return nar; }  // no infinity: NaR
  static constexpr storage nan_code() { return nar; }
};

template <int N, int ES>
using posit = number<posit_format<N, ES>>;

}  // namespace arithsim
