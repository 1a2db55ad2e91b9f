// Integer dot products of one row of A against a panel of 16 columns of B on SIMD lanes: the
// GEMM kernels of the integer PEs (int_mac's registers, mixpe's group sums). Operands are
// sign-extended int32; element t of column l is panel[t * kIntPanel + l]. The loops over the
// 16 lanes vectorize, in clones for AVX-512, AVX2 and SSE2 picked at run time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arithsim::pe {

inline constexpr size_t kIntPanel = 16;

// The sum modulo 2^32 (uint32 lanes): a wrapping register of <= 32 bits after reduction, or
// the exact sum where it is known to fit in int32 (out[l] holds the uint32 pattern).
void int_lanes_wrap32(const int32_t* a, const int32_t* panel, size_t k, int64_t* out);
// The exact 64-bit sum (|a * b| <= 2^30, k < 2^32).
void int_lanes_sum64(const int32_t* a, const int32_t* panel, size_t k, int64_t* out);
// A register clamped to [lo, hi] after every product, in K order.
void int_lanes_saturate(const int32_t* a, const int32_t* panel, size_t k, int64_t lo, int64_t hi, int64_t* out);

}  // namespace arithsim::pe
