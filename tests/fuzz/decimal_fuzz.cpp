// Harness: decimal strings of the number value types (models/formats/decimal.hpp
// parse_decimal). Documented error: std::invalid_argument. Properties: a string is accepted
// exactly when it is [+-] digits [. digits] [(e|E) [+-] digits] (digits on at least one side
// of the point), inf, infinity or nan in any case; and an accepted string rounds to float32
// (round to nearest even) as glibc's correctly rounded strtof rounds it. parse_decimal_modulo
// (wrapping integers) gives a value below 2^32 in magnitude, and leaves values below
// 2^30 as parse_decimal reads them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include <arithsim/models/formats/decimal.hpp>
#include <arithsim/models/formats/minifloat.hpp>
#include "tests/fuzz/fuzz_util.hpp"

namespace {

bool grammar(std::string s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.erase(0, 1);
  std::string l;
  for (char c : s) l += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (l == "inf" || l == "infinity" || l == "nan") return true;
  size_t i = 0, n = s.size(), digits = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t e = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++e;
    if (e == 0) return false;
  }
  return i == n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arithsim;
  if (size > 4096) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const bool valid = grammar(text);
  formats::Unrounded u;
  try {
    u = formats::parse_decimal(text);
  } catch (const std::invalid_argument& e) {
    fuzz::documented_error(e);
    fuzz::check(!valid, "a number of the documented grammar was refused", text);
    return 0;
  }
  fuzz::check(valid, "a string outside the documented grammar was accepted", text);
  static const formats::MinifloatCodec f32(formats::MinifloatSpec{8, 23, 127, formats::FloatConvention::IEEE});
  const uint32_t got = f32.encode(u, {});
  const float want = std::strtof(text.c_str(), nullptr);
  uint32_t wb;
  std::memcpy(&wb, &want, 4);
  if (want != want) {
    fuzz::check(f32.is_nan(got), "nan did not parse as NaN", text);
  } else {
    fuzz::check(got == wb, "rounding to float32 differs from strtof", text);
  }
  if (u.kind == formats::Unrounded::Kind::Finite) {
    const formats::Unrounded m = formats::parse_decimal_modulo(text, 32);
    fuzz::check(m.kind != formats::Unrounded::Kind::Finite || m.exp <= 31, "a reduced value is 2^32 or more", text);
    if (u.exp < 30)
      fuzz::check(m.kind == u.kind && m.neg == u.neg && m.exp == u.exp && m.sig == u.sig && m.sticky == u.sticky,
                  "reduction changed a value below 2^30", text);
  }
  return 0;
}
