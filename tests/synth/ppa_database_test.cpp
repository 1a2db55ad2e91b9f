// The PPA database (sim/synth/ppa_database) and PE costs from synthesis (sim/synth/synth_cost,
// the estimator's `cost: synth:LIB`): a result is synthesized once and reused; the key follows
// every input (RTL content, parameters, library, clock); a failed synthesis stores nothing;
// concurrent writers lose no entry; malformed or foreign databases are refused; the cost
// model built from a result reproduces OpenSTA's numbers at the synthesis's own activity.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <fmt/format.h>

#include "sim/estimator/estimator.hpp"
#include "sim/synth/ppa_database.hpp"
#include "sim/synth/synth_cost.hpp"
#include "traces/generators.hpp"

namespace arithsim {
namespace {
namespace fs = std::filesystem;

const std::string kSky130 = std::string(ARITHSIM_PDK_DIR) + "/sky130hd_tt.lib.gz";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class PpaDb : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) /
           fmt::format("arithsim_ppa_{}_{}", testing::UnitTest::GetInstance()->current_test_info()->name(), ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

synth::LibertyFlow sky130() {
  synth::LibertyFlow f;
  f.liberty = {kSky130};
  return f;
}

TEST_F(PpaDb, SynthesizesOnceThenReuses) {
  const synth::PpaDatabase db(dir_ / "db.json");
  EXPECT_EQ(db.size(), 0u);  // a missing file is an empty database
  bool hit = true;
  const auto a = synth::cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, sky130(), &hit);
  EXPECT_FALSE(hit);
  EXPECT_EQ(db.size(), 1u);
  const auto b = synth::cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, sky130(), &hit);
  EXPECT_TRUE(hit);
  EXPECT_EQ(b.area_um2, a.area_um2);
  EXPECT_EQ(b.critical_s, a.critical_s);
  EXPECT_EQ(b.energy_per_cycle_pj, a.energy_per_cycle_pj);
  EXPECT_EQ(b.cells, a.cells);
  EXPECT_EQ(b.port_activity, a.port_activity);
  EXPECT_EQ(b.sequential_w, a.sequential_w);
  EXPECT_EQ(b.date, a.date);
  EXPECT_EQ(b.yosys_version, a.yosys_version);
  EXPECT_NE(a.yosys_version.find("Yosys"), std::string::npos);
  EXPECT_NE(a.sta_version.find("OpenSTA"), std::string::npos);
  EXPECT_EQ(a.date.size(), 10u);
  EXPECT_GT(a.sequential_w, 0);
  EXPECT_GT(a.combinational_w, 0);
  // The groups add up to OpenSTA's total.
  EXPECT_NEAR(a.sequential_w + a.combinational_w, a.internal_w + a.switching_w + a.leakage_w,
              1e-6 * (a.internal_w + a.switching_w));
  EXPECT_GE(a.slack_s, -1e-15);  // powered at its own fmax: met
  // The critical path's end registers by their RTL names.
  EXPECT_NE(a.startpoint.find(" = register "), std::string::npos) << a.startpoint;
  EXPECT_NE(a.endpoint.find(" = register "), std::string::npos) << a.endpoint;
}

TEST_F(PpaDb, TheKeyFollowsEveryInput) {
  const std::string rtl = ARITHSIM_RTL_DIR;
  const std::string k = synth::ppa_key("int_mac", {}, rtl, {}, sky130());
  EXPECT_EQ(k.size(), 16u);
  EXPECT_EQ(synth::ppa_key("int_mac", {}, rtl, {}, sky130()), k);
  EXPECT_NE(synth::ppa_key("int_mac", {{"acc_bits", "24"}}, rtl, {}, sky130()), k);
  EXPECT_NE(synth::ppa_key("int_mac", {{"stages", "2"}}, rtl, {}, sky130()), k);
  EXPECT_NE(synth::ppa_key("int_mac", {}, rtl, {2, 2, "os"}, sky130()), k);
  auto clocked = sky130();
  clocked.clock_s = 10e-9;
  EXPECT_NE(synth::ppa_key("int_mac", {}, rtl, {}, clocked), k);
  auto active = sky130();
  active.input_activity = 0.1;
  EXPECT_NE(synth::ppa_key("int_mac", {}, rtl, {}, active), k);
  // A copy of the RTL is the same design; one changed byte in a file it reads is not.
  const fs::path copy = dir_ / "rtl";
  fs::copy(rtl, copy, fs::copy_options::recursive);
  EXPECT_EQ(synth::ppa_key("int_mac", {}, copy.string(), {}, sky130()), k);
  std::ofstream(copy / "int_mac.sv", std::ios::app) << "// changed\n";
  EXPECT_NE(synth::ppa_key("int_mac", {}, copy.string(), {}, sky130()), k);
  fs::copy(rtl + "/int_mac.sv", copy / "int_mac.sv", fs::copy_options::overwrite_existing);
  std::ofstream(copy / "common" / fs::directory_iterator(copy / "common")->path().filename(), std::ios::app) << "\n";
  EXPECT_NE(synth::ppa_key("int_mac", {}, copy.string(), {}, sky130()), k);
  // Another library file (same name, other content) is another key.
  const fs::path lib = dir_ / "sky130hd_tt.lib.gz";
  fs::copy(kSky130, lib);
  auto other = sky130();
  other.liberty = {lib.string()};
  EXPECT_EQ(synth::ppa_key("int_mac", {}, rtl, {}, other), k);
  std::ofstream(lib, std::ios::app) << '\0';
  EXPECT_NE(synth::ppa_key("int_mac", {}, rtl, {}, other), k);
}

TEST_F(PpaDb, AFailedSynthesisStoresNothing) {
  const fs::path file = dir_ / "db.json";
  const synth::PpaDatabase db(file);
  synth::cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, sky130());
  const std::string before = slurp(file);
  const fs::path bad = dir_ / "bad.lib";
  std::ofstream(bad) << "library (broken) { cell (X) { area : 1; \n";  // cut short
  synth::LibertyFlow f;
  f.liberty = {bad.string()};
  EXPECT_THROW(synth::cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, f), std::runtime_error);
  EXPECT_EQ(slurp(file), before);
  EXPECT_EQ(db.size(), 1u);
}

TEST_F(PpaDb, ConcurrentWritersLoseNoEntry) {
  const synth::PpaDatabase db(dir_ / "sub" / "db.json");  // its folder is created
  synth::PpaResult r;
  r.module = "x";
  r.area_um2 = 1, r.critical_s = 1e-9, r.clock_hz = 1e9;
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        synth::PpaResult mine = r;
        mine.area_um2 = t * 10 + i + 1;
        db.store(fmt::format("key{}_{}", t, i), mine);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(db.size(), 40u);
  ASSERT_TRUE(db.find("key7_4").has_value());
  EXPECT_EQ(db.find("key7_4")->area_um2, 75);
  EXPECT_FALSE(db.find("key8_0").has_value());
}

TEST_F(PpaDb, MalformedAndForeignDatabasesAreRefused) {
  auto refused = [&](const std::string& text, const std::string& needle) {
    const fs::path f = dir_ / "x.json";
    std::ofstream(f) << text;
    const synth::PpaDatabase db(f);
    try {
      db.find("k");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(f.string()), std::string::npos) << e.what();
    }
    synth::PpaResult r;
    r.area_um2 = r.critical_s = r.clock_hz = 1;
    EXPECT_THROW(db.store("k", r), std::runtime_error);  // never overwritten
    EXPECT_EQ(slurp(f), text);
  };
  refused("{ not json", "malformed JSON");
  refused(R"({"format": "other", "version": 1, "entries": {}})", "not a PPA database");
  refused(R"({"format": "arithsim-ppa", "version": 2, "entries": {}})", "version 2, this arithsim reads version 1");
  refused(R"({"format": "arithsim-ppa", "version": 1})", "entries");
  const fs::path f = dir_ / "entry.json";
  std::ofstream(f) << R"({"format": "arithsim-ppa", "version": 1, "entries": {"k": {"module": "x"}}})";
  EXPECT_THROW(synth::PpaDatabase(f).find("k"), std::runtime_error);
}

TEST(PpaLibraries, NamedAndUserLibraries) {
  const auto s = synth::resolve_cell_library("sky130", ARITHSIM_PDK_DIR, "28");
  EXPECT_EQ(s.node, "130");
  ASSERT_EQ(s.liberty.size(), 1u);
  const auto a = synth::resolve_cell_library("asap7", ARITHSIM_PDK_DIR, "28");
  EXPECT_EQ(a.node, "7");
  EXPECT_EQ(a.liberty.size(), 5u);
  const auto u = synth::resolve_cell_library(kSky130 + "," + kSky130, ARITHSIM_PDK_DIR, "28");
  EXPECT_EQ(u.node, "28");  // a user's library: the config's node
  EXPECT_EQ(u.liberty.size(), 2u);
  EXPECT_THROW(synth::resolve_cell_library("sky130", "/nonexistent", "28"), std::invalid_argument);
  EXPECT_THROW(synth::resolve_cell_library("none.lib", ARITHSIM_PDK_DIR, "28"), std::invalid_argument);
  EXPECT_THROW(synth::resolve_cell_library("", ARITHSIM_PDK_DIR, "28"), std::invalid_argument);
}

// The cost built from a synthesis gives back OpenSTA's power at the activity it was powered
// at, the netlist's area and OpenSTA's critical path; at zero activity only the flip-flops'
// clock share remains.
TEST_F(PpaDb, SynthesizedCostReproducesOpenSta) {
  const synth::PpaDatabase db(dir_ / "db.json");
  const auto r = synth::cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, sky130());
  const auto lib = cost::ComponentLibrary::builtin();
  const auto& node = lib.technology().node(std::string_view("130"));
  const cost::PeCost c = synth::synthesized_pe_cost(lib, "int_mac", {}, node, r, "sky130");
  EXPECT_DOUBLE_EQ(c.area_um2, r.area_um2);
  EXPECT_DOUBLE_EQ(c.clock_ps, r.critical_s * 1e12);
  EXPECT_NEAR(c.leakage_uw, r.leakage_w * 1e6, 1e-12);
  EXPECT_FALSE(c.synthesized.empty());
  cost::ActivityFactors at;
  at.input = at.acc = r.input_activity;
  const auto e = cost::evaluate(c, at, r.clock_hz);
  EXPECT_NEAR(e.total_pj, r.energy_per_cycle_pj, 1e-6 * r.energy_per_cycle_pj);  // report_power prints 9 digits
  cost::ActivityFactors idle;
  idle.input = idle.acc = 0;
  const auto e0 = cost::evaluate(c, idle, r.clock_hz);
  EXPECT_GT(e0.dynamic_pj, 0);
  EXPECT_LT(e0.dynamic_pj, r.sequential_w / r.clock_hz * 1e12);
}

// Node scaling between the two libraries against the technology factors (docs/cost.md §
// node scaling): the bands the docs state, on the INT8 MAC.
TEST_F(PpaDb, NodeScalingAgainstTheTwoLibraries) {
  const synth::PpaDatabase db(dir_ / "db.json");
  synth::LibertyFlow a7;
  a7.liberty = synth::resolve_cell_library("asap7", ARITHSIM_PDK_DIR, "28").liberty;
  const auto s = synth::cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, sky130());
  const auto a = synth::cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, a7);
  const auto tech = cost::Technology::builtin();
  const auto &n130 = tech.node(std::string_view("130")), &n7 = tech.node(std::string_view("7"));
  const double delay = (s.critical_s / a.critical_s) / (n130.delay / n7.delay);
  const double area = (n130.area / n7.area) / (s.area_um2 / a.area_um2);
  const double energy = (n130.energy / n7.energy) / (s.energy_per_cycle_pj / a.energy_per_cycle_pj);
  EXPECT_GT(delay, 0.75);
  EXPECT_LT(delay, 1.25);
  EXPECT_GT(area, 1.2);
  EXPECT_LT(area, 2.0);
  EXPECT_GT(energy, 4);
  EXPECT_LT(energy, 12);
}

// `cost: synth:sky130` in the estimator: the array's PEs are the synthesized PE, the clock is
// at most its OpenSTA fmax, the node the library's, and the sources say where it came from.
TEST_F(PpaDb, EstimatorPricesThePeFromSynthesis) {
  estimator::AcceleratorConfig c;
  c.rows = c.cols = 8;
  c.pes = {{"int_mac", {{"a", "int8"}, {"w", "int8"}}, "int_mac"}};
  c.cost = "synth:sky130";
  ::setenv("ARITHSIM_PDK", ARITHSIM_PDK_DIR, 1);
  estimator::Estimator est(c);
  est.set_ppa_database(dir_ / "db.json");
  traces::GenOptions g;
  g.phase = "decode", g.kv = 256, g.w = "int8";
  const auto trace = traces::generate("llama2-7b", g);
  const auto r = est.estimate(trace, c.pes[0]);
  const auto ppa = synth::PpaDatabase(dir_ / "db.json");
  ASSERT_EQ(ppa.size(), 1u);
  const auto entry = synth::cached_ppa(ppa, "int_mac", {{"a", "int8"}, {"w", "int8"}}, ARITHSIM_RTL_DIR, {}, sky130());
  EXPECT_LE(r.clock_hz, entry.fmax_hz * (1 + 1e-12));
  EXPECT_EQ(r.config.node, "130");
  EXPECT_GT(r.area_array_um2, 64 * entry.area_um2);  // + the interconnect
  EXPECT_LT(r.area_array_um2, 64 * entry.area_um2 * 2);
  bool named = false;
  for (const auto& s : r.sources) named |= s.find("synthesized by Yosys") != std::string::npos && s.find("sky130") != std::string::npos;
  EXPECT_TRUE(named);
  // The analytical estimate at the same node differs (another source), with the same cycles.
  c.cost = "analytical";
  c.node = "130";
  const auto a = estimator::Estimator(c).estimate(trace, c.pes[0]);
  EXPECT_EQ(a.cycles, r.cycles);
  EXPECT_NE(a.area_array_um2, r.area_array_um2);
}

}  // namespace
}  // namespace arithsim
