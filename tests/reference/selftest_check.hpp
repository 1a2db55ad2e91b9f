// CHECK(cond, fmt, ...) for the reference self-tests (plain programs, no GoogleTest, so that
// the reference does not depend on the framework it helps to test): counts checks, prints
// the first 40 failures; main() returns g_fail != 0.
#pragma once

#include <cstdio>

inline int g_fail = 0, g_checks = 0;
#define CHECK(cond, ...)                                               \
  do {                                                                 \
    ++g_checks;                                                        \
    if (!(cond)) {                                                     \
      if (++g_fail <= 40) {                                            \
        std::printf("FAIL %s:%d: %s | ", __FILE__, __LINE__, #cond);   \
        std::printf(" " __VA_ARGS__);                                  \
        std::printf("\n");                                             \
      }                                                                \
    }                                                                  \
  } while (0)
