// arithsim sweep SWEEP.yaml [--out DIR] [--jobs N] [--resume] [--shard i/n]
// arithsim sweep merge SWEEP.yaml SHARD_DIR... --out DIR
// Design-space sweeps (issue #15): sim/sweep, docs/sweep.md.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/threads/parallel_for.hpp>
#include "sim/cli/common.hpp"
#include "sim/sweep/sweep.hpp"

namespace arithsim::cli {
namespace {

struct SweepArgs {
  std::string file, out = "sweep-out", shard, progress = "auto", ppa_db;
  std::vector<std::string> shards;
  size_t jobs = threads::default_threads();
  bool resume = false;
};

sweep::Shard parse_shard(const std::string& t) {
  const size_t slash = t.find('/');
  if (slash == std::string::npos) throw UsageError(fmt::format("--shard: expected i/n, e.g. 0/4 (got '{}')", io::escape(t)), "");
  sweep::Shard s;
  s.count = parse_unsigned(t.substr(slash + 1), "--shard", 1, 1u << 20);
  s.index = parse_unsigned(t.substr(0, slash), "--shard", 0, s.count - 1);
  return s;
}

sweep::SweepSpec load(const std::string& file, size_t threads = 1) {
  try {
    return sweep::load_sweep(file, threads);
  } catch (const sweep::SweepError& e) {
    throw RuntimeError(e.what(), "");
  }
}

void print_summary(const sweep::SweepSpec& s, const sweep::RunSummary& r, const std::string& out, bool wrote_outputs) {
  fmt::print("sweep {}: {} points, {} ruled out by axis constraints; this run: {} points, {} from the journal, {} evaluated",
             s.name, r.points, r.pruned, r.in_shard, r.reused, r.evaluated);
  if (s.strategy.kind == "adaptive") fmt::print(" (adaptive search: {} rounds)", r.rounds);
  fmt::print("\n");
  if (!r.ranks.empty()) {
    size_t others = 0;
    std::string each;
    for (size_t k = 0; k < r.ranks.size(); ++k) {
      others += r.ranks[k].points;
      each += fmt::format(", rank {}: {} ({:.1f} s busy)", k + 1, r.ranks[k].points, r.ranks[k].busy_s);
    }
    fmt::print("MPI: {} ranks; points evaluated by rank 0: {}{}\n", r.ranks.size() + 1, r.evaluated - others, each);
  }
  if (wrote_outputs)
    fmt::print("outputs: {}/ (points.csv, front.csv, points.json, report.md, journal.jsonl)\n", out);
  else
    fmt::print("shard journal: {}/journal.jsonl (join the shards with `arithsim sweep merge`)\n", out);
}

// Under mpirun, rank 0 alone prints; an error on any rank ends the whole job (MPI_Abort), since
// the other ranks may be waiting on it.
void run_ranks(const SweepArgs& a, sweep::Ranks* ranks);

void run(const SweepArgs& a, bool jobs_given) {
  // Points with `cost: synth:LIB` read (and fill) this PPA database: every estimator of this
  // process, and of every MPI rank (each parses the same arguments), takes it from there.
  if (!a.ppa_db.empty()) ::setenv("ARITHSIM_PPA_DB", a.ppa_db.c_str(), 1);
  std::unique_ptr<sweep::Ranks> ranks;
  try {
    ranks = sweep::Ranks::from_environment();
  } catch (const sweep::SweepError& e) {
    throw RuntimeError(e.what(), "");
  }
  SweepArgs b = a;
  if (ranks) {
    // Each rank's share of this machine's cores, unless --jobs says otherwise.
    if (!jobs_given) b.jobs = std::max<size_t>(1, threads::default_threads() / size_t(std::max(ranks->local_size(), 1)));
    if (ranks->rank() > 0) b.progress = "never";
    try {
      run_ranks(b, ranks.get());
    } catch (const std::exception& e) {
      fmt::print(stderr, "arithsim sweep (MPI rank {} of {}): {}\n", ranks->rank(), ranks->size(), io::one_line(e.what(), 400));
      std::fflush(stderr);
      ranks->abort(1);
    }
    return;
  }
  run_ranks(b, nullptr);
}

void run_ranks(const SweepArgs& a, sweep::Ranks* ranks) {
  const bool root = !ranks || ranks->rank() == 0;
  ProgressBar bar(a.progress);  // checks the mode before any work
  sweep::RunOptions o;
  o.out = a.out;
  o.jobs = a.jobs;
  o.resume = a.resume;
  o.ranks = ranks;
  if (!a.shard.empty()) o.shard = parse_shard(a.shard);
  // Under MPI rank 0 checks every point's config on all its machine's cores (the other ranks
  // wait for it meanwhile) and the others skip the check.
  const auto spec = load(a.file, !ranks ? a.jobs : root ? threads::default_threads() : 0);
  o.progress = [&](size_t done, size_t total) {
    const double s = bar.elapsed_s(), rate = s > 0 ? double(done) / s : 0;
    bar(double(done) / double(total),
        fmt::format("{}/{} points, {:.1f}/s, ETA {:.0f} s", done, total, rate, rate > 0 ? double(total - done) / rate : 0.0));
  };
  sweep::RunSummary r;
  try {
    r = sweep::run_sweep(spec, o);
  } catch (const sweep::SweepError& e) {
    throw RuntimeError(e.what(), "");
  }
  if (root) print_summary(spec, r, a.out, o.shard.count == 1);
}

void merge(const SweepArgs& a) {
  if (sweep::launched_ranks() > 1)
    throw RuntimeError("sweep merge: run it once, not under mpirun (every rank would write the same --out)", "");
  const auto spec = load(a.file);
  sweep::RunSummary r;
  try {
    r = sweep::merge_sweep(spec, a.shards, a.out);
  } catch (const sweep::SweepError& e) {
    throw RuntimeError(e.what(), "");
  }
  fmt::print("sweep {}: {} shard(s) joined, {} points ({} ruled out by axis constraints)\n", spec.name, a.shards.size(), r.in_shard,
             r.pruned);
  fmt::print("outputs: {}/ (points.csv, front.csv, points.json, report.md, journal.jsonl)\n", a.out);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto* sw = app.add_subcommand("sweep", "design-space sweep: estimate every point of SWEEP.yaml's axes, resumable, on every core; "
                                         "Pareto front (docs/sweep.md)");
  auto a = std::make_shared<SweepArgs>();
  sw->add_option("sweep", a->file, "sweep file (YAML, docs/sweep.md)");
  sw->add_option("--out", a->out, "sweep directory: created, or resumed when it holds this sweep's journal")->capture_default_str();
  auto* jobs = add_integer<size_t>(*sw, "--jobs", a->jobs,
                                   "points evaluated in parallel (default: every core, under mpirun each rank its share of its "
                                   "machine's; outputs do not depend on it)",
                                   1, threads::kMaxThreads);
  sw->add_flag("--resume", a->resume, "require --out to hold this sweep's journal and evaluate only the missing points "
                                      "(rerunning without it resumes too)");
  sw->add_option("--shard", a->shard, "i/n: evaluate only the points p with p % n == i (Slurm job arrays; join with merge)");
  sw->add_option("--ppa-db", a->ppa_db,
                 "the PPA database for points with cost: synth:LIB (default: $ARITHSIM_PPA_DB, else "
                 "~/.cache/arithsim/ppa.json)");
  sw->add_option("--progress", a->progress, "progress bar on stderr: auto | always | never")->capture_default_str();

  auto* mg = sw->add_subcommand("merge", "join the shard directories of one sweep into the outputs of a one-machine run");
  mg->add_option("sweep", a->file, "the sweep file the shards ran")->required();
  mg->add_option("shards", a->shards, "shard directories (--out of each `arithsim sweep --shard i/n`)")->required();
  mg->add_option("--out", a->out, "output directory")->required();
  mg->callback([a] { merge(*a); });
  sw->callback([a, mg, jobs] {
    if (mg->parsed()) return;
    if (a->file.empty()) throw UsageError("sweep: give a sweep file (arithsim sweep SWEEP.yaml; docs/sweep.md)", "");
    run(*a, jobs->count() > 0);
  });
}

}  // namespace arithsim::cli
