// Workload traces (issue #6): one file = one workload, a list of ops (GEMM, batched GEMM /
// attention matmul, conv2d, elementwise) with their shapes, repeat counts, number formats,
// weight group size, sparsity and optional value statistics. The format is versioned YAML
// (a JSON file is read as YAML too); docs/traces.md is its reference.
//
// Loading validates everything once and fails with one line naming the file, the op and the
// field: "llama.yaml: op 'layer.q_proj': field 'k' must be a positive integer".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace arithsim::traces {

inline constexpr int kTraceVersion = 1;
// Largest weight group / block size a trace may give (a group is a run of K elements sharing
// one scale; 2^24 is far beyond any real K and keeps block sizes exact in int).
inline constexpr int64_t kMaxGroup = int64_t(1) << 24;

// A malformed or unreadable trace; what() is the whole one-line message.
struct TraceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class OpKind { Gemm, BatchedGemm, Conv2d, Elementwise };
std::string_view to_string(OpKind k);
std::optional<OpKind> parse_kind(std::string_view s);  // gemm, batched_gemm, conv2d, elementwise

// Value statistics of one operand: a named distribution with its parameters, or a .npy
// sample (path relative to the trace file). Distributions and their parameters:
// normal(mean, std), uniform(low, high), laplace(loc, scale), student_t(df, scale).
struct ValueStats {
  std::string distribution;              // empty when npy is set
  std::map<std::string, double> params;  // exactly the distribution's parameters
  std::string npy;                       // as written in the file
  bool operator==(const ValueStats&) const = default;
};

// Conv2d in NHWC terms: input N x H x W x C, K filters of R x S x C, stride, symmetric pad.
struct ConvShape {
  int64_t n = 0, h = 0, w = 0, c = 0, k = 0, r = 0, s = 0, stride = 1, pad = 0;
  int64_t p() const { return (h + 2 * pad - r) / stride + 1; }  // output height
  int64_t q() const { return (w + 2 * pad - s) / stride + 1; }  // output width
  bool operator==(const ConvShape&) const = default;
};

// One op. Operands: A (activations, M x K), B (K x N: the weights of a gemm / conv2d; the
// second activation operand — K^T or V, e.g. the KV cache — of a batched_gemm), C (M x N).
// All counts (MACs, bytes) are per instance times `repeat`.
struct Op {
  std::string name;
  OpKind kind = OpKind::Gemm;
  int64_t m = 0, n = 0, k = 0, batch = 1;  // gemm (batch 1), batched_gemm, elementwise (m, n, batch)
  ConvShape conv;                          // conv2d
  int64_t inputs = 1;                      // elementwise: input tensors of M x N each
  std::string function;                    // elementwise: what it computes (informational)
  int64_t repeat = 1;
  std::string weight_format;      // B operand (unused by elementwise)
  std::string activation_format;  // A operand (elementwise: every input)
  std::string output_format;      // C
  int64_t group = 0;              // B quantization group along K (0: per tensor / channel)
  double sparsity = 0;            // fraction of zero B elements, [0, 1)
  std::optional<ValueStats> weight_stats, activation_stats;
  bool operator==(const Op&) const = default;

  // Dense multiply-accumulates, all instances (elementwise: 0).
  uint64_t macs() const;
  // MACs with zero weights skipped: macs() * (1 - sparsity).
  double effective_macs() const { return double(macs()) * (1.0 - sparsity); }
  // Element counts, all instances. B of a gemm/conv2d counts as parameters.
  uint64_t a_elements() const;  // elementwise: all inputs together
  uint64_t b_elements() const;  // 0 for elementwise
  uint64_t c_elements() const;
  uint64_t parameters() const { return kind == OpKind::Gemm || kind == OpKind::Conv2d ? b_elements() : 0; }
  // Bytes of each operand in its format, group scales (and zero points) included.
  double a_bytes() const;
  double b_bytes() const;
  double c_bytes() const;
  std::string b_format_label() const;  // "int4/g128" where a group applies, else the format
};

// Fields an op takes from the trace's `defaults` when it does not set them.
struct OpDefaults {
  std::string weight_format, activation_format, output_format;
  int64_t group = 0;
  double sparsity = 0;
  bool operator==(const OpDefaults&) const = default;
};

struct Trace {
  int version = kTraceVersion;
  std::string model;
  std::string phase;                         // prefill, decode or forward
  std::map<std::string, double> parameters;  // hyperparameters (hidden, layers, seq, ...)
  OpDefaults defaults;
  std::vector<Op> ops;
  bool operator==(const Trace&) const = default;

  uint64_t macs() const;
  uint64_t parameter_count() const;  // weights of all gemm / conv2d ops
};

// Storage bits per element of `format` (element or block format name), with one FP16 scale
// per `group` elements for an element format with group > 0; a block format's own scale
// (and zero point) per block, group > 0 overriding its block size. Throws
// std::invalid_argument for an unknown format.
double bits_per_element(const std::string& format, int64_t group = 0);
// Throws std::invalid_argument("unknown format 'x'") unless `format` names an element
// format (formats::ElementFormat::parse) or a block format (formats::parse_block).
void check_format(const std::string& format);

// Reading and writing. `file` names the trace in messages (as given by the user).
Trace load_trace(const std::string& path);
Trace parse_trace(std::string_view text, const std::string& file, const std::string& base_dir = ".");
// YAML (default) or JSON (a path ending in .json); written atomically (temp file + rename).
std::string to_yaml(const Trace& t);
std::string to_json(const Trace& t);
void save_trace(const Trace& t, const std::string& path);

// Totals over a trace, bytes by format ("int4/g128", "int8", "bf16"), for `trace show`.
struct Summary {
  size_t ops = 0;
  uint64_t macs = 0, parameters = 0;
  double effective_macs = 0, weight_bytes = 0, activation_bytes = 0, output_bytes = 0;
  std::map<std::string, double> bytes_by_format;
  std::map<std::string, uint64_t> macs_by_kind;
};
Summary summarize(const Trace& t);

}  // namespace arithsim::traces
