// What a PE declares about running a workload's operands (issue #11): which operand formats
// it accepts, how wider weights are bit-sliced into passes, where group scales are applied
// (inside the PE, or a dequantize step on load), and the PE parameters that run an op. Each
// PE gives its rule in its registry entry; the estimator and the mapper hold no PE names.
//
//   OperandRequest q{"attn.q", int_facts(4), int_facts(8), 128, 4096};
//   OperandPlan p = plan_operands("mixpe", params, q);   // PeError when the PE cannot
#pragma once

#include <cstdint>
#include <string>

#include <arithsim/models/pe/pe.hpp>

namespace arithsim::pe {

// Kind and width of a stored tensor's format (of its elements, for a block format).
struct FormatFacts {
  std::string name;  // as the trace names it, e.g. "int4" or "mxfp4"
  std::string kind;  // minifloat | int | bipolar | posit
  int bits = 0;
  bool block = false;
  int64_t block_size = 0;
};
FormatFacts format_facts(const std::string& name);  // std::invalid_argument for an unknown format

// One GEMM-like op's operands as the workload stores them.
struct OperandRequest {
  std::string op;      // the op's name, for messages
  FormatFacts w, a;    // weights (B) and activations (A)
  int64_t group = 0;   // weights' scale group along K (0: none)
  uint64_t k = 0;      // reduction length
  double sparsity = 0; // fraction of zero weights the workload declares (structured N:M)
};

// How the op runs on the PE.
struct OperandPlan {
  Params params;             // the bit-accurate PE's parameters for this op
  int passes = 1;            // weight bit-slices run one after another
  bool dequant_on_load = false;  // group-scaled weights dequantized (FP16) and re-quantized before the PE
  std::string proxy_pe;      // accuracy from another PE (sliced weights the PE model cannot hold), or empty
  std::string note;          // "int8 weights bit-sliced into 2 passes of int4", casts, ...
};

// A PE's rule (its registry entry): `params` are the configured ones (no `stages`).
using PlanOperands = OperandPlan (*)(const std::string& pe, const Params& params, const OperandRequest& q);

// The plan of PE `name` for `q`. Throws PeError naming what the PE allows and what the op
// asks ("int_mac: weights must be integer formats int2..int16 (trace op 'x' asks for e4m3)"),
// also for sparse weights (no PE declares structured sparsity) and for PEs without a rule.
OperandPlan plan_operands(const std::string& name, const Params& params, const OperandRequest& q);

// Building blocks of the PEs' rules.
std::string asks(const OperandRequest& q, const FormatFacts& f);  // "(trace op 'x' asks for e4m3)"
// Bits of format parameter `key` of `params` (default `def`).
int param_bits(const Params& params, const std::string& key, const std::string& def);
// Integer weights of up to `native_bits` per pass: wider ones sliced into passes; the plan's
// note says so.
void slice_weights(OperandPlan& p, const FormatFacts& w, int native_bits, const char* what = "weights");
// Operands of up to 16 bits converted on load to the PE's own formats; group-scaled weights
// dequantized on load (fp8_mac, lmul_pe, rmmec).
OperandPlan plan_convert_on_load(const std::string& pe, const Params& params, const OperandRequest& q);
// Low-bit integer weights with their group scales applied inside the PE and int8 or FP16
// activations (MixPE, LUT Tensor Core): checks, slicing into passes of parameter w (default
// `default_w`), parameters a and group set; `weights_allowed` words the weight rule.
OperandPlan plan_low_bit_weights(const std::string& pe, const Params& params, const OperandRequest& q,
                                 const std::string& default_w, const std::string& weights_allowed);

}  // namespace arithsim::pe
