// The accelerator an estimate runs on (issue #6): one array of one PE type, its clock and
// technology node, the on-chip buffers and DRAM. A YAML (or JSON) file, every field optional
// with the defaults below; docs/estimator.md is its reference.
//
//   version: 1
//   array: {rows: 32, cols: 32, dataflow: os}
//   pe: {name: mixpe, params: {w: int4, group: 128}}      # or pes: [ {name: ..., params: ...}, ... ]
//   clock_ghz: auto                                       # or GHz, at most the modelled fmax
//   node: 28
//   cost: analytical                                      # or synth:sky130 | synth:asap7 | synth:FILE.lib
//   buffers_kb: {activations: 256, weights: 512, outputs: 128}
//   dram: {bandwidth_gbps: 64, pj_per_bit: 20, source: "..."}
//   vector: {lanes: 32}
//   mapping: {objective: latency}                         # or fixed: {rows: m, order: nmk, tile: {m: 32, n: 96, k: 0}}
//
// Loading validates every field once; errors are one line naming the file and the field.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <arithsim/models/pe/pe.hpp>
#include "sim/mapper/mapper.hpp"

namespace arithsim::estimator {

inline constexpr int kConfigVersion = 1;

// A malformed config or an op the configured PE cannot run; what() is the whole message.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PeChoice {
  std::string name;  // a PE of `arithsim pe list`
  pe::Params params; // its parameters (plus the cycle model's `stages`)
  std::string label; // how reports name it (default: the name)
  bool operator==(const PeChoice&) const = default;
};

// Where the DRAM energy per bit comes from by default: Horowitz, ISSCC 2014 (45 nm table):
// a 64-bit DRAM access costs 1.3-2.6 nJ, i.e. 20-41 pJ/bit; the low end is the default.
inline constexpr double kDefaultDramPjPerBit = 20.0;
inline constexpr const char* kDefaultDramSource =
    "Horowitz, ISSCC 2014: DRAM 1.3-2.6 nJ per 64-bit access (low end: 20 pJ/bit); not node-scaled";

struct AcceleratorConfig {
  std::string name = "default";
  int rows = 32, cols = 32;
  std::string dataflow = "os";       // os | dot (models/cycle/pe_array.hpp)
  // Idle PEs (no MAC this cycle) have their datapath gated: they pay their registers' clock
  // energy only. false: every PE pays its full dynamic energy every cycle.
  bool idle_gating = true;
  // "exact" (the cycle-level array's closed form) or "scalesim" (SCALE-Sim v2's count, os
  // only: T + R + C - 2 per fold, folds not overlapped; docs/estimator.md#scale-sim).
  std::string cycles = "exact";
  std::vector<PeChoice> pes;         // one estimate per PE
  // The array clock; 0 ("auto"): each PE's modelled fmax at the node (the PE's critical
  // path or a buffer's SRAM access, whichever is slower). A clock above the fmax is a
  // ConfigError at estimate time.
  double clock_hz = 0;
  std::string node = "28";           // a node of cost/library/technology.yaml
  // Where the PE's area, energy and clock come from: "analytical" (cost/pe_cost, the component
  // library at `node`), "fitted:LIB" (the same model with its components' factors fitted to
  // synthesis on LIB, sky130 or asap7; cost/fit.hpp) or "synth:LIB" (its RTL synthesized onto
  // cell library LIB: sky130, asap7 or liberty files; sim/synth/ppa_database). With sky130 /
  // asap7 the node follows the library (130 / 7 nm) for everything priced analytically.
  std::string cost = "analytical";
  double a_buffer_kb = 256, w_buffer_kb = 512, o_buffer_kb = 128;
  double dram_gbps = 64;             // GB/s (10^9 bytes per second); assumed, LPDDR5-class
  double dram_pj_per_bit = kDefaultDramPjPerBit;
  std::string dram_source = kDefaultDramSource;
  int vector_lanes = 0;              // elementwise ops: elements per cycle (0: = cols)
  // How GEMM ops are mapped (sim/mapper): searched by the objective, or one fixed loop nest
  // for every op (tiles 0 or larger than a dim: all of it).
  mapper::Objective objective = mapper::Objective::Latency;
  bool fixed_mapping = false;
  mapper::LoopNest mapping{mapper::Dim::M, {mapper::Dim::M, mapper::Dim::N, mapper::Dim::K}, 0, 0, 0};
  bool operator==(const AcceleratorConfig&) const = default;

  int lanes_for_vector() const { return vector_lanes > 0 ? vector_lanes : cols; }
};

// `file` names the config in messages. Throws ConfigError.
AcceleratorConfig parse_config(std::string_view text, const std::string& file);
AcceleratorConfig load_config(const std::string& path);
std::string to_yaml(const AcceleratorConfig& c);

// Checks every PE of the config against the PE registry (name, parameters, array support)
// and the shape / node / clock. Throws ConfigError with one line.
void validate(const AcceleratorConfig& c);

}  // namespace arithsim::estimator
