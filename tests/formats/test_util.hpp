// Helpers shared by the format tests: mapping arithsim specs onto the independent
// reference's descriptions, and exact comparison of decoded values.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <arithsim/models/formats/minifloat.hpp>
#include <arithsim/models/formats/rounding.hpp>
#include "tests/reference/reference_formats.hpp"

namespace arithsim::test {

inline ref::Minifloat to_ref(const formats::MinifloatSpec& s) {
  using C = formats::FloatConvention;
  ref::Conv c = ref::Conv::IEEE;
  switch (s.conv) {
    case C::IEEE: c = ref::Conv::IEEE; break;
    case C::FN: c = ref::Conv::FN; break;
    case C::Finite: c = ref::Conv::FN_NONAN; break;
    case C::FNUZ: c = ref::Conv::FNUZ; break;
    case C::UE: c = s.ue_clamp ? ref::Conv::E8M0_CLAMP : ref::Conv::E8M0; break;
  }
  return {s.e, s.m, s.bias, c};
}

inline ref::Mode to_ref(formats::Rounding r) {
  switch (r) {
    case formats::Rounding::NearestEven: return ref::Mode::RNE;
    case formats::Rounding::TowardZero: return ref::Mode::RTZ;
    case formats::Rounding::Up: return ref::Mode::UP;
    case formats::Rounding::Down: return ref::Mode::DOWN;
    case formats::Rounding::NearestAway: return ref::Mode::AWAY;
    case formats::Rounding::Stochastic: break;
  }
  return ref::Mode::RNE;
}

inline ref::Ovf to_ref(formats::Overflow o) {
  switch (o) {
    case formats::Overflow::Default: return ref::Ovf::DEFAULT;
    case formats::Overflow::Saturate: return ref::Ovf::SATURATE;
    case formats::Overflow::Infinity: return ref::Ovf::INF;
    case formats::Overflow::NaN: return ref::Ovf::NAN_;
  }
  return ref::Ovf::DEFAULT;
}

// Same value, including the sign of zero; any NaN equals any NaN.
inline bool same_value(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

// Random float32 bit patterns, half of them uniform over all patterns and half with the
// exponent drawn near [lo_exp, hi_exp] so that they land inside a format's range.
inline std::vector<float> random_floats(size_t n, int lo_exp, int hi_exp, uint64_t seed) {
  std::mt19937_64 g(seed);
  std::vector<float> v(n);
  std::uniform_int_distribution<int> e(lo_exp, hi_exp);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t bits = uint32_t(g());
    if (i % 2) {
      v[i] = std::bit_cast<float>(bits);
    } else {
      const float m = std::bit_cast<float>((bits & 0x807fffffu) | 0x3f800000u);  // +-[1,2)
      v[i] = std::ldexp(m, e(g));
    }
  }
  return v;
}

}  // namespace arithsim::test
