// Co-simulation of rtl/lut_tensor_core.sv (Verilated) against the cycle-level model through
// the harness of sim/cosim (>= 10^5 cycles per built parameter set, every port every cycle,
// random and corner operands and group scales, back-pressure, input bubbles, resets
// mid-stream, every dot product checked against the bit-accurate LUT Tensor Core model); the
// cycle model alone against the PE model where no RTL exists (other k, table and accumulator
// formats); fault detection and parameter errors.
#include <gtest/gtest.h>

#include <random>

#include <arithsim/models/cycle/lut_tensor_core_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"
#include "tests/cosim/cosim_test_util.hpp"

namespace arithsim {
namespace {

using cosim_test::BuiltSetRun;

TEST(LutTensorCoreCosim, RtlEqualsCycleModelEveryCycle) {
  const BuiltSetRun sets[] = {  // different stall patterns
      {"lut_tensor_core default", {}, 21, 3, 4},
      {"lut_tensor_core w=int4 group=64 stages=2", {{"w", "int4"}, {"group", "64"}, {"stages", "2"}}, 22, 4, 5},
      {"lut_tensor_core w=int1 symmetrize=false group=32",
       {{"w", "int1"}, {"symmetrize", "false"}, {"group", "32"}}, 23, 5, 6},
      {"lut_tensor_core a=fp16 table=fp16", {{"a", "fp16"}}, 24, 3, 5},
      {"lut_tensor_core a=fp16 table=fp32 w=int4 group=32 symmetrize=false stages=2",
       {{"a", "fp16"}, {"table", "fp32"}, {"w", "int4"}, {"group", "32"}, {"symmetrize", "false"}, {"stages", "2"}},
       25, 0, 2},
      {"lut_tensor_core acc=fp16 group=32", {{"acc", "fp16"}, {"group", "32"}}, 26, 2, 5},
      {"lut_tensor_core a=fp16 table=bf16 acc=bf16 group=32",
       {{"a", "fp16"}, {"table", "bf16"}, {"acc", "bf16"}, {"group", "32"}}, 27, 3, 4}};
  for (const auto& set : sets)
    ASSERT_NO_FATAL_FAILURE(cosim_test::expect_cosim_passes(cosim::run_lut_tensor_core_cosim, set, 100000, 500));
}

TEST(LutTensorCoreCosim, NoBackpressureNoBubblesOtherSeed) {
  const BuiltSetRun set{"lut_tensor_core default no stalls", {}, 99, 0, 0, 0};
  cosim_test::expect_cosim_passes(cosim::run_lut_tensor_core_cosim, set, 100000, 500);
}

TEST(LutTensorCoreCosim, FaultIsDetected) {
  const auto r = cosim_test::expect_fault_detected(cosim::run_lut_tensor_core_cosim, "lut_tensor_core", 2000, 777);
  EXPECT_NE(r.mismatch.find("in_w="), std::string::npos) << r.mismatch;
}

TEST(LutTensorCoreCosim, ParameterSetsWithoutRtlAreRejected) {
  const auto expect_rejected = cosim_test::rejecter(cosim::run_lut_tensor_core_cosim);
  expect_rejected({{"a", "fp16"}, {"table", "bf16"}}, "no RTL built for a=fp16 table=bf16 w=int2");
  expect_rejected({{"a", "fp16"}, {"k", "2"}}, "no RTL built for a=fp16 table=fp16 w=int2 k=2");
  expect_rejected({{"w", "int3"}}, "no RTL built for a=int8 w=int3 k=4 group=128");
  expect_rejected({{"k", "2"}}, "built: k=4 with a=int8");
  expect_rejected({{"symmetrize", "false"}}, "no RTL built");
  expect_rejected({{"acc", "bf16"}}, "no RTL built for a=int8 w=int2 k=4 group=128 symmetrize=true acc=bf16");
  expect_rejected({{"w", "int8"}}, "lut_tensor_core: w=int8 is not int1..int4");
  expect_rejected({{"group", "30"}}, "lut_tensor_core: group size 30 is not a multiple of k=4");
  expect_rejected({{"stages", "9"}}, "lut_tensor_core: stages must be 1..8");
  expect_rejected({{"zero_point", "false"}}, "lut_tensor_core: unknown parameter 'zero_point'");
}

TEST(LutTensorCoreCosim, CycleModelRejectsBadParameters) {
  cycle::LutTensorCoreCycleParams p;
  p.w_bits = 5;
  EXPECT_THROW(cycle::LutTensorCoreCycle{p}, std::invalid_argument);
  p = {};
  p.group = 30;
  EXPECT_THROW(cycle::LutTensorCoreCycle{p}, std::invalid_argument);
  p = {};
  p.fp16_a = true;
  p.k = 8;  // 8 FP16 codes do not fit the 64-bit in_a
  EXPECT_THROW(cycle::LutTensorCoreCycle{p}, std::invalid_argument);
  p = {};
  p.table = "int8";
  EXPECT_THROW(cycle::LutTensorCoreCycle{p}, std::invalid_argument);
  p = {};
  p.acc = "e4m3";  // a cycle model, no RTL (fn convention)
  EXPECT_NO_THROW(cycle::LutTensorCoreCycle{p});
  EXPECT_THROW(cycle::lut_tensor_core_rtl_parameters(p), std::invalid_argument);
  p.acc = "bf16";
  EXPECT_EQ(cycle::lut_tensor_core_rtl_parameters(p).at("ACC_M"), "7");
  p = {};
  p.fp16_a = true;
  p.table = "e5m2";
  EXPECT_EQ(cycle::lut_tensor_core_rtl_parameters(p).at("TABLE_E"), "5");
  p.table = "e4m3";
  EXPECT_THROW(cycle::lut_tensor_core_rtl_parameters(p), std::invalid_argument);
  p.table = "fp32";
  EXPECT_EQ(cycle::lut_tensor_core_rtl_parameters(p).at("TABLE_E"), "8");
  EXPECT_EQ(cycle::lut_tensor_core_rtl_parameters(p).at("TABLE_M"), "23");
  EXPECT_EQ(cycle::lut_tensor_core_rtl_parameters(p).at("A_BITS"), "16");
  const auto w1 = cycle::lut_tensor_core_cycle_params({{"w", "int1"}});
  EXPECT_EQ(cycle::lut_tensor_core_rtl_parameters(w1).at("W_BITS"), "1");
}

// The cycle model alone (no RTL) against the PE model: back-to-back dot products, k elements
// per cycle, the result checked when it appears.
void model_vs_pe(const pe::Params& params, uint64_t seed, int dots) {
  const auto p = cycle::lut_tensor_core_cycle_params(params);
  const auto ref = cosim::reference_pe("lut_tensor_core", params);
  cycle::LutTensorCoreCycle model(p);
  const auto af = formats::ElementFormat::parse(p.fp16_a ? "float16" : "int8");
  const auto wf = formats::ElementFormat::parse(fmt::format("uint{}", p.w_bits));
  const auto sf = formats::ElementFormat::parse("float16");
  const auto of = formats::ElementFormat::parse("float32");
  const auto accf = formats::ElementFormat::parse(p.acc);
  const auto ac = cosim::corner_codes(af), wc = cosim::corner_codes(wf), sc = cosim::corner_codes(sf);
  const int abits = af.bits();
  const size_t k = size_t(p.k), cycles = size_t(p.group) / k;
  std::mt19937_64 g(seed);
  int checked = 0;
  for (int n = 0; n < dots; ++n) {
    const size_t len = cycles * (1 + g() % 3);  // in cycles
    pe::Operand a, w;
    a.format = &af;
    a.group = len * k;
    a.scales = {1.0};
    w.format = &wf;
    w.group = size_t(p.group);
    uint32_t scale = 0, zero = 0;
    for (size_t c = 0; c < len; ++c) {
      cycle::PeIn in;
      in.in_valid = true;
      in.in_first = c == 0;
      in.in_last = c + 1 == len;
      if (c % cycles == 0) {
        scale = cosim::random_code(g, sf, sc, 16);
        zero = uint32_t(g() & cycle::mask(p.w_bits));
        w.scales.push_back(sf.decode(scale));
        w.zeros.push_back(int32_t(zero));
      }
      for (size_t i = 0; i < k; ++i) {
        const uint32_t ai = cosim::random_code(g, af, ac), wi = cosim::random_code(g, wf, wc);
        in.in_a |= uint64_t(ai) << (size_t(abits) * i);
        in.in_w |= uint64_t(wi) << (size_t(p.w_bits) * i);
        a.codes.push_back(ai);
        w.codes.push_back(wi);
      }
      in.in_scale = scale;
      in.in_zero = zero;
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

TEST(LutTensorCoreCycleModel, Fp16ActivationsEqualThePeModel) {
  model_vs_pe({{"a", "fp16"}}, 5, 60);
  model_vs_pe({{"a", "fp16"}, {"w", "int4"}, {"group", "16"}, {"table", "fp32"}, {"stages", "3"}}, 6, 200);
  model_vs_pe({{"a", "fp16"}, {"w", "int3"}, {"k", "2"}, {"symmetrize", "false"}, {"group", "8"}}, 7, 300);
  model_vs_pe({{"a", "fp16"}, {"w", "int1"}, {"k", "3"}, {"group", "12"}, {"acc", "fp16"}}, 8, 300);
}

TEST(LutTensorCoreCycleModel, Int8ActivationsWithoutRtlEqualThePeModel) {
  model_vs_pe({{"w", "int3"}, {"k", "8"}, {"group", "32"}, {"stages", "4"}}, 9, 300);
  model_vs_pe({{"w", "int4"}, {"k", "1"}, {"group", "8"}, {"acc", "bf16"}}, 10, 300);
  model_vs_pe({{"w", "int2"}, {"k", "5"}, {"symmetrize", "false"}, {"group", "20"}, {"fast", "false"}}, 11, 300);
}

}  // namespace
}  // namespace arithsim
