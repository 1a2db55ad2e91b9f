// The estimator (issue #6): its cycle counts against the cycle-level array simulation, its
// energy accounting, byte-identical reports, config and mapping errors, roofline verdicts.
#include <gtest/gtest.h>

#include <chrono>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include "sim/estimator/accelerator_config.hpp"
#include "sim/estimator/default_job.hpp"
#include "sim/estimator/estimator.hpp"
#include "sim/estimator/report.hpp"
#include "traces/generators.hpp"
#include "traces/trace.hpp"

namespace {

namespace fs = std::filesystem;
using namespace arithsim;
using estimator::AcceleratorConfig;
using estimator::PeChoice;

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

const std::vector<PeChoice> kPes = {
    {"int_mac", {}, "int_mac"},
    {"int_mac", {{"stages", "3"}}, "int_mac_s3"},
    {"fp8_mac", {}, "fp8_mac"},
    {"mixpe", {{"w", "int4"}, {"group", "32"}}, "mixpe"},
    {"lut_tensor_core", {{"w", "int2"}, {"group", "32"}}, "lut_tensor_core"},
    {"rmmec", {{"mode", "posit8_0"}}, "rmmec"},
    {"lmul_pe", {}, "lmul_pe"},
};

// The estimator's cycles equal the cycle-level array simulation's, every PE, every dataflow,
// edge tiles, several shapes, batched GEMMs stacked back to back.
TEST(EstimatorCycles, EqualCycleLevelSimulation) {
  for (const char* df : {"os", "dot", "ws", "is"})
    for (const auto& pe : kPes) {
      AcceleratorConfig c;
      c.rows = 4, c.cols = 3, c.dataflow = df;
      c.pes = {pe};
      pe::Params bp = pe.params;
      const int lanes = cycle::lanes(pe.name, bp);
      const size_t gw = std::max<size_t>(1, cycle::words_per_group(pe.name, bp));
      for (auto [m, n, groups, batch] : std::vector<std::array<size_t, 4>>{{1, 1, 1, 1}, {5, 7, 2, 1}, {4, 3, 1, 1},
                                                                           {9, 2, 3, 1}, {3, 5, 1, 3}}) {
        SCOPED_TRACE(fmt::format("{} {} m={} n={} groups={} batch={}", pe.label, df, m, n, groups, batch));
        const size_t kw = gw * groups;
        estimator::GemmShape g{m, n, kw * size_t(lanes), batch};
        const auto est = estimator::gemm_cycles(c, pe, g);
        // The simulation: batch GEMMs stacked as row tiles padded to R rows (os, dot), as
        // column tiles padded to C columns (ws: N, is: M).
        const std::string d = df;
        size_t sm = m, sn = n;
        if (batch > 1 && (d == "os" || d == "dot")) sm = batch * ((m + 3) / 4) * 4;
        if (batch > 1 && d == "ws") sn = batch * ((n + 2) / 3) * 3;
        if (batch > 1 && d == "is") sm = batch * ((m + 2) / 3) * 3;
        const auto ports = cycle::make_pe_cycle(pe.name, pe.params)->ports();
        const auto prob = cycle::random_array_problem(ports, sm, sn, kw, 7);
        const auto sim = cycle::simulate_array_gemm(pe.name, pe.params, c.rows, c.cols, cycle::parse_dataflow(df), prob);
        EXPECT_EQ(est.cycles, sim.cycles);
        EXPECT_EQ(est.tiles, sim.tiles);
        if (batch == 1) {
          EXPECT_NEAR(est.utilization, sim.utilization, 1e-12);
        }
      }
    }
}

traces::Trace small_trace() {
  traces::GenOptions o;
  o.phase = "decode";
  o.kv = 256;
  o.w = "int4";
  o.a = "int8";
  o.group = 128;
  auto t = traces::generate("llama2-7b", o);
  return t;
}

// The report's action counts carry the whole energy: per op and per PE, the actions' energies
// add up to compute + buffers + DRAM + leakage, busy + idle PE-cycles are R x C x cycles, and
// the DRAM action is the DRAM traffic.
TEST(EstimatorActions, AddUpToTheEnergy) {
  AcceleratorConfig c = estimator::default_config();
  estimator::Estimator est(c);
  for (const auto& r : est.estimate_all(estimator::default_trace())) {
    SCOPED_TRACE(r.pe.label);
    auto sum = [](const estimator::Actions& a) {
      double s = 0;
      for (const auto* x : {&a.busy_pe_cycles, &a.idle_pe_cycles, &a.array_cycles, &a.dequant_weights, &a.vector_ops,
                            &a.a_buffer_bytes, &a.w_buffer_bytes, &a.o_buffer_bytes, &a.dram_bytes, &a.leakage_s})
        s += x->energy_pj;
      return s;
    };
    for (const auto& o : r.ops) {
      EXPECT_NEAR(sum(o.actions), o.energy.total(), 1e-9 * o.energy.total()) << o.name;
      EXPECT_DOUBLE_EQ(o.actions.dram_bytes.count, o.traffic.dram());
      if (o.kind != "elementwise") {
        EXPECT_NEAR(o.actions.busy_pe_cycles.count + o.actions.idle_pe_cycles.count,
                    double(c.rows) * c.cols * double(o.cycles), 1e-6 * double(o.cycles)) << o.name;
      }
    }
    EXPECT_NEAR(sum(r.actions), r.energy.total(), 1e-9 * r.energy.total());
    const std::string md = estimator::markdown_report({r}, {"t", "c"}, false);
    EXPECT_NE(md.find("| idle PE-cycles | "), std::string::npos);
    const auto j = nlohmann::json::parse(estimator::results_json({r}, {"t", "c"}));
    EXPECT_DOUBLE_EQ(j["pes"][0]["actions"]["dram_bytes"]["count"].get<double>(), r.actions.dram_bytes.count);
    EXPECT_DOUBLE_EQ(j["pes"][0]["ops"][0]["actions"]["busy_pe_cycles"]["count"].get<double>(),
                     r.ops[0].actions.busy_pe_cycles.count);
  }
}

TEST(EstimatorEnergy, SumsToTheTotal) {
  auto c = estimator::default_config();
  estimator::Estimator est(c);
  const auto trace = small_trace();
  for (const auto& pe : c.pes) {
    SCOPED_TRACE(pe.label);
    const auto r = est.estimate(trace, pe);
    estimator::Energy sum;
    double time = 0;
    uint64_t cycles = 0, macs = 0;
    for (const auto& o : r.ops) {
      sum += o.energy;
      time += o.time_s;
      cycles += o.cycles;
      macs += o.macs;
      EXPECT_NEAR(o.energy.total(), o.energy.compute + o.energy.buffers + o.energy.dram + o.energy.leakage,
                  1e-9 * o.energy.total());
      EXPECT_LE(o.energy.dequant, o.energy.compute);
      EXPECT_GE(o.energy.compute, 0);
      EXPECT_GT(o.energy.dram, 0) << o.name;
      // Elementwise: the roofline max; GEMMs: the mapper's overlap of transfers and compute,
      // between the max and the serial sum (first tile filled, last block drained).
      if (o.kind == "elementwise") {
        EXPECT_DOUBLE_EQ(o.time_s, std::max(o.compute_s, o.dram_s));
      } else {
        EXPECT_GE(o.time_s, std::max(o.compute_s, o.dram_s)) << o.name;
        EXPECT_LE(o.time_s, o.compute_s + o.dram_s) << o.name;
        EXPECT_FALSE(o.mapping.empty()) << o.name;
        EXPECT_GT(o.candidates, 0u) << o.name;
      }
    }
    EXPECT_NEAR(sum.total(), r.energy.total(), 1e-9 * r.energy.total());
    EXPECT_NEAR(sum.compute, r.energy.compute, 1e-9 * r.energy.compute);
    EXPECT_NEAR(sum.buffers, r.energy.buffers, 1e-9 * r.energy.buffers);
    EXPECT_NEAR(sum.dram, r.energy.dram, 1e-9 * r.energy.dram);
    EXPECT_NEAR(sum.leakage, r.energy.leakage, 1e-9 * r.energy.leakage);
    EXPECT_NEAR(time, r.time_s, 1e-12);
    EXPECT_EQ(cycles, r.cycles);
    EXPECT_EQ(macs, trace.macs());
    EXPECT_GT(r.area_um2, 0);
    EXPECT_TRUE(std::isfinite(r.sqnr_db)) << r.pe.label;
    EXPECT_GT(r.sqnr_db, 5);
  }
}

// workload_activity (arithsim cost --workload): the MAC-weighted mean of the per-op
// activities the estimator measures; elementwise ops do not count.
// Issue #11: idle PEs are gated. A GEMV (N = 1) keeps one column of the array busy: on a 32 x 32
// array and on a 32 x 1 array it has the same busy PE-cycles (the cycles differ by the skew of
// the wider array only), so with gating the PE energy differs only by the idle PEs' clock
// energy; ungated, by about the full 32x.
TEST(EstimatorEnergy, ComputeEnergyScalesWithBusyPeCycles) {
  const std::string trace_text =
      "version: 1\nmodel: x\nphase: decode\nops:\n  - {name: gemv, kind: gemm, m: 64, n: 1, k: 512, "
      "weight_format: int8, activation_format: int8, output_format: int32}\n";
  const auto trace = traces::parse_trace(trace_text, "t.yaml");
  auto energy = [&](int cols, bool gated) {
    auto c = estimator::default_config();
    c.cols = cols;
    c.idle_gating = gated;
    c.pes = {c.pes[0]};  // int_mac
    estimator::Estimator est(c);
    return est.estimate(trace, c.pes[0]).ops.at(0);
  };
  const auto wide = energy(32, true), narrow = energy(1, true), wide_ungated = energy(32, false);
  EXPECT_NEAR(double(wide.cycles), double(narrow.cycles), 0.05 * double(narrow.cycles));
  EXPECT_DOUBLE_EQ(wide.busy_pe_cycles, narrow.busy_pe_cycles);
  EXPECT_DOUBLE_EQ(wide.busy_pe_cycles, double(64 * 512));  // one MAC per busy PE-cycle
  EXPECT_DOUBLE_EQ(wide.busy_pe_cycles + wide.idle_pe_cycles, 32.0 * 32.0 * double(wide.cycles));
  EXPECT_DOUBLE_EQ(narrow.idle_pe_cycles, 32.0 * double(narrow.cycles) - narrow.busy_pe_cycles);
  // Ungated, the 31 idle columns cost as much as the busy one each (the narrow array's skew
  // registers weigh more per PE, so somewhat under 32x).
  EXPECT_GT(wide_ungated.energy.compute, 12 * narrow.energy.compute);
  // Gated, idle PEs pay their clock only: far below the ungated figure, above the narrow one.
  EXPECT_LT(wide.energy.compute, 0.7 * wide_ungated.energy.compute);
  EXPECT_GT(wide.energy.compute, narrow.energy.compute);
}

TEST(EstimatorActivity, WorkloadActivityIsTheMacWeightedMeanOfTheOps) {
  const PeChoice pe{"int_mac", {}, "int_mac"};
  auto op = [](std::string name, int64_t m, double std_a) {
    traces::Op o;
    o.name = std::move(name);
    o.kind = traces::OpKind::Gemm;
    o.m = m, o.n = 64, o.k = 256;
    o.weight_format = "int8", o.activation_format = "int8", o.output_format = "bf16";
    o.activation_stats = traces::ValueStats{"normal", {{"mean", 0.0}, {"std", std_a}}, ""};
    return o;
  };
  traces::Trace one, two;
  one.model = two.model = "t";
  one.phase = two.phase = "forward";
  one.ops = {op("a", 8, 1.0)};
  const auto a1 = estimator::workload_activity(pe, one);
  // the estimator's own measurement of that op
  AcceleratorConfig c;
  c.pes = {pe};
  estimator::Estimator est(c);
  const auto r = est.estimate(one, pe);
  EXPECT_EQ(a1.input, r.activity.input);
  EXPECT_EQ(a1.acc, r.activity.acc);
  // a second op with other statistics and 3x the MACs, plus an elementwise op
  traces::Op ew = op("act", 8, 1.0);
  ew.kind = traces::OpKind::Elementwise;
  two.ops = {op("a", 8, 1.0), op("b", 24, 1e-3), ew};
  traces::Trace only_b = one;
  only_b.ops = {op("b", 24, 1e-3)};
  const auto ab = estimator::workload_activity(pe, two), b = estimator::workload_activity(pe, only_b);
  EXPECT_NE(a1.input, b.input);
  EXPECT_NEAR(ab.input, (1 * a1.input + 3 * b.input) / 4, 1e-12);
  EXPECT_NEAR(ab.acc, (1 * a1.acc + 3 * b.acc) / 4, 1e-12);
  traces::Trace none = one;
  none.ops = {ew};
  EXPECT_THROW(estimator::workload_activity(pe, none), std::invalid_argument);
}

TEST(EstimatorRoofline, DecodeIsMemoryBoundPrefillComputeBound) {
  AcceleratorConfig c = estimator::default_config();
  c.pes = {{"int_mac", {}, "int_mac"}};
  c.clock_hz = 1e9;  // below int_mac's fmax; the bounds below are at 1 GHz
  c.dram_gbps = 8;  // a GEMV on one array row of 32 (os) is memory-bound below ~32 GB/s
  estimator::Estimator est(c);
  traces::Trace t;
  t.model = "x", t.phase = "forward";
  traces::Op gemv;
  gemv.name = "gemv";
  gemv.kind = traces::OpKind::Gemm;
  gemv.m = 1;
  gemv.n = 4096;
  gemv.k = 4096;
  gemv.weight_format = "int8", gemv.activation_format = "int8", gemv.output_format = "bf16";
  traces::Op gemm = gemv;
  gemm.name = "gemm", gemm.m = 2048;
  t.ops = {gemv, gemm};
  const auto r = est.estimate(t, c.pes[0]);
  EXPECT_EQ(r.ops[0].bound, "memory");
  // At the default 64 GB/s the GEMV (one array row of 32 busy, os) is compute-bound.
  c.dram_gbps = 64;
  estimator::Estimator est64(c);
  const auto r64 = est64.estimate(t, c.pes[0]);
  EXPECT_EQ(r64.ops[0].bound, "compute");
  EXPECT_EQ(r64.ops[1].bound, "compute");
  // A 4096x4096 int8 B does not fit a 512 KB weight buffer: the mapper keeps weight tiles
  // resident and streams A past them (passes over A, not 2048/32 passes over B); the GEMV
  // reads each weight once.
  EXPECT_EQ(r.ops[1].traffic.w_rereads, 1);
  EXPECT_GT(r.ops[1].traffic.a_rereads, 1);
  EXPECT_LT(r.ops[1].traffic.dram(), 2048 / 32 * 4096.0 * 4096 / 2) << r.ops[1].mapping;  // < half the old B re-reads
  EXPECT_EQ(r.ops[0].traffic.w_rereads, 1);
}

// A report interrupted (SIGTERM) at any moment of its writing -- files, gnuplot, the rename --
// leaves the previous report whole or the new one complete, and no temporary directory: a
// child process writes the report with the handler `arithsim run` installs; the parent
// kills it after 0, 15, 30, ... ms.
extern "C" void remove_and_exit(int sig) {
  estimator::remove_partial_report();
  _exit(128 + sig);
}

TEST(EstimatorReport, InterruptedAnywhereLeavesOldOrNewReportOnly) {
  auto c = estimator::default_config();
  c.pes.resize(2);
  estimator::Estimator est(c);
  const auto r = est.estimate_all(small_trace());
  const fs::path base = fs::path(testing::TempDir()) / ("est_interrupt_" + std::to_string(getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "report");
  auto listing = [](const fs::path& d) {
    std::set<std::string> s;
    for (const auto& e : fs::recursive_directory_iterator(d)) s.insert(fs::relative(e.path(), d).string());
    return s;
  };
  // the complete new report, written once without interruption
  const auto t0 = std::chrono::steady_clock::now();
  estimator::write_report((base / "complete").string(), r, {"small", "default", true});
  const double write_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  const auto complete = listing(base / "complete");
  fs::remove_all(base / "complete");
  int old_seen = 0, new_seen = 0;
  for (int i = 0; i < 30; ++i) {
    fs::remove_all(base / "report");
    fs::create_directories(base / "report");
    std::ofstream(base / "report" / "old.txt") << "previous";
    std::ofstream(base / "report" / ".arithsim-output") << "arithsim report\n";  // a report it wrote
    // the child installs the handler before the signal can reach it: held across the fork
    sigset_t term, old;
    sigemptyset(&term);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&term, sig);
    sigprocmask(SIG_BLOCK, &term, &old);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, remove_and_exit);
      sigprocmask(SIG_SETMASK, &old, nullptr);
      try {
        estimator::write_report((base / "report").string(), r, {"small", "default", true});
      } catch (...) {
        _exit(3);
      }
      _exit(0);
    }
    sigprocmask(SIG_SETMASK, &old, nullptr);
    // Delays spread over 0 .. 1.5x the measured write time (the last one 10x), so that both
    // outcomes occur whatever the machine's speed and load.
    usleep(useconds_t(write_us * (i == 29 ? 10.0 : 1.5 * i / 29.0)));
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFEXITED(st)) << i;
    const int code = WEXITSTATUS(st);
    ASSERT_TRUE(code == 0 || code == 128 + SIGTERM) << "run " << i << " exit " << code;
    // only the report directory in base: no temporary or old-report directory left behind
    std::set<std::string> top;
    for (const auto& e : fs::directory_iterator(base)) top.insert(e.path().filename().string());
    EXPECT_EQ(top, std::set<std::string>{"report"}) << "run " << i;
    const auto now = listing(base / "report");
    if (now == std::set<std::string>{"old.txt", ".arithsim-output"}) ++old_seen;
    else if (now == complete) ++new_seen;
    else ADD_FAILURE() << "run " << i << ": a partial report (" << now.size() << " entries)";
  }
  // both outcomes happen over the range of delays
  EXPECT_GT(old_seen, 0);
  EXPECT_GT(new_seen, 0);
  fs::remove_all(base);
}

TEST(EstimatorReport, SameInputsGiveByteIdenticalReports) {
  auto c = estimator::default_config();
  c.pes.resize(2);
  const auto trace = small_trace();
  const fs::path base = fs::path(testing::TempDir()) / ("est_report_" + std::to_string(getpid()));
  fs::remove_all(base);
  for (const char* d : {"a", "b"}) {
    estimator::Estimator est(c);  // fresh caches each time
    const auto r = est.estimate_all(trace);
    estimator::write_report((base / d).string(), r, {"small", "default", true});
  }
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(base / "a")) {
    if (!e.is_regular_file()) continue;
    ++files;
    const auto rel = fs::relative(e.path(), base / "a");
    EXPECT_EQ(read_all(e.path()), read_all(base / "b" / rel)) << rel;
  }
  EXPECT_GE(files, 4u);
  // Replacing an existing report leaves only the new one.
  estimator::Estimator est(c);
  estimator::write_report((base / "a").string(), est.estimate_all(trace), {"small", "default", false});
  EXPECT_FALSE(fs::exists(base / "a" / "table.tex"));
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(base)) ++entries, (void)e;
  EXPECT_EQ(entries, 2u);  // a, b: no temporary or old directories
  fs::remove_all(base);
}

std::string config_error(const std::string& yaml) {
  try {
    estimator::parse_config(yaml, "acc.yaml");
  } catch (const estimator::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(EstimatorConfig, DefaultsAndParsing) {
  const auto c = estimator::parse_config("version: 1\n", "acc.yaml");
  EXPECT_EQ(c.rows, 32);
  EXPECT_EQ(c.dataflow, "os");
  EXPECT_EQ(c.node, "28");
  EXPECT_DOUBLE_EQ(c.dram_pj_per_bit, estimator::kDefaultDramPjPerBit);
  const auto d = estimator::parse_config(
      "version: 1\narray: {rows: 16, cols: 8, dataflow: dot}\npes: [int_mac, {name: mixpe, params: {w: int2, group: 64}, "
      "label: mix2}]\nclock_ghz: 0.5\nnode: \"7\"\nbuffers_kb: {weights: 1024}\ndram: {bandwidth_gbps: 100, pj_per_bit: 4, "
      "source: HBM2}\n",
      "acc.yaml");
  EXPECT_EQ(d.rows, 16);
  EXPECT_EQ(d.cols, 8);
  EXPECT_EQ(d.pes.size(), 2u);
  EXPECT_EQ(d.pes[1].label, "mix2");
  EXPECT_EQ(d.pes[1].params.at("group"), "64");
  EXPECT_DOUBLE_EQ(d.clock_hz, 0.5e9);
  EXPECT_DOUBLE_EQ(d.w_buffer_kb, 1024);
  EXPECT_EQ(d.dram_source, "user (acc.yaml): HBM2");
  // The YAML written back reads back the same.
  auto back = estimator::parse_config(estimator::to_yaml(d), "acc.yaml");
  EXPECT_EQ(back.dram_source, "user (acc.yaml): user (acc.yaml): HBM2");  // provenance kept
  back.dram_source = d.dram_source;
  EXPECT_EQ(back, d);
  // SCALE-Sim-compatible cycles: more cycles for the same decode step, named in the sources.
  {
    auto sc = estimator::default_config();
    sc.pes.resize(1);
    sc.clock_hz = 1e9;
    estimator::Estimator exact(sc);
    sc.cycles = "scalesim";
    estimator::Estimator scalesim(sc);
    const auto re = exact.estimate(small_trace(), sc.pes[0]), rs = scalesim.estimate(small_trace(), sc.pes[0]);
    EXPECT_GT(rs.cycles, re.cycles);
    EXPECT_NE(rs.sources[0].find("SCALE-Sim"), std::string::npos) << rs.sources[0];
    EXPECT_EQ(estimator::parse_config(estimator::to_yaml(sc), "acc.yaml").cycles, "scalesim");
  }
  // The mapping: an objective, or a fixed nest, read and written back.
  const auto e = estimator::parse_config("mapping: {objective: edp}\n", "acc.yaml");
  EXPECT_EQ(e.objective, mapper::Objective::Edp);
  EXPECT_FALSE(e.fixed_mapping);
  auto eb = estimator::parse_config(estimator::to_yaml(e), "acc.yaml");
  eb.dram_source = e.dram_source;  // to_yaml states the source explicitly
  EXPECT_EQ(eb, e);
  const auto f = estimator::parse_config("mapping: {fixed: {rows: n, order: knm, tile: {m: 64, k: 256}}}\n", "acc.yaml");
  EXPECT_TRUE(f.fixed_mapping);
  EXPECT_EQ(f.mapping, (mapper::LoopNest{mapper::Dim::N, {mapper::Dim::K, mapper::Dim::N, mapper::Dim::M}, 64, 0, 256}));
  auto fb = estimator::parse_config(estimator::to_yaml(f), "acc.yaml");
  fb.dram_source = f.dram_source;
  EXPECT_EQ(fb, f);
}

TEST(EstimatorConfig, MalformedConfigsGiveOneLineErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"array: {rows: 0}", "acc.yaml: field 'array.rows' must be in [1, 4096] (got 0)"},
      {"array: {rows: 2.5}", "acc.yaml: field 'array.rows' must be an integer (got 2.5)"},
      {"mapping: {fixed: {rows: k}}", "acc.yaml: field 'mapping.fixed.rows' must be m or n (got 'k')"},
      {"mapping: {fixed: {tile: {m: 2.5}}}", "acc.yaml: field 'mapping.fixed.tile.m' must be an integer (got 2.5)"},
      {"mapping: {objective: edp, fixed: {}}", "acc.yaml: give either 'mapping.objective' (searched) or 'mapping.fixed', not both"},
      {"mapping: {tiles: 1}", "acc.yaml: unknown field 'mapping.tiles' (allowed: fixed, objective)"},
      {"array: {cycles: fast}", "acc.yaml: field 'array.cycles' must be exact or scalesim (got 'fast')"},
      {"array: {dataflow: dot, cycles: scalesim}",
       "acc.yaml: field 'array.cycles': scalesim counts systolic arrays (os, ws, is), not a dot-product tile "
       "(array.dataflow is 'dot')"},
      {"array: {dataflow: rs}", "acc.yaml: field 'array.dataflow' must be os, ws, is or dot (got 'rs')"},
      {"array: {dataflow: ws}\nmapping: {fixed: {rows: m}}",
       "acc.yaml: field 'mapping.fixed.rows' must be k on a ws array (K runs down its rows; got 'm')"},
      {"array: {dataflow: os}\nmapping: {fixed: {rows: k}}", "acc.yaml: field 'mapping.fixed.rows' must be m or n (got 'k')"},
      {"array: {idle_gating: maybe}", "acc.yaml: field 'array.idle_gating' must be true or false (got 'maybe')"},
      {"arrray: {}", "acc.yaml: unknown field 'arrray'"},
      {"node: 3", "acc.yaml: field 'node': unknown node '3'"},
      {"pe: {name: tpu}", "acc.yaml: pe 'tpu': no cycle-level model for PE 'tpu'"},
      {"pe: {name: mixpe, params: {w: int5}}", "acc.yaml: pe 'mixpe': "},
      {"version: 2", "acc.yaml: unsupported version 2"},
      {"dram: {pj_per_bit: x}", "acc.yaml: field 'dram.pj_per_bit' must be a number"},
      {"array: {rows: [1", "acc.yaml:1:"},
      {"", "acc.yaml: the config is empty"},
      {"hello", "acc.yaml: expected a mapping of fields at the top level"},
      {"name: a\nname: b\n", "acc.yaml:2:1: duplicate key 'name'"},
      {"array: {rows: 4, rows: 8}", "acc.yaml:1:18: duplicate key 'rows'"},
      {std::string("\xff\xfen\0a\0m\0e\0", 10), "acc.yaml: not UTF-8 text (a UTF-16/32 byte-order mark"},
      {std::string("name: \0x", 8), "acc.yaml: not UTF-8 text (a NUL byte at offset 6"},
      {"{[1, 2]: 3}", "acc.yaml:1:2: a mapping key is empty or not a plain name"},
      {"name: \"a\\nb\"\nbogus\n: 1", "acc.yaml:"},
  };
  for (const auto& [yaml, want] : cases) {
    const std::string e = config_error(yaml);
    EXPECT_EQ(e.rfind(want, 0), 0u) << yaml << " -> " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
}

TEST(EstimatorMapping, InvalidCombinationsSayWhatIsAllowed) {
  traces::Op op;
  op.name = "x";
  op.kind = traces::OpKind::Gemm;
  op.m = 1;
  op.n = 64;
  op.k = 128;
  op.weight_format = "e4m3", op.activation_format = "int8", op.output_format = "bf16";
  auto err = [&](const PeChoice& pe) {
    try {
      estimator::map_op(pe, op);
    } catch (const estimator::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err({"lut_tensor_core", {}, "lut_tensor_core"}),
            "lut_tensor_core: weights must be int1..int4 (int5..int8 are bit-sliced into 4-bit passes) (trace op 'x' "
            "asks for e4m3)");
  EXPECT_EQ(err({"int_mac", {}, "int_mac"}), "int_mac: weights must be integer formats int2..int16 (trace op 'x' asks for e4m3)");
  EXPECT_EQ(err({"mixpe", {}, "mixpe"}), "mixpe: weights must be int2..int8 (trace op 'x' asks for e4m3)");
  EXPECT_EQ(err({"fp8_mac", {}, "fp8_mac"}), "");  // converted on load
  op.weight_format = "int8";
  const auto m = estimator::map_op({"lut_tensor_core", {{"w", "int4"}}, "lut"}, op);
  EXPECT_EQ(m.passes, 2);
  EXPECT_EQ(m.proxy_pe, "int_mac");
  op.weight_format = "int4", op.group = 128;
  const auto b = estimator::map_op({"int_mac", {}, "int_mac"}, op);
  EXPECT_TRUE(b.dequant_on_load);
  EXPECT_EQ(b.passes, 1);
}

// The rules come from the PE registry (models/pe/workload_plan.hpp): a PE without one is
// refused by name, whatever the op asks.
TEST(EstimatorMapping, PlansComeFromTheRegistry) {
  pe::OperandRequest q;
  q.op = "x";
  q.w = pe::format_facts("int4"), q.a = pe::format_facts("int8"), q.k = 256;
  EXPECT_THROW(
      {
        try {
          pe::plan_operands("tensor_core", {}, q);
        } catch (const pe::PeError& e) {
          EXPECT_STREQ(e.what(), "tensor_core: declares no operand plan, so it cannot run workload ops");
          throw;
        }
      },
      pe::PeError);
  EXPECT_THROW(pe::plan_operands("no_such_pe", {}, q), pe::PeError);
  const auto m = pe::plan_operands("mixpe", {{"w", "int4"}}, q);
  EXPECT_EQ(m.params.at("group"), "256");  // one scale over K
  EXPECT_EQ(m.params.at("a"), "int8");
  q.w = pe::format_facts("int3");
  EXPECT_EQ(pe::plan_operands("mixpe", {}, q).params.at("w"), "int3");
  q.w = pe::format_facts("int6");
  EXPECT_EQ(pe::plan_operands("mixpe", {{"w", "int4"}}, q).passes, 2);
}

}  // namespace

// Issue #11's validation, on the default config (32x32 os, 256/512/128 KB, 64 GB/s, each PE
// at its fmax). A 2,048-token LLaMA-2-7B prefill: with the mapper's tiles every large GEMM
// (M = 2048, N and K >= 4096) is compute-bound at >= 80 % utilization, for every PE.
TEST(EstimatorValidation, PrefillLargeGemmsAreComputeBoundAtHighUtilization) {
  const auto c = estimator::default_config();
  estimator::Estimator est(c);
  traces::GenOptions o;
  o.phase = "prefill", o.seq = 2048, o.w = "int4", o.a = "int8", o.group = 128;
  const auto t = traces::generate("llama2-7b", o);
  for (const auto& pe : c.pes) {
    const auto r = est.estimate(t, pe);
    int large = 0;
    for (const auto& op : r.ops) {
      if (op.kind == "elementwise" || op.gemm.m < 2048 || op.gemm.n < 4096 || op.gemm.k < 4096) continue;
      ++large;
      EXPECT_EQ(op.bound, "compute") << pe.label << " " << op.name << " " << op.mapping;
      EXPECT_GE(op.utilization, 0.8) << pe.label << " " << op.name;
    }
    EXPECT_EQ(large, 7) << pe.label;  // q, k, v, o, gate, up, down
  }
}

// The decode step (batch 1): every projection is a GEMV, M = 1. An edge-fed array takes at
// most C weight words per cycle on its top edge (or R on its left edge, transposed): PE (i, j)
// multiplies the word of row i by the word of column j, so R x C distinct weights per cycle
// would need a port per PE. With no weight reuse at M = 1, each GEMV takes K*N / (C * lanes)
// cycles whatever the nest, and the step stays compute-bound (weight-ingest-bound) on this
// array: the "memory-bound within 10 % of bytes / bandwidth" needs R*C*lanes weights
// per cycle, which no dataflow of this array can feed (docs/estimator.md#the-default-job).
TEST(EstimatorValidation, DecodeGemvsAreBoundByTheArrayEdge) {
  const auto c = estimator::default_config();
  estimator::Estimator est(c);
  const auto t = estimator::default_trace();
  for (const auto& pe : c.pes) {
    const auto r = est.estimate(t, pe);
    double weight_bytes = 0;
    for (const auto& op : r.ops) {
      if (op.kind == "elementwise") continue;
      weight_bytes += op.traffic.dram_w;
      if (op.gemm.m != 1 || op.gemm.batch != 1) continue;  // attention: per-head GEMVs, batch > 1
      const uint64_t lat = uint64_t(c.rows + c.cols - 2) + uint64_t(cycle::make_pe_cycle(pe.name, pe.params)->stages()) + 1;
      const uint64_t edge = (op.gemm.n + uint64_t(c.cols) - 1) / uint64_t(c.cols) * op.kw;
      EXPECT_EQ(op.cycles, (edge + lat - 1) * op.instances) << pe.label << " " << op.name << " " << op.mapping;
      EXPECT_EQ(op.traffic.w_rereads, 1) << pe.label << " " << op.name;
      EXPECT_LE(op.utilization, 1.0 / c.rows + 1e-9);
    }
    EXPECT_EQ(r.bound, "compute") << pe.label;
    // Time is at least the DRAM time of the weights (and KV cache), and compute-bound above it.
    EXPECT_GE(r.time_s, weight_bytes / (c.dram_gbps * 1e9)) << pe.label;
  }
}
