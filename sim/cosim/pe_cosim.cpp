#include "sim/cosim/pe_cosim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace arithsim::cosim {

std::vector<uint32_t> corner_codes(const formats::ElementFormat& f) {
  const auto info = f.info();
  const uint32_t all = uint32_t(cycle::mask(f.bits()));
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<uint32_t> c = {0, all, uint32_t(1) << (f.bits() - 1), 1, all >> 1};  // zero, all ones, sign bit, lsb
  for (double v : {0.0, -0.0, 1.0, -1.0, info.max, -info.max, info.min_subnormal, -info.min_subnormal, info.min_normal,
                   -info.min_normal, info.min_normal - info.min_subnormal, inf, -inf,
                   std::numeric_limits<double>::quiet_NaN()})
    if (std::isfinite(v) || f.info().kind != "int") c.push_back(f.encode(v) & all);
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  return c;
}

uint32_t random_code(std::mt19937_64& g, const formats::ElementFormat& f, const std::vector<uint32_t>& corners,
                     unsigned corner_one_in) {
  if (!corners.empty() && g() % corner_one_in == 0) return corners[g() % corners.size()];
  return uint32_t(g() & cycle::mask(f.bits()));
}

std::string show(const cycle::PeIn& in) {
  return fmt::format("rst_n={} in_valid={} in_first={} in_last={} in_a={:#x} in_w={:#x} in_scale={:#x} in_zero={:#x} "
                     "out_ready={}",
                     int(in.rst_n), int(in.in_valid), int(in.in_first), int(in.in_last), in.in_a, in.in_w, in.in_scale,
                     in.in_zero, int(in.out_ready));
}

}  // namespace arithsim::cosim
