// The benchmarks' operands: N(0, 1) floats from a seeded generator (the same data every run).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace arithsim::bench {

inline std::vector<float> normal_floats(size_t n, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<float> d(0, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

}  // namespace arithsim::bench
