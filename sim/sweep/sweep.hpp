// Running a sweep (issue #15): every point of a SweepSpec estimated on its own accelerator and
// workload, each finished point appended to a journal (DIR/journal.jsonl) so that a sweep
// killed at any moment resumes where it stopped, and the outputs (points.csv, points.json,
// front.csv, report.md) made from the journal alone: identical inputs give byte-identical
// outputs, whatever the number of jobs, shards or interruptions. docs/sweep.md.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/ranks.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace arithsim::sweep {

using Row = nlohmann::ordered_json;

// Estimates one point: a row with the point's index, status (ok | infeasible: a metric
// constraint fails | unsupported: the estimator cannot run it, with its reason), the axis
// values and every metric of metric_names(). The row depends on the point alone.
Row evaluate_point(const SweepSpec& s, const Point& p, size_t index);

// A metric of a row as a number (NaN when absent or not numeric).
double metric(const Row& row, const std::string& name);

// The indices (into `rows`) of the rows with status ok that no other ok row of the same
// workload dominates on the objectives (at least as good in all, better in one), in row order:
// one front per workload, since a decode step and a prefill are not alternatives.
std::vector<size_t> pareto_front(const std::vector<Row>& rows, const std::vector<Objective>& objectives);

struct Shard {
  size_t index = 0, count = 1;  // this run evaluates the points with point % count == index
};

struct RunOptions {
  std::string out = "sweep-out";
  size_t jobs = 1;
  bool resume = false;  // true: `out` must already hold this sweep's journal
  Shard shard;
  // Under mpirun: rank 0 runs the sweep and serves the other ranks, which only evaluate
  // (ranks.hpp). Null: this process alone.
  Ranks* ranks = nullptr;
  // Called after each finished point with (done, total) of this run's points.
  std::function<void(size_t, size_t)> progress;
};

struct RunSummary {
  size_t points = 0;     // the strategy's points
  size_t pruned = 0;     // ruled out by axis constraints
  size_t in_shard = 0;   // this run's share of the rest
  size_t reused = 0;     // found in the journal
  size_t evaluated = 0;  // estimated by this run (under MPI: by every rank)
  size_t rounds = 0;     // adaptive: the search's rounds; otherwise 1
  std::vector<RankStats> ranks;  // under MPI, rank 0's summary: what ranks 1.. evaluated
};

// Creates `opt.out` (or resumes the sweep journal it holds: the same sweep file and inputs,
// the same shard), evaluates the missing points on `opt.jobs` threads, appends each to the
// journal as it finishes, and (when not a shard of several) writes the outputs. Throws
// SweepError for a foreign or corrupt journal, io::OutputRefused for a directory arithsim did
// not write, std::runtime_error for I/O failures.
RunSummary run_sweep(const SweepSpec& s, const RunOptions& opt);

// Joins the journals of shard runs of the same sweep into `out` (a journal holding every
// point, and the outputs), equal byte for byte to a one-machine run's. Throws SweepError for
// shards of another sweep, overlapping shards that disagree, or points no shard has.
RunSummary merge_sweep(const SweepSpec& s, const std::vector<std::string>& shard_dirs, const std::string& out);

// The outputs' text, from the rows of every point (for the tests and the merge).
std::string points_csv(const SweepSpec& s, const std::vector<Row>& rows);
std::string front_csv(const SweepSpec& s, const std::vector<Row>& rows);
std::string points_json(const SweepSpec& s, const std::vector<Row>& rows);
std::string report_md(const SweepSpec& s, const std::vector<Row>& rows, bool plots = false);

}  // namespace arithsim::sweep
