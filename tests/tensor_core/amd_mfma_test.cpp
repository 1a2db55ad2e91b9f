// Directed tests of the AMD CDNA1-3 MFMA presets (and the T4 one) on the hardware vectors
// of Khattak, Mikaitis, Graziani ([KMG], as transcribed in docs/research/amd-matrix-cores.md
// sections 1-5) and the T4 expectations of the Fasi et al. test suite (section 6). Every
// expected value is the published hardware result; the comments derive it from the rule so
// that a failure says which stage is wrong. Random inputs against an independent reference:
// amd_mfma_random_test.cpp.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/units/mma_instruction.hpp>

namespace {

using namespace arithsim;
using Codes = std::vector<uint32_t>;

constexpr uint32_t kAmdNan = 0xffc00000;

struct Unit {
  units::MmaInstruction mma;
  formats::ElementFormat a, b, out;
};

Unit unit(const char* gpu, const char* instr, const char* ta, const char* tb) {
  const auto sel = pe::select_tensor_core(pe::builtin_tensor_core_presets(), gpu, instr, ta, tb, "fp32");
  return {units::MmaInstruction(sel.spec), sel.spec.a, sel.spec.b, sel.spec.out};
}

// The code of x in f; x must be a value of f (the test fails otherwise).
uint32_t code_of(const formats::ElementFormat& f, double x) {
  const uint32_t c = f.encode(x);
  EXPECT_EQ(f.decode(c), x) << x << " is not a value of " << f.name();
  return c;
}

double as_double(uint32_t fp32) { return formats::ElementFormat::parse("float32").decode(fp32); }

// d of a chain of instructions over the operands (each D the next C), products given as
// (a_j, b_j) values; the operands are padded with zeros to whole instructions.
double run(const Unit& u, std::vector<double> a, std::vector<double> b, double c) {
  const size_t k = size_t(u.mma.spec().k);
  a.resize((a.size() + k - 1) / k * k, 0.0);
  b.resize(a.size(), 0.0);
  uint32_t d = code_of(u.out, c);
  for (size_t i = 0; i < a.size(); i += k) {
    Codes ca, cb;
    for (size_t j = i; j < i + k; ++j) {
      ca.push_back(code_of(u.a, a[j]));
      cb.push_back(code_of(u.b, b[j]));
    }
    d = u.mma.apply(ca, cb, d);
  }
  return as_double(d);
}

uint32_t run_codes(const Unit& u, Codes a, Codes b, uint32_t c) {
  a.resize(size_t(u.mma.spec().k), 0);
  b.resize(a.size(), 0);
  return u.mma.apply(a, b, c);
}

const double s = std::ldexp(3.0, -24);  // 2^-23 + 2^-24, the notes' s
double p2(int e) { return std::ldexp(1.0, e); }

// ------------------------------------------------------------------ all CDNA: fp32 = sequential FMA
TEST(AmdMfma, Fp32IsSequentialFma) {
  for (const char* gpu : {"mi100", "mi250x", "mi300x"}) {
    const Unit u = unit(gpu, "mfma", "fp32", "fp32");
    // 1 + 2^-24 ties to 1, then + 2^-23; the other order ties up to 1 + 2^-22.
    EXPECT_EQ(run(u, {p2(-24), p2(-23)}, {1, 1}, 1), 1 + p2(-23)) << gpu;
    EXPECT_EQ(run(u, {p2(-23), p2(-24)}, {1, 1}, 1), 1 + p2(-22)) << gpu;
    EXPECT_EQ(run(u, {s, s, 1}, {1, 1, 1}, 0), 1 + p2(-22) + p2(-23)) << gpu;
    EXPECT_EQ(run(u, {1, s, s}, {1, 1, 1}, 0), 1 + p2(-21)) << gpu;
    EXPECT_EQ(run(u, {p2(-65)}, {p2(-65)}, 0), p2(-130)) << gpu;  // subnormal out kept
  }
}

// ------------------------------------------------------------------ CDNA1 (MI100): exact blocks
TEST(AmdMfma, Cdna1ExactBlocks) {
  for (const char* t : {"fp16", "bf16"}) {
    const Unit u = unit("mi100", "mfma", t, t);
    const int n = u.mma.spec().k;  // 4 for fp16, 2 for bf16
    // c = 1, p1 = s, p_j = s: one block sums 1 + 2s exactly; two blocks round 1 + s first
    // (a tie, to 1 + 2^-22), then 1 + 2^-22 + s ties up to 1 + 2^-21.
    for (int j = 2; j <= 16; ++j) {
      std::vector<double> a(16, 0.0), b(16, 1.0);
      a[0] = a[size_t(j - 1)] = s;
      EXPECT_EQ(run(u, a, b, 1), j <= n ? 1 + p2(-22) + p2(-23) : 1 + p2(-21)) << t << " j=" << j;
    }
    // bf16 c = 1, p1 = s, p2 = -2^(-25-n): just below the tie, so 1 + 2^-23.
    if (n == 2)
      for (int m = 0; m <= 241; ++m) {
        const int e = -25 - m, ea = e / 2, eb = e - ea;
        EXPECT_EQ(run(u, {s, -p2(ea)}, {1, p2(eb)}, 1), 1 + p2(-23)) << "n=" << m;
      }
  }
  const Unit h = unit("mi100", "mfma", "fp16", "fp16");
  const double perms[][3] = {{1, s, s}, {s, 1, s}, {s, s, 1}};
  for (const auto& p : perms) EXPECT_EQ(run(h, {p[0], p[1], p[2]}, {1, 1, 1}, 0), 1 + p2(-22) + p2(-23));
  EXPECT_EQ(run(h, {p2(-24)}, {p2(-24)}, 0), p2(-48));  // fp16 subnormals in, exact product
  const Unit bf = unit("mi100", "mfma", "bf16", "bf16");
  EXPECT_EQ(run(bf, {p2(65), p2(65)}, {p2(64), -p2(64)}, 0), 0.0);  // 2^129 - 2^129: no overflow inside
}

// ------------------------------------------------------------------ CDNA2: FTZ, rounded products, pairwise
TEST(AmdMfma, Cdna2PairwiseFtz) {
  const Unit h = unit("mi250x", "mfma", "fp16", "fp16");
  EXPECT_EQ(run_codes(h, {0x3C00, 0x0E00, 0x0E00}, {0x3C00, 0x1000, 0x1000}, 0), 0x3F800004u);
  EXPECT_EQ(run_codes(h, {0x0E00, 0x0E00, 0x3C00}, {0x1000, 0x1000, 0x3C00}, 0), 0x3F800003u);
  const double sa = 1.5 * p2(-12), sb = p2(-11);  // s from normal fp16 operands (FTZ would flush a subnormal)
  EXPECT_EQ(run(h, {1, sa, 1, sa}, {1, sb, 1, sb}, 0), 2 + p2(-21));
  EXPECT_EQ(run(h, {1, sa, 1, sa}, {1, sb, 1, sb}, p2(-23) + p2(-25)), 2 + p2(-21) + p2(-22));
  EXPECT_EQ(run(h, {1, 0, sa, sa}, {1, 0, sb, sb}, 0), 1 + p2(-22) + p2(-23));
  for (int e : {-127, -140, -149}) {  // a subnormal c reads as +0
    const double d = run(h, {0}, {0}, p2(e));
    EXPECT_EQ(d, 0.0) << e;
    EXPECT_FALSE(std::signbit(d)) << e;
  }
  EXPECT_EQ(run(h, {p2(-24)}, {1}, 0), 0.0);  // a subnormal input reads as +0
  for (const char* instr : {"mfma", "mfma_1k"}) {
    const Unit b = unit("mi250x", instr, "bf16", "bf16");
    EXPECT_EQ(run(b, {p2(-64), p2(-63)}, {p2(-63), p2(-64)}, 0), 0.0) << instr;  // 2^-127 products flushed
    EXPECT_EQ(run_codes(b, {code_of(b.a, p2(64)), code_of(b.a, p2(64))}, {code_of(b.b, p2(64)), code_of(b.b, -p2(64))},
                        0),
              kAmdNan)
        << instr;  // the products overflow to +inf and -inf
    // c = 1, p1 = p_j = s over k = 16 (s normal in bf16): one tree per block.
    const int n = b.mma.spec().k;
    for (int j = 2; j <= 16; ++j) {
      std::vector<double> a(16, 0.0), bb(16, 1.0);
      a[0] = a[size_t(j - 1)] = s;
      EXPECT_EQ(run(b, a, bb, 1), j <= n ? 1 + p2(-22) + p2(-23) : 1 + p2(-21)) << instr << " j=" << j;
    }
  }
  for (int j = 2; j <= 16; ++j) {
    std::vector<double> a(16, 0.0), b(16, 1.0);
    a[0] = a[size_t(j - 1)] = sa;
    b[0] = b[size_t(j - 1)] = sb;
    EXPECT_EQ(run(h, a, b, 1), j <= 4 ? 1 + p2(-22) + p2(-23) : 1 + p2(-21)) << "fp16 j=" << j;
  }
}

// ------------------------------------------------------------------ CDNA3 fp16/bf16/xf32: Algorithm 1
TEST(AmdMfma, Cdna3LateAddendRoundedDown) {
  const Unit h = unit("mi300x", "mfma", "fp16", "fp16");
  const double q = p2(-12);  // products of normal fp16 operands: x * q * q
  // c = 1, p = [2^-24, 2^-24]: S' = 2^-23 exactly; in every order of c and the products.
  EXPECT_EQ(run(h, {q, q}, {q, q}, 1), 1 + p2(-23));
  EXPECT_EQ(run(h, {-q, -q}, {q, q}, -1), -(1 + p2(-23)));
  EXPECT_EQ(run(h, {1, q}, {1, q}, p2(-24)), 1 + p2(-23));
  EXPECT_EQ(run(h, {q, 1}, {q, 1}, p2(-24)), 1 + p2(-23));
  // blocks of 8: two products 2^-24 in one block give 1 + 2^-23, in two blocks each ties to 1.
  for (int j = 2; j <= 16; ++j) {
    std::vector<double> a(16, 0.0), b(16, 0.0);
    a[0] = a[size_t(j - 1)] = b[0] = b[size_t(j - 1)] = q;
    EXPECT_EQ(run(h, a, b, 1), j <= 8 ? 1 + p2(-23) : 1.0) << "j=" << j;
  }
  for (int j = 1; j <= 10; ++j)  // product cut toward zero: 1 + 2^-24 ties to 1
    EXPECT_EQ(run(h, {1, (1 + p2(-j)) * q}, {1, q}, 0), 1.0) << j;
  // denormalised products: 1.5 * 1.5 aligns at 2^0 (grid 2^-24), 2.25 * 1 at 2^1 (grid 2^-23).
  EXPECT_EQ(run(h, {1.5, p2(-11), q, q}, {1.5, p2(-12), q, q}, 0), 2.25 + p2(-22));
  EXPECT_EQ(run(h, {2.25, p2(-11), q, q}, {1, p2(-12), q, q}, 0), 2.25);
  EXPECT_EQ(run(h, {p2(-13), p2(-13), q}, {q, q, q}, 1), 1 + p2(-23));  // [2^-25, 2^-25, 2^-24]
  for (int i = 0; i <= 22; ++i) {  // c = 2^-24 + 2^(-25-i) floored onto 2^-24: 1 unit, or -2 units
    EXPECT_EQ(run(h, {1}, {1}, p2(-24) + p2(-25 - i)), 1.0) << i;
    EXPECT_EQ(run(h, {-1}, {1}, -(p2(-24) + p2(-25 - i))), -(1 + p2(-23))) << i;
  }
  for (int j = 1; j <= 10; ++j) {  // c = 1, p = 2^-24 + 2^(-24-j): S floored at 2^-32, then at 2^-31
    EXPECT_EQ(run(h, {(1 + p2(-j)) * q}, {q}, 1), j < 8 ? 1 + p2(-23) : 1.0) << j;
    EXPECT_EQ(run(h, {-(1 + p2(-j)) * q}, {q}, -1), -(1 + p2(-23))) << j;
  }
  for (int j = 0; j <= 4; ++j) {  // p = -(2^-24 + sum_{26}^{30+j} 2^-l): exact at 2^-32 while j <= 2
    double m = 1;
    for (int l = 26; l <= 30 + j; ++l) m += p2(24 - l);
    EXPECT_EQ(run(h, {-m * q}, {q}, 1), j <= 2 ? 1 - p2(-24) : 1 - p2(-23)) << j;
  }
  for (int j = 24; j <= 32; ++j)  // c = 2 - 2^-22: T = 2 + 2^-23 + 2^-j floored at 2^-30
    EXPECT_EQ(run(h, {p2(-11), (1 + p2(23 - j)) * q}, {p2(-11), p2(-11)}, 2 - p2(-22)), j <= 30 ? 2 + p2(-22) : 2.0) << j;
  for (int j = 28; j <= 34; ++j) {  // c = -2 + 2^-21, p = [-2^-21, -2^-22, -sum_{24}^{j} 2^-l]
    double m = 0;
    for (int l = 24; l <= j; ++l) m += p2(24 - l);
    EXPECT_EQ(run(h, {-p2(-10), -p2(-11), -m * q}, {p2(-11), p2(-11), q}, -2 + p2(-21)), j <= 30 ? -2 - p2(-22) : -2 - p2(-21))
        << j;
  }
  EXPECT_EQ(run(h, {q, p2(-19)}, {q, q}, 1), 1 + p2(-23));  // [2^-24, 2^-31]
  EXPECT_EQ(run(h, {q, p2(-20)}, {q, q}, 1), 1.0);          // [2^-24, 2^-32]
  {
    double m = 0;
    for (int l = 26; l <= 32; ++l) m += p2(26 - l);
    EXPECT_EQ(run(h, {-q, -m * p2(-14)}, {q, q}, 1), 1 - p2(-24));  // normalised before the floor
  }
  // the sign asymmetry, as words: 0x0C04 * 0x0C00 = (1 + 2^-8) * 2^-24 with c = +-1.
  EXPECT_EQ(run_codes(h, {0x0C04}, {0x0C00}, 0x3F800000), 0x3F800000u);
  EXPECT_EQ(run_codes(h, {0x8C04}, {0x0C00}, 0xBF800000), 0xBF800001u);
  EXPECT_EQ(run(h, {p2(15), -p2(15)}, {p2(14), p2(14)}, 16), 0.0);  // c floored to 0 on 2^5
  const Unit b = unit("mi300x", "mfma", "bf16", "bf16");
  EXPECT_EQ(run(b, {p2(18), -p2(18)}, {p2(17), p2(17)}, p2(10)), 0.0);
  // c = 0 (e_c = -126), p = [2^-150, 2^(-152-i)]: floored at 2^-158, then at 2^-157, RNE at 2^-149.
  for (int i = 0; i <= 23; ++i) {
    EXPECT_EQ(run(b, {p2(-75), p2(-76)}, {p2(-75), p2(-76 - i)}, 0), i < 6 ? p2(-149) : 0.0) << i;
    // negated: the floors push below the tie while the second product survives the cut at 2^-174
    // (i <= 22); at i = 23 the sum is -2^-150, a tie, so -0 (the formalization's result; the
    // paper's text says -2^-149).
    const double d = run(b, {-p2(-75), -p2(-76)}, {p2(-75), p2(-76 - i)}, 0);
    EXPECT_EQ(d, i <= 22 ? -p2(-149) : 0.0) << i;
    EXPECT_TRUE(std::signbit(d)) << i;
  }
  for (int j = 0; j <= 8; ++j)  // subnormal-aware normalisation: the floor at 2^-157, not lower
    EXPECT_EQ(run(b, {p2(-70), p2(-75), p2(-77)}, {p2(-70), p2(-75), p2(-77 - j)}, p2(-127) - p2(-140)),
              j <= 3 ? p2(-127) + p2(-149) : p2(-127))
        << j;
  EXPECT_EQ(run(b, {p2(64)}, {p2(64)}, 0), INFINITY);  // a product of 2^128 is an infinity
  EXPECT_EQ(run(b, {p2(64)}, {-p2(64)}, 0), -INFINITY);
  EXPECT_EQ(run_codes(b, {code_of(b.a, 1.5 * p2(64)), code_of(b.a, 1.5 * p2(64))},
                      {code_of(b.b, 1.5 * p2(63)), code_of(b.b, -1.5 * p2(63))}, 0),
            kAmdNan);
  const double big = 1.5 * p2(63);  // the sum may pass 2^128 inside the block
  EXPECT_EQ(run(b, {big, big, -big}, {p2(64), p2(64), p2(64)}, 0), 1.5 * p2(127));
  // xf32 (inputs: fp32 words cut to 10 fraction bits before the unit), blocks of 4
  const Unit x = unit("mi300x", "mfma", "xf32", "xf32");
  const formats::RoundingOptions rz{formats::Rounding::TowardZero};
  const uint32_t a = x.a.encode(1 + p2(-10) + p2(-11), rz);
  for (double sb : {1.0, -1.0})
    EXPECT_EQ(as_double(run_codes(x, {a}, {code_of(x.b, sb)}, 0)), sb * (1 + p2(-10)));
  for (int j = 2; j <= 8; ++j) {
    std::vector<double> aa(8, 0.0), bb(8, 0.0);
    aa[0] = aa[size_t(j - 1)] = bb[0] = bb[size_t(j - 1)] = q;
    EXPECT_EQ(run(x, aa, bb, 1), j <= 4 ? 1 + p2(-23) : 1.0) << "xf32 j=" << j;
  }
}

// ------------------------------------------------------------------ CDNA3 fp8: Algorithm 2
TEST(AmdMfma, Cdna3Fp8OddEvenGroups) {
  const Unit b8 = unit("mi300x", "mfma", "e5m2fnuz", "e5m2fnuz");
  // -1 (index 0) and -1.5 * 2^-24 (index 1, the other group: floored onto 2^-24, -2 units)
  EXPECT_EQ(run_codes(b8, {0xC0, 0x92}, {0x40, 0x10}, 0), 0xBF800001u);
  EXPECT_EQ(run_codes(b8, {0xC0, 0, 0x92}, {0x40, 0, 0x10}, 0), 0xBF800000u);  // same group: cut toward zero
  const double q = p2(-12);
  EXPECT_EQ(run(b8, {1, q}, {1, q}, p2(-25)), 1.0);
  EXPECT_EQ(run(b8, {-1, -q}, {1, q}, -p2(-25)), -(1 + p2(-23)));
  for (int i = 0; i <= 20; ++i)  // c more than 25 binades below: zero, for every sign
    for (double sp : {1.0, -1.0})
      for (double sc : {1.0, -1.0}) EXPECT_EQ(run(b8, {sp}, {1}, sc * p2(-26 - i)), sp) << i;
  const double c = p2(-24) + p2(-25);
  EXPECT_EQ(run(b8, {1, p2(-12)}, {1, p2(-13)}, c), 1.0);
  EXPECT_EQ(run(b8, {p2(-12), 1}, {p2(-13), 1}, c), 1.0);
  EXPECT_EQ(run(b8, {-1, -p2(-12)}, {1, p2(-13)}, -c), -(1 + p2(-22)));
  EXPECT_EQ(run(b8, {-p2(-12), -1}, {p2(-13), 1}, -c), -(1 + p2(-22)));
  // a cancelled group keeps its exponent 5: c = 2^-20 is floored on 2^-19 to 0
  EXPECT_EQ(run(b8, {1, p2(5), 0, -p2(5)}, {1, 1, 0, 1}, p2(-20)), 1.0);
  // mixed: e4m3fnuz 1.5 * 2^-7 times e5m2fnuz 2^-17 (subnormal) aligns at 2^(-7-15)
  const Unit mix = unit("mi300x", "mfma", "e4m3fnuz", "e5m2fnuz");
  EXPECT_EQ(run(mix, {1.5 * p2(-7), 1}, {p2(-17), 1}, 0), 1.0);
  EXPECT_EQ(run_codes(mix, {0x80}, {0x40}, 0), kAmdNan);  // the FNUZ NaN
}

// ------------------------------------------------------------------ T4 against V100
TEST(TuringMma, FasiTestSuiteExpectations) {
  const auto t4 = pe::select_tensor_core(pe::builtin_tensor_core_presets(), "t4", "mma.sync", "fp16", "fp16", "fp32");
  const auto v100 = pe::select_tensor_core(pe::builtin_tensor_core_presets(), "v100", "mma.sync", "fp16", "fp16", "fp32");
  const Unit t{units::MmaInstruction(t4.spec), t4.spec.a, t4.spec.b, t4.spec.out};
  const Unit v{units::MmaInstruction(v100.spec), v100.spec.a, v100.spec.b, v100.spec.out};
  // D1 "extra bits in the significand alignment": 1 * 1 - (1 - 2^-24)
  EXPECT_EQ(run(t, {1}, {1}, -(1 - p2(-24))), p2(-24));
  EXPECT_EQ(run(v, {1}, {1}, -(1 - p2(-24))), p2(-23));
  // D3: p = [1, -2^-24], c = -1 + 2^-24
  EXPECT_EQ(run(t, {1, -p2(-12)}, {1, p2(-12)}, -1 + p2(-24)), 0.0);
  EXPECT_EQ(run(v, {1, -p2(-12)}, {1, p2(-12)}, -1 + p2(-24)), p2(-23));
}

// A user's preset file with the new fields: each wrong combination is one error naming the
// row and the field.
TEST(TensorCorePresetFile, AmdFieldsAreChecked) {
  const std::string head = "formats: {fp16: float16, fp32: float32}\npresets:\n  - {gpu: x, instr: y, in: fp16, out: fp32, k: 4, ";
  auto error = [&](const std::string& row) {
    try {
      (void)pe::parse_tensor_core_presets(head + row + ", source: s}\n", "user.yaml");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto has = [](const std::string& msg, const char* part) { return msg.find(part) != std::string::npos; };
  EXPECT_TRUE(has(error("sum: tree"), "user.yaml: preset 1")) << error("sum: tree");
  EXPECT_TRUE(has(error("sum: tree"), "sum 'tree' is not one of: aligned, exact, pairwise, odd_even"));
  EXPECT_TRUE(has(error("sum: exact, fraction_bits: 24"), "has no alignment"));
  EXPECT_TRUE(has(error("sum: pairwise"), "a pairwise tree adds c last"));
  EXPECT_TRUE(has(error("sum: exact, c: last"), "an exact sum takes c as a term"));
  EXPECT_TRUE(has(error("fraction_bits: 24, late_s_bits: 30"), "belong to c: late_rd"));
  EXPECT_TRUE(has(error("fraction_bits: 24, ftz: true"), "ftz is modelled for the pairwise tree only"));
  EXPECT_TRUE(has(error("fraction_bits: 24, ftz: yes"), "ftz 'yes' is not one of: false, true"));
  EXPECT_TRUE(has(error("sum: odd_even, fraction_bits: 24"), "odd/even groups take c late"));
  EXPECT_EQ(error("sum: pairwise, c: last, ftz: true, block_rounding: rne"), "no error");
  EXPECT_EQ(error("fraction_bits: 24, c: late_rd, c_cutoff: 25, product_overflow: inf"), "no error");
}

}  // namespace
