// L-Mul PE: rtl/lmul_pe.sv (Verilated) against its cycle model every cycle, every dot product
// against the bit-accurate lmul_pe PE model (units::lmul, FP32 accumulation): bf16 hardware,
// e4m3 hardware (2 pipeline registers), bf16 formula; corner operands (zeros of both signs,
// subnormals that flush, max, NaN, inf, all ones), back-pressure, bubbles, resets mid-stream.
#include <gtest/gtest.h>

#include <arithsim/models/cycle/lmul_pe_cycle.hpp>
#include "sim/cosim/cosim.hpp"
#include "tests/cosim/cosim_test_util.hpp"

namespace arithsim {
namespace {

using cosim_test::BuiltSetRun;

TEST(LMulPeCosim, RtlEqualsCycleModelEveryCycle) {
  const BuiltSetRun sets[] = {  // different stall patterns
      {"lmul_pe default", {}, 9, 2},
      {"lmul_pe e4m3 stages=2", {{"format", "e4m3"}, {"stages", "2"}}, 10, 3},
      {"lmul_pe formula bfloat16", {{"variant", "formula"}, {"format", "bfloat16"}}, 11, 4}};
  for (const auto& set : sets)
    ASSERT_NO_FATAL_FAILURE(cosim_test::expect_cosim_passes(cosim::run_lmul_pe_cosim, set, 120000, 2000));
}

TEST(LMulPeCosim, NoBackpressureNoBubbles) {
  const BuiltSetRun set{"lmul_pe e4m3 stages=2 no stalls", {{"format", "e4m3"}, {"stages", "2"}}, 31, 0, 0, 0};
  cosim_test::expect_cosim_passes(cosim::run_lmul_pe_cosim, set, 100000, 4000);
}

TEST(LMulPeCosim, InjectedFaultIsDetected) {
  cosim_test::expect_fault_detected(cosim::run_lmul_pe_cosim, "lmul_pe", 1000, 250);
}

TEST(LMulPeCosim, ParameterSetsWithoutRtlAreRejected) {
  const auto expect_rejected = cosim_test::rejecter(cosim::run_lmul_pe_cosim);
  expect_rejected({{"stages", "3"}}, "no RTL built for format=bf16 variant=hardware acc=fp32 stages=3");
  expect_rejected({{"acc", "bf16"}}, "built: format=bf16 variant=hardware acc=fp32 stages=1");
  expect_rejected({{"format", "e4m3fnuz"}}, "lmul_pe: format=e4m3fnuz has no cycle model/RTL");
  expect_rejected({{"variant", "exact"}}, "variant 'exact'");
  expect_rejected({{"format", "fp16"}}, "lmul_pe");  // 10 mantissa bits: the PE model rejects it
}

TEST(LMulPeCosim, CycleModelRejectsBadParameters) {
  auto msg = [](const pe::Params& p) { return cosim_test::parse_error(cycle::lmul_pe_cycle_params, p); };
  EXPECT_EQ(msg({{"stages", "9"}}), "lmul_pe: stages must be 1..8 pipeline registers, got 9");
  EXPECT_EQ(msg({{"format", "e5m2"}}), "accepted");
  EXPECT_EQ(msg({{"format", "fp4"}}).rfind("lmul_pe: format=fp4 has no cycle model/RTL", 0), 0u);
  EXPECT_EQ(msg({{"acc", "e4m3"}}).rfind("lmul_pe: acc=e4m3 has no cycle model/RTL", 0), 0u);
  EXPECT_EQ(msg({{"variant", "x"}}), "lmul_pe: variant 'x' is not hardware or formula");
  EXPECT_EQ(msg({{"group", "4"}}), "lmul_pe: unknown parameter 'group'");
  const auto rtl = cycle::lmul_pe_rtl_parameters(cycle::lmul_pe_cycle_params({{"format", "e4m3"}, {"variant", "formula"}}));
  EXPECT_EQ(rtl.at("E"), "4");
  EXPECT_EQ(rtl.at("M"), "3");
  EXPECT_EQ(rtl.at("BIAS"), "7");
  EXPECT_EQ(rtl.at("CONV"), "1");
  EXPECT_EQ(rtl.at("VARIANT"), "1");
  EXPECT_EQ(rtl.at("ACC_M"), "23");
}

}  // namespace
}  // namespace arithsim
