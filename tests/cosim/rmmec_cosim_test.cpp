// Co-simulation of rtl/rmmec.sv (Verilated) against the cycle-level model
// (models/cycle/rmmec_cycle.hpp) through the harness of sim/cosim: every built parameter set
// for >= 10^5 cycles, every port every cycle, every dot product checked against the
// bit-accurate PE model (models/pe/rmmec.cpp); random and corner operands (zeros, +-1,
// +-maxpos, +-minpos, NaR, all ones; FP4 subnormals and +-6), back-pressure, bubbles, resets.
#include <gtest/gtest.h>

#include "models/cycle/rmmec_cycle.hpp"
#include "sim/cosim/cosim.hpp"
#include "tests/cosim/cosim_test_util.hpp"

namespace arithsim {
namespace {

using Case = cosim_test::BuiltSetRun;

class RmmecCosim : public testing::TestWithParam<Case> {};

TEST_P(RmmecCosim, RtlEqualsCycleModelEveryCycle) {
  cosim_test::expect_cosim_passes(cosim::run_rmmec_cosim, GetParam(), 100000, 3000);
}

const Case kCases[] = {
    {"posit8_0_quire", {}, 1, 4},
    {"posit8_0_seed7_no_backpressure", {{"mode", "posit8_0"}, {"lanes", "2"}}, 7, 0},
    {"posit16_1_stages2", {{"mode", "posit16_1"}, {"stages", "2"}}, 2, 3},  // 2 pipeline registers
    {"posit4_1_quire", {{"mode", "posit4_1"}}, 3, 5},
    {"fp4_quire", {{"mode", "fp4"}}, 4, 2},
    {"posit8_0_acc_fp32", {{"acc", "fp32"}}, 5, 4},  // one FP32 rounding per cycle
};
std::string case_name(const testing::TestParamInfo<Case>& i) { return i.param.name; }
INSTANTIATE_TEST_SUITE_P(BuiltSets, RmmecCosim, testing::ValuesIn(kCases), case_name);

TEST(RmmecCosimFault, MismatchIsDetectedAndWritesAWaveform) {
  cosim_test::expect_fault_detected(cosim::run_rmmec_cosim, "rmmec", 1000, 257);
}

TEST(RmmecCosimParams, SetsWithoutRtlAreRejectedNamingTheBuiltSets) {
  const auto expect_rejected = cosim_test::rejecter(cosim::run_rmmec_cosim);
  expect_rejected({{"out", "posit16_1"}}, "no RTL built for out=posit16_1");
  expect_rejected({{"out", "posit16_1"}}, "built: mode=posit8_0 acc=quire stages=1");
  expect_rejected({{"lanes", "4"}}, "no RTL built for lanes=4");
  expect_rejected({{"mode", "posit16_1"}}, "no RTL built for mode=posit16_1 acc=quire stages=1");
  expect_rejected({{"mode", "fp4"}, {"acc", "fp32"}}, "no RTL built for mode=fp4 acc=fp32");
  expect_rejected({{"mode", "posit8_0"}, {"stages", "3"}}, "stages=3");
  expect_rejected({{"mode", "posit32_2"}}, "posit32_2");  // the PE model rejects it
  expect_rejected({{"stages", "0"}}, "stages must be 1..8");
}

TEST(RmmecCycleParams, BadParametersAreRejectedWithOneLineErrors) {
  auto msg = [](const pe::Params& p) { return cosim_test::parse_error(cycle::rmmec_cycle_params, p); };
  EXPECT_EQ(msg({{"mode", "int8"}}), "rmmec: mode must be fp4, posit4_1, posit8_0 or posit16_1, got 'int8'");
  EXPECT_NE(msg({{"mode", "posit16_1"}, {"lanes", "5"}}).find("rmmec: lanes must be"), std::string::npos);
  EXPECT_NE(msg({{"acc", "fp16"}}).find("rmmec: acc must be quire or fp32"), std::string::npos);
  EXPECT_NE(msg({{"stages", "9"}}).find("rmmec: stages must be 1..8"), std::string::npos);
  EXPECT_NE(msg({{"stages", "x"}}).find("rmmec: stages must be an integer"), std::string::npos);
  EXPECT_NE(msg({{"out", "nosuch"}}).find("rmmec: out:"), std::string::npos);
  EXPECT_NE(msg({{"colour", "red"}}).find("rmmec: unknown parameter 'colour'"), std::string::npos);
  EXPECT_EQ(msg({{"mode", "posit16_1"}, {"stages", "2"}, {"fast", "false"}}), "accepted");
}

TEST(RmmecCycleParams, RtlParametersOfTheBuiltSets) {
  const auto d = cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({}));
  EXPECT_EQ(d.at("MODE"), "2");
  EXPECT_EQ(d.at("LANES"), "2");
  EXPECT_EQ(d.at("ACC_FP32"), "0");
  EXPECT_EQ(d.at("STAGES"), "1");
  const auto f = cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({{"mode", "fp4"}, {"acc", "fp32"}}));
  EXPECT_EQ(f.at("MODE"), "0");
  EXPECT_EQ(f.at("LANES"), "4");
  EXPECT_EQ(f.at("ACC_FP32"), "1");
  EXPECT_THROW(cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({{"out", "posit16_1"}})), std::invalid_argument);
}

}  // namespace
}  // namespace arithsim
