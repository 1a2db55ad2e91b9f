// L-Mul PE: rtl/lmul_pe.sv (Verilated) against its cycle model every cycle, every dot product
// against the bit-accurate lmul_pe PE model (units::lmul, FP32 accumulation): bf16 hardware,
// e4m3 hardware (2 pipeline registers), bf16 formula; corner operands (zeros of both signs,
// subnormals that flush, max, NaN, inf, all ones), back-pressure, bubbles, resets mid-stream.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "models/cycle/lmul_pe_cycle.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim {
namespace {

TEST(LMulPeCosim, RtlEqualsCycleModelEveryCycle) {
  const std::vector<pe::Params> configs = {
      {}, {{"format", "e4m3"}, {"stages", "2"}}, {{"variant", "formula"}, {"format", "bfloat16"}}};
  uint64_t seed = 9;
  for (size_t i = 0; i < configs.size(); ++i) {
    cosim::CosimOptions o;
    o.cycles = 120000;
    o.seed = seed++;
    o.backpressure = unsigned(2 + i);  // different stall patterns
    const auto r = cosim::run_lmul_pe_cosim(configs[i], o);
    std::printf("lmul_pe config %zu: %llu cycles, %llu results checked\n", i, (unsigned long long)r.cycles,
                (unsigned long long)r.results);
    ASSERT_TRUE(r.pass) << r.mismatch;
    EXPECT_EQ(r.cycles, o.cycles);
    EXPECT_GT(r.results, 2000u);  // dot products checked against the bit-accurate model
  }
}

TEST(LMulPeCosim, NoBackpressureNoBubbles) {
  cosim::CosimOptions o;
  o.cycles = 100000;
  o.seed = 31;
  o.backpressure = 0;
  o.bubbles = 0;
  o.reset_every = 0;
  const auto r = cosim::run_lmul_pe_cosim({{"format", "e4m3"}, {"stages", "2"}}, o);
  ASSERT_TRUE(r.pass) << r.mismatch;
  EXPECT_EQ(r.cycles, o.cycles);
  EXPECT_GT(r.results, 4000u);
}

TEST(LMulPeCosim, InjectedFaultIsDetected) {
  const auto wave = std::filesystem::path(testing::TempDir()) / "lmul_pe_fault.fst";
  std::filesystem::remove(wave);
  cosim::CosimOptions o;
  o.cycles = 1000;
  o.inject_fault_at = 250;
  o.mismatch_wave = wave.string();
  const auto r = cosim::run_lmul_pe_cosim({}, o);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.cycles, 250u);
  EXPECT_NE(r.mismatch.find("cycle 250: port out_valid"), std::string::npos) << r.mismatch;
  EXPECT_TRUE(std::filesystem::exists(wave));
}

void expect_rejected(const pe::Params& p, const std::string& what) {
  try {
    cosim::run_lmul_pe_cosim(p, {});
    ADD_FAILURE() << "accepted: " << what;
  } catch (const pe::PeError& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(LMulPeCosim, ParameterSetsWithoutRtlAreRejected) {
  expect_rejected({{"stages", "3"}}, "no RTL built for format=bf16 variant=hardware acc=fp32 stages=3");
  expect_rejected({{"acc", "bf16"}}, "built: format=bf16 variant=hardware acc=fp32 stages=1");
  expect_rejected({{"format", "e4m3fnuz"}}, "lmul_pe: format=e4m3fnuz has no cycle model/RTL");
  expect_rejected({{"variant", "exact"}}, "variant 'exact'");
  expect_rejected({{"format", "fp16"}}, "lmul_pe");  // 10 mantissa bits: the PE model rejects it
}

TEST(LMulPeCosim, CycleModelRejectsBadParameters) {
  auto msg = [](const pe::Params& p) {
    try {
      cycle::lmul_pe_cycle_params(p);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
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
