// A tiled GEMM on a cycle-level array: C (M x N) = A (M x K) B (K x N), K in operand words
// (Kw = K / lanes). Output tiles of R x C run back to back: tile (ti, tj) streams its Kw
// words with in_first on the first and in_last on the last, the next tile follows on the next
// edge, results leave each PE's result register the edge they are latched. Rows/columns
// beyond M/N in edge tiles are fed zero codes and their results dropped.
#pragma once

#include <cstdint>
#include <vector>

#include <arithsim/models/cycle/pe_array.hpp>

namespace arithsim::cycle {

struct ArrayGemmProblem {
  size_t m = 0, n = 0, kw = 0;       // kw: operand words per dot product
  std::vector<uint64_t> a;           // m x kw words, row-major
  std::vector<uint64_t> w;           // kw x n words, row-major
  std::vector<uint64_t> scale, zero; // kw x n group scale codes / zero points (empty: none)
};

struct ArrayGemmOptions {
  unsigned bubble_every = 0;  // the feeder has no data one edge in N (memory stalls; 0: never)
};

struct ArrayGemmResult {
  std::vector<uint64_t> out;  // m x n result codes
  uint64_t tiles = 0;
  uint64_t cycles = 0;        // edges from the first input to the last result, inclusive
  uint64_t feed_edges = 0;    // edges with valid input (tiles * kw)
  uint64_t stall_edges = 0;   // edges the feeder had no data
  double utilization = 0;     // useful MAC words / (R * C * cycles)
};

// The tiled GEMM as a stream of edges, so that any simulator can drive it (the plain tick
// loop below, the SystemC top in sim/systemc): two reset edges, then next() gives each
// edge's inputs and collect() takes the outputs seen after that edge, until done().
class ArrayGemmStream {
 public:
  ArrayGemmStream(const ArrayGemmProblem& p, int rows, int cols, int latency, const ArrayGemmOptions& o = {});
  bool done() const { return results_ == want_; }
  const ArrayIn& next();  // inputs of the next edge (the first two are resets)
  // Outputs after that edge: out_valid(i, j) / out_acc(i, j) of every PE.
  template <class Valid, class Acc>
  void collect(Valid&& out_valid, Acc&& out_acc) {
    if (edge_ < 2) return;  // reset edges
    for (size_t i = 0; i < R_; ++i)
      for (size_t j = 0; j < C_; ++j)
        if (out_valid(int(i), int(j))) take(i, j, out_acc(int(i), int(j)));
  }
  ArrayGemmResult result() const;

 private:
  void take(size_t i, size_t j, uint64_t v);
  const ArrayGemmProblem& p_;
  size_t R_, C_, tn_;
  int latency_;
  ArrayGemmOptions o_;
  ArrayGemmResult r_;
  ArrayIn in_;
  std::vector<uint64_t> done_;  // results taken per PE (= its tile index)
  uint64_t edge_ = 0, fed_ = 0, total_ = 0, results_ = 0, want_ = 0, last_edge_ = 0;
};

// Positive M, N, K and operand / scale vectors of the problem's sizes; std::invalid_argument
// naming the mismatch otherwise.
void check_array_gemm_problem(const ArrayGemmProblem& p);

// Cycles of a ws / is array (models/cycle/stationary_array.hpp) whose stationary tiles start
// `intervals` edges apart in all (the first load of R edges before them) and whose last tile
// streams `last_streamed` vectors: through the skew, the array and the pipeline into the
// bottom-right result register.
uint64_t stationary_cycles(int rows, int cols, int stages, uint64_t intervals, uint64_t last_streamed);

ArrayGemmResult run_array_gemm(PeArrayModel& array, const ArrayGemmProblem& p, const ArrayGemmOptions& o = {});

// Random operand codes of the PE's port widths (scale codes: FP16 powers of two 2^-3..2^4,
// zero points in range, constant per column), for tests and benchmarks of arrays.
ArrayGemmProblem random_array_problem(const PePorts& ports, size_t m, size_t n, size_t kw, uint64_t seed);

// The closed form the estimator uses. os / dot: tiles * kw + stalls + latency - 1 (R x C
// output tiles). ws / is: R + (tiles - 1) max(S, 2R) + S + R + C + stages - 2 with S the
// streamed vectors (M for ws, N for is) and tiles = ceil(Kw / R) ceil(N / C) (ws; M for is):
// models/cycle/stationary_array.hpp's protocol. Stalls: os / dot only.
uint64_t array_gemm_cycles(int rows, int cols, Dataflow df, int stages, size_t m, size_t n, size_t kw,
                           uint64_t stall_edges = 0);

}  // namespace arithsim::cycle
