// yosys synthesis of the RTL PEs: the flip-flop count equals the registers the RTL declares
// (derived from its widths), bigger parameters cost more cells, errors name the problem.
#include <gtest/gtest.h>

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

TEST(Synth, ErrorsNameTheProblem) {
  EXPECT_THROW(synth::synthesize("no_such_pe", {}, ARITHSIM_RTL_DIR), pe::PeError);
  EXPECT_THROW(synth::synthesize("mixpe", {{"acc", "e4m3"}}, ARITHSIM_RTL_DIR), pe::PeError);  // no RTL
  EXPECT_THROW(synth::synthesize("int_mac", {{"acc_bits", "x"}}, ARITHSIM_RTL_DIR), pe::PeError);
  EXPECT_THROW(synth::synthesize("int_mac", {}, "/nonexistent"), std::runtime_error);
}

}  // namespace
}  // namespace arithsim
