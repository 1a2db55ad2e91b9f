// minifloat<E, M, Convention, Bias>: one ExMy code as a value type, with the ml_dtypes names
// as aliases (float8_e4m3fn, ...). The convention says where inf and NaN live (IEEE, FN,
// Finite, FNUZ, UE: models/formats/minifloat.hpp); Bias defaults to the convention's usual
// one (2^(E-1) - 1, or 2^(E-1) for FNUZ). Arithmetic rounds to nearest, ties to even, and
// overflows as conversion from float does in ml_dtypes (inf, NaN, or max for Finite).
//   arithsim::float8_e4m3fn a = 1.5, b = 256;  // a * b is 384; 2 * b overflows to NaN (no inf)
#pragma once

#include <cstdint>
#include <string>

#include <arithsim/models/formats/minifloat.hpp>
#include <arithsim/models/numbers/number.hpp>
#include <arithsim/models/numbers/posit.hpp>  // storage_for

namespace arithsim {

using formats::FloatConvention;

template <int E, int M, FloatConvention C>
constexpr int default_bias = C == FloatConvention::FNUZ ? (1 << (E - 1)) : (1 << (E - 1)) - 1;

template <int E, int M, FloatConvention C = FloatConvention::IEEE, int Bias = default_bias<E, M, C>>
struct minifloat_format {
  static_assert(E >= 1 && E <= 8, "minifloat<E, M>: E must be 1..8");
  static_assert(M >= 0 && M <= 23, "minifloat<E, M>: M must be 0..23");
  static_assert(C != FloatConvention::IEEE || M >= 1, "minifloat<E, M, IEEE>: IEEE needs M >= 1 (NaN != inf)");
  static_assert(C != FloatConvention::UE || M == 0, "minifloat<E, M, UE>: the unsigned exponent-only convention needs M == 0");
  static_assert(Bias >= -300 && Bias <= 300, "minifloat<E, M, C, Bias>: Bias must be -300..300");
  static constexpr int bits = (C == FloatConvention::UE ? 0 : 1) + E + M;
  using storage = storage_for<bits>;

  static const formats::MinifloatCodec& codec() {
    static const formats::MinifloatCodec c(formats::MinifloatSpec{E, M, Bias, C});
    return c;
  }
  static formats::Unrounded decode(storage code) {
    if constexpr (bits <= 16) return formats::Unrounded::from_double(codec().table()[code]);
    else return formats::Unrounded::from_double(codec().decode(code));
  }
  static storage encode(const formats::Unrounded& u, const formats::RoundingOptions& o) {
    return storage(codec().encode(u, o));
  }
  static constexpr formats::RoundingOptions arithmetic() { return {}; }
  static std::string name() { return codec().spec().to_string(); }
  static void check(const formats::RoundingOptions& o) { codec().spec().check(o); }
  static std::string nan_name() { return "nan"; }
  static bool is_nan(storage c) { return codec().is_nan(c); }
  static constexpr bool ordered_codes = false;

  static constexpr bool is_signed = C != FloatConvention::UE, is_integer = false, is_modulo = false;
  static constexpr bool has_infinity = C == FloatConvention::IEEE, has_nan = C != FloatConvention::Finite;
  static constexpr bool has_subnormals = M > 0 && C != FloatConvention::UE;
  static constexpr int digits = M + 1;
  // As for built-in types: 2^(min_exponent - 1) is the smallest normal, 2^(max_exponent - 1)
  // <= max < 2^max_exponent. The top exponent field holds numbers except in IEEE, UE (NaN
  // at 0xFF) and FN without mantissa bits.
  static constexpr bool top_field_reserved =
      C == FloatConvention::IEEE || C == FloatConvention::UE || (C == FloatConvention::FN && M == 0);
  static constexpr int min_exponent = (C == FloatConvention::UE ? 1 : 2) - Bias;
  static constexpr int max_exponent = (1 << E) - (top_field_reserved ? 1 : 0) - Bias;
  // max = max_significand * 2^(max_exponent - 1): all mantissa ones, but FN keeps the top
  // code of the top field for NaN (e4m3fn: 1.75 * 2^8 = 448).
  static constexpr long double max_significand =
      C == FloatConvention::UE || (C == FloatConvention::FN && M <= 1)
          ? 1.0L
          : 2.0L - numbers_detail::pow2(C == FloatConvention::FN ? 1 - M : -M);
  static storage max_code() { return storage(codec().max_code()); }
  static storage min_code() { return storage(codec().min_normal_code()); }
  static storage denorm_min_code() { return storage(C == FloatConvention::UE || M == 0 ? codec().min_normal_code() : 1u); }
  static storage lowest_code() {
    return storage(is_signed ? codec().max_code() | codec().sign_bit() : 0u);
  }
  static storage infinity_code() { return storage(has_infinity ? codec().inf_code(false) : codec().nan_code(false)); }
  static storage nan_code() { return storage(codec().nan_code(false)); }
};

template <int E, int M, FloatConvention C = FloatConvention::IEEE, int Bias = default_bias<E, M, C>>
using minifloat = number<minifloat_format<E, M, C, Bias>>;

// The ml_dtypes / OCP names (each equal to the format registry's preset of that name).
using float8_e4m3fn = minifloat<4, 3, FloatConvention::FN>;
using float8_e4m3 = minifloat<4, 3, FloatConvention::IEEE>;
using float8_e5m2 = minifloat<5, 2, FloatConvention::IEEE>;
using float8_e3m4 = minifloat<3, 4, FloatConvention::IEEE>;
using float8_e4m3fnuz = minifloat<4, 3, FloatConvention::FNUZ>;
using float8_e5m2fnuz = minifloat<5, 2, FloatConvention::FNUZ>;
using float8_e4m3b11fnuz = minifloat<4, 3, FloatConvention::FNUZ, 11>;
using float8_e8m0fnu = minifloat<8, 0, FloatConvention::UE>;
using float6_e2m3fn = minifloat<2, 3, FloatConvention::Finite>;
using float6_e3m2fn = minifloat<3, 2, FloatConvention::Finite>;
using float4_e2m1fn = minifloat<2, 1, FloatConvention::Finite>;
using float16 = minifloat<5, 10, FloatConvention::IEEE>;
using bfloat16 = minifloat<8, 7, FloatConvention::IEEE>;
using float32 = minifloat<8, 23, FloatConvention::IEEE>;

}  // namespace arithsim
