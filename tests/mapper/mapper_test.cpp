// The mapper's closed forms against a brute-force walk of the loop nest (every DRAM-level
// iteration, a resident tile per tensor, every array block), against the cycle-level array
// simulation for both orientations, and the search's choices on shapes whose answer a
// designer knows.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>

#include <fmt/format.h>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include "sim/mapper/mapper.hpp"

using namespace arithsim;
using mapper::Dim;

namespace {

uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

struct Walked {
  double dram_a = 0, dram_w = 0, dram_c = 0, read_a = 0, read_w = 0;
  uint64_t words = 0;  // os: array block-words streamed, all instances
  // ws / is: the stationary tiles' edges (each max(S, 2R)), the last step's streamed count,
  // and K folds per output (partial sums leave and re-enter between them)
  uint64_t intervals = 0, last_streamed = 0, folds = 0;
};

// Executes the nest: DRAM-level loops in order, a tensor tile fetched whenever the tile the
// iteration needs differs from the resident one; an output tile left before all its K tiles
// are done is spilled as partial sums and read back when it is entered again.
Walked walk(const mapper::Problem& p, const mapper::Hardware& h, const mapper::LoopNest& t) {
  Walked w;
  const uint64_t ext[3] = {p.m, p.n, p.k}, tl[3] = {t.tile_m, t.tile_n, t.tile_k};
  const uint64_t trips[3] = {cdiv(p.m, tl[0]), cdiv(p.n, tl[1]), cdiv(p.k, tl[2])};
  const uint64_t gm = t.rows == Dim::M ? h.rows : h.cols, gn = t.rows == Dim::M ? h.cols : h.rows;
  const bool st = t.rows == Dim::K, ws = h.dataflow == cycle::Dataflow::WeightStationary;
  const uint64_t R = uint64_t(h.rows), C = uint64_t(h.cols);
  for (uint64_t b = 0; b < p.batch; ++b) {
    std::pair<int64_t, int64_t> ra{-1, -1}, rw{-1, -1}, rc{-1, -1};
    std::map<std::pair<int64_t, int64_t>, uint64_t> k_done;
    auto len = [&](int d, uint64_t i) { return std::min(tl[d], ext[d] - i * tl[d]); };
    auto leave_c = [&]() {
      if (rc.first < 0) return;
      const double e = double(len(0, uint64_t(rc.first))) * double(len(1, uint64_t(rc.second)));
      w.dram_c += e * (k_done[rc] == trips[2] ? p.c_bits : p.psum_bits) / 8;
    };
    const int o0 = int(t.order[0]), o1 = int(t.order[1]), o2 = int(t.order[2]);
    for (uint64_t i0 = 0; i0 < trips[o0]; ++i0)
      for (uint64_t i1 = 0; i1 < trips[o1]; ++i1)
        for (uint64_t i2 = 0; i2 < trips[o2]; ++i2) {
          uint64_t idx[3];
          idx[o0] = i0, idx[o1] = i1, idx[o2] = i2;
          const int64_t mi = int64_t(idx[0]), ni = int64_t(idx[1]), ki = int64_t(idx[2]);
          const double lm = double(len(0, idx[0])), ln = double(len(1, idx[1])), lk = double(len(2, idx[2]));
          if (ra != std::pair{mi, ki}) w.dram_a += lm * lk * p.a_bits / 8, ra = {mi, ki};
          if (rw != std::pair{ki, ni}) w.dram_w += lk * ln * p.b_bits / 8, rw = {ki, ni};
          if (rc != std::pair{mi, ni}) {
            leave_c();
            rc = {mi, ni};
            if (k_done[rc] > 0) w.dram_c += lm * ln * p.psum_bits / 8;  // partial sums read back
          }
          ++k_done[rc];
          const uint64_t kw = cdiv(uint64_t(lk), uint64_t(p.lanes)) * uint64_t(p.passes);
          if (st) {  // ws / is: stationary R x C tiles of K x (N or M), the other dim streamed
            const uint64_t ls = uint64_t(ws ? lm : ln), lx = uint64_t(ws ? ln : lm);
            w.intervals += cdiv(kw, R) * cdiv(lx, C) * std::max(ls, 2 * R);
            w.last_streamed = ls;
            if (b == 0 && idx[0] == 0 && idx[1] == 0) w.folds += cdiv(kw, R);
            w.read_a += ws ? lm * lk * double(cdiv(uint64_t(ln), C)) * double(p.passes) : lm * lk;
            w.read_w += ws ? lk * ln : lk * ln * double(cdiv(uint64_t(lm), C));
            continue;
          }
          // The array: R x C blocks of this buffer tile, each streaming the K tile's words.
          const uint64_t bm = cdiv(uint64_t(lm), gm), bn = cdiv(uint64_t(ln), gn);
          w.words += bm * bn * cdiv(uint64_t(lk), uint64_t(p.lanes)) * uint64_t(p.passes);
          w.read_a += lm * lk * double(bn) * double(p.passes);  // A's rows once per block of N
          w.read_w += lk * ln * double(bm);
        }
    leave_c();
  }
  return w;
}

}  // namespace

TEST(Mapper, ClosedFormsEqualTheWalkedLoopNest) {
  std::mt19937_64 rng(11);
  int checked = 0;
  for (const auto& [m, n, k] : std::vector<std::array<uint64_t, 3>>{
           {1, 50, 100}, {37, 3, 64}, {64, 32, 7}, {5, 96, 130}, {100, 70, 33}, {1, 1, 1}})
    for (uint64_t batch : {1, 3})
      for (int lanes : {1, 4})
        for (int passes : {1, 2}) {
          mapper::Problem p{m, n, k, batch, 8, 4.25, 16, 32, lanes, passes, 1};
          mapper::Hardware h;
          h.rows = 8, h.cols = 4, h.stages = 2;
          for (int trial = 0; trial < 6; ++trial)
            for (Dim rows : {Dim::M, Dim::N})
              for (const auto& order : std::vector<std::array<Dim, 3>>{{Dim::M, Dim::N, Dim::K},
                                                                       {Dim::M, Dim::K, Dim::N},
                                                                       {Dim::N, Dim::M, Dim::K},
                                                                       {Dim::N, Dim::K, Dim::M},
                                                                       {Dim::K, Dim::M, Dim::N},
                                                                       {Dim::K, Dim::N, Dim::M}}) {
                const mapper::LoopNest t{rows, order, 1 + rng() % m, 1 + rng() % n, 1 + rng() % k};
                const auto e = mapper::evaluate(p, h, t);
                const Walked w = walk(p, h, t);
                const auto ctx = ::testing::Message() << m << "x" << n << "x" << k << " b" << batch << " lanes "
                                                      << lanes << " passes " << passes << " " << mapper::compact(t);
                EXPECT_DOUBLE_EQ(e.dram_a, w.dram_a) << ctx;
                EXPECT_DOUBLE_EQ(e.dram_w, w.dram_w) << ctx;
                EXPECT_DOUBLE_EQ(e.dram_c, w.dram_c) << ctx;
                EXPECT_DOUBLE_EQ(e.sram_a - e.dram_a, w.read_a * p.a_bits / 8) << ctx;
                EXPECT_DOUBLE_EQ(e.sram_w - e.dram_w, w.read_w * p.b_bits / 8) << ctx;
                // tiles * kw + latency - 1, latency = R + C - 2 + stages + 1 (os)
                EXPECT_EQ(e.cycles, w.words + uint64_t(h.rows + h.cols - 2 + h.stages + 1) - 1) << ctx;
                ++checked;
              }
          for (auto df : {cycle::Dataflow::WeightStationary, cycle::Dataflow::InputStationary}) {
            h.dataflow = df;
            for (int trial = 0; trial < 6; ++trial) {
              const mapper::LoopNest t{Dim::K, {Dim::N, Dim::K, Dim::M}, 1 + rng() % m, 1 + rng() % n, 1 + rng() % k};
              const auto e = mapper::evaluate(p, h, t);
              const Walked w = walk(p, h, t);
              const auto ctx = ::testing::Message() << cycle::dataflow_name(df) << " " << m << "x" << n << "x" << k
                                                    << " b" << batch << " lanes " << lanes << " passes " << passes
                                                    << " " << mapper::compact(t);
              EXPECT_DOUBLE_EQ(e.dram_a, w.dram_a) << ctx;
              EXPECT_DOUBLE_EQ(e.dram_w, w.dram_w) << ctx;
              EXPECT_DOUBLE_EQ(e.sram_a - e.dram_a, w.read_a * p.a_bits / 8) << ctx;
              EXPECT_DOUBLE_EQ(e.sram_w - e.dram_w, w.read_w * p.b_bits / 8) << ctx;
              EXPECT_DOUBLE_EQ(e.sram_c, double(batch) * double(m * n) * (2 * 16.0 + double(w.folds - 1) * 2 * 32) / 8) << ctx;
              // first load R, the tiles' intervals, the last tile's last vector through the array
              const uint64_t R = uint64_t(h.rows);
              EXPECT_EQ(e.cycles, R + w.intervals - std::max(w.last_streamed, 2 * R) + w.last_streamed + R +
                                      uint64_t(h.cols) + uint64_t(h.stages) - 2) << ctx;
              ++checked;
            }
          }
        }
  EXPECT_EQ(checked, 6 * 2 * 2 * 2 * (6 * 2 * 6 + 2 * 6));
}

// ws / is against the cycle-level stationary arrays, every shape class, tiles that divide
// the dims (the simulation streams one uniform tile sequence).
TEST(Mapper, StationaryCyclesEqualTheArraySimulation) {
  for (auto df : {cycle::Dataflow::WeightStationary, cycle::Dataflow::InputStationary})
    for (const auto& [m, n, kw] : std::vector<std::array<size_t, 3>>{{1, 13, 9}, {13, 1, 9}, {6, 11, 3}, {9, 4, 1}, {16, 12, 16}}) {
      mapper::Problem p{m, n, kw, 1, 8, 8, 32, 32, 1, 1, 1};
      mapper::Hardware h;
      h.rows = 4, h.cols = 3, h.dataflow = df, h.stages = 1;
      const auto cell = cycle::make_pe_cycle("int_mac", {});
      const auto sim = cycle::simulate_array_gemm("int_mac", {}, 4, 3, df, cycle::random_array_problem(cell->ports(), m, n, kw, 5));
      for (const mapper::LoopNest& t : {mapper::LoopNest{Dim::K, {Dim::M, Dim::N, Dim::K}, 0, 0, 0},
                                        mapper::LoopNest{Dim::K, {Dim::N, Dim::K, Dim::M}, m, n % 3 ? n : 3, kw % 4 ? kw : 4}}) {
        if (df == cycle::Dataflow::InputStationary && t.tile_n != 0 && t.tile_n != n) continue;  // is streams N
        const auto e = mapper::evaluate(p, h, t);
        EXPECT_EQ(e.cycles, sim.cycles) << cycle::dataflow_name(df) << " " << m << "x" << n << "x" << kw << " " << mapper::compact(t);
        EXPECT_EQ(e.array_tiles, sim.tiles);
      }
      EXPECT_THROW(mapper::fixed(p, h, {Dim::M, {Dim::M, Dim::N, Dim::K}, 0, 0, 0}), std::invalid_argument);
    }
}

// What each dataflow makes of the prefill GEMM and the decode GEMV of the tests above: ws and
// is stream the 2,048 rows / 4,096 columns against stationary tiles and stay >= 99 % busy; a
// batch-1 GEMV on ws reloads a weight tile every 2R edges (half the edge rate of os), on is
// it holds one activation column and uses one PE column.
TEST(Mapper, StationaryDataflowsOnPrefillAndDecode) {
  const mapper::Problem prefill{2048, 4096, 4096, 1, 8, 4.125, 16, 32, 1, 1, 128};
  const mapper::Problem gemv{1, 11008, 4096, 1, 8, 4.125, 16, 32, 1, 1, 128};
  for (auto df : {cycle::Dataflow::WeightStationary, cycle::Dataflow::InputStationary}) {
    mapper::Hardware h;
    h.dataflow = df;
    h.clock_hz = 2.675e9, h.dram_bytes_per_s = 32e9;
    const auto c = mapper::search(prefill, h, mapper::Objective::Latency);
    EXPECT_EQ(c.nest.rows, Dim::K);
    EXPECT_EQ(mapper::check_fit(prefill, h, c.nest), "");
    EXPECT_GE(double(prefill.m * prefill.n * prefill.k) / (32.0 * 32 * double(c.eval.cycles)), 0.99)
        << cycle::dataflow_name(df) << " " << mapper::compact(c.nest);
    const auto g = mapper::search(gemv, h, mapper::Objective::Latency);
    const uint64_t tiles_ws = 4096 / 32 * 11008 / 32;
    if (df == cycle::Dataflow::WeightStationary)
      EXPECT_EQ(g.eval.cycles, 32 + tiles_ws * 64 - 64 + 1 + 32 + 32 + 1 - 2);
    else
      EXPECT_GE(g.eval.cycles, 4096u / 32 * 11008);  // K/R folds, each streaming all N columns
  }
}

// Both orientations against the cycle-level array: M on the rows is the array GEMM as it is;
// N on the rows is the transposed GEMM (C^T = B^T A^T) on the same array.
TEST(Mapper, CyclesOfBothOrientationsEqualTheArraySimulation) {
  for (const auto& df : {cycle::Dataflow::OutputStationary, cycle::Dataflow::DotTile})
    for (const auto& [m, n, kw] : std::vector<std::array<size_t, 3>>{{1, 13, 9}, {13, 1, 9}, {6, 11, 3}, {9, 4, 1}}) {
      mapper::Problem p{m, n, kw, 1, 8, 8, 32, 32, 1, 1, 1};
      mapper::Hardware h;
      h.rows = 4, h.cols = 3, h.dataflow = df, h.stages = cycle::make_pe_array("int_mac", {}, 4, 3, df)->stages();
      for (Dim rows : {Dim::M, Dim::N}) {
        const size_t sm = rows == Dim::M ? m : n, sn = rows == Dim::M ? n : m;
        auto array = cycle::make_pe_array("int_mac", {}, 4, 3, df);
        const auto prob = cycle::random_array_problem(array->ports(), sm, sn, kw, 5);
        const auto sim = cycle::run_array_gemm(*array, prob);
        const auto e = mapper::evaluate(p, h, {rows, {Dim::M, Dim::N, Dim::K}, m, n, kw});
        EXPECT_EQ(e.cycles, sim.cycles) << m << "x" << n << "x" << kw << " rows=" << mapper::dim_name(rows);
        EXPECT_EQ(e.array_tiles, sim.tiles);
      }
    }
}

namespace {
mapper::Hardware default_hw(double clock_hz = 1e9) {
  mapper::Hardware h;
  h.clock_hz = clock_hz;
  h.dram_pj_per_byte = 160, h.a_pj_per_byte = 2, h.w_pj_per_byte = 3, h.o_pj_per_byte = 1.5;
  return h;
}
}  // namespace

// A 2048x4096x4096 W4A8 GEMM (a prefill projection) on 32x32 with 256/512/128 KB buffers:
// the naive nest re-reads all 8.65 MB of weights for every 32-row block of A (memory-bound
// at 2.675 GHz and 32 GB/s); the search reuses weight and activation tiles and is
// compute-bound at >= 99 % of the array's MAC rate.
TEST(Mapper, PrefillGemmIsComputeBoundWithWeightsReused) {
  const mapper::Problem p{2048, 4096, 4096, 1, 8, 4.125, 16, 32, 1, 1, 128};
  auto h = default_hw(2.675e9);
  h.dram_bytes_per_s = 32e9;
  const auto naive = mapper::evaluate(p, h, {Dim::M, {Dim::M, Dim::N, Dim::K}, 32, 32, 4096});
  EXPECT_EQ(naive.w_reps, 2048u / 32);
  EXPECT_TRUE(naive.memory_bound());
  const auto c = mapper::search(p, h, mapper::Objective::Latency);
  EXPECT_EQ(mapper::check_fit(p, h, c.nest), "");
  EXPECT_FALSE(c.eval.memory_bound()) << mapper::compact(c.nest);
  const double util = double(p.m * p.n * p.k) / (32.0 * 32 * double(c.eval.cycles));
  EXPECT_GE(util, 0.99);
  EXPECT_LT(c.eval.dram_bytes(), naive.dram_bytes() / 2);
  EXPECT_GT(c.candidates, 1000u);
  EXPECT_NEAR(c.eval.time_s, c.eval.compute_s, 0.01 * c.eval.compute_s);
}

// A batch-1 GEMV: one weight read from DRAM per MAC whatever the nest; the array streams at
// most C (or R) weight words per cycle on its edge, so no orientation makes it use more than
// one row (column) of PEs -- the search's best takes K*N/32 cycles.
TEST(Mapper, GemvIsBoundByTheArrayEdgeWhateverTheNest) {
  const mapper::Problem p{1, 11008, 4096, 1, 8, 4.125, 16, 32, 1, 1, 128};
  const auto h = default_hw();
  const auto c = mapper::search(p, h, mapper::Objective::Latency);
  EXPECT_EQ(c.eval.w_reps, 1u);
  EXPECT_DOUBLE_EQ(c.eval.dram_w, 4096.0 * 11008 * 4.125 / 8);
  EXPECT_EQ(c.eval.cycles, 4096u * 11008 / 32 + 32 + 32 - 2 + 1);
}

TEST(Mapper, ObjectivesTradeLatencyForEnergy) {
  const mapper::Problem p{512, 1024, 8192, 1, 8, 8, 16, 32, 1, 1, 1};
  auto h = default_hw();
  h.dram_bytes_per_s = 8e9;  // memory-bound: the tilings differ in time and traffic
  const auto lat = mapper::search(p, h, mapper::Objective::Latency);
  const auto en = mapper::search(p, h, mapper::Objective::Energy);
  const auto edp = mapper::search(p, h, mapper::Objective::Edp);
  // Each is the best by its own score, to the 0.1 % within which the second criterion decides.
  const double tol = 1 + 1e-3;
  EXPECT_LE(lat.eval.time_s, en.eval.time_s * tol);
  EXPECT_LE(en.eval.energy_pj, lat.eval.energy_pj * tol);
  EXPECT_LE(edp.eval.time_s * edp.eval.energy_pj, lat.eval.time_s * lat.eval.energy_pj * tol);
  EXPECT_LE(edp.eval.time_s * edp.eval.energy_pj, en.eval.time_s * en.eval.energy_pj * tol);
  EXPECT_LE(en.eval.dram_bytes(), lat.eval.dram_bytes()) << "memory-bound: least traffic is least time";
  EXPECT_EQ(lat.candidates, en.candidates);
  EXPECT_THROW(mapper::parse_objective("speed"), std::invalid_argument);
}

TEST(Mapper, FixedNestsAreCheckedAgainstTheBuffers) {
  const mapper::Problem p{2048, 4096, 4096, 1, 8, 4.125, 16, 32, 1, 1, 128};
  const auto h = default_hw();
  const mapper::LoopNest whole_w{Dim::M, {Dim::N, Dim::M, Dim::K}, 32, 0, 0};  // all of B resident
  try {
    mapper::fixed(p, h, whole_w);
    FAIL() << "8.25 MiB of weights fit a 512 KiB buffer";
  } catch (const mapper::NoFit& e) {
    EXPECT_EQ(std::string(e.what()),
              "W tile 4096x4096 x 4.125 bits = 8.25 MiB > half of the weights buffer (256.0 KiB; tiles are double-buffered)");
  }
  const mapper::LoopNest ok{Dim::M, {Dim::N, Dim::M, Dim::K}, 32, 96, 4096};
  const auto c = mapper::fixed(p, h, ok);
  EXPECT_EQ(c.candidates, 1u);
  EXPECT_EQ(c.eval.w_reps, 1u);
  EXPECT_EQ(c.eval.a_reps, cdiv(4096, 96));
  EXPECT_THROW(mapper::fixed(p, h, {Dim::M, {Dim::N, Dim::M, Dim::K}, 2048, 96, 0}), mapper::NoFit) << "A 2048x4096 int8";
  auto tiny = h;
  tiny.a_buffer_bytes = tiny.w_buffer_bytes = tiny.o_buffer_bytes = 64;
  EXPECT_THROW(mapper::search(p, tiny, mapper::Objective::Latency), mapper::NoFit);
  const std::string text = mapper::loop_nest_text(p, h, c.nest);
  EXPECT_NE(text.find("for n2 in [0:43) step 96"), std::string::npos) << text;
  EXPECT_NE(text.find("parallel-for m0 in [0:32) rows, n0 in [0:32) columns"), std::string::npos) << text;
}

// SCALE-Sim v2 (systolic_compute_os) counts each R x C fold as T + R + C - 2 cycles (its
// operand demand skewed over the array and the outputs drained before the next fold), folds
// one after another, MACs with no latency. The arithsim array starts the next fold's stream on
// the next edge (each PE latches its result and accumulates the next tile at once) and its
// PEs have `stages` of pipeline: ours = folds * T + R + C - 2 + stages. The difference is
// exactly (folds - 1) * (R + C - 2) - stages, asserted on every row; the mapper's
// SCALE-Sim-compatible mode (array.cycles: scalesim) gives SCALE-Sim's count. With
// ARITHSIM_SCALESIM_TABLE=FILE the rows are written for docs/estimator.md
// (scripts/gen_scalesim_table.sh).
TEST(Mapper, CyclesBesideScaleSimsFormula) {
  struct Row {
    uint64_t m, n, k;
    int r, c;
    const char* what;
  };
  const std::vector<Row> rows = {
      {32, 32, 32, 32, 32, "one fold"},
      {1, 4096, 4096, 32, 32, "GEMV (decode projection)"},
      {2048, 4096, 4096, 32, 32, "prefill projection"},
      {3136, 64, 576, 32, 32, "ResNet-50 conv2_x 3x3 as implicit GEMM"},
      {64, 64, 8, 32, 32, "K shorter than the array"},
      {100, 70, 33, 32, 32, "edge folds"},
      {100, 70, 33, 8, 16, "edge folds, 8x16 array"},
      {7, 5, 3, 4, 4, "tiny, 4x4 array"},
  };
  std::string table;
  for (const auto df : {cycle::Dataflow::OutputStationary, cycle::Dataflow::WeightStationary, cycle::Dataflow::InputStationary})
    for (const auto& row : rows) {
      SCOPED_TRACE(fmt::format("{} {}", cycle::dataflow_name(df), row.what));
      mapper::Problem p{row.m, row.n, row.k, 1, 8, 8, 32, 32, 1, 1, 1};
      mapper::Hardware h;
      h.rows = row.r, h.cols = row.c, h.stages = 1, h.dataflow = df;
      const bool os = df == cycle::Dataflow::OutputStationary, ws = df == cycle::Dataflow::WeightStationary;
      const mapper::LoopNest whole{os ? Dim::M : Dim::K, {Dim::M, Dim::N, Dim::K}, 0, 0, 0};
      const auto ours = mapper::evaluate(p, h, whole);
      const uint64_t R = uint64_t(row.r), C = uint64_t(row.c);
      // SCALE-Sim v2, written out: os folds of R x C outputs, each T = K + R + C - 2; ws / is
      // folds of R x C stationary words (K x N / K x M), each 2R + C + T - 2 with T = M / N
      // streamed (systolic_compute_{os,ws,is}.py)
      const uint64_t T = os ? row.k : ws ? row.m : row.n;
      const uint64_t folds = os ? cdiv(row.m, R) * cdiv(row.n, C) : cdiv(row.k, R) * cdiv(ws ? row.n : row.m, C);
      const uint64_t scalesim = os ? folds * (row.k + R + C - 2) : folds * (2 * R + C + T - 2);
      auto hs = h;
      hs.scalesim_cycles = true;
      EXPECT_EQ(mapper::evaluate(p, hs, whole).cycles, scalesim);
      // Where they differ: arithsim overlaps each fold's fill and drain with the next fold
      // (os: the next tile's words follow at once; ws / is: the next stationary tile loads into
      // the shadow registers while this one streams, and starts max(T, 2R) edges later), and its
      // MACs take `stages` + 1 edges.
      const int64_t diff = os ? int64_t(folds - 1) * int64_t(R + C - 2) - h.stages
                              : int64_t(folds - 1) * int64_t(2 * R + C + T - 2 - std::max(T, 2 * R)) - h.stages;
      EXPECT_EQ(int64_t(scalesim) - int64_t(ours.cycles), diff);
      if (row.m * row.n * row.k <= 200000) {  // ours is the cycle-level array's count
        const auto cell = cycle::make_pe_cycle("int_mac", {});
        const auto sim = cycle::simulate_array_gemm("int_mac", {}, row.r, row.c, df,
                                                    cycle::random_array_problem(cell->ports(), row.m, row.n, row.k, 3));
        EXPECT_EQ(ours.cycles, sim.cycles);
      }
      table += fmt::format("| {} | {} | {}×{}×{} | {}×{} | {} | {} | {} | {:+.1f} % |\n", row.what, cycle::dataflow_name(df),
                           row.m, row.n, row.k, row.r, row.c, folds, ours.cycles, scalesim,
                           100.0 * (double(scalesim) - double(ours.cycles)) / double(ours.cycles));
    }
  if (const char* f = std::getenv("ARITHSIM_SCALESIM_TABLE")) std::ofstream(f) << table;
}
