// Runs C = A * B through any PE model bit-accurately: every output is one PE dot product
// over the full K (the PE tiles K into its own groups/vectors as the hardware does), and
// reports error against two references:
//  - FP64: the dot products of the original float operands in double (quantization plus
//    arithmetic error): max abs, mean relative, SQNR;
//  - correctly rounded: the exact dot product of the PE's quantized operands (a Kulisch
//    sum) rounded once to the PE's output format; exact_match_rate is the fraction of
//    outputs equal to it bit for bit (the arithmetic alone).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <arithsim/models/pe/pe.hpp>

namespace arithsim::sim {

struct GemmStats {
  size_t m = 0, n = 0, k = 0;
  double max_abs = 0, mean_rel = 0, sqnr_db = 0;
  double exact_match_rate = 0;
  size_t nonfinite = 0;  // outputs that are NaN or inf where the FP64 reference is finite
  double seconds = 0;  // PE emulation time (without the references)
};

struct GemmResult {
  std::vector<float> c;  // M x N, row-major
  GemmStats stats;
};

// A: M x K row-major, B: K x N row-major. Throws pe::PeError for shapes the PE rejects.
GemmResult run_gemm(const pe::ProcessingElement& pe, std::span<const float> a, std::span<const float> b, size_t m,
                    size_t n, size_t k);

}  // namespace arithsim::sim
