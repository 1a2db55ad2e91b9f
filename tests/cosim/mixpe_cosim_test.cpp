// Co-simulation of rtl/mixpe.sv (Verilated) against the cycle-level model through the harness
// of sim/cosim (>= 10^5 cycles per built parameter set, every port every cycle, random and
// corner operands and group scales, back-pressure, input bubbles, resets mid-stream, every
// dot product checked against the bit-accurate MixPE model); the cycle model alone against the
// PE model where no RTL is built (other parameter sets, non-IEEE accumulators); fault detection
// and parameter errors.
#include <gtest/gtest.h>

#include <random>

#include <arithsim/models/cycle/mixpe_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"
#include "tests/cosim/cosim_test_util.hpp"

namespace arithsim {
namespace {

using cosim_test::BuiltSetRun;

TEST(MixPeCosim, RtlEqualsCycleModelEveryCycle) {
  const BuiltSetRun sets[] = {  // different stall patterns
      {"mixpe default", {}, 11, 3, 6},
      {"mixpe w=int2 group=32 stages=2", {{"w", "int2"}, {"group", "32"}, {"stages", "2"}}, 12, 4, 3},
      {"mixpe w=int8 zero_point=false group=64", {{"w", "int8"}, {"zero_point", "false"}, {"group", "64"}}, 13, 5, 4},
      {"mixpe a=fp16", {{"a", "fp16"}}, 14, 3, 5},
      {"mixpe a=fp16 w=int8 zero_point=false group=32 stages=2",
       {{"a", "fp16"}, {"w", "int8"}, {"zero_point", "false"}, {"group", "32"}, {"stages", "2"}}, 15, 0, 2},
      {"mixpe acc=fp16 group=32", {{"acc", "fp16"}, {"group", "32"}}, 16, 2, 5},
      {"mixpe a=fp16 acc=bf16 group=32", {{"a", "fp16"}, {"acc", "bf16"}, {"group", "32"}}, 17, 3, 4}};
  for (const auto& set : sets)
    ASSERT_NO_FATAL_FAILURE(cosim_test::expect_cosim_passes(cosim::run_mixpe_cosim, set, 100000, 100));
}

TEST(MixPeCosim, NoBackpressureNoBubblesOtherSeed) {
  const BuiltSetRun set{"mixpe w=int2 no stalls", {{"w", "int2"}, {"group", "32"}, {"stages", "2"}}, 77, 0, 0, 0};
  cosim_test::expect_cosim_passes(cosim::run_mixpe_cosim, set, 100000, 500);
}

TEST(MixPeCosim, FaultIsDetected) {
  const auto r = cosim_test::expect_fault_detected(cosim::run_mixpe_cosim, "mixpe", 2000, 1234);
  EXPECT_NE(r.mismatch.find("in_scale="), std::string::npos) << r.mismatch;
}

TEST(MixPeCosim, ParameterSetsWithoutRtlAreRejected) {
  const auto expect_rejected = cosim_test::rejecter(cosim::run_mixpe_cosim);
  expect_rejected({{"a", "fp16"}, {"group", "64"}}, "no RTL built for a=fp16 w=int4 group=64");
  expect_rejected({{"a", "fp16"}, {"acc", "fp16"}}, "no RTL built for a=fp16 w=int4 group=128 zero_point=true acc=fp16");
  expect_rejected({{"w", "int3"}}, "no RTL built for a=int8 w=int3 group=128");
  expect_rejected({{"group", "64"}}, "built: a=int8 w=int4 group=128");
  expect_rejected({{"stages", "3"}}, "no RTL built");
  expect_rejected({{"acc", "bf16"}}, "no RTL built for a=int8 w=int4 group=128 zero_point=true acc=bf16");
  expect_rejected({{"w", "int5"}}, "mixpe: w=int5 is not int2, int3, int4 or int8");
  expect_rejected({{"stages", "0"}}, "mixpe: stages must be 1..8");
  expect_rejected({{"stages", "x"}}, "mixpe: bad value 'x' for stages");
  expect_rejected({{"lanes", "2"}}, "mixpe: unknown parameter 'lanes'");
}

TEST(MixPeCosim, CycleModelRejectsBadParameters) {
  cycle::MixPeCycleParams p;
  p.w_bits = 5;
  EXPECT_THROW(cycle::MixPeCycle{p}, std::invalid_argument);
  p = {};
  p.group = 0;
  EXPECT_THROW(cycle::MixPeCycle{p}, std::invalid_argument);
  p = {};
  p.acc = "int8";
  EXPECT_THROW(cycle::MixPeCycle{p}, std::invalid_argument);
  p = {};
  p.acc = "e4m3";  // a cycle model, no RTL (fn convention)
  EXPECT_NO_THROW(cycle::MixPeCycle{p});
  EXPECT_THROW(cycle::mixpe_rtl_parameters(p), std::invalid_argument);
  p.acc = "bf16";
  EXPECT_EQ(cycle::mixpe_rtl_parameters(p).at("ACC_E"), "8");
  EXPECT_EQ(cycle::mixpe_rtl_parameters(p).at("ACC_M"), "7");
  p = {};
  p.fp16_a = true;
  EXPECT_EQ(cycle::mixpe_rtl_parameters(p).at("A_FP16"), "1");
  EXPECT_EQ(cycle::mixpe_rtl_parameters(p).at("A_BITS"), "16");
  EXPECT_EQ(cycle::mixpe_rtl_parameters(cycle::mixpe_cycle_params({{"w", "int2"}, {"group", "32"}})).at("W_BITS"), "2");
}

// The cycle model alone (no RTL: FP16 activations, other accumulators) against the PE model:
// back-to-back dot products, one element per cycle, the result checked when it appears.
void model_vs_pe(const pe::Params& params, uint64_t seed, int dots) {
  const auto p = cycle::mixpe_cycle_params(params);
  const auto ref = cosim::reference_pe("mixpe", params);
  cycle::MixPeCycle model(p);
  const auto af = formats::ElementFormat::parse(p.fp16_a ? "float16" : "int8");
  const auto wf = formats::ElementFormat::parse(fmt::format("{}int{}", p.zero_point ? "u" : "", p.w_bits));
  const auto sf = formats::ElementFormat::parse("float16");
  const auto of = formats::ElementFormat::parse("float32");
  const auto accf = formats::ElementFormat::parse(p.acc);
  const auto ac = cosim::corner_codes(af), wc = cosim::corner_codes(wf), sc = cosim::corner_codes(sf);
  std::mt19937_64 g(seed);
  int checked = 0;
  for (int n = 0; n < dots; ++n) {
    const size_t len = size_t(p.group) * (1 + g() % 3);
    pe::Operand a, w;
    a.format = &af;
    a.group = len;
    a.scales = {1.0};
    w.format = &wf;
    w.group = size_t(p.group);
    uint32_t scale = 0, zero = 0;
    for (size_t i = 0; i < len; ++i) {
      cycle::PeIn in;
      in.in_valid = true;
      in.in_first = i == 0;
      in.in_last = i + 1 == len;
      if (i % size_t(p.group) == 0) {
        scale = cosim::random_code(g, sf, sc, 16);
        zero = p.zero_point ? uint32_t(g() & cycle::mask(p.w_bits)) : 0;
        w.scales.push_back(sf.decode(scale));
        w.zeros.push_back(int32_t(zero));
      }
      in.in_a = cosim::random_code(g, af, ac);
      in.in_w = cosim::random_code(g, wf, wc);
      in.in_scale = scale;
      in.in_zero = zero;
      a.codes.push_back(uint32_t(in.in_a));
      w.codes.push_back(uint32_t(in.in_w));
      model.tick(in);
    }
    if (const auto out = cosim_test::await_result(model)) {
      // the PE's output stage with activation scale 1: the accumulator's value in fp32
      EXPECT_EQ(of.encode(accf.decode(uint32_t(*out))), of.encode(ref->dot(a, w))) << "dot " << n;
      ++checked;
    }
  }
  EXPECT_EQ(checked, dots);
}

TEST(MixPeCycleModel, Fp16ActivationsEqualThePeModel) {
  model_vs_pe({{"a", "fp16"}}, 5, 60);
  model_vs_pe({{"a", "fp16"}, {"w", "int8"}, {"zero_point", "false"}, {"group", "16"}, {"stages", "3"}}, 6, 200);
  model_vs_pe({{"a", "fp16"}, {"w", "int3"}, {"group", "8"}}, 7, 300);
}

TEST(MixPeCycleModel, Int8ActivationsWithoutRtlEqualThePeModel) {
  model_vs_pe({{"w", "int3"}, {"group", "16"}, {"stages", "4"}}, 8, 300);
  model_vs_pe({{"acc", "bf16"}, {"group", "32"}}, 9, 200);
  model_vs_pe({{"a", "fp16"}, {"acc", "fp16"}, {"group", "32"}}, 10, 200);
}

}  // namespace
}  // namespace arithsim
