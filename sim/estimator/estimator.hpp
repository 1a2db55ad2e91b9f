// The trace-driven estimator (issue #6): maps every op of a workload trace onto an
// accelerator (sim/estimator/accelerator_config.hpp) and estimates cycles, utilization,
// on-chip and off-chip traffic, energy (compute with measured switching activity, buffers,
// DRAM, leakage), a roofline verdict, and the output error (SQNR) of the PE's arithmetic on
// sampled values. Formulas and assumptions: docs/estimator.md.
//
//   Estimator est(config);
//   PeEstimate r = est.estimate(trace, config.pes[0]);
//   r.total_energy_pj(), r.cycles, r.ops[i].bound ...
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arithsim/cost/array_cost.hpp>
#include <arithsim/cost/component_library.hpp>
#include <arithsim/models/pe/workload_plan.hpp>
#include "sim/estimator/accelerator_config.hpp"
#include "traces/trace.hpp"

namespace arithsim::estimator {

// How an op's formats meet the PE: its registry entry's operand plan
// (models/pe/workload_plan.hpp).
using OpMapping = pe::OperandPlan;

// Decides how `op` runs on `pe`; throws ConfigError for a combination the PE cannot run,
// naming what is allowed: "lut_tensor_core: weights must be int1..int4 ... (trace op 'x'
// asks for e4m3)". Elementwise ops run on the vector unit (no PE mapping).
OpMapping map_op(const PeChoice& pe, const traces::Op& op);

// The GEMM an op is mapped to, per instance: conv2d is an implicit GEMM (M = N·P·Q,
// N = K filters, K = C·R·S); a batched_gemm's `batch` instances stream back to back.
struct GemmShape {
  uint64_t m = 0, n = 0, k = 0, batch = 1;
};
GemmShape gemm_shape(const traces::Op& op);

// Cycles of one op instance (all `batch` GEMMs back to back, `passes` weight slices) on an
// R x C array: array_gemm_cycles of models/cycle/array_gemm.hpp, the same closed form the
// cycle-level simulation is checked against.
struct GemmCycles {
  uint64_t kw = 0, tiles = 0, cycles = 0;
  double utilization = 0;  // useful MAC words / (R * C * cycles)
};
GemmCycles gemm_cycles(const AcceleratorConfig& c, const PeChoice& pe, const GemmShape& g, int passes = 1);

struct Energy {  // pJ
  double compute = 0;    // PE array (PEs, interconnect, shared tables), vector unit, dequantizer
  double dequant = 0;    // of which: the dequantize-on-load step (also in compute)
  double buffers = 0;    // on-chip SRAM reads and writes
  double dram = 0;       // off-chip traffic
  double leakage = 0;    // array + buffers, over the op's runtime
  double total() const { return compute + buffers + dram + leakage; }
  Energy& operator+=(const Energy& o);
};

// What the energy is made of, as Accelergy / Timeloop count it: each action's count and the
// energy charged for it (pJ), all instances. The energies add up to Energy's parts.
struct Actions {
  struct Action {
    double count = 0, energy_pj = 0;
  };
  Action busy_pe_cycles;   // PE-cycles performing a MAC word (dynamic energy at the measured activity)
  Action idle_pe_cycles;   // PE-cycles without one (clock energy only when gated, array.idle_gating)
  Action array_cycles;     // interconnect (hop / skew / stationary registers, broadcast wires), shared tables
  Action dequant_weights;  // weights dequantized on load (2 FP16 operations each)
  Action vector_ops;       // BF16 FMA-class operations of the vector unit (elementwise ops)
  Action a_buffer_bytes, w_buffer_bytes, o_buffer_bytes;  // SRAM bytes written + read per buffer
  Action dram_bytes;
  Action leakage_s;        // seconds of runtime (array + buffers leak)
  Actions& operator+=(const Actions& o);
  // Every action with its results.json key and report.md name, in report order.
  struct Named {
    const char* key;
    const char* what;
    Action Actions::*member;
  };
  static const std::array<Named, 10>& all();
};

struct Traffic {  // bytes, all instances
  double dram_a = 0, dram_w = 0, dram_c = 0;  // off-chip: activations, weights, outputs
  double sram_a = 0, sram_w = 0, sram_c = 0;  // on-chip buffer accesses (fills + reads / writes + drains)
  int a_rereads = 1, w_rereads = 1;           // DRAM passes over A / B per instance (the mapper's reuse)
  int c_visits = 1;                           // visits of each output tile (> 1: partial sums spilled to DRAM)
  double dram() const { return dram_a + dram_w + dram_c; }
  double sram() const { return sram_a + sram_w + sram_c; }
};

struct OpEstimate {
  std::string name, kind;
  uint64_t instances = 1;  // repeat x (batch for elementwise)
  uint64_t macs = 0;
  GemmShape gemm;
  int lanes = 1, passes = 1;
  uint64_t kw = 0, tiles = 0;
  uint64_t cycles = 0;      // compute cycles, all instances
  double utilization = 0;   // closed-form array utilization of the op
  // Actions of the array, all instances: PE-cycles that perform MACs and those that do not
  // (gated by default: clock energy only; AcceleratorConfig::idle_gating).
  double busy_pe_cycles = 0, idle_pe_cycles = 0;
  std::string a_format, w_format, c_format;  // w_format: "int4/g128"
  Traffic traffic;
  double compute_s = 0, dram_s = 0, time_s = 0;
  std::string bound;        // compute | memory
  Energy energy;
  Actions actions;
  double sqnr_db = 0;       // NaN: not measured (elementwise)
  std::string accuracy_how; // e.g. "mixpe w=int4 group=128, 4x16x4096 sample"
  // The mapper's loop nest (GEMM ops): one line (mapper::compact), the whole nest, and how
  // many nests were evaluated to choose it (1: the config's fixed mapping).
  std::string mapping, loop_nest;
  uint64_t candidates = 0;
  std::string note;
};

struct PeEstimate {
  PeChoice pe;
  AcceleratorConfig config;
  std::string model, phase;
  std::vector<OpEstimate> ops;
  uint64_t macs = 0, cycles = 0;
  double time_s = 0, compute_s = 0, dram_s = 0;
  double utilization = 0;  // MACs / (R*C*lanes * compute cycles)
  Energy energy;
  Actions actions;         // summed over the ops
  // The array clock this estimate runs at: the config's, or (auto) the fmax; the fmax and
  // what sets it ("mixpe loop 1386 ps + register 42 ps", "W buffer SRAM access ...").
  double clock_hz = 0, fmax_hz = 0;
  std::string clock_limit;
  double area_um2 = 0, area_array_um2 = 0, area_buffers_um2 = 0, area_dequant_um2 = 0;
  double sqnr_db = 0;      // MAC-weighted: -10 log10( sum macs_i 10^(-sqnr_i/10) / sum macs_i )
  std::string bound;       // memory when the DRAM time exceeds the compute time over the trace
  cost::ActivityFactors activity;  // measured on the first GEMM op's sampled values
  std::vector<std::string> sources;  // where every number comes from, with the node
};

using Progress = std::function<void(double done)>;  // fraction 0..1

struct EstimatorCaches;

class Estimator {
 public:
  explicit Estimator(AcceleratorConfig config, cost::ComponentLibrary lib = cost::ComponentLibrary::builtin());
  // With caches shared by several estimators (a sweep's points, on any threads): what one
  // measured (an activity, an accuracy, an array's cost), the others reuse. Every entry is a
  // pure function of its key (the PE, the op's shapes, formats and value statistics; for array
  // costs also rows, cols, dataflow and node), so sharing changes no estimate. Share them only
  // among estimators of one component library.
  Estimator(AcceleratorConfig config, std::shared_ptr<EstimatorCaches> caches,
            cost::ComponentLibrary lib = cost::ComponentLibrary::builtin());
  ~Estimator();
  const AcceleratorConfig& config() const { return config_; }
  // `base_dir`: where value-statistics .npy paths of the trace are relative to.
  PeEstimate estimate(const traces::Trace& trace, const PeChoice& pe, const Progress& progress = {},
                      const std::string& base_dir = ".");
  // Every PE of the config, in order.
  std::vector<PeEstimate> estimate_all(const traces::Trace& trace, const Progress& progress = {},
                                       const std::string& base_dir = ".");

  // Threads for the sampled measurements (activity and accuracy of distinct ops; 1..1024,
  // std::invalid_argument otherwise). The estimates do not depend on it.
  void set_threads(size_t threads);
  // The PPA database a `cost: synth:LIB` config reads and fills (default:
  // synth::default_ppa_database(), $ARITHSIM_PPA_DB or ~/.cache/arithsim/ppa.json).
  void set_ppa_database(std::filesystem::path file) { ppa_database_ = std::move(file); }
  const std::filesystem::path& ppa_database() const { return ppa_database_; }

  using Caches = EstimatorCaches;  // estimator.cpp: array costs, activities, accuracies
  static std::shared_ptr<Caches> new_caches();

 private:
  void measure_samples(const traces::Trace& trace, const PeChoice& pe, const std::string& base_dir);
  size_t threads_ = 1;
  std::filesystem::path ppa_database_;
  AcceleratorConfig config_;
  cost::ComponentLibrary lib_;
  std::shared_ptr<Caches> caches_;
};

// The switching activity of `pe` on a workload: its cycle model fed with every GEMM/conv
// op's sampled operands (the estimator's per-op measurement), averaged weighted by the ops'
// effective MACs. Elementwise ops (vector unit) are left out. std::invalid_argument when the
// trace has no GEMM/conv op.
cost::ActivityFactors workload_activity(const PeChoice& pe, const traces::Trace& trace,
                                        const std::string& base_dir = ".");

}  // namespace arithsim::estimator
