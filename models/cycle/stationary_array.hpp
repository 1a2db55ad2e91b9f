// Weight-stationary (ws) and input-stationary (is) systolic arrays of any PE, register by
// register: C (M x N) = A (M x K) B (K x N), K in operand words (Kw).
//
//   ws  PE (r,c) holds weight word B[k0+r][n0+c] (with its group scale / zero point); the
//       activation vectors A[i][k0..k0+R) enter the rows from the left (row r skewed r edges)
//       and move right one PE per edge; partial sums move down one PE per edge; the bottom of
//       column c delivers C[i][n0+c] for one i per edge. Streamed: the M rows of A.
//   is  the same array with the roles swapped: PE (r,c) holds A[m0+c][k0+r], the columns of B
//       (with their group scale / zero point) stream in from the left, the bottom of column c
//       delivers C[m0+c][j]. Streamed: the N columns of B.
//
// Every PE is the PE's datapath: front (decode -> multiply) -> `stages` pipeline registers ->
// accumulate, where the accumulate stage starts from the partial sum of the PE above instead
// of its own accumulator: the partial sum that moves down is the accumulate stage's state
// (Datapath::Acc, e.g. an FP32 sum, or MixPE's group sums and group counter), so a column adds
// its products in the order k = 0, 1, ... exactly as one PE does. Rows beyond K in the last
// K fold pass the partial sum on unchanged (their weight slot is empty), so a fold adds no
// zero products. Bottom-row PEs latch the output stage's code (Datapath::result) in their
// result register at the last fold, like every PE's result register of the os array.
//
// Stationary tiles (R words of K x C outputs): column tiles outer, K folds inner. Between
// folds the partial sums of the bottom row go to the array's partial-sum buffer and re-enter
// at the top of the same column for the next fold (so the sum order stays k = 0, 1, ...).
// Each PE has two stationary registers (double buffering): `active`, used by the front stage,
// and `shadow`, loaded through a shift chain down each column from the top edge (C words per
// edge, column c skewed c edges, R edges per tile). The first streamed element of a tile
// carries a swap flag: each PE copies shadow -> active when that element reaches it. The
// controller therefore starts tile T at
//   t0(0) = R (the first load),  t0(T+1) = t0(T) + max(S, 2R),   S = streamed vectors,
// because a column's shadow chain may be reloaded only after the swap wave of the tile before
// has passed its bottom PE (R edges) and the load takes R edges. The simulation checks every
// register it reads or overwrites against that protocol (a shadow overwritten before its swap,
// a swap with no loaded shadow, a partial sum of another element) and throws
// std::logic_error on a hazard; `interval` lets tests run the controller tighter than this.
// Closed form: array_gemm_cycles (models/cycle/array_gemm.hpp); no RTL twin yet.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>

namespace arithsim::cycle {

struct StationaryOptions {
  uint64_t interval = 0;  // edges between tile starts (0: the protocol's max(S, 2R)); tests only
};

class StationaryArrayModel {
 public:
  virtual ~StationaryArrayModel() = default;
  virtual int rows() const = 0;
  virtual int cols() const = 0;
  virtual Dataflow dataflow() const = 0;
  virtual int stages() const = 0;
  virtual const PePorts& ports() const = 0;
  // The whole tiled GEMM, edge by edge; ArrayGemmResult's cycles count from the first weight
  // load edge to the last result register load, inclusive.
  virtual ArrayGemmResult run(const ArrayGemmProblem& p, const StationaryOptions& o = {}) = 0;
};

template <class Datapath>
class StationaryArray final : public StationaryArrayModel {
 public:
  StationaryArray(Datapath dp, int stages, int rows, int cols, Dataflow df)
      : dp_(std::move(dp)), S_(stages), R_(rows), C_(cols), df_(df) {
    check_array_shape(rows, cols);
    check_stages("array", stages);
    if (!is_stationary(df))
      throw std::invalid_argument("stationary array: dataflow must be ws or is");
  }
  int rows() const override { return R_; }
  int cols() const override { return C_; }
  Dataflow dataflow() const override { return df_; }
  int stages() const override { return S_; }
  const PePorts& ports() const override { return dp_.ports(); }

  ArrayGemmResult run(const ArrayGemmProblem& p, const StationaryOptions& o) override {
    check_array_gemm_problem(p);
    const bool ws = df_ == Dataflow::WeightStationary;
    const size_t R = size_t(R_), C = size_t(C_);
    const size_t streamed = ws ? p.m : p.n, across = ws ? p.n : p.m;  // across: the columns' dim
    const size_t folds = (p.kw + R - 1) / R, col_tiles = (across + C - 1) / C;
    const uint64_t tiles = folds * col_tiles;
    const uint64_t interval = o.interval ? o.interval : std::max<uint64_t>(streamed, 2 * R);
    auto t0 = [&](uint64_t tile) { return R + tile * interval; };  // tile start: its element 0 enters row 0
    auto load0 = [&](uint64_t tile) { return tile == 0 ? 0 : t0(tile - 1) + R; };
    // The stationary word of PE (r, c) in tile T, and whether it exists (k0 + r < Kw).
    auto stationary = [&](uint64_t tile, size_t r, size_t c, bool& present) {
      const size_t k = size_t(tile % folds) * R + r, col = size_t(tile / folds) * C + c;
      Word w;
      present = k < p.kw;
      if (!present || col >= across) return w;  // edge columns: zero codes, results dropped
      if (ws) {
        w.v = p.w[k * p.n + col];
        if (!p.scale.empty()) w.scale = p.scale[k * p.n + col], w.zero = p.zero[k * p.n + col];
      } else {
        w.v = p.a[col * p.kw + k];
      }
      return w;
    };

    ArrayGemmResult res;
    res.tiles = tiles;
    res.out.assign(p.m * p.n, 0);
    res.feed_edges = tiles * streamed;
    std::vector<Pe> pe(R * C, Pe{{}, {}, false, std::vector<Slot>(size_t(S_)), Psum{false, 0, 0, dp_.zero()}});
    std::vector<Hop> hop(R * C), hop_next(R * C);          // streamed operand leaving PE (r,c) to the right
    std::map<uint64_t, std::pair<uint64_t, typename Datapath::Acc>> partial;  // (col tile, i, c) -> (edge, sum)
    const uint64_t end = t0(tiles - 1) + streamed + R + C + uint64_t(S_) + 4;
    uint64_t last = 0, results = 0;
    for (uint64_t e = 0; e < end; ++e) {
      // compute, bottom-right first so that each PE reads the registers of its neighbours
      // as they were before this edge
      for (size_t r = R; r-- > 0;)
        for (size_t c = C; c-- > 0;) {
          Pe& x = pe[r * C + c];
          // accumulate stage: the last pipeline register meets the partial sum from above
          const Slot& s = x.pipe[size_t(S_) - 1];
          if (s.valid) {
            Psum in{true, s.tile, s.i, dp_.zero()};
            if (r == 0) {
              if (s.tile % folds != 0) {  // a later fold: the previous fold's sum re-enters
                const auto it = partial.find(key(s.tile / folds, s.i, c));
                if (it == partial.end() || it->second.first >= e)
                  throw std::logic_error(fmt::format("stationary array: partial sum of column {} not back for fold {} (edge {})", c, s.tile % folds, e));
                in.acc = it->second.second;
                partial.erase(it);
              }
            } else {
              in = pe[(r - 1) * C + c].psum;
              if (!in.valid || in.tile != s.tile || in.i != s.i)
                throw std::logic_error(fmt::format("stationary array: PE ({},{}) got another element's partial sum (edge {})", r, c, e));
            }
            if (s.term_valid) dp_.accumulate(in.acc, s.term, false);
            x.psum = in;
            if (r == R - 1) {  // the column's bottom: to the partial-sum buffer, or the result register
              const uint64_t ct = s.tile / folds;
              if (s.tile % folds + 1 < folds) {
                partial.insert_or_assign(key(ct, s.i, c), std::make_pair(e, in.acc));
              } else {
                const size_t col = size_t(ct) * C + c;
                if (col < across) {
                  const size_t row = ws ? s.i : col, cc = ws ? col : s.i;
                  res.out[row * p.n + cc] = dp_.result(in.acc);
                }
                ++results;
                last = e;
              }
            }
          } else {
            x.psum.valid = false;
          }
          for (size_t q = size_t(S_) - 1; q > 0; --q) x.pipe[q] = x.pipe[q - 1];
          // front stage: the streamed element arriving from the left (row r skewed r edges)
          Hop in;
          if (c == 0) {
            const uint64_t first = R + r;  // tile T's element i enters row r at t0(T) + i + r
            if (e >= first && (e - first) / interval < tiles && (e - first) % interval < streamed) {
              in.valid = true;
              in.tile = (e - first) / interval;
              in.i = (e - first) % interval;
              in.swap = in.i == 0;
              const size_t k = size_t(in.tile % folds) * R + r;
              if (k < p.kw) {
                if (ws) {
                  in.v = p.a[in.i * p.kw + k];
                } else {
                  in.v = p.w[k * p.n + in.i];
                  if (!p.scale.empty()) in.scale = p.scale[k * p.n + in.i], in.zero = p.zero[k * p.n + in.i];
                }
              }
            }
          } else {
            in = hop[r * C + c - 1];
          }
          Slot& f = x.pipe[0];
          f = Slot{};
          if (in.valid) {
            if (in.swap) {
              if (!x.armed || x.shadow.tile != in.tile)
                throw std::logic_error(fmt::format("stationary array: PE ({},{}) swaps to tile {} before its weights are loaded (edge {})", r, c, in.tile, e));
              x.active = x.shadow;
              x.armed = false;
            }
            f.valid = true;
            f.tile = in.tile;
            f.i = in.i;
            f.term_valid = x.active.present;
            if (f.term_valid) {
              PeIn pin;
              pin.in_a = ws ? in.v : x.active.word.v;
              pin.in_w = ws ? x.active.word.v : in.v;
              pin.in_scale = ws ? x.active.word.scale : in.scale;
              pin.in_zero = ws ? x.active.word.zero : in.zero;
              f.term = dp_.front(pin);
            }
          }
          hop_next[r * C + c] = in;
        }
      // weight loads, after the swaps of this edge have read the shadows: column c shifts its
      // shadow chain during edges load0(T) + c .. + R - 1
      for (size_t c = 0; c < C; ++c) {
        for (uint64_t tile = 0; tile < tiles; ++tile) {
          const uint64_t l = load0(tile) + c;
          if (e < l || e >= l + R) continue;
          for (size_t r = R; r-- > 0;) {  // bottom first: the chain shifts down
            Pe& x = pe[r * C + c];
            if (x.armed) throw std::logic_error(fmt::format("stationary array: PE ({},{}) shadow overwritten before its swap (edge {})", r, c, e));
            x.shadow = r == 0 ? Shadow{} : pe[(r - 1) * C + c].shadow;
          }
          // the word entering at the top is the one for row R - 1 - (e - l): after R shifts each row holds its own
          Shadow& top = pe[c].shadow;
          const size_t row = R - 1 - size_t(e - l);
          top.word = stationary(tile, row, c, top.present);
          top.tile = tile;
          if (e == l + R - 1)
            for (size_t r = 0; r < R; ++r) pe[r * C + c].armed = true;
        }
      }
      std::swap(hop, hop_next);
    }
    if (results != tiles / folds * C * streamed) throw std::logic_error("stationary array: results missing");
    res.cycles = last + 1;
    res.utilization = double(p.m * p.n * p.kw) / (double(R * C) * double(res.cycles));
    return res;
  }

 private:
  struct Word {
    uint64_t v = 0, scale = 0, zero = 0;
  };
  struct Shadow {
    Word word;
    bool present = false;
    uint64_t tile = ~uint64_t(0);
  };
  struct Slot {
    bool valid = false, term_valid = false;
    uint64_t tile = 0, i = 0;
    typename Datapath::Term term{};
  };
  struct Psum {
    bool valid = false;
    uint64_t tile = 0, i = 0;
    typename Datapath::Acc acc;
  };
  struct Hop {
    bool valid = false, swap = false;
    uint64_t tile = 0, i = 0, v = 0, scale = 0, zero = 0;
  };
  struct Pe {
    Shadow active, shadow;
    bool armed = false;  // shadow holds a loaded tile not yet swapped in
    std::vector<Slot> pipe;
    Psum psum;
  };
  uint64_t key(uint64_t col_tile, uint64_t i, size_t c) const { return (col_tile * (uint64_t(1) << 32) + i) * uint64_t(C_) + c; }

  Datapath dp_;
  int S_, R_, C_;
  Dataflow df_;
};

}  // namespace arithsim::cycle
