// Work over an index range on several threads, with results that do not depend on how many:
// [0, n) is cut into contiguous chunks, one per thread, and each index is written by exactly
// one chunk (the callers reduce the per-index results in index order afterwards).
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace arithsim::threads {

inline constexpr size_t kMaxThreads = 1024;

// The machine's hardware threads (at least 1): the default of --threads.
inline size_t default_threads() { return std::max<size_t>(1, std::thread::hardware_concurrency()); }

// Throws std::invalid_argument for 0 or more than kMaxThreads.
inline size_t check_threads(size_t threads) {
  if (threads < 1 || threads > kMaxThreads)
    throw std::invalid_argument("threads must be 1.." + std::to_string(kMaxThreads) + ", got " + std::to_string(threads));
  return threads;
}

// f(lo, hi) over contiguous chunks of [0, n) on at most `threads` threads (the caller runs the
// first chunk). The first exception a chunk throws is rethrown here, after every chunk ended.
template <class F>
void parallel_for(size_t n, size_t threads, F&& f) {
  threads = std::clamp<size_t>(threads, 1, std::max<size_t>(n, 1));
  if (threads == 1) {
    if (n) f(size_t{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errors(threads);
  auto chunk = [&](size_t t) {
    const size_t lo = n * t / threads, hi = n * (t + 1) / threads;
    try {
      if (lo < hi) f(lo, hi);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(chunk, t);
  chunk(0);
  for (auto& th : pool) th.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace arithsim::threads
