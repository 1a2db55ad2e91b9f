// yosys synthesis of the RTL PEs: the flip-flop count equals the registers the RTL declares
// (derived from its widths), bigger parameters cost more cells, errors name the problem.
#include <gtest/gtest.h>

#include <fstream>

#include "sim/synth/yosys_synth.hpp"

namespace arithsim {
namespace {

long int_mac_register_bits(int a, int w, int acc) {
  return (a + w) /*pipe term*/ + 3 /*pipe valid, first, last*/ + acc /*acc*/ + 1 /*out_valid*/ + acc /*out_acc*/;
}

TEST(Synth, IntMacFlopsMatchTheRtlRegisters) {
  const auto d = synth::synthesize("int_mac", {}, ARITHSIM_RTL_DIR);
  EXPECT_EQ(d.flops, int_mac_register_bits(8, 8, 32));
  EXPECT_GT(d.total_cells, d.flops);
  EXPECT_GT(d.nand2_equivalent, 0);
  const auto small = synth::synthesize("int_mac", {{"a", "int4"}, {"w", "int4"}, {"acc_bits", "24"}}, ARITHSIM_RTL_DIR);
  EXPECT_EQ(small.flops, int_mac_register_bits(4, 4, 24));
  EXPECT_LT(small.nand2_equivalent, d.nand2_equivalent);
  EXPECT_EQ(small.rtl_params.at("ACC_BITS"), "24");
  const auto sat = synth::synthesize("int_mac", {{"saturate", "true"}}, ARITHSIM_RTL_DIR);
  EXPECT_GT(sat.total_cells, d.total_cells);  // the clamp logic costs gates
}

// Every PE's RTL synthesizes in its default configuration; a deeper pipeline adds flops.
// (Minutes of yosys on 2 cores: label `long`.)
TEST(SynthLong, EveryPeSynthesizes) {
  for (const char* pe : {"fp8_mac", "lmul_pe", "mixpe", "lut_tensor_core", "rmmec"}) {
    const auto d = synth::synthesize(pe, {}, ARITHSIM_RTL_DIR);
    EXPECT_GT(d.flops, 32) << pe;  // at least the 32-bit result register
    EXPECT_GT(d.total_cells, 500) << pe;
    EXPECT_EQ(d.rtl_params.at("STAGES"), "1") << pe;
  }
  const auto s1 = synth::synthesize("fp8_mac", {}, ARITHSIM_RTL_DIR);
  const auto s3 = synth::synthesize("fp8_mac", {{"stages", "3"}}, ARITHSIM_RTL_DIR);
  EXPECT_GT(s3.flops, s1.flops);
}

// A 2x2 array of INT8 MACs: four cells' registers plus the skew and hop registers.
TEST(Synth, ArrayOfPes) {
  const auto one = synth::synthesize("int_mac", {}, ARITHSIM_RTL_DIR);
  const auto arr = synth::synthesize("int_mac", {}, ARITHSIM_RTL_DIR, {2, 2, "os"});
  EXPECT_EQ(arr.rtl_params.at("R"), "2");
  const auto dot = synth::synthesize("int_mac", {}, ARITHSIM_RTL_DIR, {2, 2, "dot"});
  // Broadcast: no skew or hop registers; the cells' identical flag registers (same inputs)
  // may be merged by yosys, their products and accumulators not.
  EXPECT_LE(dot.flops, 4 * one.flops);
  EXPECT_GE(dot.flops, 4 * (one.flops - 3));
  EXPECT_GT(arr.flops, dot.flops);  // + input skew and hop registers
  // The cells take the PE's parameters: 24-bit accumulators, 4 x (8 + 8) fewer flops.
  const auto acc24 = synth::synthesize("int_mac", {{"acc_bits", "24"}}, ARITHSIM_RTL_DIR, {2, 2, "os"});
  EXPECT_EQ(acc24.rtl_params.at("INT_ACC_BITS"), "24");
  EXPECT_EQ(acc24.rtl_params.at("OUT_BITS"), "24");
  EXPECT_EQ(acc24.flops, arr.flops - 4 * 16);
  EXPECT_THROW(synth::synthesize("int_mac", {}, ARITHSIM_RTL_DIR, {65, 2, "os"}), pe::PeError);
}

// The liberty flow (yosys dfflibmap + abc -liberty, OpenSTA) on the two libraries of
// ../shared/pdk: the same 84 register bits as the RTL declares, areas that add up and agree
// with yosys's own `stat -liberty`, 7 nm far smaller and faster than 130 nm, power that
// follows the clock and the activity.
std::vector<std::string> asap7() {
  std::vector<std::string> v;
  for (const char* f : {"AO_RVT_TT_nldm_211120", "INVBUF_RVT_TT_nldm_220122", "OA_RVT_TT_nldm_211120",
                        "SEQ_RVT_TT_nldm_220123", "SIMPLE_RVT_TT_nldm_211120"})
    v.push_back(std::string(ARITHSIM_PDK_DIR) + "/asap7sc7p5t_" + f + ".lib.gz");
  return v;
}
const std::string kSky130 = std::string(ARITHSIM_PDK_DIR) + "/sky130hd_tt.lib.gz";

TEST(Synth, LibertyCellsAreClassified) {
  const auto sky = synth::read_liberty(kSky130);
  EXPECT_EQ(sky.time_unit_s, 1e-9);
  EXPECT_GT(sky.cells.size(), 300u);
  ASSERT_NE(sky.find("sky130_fd_sc_hd__dfxtp_1"), nullptr);
  EXPECT_EQ(sky.find("sky130_fd_sc_hd__dfxtp_1")->cls, synth::CellClass::Sequential);
  EXPECT_EQ(sky.find("sky130_fd_sc_hd__buf_1")->cls, synth::CellClass::Buffer);
  EXPECT_EQ(sky.find("sky130_fd_sc_hd__inv_1")->cls, synth::CellClass::Buffer);
  EXPECT_EQ(sky.find("sky130_fd_sc_hd__nand2_1")->cls, synth::CellClass::Combinational);
  EXPECT_NEAR(sky.find("sky130_fd_sc_hd__nand2_1")->area, 3.7536, 1e-9);  // 0.46 x 2.72 x 3 tracks
  const auto seq = synth::read_liberty(asap7()[3]);
  EXPECT_EQ(seq.time_unit_s, 1e-12);
  EXPECT_EQ(seq.find("DFFHQNx1_ASAP7_75t_R")->cls, synth::CellClass::Sequential);
  const std::string merged = synth::merged_liberty({sky}, synth::default_dont_use());
  EXPECT_EQ(merged.find("lpflow"), std::string::npos);
  EXPECT_NE(merged.find("sky130_fd_sc_hd__dfxtp_1"), std::string::npos);
}

TEST(Synth, LibertyFlowOnSky130AndAsap7) {
  synth::LibertyFlow sky;
  sky.liberty = {kSky130};
  const auto s = synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, sky);
  EXPECT_EQ(s.flops, int_mac_register_bits(8, 8, 32));
  double classes = 0;
  for (const auto& [c, a] : s.area_by_class_um2) classes += a;
  EXPECT_NEAR(classes, s.area_um2, 1e-9 * s.area_um2);
  EXPECT_NEAR(s.yosys_area_um2, s.area_um2, 1e-6 * s.area_um2);  // our liberty areas = yosys's
  EXPECT_GT(s.area_by_class_um2.at("sequential"), 0.15 * s.area_um2);
  EXPECT_GT(s.fmax_hz, 50e6);
  EXPECT_LT(s.fmax_hz, 1e9);
  EXPECT_DOUBLE_EQ(s.clock_hz, s.fmax_hz);
  EXPECT_GT(s.leakage_w, 0);
  EXPECT_GT(s.energy_per_cycle_pj, 1);
  EXPECT_FALSE(s.startpoint.empty());
  // the ports' activity: random operand codes toggle half their bits, control holds
  EXPECT_NEAR(s.port_activity.at("in_a"), 0.5, 0.02);
  EXPECT_NEAR(s.port_activity.at("in_w"), 0.5, 0.02);
  EXPECT_EQ(s.port_activity.at("in_valid"), 0.0);
  EXPECT_EQ(s.port_activity.at("in_first"), 2.0 / 64);
  EXPECT_EQ(s.port_activity.count("in_scale"), 0u);  // int_mac has no scale port
  EXPECT_GT(s.critical_path.size(), 5u);

  synth::LibertyFlow a7;
  a7.liberty = asap7();
  const auto a = synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, a7);
  EXPECT_EQ(a.flops, s.flops);
  EXPECT_LT(a.area_um2 * 20, s.area_um2);   // 7 nm vs 130 nm
  EXPECT_GT(a.fmax_hz, 3 * s.fmax_hz);
  EXPECT_LT(a.energy_per_cycle_pj * 5, s.energy_per_cycle_pj);

  // Power follows the clock at a fixed activity per cycle (energy per cycle unchanged but for
  // leakage) and grows with the activity.
  auto slow = sky;
  slow.clock_s = 20e-9;
  const auto s20 = synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, slow);
  EXPECT_DOUBLE_EQ(s20.clock_hz, 50e6);
  EXPECT_LT(s20.internal_w + s20.switching_w, s.internal_w + s.switching_w);
  EXPECT_NEAR(s20.energy_per_cycle_pj, s.energy_per_cycle_pj, 0.02 * s.energy_per_cycle_pj);
  slow.input_activity = 0.05;
  const auto quiet = synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, slow);
  EXPECT_LT(quiet.switching_w, s20.switching_w);
  EXPECT_EQ(quiet.area_um2, s20.area_um2);
  // a non-default configuration (yosys names its top $paramod\...; renamed for OpenSTA)
  const auto acc24 = synth::synthesize_ppa("int_mac", {{"acc_bits", "24"}}, ARITHSIM_RTL_DIR, {}, slow);
  EXPECT_EQ(acc24.flops, int_mac_register_bits(8, 8, 24));
  EXPECT_LT(acc24.area_um2, s.area_um2);
}

TEST(Synth, LibertyErrorsNameTheFile) {
  synth::LibertyFlow f;
  f.liberty = {"/nonexistent/x.lib"};
  try {
    synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, f);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/x.lib: no such liberty file");
  }
  f.liberty = {std::string(ARITHSIM_RTL_DIR) + "/int_mac.sv"};  // not a liberty file
  EXPECT_THROW(synth::synthesize_ppa("int_mac", {}, ARITHSIM_RTL_DIR, {}, f), std::runtime_error);
  const std::string not_gzip = ::testing::TempDir() + "/not-gzip.lib.gz";
  std::ofstream(not_gzip) << "library (x) { }\n";
  try {
    synth::read_liberty(not_gzip);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), not_gzip + ": not a readable gzip file");
  }
}

TEST(Synth, ErrorsNameTheProblem) {
  EXPECT_THROW(synth::synthesize("no_such_pe", {}, ARITHSIM_RTL_DIR), pe::PeError);
  EXPECT_THROW(synth::synthesize("mixpe", {{"acc", "e4m3"}}, ARITHSIM_RTL_DIR), pe::PeError);  // no RTL
  EXPECT_THROW(synth::synthesize("int_mac", {{"acc_bits", "x"}}, ARITHSIM_RTL_DIR), pe::PeError);
  EXPECT_THROW(synth::synthesize("int_mac", {}, "/nonexistent"), std::runtime_error);
}

}  // namespace
}  // namespace arithsim
