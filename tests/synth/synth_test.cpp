// yosys synthesis of the RTL PEs: the flip-flop count equals the registers the RTL declares
// (derived from its widths), bigger parameters cost more cells, errors name the problem.
#include <gtest/gtest.h>

#include "sim/synth/yosys_synth.hpp"

namespace arithsim {
namespace {

long int_mac_register_bits(int a, int w, int acc) {
  return (a + w) /*m_prod*/ + 3 /*m_valid, m_first, m_last*/ + acc /*acc*/ + 1 /*out_valid*/ + acc /*out_acc*/;
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

TEST(Synth, ErrorsNameTheProblem) {
  EXPECT_THROW(synth::synthesize("mixpe", {}, ARITHSIM_RTL_DIR), pe::PeError);
  EXPECT_THROW(synth::synthesize("int_mac", {{"acc_bits", "x"}}, ARITHSIM_RTL_DIR), pe::PeError);
  EXPECT_THROW(synth::synthesize("int_mac", {}, "/nonexistent"), std::runtime_error);
}

}  // namespace
}  // namespace arithsim
