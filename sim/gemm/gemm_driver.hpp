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
#include <string>
#include <vector>

#include <arithsim/models/pe/pe.hpp>

namespace arithsim::sim {

struct GemmStats {
  size_t m = 0, n = 0, k = 0;
  // What the statistics against the exact dot were computed on, e.g. "exact values of
  // float8_e4m3fn x float8_e4m3fn (scale=none)" or "float8_e4m3fn x float8_e4m3fn as the PE
  // scaled them (scale=pow2)": under the PE's own scaling the operands differ from A and B.
  std::string operands;
  double max_abs = 0, mean_rel = 0, sqnr_db = 0;
  double exact_match_rate = 0;
  // Against the exact dot of the quantized operands: the largest |c - exact| / |exact| (over
  // exact != 0 and c finite), and the distance from the correctly rounded value in units in
  // the last place of the output format: ulp_histogram[0] counts 0 ulp, [1] 1 ulp, [b] for
  // b >= 2 counts 2^(b-1) .. 2^b - 1 ulp; the last bucket also holds every larger distance
  // and the outputs where one side is not finite and the other differs. Empty when the
  // output format is not a float format.
  double max_rel_vs_exact = 0, mean_rel_vs_exact = 0;
  double norm_rel_vs_exact = 0;  // ||C - exact||_F / ||exact||_F over the finite outputs
  std::vector<size_t> ulp_histogram;
  size_t nonfinite = 0;  // outputs that are NaN or inf where the FP64 reference is finite
  double seconds = 0;  // PE emulation time (wall clock, without the references)
  size_t threads = 1;  // threads the GEMM and the references ran on (at most one per 2^18 MACs)
};

struct GemmResult {
  std::vector<float> c;  // M x N, row-major
  GemmStats stats;
};

// "0", "1", "2-3", "4-7", ...: the label of ulp_histogram bucket b ("N+" for the last).
std::string ulp_bucket_label(size_t b, size_t buckets);
inline constexpr size_t kUlpBuckets = 26;  // the last holds >= 2^24 ulp and non-finite mismatches

// A: M x K row-major, B: K x N row-major. Throws pe::PeError for shapes the PE rejects, and
// pe::OperandError naming A[i, t] or B[t, j] for a value that is not exact under scale=none.
// Up to `threads` (1..kMaxThreads, models/threads/parallel_for.hpp; one per 2^18 MACs at most)
// share the rows of C and of the references; the result, statistics included, is the same
// for any number of them.
GemmResult run_gemm(const pe::ProcessingElement& pe, std::span<const float> a, std::span<const float> b, size_t m,
                    size_t n, size_t k, size_t threads = 1);

}  // namespace arithsim::sim
