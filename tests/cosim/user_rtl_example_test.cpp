// The worked example of docs/cosim.md ("Your own RTL"): a user's independently written
// Verilog MAC (rtl/examples/booth_int_mac.sv, radix-4 Booth) checked against arithsim's
// int_mac cycle model and bit-accurate accumulate stage with the same harness, every port
// every cycle; and a deliberately broken variant of it is caught.
#include <gtest/gtest.h>

#include "Vbooth_int_mac.h"
#include "Vbooth_int_mac_bug.h"
#include "sim/cosim/cosim.hpp"

namespace arithsim {
namespace {

TEST(UserRtlExample, BoothMacMatchesTheIntMacModel) {
  cosim::CosimOptions o;
  o.cycles = 100000;
  o.seed = 12;
  const auto r = cosim::run_pe_cosim<Vbooth_int_mac>(cosim::int_mac_cosim_spec(cycle::IntMacParams{}), o);
  ASSERT_TRUE(r.pass) << r.mismatch;
  EXPECT_EQ(r.cycles, o.cycles);
  EXPECT_GT(r.results, 3000u);
}

TEST(UserRtlExample, ABoothRecodingBugIsCaught) {
  // BUG_DIGIT=1 makes the recoding of digit pattern 011 (+2a) produce +a: a wrong product
  // for roughly a third of the weights.
  cosim::CosimOptions o;
  o.cycles = 5000;
  o.mismatch_wave = testing::TempDir() + "/booth_bug.fst";
  const auto r = cosim::run_pe_cosim<Vbooth_int_mac_bug>(cosim::int_mac_cosim_spec(cycle::IntMacParams{}), o);
  EXPECT_FALSE(r.pass);
  EXPECT_NE(r.mismatch.find("port out_acc"), std::string::npos) << r.mismatch;
}

}  // namespace
}  // namespace arithsim
