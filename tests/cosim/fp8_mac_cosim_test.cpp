// FP8 MAC: the shared floating-point blocks (rtl/common/fp_round.sv, fp_acc_add.sv) Verilated
// as their own tops against formats::ElementFormat::encode and units::FloatAccumulator::add
// (fp32, fp16, bf16: random terms over the whole exponent range, ties, overflow, subnormals,
// cancellation, every special; every fp16/bf16 accumulator code against a set of terms), then
// rtl/fp8_mac.sv against its cycle model and the bit-accurate fp8_mac PE model (fused,
// per_product and mode=tree: the adder tree of rtl/common/fp_adder_tree.sv, L lanes per element).
#include <gtest/gtest.h>

#include <bit>
#include <random>

#include "Vfp_acc_add_bf16.h"
#include "Vfp_acc_add_fp16.h"
#include "Vfp_acc_add_fp32.h"
#include "Vfp_round_bf16.h"
#include "Vfp_round_fp16.h"
#include "Vfp_round_fp32.h"
#include <arithsim/models/cycle/fp8_mac_cycle.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include "sim/cosim/cosim.hpp"
#include "tests/cosim/cosim_test_util.hpp"

namespace arithsim {
namespace {

using formats::Unrounded;

using Term = cosim_test::ExactTerm;  // as the FP blocks take it

struct Shape {
  const char* name;
  int e, m;
  int emin() const { return 2 - (1 << (e - 1)); }
  int emax() const { return (1 << (e - 1)) - 1; }
};
constexpr Shape kFp32{"fp32", 8, 23}, kFp16{"fp16", 5, 10}, kBf16{"bf16", 8, 7};

// Random term with `sw` significand bits: random leading zeros, often short significands
// (exact ties), the msb anywhere from below the subnormals to above the overflow threshold,
// sometimes an extreme exponent, sometimes a special.
Term random_term(std::mt19937_64& g, const Shape& s, int sw, bool with_sticky) {
  Term t;
  t.neg = g() & 1;
  const unsigned r = unsigned(g() % 256);
  if (r == 0) t.kind = Unrounded::Kind::NaN;
  else if (r == 1) t.kind = Unrounded::Kind::Inf;
  else if (r < 5) {
    t.sig = 0;  // a zero (t_sig == 0)
    t.exp = int(int16_t(g()));
    return t;
  }
  const uint64_t full = sw == 64 ? g() : g() & ((uint64_t(1) << sw) - 1);
  switch (g() % 4) {
    case 0: t.sig = full; break;
    case 1: t.sig = full >> (g() % sw); break;
    case 2: t.sig = (full & ((uint64_t(1) << (s.m + 2)) - 1)) | 1; break;  // m+2 bits: ties
    default: t.sig = (full & ((uint64_t(1) << (s.m + 2)) - 1)) << (g() % (sw - s.m - 2)); break;
  }
  if (t.sig == 0) t.sig = 1;
  t.sticky = with_sticky && (g() % 4 == 0);
  const int msb = 63 - std::countl_zero(t.sig);
  int e_msb;
  if (g() % 32 == 0) e_msb = int(int16_t(g())) / 2;
  else e_msb = s.emin() - s.m - 4 + int(g() % unsigned(s.emax() - s.emin() + s.m + 8));
  t.exp = std::clamp(e_msb - msb, -32768, 32767);
  return t;
}

// Boundaries: around max (overflow), the normal/subnormal edge, min subnormal, exact ties.
std::vector<Term> corner_terms(const Shape& s) {
  std::vector<Term> v;
  const uint64_t one = 1;
  const std::vector<uint64_t> sigs = {1, 3, 5, (one << (s.m + 1)) - 1, (one << (s.m + 2)) - 1, (one << (s.m + 2)) - 3,
                                      (one << (s.m + 1)) + 1, (one << (s.m + 2)) + 1, (one << (s.m + 3)) - 1};
  for (int e_msb : {s.emax() + 1, s.emax(), s.emax() - 1, s.emin(), s.emin() - 1, s.emin() - s.m, s.emin() - s.m - 1,
                    s.emin() - s.m - 2, 0})
    for (uint64_t sig : sigs)
      for (bool sticky : {false, true})
        for (bool neg : {false, true}) {
          Term t;
          t.neg = neg;
          t.sticky = sticky;
          t.sig = sig;
          t.exp = e_msb - (63 - std::countl_zero(sig));
          v.push_back(t);
        }
  for (bool neg : {false, true}) {
    v.push_back({Unrounded::Kind::NaN, neg});
    v.push_back({Unrounded::Kind::Inf, neg});
    v.push_back({Unrounded::Kind::Zero, neg});
    v.push_back({Unrounded::Kind::Finite, neg, false, 0, 5});  // t_sig == 0
  }
  return v;
}

template <class V>
void drive_term(V& m, const Term& t) {
  m.t_nan = t.kind == Unrounded::Kind::NaN;
  m.t_inf = t.kind == Unrounded::Kind::Inf;
  m.t_zero = t.kind == Unrounded::Kind::Zero;
  m.t_neg = t.neg;
  m.t_sig = t.sig;
  m.t_exp = uint16_t(int16_t(t.exp));
}

template <class V>
void check_round(const Shape& s, size_t n_random) {
  const auto f = formats::ElementFormat::parse(s.name);
  V m;
  std::mt19937_64 g(11);
  auto check = [&](const Term& t) {
    drive_term(m, t);
    m.t_sticky = t.sticky;
    m.eval();
    const uint32_t want = f.encode(t.unrounded());
    ASSERT_EQ(uint32_t(m.code), want) << s.name << " neg=" << t.neg << " sig=" << std::hex << t.sig << std::dec
                                      << " exp=" << t.exp << " sticky=" << t.sticky << " kind=" << int(t.kind);
  };
  for (const auto& t : corner_terms(s)) ASSERT_NO_FATAL_FAILURE(check(t));
  for (size_t i = 0; i < n_random; ++i) ASSERT_NO_FATAL_FAILURE(check(random_term(g, s, 64, true)));
}

template <class V>
void check_acc_add(const Shape& s, size_t n_random, bool exhaustive) {
  const auto f = formats::ElementFormat::parse(s.name);
  units::FloatAccumulator ref(f);
  V m;
  std::mt19937_64 g(23);
  const uint32_t all = uint32_t((uint64_t(1) << (1 + s.e + s.m)) - 1);  // 64-bit: fp32 has 32 bits
  auto check = [&](uint32_t acc, const Term& t) {
    drive_term(m, t);
    m.acc = acc;
    m.eval();
    ref.set(acc);
    ref.add(t.unrounded());
    ASSERT_EQ(uint32_t(m.sum), ref.code()) << s.name << " acc=" << std::hex << acc << " neg=" << t.neg
                                           << " sig=" << t.sig << std::dec << " exp=" << t.exp << " kind=" << int(t.kind);
  };
  // Random: half uniform accumulator codes, half codes near the term's value (cancellation).
  for (size_t i = 0; i < n_random; ++i) {
    const Term t = random_term(g, s, 32, false);
    uint32_t acc = uint32_t(g()) & all;
    if (g() & 1) acc = ((f.encode(t.unrounded()) + uint32_t(g() % 7) - 3) ^ (g() % 3 == 0 ? 0 : (all >> 1) + 1)) & all;
    ASSERT_NO_FATAL_FAILURE(check(acc, t));
  }
  auto corners = corner_terms(s);
  for (auto& t : corners) t.sticky = false;  // fp_acc_add takes exact terms
  for (const auto& t : corners) {
    if (t.sig >= (uint64_t(1) << 32)) continue;
    for (uint32_t acc : {0u, all, (all >> 1) + 1, 1u, all >> 1, f.encode(1.0), f.encode(-1.0), f.encode(t.unrounded()),
                         f.encode(t.unrounded()) ^ ((all >> 1) + 1)})
      ASSERT_NO_FATAL_FAILURE(check(acc & all, t));
  }
  if (!exhaustive) return;
  // Every accumulator code against fixed terms and terms derived from it: its negation
  // (x + (-x) = +0), half an ulp either way (ties), three halves, a far smaller and a larger one.
  std::vector<Term> fixed;
  for (const auto& t : corners)
    if (t.sig < (uint64_t(1) << 32) && (t.kind != Unrounded::Kind::Finite || t.sig == 3 || t.sig == 5)) fixed.push_back(t);
  for (uint32_t acc = 0; acc <= all; ++acc) {
    for (size_t j = 0; j < fixed.size(); j += 3) ASSERT_NO_FATAL_FAILURE(check(acc, fixed[(j + acc) % fixed.size()]));
    const auto d = f.decode_exact(acc);
    if (d.kind != Unrounded::Kind::Finite) continue;
    const int lsb = d.exp;  // d.mant * 2^d.exp, mant < 2^(m+1)
    const int ulp = std::max(lsb, s.emin() - s.m);
    for (const Term& t : {Term{Unrounded::Kind::Finite, !d.neg, false, d.mant, d.exp},
                          Term{Unrounded::Kind::Finite, d.neg, false, 1, ulp - 1},
                          Term{Unrounded::Kind::Finite, !d.neg, false, 1, ulp - 1},
                          Term{Unrounded::Kind::Finite, bool(g() & 1), false, 3, ulp - 1},
                          Term{Unrounded::Kind::Finite, bool(g() & 1), false, uint32_t(g()), ulp - 8 - int(g() % 40)},
                          Term{Unrounded::Kind::Finite, bool(g() & 1), false, uint32_t(g()) >> (g() % 32), lsb + int(g() % 12)}})
      ASSERT_NO_FATAL_FAILURE(check(acc, t));
  }
}

TEST(FpBlocks, RoundEqualsEncodeFp32) { check_round<Vfp_round_fp32>(kFp32, 1000000); }
TEST(FpBlocks, RoundEqualsEncodeFp16) { check_round<Vfp_round_fp16>(kFp16, 1000000); }
TEST(FpBlocks, RoundEqualsEncodeBf16) { check_round<Vfp_round_bf16>(kBf16, 1000000); }
TEST(FpBlocks, AccAddEqualsFloatAccumulatorFp32) { check_acc_add<Vfp_acc_add_fp32>(kFp32, 2000000, false); }
TEST(FpBlocks, AccAddEqualsFloatAccumulatorFp16) { check_acc_add<Vfp_acc_add_fp16>(kFp16, 500000, true); }
TEST(FpBlocks, AccAddEqualsFloatAccumulatorBf16) { check_acc_add<Vfp_acc_add_bf16>(kBf16, 500000, true); }

// ---- fp8_mac: RTL vs cycle model every cycle, results vs the bit-accurate PE model ----

using cosim_test::BuiltSetRun;

TEST(Fp8MacCosim, RtlEqualsCycleModelEveryCycle) {
  const BuiltSetRun sets[] = {  // different stall patterns
      {"fp8_mac default", {}, 5, 4},
      {"fp8_mac e5m2 fp16 per_product stages=2",
       {{"a", "e5m2"}, {"acc", "fp16"}, {"mode", "per_product"}, {"stages", "2"}}, 6, 2},
      {"fp8_mac w=e5m2 bf16 stages=3", {{"w", "float8_e5m2"}, {"acc", "bf16"}, {"stages", "3"}}, 7, 3}};
  for (const auto& set : sets)
    ASSERT_NO_FATAL_FAILURE(cosim_test::expect_cosim_passes(cosim::run_fp8_mac_cosim, set, 120000, 2000));
}

// mode=tree: one element = one adder-tree step of tree_inputs products (the lanes of in_a/in_w).
const pe::Params kTree4 = {{"mode", "tree"}, {"tree_inputs", "4"}, {"align_bits", "27"}};
const pe::Params kTree8 = {{"mode", "tree"},         {"tree_inputs", "8"}, {"align_bits", "16"},
                           {"round_shifted", "true"}, {"a", "e5m2"},        {"acc", "bf16"},
                           {"stages", "2"}};

TEST(Fp8MacCosim, TreeRtlEqualsCycleModelEveryCycle) {
  const BuiltSetRun sets[] = {{"fp8_mac tree 4 lanes align 27 truncate fp32", kTree4, 8, 4},
                              {"fp8_mac tree 8 lanes align 16 round_shifted bf16 stages=2", kTree8, 9, 3},
                              {"fp8_mac tree 4 lanes, no stalls", kTree4, 10, 0, 0}};
  for (const auto& set : sets)
    ASSERT_NO_FATAL_FAILURE(cosim_test::expect_cosim_passes(cosim::run_fp8_mac_cosim, set, 100000, 2000));
}

// The cycle model's tree step against the PE model on hand-made lanes: the window truncates
// (or rounds) a small product next to a large one; the accumulator is the tree's last term.
TEST(Fp8MacCosim, TreeCycleModelMatchesPeModelOnAlignmentCases) {
  for (const auto& [round, want_trunc] : {std::pair{false, true}, std::pair{true, false}}) {
    pe::Params params = {{"mode", "tree"}, {"tree_inputs", "2"}, {"align_bits", "4"},
                         {"round_shifted", round ? "true" : "false"}};
    cycle::Fp8MacCycle m(cycle::fp8_mac_cycle_params(params));
    const auto e4m3 = formats::ElementFormat::parse("e4m3");
    // lane 0: 8 * 1 = 8 (leading bit 2^3: window lsb 2^0); lane 1: 0.75 * 1: 0.75 -> 0 (truncate) or 1 (round)
    cycle::PeIn in;
    in.in_valid = in.in_first = in.in_last = true;
    in.in_a = e4m3.encode(8.0) | (uint64_t(e4m3.encode(0.75)) << 8);
    in.in_w = e4m3.encode(1.0) | (uint64_t(e4m3.encode(1.0)) << 8);
    m.tick(in);
    const auto out = cosim_test::await_result(m);
    ASSERT_TRUE(out.has_value());
    const auto f32 = formats::ElementFormat::parse("fp32");
    EXPECT_EQ(f32.decode(uint32_t(*out)), want_trunc ? 8.0 : 9.0);
    const auto pe = pe::make_pe("fp8_mac", params);
    pe::Operand a, w;
    a.format = w.format = &e4m3;
    a.group = w.group = 2;
    a.scales = w.scales = {1.0};
    a.codes = {uint32_t(e4m3.encode(8.0)), uint32_t(e4m3.encode(0.75))};
    w.codes = {uint32_t(e4m3.encode(1.0)), uint32_t(e4m3.encode(1.0))};
    EXPECT_EQ(pe->dot(a, w), want_trunc ? 8.0 : 9.0);
  }
}

TEST(Fp8MacCosim, NoBackpressureNoBubbles) {
  const BuiltSetRun set{"fp8_mac per_product no stalls",
                        {{"a", "e5m2"}, {"acc", "fp16"}, {"mode", "per_product"}, {"stages", "2"}}, 77, 0, 0};
  cosim_test::expect_cosim_passes(cosim::run_fp8_mac_cosim, set, 100000, 4000);
}

TEST(Fp8MacCosim, InjectedFaultIsDetected) {
  cosim_test::expect_fault_detected(cosim::run_fp8_mac_cosim, "fp8_mac", 1000, 400);
}

TEST(Fp8MacCosim, ParameterSetsWithoutRtlAreRejected) {
  const auto expect_rejected = cosim_test::rejecter(cosim::run_fp8_mac_cosim);
  expect_rejected({{"mode", "tree"}}, "mode=tree with tree_inputs=16 has no cycle model/RTL: at most 8 products");
  expect_rejected({{"mode", "tree"}, {"tree_inputs", "4"}, {"align_bits", "26"}},
                  "no RTL built for a=e4m3 w=e4m3 acc=fp32 mode=tree tree_inputs=4 align_bits=26 round_shifted=false");
  expect_rejected({{"mode", "tree"}, {"tree_inputs", "4"}, {"stages", "2"}},
                  "built: a=e4m3 w=e4m3 acc=fp32 mode=fused stages=1 | ");
  expect_rejected({{"mode", "tree"}, {"tree_inputs", "4"}, {"round_shifted", "true"}},
                  "mode=tree tree_inputs=4 align_bits=27 round_shifted=false stages=1");
  expect_rejected({{"stages", "2"}}, "no RTL built for a=e4m3 w=e4m3 acc=fp32 mode=fused stages=2");
  expect_rejected({{"acc", "fp16"}}, "built: a=e4m3 w=e4m3 acc=fp32 mode=fused stages=1");
  expect_rejected({{"mode", "bogus"}}, "mode 'bogus'");
  expect_rejected({{"a", "int8"}}, "fp8_mac");
}

TEST(Fp8MacCosim, CycleModelRejectsBadParameters) {
  auto msg = [](const pe::Params& p) { return cosim_test::parse_error(cycle::fp8_mac_cycle_params, p); };
  EXPECT_EQ(msg({{"stages", "0"}}), "fp8_mac: stages must be 1..8 pipeline registers, got 0");
  EXPECT_EQ(msg({{"acc", "e4m3"}}).rfind("fp8_mac: acc=e4m3 has no cycle model/RTL", 0), 0u) << msg({{"acc", "e4m3"}});
  EXPECT_EQ(msg({{"a", "bf16"}}).rfind("fp8_mac: a=bf16 has no cycle model/RTL", 0), 0u);
  EXPECT_EQ(msg({{"w", "e4m3fnuz"}}).rfind("fp8_mac: w=e4m3fnuz", 0), 0u) << msg({{"w", "e4m3fnuz"}});
  EXPECT_EQ(msg({{"mode", "tree"}}),
            "fp8_mac: mode=tree with tree_inputs=16 has no cycle model/RTL: at most 8 products per step (one operand "
            "code per 8-bit lane of the 64-bit in_a/in_w ports)");
  EXPECT_EQ(msg({{"mode", "tree"}, {"tree_inputs", "9"}}).rfind("fp8_mac: mode=tree with tree_inputs=9", 0), 0u);
  EXPECT_EQ(msg({{"mode", "tree"}, {"tree_inputs", "8"}}), "accepted");
  EXPECT_EQ(msg({{"mode", "tree"}, {"tree_inputs", "4"}, {"align_bits", "1"}}), "fp8_mac: align_bits must be 2..100, got 1");
  EXPECT_EQ(msg({{"tree_inputs", "x"}}), "fp8_mac: bad value 'x' for tree_inputs");
  EXPECT_EQ(msg({{"round_shifted", "maybe"}}).rfind("fp8_mac: bad value 'maybe' for round_shifted", 0), 0u);
  const auto tree = cycle::fp8_mac_rtl_parameters(cycle::fp8_mac_cycle_params(kTree8));
  EXPECT_EQ(tree.at("TREE_INPUTS"), "8");
  EXPECT_EQ(tree.at("ALIGN_BITS"), "16");
  EXPECT_EQ(tree.at("ROUND_SHIFTED"), "1");
  EXPECT_EQ(cycle::Fp8MacCycle(cycle::fp8_mac_cycle_params(kTree8)).ports().a_bits, 64);
  EXPECT_EQ(msg({{"lanes", "2"}}), "fp8_mac: unknown parameter 'lanes'");
  const auto rtl = cycle::fp8_mac_rtl_parameters(cycle::fp8_mac_cycle_params({{"a", "e5m2"}, {"mode", "per_product"}}));
  EXPECT_EQ(rtl.at("A_E"), "5");
  EXPECT_EQ(rtl.at("A_CONV"), "0");
  EXPECT_EQ(rtl.at("W_CONV"), "1");
  EXPECT_EQ(rtl.at("PER_PRODUCT"), "1");
  EXPECT_EQ(rtl.at("ACC_M"), "23");
  EXPECT_EQ(rtl.at("TREE_INPUTS"), "0");
}

}  // namespace
}  // namespace arithsim
