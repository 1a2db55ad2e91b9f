// Harness: integer option values of the command line (sim/cli/common.hpp parse_unsigned,
// parse_int, parse_array_shape). Byte 0 picks the function and its range, the rest is the
// option's text. Documented error: cli::UsageError. Property: the result is exactly what
// the documented rule gives (decimal digits after an optional '+' — or '-' for parse_int —,
// no wrap-around, no saturation, within [min, max]); every value that rule rejects is an
// error. Digit strings over 40 characters (leading zeros) may be refused either way.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sim/cli/common.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace {

using arithsim::cli::UsageError;
namespace fuzz = arithsim::fuzz;

constexpr uint64_t kU64 = std::numeric_limits<uint64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min(), kI64Max = std::numeric_limits<int64_t>::max();
constexpr std::pair<uint64_t, uint64_t> kUnsigned[] = {{0, kU64}, {1, 1024}, {1, 63}, {0, 0}, {7, 7}, {kU64 - 1, kU64},
                                                       {1, 4096}};
constexpr std::pair<int64_t, int64_t> kSigned[] = {{kI64Min, kI64Max}, {-1, 1}, {0, 100}, {-1000, -5},
                                                   {kI64Min, kI64Min}, {1, kI64Max}};
constexpr int kSides[] = {1024, 1, 4096};

// The documented rule: the magnitude of a non-empty digit string, if it fits in 64 bits.
std::optional<uint64_t> digits_value(std::string_view d) {
  if (d.empty()) return std::nullopt;
  uint64_t v = 0;
  for (const char c : d) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = uint64_t(c - '0');
    if (v > (kU64 - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::optional<uint64_t> expect_unsigned(std::string_view t, uint64_t min, uint64_t max) {
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  const auto v = digits_value(t);
  if (!v || *v < min || *v > max) return std::nullopt;
  return v;
}

std::optional<int64_t> expect_int(std::string_view t, int64_t min, int64_t max) {
  const bool neg = !t.empty() && t[0] == '-';
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) t.remove_prefix(1);
  const auto m = digits_value(t);
  if (!m) return std::nullopt;
  if (*m > (neg ? uint64_t(kI64Max) + 1 : uint64_t(kI64Max))) return std::nullopt;
  const int64_t v = neg ? int64_t(0 - *m) : int64_t(*m);
  if (v < min || v > max) return std::nullopt;
  return v;
}

// Whether a refusal of a value the rule accepts is allowed: only for over-long digit strings.
bool long_digits(std::string_view t) { return t.size() > 40; }

std::string show(uint64_t v) { return std::to_string(v); }
std::string show(int64_t v) { return std::to_string(v); }
std::string show(const std::pair<int, int>& v) { return std::to_string(v.first) + "x" + std::to_string(v.second); }

template <class T, class F>
void compare(std::string_view text, std::optional<T> want, F&& parse) {
  std::optional<T> got;
  try {
    got = parse();
  } catch (const UsageError& e) {
    fuzz::documented_error(e);
    fuzz::check(!want || long_digits(text), "a valid value was refused", e.what());
    return;
  }
  fuzz::check(want.has_value(), "an invalid value was accepted", show(*got));
  fuzz::check(*got == *want, "the value parsed is not the value written", show(*got));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0] % 3, pick = data[0] / 3;
  const std::string_view text = fuzz::text(data + 1, size - 1);
  if (mode == 0) {
    const uint64_t min = kUnsigned[pick % std::size(kUnsigned)].first, max = kUnsigned[pick % std::size(kUnsigned)].second;
    compare(text, expect_unsigned(text, min, max), [&] { return arithsim::cli::parse_unsigned(text, "--n", min, max); });
  } else if (mode == 1) {
    const int64_t min = kSigned[pick % std::size(kSigned)].first, max = kSigned[pick % std::size(kSigned)].second;
    compare(text, expect_int(text, min, max), [&] { return arithsim::cli::parse_int(text, "--n", min, max); });
  } else {
    const int side = kSides[pick % std::size(kSides)];
    std::optional<std::pair<int, int>> want;
    if (const auto x = text.find('x'); x != std::string_view::npos) {
      const auto r = expect_unsigned(text.substr(0, x), 1, uint64_t(side));
      const auto c = expect_unsigned(text.substr(x + 1), 1, uint64_t(side));
      if (r && c) want = std::pair<int, int>(int(*r), int(*c));
    }
    compare(text, want, [&] { return arithsim::cli::parse_array_shape(text, "--array", side); });
  }
  return 0;
}
