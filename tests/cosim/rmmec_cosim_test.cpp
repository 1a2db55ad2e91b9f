// Co-simulation of rtl/rmmec.sv (Verilated) against the cycle-level model
// (models/cycle/rmmec_cycle.hpp) through the harness of sim/cosim: every built parameter set
// for >= 10^5 cycles, every port every cycle, every dot product checked against the
// bit-accurate PE model (models/pe/rmmec.cpp); random and corner operands (zeros, +-1,
// +-maxpos, +-minpos, NaR, all ones; FP4 subnormals and +-6), back-pressure, bubbles, resets.
// First the posit rounder (rtl/common/posit_round.sv) Verilated as its own top for posit(8,0),
// posit(16,1) and posit(4,1) against formats::ElementFormat::encode: every exact value, every
// tie (the codes of posit(N+1, ES)) and its neighbours, overflow, underflow, specials, and
// millions of random terms.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <random>
#include <vector>

#include "Vposit_round_p16_1.h"
#include "Vposit_round_p4_1.h"
#include "Vposit_round_p8_0.h"
#include <arithsim/models/cycle/rmmec_cycle.hpp>
#include <arithsim/models/formats/format.hpp>
#include "sim/cosim/cosim.hpp"
#include "tests/cosim/cosim_test_util.hpp"

namespace arithsim {
namespace {

using formats::Unrounded;

// ---- posit_round (SW=64, XW=16) against ElementFormat::encode ----

using Term = cosim_test::ExactTerm;  // as posit_round takes it

// Random term: random leading zeros, often short significands (exact values and ties), the
// msb mostly within [-maxs - 8, maxs + 8] (clamps to minpos/maxpos on both sides), sometimes
// anywhere in the 16-bit exponent range, sometimes a special or a zero.
Term random_term(std::mt19937_64& g, int maxs) {
  Term t;
  t.neg = g() & 1;
  const unsigned r = unsigned(g() % 256);
  if (r == 0) t.kind = Unrounded::Kind::NaN;
  else if (r == 1) t.kind = Unrounded::Kind::Inf;
  if (r <= 1) return t;
  if (r < 5) {
    t.exp = int(int16_t(g()));
    t.sticky = g() & 1;
    return t;  // t_sig == 0: the zero code
  }
  const int width = (g() & 1) ? 1 + int(g() % 64) : 1 + int(g() % 8);  // significand bits
  t.sig = (g() >> (64 - width)) | (uint64_t(1) << (width - 1));
  const int msb = (g() % 16 == 0) ? int(g() % 60000) - 30000 : int(g() % uint64_t(2 * maxs + 17)) - maxs - 8;
  t.exp = msb - (width - 1);
  t.sticky = g() % 4 == 0;
  return t;
}

template <class V>
void check_posit_round(const char* name, size_t n_random) {
  const auto f = formats::ElementFormat::parse(name);
  const auto spec = f.spec();
  const auto& ps = std::get<formats::PositSpec>(spec);
  const int maxs = ps.max_scale();
  // The codes of posit(N+1, ES): the even ones are the codes of posit(N, ES) (exact values),
  // the odd ones the ties between two neighbours.
  const auto wide = formats::ElementFormat::parse(fmt::format("posit({},{})", ps.n + 1, ps.es));
  V m;
  std::mt19937_64 g(31);
  size_t checked = 0;
  auto check = [&](const Term& t) {
    m.t_nan = t.kind == Unrounded::Kind::NaN || t.kind == Unrounded::Kind::Inf;
    m.t_zero = t.kind == Unrounded::Kind::Zero;
    m.t_neg = t.neg;
    m.t_sig = t.sig;
    m.t_exp = uint16_t(int16_t(t.exp));
    m.t_sticky = t.sticky;
    m.eval();
    const uint32_t want = f.encode(t.unrounded());
    ++checked;
    ASSERT_EQ(uint32_t(m.code), want) << name << " neg=" << t.neg << " sig=" << std::hex << t.sig << std::dec
                                      << " exp=" << t.exp << " sticky=" << t.sticky << " kind=" << int(t.kind);
  };
  // Exact values and ties, each also a hair above (sticky) and below (one lower bit less).
  for (uint32_t c = 1; c < (uint32_t(2) << ps.n); ++c) {  // both signs
    const auto d = wide.decode_exact(c);
    if (d.kind != Unrounded::Kind::Finite) continue;
    for (int lz : {0, 7, 63 - int(std::bit_width(d.mant))}) {
      const uint64_t sig = d.mant << lz;
      const int exp = d.exp - lz;
      ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Finite, d.neg, false, sig, exp}));
      ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Finite, d.neg, true, sig, exp}));
      if (lz > 0) {
        ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Finite, d.neg, false, sig - 1, exp}));
        ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Finite, d.neg, true, sig - 1, exp}));
      }
    }
  }
  // Specials, zeros, overflow (at and beyond maxpos, up to the 16-bit exponent's end),
  // underflow (below minpos: never zero).
  for (bool neg : {false, true}) {
    ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::NaN, neg}));
    ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Inf, neg}));
    ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Zero, neg}));
    ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Finite, neg, true, 0, 5}));  // t_sig == 0
    for (int d = -3; d <= 3; ++d)
      for (uint64_t sig : {uint64_t(1), uint64_t(3), ~uint64_t(0), uint64_t(1) << 63, (uint64_t(3) << 62) | 1})
        for (int msb : {maxs, -maxs, -maxs - 1, maxs - 1, maxs + 1, -maxs - 2, 32767, -32768 + 63, 0})
          for (bool st : {false, true}) {
            const int exp = std::clamp(msb + d - (int(std::bit_width(sig)) - 1), -32768, 32767);  // t_exp: 16 bits
            ASSERT_NO_FATAL_FAILURE(check({Unrounded::Kind::Finite, neg, st, sig, exp}));
          }
  }
  for (size_t i = 0; i < n_random; ++i) ASSERT_NO_FATAL_FAILURE(check(random_term(g, maxs)));
  std::printf("posit_round %s: %zu terms checked\n", name, checked);
}

TEST(PositRound, EqualsEncodePosit8_0) { check_posit_round<Vposit_round_p8_0>("posit8_0", 2000000); }
TEST(PositRound, EqualsEncodePosit16_1) { check_posit_round<Vposit_round_p16_1>("posit16_1", 2000000); }
TEST(PositRound, EqualsEncodePosit4_1) { check_posit_round<Vposit_round_p4_1>("posit4_1", 1000000); }

// ---- rmmec: RTL vs cycle model every cycle, results vs the bit-accurate PE model ----

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
    {"posit8_0_out_posit8_0", {{"out", "posit8_0"}}, 6, 3},  // the quire rounded to posit(8,0)
    {"posit16_1_stages2_out_posit16_1", {{"mode", "posit16_1"}, {"stages", "2"}, {"out", "posit16_1"}}, 8, 0},
    {"posit8_0_acc_fp32_out_posit8_0", {{"acc", "fp32"}, {"out", "posit(8,0)"}}, 9, 5},
    {"posit8_0_out_fp16", {{"out", "fp16"}}, 10, 3},  // the quire rounded to fp16
    {"posit16_1_stages2_out_posit8_0", {{"mode", "posit16_1"}, {"stages", "2"}, {"out", "posit8_0"}}, 11, 4},
    {"fp4_out_bf16", {{"mode", "fp4"}, {"out", "bf16"}}, 12, 2},
    {"posit8_0_acc_fp32_out_fp16", {{"acc", "fp32"}, {"out", "fp16"}}, 13, 5},  // fp32 register rounded to fp16
};
std::string case_name(const testing::TestParamInfo<Case>& i) { return i.param.name; }
INSTANTIATE_TEST_SUITE_P(BuiltSets, RmmecCosim, testing::ValuesIn(kCases), case_name);

TEST(RmmecCosimFault, MismatchIsDetectedAndWritesAWaveform) {
  cosim_test::expect_fault_detected(cosim::run_rmmec_cosim, "rmmec", 1000, 257);
}

TEST(RmmecCosimParams, SetsWithoutRtlAreRejectedNamingTheBuiltSets) {
  const auto expect_rejected = cosim_test::rejecter(cosim::run_rmmec_cosim);
  expect_rejected({{"out", "posit16_1"}}, "no RTL built for mode=posit8_0 acc=quire out=posit16_1 stages=1");
  expect_rejected({{"out", "posit16_1"}}, "built: mode=posit8_0 acc=quire out=fp32 stages=1");
  expect_rejected({{"out", "posit16_1"}}, "mode=posit16_1 acc=quire out=posit16_1 stages=2");
  expect_rejected({{"out", "bf16"}}, "no RTL built for mode=posit8_0 acc=quire out=bf16");
  expect_rejected({{"mode", "fp4"}, {"out", "fp4"}}, "no RTL built for mode=fp4 acc=quire out=fp4");
  expect_rejected({{"lanes", "4"}}, "no RTL built for lanes=4");
  expect_rejected({{"mode", "posit16_1"}}, "no RTL built for mode=posit16_1 acc=quire out=fp32 stages=1");
  expect_rejected({{"mode", "posit16_1"}, {"out", "posit16_1"}}, "no RTL built for mode=posit16_1 acc=quire out=posit16_1 stages=1");
  expect_rejected({{"mode", "posit4_1"}, {"out", "posit4_1"}}, "no RTL built for mode=posit4_1 acc=quire out=posit4_1");
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
  EXPECT_EQ(f.at("OUT_POSIT"), "0");
  const auto p = cycle::rmmec_rtl_parameters(
      cycle::rmmec_cycle_params({{"mode", "posit16_1"}, {"stages", "2"}, {"out", "posit(16,1)"}}));
  EXPECT_EQ(p.at("MODE"), "3");
  EXPECT_EQ(p.at("STAGES"), "2");
  EXPECT_EQ(p.at("OUT_POSIT"), "1");
  EXPECT_EQ(cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({{"mode", "posit4_1"}, {"out", "posit4_1"}})).at("OUT_POSIT"),
            "1");
  const auto o16 = cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({{"out", "posit16_1"}}));
  EXPECT_EQ(o16.at("OUT_POSIT"), "1");
  EXPECT_EQ(o16.at("OUT_N"), "16");
  EXPECT_EQ(o16.at("OUT_ES"), "1");
  const auto bf = cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({{"out", "bf16"}}));
  EXPECT_EQ(bf.at("OUT_POSIT"), "0");
  EXPECT_EQ(bf.at("OUT_E"), "8");
  EXPECT_EQ(bf.at("OUT_M"), "7");
  // FP4 (E2M1, no inf/NaN) and integers have no RTL rounder
  EXPECT_THROW(cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({{"mode", "fp4"}, {"out", "fp4"}})),
               std::invalid_argument);
  EXPECT_THROW(cycle::rmmec_rtl_parameters(cycle::rmmec_cycle_params({{"out", "int8"}})), std::invalid_argument);
}

}  // namespace
}  // namespace arithsim
