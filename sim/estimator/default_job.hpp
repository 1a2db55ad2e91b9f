// The embedded default job of `arithsim run` (issue #6): one LLaMA-2-7B decode step
// (batch 1, KV length 1024) with W4A8 weights (int4, group 128, INT8 activations) on a
// 32x32 output-stationary array at 28 nm, 1 GHz, across six PEs. docs/estimator.md.
#pragma once

#include "sim/estimator/accelerator_config.hpp"
#include "traces/trace.hpp"

namespace arithsim::estimator {

traces::Trace default_trace();
// The config with the six PEs: int_mac (the dequantize-then-multiply INT8 baseline), fp8_mac,
// mixpe, lut_tensor_core, rmmec (Posit(8,0) mode), lmul_pe (E4M3 operands).
AcceleratorConfig default_config();

}  // namespace arithsim::estimator
