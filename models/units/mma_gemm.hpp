// A whole GEMM through one matrix unit: every output element is mma_dot's (the instruction
// chained over K under the schedule, units/mma_schedule.hpp), bit for bit, but the work is
// laid out as a GEMM is: the operands are decoded once, not once per dot product, and where
// the instruction is the aligned block FMA of NVIDIA's units (MmaInstruction::
// aligned_datapath().lanes) 16 outputs of a row run side by side on SIMD lanes (the add
// stage in 32-bit lanes, positive and negative terms summed apart). Outputs the lanes cannot
// take (NaN or infinite operands or c, a block that overflows) and the other datapaths go
// through mma_dot. docs/pe/tensor_core.md.
#pragma once

#include <cstdint>
#include <span>

#include <arithsim/models/units/mma_schedule.hpp>

namespace arithsim::units {

// d[i * n + j] = mma_dot(mma, schedule, a row i, b column j, c[i * n + j]): `a` holds m rows
// of k codes (row-major), `bt` n columns of k codes (B transposed, row-major n x k), `c` one
// accumulator code for every output or m * n of them, `d` m * n codes of the schedule's
// output type. Throws std::invalid_argument on sizes that do not agree.
void mma_gemm(const MmaInstruction& mma, const MmaSchedule& schedule, std::span<const uint32_t> a,
              std::span<const uint32_t> bt, size_t m, size_t n, size_t k, std::span<const uint32_t> c,
              std::span<uint32_t> d);

// Whether mma_gemm runs this instruction on SIMD lanes (else it loops over mma_dot).
bool mma_gemm_lanes(const MmaInstruction& mma);

}  // namespace arithsim::units
