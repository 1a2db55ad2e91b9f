// Co-simulation of rtl/int_mac.sv (Verilated) against the cycle-level model through the
// harness of sim/cosim: >= 10^5 cycles per configuration, every port every cycle, random and
// corner operands, back-pressure, input bubbles, resets mid-stream; and the harness's own
// mismatch report and waveform.
#include <gtest/gtest.h>

#include <filesystem>

#include <arithsim/models/cycle/int_mac_cycle.hpp>
#include "sim/cosim/cosim.hpp"

namespace arithsim {
namespace {

TEST(IntMacCosim, RtlEqualsCycleModelEveryCycle) {
  const std::vector<pe::Params> configs = {{}, {{"stages", "3"}}, {{"acc_bits", "16"}, {"saturate", "true"}}};
  uint64_t seed = 1;
  for (const auto& params : configs) {
    cosim::CosimOptions o;
    o.cycles = 120000;
    o.seed = seed;
    o.backpressure = unsigned(2 + seed++);  // different stall patterns
    const auto r = cosim::run_cosim("int_mac", params, o);
    ASSERT_TRUE(r.pass) << r.mismatch;
    EXPECT_EQ(r.cycles, o.cycles);
    EXPECT_GT(r.results, 2000u);  // dot products checked against the bit-accurate model
  }
}

TEST(IntMacCosim, MismatchReportNamesCyclePortInputsAndWritesAWaveform) {
  const auto wave = std::filesystem::path(testing::TempDir()) / "int_mac_fault.fst";
  std::filesystem::remove(wave);
  cosim::CosimOptions o;
  o.cycles = 1000;
  o.inject_fault_at = 321;
  o.mismatch_wave = wave.string();
  const auto r = cosim::run_cosim("int_mac", {}, o);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.cycles, 321u);
  EXPECT_NE(r.mismatch.find("cycle 321: port out_valid"), std::string::npos) << r.mismatch;
  EXPECT_NE(r.mismatch.find("in_a="), std::string::npos) << r.mismatch;
  EXPECT_EQ(r.wave_file, wave.string());
  EXPECT_TRUE(std::filesystem::exists(wave));
  EXPECT_GT(std::filesystem::file_size(wave), 100u);
}

TEST(IntMacCosim, ParameterSetsWithoutRtlAreRejected) {
  EXPECT_THROW(cosim::run_cosim("int_mac", {{"a", "int4"}}, {}), pe::PeError);
  EXPECT_THROW(cosim::run_cosim("no_such_pe", {}, {}), pe::PeError);
}

TEST(IntMacCosim, CycleModelRejectsBadParameters) {
  EXPECT_THROW(cycle::IntMacCycle(cycle::IntMacParams{8, 8, 12, false}), std::invalid_argument);
  EXPECT_THROW(cycle::IntMacCycle(cycle::IntMacParams{1, 8, 32, false}), std::invalid_argument);
  EXPECT_THROW(cycle::IntMacCycle(cycle::IntMacParams{8, 8, 32, false, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace arithsim
