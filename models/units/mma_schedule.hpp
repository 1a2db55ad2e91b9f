// The GEMM level above one matrix instruction, for one output element over any K: the
// instructions chained along K (the D of one is the C of the next), the FP32 promotion of
// "precise" FP8 GEMMs (every `promote` elements the chain restarts from zero and its
// result is added to an FP32 register with one round-to-nearest-even add, as DeepSeek-V3's
// N_C = 128 and cuBLAS without fast accumulation do on the CUDA cores), split-K (the K
// range cut into `split_k` contiguous parts, reduced in order with FP32 adds) and the
// epilogue D = alpha * acc + beta * C (CUTLASS LinearCombination: fma(alpha, acc, beta*C)
// in FP32) with the conversion to the output type. docs/pe/tensor_core.md.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include <arithsim/models/units/mma_instruction.hpp>

namespace arithsim::units {

struct MmaSchedule {
  size_t promote = 0;   // elements per promotion to FP32 (a multiple of the instruction k); 0: never
  size_t split_k = 1;   // contiguous K parts, each chained from zero, reduced in order
  // Where c enters: as the first instruction's C (the raw chain of mma.sync / wgmma with
  // accumulate); or, with c_in_accumulator false, as the FP32 promotion register's start
  // (c_in_register: Triton's acc += dot(a, b) with promotion); or else in the epilogue.
  bool c_in_accumulator = true;
  bool c_in_register = false;
  float alpha = 1.0f, beta = 1.0f;  // epilogue; beta applies when c enters there
  std::optional<formats::ElementFormat> d;  // the output type; default: the instruction's
  void validate(const MmaInstruction& mma) const;  // std::invalid_argument naming the problem
};

// d = a . b + c for one output element: a, b hold K codes of the instruction's input
// formats, c a code of its accumulator format; returns a code of schedule.d. Block-scaled
// inputs take sa, sb: one scale code per run of scale_block elements of a and of b.
uint32_t mma_dot(const MmaInstruction& mma, const MmaSchedule& schedule, std::span<const uint32_t> a,
                 std::span<const uint32_t> b, uint32_t c, std::span<const uint32_t> sa = {},
                 std::span<const uint32_t> sb = {});

// The same schedule over any evaluator of the chains: chain(lo, hi, seed) is the accumulator
// code of the instructions chained over elements [lo, hi) from accumulator code `seed`. The
// calls, their ranges and seeds depend on K and the schedule only, never on the data, so a
// kernel over many outputs at once (mma_gemm.hpp) can serve every output's n-th call from
// one evaluation. mma_dot is this with the instruction's own chain.
using MmaChain = std::function<uint32_t(size_t lo, size_t hi, uint32_t seed)>;
uint32_t mma_schedule_dot(const MmaInstruction& mma, const MmaSchedule& schedule, size_t K, uint32_t c,
                          const MmaChain& chain);

}  // namespace arithsim::units
