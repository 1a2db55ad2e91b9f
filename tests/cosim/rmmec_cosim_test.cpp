// Co-simulation of rtl/rmmec.sv (Verilated) against the cycle-level model
// (models/cycle/rmmec_cycle.hpp) through the harness of sim/cosim: every built parameter set
// for >= 10^5 cycles, every port every cycle, every dot product checked against the
// bit-accurate PE model (models/pe/rmmec.cpp); random and corner operands (zeros, +-1,
// +-maxpos, +-minpos, NaR, all ones; FP4 subnormals and +-6), back-pressure, bubbles, resets.
#include <gtest/gtest.h>

#include <filesystem>

#include "models/cycle/rmmec_cycle.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim {
namespace {

struct Case {
  std::string name;
  pe::Params params;
  uint64_t seed;
  unsigned backpressure;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class RmmecCosim : public testing::TestWithParam<Case> {};

TEST_P(RmmecCosim, RtlEqualsCycleModelEveryCycle) {
  const Case& c = GetParam();
  cosim::CosimOptions o;
  o.cycles = 100000;
  o.seed = c.seed;
  o.backpressure = c.backpressure;
  const auto r = cosim::run_rmmec_cosim(c.params, o);
  ASSERT_TRUE(r.pass) << r.mismatch;
  EXPECT_EQ(r.cycles, o.cycles);
  EXPECT_GT(r.results, 3000u);  // dot products checked against the bit-accurate model
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
  const auto wave = std::filesystem::path(testing::TempDir()) / "rmmec_fault.fst";
  std::filesystem::remove(wave);
  cosim::CosimOptions o;
  o.cycles = 1000;
  o.inject_fault_at = 257;
  o.mismatch_wave = wave.string();
  const auto r = cosim::run_rmmec_cosim({}, o);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.cycles, 257u);
  EXPECT_NE(r.mismatch.find("cycle 257: port out_valid"), std::string::npos) << r.mismatch;
  EXPECT_TRUE(std::filesystem::exists(wave));
}

void expect_rejected(const pe::Params& p, const std::string& what) {
  try {
    (void)cosim::run_rmmec_cosim(p, {});
    ADD_FAILURE() << "accepted " << what;
  } catch (const pe::PeError& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(RmmecCosimParams, SetsWithoutRtlAreRejectedNamingTheBuiltSets) {
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
  auto msg = [](const pe::Params& p) {
    try {
      (void)cycle::rmmec_cycle_params(p);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
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
