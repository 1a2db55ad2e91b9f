#include <arithsim/models/formats/decimal.hpp>

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <arithsim/models/io/escape.hpp>

namespace arithsim::formats {

namespace {

// A decimal magnitude as significant digits (no leading or trailing zeros) and the decimal
// exponent of the first digit: value = 0.d1d2d3... * 10^point.
struct Digits {
  std::string digits;
  long point = 0;
};

// Digits of the unsigned decimal mantissa[e exponent] (already checked by from_chars).
Digits digits_of(std::string_view s) {
  Digits d;
  long exp10 = 0;
  const size_t e = s.find_first_of("eE");
  if (e != std::string_view::npos) {
    const std::string_view es = s.substr(e + 1);
    const char* b = es.data() + (es.size() && es[0] == '+' ? 1 : 0);
    long v = 0;
    const auto [p, ec] = std::from_chars(b, es.data() + es.size(), v);
    // Clamped to +-2^40 (far outside the double range, which the caller already knows from
    // from_chars), so that adding the digit count cannot overflow.
    constexpr long kClamp = 1L << 40;
    exp10 = ec == std::errc() ? std::clamp(v, -kClamp, kClamp) : (es.find('-') == 0 ? -kClamp : kClamp);
    (void)p;
    s = s.substr(0, e);
  }
  const size_t dot = s.find('.');
  const std::string_view ip = s.substr(0, dot);
  const std::string_view fp = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  std::string all = std::string(ip) + std::string(fp);
  long point = long(ip.size()) + exp10;
  const size_t first = all.find_first_not_of('0');
  if (first == std::string::npos) return {};  // zero
  point -= long(first);
  all.erase(0, first);
  all.erase(all.find_last_not_of('0') + 1);
  d.digits = std::move(all);
  d.point = point;
  return d;
}

// Sign of |x| - |y| for two decimal magnitudes.
int compare(const Digits& x, const Digits& y) {
  if (x.digits.empty() || y.digits.empty()) return int(!x.digits.empty()) - int(!y.digits.empty());
  if (x.point != y.point) return x.point < y.point ? -1 : 1;
  const size_t n = std::max(x.digits.size(), y.digits.size());
  for (size_t i = 0; i < n; ++i) {
    const char a = i < x.digits.size() ? x.digits[i] : '0', b = i < y.digits.size() ? y.digits[i] : '0';
    if (a != b) return a < b ? -1 : 1;
  }
  return 0;
}

}  // namespace

Unrounded parse_decimal(std::string_view text) {
  auto bad = [&] { return std::invalid_argument(fmt::format("'{}' is not a number", io::escape(text))); };
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s[0] == '+' || s[0] == '-') throw bad();
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (lower == "inf" || lower == "infinity") return Unrounded::inf(neg);
  if (lower == "nan") return Unrounded::nan(neg);
  // Only decimal digits, one point and an exponent: from_chars alone would also take
  // "infinity"-like words and hex with chars_format::general it does not, but be explicit.
  if (s.find_first_not_of("0123456789.eE+-") != std::string_view::npos) throw bad();
  double d = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d, std::chars_format::general);
  if (end != s.data() + s.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) throw bad();
  const Digits x = digits_of(s);
  if (x.digits.empty()) return Unrounded::zero(neg);
  if (ec == std::errc::result_out_of_range) {
    // Beyond DBL_MAX or below the smallest subnormal: a finite, inexact value out there.
    if (x.point > 0) return {Unrounded::Kind::Finite, neg, true, 1024, uint64_t{1} << 63};
    return {Unrounded::Kind::Finite, neg, true, -1200, uint64_t{1} << 63};
  }
  if (std::isinf(d)) return {Unrounded::Kind::Finite, neg, true, 1024, uint64_t{1} << 63};  // rounded up to inf
  // The exact decimal expansion of d (a dyadic rational has a finite one; 1100 digits
  // after the point cover every double) decides on which side of d the string lies.
  const std::string exact = fmt::format("{:.1100f}", d);
  const int side = compare(x, digits_of(exact));
  Unrounded u = Unrounded::from_double(neg ? -d : d);
  if (side == 0) return u;
  if (d == 0) return {Unrounded::Kind::Finite, neg, true, -1200, uint64_t{1} << 63};  // below the smallest subnormal
  if (side > 0) return {u.kind, u.neg, true, u.exp, u.sig};  // slightly above |d|
  return Unrounded::from_int(u.neg, u.sig - 1, u.exp - 63, true);  // slightly below |d|
}

Unrounded parse_decimal_modulo(std::string_view text, int bits) {
  if (bits < 1 || bits > 32) throw std::invalid_argument(fmt::format("parse_decimal_modulo: bits must be 1..32, got {}", bits));
  const Unrounded u = parse_decimal(text);  // the grammar, inf, nan and zero
  if (u.kind != Unrounded::Kind::Finite) return u;
  const std::string_view body = text.substr(text[0] == '+' || text[0] == '-' ? 1 : 0);
  const Digits x = digits_of(body);
  if (x.point <= 0) return u;  // |value| < 1: nothing to reduce
  // The integer part modulo 2^64 (then 2^bits): its digits, then point - size zeros; a
  // factor 10^64 = 2^64 * 5^64 is 0 modulo 2^64, so at most 64 zeros matter.
  uint64_t mod = 0;
  const size_t int_digits = size_t(std::min<long>(x.point, long(x.digits.size())));
  for (size_t i = 0; i < int_digits; ++i) mod = mod * 10 + uint64_t(x.digits[i] - '0');
  for (long z = std::min<long>(x.point - long(int_digits), 64); z > 0; --z) mod *= 10;
  mod &= (uint64_t(1) << bits) - 1;  // < 2^32: exact in a double, as are its halves
  const std::string fraction = int_digits < x.digits.size() ? x.digits.substr(int_digits) : "";
  return parse_decimal(fmt::format("{}{}{}{}", u.neg ? "-" : "", mod, fraction.empty() ? "" : ".", fraction));
}

}  // namespace arithsim::formats
