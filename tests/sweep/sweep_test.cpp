// The sweep engine (issue #15): points of each strategy, point configs, the Pareto front
// against a different algorithm, constraints, and the journal's guarantees (byte-identical
// outputs whatever the jobs, shards or interruptions; foreign journals refused).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/estimator/default_job.hpp"
#include "sim/estimator/estimator.hpp"
#include "sim/sweep/sweep.hpp"
#include "sim/sweep/sweep_plots.hpp"

namespace fs = std::filesystem;
using namespace arithsim;
using sweep::Row;

namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class Sweep : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("arithsim-sweep-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  sweep::SweepSpec spec(const std::string& text) {
    const fs::path f = dir_ / "s.yaml";
    std::ofstream(f) << text;
    return sweep::load_sweep(f.string());
  }
  void expect_error(const std::string& text, const std::vector<std::string>& needles) {
    try {
      spec(text);
      ADD_FAILURE() << "no error for:\n" << text;
    } catch (const sweep::SweepError& e) {
      const std::string m = e.what();
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
      for (const auto& n : needles) EXPECT_NE(m.find(n), std::string::npos) << "lacks '" << n << "': " << m;
    }
  }
  std::map<std::string, std::string> outputs(const fs::path& d) {
    std::map<std::string, std::string> m;
    for (const char* f : {"points.csv", "front.csv", "points.json", "report.md"}) m[f] = read(d / f);
    if (fs::exists(d / "plots"))
      for (const auto& e : fs::directory_iterator(d / "plots")) m["plots/" + e.path().filename().string()] = read(e.path());
    return m;
  }
  fs::path dir_;
};

// Small sweeps: one-PE decode on few array shapes runs in tens of milliseconds a point.
const char* kSmall = R"(version: 1
name: small
axes:
  pe: [int_mac, {name: mixpe, params: {w: int4, a: int8, group: 128}}]
  array.rows: [8, 16, 32]
  array.dataflow: [os, ws]
  workload: [{generator: llama2-7b, phase: decode, kv: 256}]
constraints: ["sqnr_db >= 21"]
)";

}  // namespace

TEST_F(Sweep, GridIsTheCartesianProductLastAxisFastest) {
  const auto s = spec(kSmall);
  ASSERT_EQ(s.axes.size(), 4u);
  EXPECT_EQ(s.axes[0].path, "pe");
  EXPECT_EQ(s.axes[1].path, "workload");
  const auto pts = sweep::all_points(s);
  ASSERT_EQ(pts.size(), 2u * 1 * 3 * 2);
  std::set<sweep::Point> uniq(pts.begin(), pts.end());
  EXPECT_EQ(uniq.size(), pts.size());
  EXPECT_EQ(pts[0], (sweep::Point{0, 0, 0, 0}));
  EXPECT_EQ(pts[1], (sweep::Point{0, 0, 0, 1}));
  EXPECT_EQ(pts[2], (sweep::Point{0, 0, 1, 0}));
  EXPECT_EQ(pts.back(), (sweep::Point{1, 0, 2, 1}));
}

TEST_F(Sweep, PointConfigHasEachAxisValueAtItsPath) {
  const auto s = spec(R"(version: 1
base: {array: {rows: 4, cols: 8}, node: "28", pe: {name: mixpe, params: {w: int4, a: int8, group: 128}}}
axes:
  array.cols: [16, 64]
  pe.params.w: [int2, int4]
  buffers_kb.weights: [64]
  clock_ghz: [auto, 0.25]
)");
  const auto pts = sweep::all_points(s);
  ASSERT_EQ(pts.size(), 8u);
  for (size_t i = 0; i < pts.size(); ++i) {
    const auto c = sweep::point_config(s, pts[i], i);
    ASSERT_EQ(c.pes.size(), 1u);
    EXPECT_EQ(c.rows, 4);  // from the base
    EXPECT_EQ(c.cols, pts[i][2] == 0 ? 16 : 64);
    EXPECT_EQ(c.pes[0].name, "mixpe");
    EXPECT_EQ(c.pes[0].params.at("w"), pts[i][3] == 0 ? "int2" : "int4");
    EXPECT_EQ(c.pes[0].params.at("group"), "128");  // the base's other params stay
    EXPECT_EQ(c.w_buffer_kb, 64);
    EXPECT_EQ(c.clock_hz, pts[i][5] == 0 ? 0.0 : 0.25e9);
  }
  // Without a pe axis the base's PEs (here the default config's six) are the pe axis.
  const auto d = spec("version: 1\naxes: {node: [\"28\", \"7\"]}\n");
  EXPECT_EQ(d.axes[0].labels, (std::vector<std::string>{"int_mac", "fp8_mac", "mixpe", "lut_tensor_core", "rmmec", "lmul_pe"}));
  EXPECT_EQ(sweep::all_points(d).size(), 12u);
}

TEST_F(Sweep, RandomSamplesDistinctPointsReproducibly) {
  const std::string base = "version: 1\naxes: {array.rows: [4, 8, 16, 32, 64], array.cols: [4, 8, 16, 32, 64], node: [\"28\", \"7\"]}\n";
  const auto a = sweep::all_points(spec(base + "strategy: {kind: random, samples: 20, seed: 7}\n"));
  const auto b = sweep::all_points(spec(base + "strategy: {kind: random, samples: 20, seed: 7}\n"));
  const auto c = sweep::all_points(spec(base + "strategy: {kind: random, samples: 20, seed: 8}\n"));
  ASSERT_EQ(a.size(), 20u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::set<sweep::Point>(a.begin(), a.end()).size(), 20u);
  const auto grid = sweep::all_points(spec(base));
  for (const auto& p : a) EXPECT_NE(std::find(grid.begin(), grid.end(), p), grid.end());
  // More samples than points: the whole grid.
  EXPECT_EQ(sweep::all_points(spec(base + "strategy: {kind: random, samples: 100000}\n")), grid);
}

TEST_F(Sweep, LatinHypercubeTakesEveryValueOnceWhenSamplesEqualValues) {
  const auto s = spec(
      "version: 1\naxes: {pe: [int_mac], array.rows: [4, 8, 16, 32, 64, 128], array.cols: [4, 8, 16, 32, 64, 128], "
      "buffers_kb.weights: [32, 64, 128, 256, 512, 1024]}\nstrategy: {kind: lhs, samples: 6, seed: 3}\n");
  const auto pts = sweep::all_points(s);
  ASSERT_EQ(pts.size(), 6u);
  for (size_t a = 2; a < s.axes.size(); ++a) {  // each axis: a permutation of its six values
    std::set<size_t> v;
    for (const auto& p : pts) v.insert(p[a]);
    EXPECT_EQ(v.size(), 6u) << s.axes[a].path;
  }
}

// The front against a different algorithm: for two minimized objectives, sort by the first
// (ties by the second) and keep each point that beats every earlier second value.
TEST_F(Sweep, ParetoFrontEqualsASortAndScanIn2d) {
  std::mt19937_64 g(11);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<Row> rows;
    const size_t n = 1 + g() % 40;
    for (size_t i = 0; i < n; ++i) {
      Row r;
      r["point"] = i;
      r["status"] = g() % 5 == 0 ? "infeasible" : "ok";
      r["energy_mj"] = double(g() % 12);  // small ranges: many ties
      r["latency_ms"] = double(g() % 12);
      rows.push_back(r);
    }
    const auto front = sweep::pareto_front(rows, {{"energy_mj", false}, {"latency_ms", false}});
    std::vector<size_t> ok;
    for (size_t i = 0; i < n; ++i)
      if (rows[i]["status"] == "ok") ok.push_back(i);
    std::sort(ok.begin(), ok.end(), [&](size_t a, size_t b) {
      const double ea = rows[a]["energy_mj"], eb = rows[b]["energy_mj"], la = rows[a]["latency_ms"], lb = rows[b]["latency_ms"];
      return ea != eb ? ea < eb : la < lb;
    });
    std::set<size_t> want;
    double best = INFINITY, best_e = NAN;
    for (const size_t i : ok) {
      const double e = rows[i]["energy_mj"], l = rows[i]["latency_ms"];
      if (l < best) {
        want.insert(i), best = l, best_e = e;
      } else if (l == best && e == best_e) {
        want.insert(i);  // a duplicate of a front point is not dominated
      }
    }
    EXPECT_EQ(std::set<size_t>(front.begin(), front.end()), want) << "trial " << trial;
    EXPECT_TRUE(std::is_sorted(front.begin(), front.end()));
  }
  // Each workload has its own front.
  std::vector<Row> two{{{"point", 0}, {"status", "ok"}, {"axes", {{"workload", "decode"}}}, {"energy_mj", 1.0}, {"latency_ms", 1.0}},
                       {{"point", 1}, {"status", "ok"}, {"axes", {{"workload", "prefill"}}}, {"energy_mj", 5.0}, {"latency_ms", 5.0}},
                       {{"point", 2}, {"status", "ok"}, {"axes", {{"workload", "prefill"}}}, {"energy_mj", 6.0}, {"latency_ms", 6.0}}};
  EXPECT_EQ(sweep::pareto_front(two, {{"energy_mj", false}, {"latency_ms", false}}), (std::vector<size_t>{0, 1}));
  // max flips the sense.
  std::vector<Row> rows{{{"point", 0}, {"status", "ok"}, {"sqnr_db", 10.0}, {"energy_mj", 1.0}},
                        {{"point", 1}, {"status", "ok"}, {"sqnr_db", 20.0}, {"energy_mj", 1.0}}};
  EXPECT_EQ(sweep::pareto_front(rows, {{"sqnr_db", true}, {"energy_mj", false}}), (std::vector<size_t>{1}));
  EXPECT_EQ(sweep::pareto_front(rows, {{"sqnr_db", false}, {"energy_mj", false}}), (std::vector<size_t>{0}));
}

TEST_F(Sweep, RowIsTheEstimatorsEstimateAndConstraintsMarkIt) {
  const auto s = spec(kSmall);
  const auto pts = sweep::all_points(s);
  for (const size_t i : {size_t(0), size_t(7)}) {
    const Row r = sweep::evaluate_point(s, pts[i], i);
    const auto cfg = sweep::point_config(s, pts[i], i);
    const auto w = sweep::point_workload(s, pts[i], i);
    estimator::Estimator est(cfg);
    const auto e = est.estimate(w.trace, cfg.pes[0], {}, w.base_dir);
    EXPECT_EQ(r["point"], i);
    EXPECT_EQ(r["cycles"].get<uint64_t>(), e.cycles);
    EXPECT_DOUBLE_EQ(sweep::metric(r, "energy_mj"), e.energy.total() * 1e-9);
    EXPECT_DOUBLE_EQ(sweep::metric(r, "latency_ms"), e.time_s * 1e3);
    EXPECT_DOUBLE_EQ(sweep::metric(r, "area_mm2"), e.area_um2 * 1e-6);
    EXPECT_DOUBLE_EQ(sweep::metric(r, "edp_mj_ms"), e.energy.total() * 1e-9 * e.time_s * 1e3);
    EXPECT_EQ(r["status"], e.sqnr_db >= 21 ? "ok" : "infeasible") << e.sqnr_db;
    EXPECT_EQ(r["axes"]["array.rows"], s.axes[2].labels[pts[i][2]]);
    for (const auto& m : sweep::metric_names()) EXPECT_TRUE(r.contains(m)) << m;
  }
  // An axis constraint prunes before evaluation.
  const auto p = spec(R"(version: 1
axes: {pe: [int_mac], array.rows: [8, 16, 32, 64]}
constraints: ["array.rows <= 16", "array.rows != 8"]
)");
  size_t kept = 0;
  for (const auto& pt : sweep::all_points(p)) kept += sweep::passes_axis_constraints(p, pt);
  EXPECT_EQ(kept, 1u);
  // What the estimator cannot run is a row with its reason, not an abort.
  const auto u = spec("version: 1\naxes: {pe: [int_mac], clock_ghz: [50]}\n");
  const Row r = sweep::evaluate_point(u, sweep::all_points(u)[0], 0);
  EXPECT_EQ(r["status"], "unsupported");
  EXPECT_NE(r["reason"].get<std::string>().find("fmax"), std::string::npos) << r.dump();
}

TEST_F(Sweep, OutputsAreByteIdenticalWhateverJobsShardsOrInterruptions) {
  const auto s = spec(kSmall);
  sweep::RunOptions o;
  o.out = (dir_ / "one").string();
  const auto a = sweep::run_sweep(s, o);
  EXPECT_EQ(a.evaluated, 12u);
  const auto ref = outputs(dir_ / "one");
  EXPECT_NE(ref.at("points.csv").find("point,status,pe,workload,array.rows"), std::string::npos);
  // Several jobs.
  o.out = (dir_ / "jobs").string();
  o.jobs = 3;
  sweep::run_sweep(s, o);
  EXPECT_EQ(outputs(dir_ / "jobs"), ref);
  // Resumed after losing records (a kill before they were written), with a cut last line.
  const std::string journal = read(dir_ / "jobs" / "journal.jsonl");
  std::vector<std::string> lines;
  for (size_t pos = 0, e; (e = journal.find('\n', pos)) != std::string::npos; pos = e + 1) lines.push_back(journal.substr(pos, e - pos));
  ASSERT_EQ(lines.size(), 13u);
  fs::create_directories(dir_ / "cut");
  fs::copy_file(dir_ / "jobs" / ".arithsim-output", dir_ / "cut" / ".arithsim-output");
  {
    std::ofstream f(dir_ / "cut" / "journal.jsonl", std::ios::binary);
    for (size_t i = 0; i < 6; ++i) f << lines[i] << "\n";
    f << lines[6].substr(0, lines[6].size() / 2);  // cut mid-record
  }
  o.out = (dir_ / "cut").string();
  o.jobs = 2;
  const auto r = sweep::run_sweep(s, o);
  EXPECT_EQ(r.reused, 5u);
  EXPECT_EQ(r.evaluated, 7u);
  EXPECT_EQ(outputs(dir_ / "cut"), ref);
  const auto again = sweep::run_sweep(s, o);  // the cut line, now closed, stays skipped
  EXPECT_EQ(again.evaluated, 0u);
  EXPECT_EQ(outputs(dir_ / "cut"), ref);
  // A record cut within its first bytes, closed by a resume's newline, then resumed again.
  fs::create_directories(dir_ / "short");
  fs::copy_file(dir_ / "jobs" / ".arithsim-output", dir_ / "short" / ".arithsim-output");
  {
    std::ofstream f(dir_ / "short" / "journal.jsonl", std::ios::binary);
    for (size_t i = 0; i < 4; ++i) f << lines[i] << "\n";
    f << "{\"po";
  }
  o.out = (dir_ / "short").string();
  sweep::run_sweep(s, o);
  EXPECT_EQ(sweep::run_sweep(s, o).evaluated, 0u);
  EXPECT_EQ(outputs(dir_ / "short"), ref);
  // A first run killed after marking its directory, before the journal: a rerun starts it.
  fs::create_directories(dir_ / "nojournal");
  fs::copy_file(dir_ / "jobs" / ".arithsim-output", dir_ / "nojournal" / ".arithsim-output");
  o.out = (dir_ / "nojournal").string();
  EXPECT_EQ(sweep::run_sweep(s, o).evaluated, 12u);
  EXPECT_EQ(outputs(dir_ / "nojournal"), ref);
  // Three shards, merged.
  std::vector<std::string> shards;
  for (size_t i = 0; i < 3; ++i) {
    sweep::RunOptions so;
    so.out = (dir_ / ("shard" + std::to_string(i))).string();
    so.shard = {i, 3};
    sweep::run_sweep(s, so);
    EXPECT_FALSE(fs::exists(dir_ / ("shard" + std::to_string(i)) / "points.csv"));
    shards.push_back(so.out);
  }
  EXPECT_THROW(sweep::merge_sweep(s, {shards[0], shards[2]}, (dir_ / "partial").string()), sweep::SweepError);
  EXPECT_FALSE(fs::exists(dir_ / "partial"));
  sweep::merge_sweep(s, shards, (dir_ / "merged").string());
  EXPECT_EQ(outputs(dir_ / "merged"), ref);
}

TEST_F(Sweep, ForeignJournalsAndDirectoriesAreRefused) {
  const auto s = spec(kSmall);
  sweep::RunOptions o;
  o.out = (dir_ / "a").string();
  o.shard = {0, 4};
  sweep::run_sweep(s, o);
  auto refuses = [&](const sweep::SweepSpec& sp, const sweep::RunOptions& ro, const std::string& needle) {
    try {
      sweep::run_sweep(sp, ro);
      ADD_FAILURE() << "no error, want " << needle;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  const std::string before = read(dir_ / "a" / "journal.jsonl");
  // Another sweep's file in the same directory.
  refuses(spec(std::string(kSmall) + "objectives: [min area_mm2]\n"), o, "another sweep");
  // Another shard.
  sweep::RunOptions other = o;
  other.shard = {1, 4};
  refuses(s, other, "shard 0/4");
  EXPECT_EQ(read(dir_ / "a" / "journal.jsonl"), before);  // never truncated or rewritten
  // A directory arithsim did not write, and a corrupt journal.
  fs::create_directories(dir_ / "mine");
  std::ofstream(dir_ / "mine" / "data.txt") << "user data";
  sweep::RunOptions mine = o;
  mine.out = (dir_ / "mine").string();
  refuses(s, mine, "mine");
  EXPECT_EQ(read(dir_ / "mine" / "data.txt"), "user data");
  std::ofstream(dir_ / "a" / "journal.jsonl", std::ios::app) << "garbage\n{\"point\": 1}\n";
  refuses(s, o, "corrupt sweep journal");
  sweep::RunOptions absent = o;
  absent.out = (dir_ / "absent").string();
  absent.resume = true;
  refuses(s, absent, "holds no sweep to resume");
  EXPECT_FALSE(fs::exists(dir_ / "absent"));
}

TEST_F(Sweep, BadSweepFilesAreOneLineErrorsNamingTheKey) {
  expect_error("name: x\n", {"s.yaml", "version"});
  expect_error("version: 1\naxes: {array.rowz: [4]}\n", {"s.yaml", "array.rowz"});
  expect_error("version: 1\naxes: {bogus: [4]}\n", {"unknown axis 'bogus'"});
  expect_error("version: 1\naxes: {array.rows: []}\n", {"axis 'array.rows'", "non-empty list"});
  expect_error("version: 1\naxes: {array.rows: [4, 0]}\n", {"point 1", "array.rows=0", "field 'array.rows' must be in [1, 4096]"});
  expect_error("version: 1\naxes: {array.rows: [4, 4]}\n", {"given twice"});
  expect_error("version: 1\naxes: {pe: [int_mac], pe.params.w: [int99]}\n", {"point 0", "pe 'int_mac'"});
  expect_error("version: 1\naxes: {workload: [{generator: llama2-7b, sequence: 3}]}\n", {"unknown key 'sequence'"});
  expect_error("version: 1\naxes: {pe: [int_mac], workload: [{trace: nothere.yaml}]}\n", {"nothere.yaml"});
  // A generator option the generator refuses, and one a trace file cannot take: at load.
  expect_error("version: 1\naxes: {pe: [int_mac], workload: [{generator: llama2-7b, phase: sideways}]}\n", {"point 0", "workload"});
  expect_error("version: 1\naxes: {pe: [int_mac], workload: [{generator: no-such-model}]}\n", {"point 0", "no-such-model"});
  expect_error("version: 1\nconstraints: [\"area <= 3\"]\n", {"constraints[0]", "unknown metric or axis 'area'"});
  expect_error("version: 1\nconstraints: [\"area_mm2 ~ 3\"]\n", {"constraints[0]", "expected 'metric <op> value'"});
  expect_error("version: 1\nconstraints: [\"area_mm2 <= big\"]\n", {"needs a number"});
  expect_error("version: 1\nobjectives: [min speed]\n", {"objectives[0]", "speed"});
  expect_error("version: 1\nstrategy: {kind: annealing}\n", {"strategy.kind"});
  expect_error("version: 1\nstrategy: {kind: random}\n", {"strategy.samples"});
  expect_error("version: 1\nstrategy: {kind: adaptive, samples: 8, budget: 4}\n", {"strategy.budget", "below strategy.samples"});
  expect_error("version: 1\nstrategy: {kind: grid, rounds: 3}\n", {"adaptive search's"});
  expect_error("version: 1\nstrategy: {kind: lhs, samples: 3, budget: 9}\n", {"adaptive search's"});
  expect_error("version: 1\nstrategy: {kind: adaptive, samples: 3, rounds: -1}\n", {"strategy.rounds"});
  expect_error("version: 1\naxes: {pe: [int_mac], array.rows: [4]}\nconstraints: [\"array.rows > 8\"]\n", {"rule out every point"});
  expect_error("version: 1\nconfig: missing.yaml\n", {"missing.yaml"});
  expect_error("version: 1\nextra: 1\n", {"unknown field 'extra'"});
  expect_error("version: 1\naxes: {array.rows: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16], array.cols: "
               "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16], buffers_kb.weights: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16], "
               "buffers_kb.activations: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16], dram.bandwidth_gbps: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}\n",
               {"more than", "sample it"});
}

TEST_F(Sweep, TheExampleSweepsLoad) {
  const auto s = sweep::load_sweep(std::string(ARITHSIM_SOURCE_DIR) + "/sweeps/pe-by-array.yaml");
  EXPECT_EQ(sweep::all_points(s).size(), 72u);
  EXPECT_EQ(s.objectives.size(), 2u);
  const auto a = sweep::load_sweep(std::string(ARITHSIM_SOURCE_DIR) + "/sweeps/adaptive-array.yaml");
  EXPECT_EQ(a.strategy.kind, "adaptive");
  EXPECT_EQ(sweep::all_points(a).size(), 2000u);
  EXPECT_EQ(a.strategy.budget, 240u);
}

// What points share (activities, accuracies, array costs, traces) is cached across the points
// and threads of a run: every row equals a point estimated alone with nothing cached.
TEST_F(Sweep, SharedCachesChangeNoRow) {
  const auto s = spec(R"(version: 1
name: shared
axes:
  pe: [int_mac, {name: mixpe, params: {w: int4, a: int8, group: 128}}]
  array.rows: [8, 32]
  array.dataflow: [os, ws]
  node: ["28", "7"]
  buffers_kb.weights: [128, 1024]
  workload: [{generator: llama2-7b, phase: decode, kv: 256}]
)");
  sweep::RunOptions o;
  o.out = (dir_ / "run").string();
  o.jobs = 2;
  sweep::run_sweep(s, o);
  const std::string journal = read(dir_ / "run" / "journal.jsonl");
  std::map<size_t, std::string> rows;
  std::istringstream in(journal);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    const Row r = Row::parse(line);
    rows[r["point"].get<size_t>()] = line;
  }
  const auto pts = sweep::all_points(s);
  ASSERT_EQ(rows.size(), pts.size());
  for (size_t i = 0; i < pts.size(); ++i) EXPECT_EQ(rows[i], sweep::evaluate_point(s, pts[i], i).dump()) << "point " << i;
}

// Points that differ only in a PE parameter or in the workload's weight group measure their
// own activity and accuracy: the cache keys hold everything the measurements depend on.
TEST_F(Sweep, SharedCachesKeepPeParametersAndGroupsApart) {
  const auto s = spec(R"(version: 1
name: keys
axes:
  pe: [{name: mixpe, params: {w: int4, a: int8}}]
  pe.params.group: [32, 128]
  workload: [{generator: llama2-7b, phase: decode, kv: 256}]
  workload.group: [32, 128]
)");
  sweep::RunOptions o;
  o.out = (dir_ / "run").string();
  o.jobs = 2;
  sweep::run_sweep(s, o);
  std::istringstream in(read(dir_ / "run" / "journal.jsonl"));
  std::string line;
  std::getline(in, line);
  std::map<size_t, std::string> rows;
  while (std::getline(in, line)) rows[Row::parse(line)["point"].get<size_t>()] = line;
  const auto pts = sweep::all_points(s);
  ASSERT_EQ(rows.size(), 4u);
  std::set<double> sqnr;
  for (size_t i = 0; i < pts.size(); ++i) {
    const Row alone = sweep::evaluate_point(s, pts[i], i);
    EXPECT_EQ(rows[i], alone.dump()) << "point " << i;
    sqnr.insert(sweep::metric(alone, "sqnr_db"));
  }
  EXPECT_GT(sqnr.size(), 1u);  // the groups do change the accuracy
}

namespace {

// The adaptive search, restated from its definition with nothing of sweep.cpp: a point is
// one step from another when they differ on one axis only, by one place on a numeric axis
// and anywhere on another; the front is brute force (dominance on every objective).
std::set<size_t> adaptive_reference(const sweep::SweepSpec& s, const std::map<size_t, Row>& grid) {
  const auto pts = sweep::all_points(s);
  auto numeric = [&](size_t a) {
    for (const auto& l : s.axes[a].labels)
      if (l.find_first_not_of("0123456789.") != std::string::npos) return false;
    return true;
  };
  auto step = [&](size_t x, size_t y) {
    size_t diff = 0, axis = 0;
    for (size_t a = 0; a < pts[x].size(); ++a)
      if (pts[x][a] != pts[y][a]) ++diff, axis = a;
    if (diff != 1) return false;
    return !numeric(axis) || pts[x][axis] + 1 == pts[y][axis] || pts[y][axis] + 1 == pts[x][axis];
  };
  auto dominates = [&](const Row& b, const Row& a) {
    bool le = true, lt = false;
    for (const auto& o : s.objectives) {
      const double x = sweep::metric(a, o.metric) * (o.maximize ? -1 : 1), y = sweep::metric(b, o.metric) * (o.maximize ? -1 : 1);
      le = le && y <= x, lt = lt || y < x;
    }
    return le && lt;
  };
  std::set<size_t> searched;
  for (const size_t i : sweep::adaptive_start(s)) searched.insert(i);
  for (uint64_t round = 0; round < s.strategy.rounds && searched.size() < s.strategy.budget; ++round) {
    std::set<size_t> next;
    for (const size_t a : searched) {
      if (grid.at(a)["status"] != "ok") continue;
      bool dominated = false;
      for (const size_t b : searched) dominated = dominated || (grid.at(b)["status"] == "ok" && dominates(grid.at(b), grid.at(a)));
      if (dominated) continue;
      for (size_t n = 0; n < pts.size(); ++n)
        if (!searched.count(n) && step(a, n) && sweep::passes_axis_constraints(s, pts[n])) next.insert(n);
    }
    if (next.empty()) break;
    size_t room = s.strategy.budget - searched.size();
    for (const size_t n : next)
      if (room-- > 0) searched.insert(n);
  }
  return searched;
}

}  // namespace

TEST_F(Sweep, AdaptiveSearchRefinesAroundTheFront) {
  const std::string axes = R"(version: 1
name: adaptive
axes:
  pe: [int_mac, {name: mixpe, params: {w: int4, a: int8, group: 128}}, {name: lut_tensor_core, params: {w: int4, a: int8, group: 128}}]
  array.rows: [8, 16, 32, 64]
  array.cols: [8, 16, 32, 64]
  node: ["28", "7"]
  workload: [{generator: llama2-7b, phase: decode, kv: 256}]
constraints: ["sqnr_db >= 10"]
objectives: [min energy_mj, min latency_ms]
)";
  const auto s = spec(axes + "strategy: {kind: adaptive, samples: 6, seed: 3, rounds: 6, budget: 40}\n");
  // Every point of the grid, once, as the reference's oracle.
  const auto g = spec(axes);
  sweep::RunOptions go;
  go.out = (dir_ / "grid").string();
  go.jobs = 2;
  sweep::run_sweep(g, go);
  std::map<size_t, Row> grid;
  {
    std::istringstream in(read(dir_ / "grid" / "journal.jsonl"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      Row r = Row::parse(line);
      grid[r["point"].get<size_t>()] = r;
    }
  }
  ASSERT_EQ(grid.size(), 96u);
  sweep::RunOptions o;
  o.out = (dir_ / "one").string();
  const auto one = sweep::run_sweep(s, o);
  std::set<size_t> got;
  {
    std::istringstream in(read(dir_ / "one" / "journal.jsonl"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const Row r = Row::parse(line);
      got.insert(r["point"].get<size_t>());
      EXPECT_EQ(r.dump(), grid.at(r["point"].get<size_t>()).dump());  // the same row as the grid's
    }
  }
  EXPECT_EQ(got, adaptive_reference(s, grid));
  EXPECT_LE(got.size(), 40u);
  EXPECT_GT(got.size(), 6u);  // it did refine
  EXPECT_GT(one.rounds, 1u);
  const auto ref = outputs(dir_ / "one");
  // Jobs, and a resume after losing records, give the same search and the same outputs.
  o.out = (dir_ / "jobs").string();
  o.jobs = 3;
  sweep::run_sweep(s, o);
  EXPECT_EQ(outputs(dir_ / "jobs"), ref);
  const std::string journal = read(dir_ / "jobs" / "journal.jsonl");
  fs::create_directories(dir_ / "cut");
  fs::copy_file(dir_ / "jobs" / ".arithsim-output", dir_ / "cut" / ".arithsim-output");
  std::ofstream(dir_ / "cut" / "journal.jsonl", std::ios::binary) << journal.substr(0, journal.size() * 2 / 3);
  o.out = (dir_ / "cut").string();
  const auto r = sweep::run_sweep(s, o);
  EXPECT_GT(r.reused, 0u);
  EXPECT_GT(r.evaluated, 0u);
  EXPECT_EQ(outputs(dir_ / "cut"), ref);
  // Shards cannot split a search whose rounds depend on every earlier point.
  sweep::RunOptions so;
  so.out = (dir_ / "shard").string();
  so.shard = {0, 2};
  EXPECT_THROW(sweep::run_sweep(s, so), sweep::SweepError);
  EXPECT_FALSE(fs::exists(dir_ / "shard"));
  EXPECT_THROW(sweep::merge_sweep(s, {(dir_ / "one").string()}, (dir_ / "m").string()), sweep::SweepError);
}

TEST_F(Sweep, PlotsShowEveryPointAndTheFrontPerObjectivePair) {
  const auto s = spec(std::string(kSmall) + "objectives: [min energy_mj, min latency_ms, min area_mm2]\n");
  sweep::RunOptions o;
  o.out = (dir_ / "p").string();
  sweep::run_sweep(s, o);
  if (!sweep::have_gnuplot()) GTEST_SKIP() << "gnuplot is not installed";
  std::vector<Row> rows;
  {
    std::istringstream in(read(dir_ / "p" / "journal.jsonl"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) rows.push_back(Row::parse(line));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a["point"] < b["point"]; });
  size_t ok = 0, infeasible = 0;
  for (const auto& r : rows) ok += r["status"] == "ok", infeasible += r["status"] == "infeasible";
  ASSERT_GT(ok, 0u);
  const size_t front = sweep::pareto_front(rows, s.objectives).size();
  auto data_lines = [&](const std::string& f) {
    std::istringstream in(read(dir_ / "p" / "plots" / f));
    size_t n = 0;
    for (std::string l; std::getline(in, l);) n += !l.empty() && l[0] != '#';
    return n;
  };
  EXPECT_EQ(data_lines("points.dat"), ok);
  if (infeasible) {
    EXPECT_EQ(data_lines("infeasible.dat"), infeasible);
  }
  for (const char* pair : {"energy_mj-vs-latency_ms", "energy_mj-vs-area_mm2", "latency_ms-vs-area_mm2"}) {
    EXPECT_EQ(data_lines(std::string("front-") + pair + ".dat"), front) << pair;
    for (const char* ext : {".png", ".svg"}) EXPECT_GT(fs::file_size(dir_ / "p" / "plots" / (std::string(pair) + ext)), 1000u) << pair;
    const std::string svg = read(dir_ / "p" / "plots" / (std::string(pair) + ".svg"));
    EXPECT_NE(svg.find("Pareto front"), std::string::npos);
    EXPECT_NE(read(dir_ / "p" / "report.md").find(std::string("plots/") + pair + ".svg"), std::string::npos);
  }
  // No scratch directory is left behind.
  for (const auto& e : fs::directory_iterator(dir_ / "p")) EXPECT_NE(e.path().filename().string().rfind(".plots-", 0), 0u);
}
