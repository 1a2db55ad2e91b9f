#include "sim/sweep/sweep.hpp"

#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/file_transaction.hpp>
#include <arithsim/models/io/scratch_dir.hpp>
#include <arithsim/models/io/output_paths.hpp>
#include "sim/estimator/estimator.hpp"
#include "sim/sweep/dispatch.hpp"
#include "sim/sweep/journal.hpp"
#include "sim/sweep/sweep_plots.hpp"

namespace arithsim::sweep {
namespace fs = std::filesystem;
namespace {

constexpr const char* kJournal = "journal.jsonl";
constexpr int kJournalVersion = 1;

// JSON has no infinities or NaN: they are kept as the strings "inf", "-inf", "nan".
Row number(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

std::string cell(const Row& v) {
  if (v.is_string()) return io::csv_field(v.get<std::string>());
  if (v.is_null()) return "";
  return v.dump();
}

Row header(const SweepSpec& s, size_t points, const Shard& sh) {
  Row h;
  h["arithsim_sweep_journal"] = kJournalVersion;
  h["sweep"] = s.hash;
  h["name"] = s.name;
  h["points"] = points;
  h["shard"] = fmt::format("{}/{}", sh.index, sh.count);
  return h;
}

std::string marker_kind(const fs::path& dir) {
  std::ifstream f(dir / std::string(io::kOutputMarker));
  std::string line;
  std::getline(f, line);
  return line;
}

// Creates `dir` as a sweep directory with a fresh journal, or checks that the journal it holds
// is this sweep's (and this shard's); returns the rows already there.
std::map<size_t, Row> open_dir(const SweepSpec& s, const std::string& dir, size_t points, const Shard& sh, bool must_exist,
                               bool& needs_newline) {
  needs_newline = false;
  const fs::path d(dir), jp = d / kJournal;
  std::vector<std::string> inputs{s.file};
  auto new_journal = [&] {
    io::FileTransaction t;
    const std::string tmp = t.stage(jp.string());
    std::ofstream f(tmp, std::ios::binary);
    f << header(s, points, sh).dump() << "\n";
    if (!f.flush()) throw std::runtime_error(fmt::format("{}: cannot write the sweep journal", jp.string()));
    f.close();
    t.commit();
  };
  if (!fs::exists(d)) {
    if (must_exist) throw SweepError(fmt::format("--resume: {} holds no sweep to resume", dir));
    io::check_output_dir(dir, "--out", inputs);
    fs::create_directories(d);
    io::write_output_marker(d, "sweep");
    new_journal();
    return {};
  }
  io::check_output_dir(dir, "--out", inputs);
  if (marker_kind(d).rfind("arithsim sweep", 0) != 0)
    throw io::OutputRefused(fmt::format("--out: {} is an arithsim output of another kind ({}), not a sweep; choose another directory",
                                        dir, marker_kind(d)));
  if (!fs::exists(jp)) {  // a first run killed between marking the directory and its journal
    if (must_exist) throw SweepError(fmt::format("--resume: {} holds no sweep journal to resume", dir));
    new_journal();
    return {};
  }
  Journal j = read_journal(jp, points);
  if (j.head.value("sweep", "") != s.hash || j.head.value("points", size_t(0)) != points)
    throw SweepError(fmt::format("{}: the journal is of another sweep (or of changed inputs: {} {}, this one {}); choose another --out",
                                 jp.string(), j.head.value("name", "?"), j.head.value("sweep", "?"), s.hash));
  const std::string want = fmt::format("{}/{}", sh.index, sh.count);
  if (j.head.value("shard", "") != want)
    throw SweepError(fmt::format("{}: the journal is of shard {}, this run is shard {}", jp.string(), j.head.value("shard", "?"), want));
  needs_newline = !j.ends_with_newline;
  return std::move(j.rows);
}

void write_outputs(const SweepSpec& s, const std::string& dir, const std::vector<Row>& rows) {
  io::FileTransaction t;
  const fs::path d(dir);
  const bool plots = s.objectives.size() >= 2 && have_gnuplot();
  const std::vector<std::pair<const char*, std::string>> files{{"points.csv", points_csv(s, rows)},
                                                               {"front.csv", front_csv(s, rows)},
                                                               {"points.json", points_json(s, rows)},
                                                               {"report.md", report_md(s, rows, plots)}};
  for (const auto& [name, text] : files) {
    const std::string tmp = t.stage((d / name).string());
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f.flush()) throw std::runtime_error(fmt::format("{}: cannot write", (d / name).string()));
  }
  std::unique_ptr<io::ScratchDir> scratch;
  if (plots) {  // made by gnuplot in a scratch directory, then moved in with the other outputs
    const PlotFiles pf = plot_files(s, rows, pareto_front(rows, s.objectives));
    scratch = std::make_unique<io::ScratchDir>(d, ".plots");
    for (const auto& [name, text] : pf.inputs) {
      std::ofstream f(scratch->path() / name, std::ios::binary);
      f << text;
      if (!f.flush()) throw std::runtime_error(fmt::format("{}: cannot write", (scratch->path() / name).string()));
    }
    run_gnuplot(scratch->path().string());
    fs::create_directories(d / "plots");
    std::vector<std::string> names;
    for (const auto& f : pf.inputs) names.push_back(f.first);
    names.insert(names.end(), pf.images.begin(), pf.images.end());
    for (const auto& name : names)
      fs::copy_file(scratch->path() / name, t.stage((d / "plots" / name).string()), fs::copy_options::overwrite_existing);
  }
  t.commit();
}

// The traces of the points, generated once per workload.
class TraceCache {
 public:
  // Generated under the lock, once per workload_key.
  std::shared_ptr<const Workload> get(const SweepSpec& s, const Point& p, size_t index) {
    std::lock_guard lock(mu_);
    auto& slot = map_[workload_key(s, p)];
    if (!slot) slot = std::make_shared<const Workload>(point_workload(s, p, index));
    return slot;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Workload>> map_;
};

// What a sweep's points have in common, shared by every thread of a process: each workload's
// trace, and the estimator's measurements (activities, accuracies, array costs), each keyed by
// the inputs that determine it, so a point that changes only the array, the clock or the
// buffers measures nothing again.
struct Shared {
  TraceCache traces;
  std::shared_ptr<estimator::Estimator::Caches> caches = estimator::Estimator::new_caches();
};

Row evaluate(const SweepSpec& s, const Point& p, size_t index, const Workload& w, const std::shared_ptr<estimator::Estimator::Caches>& caches) {
  Row r;
  r["point"] = index;
  r["status"] = "ok";
  Row axes = Row::object();
  for (size_t a = 0; a < s.axes.size(); ++a) axes[s.axes[a].path] = s.axes[a].labels[p[a]];
  r["axes"] = axes;
  const auto config = point_config(s, p, index);
  estimator::PeEstimate e;
  try {
    estimator::Estimator est(config, caches);
    e = est.estimate(w.trace, config.pes.at(0), {}, w.base_dir);
  } catch (const std::exception& ex) {  // e.g. a clock above the fmax, formats the PE cannot run
    r["status"] = "unsupported";
    r["reason"] = io::one_line(ex.what(), 300);
    return r;
  }
  const double mj = 1e-9, energy = e.energy.total() * mj, ms = e.time_s * 1e3;
  double dram = 0;
  for (const auto& op : e.ops) dram += op.traffic.dram();
  Row m;
  m["cycles"] = e.cycles;
  m["latency_ms"] = number(ms);
  m["energy_mj"] = number(energy);
  m["compute_mj"] = number(e.energy.compute * mj);
  m["buffers_mj"] = number(e.energy.buffers * mj);
  m["dram_mj"] = number(e.energy.dram * mj);
  m["leakage_mj"] = number(e.energy.leakage * mj);
  m["edp_mj_ms"] = number(energy * ms);
  m["area_mm2"] = number(e.area_um2 * 1e-6);
  m["power_w"] = number(e.time_s > 0 ? e.energy.total() * 1e-12 / e.time_s : 0);
  m["sqnr_db"] = number(e.sqnr_db);
  m["utilization_pct"] = number(e.utilization * 100);
  m["clock_ghz"] = number(e.clock_hz / 1e9);
  m["fmax_ghz"] = number(e.fmax_hz / 1e9);
  m["dram_mb"] = number(dram / 1e6);
  m["macs"] = e.macs;
  m["bound"] = e.bound;
  for (auto& [k, v] : m.items()) r[k] = v;
  // The chosen mapping of the op with the most MACs, and of every GEMM op.
  const estimator::OpEstimate* big = nullptr;
  Row maps = Row::array();
  for (const auto& op : e.ops) {
    if (op.mapping.empty()) continue;
    if (!big || op.macs > big->macs) big = &op;
    maps.push_back(Row{{"op", op.name}, {"mapping", op.mapping}});
  }
  r["mapping"] = big ? big->mapping : "";
  r["mappings"] = maps;
  std::string failed;
  for (const auto& c : s.constraints) {
    if (c.on_axis) continue;
    const bool ok = c.lhs == "bound" ? c.holds(e.bound) : c.holds(metric(r, c.lhs));
    if (!ok) failed += (failed.empty() ? "" : "; ") + c.as_written;
  }
  if (!failed.empty()) {
    r["status"] = "infeasible";
    r["reason"] = "fails " + failed;
  }
  return r;
}

std::vector<Row> ordered_rows(const std::map<size_t, Row>& m) {
  std::vector<Row> v;
  v.reserve(m.size());
  for (const auto& [i, r] : m) v.push_back(r);
  return v;
}

std::vector<size_t> evaluable(const SweepSpec& s, const std::vector<Point>& points, const Shard& sh, size_t* pruned) {
  std::vector<size_t> out;
  size_t pr = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (!passes_axis_constraints(s, points[i])) {
      ++pr;
      continue;
    }
    if (i % sh.count == sh.index) out.push_back(i);
  }
  if (pruned) *pruned = pr;
  return out;
}

std::vector<std::string> columns(const SweepSpec& s) {
  std::vector<std::string> c{"point", "status"};
  for (const auto& a : s.axes) c.push_back(a.path);
  for (const auto& m : metric_names()) c.push_back(m);
  c.push_back("mapping");
  c.push_back("reason");
  return c;
}

std::string csv(const SweepSpec& s, const std::vector<Row>& rows, const std::vector<size_t>* only) {
  const auto cols = columns(s);
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) out += fmt::format("{}{}", i ? "," : "", cols[i]);
  out += "\n";
  auto line = [&](const Row& r) {
    for (size_t i = 0; i < cols.size(); ++i) {
      const auto& c = cols[i];
      Row v;
      if (i >= 2 && i < 2 + s.axes.size()) v = r["axes"].value(c, "");
      else if (r.contains(c)) v = r[c];
      if (i) out += ',';
      out += cell(v);
    }
    out += "\n";
  };
  if (only)
    for (const size_t i : *only) line(rows[i]);
  else
    for (const auto& r : rows) line(r);
  return out;
}

}  // namespace

double metric(const Row& row, const std::string& name) {
  if (!row.contains(name)) return std::nan("");
  const auto& v = row[name];
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string t = v.get<std::string>();
    if (t == "inf") return INFINITY;
    if (t == "-inf") return -INFINITY;
  }
  return std::nan("");
}

Row evaluate_point(const SweepSpec& s, const Point& p, size_t index) {
  const Workload w = point_workload(s, p, index);
  return evaluate(s, p, index, w, estimator::Estimator::new_caches());
}

std::vector<size_t> pareto_front(const std::vector<Row>& rows, const std::vector<Objective>& objectives) {
  // Points of different workloads are not compared: each workload has its own front.
  auto group = [](const Row& r) -> std::string {
    return r.contains("axes") && r["axes"].contains("workload") ? r["axes"]["workload"].get<std::string>() : "";
  };
  std::vector<size_t> ok;
  std::vector<std::vector<double>> v;  // minimized
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].value("status", "") != "ok") continue;
    std::vector<double> x;
    for (const auto& o : objectives) {
      double m = metric(rows[i], o.metric);
      if (std::isnan(m)) m = INFINITY;  // unmeasured: worst
      x.push_back(o.maximize ? -m : m);
    }
    ok.push_back(i);
    v.push_back(std::move(x));
  }
  std::vector<size_t> front;
  for (size_t a = 0; a < ok.size(); ++a) {
    bool dominated = false;
    for (size_t b = 0; b < ok.size() && !dominated; ++b) {
      if (a == b || group(rows[ok[a]]) != group(rows[ok[b]])) continue;
      bool all_le = true, one_lt = false;
      for (size_t k = 0; k < v[a].size(); ++k) {
        all_le = all_le && v[b][k] <= v[a][k];
        one_lt = one_lt || v[b][k] < v[a][k];
      }
      dominated = all_le && one_lt;
    }
    if (!dominated) front.push_back(ok[a]);
  }
  return front;
}

std::string points_csv(const SweepSpec& s, const std::vector<Row>& rows) { return csv(s, rows, nullptr); }

std::string front_csv(const SweepSpec& s, const std::vector<Row>& rows) {
  const auto f = pareto_front(rows, s.objectives);
  return csv(s, rows, &f);
}

std::string points_json(const SweepSpec& s, const std::vector<Row>& rows) {
  Row j;
  j["sweep"] = s.name;
  j["hash"] = s.hash;
  Row axes = Row::array();
  for (const auto& a : s.axes) axes.push_back(Row{{"path", a.path}, {"values", a.labels}});
  j["axes"] = axes;
  Row obj = Row::array();
  for (const auto& o : s.objectives) obj.push_back(o.as_written());
  j["objectives"] = obj;
  Row cons = Row::array();
  for (const auto& c : s.constraints) cons.push_back(c.as_written);
  j["constraints"] = cons;
  Row front = Row::array();
  for (const size_t i : pareto_front(rows, s.objectives)) front.push_back(rows[i]["point"]);
  j["front"] = front;
  j["points"] = rows;
  return j.dump(1) + "\n";
}

std::string report_md(const SweepSpec& s, const std::vector<Row>& rows, bool plots) {
  size_t pruned = 0;
  const auto points = all_points(s);
  evaluable(s, points, Shard{}, &pruned);
  std::map<std::string, size_t> by_status;
  for (const auto& r : rows) ++by_status[r.value("status", "?")];
  std::string md = fmt::format("# Sweep {}\n\n", s.name);
  md += fmt::format("Sweep file `{}` (hash {}), strategy {}", s.file, s.hash, s.strategy.kind);
  if (s.strategy.kind == "adaptive")
    md += fmt::format(" ({} Latin-hypercube samples, seed {}, then up to {} rounds around the front, at most {} points)",
                      s.strategy.samples, s.strategy.seed, s.strategy.rounds, s.strategy.budget);
  else if (s.strategy.kind != "grid")
    md += fmt::format(" ({} samples, seed {})", s.strategy.samples, s.strategy.seed);
  md += fmt::format(": {} points, {} ruled out by axis constraints, {} evaluated: {} ok, {} infeasible (metric constraints), "
                    "{} unsupported.\n\n",
                    points.size(), pruned, rows.size(), by_status["ok"], by_status["infeasible"], by_status["unsupported"]);
  md += "| axis | values |\n|---|---|\n";
  for (const auto& a : s.axes) {
    std::string vals;
    for (const auto& l : a.labels) vals += (vals.empty() ? "" : ", ") + l;
    md += fmt::format("| {} | {} |\n", a.path, vals);
  }
  std::string obj;
  for (const auto& o : s.objectives) obj += (obj.empty() ? "" : ", ") + o.as_written();
  md += fmt::format("\n## Pareto front ({}; one front per workload)\n\n", obj);
  const auto front = pareto_front(rows, s.objectives);
  std::vector<std::string> cols{"point"};
  for (const auto& a : s.axes)
    if (a.yaml.size() > 1 || a.path == "pe") cols.push_back(a.path);
  for (const char* m : {"latency_ms", "energy_mj", "area_mm2", "sqnr_db", "utilization_pct", "clock_ghz", "bound"}) cols.push_back(m);
  for (const auto& o : s.objectives)
    if (std::find(cols.begin(), cols.end(), o.metric) == cols.end()) cols.push_back(o.metric);
  for (const auto& c : cols) md += "| " + c + " ";
  md += "|\n";
  for (size_t i = 0; i < cols.size(); ++i) md += "|---";
  md += "|\n";
  for (const size_t i : front) {
    const auto& r = rows[i];
    for (const auto& c : cols) {
      Row v = r["axes"].contains(c) ? r["axes"][c] : r.contains(c) ? r[c] : Row();
      md += "| " + (v.is_number_float() ? fmt::format("{:.4g}", v.get<double>()) : cell(v)) + " ";
    }
    md += "|\n";
  }
  if (front.empty()) md += "\n(No point is ok: see points.csv's status and reason columns.)\n";
  if (plots) {
    md += "\n## Plots\n\nEvery point and the front, for each pair of objectives (plots/, PNG and SVG; data and gnuplot script "
          "beside them):\n\n";
    for (size_t a = 0; a < s.objectives.size(); ++a)
      for (size_t b = a + 1; b < s.objectives.size(); ++b) {
        const std::string stem = fmt::format("{}-vs-{}", s.objectives[a].metric, s.objectives[b].metric);
        md += fmt::format("![{}](plots/{}.svg)\n", stem, stem);
      }
  } else if (s.objectives.size() >= 2) {
    md += "\n(No plots: gnuplot is not installed.)\n";
  }
  md += "\nEvery point with every metric: points.csv, points.json; the front alone: front.csv. Estimates are `arithsim run`'s "
        "(docs/estimator.md names the sources and the node of each).\n";
  return md;
}

namespace {

std::vector<size_t> adaptive_round(const SweepSpec& s, const std::vector<Point>& points, const std::map<size_t, Row>& done,
                                   const std::set<size_t>& searched, size_t budget_left) {
  // The front of the points searched so far (not of everything the journal holds: a resumed
  // search must take the same rounds as an uninterrupted one).
  std::vector<Row> rows;
  for (const size_t i : searched) rows.push_back(done.at(i));
  std::set<size_t> next;
  for (const size_t f : pareto_front(rows, s.objectives))
    for (const size_t n : neighbours(s, rows[f]["point"].get<size_t>()))
      if (!searched.count(n) && passes_axis_constraints(s, points[n])) next.insert(n);
  std::vector<size_t> out(next.begin(), next.end());
  if (out.size() > budget_left) out.resize(budget_left);
  return out;
}

}  // namespace

RunSummary run_sweep(const SweepSpec& s, const RunOptions& opt) {
  if (opt.shard.count == 0 || opt.shard.index >= opt.shard.count)
    throw SweepError(fmt::format("--shard: expected i/n with 0 <= i < n (got {}/{})", opt.shard.index, opt.shard.count));
  const bool adaptive = s.strategy.kind == "adaptive";
  if (adaptive && opt.shard.count > 1)
    throw SweepError("--shard: an adaptive search's rounds need every earlier point's result; run it on one machine or under mpirun");
  const auto points = all_points(s);
  Shared shared;
  auto line_of = [&](size_t i) {
    const auto w = shared.traces.get(s, points[i], i);
    return evaluate(s, points[i], i, *w, shared.caches).dump();
  };
  RunSummary sum;
  sum.points = points.size();
  if (opt.ranks && opt.ranks->rank() > 0) {  // rank 0 has the journal and writes the outputs
    sum.evaluated = opt.ranks->work(opt.jobs, line_of).points;
    return sum;
  }
  std::vector<size_t> batch = evaluable(s, points, opt.shard, &sum.pruned);
  if (adaptive) batch = adaptive_start(s);
  bool needs_newline = false;
  auto done = open_dir(s, opt.out, points.size(), opt.shard, opt.resume, needs_newline);
  {
    JournalWriter journal(fs::path(opt.out) / kJournal, needs_newline);
    size_t finished = 0, total = 0;
    const size_t jobs = std::max<size_t>(opt.jobs, 1);
    Dispatch d(
        [&](size_t i, const std::string& line) {
          journal.append(line);
          // Kept as the journal holds it, so that a fresh run's outputs equal a resumed one's.
          done.emplace(i, Row::parse(line));
          ++finished;
          if (opt.progress) opt.progress(finished, total);
        },
        jobs + (opt.ranks ? size_t(opt.ranks->size() - 1) : 0));
    auto evaluate_into = [&](size_t i) {
      try {
        d.finish(i, line_of(i));
        return true;
      } catch (const std::exception& e) {
        d.fail(e.what());
        return false;
      }
    };
    auto worker = [&](int thread) {
      for (;;) {
        if (!opt.ranks) {  // one cache for every thread: points from the groups in turn
          const Dispatch::Take t = d.take_blocking();
          if (t.kind == Dispatch::Take::Done || !evaluate_into(t.index)) return;
          continue;
        }
        // Under MPI, a chunk of one group, as the other ranks get (-1 - thread: not a rank).
        Dispatch::Take::Kind kind = Dispatch::Take::Done;
        const auto chunk = d.take_chunk(-1 - thread, &kind, true);
        if (kind == Dispatch::Take::Done) return;
        for (const size_t i : chunk)
          if (!evaluate_into(i)) return;
      }
    };
    // The threads are joined on every path out (an exception too): closing the dispatch first
    // makes them return.
    std::vector<std::thread> pool;
    struct Joiner {
      Dispatch& d;
      std::vector<std::thread>& pool;
      ~Joiner() {
        d.close();
        for (auto& t : pool)
          if (t.joinable()) t.join();
      }
    } joiner{d, pool};
    for (size_t t = 0; t < jobs; ++t) pool.emplace_back(worker, int(t));
    auto group_of = [&](size_t i) { return measurement_key(s, points[i]); };
    std::set<size_t> searched;
    // Under MPI rank 0's main thread serves the other ranks between waits: every 100 µs while
    // messages come, backing off to 0.5 ms while none do (it shares the cores with the workers).
    std::chrono::microseconds poll(opt.ranks ? 100 : 0);
    for (size_t round = 0;; ++round) {
      std::vector<size_t> todo;
      for (const size_t i : batch) {
        searched.insert(i);
        if (!done.count(i)) todo.push_back(i);
      }
      sum.in_shard += batch.size();
      sum.reused += batch.size() - todo.size();
      total += todo.size();
      ++sum.rounds;
      d.start_round(todo, group_of);
      while (!d.wait_round(poll) && !d.error()) {
        if (!opt.ranks) continue;
        size_t handled = 0;
        opt.ranks->serve(d, &handled);
        poll = handled ? std::chrono::microseconds(100) : std::min(2 * poll, std::chrono::microseconds(500));
      }
      if (d.error() || !adaptive || round >= s.strategy.rounds) break;
      batch = adaptive_round(s, points, done, searched, s.strategy.budget - std::min<size_t>(searched.size(), s.strategy.budget));
      if (batch.empty()) break;
    }
    d.close();
    for (auto& t : pool) t.join();
    pool.clear();
    if (opt.ranks) {
      while (opt.ranks->serve(d)) std::this_thread::sleep_for(std::chrono::microseconds(200));
      sum.ranks = opt.ranks->stats();
    }
    if (const auto e = d.error()) throw SweepError(*e);
    sum.evaluated = finished;
  }
  if (opt.shard.count == 1) write_outputs(s, opt.out, ordered_rows(done));
  return sum;
}

RunSummary merge_sweep(const SweepSpec& s, const std::vector<std::string>& shard_dirs, const std::string& out) {
  if (shard_dirs.empty()) throw SweepError("merge: give the shard directories to join");
  if (s.strategy.kind == "adaptive") throw SweepError(fmt::format("merge: {} is an adaptive search, which runs unsharded", s.file));
  const auto points = all_points(s);
  RunSummary sum;
  sum.points = points.size();
  const auto want = evaluable(s, points, Shard{}, &sum.pruned);
  std::map<size_t, Row> rows;
  for (const auto& d : shard_dirs) {
    const fs::path jp = fs::path(d) / kJournal;
    if (!fs::exists(jp)) throw SweepError(fmt::format("merge: {} holds no sweep journal", d));
    const Journal j = read_journal(jp, points.size());
    if (j.head.value("sweep", "") != s.hash || j.head.value("points", size_t(0)) != points.size())
      throw SweepError(fmt::format("merge: {} is a shard of another sweep ({} {}; {} is {})", d, j.head.value("name", "?"),
                                   j.head.value("sweep", "?"), s.file, s.hash));
    for (const auto& [i, r] : j.rows) {
      const auto [it, fresh] = rows.emplace(i, r);
      if (!fresh && it->second != r) throw SweepError(fmt::format("merge: point {} differs between shards ({})", i, d));
    }
  }
  std::vector<size_t> missing;
  for (const size_t i : want)
    if (!rows.count(i)) missing.push_back(i);
  if (!missing.empty()) {
    std::string list;
    for (size_t k = 0; k < std::min<size_t>(missing.size(), 8); ++k) list += (k ? ", " : "") + std::to_string(missing[k]);
    throw SweepError(fmt::format("merge: {} of {} points are in no shard (points {}{}); run the missing shards (or resume them) first",
                                 missing.size(), want.size(), list, missing.size() > 8 ? ", ..." : ""));
  }
  bool needs_newline = false;
  auto existing = open_dir(s, out, points.size(), Shard{}, false, needs_newline);
  {
    JournalWriter journal(fs::path(out) / kJournal, needs_newline);
    for (const auto& [i, r] : rows)
      if (!existing.count(i)) journal.append(r.dump()), ++sum.evaluated;
  }
  for (auto& [i, r] : rows) existing.emplace(i, r);
  sum.in_shard = want.size();
  write_outputs(s, out, ordered_rows(existing));
  return sum;
}

}  // namespace arithsim::sweep
