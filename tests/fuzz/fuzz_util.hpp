// Shared by the libFuzzer harnesses (docs/fuzzing.md). A harness catches the parser's
// documented error type and checks its message with documented_error(); anything else — an
// exception of another type (left uncaught: libFuzzer reports the throw site), a sanitizer
// report, a leak, a timeout, memory over the limit, a broken property — is a failure.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

namespace arithsim::fuzz {

// A failed property: prints it and aborts, so that libFuzzer saves the input.
[[noreturn]] inline void failure(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "\n=== arithsim fuzz failure: %.*s\n%.*s\n", int(what.size()), what.data(), int(detail.size()),
               detail.data());
  std::fflush(stderr);
  std::abort();
}

// A documented error of the parser: its message must be one non-empty line (user input
// echoed in it must be escaped).
inline void documented_error(const std::exception& e) {
  const std::string_view m = e.what();
  if (m.empty()) failure("empty error message", typeid(e).name());
  if (m.find('\n') != std::string_view::npos) failure("error message is not one line", m);
}

// Open issues in code the harness does not own are skipped in the bounded CTest run so that
// it keeps finding new ones; each skip names its reproducer under tests/fuzz/pending/. With
// ARITHSIM_FUZZ_STRICT set (the `pending` CTest tests) nothing is skipped.
inline bool strict() {
  static const bool s = std::getenv("ARITHSIM_FUZZ_STRICT") != nullptr;
  return s;
}
inline bool known_issue(bool applies) { return applies && !strict(); }

inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) failure(what, detail);
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool valid_utf8(std::string_view t) {
  for (size_t i = 0; i < t.size();) {
    const auto c = static_cast<unsigned char>(t[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) n = 1, cp = c;
    else if (c >= 0xc2 && c <= 0xdf) n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, cp = c & 0x07;
    else return false;
    if (i + n > t.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(t[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n;
  }
  return true;
}

inline std::string_view text(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace arithsim::fuzz
