// A design-space sweep (issue #15): the axes of `arithsim sweep SWEEP.yaml`, the points a
// strategy picks from them, the constraints and the objectives. docs/sweep.md is the reference.
//
//   version: 1
//   name: pe-by-array
//   config: base.yaml            # or base: {...} inline; default: the embedded default config
//   axes:                         # any accelerator-config field by its dotted path, plus pe,
//     pe: [int_mac, {name: mixpe, params: {w: int4}}]        # pe.params.<key>, workload and
//     array.rows: [16, 32, 64]                               # workload.<generator option>
//     workload: [{generator: llama2-7b, phase: decode}, {trace: my.yaml}]
//   strategy: {kind: grid}        # grid | random {samples, seed} | lhs {samples, seed}
//   constraints: ["array.rows <= 32", "sqnr_db >= 20"]     # on axes: pruned before evaluation
//   objectives: [min energy_mj, min latency_ms]            # the Pareto front's
//
// A point's accelerator config is the base config's YAML with each axis value written at its
// path, read by the config parser itself: every config field is an axis, and every value is
// checked as a config file's would be. Loading checks every point; errors are one line naming
// the file, the point and the field.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/estimator/accelerator_config.hpp"
#include "traces/trace.hpp"

namespace arithsim::sweep {

inline constexpr int kSweepVersion = 1;

struct SweepError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One axis: its dotted path and its values, each kept as compact YAML ("32", "{name: mixpe,
// params: {w: int4}}") and as the label its column shows ("32", "mixpe w=int4").
struct Axis {
  std::string path;
  std::vector<std::string> yaml, labels;
};

// `metric <op> value`: op one of <= >= < > == !=; value a number, or text for == / !=.
struct Constraint {
  std::string lhs, op, text;  // text: the value as written
  std::optional<double> number;
  bool on_axis = false;       // lhs is an axis: checked before evaluation
  std::string as_written;
  bool holds(double v) const;
  bool holds(const std::string& v) const;
};

struct Objective {
  std::string metric;
  bool maximize = false;
  std::string as_written() const { return (maximize ? "max " : "min ") + metric; }
};

struct Strategy {
  std::string kind = "grid";  // grid | random | lhs | adaptive
  uint64_t samples = 0, seed = 1;
  // adaptive: at most `rounds` refinements after the first (Latin-hypercube) round, and at
  // most `budget` points in all (default 4 x samples).
  uint64_t rounds = 8, budget = 0;
};

// One point: an index into each axis's values (in axis order).
using Point = std::vector<size_t>;

struct SweepSpec {
  std::string file, name;
  std::string base_yaml;     // the base accelerator config, as YAML
  std::string base_dir;      // where relative paths (config, traces) are taken from
  std::vector<Axis> axes;    // pe and workload always present (implicit when not given)
  Strategy strategy;
  std::vector<Constraint> constraints;
  std::vector<Objective> objectives;
  std::string hash;          // of the sweep file and every file it reads (16 hex digits)
};

// The metrics of a point's row (docs/sweep.md): every one may be constrained or an objective.
const std::vector<std::string>& metric_names();

// `threads`: for reading every point's config (the load check); the result does not depend on
// it. 0 skips that check (the other ranks of an MPI run, whose rank 0 makes it).
SweepSpec parse_sweep(std::string_view text, const std::string& file, size_t threads = 1);
SweepSpec load_sweep(const std::string& path, size_t threads = 1);

// The points the strategy picks, in a fixed order (grid: the last axis fastest; random and
// lhs: drawn with the seed), before pruning. Deterministic for a spec. An adaptive search's
// are its whole grid, of which it evaluates the part it finds (sweep.hpp's run_sweep).
std::vector<Point> all_points(const SweepSpec& s);
// adaptive: the first round, the grid indices of a Latin-hypercube sample that pass the axis
// constraints, ascending.
std::vector<size_t> adaptive_start(const SweepSpec& s);
// The grid points one step away from `index` along one axis: the previous or next value of a
// numeric axis, any other value of a categorical one (pe, workload, dataflow).
std::vector<size_t> neighbours(const SweepSpec& s, size_t index);
// False when an axis constraint rules the point out (it is not evaluated).
bool passes_axis_constraints(const SweepSpec& s, const Point& p);

// The point's accelerator config (one PE) and workload. Throws SweepError naming the point.
estimator::AcceleratorConfig point_config(const SweepSpec& s, const Point& p, size_t index);
struct Workload {
  std::string label;
  traces::Trace trace;
  std::string base_dir;       // where the trace's .npy statistics are relative to
};
Workload point_workload(const SweepSpec& s, const Point& p, size_t index);
// The point's indices on the workload axes (workload, workload.<option>), which alone
// determine its workload: points with equal keys share one trace.
std::string workload_key(const SweepSpec& s, const Point& p);
// The point's indices on the PE axes (pe, pe.params.<key>) and the workload axes: what its
// sampled measurements (activity, accuracy) depend on. Points with equal keys share them.
std::string measurement_key(const SweepSpec& s, const Point& p);

// "array.rows=32 pe=mixpe w=int4": the point's axis values, for messages.
std::string describe(const SweepSpec& s, const Point& p);

// FNV-1a 64 of `text`, as 16 hex digits: stable across runs and machines.
std::string content_hash(std::string_view text);

}  // namespace arithsim::sweep
