// Decimal strings to the unrounded form, for one correct rounding to any format of <= 53
// significant bits: "1.5", "-2.5e-3", "inf", "nan". The string is read into the nearest
// double d; when the string's value is not exactly d, d is nudged toward it by less than a
// 64-bit ulp and marked inexact (as formats::quotient does), so no format whose values and
// rounding boundaries are doubles can round it differently from the exact decimal value.
#pragma once

#include <string_view>

#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::formats {

// Throws std::invalid_argument("'TEXT' is not a number") for anything else (empty strings,
// spaces, trailing characters, hex). Magnitudes beyond the double range stay finite
// (above DBL_MAX or below its smallest subnormal, inexact) so that formats clamp them by
// their own overflow and underflow rules.
Unrounded parse_decimal(std::string_view text);

// For wrapping (modulo 2^bits) integer formats, 1 <= bits <= 32, whose results depend only on
// the value modulo 2^bits: the string's value with its integer part reduced modulo 2^bits
// exactly (sign and fraction kept), read as parse_decimal reads it. Every rounding mode then
// gives the same code as from the exact value, at any magnitude ("1e30", 20-digit integers).
Unrounded parse_decimal_modulo(std::string_view text, int bits);

}  // namespace arithsim::formats
