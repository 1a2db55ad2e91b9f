// The mapper (issue #11): places one GEMM, C (M x N) = A (M x K) B (K x N), on an edge-fed
// R x C array with three on-chip buffers (A, W, outputs) and DRAM, as a loop nest:
//
//   DRAM level     for each of the three dims, in `order` (outer to inner), one buffer tile
//                  (tile_m x tile_n x tile_k elements) at a time, double-buffered
//   array level    os / dot: the buffer tile in R x C output blocks, one of M / N on the
//                  array rows and the other on the columns (`rows`), K streamed into the
//                  accumulators; ws / is: K on the rows (`rows` = k), N / M on the columns,
//                  the other dim streamed past stationary R x C tiles
//
// and evaluates a nest in closed form (no simulation): cycles (models/cycle/array_gemm.hpp's
// closed form), DRAM and buffer bytes per tensor from reuse, time with transfers overlapped
// with compute, and the traffic + leakage energy. `search` enumerates every orientation, loop
// order and tile size that fits the buffers and keeps the best by the objective. Neither PE
// names nor the estimator's config appear here: the caller describes the problem and the
// hardware. Formulas: docs/estimator.md#mapping.
//
//   mapper::Choice c = mapper::search(problem, hardware, mapper::Objective::Latency);
//   c.nest, c.eval.time_s, c.eval.dram_bytes(), c.candidates, mapper::loop_nest_text(...)
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <arithsim/models/cycle/pe_array.hpp>

namespace arithsim::mapper {

enum class Dim { M, N, K };
char dim_name(Dim d);  // 'm' | 'n' | 'k'

// One GEMM op as the mapper sees it; `batch` independent instances (attention heads) run back
// to back, each with its own A, B and C.
struct Problem {
  uint64_t m = 1, n = 1, k = 1, batch = 1;
  double a_bits = 8, b_bits = 8, c_bits = 16;  // bits per element in DRAM and the buffers (b: with group scales)
  double psum_bits = 32;                      // a partial sum held outside the array
  int lanes = 1;                              // K elements per operand word
  int passes = 1;                             // weight slices streamed one after another
  uint64_t k_granule = 1;                     // K tiles are multiples of it (lanes, weight group), or all of K
};

struct Hardware {
  int rows = 32, cols = 32;
  cycle::Dataflow dataflow = cycle::Dataflow::OutputStationary;
  int stages = 1;                                       // PE pipeline stages (the closed form's latency)
  // SCALE-Sim-compatible cycles (os only): every R x C fold pays its T words + R + C - 2,
  // folds never overlap and MACs have no latency (SCALE-Sim v2's systolic_compute_os).
  bool scalesim_cycles = false;
  double a_buffer_bytes = 256 * 1024, w_buffer_bytes = 512 * 1024, o_buffer_bytes = 128 * 1024;
  double clock_hz = 1e9;
  double dram_bytes_per_s = 64e9;
  // Energy per byte moved (pJ): DRAM, and an access (read or write) of each buffer.
  double dram_pj_per_byte = 160, a_pj_per_byte = 0, w_pj_per_byte = 0, o_pj_per_byte = 0;
  double leakage_w = 0;                                 // array + buffers, charged over the op's time
};

struct LoopNest {
  Dim rows = Dim::M;                               // os / dot: M or N on the rows, the other on the columns; ws / is: K
  std::array<Dim, 3> order{Dim::M, Dim::N, Dim::K};  // DRAM-level loops, outer to inner
  uint64_t tile_m = 1, tile_n = 1, tile_k = 1;     // buffer tile, elements (<= the dims)
  bool operator==(const LoopNest&) const = default;
};

struct Evaluation {
  uint64_t cycles = 0;            // all batch instances back to back, pipeline fill included
  uint64_t array_tiles = 0;       // R x C output blocks per instance
  uint64_t steps = 0;             // DRAM-level iterations (buffer tiles), all instances
  // DRAM-level passes over each tensor per instance (1: read once); C: how often each output
  // tile is visited (> 1: partial sums spilled to DRAM and read back).
  uint64_t a_reps = 1, w_reps = 1, c_reps = 1;
  double dram_a = 0, dram_w = 0, dram_c = 0;  // bytes, all instances (c: outputs + spilled partial sums)
  double sram_a = 0, sram_w = 0, sram_c = 0;  // buffer bytes accessed: fills + array reads, writes + drains
  double a_tile_bytes = 0, w_tile_bytes = 0, c_tile_bytes = 0;  // one buffer tile, as held on chip
  double compute_s = 0, dram_s = 0, time_s = 0;
  double energy_pj = 0;  // DRAM + buffers + leakage over time_s (the MACs are the caller's)
  double dram_bytes() const { return dram_a + dram_w + dram_c; }
  bool memory_bound() const { return dram_s > compute_s; }
};

// The nest's numbers. Tiles are clipped to the dims; fit is not checked (see `check_fit`).
Evaluation evaluate(const Problem& p, const Hardware& h, const LoopNest& nest);

// Why the nest's tiles do not fit their buffers (each tile in half its buffer: double
// buffering), or "" when they do: "W tile 4096x4096 x 4.25 bits = 8.5 MiB > half of the
// weights buffer (256 KiB)".
std::string check_fit(const Problem& p, const Hardware& h, const LoopNest& nest);

enum class Objective { Latency, Energy, Edp };
Objective parse_objective(const std::string& s);  // latency | energy | edp; std::invalid_argument
const char* objective_name(Objective o);

struct Choice {
  LoopNest nest;
  Evaluation eval;
  uint64_t candidates = 0;  // nests evaluated (that fit)
};

// No nest of the search space fits the buffers (what() names the smallest tiles and buffers).
struct NoFit : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Every orientation x loop order x tile size (powers of two of the array's extent on that
// dim, halvings of the dim, and the whole dim) that fits. Of the nests within 0.1 % of the
// best score by `objective`, the one with the least energy (latency, EDP) or time (energy):
// what a designer takes when the score cannot tell them apart. Throws NoFit.
Choice search(const Problem& p, const Hardware& h, Objective objective);

// The given nest (tiles clipped to the dims), evaluated; NoFit with check_fit's reason.
Choice fixed(const Problem& p, const Hardware& h, LoopNest nest);

// Tiles clipped to the dims (0: all of it).
LoopNest clipped(const Problem& p, LoopNest nest);

// One line: "rows=m order=nmk tile=1x128x4096".
std::string compact(const LoopNest& nest);
// Timeloop-style loop nest, one loop per line, with each level's tile sizes.
std::string loop_nest_text(const Problem& p, const Hardware& h, const LoopNest& nest);

}  // namespace arithsim::mapper
