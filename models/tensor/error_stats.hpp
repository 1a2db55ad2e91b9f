// Error of a quantized / emulated tensor against its reference.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>

namespace arithsim::tensor {

struct ErrorStats {
  size_t count = 0;
  size_t nonfinite = 0;  // outputs that are NaN or inf while the reference is finite
  double mse = 0;
  double sqnr_db = 0;    // 10 log10(sum ref^2 / sum err^2); +inf when exact
  double max_abs = 0;
};

inline ErrorStats error_stats(std::span<const double> ref, std::span<const double> out) {
  ErrorStats s;
  s.count = ref.size();
  double sig = 0, err = 0;
  size_t n = 0;  // elements with a finite reference and a finite output
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(ref[i])) continue;
    if (!std::isfinite(out[i])) {
      ++s.nonfinite;
      continue;
    }
    ++n;
    const double e = out[i] - ref[i];
    sig += ref[i] * ref[i];
    err += e * e;
    s.max_abs = std::max(s.max_abs, std::fabs(e));
  }
  s.mse = n ? err / double(n) : 0;
  s.sqnr_db = err == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(sig / err);
  return s;
}

}  // namespace arithsim::tensor
