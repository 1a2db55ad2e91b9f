// Zero-delay simulation of mapped netlists (sim/synth/gate_sim): liberty functions against
// hand-written truth tables; a mapped INT8 MAC on sky130 and ASAP7 computing what its cycle
// model computes on every cycle (the check that makes its per-net activity the PE's); the same
// netlist with one gate changed caught by that check; activities within [0, 1] toggles per
// cycle with the operand inputs' near 1/2; and per-net power below the propagated estimate,
// which counts glitches.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/synth/gate_sim.hpp"
#include "sim/synth/ppa_database.hpp"
#include "sim/synth/tools.hpp"
#include "sim/synth/yosys_synth.hpp"

namespace arithsim {
namespace {
namespace fs = std::filesystem;

TEST(GateSim, LibertyFunctionsOfBothLibraries) {
  auto f = [](const std::string& fn, std::map<std::string, bool> p) { return synth::liberty_function_value(fn, p); };
  // sky130 style (& | !), ASAP7 style (* + !, spaces), juxtaposition, postfix ', xor, constants
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c) {
        const std::map<std::string, bool> p = {{"A", a}, {"B", b}, {"C", c}};
        SCOPED_TRACE(fmt::format("A={} B={} C={}", a, b, c));
        EXPECT_EQ(f("(A&B) | (!A&C)", p), (a && b) || (!a && c));
        EXPECT_EQ(f("(!A * !B) + (!C)", p), (!a && !b) || !c);
        EXPECT_EQ(f("!(A B)", p), !(a && b));
        EXPECT_EQ(f("A' + B C", p), !a || (b && c));  // and binds tighter than or
        EXPECT_EQ(f("A^B^C", p), (a ^ b ^ c) != 0);
        EXPECT_EQ(f("!A^B", p), ((!a) ^ b) != 0);  // ! binds tighter than ^
        EXPECT_EQ(f("A | B & C", p), a || (b && c));
        EXPECT_EQ(f("(A)", p), a != 0);
        EXPECT_EQ(f("1", p), true);
        EXPECT_EQ(f("A&0", p), false);
        EXPECT_EQ(f("(A*B)+(A*C)+(B*C)", p), (a + b + c) >= 2);  // maj3
      }
  EXPECT_THROW(f("A & ", {{"A", 1}}), std::runtime_error);
  EXPECT_THROW(f("(A", {{"A", 1}}), std::runtime_error);
  EXPECT_THROW(f("A & Q", {{"A", 1}}), std::runtime_error);  // unknown pin
}

class GateNetlistTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) /
           fmt::format("arithsim_gate_{}_{}", testing::UnitTest::GetInstance()->current_test_info()->name(), ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // int_mac mapped onto `files` by the flow's own yosys script; the libraries read.
  std::vector<synth::Liberty> map_int_mac(const std::vector<std::string>& files) {
    std::vector<synth::Liberty> libs;
    for (const auto& f : files) libs.push_back(synth::read_liberty(f));
    std::ofstream(dir_ / "merged.lib") << synth::merged_liberty(libs, synth::default_dont_use());
    std::ofstream(dir_ / "s.ys") << synth::yosys_liberty_script("int_mac", {}, ARITHSIM_RTL_DIR, {},
                                                                 (dir_ / "merged.lib").string(),
                                                                 (dir_ / "stat.json").string(),
                                                                 (dir_ / "netlist.v").string());
    synth::run_yosys(dir_ / "s.ys", dir_ / "yosys.log", {dir_ / "netlist.v.json"});
    return libs;
  }
  fs::path dir_;
};

std::vector<std::string> asap7() { return synth::resolve_cell_library("asap7", ARITHSIM_PDK_DIR, "7").liberty; }

TEST_F(GateNetlistTest, MappedNetlistsComputeWhatTheCycleModelComputes) {
  for (const auto& files : {std::vector<std::string>{std::string(ARITHSIM_PDK_DIR) + "/sky130hd_tt.lib.gz"}, asap7()}) {
    SCOPED_TRACE(files[0]);
    const auto libs = map_int_mac(files);
    const auto net = synth::read_gate_netlist((dir_ / "netlist.v.json").string(), "int_mac", libs);
    const synth::GateRun g = synth::netlist_activity("int_mac", {}, net);  // throws on any difference
    EXPECT_EQ(g.lanes, 64u);
    EXPECT_GT(g.cycles, 500u);
    ASSERT_FALSE(g.pin_activity.empty());
    for (const auto& [pin, a] : g.pin_activity) {
      EXPECT_GE(a, 0) << pin;
      EXPECT_LE(a, 1) << pin;  // zero delay: at most one toggle per cycle
    }
    EXPECT_GT(g.mean_activity, 0.01);
    EXPECT_LT(g.mean_activity, 0.6);
  }
}

TEST_F(GateNetlistTest, AChangedGateIsCaught) {
  const auto libs = map_int_mac({std::string(ARITHSIM_PDK_DIR) + "/sky130hd_tt.lib.gz"});
  const fs::path json = dir_ / "netlist.v.json";
  nlohmann::json j = nlohmann::json::parse(std::ifstream(json));
  int changed = 0;
  for (auto& [name, c] : j["modules"]["int_mac"]["cells"].items())
    if (!changed && c["type"] == "sky130_fd_sc_hd__xor2_1") c["type"] = "sky130_fd_sc_hd__xnor2_1", ++changed;
  ASSERT_EQ(changed, 1);
  std::ofstream(dir_ / "broken.json") << j.dump();
  const auto net = synth::read_gate_netlist((dir_ / "broken.json").string(), "int_mac", libs);
  try {
    synth::netlist_activity("int_mac", {}, net);
    ADD_FAILURE() << "a netlist with an xnor for an xor passed the check";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("disagrees with its cycle model at cycle"), std::string::npos) << e.what();
  }
  // Malformed netlists are refused naming the file.
  std::ofstream(dir_ / "junk.json") << "{";
  EXPECT_THROW(synth::read_gate_netlist((dir_ / "junk.json").string(), "int_mac", libs), std::runtime_error);
  EXPECT_THROW(synth::read_gate_netlist(json.string(), "no_such_module", libs), std::runtime_error);
}

// The flow's power with per-net activity against OpenSTA's propagation from the input ports
// on the same netlist: propagation counts glitches, so it is higher; the per-net result says
// how its activity was found.
TEST(GateSimFlow, PerNetActivityIsBelowThePropagatedEstimate) {
  synth::LibertyFlow nets, ports;
  nets.liberty = ports.liberty = {std::string(ARITHSIM_PDK_DIR) + "/sky130hd_tt.lib.gz"};
  ports.net_activity = false;
  const auto a = synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, nets);
  const auto b = synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, ports);
  EXPECT_EQ(a.activity_method, "nets: zero-delay simulation");
  EXPECT_EQ(b.activity_method, "ports: OpenSTA propagation");
  EXPECT_EQ(a.area_um2, b.area_um2);
  EXPECT_EQ(a.critical_s, b.critical_s);
  EXPECT_LT(a.energy_per_cycle_pj, b.energy_per_cycle_pj);
  EXPECT_GT(a.energy_per_cycle_pj, 0.3 * b.energy_per_cycle_pj);
  EXPECT_GT(a.net_activity, 0);
}

}  // namespace
}  // namespace arithsim
