#include "sim/mapper/mapper.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/cycle/array_gemm.hpp>

namespace arithsim::mapper {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// R x C output blocks along a dim of extent d in buffer tiles of t (edge tiles included).
uint64_t blocks(uint64_t d, uint64_t t, uint64_t g) { return (d / t) * ceil_div(t, g) + ceil_div(d % t, g); }

uint64_t extent(const Problem& p, Dim d) { return d == Dim::M ? p.m : d == Dim::N ? p.n : p.k; }
uint64_t tile(const LoopNest& t, Dim d) { return d == Dim::M ? t.tile_m : d == Dim::N ? t.tile_n : t.tile_k; }

// DRAM-level passes over a tensor that does not depend on `other`: the other loop's trips when
// it sits outside the innermost loop (of more than one trip) the tensor depends on, else 1.
uint64_t reps(const std::array<Dim, 3>& order, const uint64_t trips[3], Dim other) {
  int innermost = -1, pos_other = -1;
  for (int i = 0; i < 3; ++i) {
    const uint64_t t = trips[int(order[size_t(i)])];
    if (order[size_t(i)] == other) pos_other = i;
    else if (t > 1) innermost = i;
  }
  return pos_other < innermost ? trips[int(other)] : 1;
}

std::string bytes_text(double b) {
  if (b < 1024) return fmt::format("{:.0f} B", b);
  if (b < 1024 * 1024) return fmt::format("{:.1f} KiB", b / 1024);
  return fmt::format("{:.2f} MiB", b / (1024 * 1024));
}

// Candidate tile sizes of a dim of extent d: g times 1, 2, 3, 4, 6, 8, 12, ... (powers of two
// and 1.5 times them), the dim halved (rounded up to g) repeatedly, and the whole dim; sorted,
// distinct, at most 192.
size_t tile_sizes(uint64_t d, uint64_t g, uint64_t* out) {
  size_t n = 0;
  if (d <= g) {
    out[n++] = d;
    return n;
  }
  for (uint64_t t = g; t < d && n < 126; t *= 2) {
    out[n++] = t;
    if (t / 2 * 3 < d && t >= 2 * g) out[n++] = t / 2 * 3;
  }
  for (uint64_t div = 2; n < 190; div *= 2) {
    const uint64_t t = ceil_div(ceil_div(d, div), g) * g;  // >= g
    if (t < d) out[n++] = t;
    if (t <= g) break;
  }
  out[n++] = d;
  std::sort(out, out + n);
  return size_t(std::unique(out, out + n) - out);
}

constexpr std::array<std::array<Dim, 3>, 6> kOrders = {{{Dim::M, Dim::N, Dim::K},
                                                        {Dim::M, Dim::K, Dim::N},
                                                        {Dim::N, Dim::M, Dim::K},
                                                        {Dim::N, Dim::K, Dim::M},
                                                        {Dim::K, Dim::M, Dim::N},
                                                        {Dim::K, Dim::N, Dim::M}}};

double score(const Evaluation& e, Objective o) {
  switch (o) {
    case Objective::Latency: return e.time_s;
    case Objective::Energy: return e.energy_pj;
    case Objective::Edp: return e.time_s * e.energy_pj;
  }
  return e.time_s;
}

// The objective's second criterion: a designer takes, among nests within 0.1 % of the best
// score, the one with the least energy (latency, EDP) or time (energy).
double second(const Evaluation& e, Objective o) { return o == Objective::Energy ? e.time_s : e.energy_pj; }

// A dim of extent d in tiles of t: (size, count) of the full tiles and of the remainder.
struct Split {
  uint64_t size[2], count[2];
  int n;
};
Split split(uint64_t d, uint64_t t) {
  Split s{{t, d % t}, {d / t, 1}, d % t ? 2 : 1};
  if (d / t == 0) s = Split{{d % t, 0}, {1, 0}, 1};
  return s;
}

// The array level of a ws / is array (models/cycle/stationary_array.hpp): K on the rows, the
// stationary operand's other dim (ws: N, is: M) on the columns, the other (ws: M, is: N)
// streamed. Each buffer tile is ceil(Kw / R) x ceil(cols / C) stationary tiles; the tiles of
// the whole op run back to back, each max(S, 2R) edges (S: the step's streamed vectors), as
// the closed form of models/cycle/array_gemm.hpp (equal to it when the tiles divide the dims).
double stationary_array_level(const Problem& p, const Hardware& h, const LoopNest& t, const uint64_t trips[3],
                            double c_final, double psum, Evaluation& e) {
  const bool ws = h.dataflow == cycle::Dataflow::WeightStationary;
  const uint64_t R = uint64_t(h.rows), C = uint64_t(h.cols), lanes = uint64_t(std::max(1, p.lanes));
  const uint64_t ds = ws ? p.m : p.n, dx = ws ? p.n : p.m;
  const uint64_t ts = ws ? t.tile_m : t.tile_n, tx = ws ? t.tile_n : t.tile_m;
  const Split ss = split(ds, ts), sx = split(dx, tx), sk = split(p.k, t.tile_k);
  uint64_t intervals = 0, tiles = 0, scalesim = 0, col_tiles = 0, folds = 0;
  for (int x = 0; x < sx.n; ++x) col_tiles += sx.count[x] * ceil_div(sx.size[x], C);
  for (int k = 0; k < sk.n; ++k) folds += sk.count[k] * ceil_div(ceil_div(sk.size[k], lanes) * uint64_t(p.passes), R);
  for (int s = 0; s < ss.n; ++s) {
    const uint64_t n = ss.count[s] * col_tiles * folds;  // stationary tiles streaming ss.size[s] vectors
    tiles += n;
    intervals += n * std::max(ss.size[s], 2 * R);
    scalesim += n * (2 * R + C + ss.size[s] - 2);  // SCALE-Sim v2: every fold loads, streams and drains alone
  }
  const uint64_t last = ss.size[ss.n - 1];  // the last step streams the remainder (if any)
  e.array_tiles = tiles;
  e.cycles = h.scalesim_cycles ? p.batch * scalesim
                               : cycle::stationary_cycles(h.rows, h.cols, h.stages,
                                                          p.batch * intervals - std::max(last, 2 * R), last);
  // Buffers: the streamed operand enters once per stationary column tile, the stationary one is
  // loaded once per streamed step; partial sums leave and re-enter the column between K folds.
  const double batch = double(p.batch), a_elems = double(p.m) * double(p.k), w_elems = double(p.k) * double(p.n);
  const double a_loads = ws ? double(col_tiles) * double(p.passes) : double(trips[1]);
  const double w_loads = ws ? double(trips[0]) : double(col_tiles);
  e.sram_a = e.dram_a + batch * a_elems * a_loads * p.a_bits / 8;
  e.sram_w = e.dram_w + batch * w_elems * w_loads * p.b_bits / 8;
  e.sram_c = batch * (2 * c_final + double(folds - 1) * 2 * psum);
  e.a_tile_bytes = double(t.tile_m) * double(t.tile_k) * p.a_bits / 8;
  e.w_tile_bytes = double(t.tile_k) * double(t.tile_n) * p.b_bits / 8;
  const double block = double(std::min(ts, ds)) * double(std::min(tx, C));  // one column tile's outputs
  e.c_tile_bytes = trips[2] > 1 && e.c_reps == 1 ? double(t.tile_m) * double(t.tile_n) * p.psum_bits / 8
                   : block * (folds > 1 ? p.psum_bits : p.c_bits) / 8;
  return block;
}

}  // namespace

char dim_name(Dim d) { return d == Dim::M ? 'm' : d == Dim::N ? 'n' : 'k'; }

LoopNest clipped(const Problem& p, LoopNest t) {
  auto clip = [](uint64_t v, uint64_t d) { return v == 0 || v > d ? d : v; };
  t.tile_m = clip(t.tile_m, p.m), t.tile_n = clip(t.tile_n, p.n), t.tile_k = clip(t.tile_k, p.k);
  return t;
}

Evaluation evaluate(const Problem& p, const Hardware& h, const LoopNest& nest0) {
  const LoopNest t = clipped(p, nest0);
  Evaluation e;
  const uint64_t trips[3] = {ceil_div(p.m, t.tile_m), ceil_div(p.n, t.tile_n), ceil_div(p.k, t.tile_k)};
  e.a_reps = reps(t.order, trips, Dim::N);
  e.w_reps = reps(t.order, trips, Dim::M);
  e.c_reps = reps(t.order, trips, Dim::K);
  const double batch = double(p.batch), mn = double(p.m) * double(p.n);
  const double a_bytes = double(p.m) * double(p.k) * p.a_bits / 8, w_bytes = double(p.k) * double(p.n) * p.b_bits / 8;
  const double c_final = mn * p.c_bits / 8, psum = mn * p.psum_bits / 8;
  e.dram_a = batch * a_bytes * double(e.a_reps);
  e.dram_w = batch * w_bytes * double(e.w_reps);
  e.dram_c = batch * (c_final + double(e.c_reps - 1) * 2 * psum);  // spilled partial sums: written and read back

  e.steps = p.batch * trips[0] * trips[1] * trips[2];
  double block = 0;  // outputs of one array block: the last to leave
  if (cycle::is_stationary(h.dataflow)) {
    block = stationary_array_level(p, h, t, trips, c_final, psum, e);
  } else {
    // Array level: which side each of M and N is on, blocks per side, words per block.
    const uint64_t gm = t.rows == Dim::M ? uint64_t(h.rows) : uint64_t(h.cols);
    const uint64_t gn = t.rows == Dim::M ? uint64_t(h.cols) : uint64_t(h.rows);
    const uint64_t bm = blocks(p.m, t.tile_m, gm), bn = blocks(p.n, t.tile_n, gn);
    const uint64_t lanes = uint64_t(std::max(1, p.lanes));
    const uint64_t kw = ((p.k / t.tile_k) * ceil_div(t.tile_k, lanes) + ceil_div(p.k % t.tile_k, lanes)) * uint64_t(p.passes);
    e.array_tiles = bm * bn;
    // The closed form of models/cycle/array_gemm.hpp with the whole op's block stream as one tile.
    if (h.scalesim_cycles)  // folds = blocks x K tiles, each T + R + C - 2
      e.cycles = p.batch * e.array_tiles * (kw + trips[2] * uint64_t(h.rows + h.cols - 2));
    else
      e.cycles = cycle::array_gemm_cycles(h.rows, h.cols, h.dataflow, h.stages, size_t(h.rows), size_t(h.cols),
                                          size_t(p.batch * e.array_tiles * kw));
    // Buffers: every DRAM byte is written into its buffer; the array reads the operand on one
    // side once per block of the other side (A re-streamed each weight pass); outputs are
    // written and drained, partial sums of a split K read and written once more per K tile.
    e.sram_a = e.dram_a + batch * double(p.m) * double(p.k) * double(bn) * p.a_bits / 8 * double(p.passes);
    e.sram_w = e.dram_w + batch * double(p.k) * double(p.n) * double(bm) * p.b_bits / 8;
    e.sram_c = batch * (2 * c_final + double(trips[2] - 1) * 2 * psum);

    e.a_tile_bytes = double(t.tile_m) * double(t.tile_k) * p.a_bits / 8;
    e.w_tile_bytes = double(t.tile_k) * double(t.tile_n) * p.b_bits / 8;
    block = double(std::min(p.m, gm)) * double(std::min(p.n, gn));
    e.c_tile_bytes = trips[2] > 1 && e.c_reps == 1 ? double(t.tile_m) * double(t.tile_n) * p.psum_bits / 8  // accumulated on chip
                     : block * (trips[2] > 1 ? p.psum_bits : p.c_bits) / 8;                              // blocks staged out
  }

  e.compute_s = double(e.cycles) / h.clock_hz;
  e.dram_s = e.dram_bytes() / h.dram_bytes_per_s;
  // Double-buffered: the first tiles arrive before compute starts and the last block leaves
  // after it; otherwise transfers of the next tile overlap the compute of this one.
  const double fill_s = (e.a_tile_bytes + e.w_tile_bytes) / h.dram_bytes_per_s;
  const double drain_s = block * p.c_bits / 8 / h.dram_bytes_per_s;
  const double step_s = e.compute_s / double(e.steps);
  e.time_s = std::max(e.compute_s + fill_s + drain_s, e.dram_s + step_s);
  e.energy_pj = e.dram_bytes() * h.dram_pj_per_byte + e.sram_a * h.a_pj_per_byte + e.sram_w * h.w_pj_per_byte +
                e.sram_c * h.o_pj_per_byte + h.leakage_w * e.time_s * 1e12;
  return e;
}

std::string check_fit(const Problem& p, const Hardware& h, const LoopNest& nest) {
  const LoopNest t = clipped(p, nest);
  const Evaluation e = evaluate(p, h, t);
  auto over = [](const char* what, const std::string& shape, double bits, double bytes, const char* buf, double cap) {
    return fmt::format("{} tile {} x {} bits = {} > half of the {} buffer ({}; tiles are double-buffered)", what, shape,
                       bits, bytes_text(bytes), buf, bytes_text(cap / 2));
  };
  if (e.a_tile_bytes > h.a_buffer_bytes / 2)
    return over("A", fmt::format("{}x{}", t.tile_m, t.tile_k), p.a_bits, e.a_tile_bytes, "activations", h.a_buffer_bytes);
  if (e.w_tile_bytes > h.w_buffer_bytes / 2)
    return over("W", fmt::format("{}x{}", t.tile_k, t.tile_n), p.b_bits, e.w_tile_bytes, "weights", h.w_buffer_bytes);
  if (e.c_tile_bytes > h.o_buffer_bytes / 2)
    return over("output", fmt::format("{}x{}", t.tile_m, t.tile_n), p.psum_bits, e.c_tile_bytes, "outputs", h.o_buffer_bytes);
  return "";
}

Objective parse_objective(const std::string& s) {
  if (s == "latency") return Objective::Latency;
  if (s == "energy") return Objective::Energy;
  if (s == "edp") return Objective::Edp;
  throw std::invalid_argument(fmt::format("objective must be latency, energy or edp (got '{}')", s));
}

const char* objective_name(Objective o) {
  return o == Objective::Latency ? "latency" : o == Objective::Energy ? "energy" : "edp";
}

Choice search(const Problem& p, const Hardware& h, Objective objective) {
  struct Scored {
    LoopNest nest;
    double score, second;
  };
  thread_local std::vector<Scored> fits;  // reused: no allocation per op in the steady state
  fits.clear();
  uint64_t ms[192], ns[192], ks[192];
  const size_t nk = tile_sizes(p.k, std::max<uint64_t>(1, p.k_granule), ks);
  // os / dot: M or N on the rows; ws / is: K on the rows (the columns hold N / M).
  const bool st = cycle::is_stationary(h.dataflow);
  const std::vector<Dim> orientations = st ? std::vector<Dim>{Dim::K} : std::vector<Dim>{Dim::M, Dim::N};
  for (Dim rows : orientations) {
    uint64_t gm = rows == Dim::M ? uint64_t(h.rows) : uint64_t(h.cols);
    uint64_t gn = rows == Dim::M ? uint64_t(h.cols) : uint64_t(h.rows);
    if (st) {  // the column dim in multiples of C, the streamed one of R
      const bool ws = h.dataflow == cycle::Dataflow::WeightStationary;
      gm = ws ? uint64_t(h.rows) : uint64_t(h.cols);
      gn = ws ? uint64_t(h.cols) : uint64_t(h.rows);
    }
    const size_t nm = tile_sizes(p.m, gm, ms), nn = tile_sizes(p.n, gn, ns);
    for (size_t i = 0; i < nm; ++i)
      for (size_t j = 0; j < nn; ++j)
        for (size_t l = 0; l < nk; ++l) {
          LoopNest t{rows, kOrders[0], ms[i], ns[j], ks[l]};
          for (const auto& order : kOrders) {  // fit depends on the order where C accumulates
            t.order = order;
            const Evaluation e = evaluate(p, h, t);
            if (e.a_tile_bytes > h.a_buffer_bytes / 2 || e.w_tile_bytes > h.w_buffer_bytes / 2 ||
                e.c_tile_bytes > h.o_buffer_bytes / 2)
              continue;
            fits.push_back({t, score(e, objective), second(e, objective)});
          }
        }
  }
  if (fits.empty()) {
    LoopNest smallest{st ? Dim::K : Dim::M, kOrders[0], std::min<uint64_t>(p.m, uint64_t(h.rows)), std::min<uint64_t>(p.n, uint64_t(h.cols)),
                      std::min<uint64_t>(p.k, std::max<uint64_t>(1, p.k_granule))};
    throw NoFit(fmt::format("no tiling fits the buffers: even the smallest, {}", check_fit(p, h, smallest)));
  }
  double best = fits[0].score;
  for (const auto& f : fits) best = std::min(best, f.score);
  const Scored* pick = nullptr;
  for (const auto& f : fits)
    if (f.score <= best * (1 + 1e-3) && (!pick || f.second < pick->second)) pick = &f;
  return {pick->nest, evaluate(p, h, pick->nest), fits.size()};
}

Choice fixed(const Problem& p, const Hardware& h, LoopNest nest) {
  nest = clipped(p, nest);
  if ((nest.rows == Dim::K) != cycle::is_stationary(h.dataflow))
    throw std::invalid_argument(fmt::format("a {} array holds {} on its rows (the mapping names {})",
                                            cycle::dataflow_name(h.dataflow), cycle::is_stationary(h.dataflow) ? "k" : "m or n",
                                            dim_name(nest.rows)));
  if (const std::string why = check_fit(p, h, nest); !why.empty()) throw NoFit(why);
  return {nest, evaluate(p, h, nest), 1};
}

std::string compact(const LoopNest& t) {
  return fmt::format("rows={} order={}{}{} tile={}x{}x{}", dim_name(t.rows), dim_name(t.order[0]), dim_name(t.order[1]),
                     dim_name(t.order[2]), t.tile_m, t.tile_n, t.tile_k);
}

std::string loop_nest_text(const Problem& p, const Hardware& h, const LoopNest& nest) {
  const LoopNest t = clipped(p, nest);
  const Evaluation e = evaluate(p, h, t);
  const Dim cols = t.rows == Dim::M ? Dim::N : Dim::M;
  const uint64_t gr = uint64_t(h.rows), gc = uint64_t(h.cols);
  std::string s = fmt::format("DRAM -> buffers: tiles double-buffered; passes over A {}, W {}, C {}\n", e.a_reps,
                              e.w_reps, e.c_reps);
  std::string indent;
  if (p.batch > 1) s += fmt::format("for b in [0:{})  instances\n", p.batch), indent += "  ";
  for (Dim d : t.order) {
    s += fmt::format("{}for {}2 in [0:{}) step {}\n", indent, dim_name(d), ceil_div(extent(p, d), tile(t, d)), tile(t, d));
    indent += "  ";
  }
  s += fmt::format("{}buffers: A {}x{} ({}), W {}x{} ({}), outputs {}\n", indent, t.tile_m, t.tile_k,
                   bytes_text(e.a_tile_bytes), t.tile_k, t.tile_n, bytes_text(e.w_tile_bytes), bytes_text(e.c_tile_bytes));
  if (cycle::is_stationary(h.dataflow)) {
    const bool ws = h.dataflow == cycle::Dataflow::WeightStationary;
    const Dim across = ws ? Dim::N : Dim::M, streamed = ws ? Dim::M : Dim::N;
    const uint64_t kw = ceil_div(t.tile_k, uint64_t(std::max(1, p.lanes))) * uint64_t(p.passes);
    s += fmt::format("{}for {}1 in [0:{}) step {}  stationary column tiles\n", indent, dim_name(across),
                     ceil_div(tile(t, across), gc), gc);
    indent += "  ";
    s += fmt::format("{}for k1 in [0:{}) step {}  K folds of {} words ({} loaded, double-buffered; partial sums re-enter)\n",
                     indent, ceil_div(kw, gr), gr, gr, ws ? "weights" : "activations");
    indent += "  ";
    s += fmt::format("{}for {}0 in [0:{})  streamed\n", indent, dim_name(streamed), tile(t, streamed));
    indent += "  ";
    s += fmt::format("{}parallel-for k0 in [0:{}) rows, {}0 in [0:{}) columns  ({}x{} {})\n", indent,
                     std::min(kw, gr), dim_name(across), std::min(tile(t, across), gc), h.rows, h.cols,
                     cycle::dataflow_name(h.dataflow));
    return s;
  }
  s += fmt::format("{}for {}1 in [0:{}) step {}  array blocks (columns)\n", indent, dim_name(cols),
                   ceil_div(tile(t, cols), gc), gc);
  indent += "  ";
  s += fmt::format("{}for {}1 in [0:{}) step {}  array blocks (rows)\n", indent, dim_name(t.rows),
                   ceil_div(tile(t, t.rows), gr), gr);
  indent += "  ";
  s += fmt::format("{}for k1 in [0:{}) words of {} ({} pass{})  streamed\n", indent,
                   ceil_div(t.tile_k, uint64_t(std::max(1, p.lanes))) * uint64_t(p.passes), std::max(1, p.lanes),
                   p.passes, p.passes == 1 ? "" : "es");
  indent += "  ";
  s += fmt::format("{}parallel-for {}0 in [0:{}) rows, {}0 in [0:{}) columns  ({}x{} {})\n", indent,
                   dim_name(t.rows), std::min(tile(t, t.rows), gr), dim_name(cols), std::min(tile(t, cols), gc), h.rows,
                   h.cols, cycle::dataflow_name(h.dataflow));
  return s;
}

}  // namespace arithsim::mapper
