// Shared by the libFuzzer harnesses (docs/fuzzing.md). A harness catches the parser's
// documented error type and checks its message with documented_error(); anything else — an
// exception of another type (left uncaught: libFuzzer reports the throw site), a sanitizer
// report, a leak, a timeout, memory over the limit, a broken property — is a failure.
#pragma once

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

inline std::string_view text(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace arithsim::fuzz
