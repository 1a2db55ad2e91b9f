// AMD CDNA1-3 MFMA (fp32 out) against the independent exact reference in amd_reference.hpp:
//  1. AmdReference.PaperVectors: the reference alone against the vectors of
//     docs/research/amd-matrix-cores.md §1-§5 (hand-derived expectations; no production code);
//  2. AmdMfmaRandom: every (GPU group, instruction, input pair) row against the production
//     model (units::MmaInstruction through the presets) on random vectors biased toward the
//     hard cases, bit for bit; ARITHSIM_AMD_RANDOM_CASES sets the total over the main GPUs'
//     rows (default 3,000,000; the other GPUs of each group get 2,000 per row beside them);
//  3. AmdMfmaExhaustive: structured exhaustive sets (every fp8 code pair as one product, beside
//     fixed products; every bf16 code beside fixed products on CDNA2).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/units/mma_instruction.hpp>

#include "amd_reference.hpp"

namespace {

using namespace arithsim;
namespace A = arithsim::tcref_amd;
using Codes = std::vector<uint32_t>;
using A::Exact;

std::string hex(uint32_t x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", x);
  return buf;
}
std::string hex(const Codes& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += hex(v[i]);
  }
  return s + "]";
}

// ------------------------------------------------------------------ value builders
Exact pw(int e) { return Exact{1, e}; }                   // 2^e
Exact val(int64_t n, int e) { return Exact{n, e}; }       // n * 2^e
Exact neg(const Exact& v) { return Exact{-v.n, v.x}; }
Exact sum(std::initializer_list<Exact> vs) {
  Exact s;
  for (const auto& v : vs) s = tcref::add(s, v);
  return s;
}
// sum_{l=lo}^{hi} 2^-l
Exact sum_neg_pows(int lo, int hi) {
  Exact s;
  for (int l = lo; l <= hi; ++l) s = tcref::add(s, pw(-l));
  return s;
}
uint32_t f32(const Exact& v) { return A::encode_exact(A::kFp32, v); }
const Exact kS = sum({pw(-23), pw(-24)});  // s = 2^-23 + 2^-24

int lo_exp(const A::Fmt& f) { return f.emin() - f.M; }  // the smallest subnormal's exponent

// One product of value p as (a, b): b a power of two, both operands normal where possible
// (then e_a + e_b = floor(log2 |p|)), the exponent split as evenly as the formats allow.
// p = 0: (+0, +0).
std::pair<uint32_t, uint32_t> prod(const A::Fmt& fa, const A::Fmt& fb, const Exact& p) {
  if (p.n == 0) return {0u, 0u};
  const int lp = tcref::ilog2(p);
  std::vector<int> ebs;
  for (int eb = lo_exp(fb); eb <= fb.emax(); ++eb) ebs.push_back(eb);
  std::sort(ebs.begin(), ebs.end(), [&](int x, int y) { return std::abs(2 * x - lp) < std::abs(2 * y - lp); });
  for (const bool subnormal : {false, true})  // subnormal operands only where no normal split exists
    for (int eb : ebs) {
      const Exact av{p.n, p.x - eb};
      const int la = lp - eb;
      if (!subnormal && eb < fb.emin()) continue;
      if (la < (subnormal ? lo_exp(fa) : fa.emin()) || la > fa.emax()) continue;
      try {
        return {A::encode_exact(fa, av), A::encode_exact(fb, pw(eb))};
      } catch (const std::invalid_argument&) {
      }
    }
  throw std::invalid_argument("prod: no split of " + p.n.str() + " * 2^" + std::to_string(p.x) + " into " + fa.name + " x " + fb.name);
}

// The codes of k products (padded with +0 x +0).
struct Vec {
  Codes a, b;
};
Vec prods(const A::Instr& s, const std::vector<Exact>& ps) {
  Vec v{Codes(size_t(s.k), 0u), Codes(size_t(s.k), 0u)};
  if (int(ps.size()) > s.k) throw std::invalid_argument("prods: more than k");
  for (size_t j = 0; j < ps.size(); ++j) std::tie(v.a[j], v.b[j]) = prod(s.a, s.b, ps[j]);
  return v;
}
// A K-long chain (K a multiple of k): products at the given positions, the rest +0.
Vec chain_prods(const A::Instr& s, size_t K, const std::vector<std::pair<size_t, Exact>>& ps) {
  Vec v{Codes(K, 0u), Codes(K, 0u)};
  for (const auto& [j, p] : ps) std::tie(v.a[j], v.b[j]) = prod(s.a, s.b, p);
  return v;
}

A::Instr instr(const char* gpu, const char* in, const char* in_b = nullptr, const char* ins = "mfma") {
  const auto s = A::instr_for(gpu, ins, in, in_b ? in_b : in);
  if (!s) throw std::invalid_argument(std::string("no reference row for ") + gpu + " " + ins + " " + in);
  return *s;
}

#define EXPECT_CODE(got, want, what) EXPECT_EQ(hex(got), hex(want)) << what

// ------------------------------------------------------------------ 1. paper vectors
// Every vector of docs/research/amd-matrix-cores.md §1-§5 that is stated precisely enough,
// with operands chosen to make the stated products (normal operands, b a power of two,
// unless the vector names its operands). Zero results are +0 (0x0) unless stated.
TEST(AmdReference, PaperVectors) {
  // §1 fp32: sequential FMA (k = 1, chained), on every CDNA
  for (const char* gpu : {"mi100", "mi250x", "mi300x"}) {
    const auto s = instr(gpu, "fp32");
    ASSERT_EQ(s.k, 1);
    auto run = [&](std::vector<Exact> ps, const Exact& c) {
      const Vec v = chain_prods(s, ps.size(), [&] {
        std::vector<std::pair<size_t, Exact>> r;
        for (size_t j = 0; j < ps.size(); ++j) r.push_back({j, ps[j]});
        return r;
      }());
      return A::chain(s, v.a, v.b, f32(c));
    };
    const std::string g = gpu;
    EXPECT_CODE(run({pw(-24), pw(-23)}, pw(0)), f32(sum({pw(0), pw(-23)})), g + " §1 c=1 p=[2^-24,2^-23]");
    EXPECT_CODE(run({pw(-23), pw(-24)}, pw(0)), f32(sum({pw(0), pw(-22)})), g + " §1 c=1 p=[2^-23,2^-24]");
    EXPECT_CODE(run({kS, kS, pw(0)}, Exact{}), f32(sum({pw(0), pw(-22), pw(-23)})), g + " §1 p=[s,s,1]");
    EXPECT_CODE(run({pw(0), kS, kS}, Exact{}), f32(sum({pw(0), pw(-21)})), g + " §1 p=[1,s,s]");
    const uint32_t a = f32(pw(-65));
    EXPECT_CODE(A::apply(s, Codes{a}, Codes{a}, 0u), f32(pw(-130)), g + " §1 2^-65*2^-65 (subnormal out)");
  }

  // §2 CDNA1 (mi100): exact, one RNE per block
  {
    const auto h = instr("mi100", "fp16"), bf = instr("mi100", "bf16");
    ASSERT_EQ(h.k, 4);
    ASSERT_EQ(bf.k, 2);
    const Exact one_s_s = sum({pw(0), pw(-22), pw(-23)}), one_21 = sum({pw(0), pw(-21)});
    for (const auto* s : {&h, &bf}) {
      const size_t N = size_t(s->k);
      for (size_t j = 2; j <= 16; ++j) {  // c = 1, p1 = p_j = s over k = 16 (chained blocks)
        const Vec v = chain_prods(*s, 16, {{0, kS}, {j - 1, kS}});
        EXPECT_CODE(A::chain(*s, v.a, v.b, f32(pw(0))), f32(j <= N ? one_s_s : one_21),
                    std::string(s->a.name) + " §2 nfma j=" + std::to_string(j));
      }
      // every permutation of {1, s, s} (c and the two products)
      const Exact vals[3] = {pw(0), kS, kS};
      for (int ci = 0; ci < 3; ++ci)
        for (int first = 0; first < 3; ++first) {
          if (first == ci) continue;
          const int second = 3 - ci - first;
          const Vec v = prods(*s, {vals[first], vals[second]});
          EXPECT_CODE(A::apply(*s, v.a, v.b, f32(vals[ci])), f32(one_s_s),
                      std::string(s->a.name) + " §2 permutation c=" + std::to_string(ci));
        }
    }
    {  // fp16 a = b = 2^-24 (subnormals kept) -> 2^-48
      Codes a(4, 0), b(4, 0);
      a[0] = b[0] = 0x0001;
      EXPECT_CODE(A::apply(h, a, b, 0u), f32(pw(-48)), "§2 fp16 2^-24*2^-24");
    }
    {  // bf16: products beyond 2^128 inside a block
      const Vec v = prods(bf, {pw(129), neg(pw(129))});
      EXPECT_CODE(A::apply(bf, v.a, v.b, 0u), 0u, "§2 bf16 2^129 - 2^129");
    }
    for (int n = 0; n <= 241; ++n) {  // c = 1, p = [s, -2^(-25-n)] -> 1 + 2^-23
      const Vec v = prods(bf, {kS, neg(pw(-25 - n))});
      EXPECT_CODE(A::apply(bf, v.a, v.b, f32(pw(0))), f32(sum({pw(0), pw(-23)})), "§2 bf16 n=" + std::to_string(n));
    }
  }

  // §3 CDNA2 (mi250x; and mi210, mi250 select the same rows): pairwise fp32 tree with FTZ
  for (const char* gpu : {"mi210", "mi250", "mi250x"}) {
    const std::string G = gpu;
    const auto h = instr(gpu, "fp16"), bf = instr(gpu, "bf16"), bk = instr(gpu, "bf16", nullptr, "mfma_1k");
    ASSERT_EQ(h.k, 4);
    ASSERT_EQ(bf.k, 2);
    ASSERT_EQ(bk.k, 4);
    // word-level vectors (0x0E00 * 0x1000 = 1.5 * 2^-12 * 2^-11 = s)
    EXPECT_CODE(A::apply(h, Codes{0x3C00, 0x0E00, 0x0E00, 0}, Codes{0x3C00, 0x1000, 0x1000, 0}, 0u), 0x3F800004u,
                G + " §3 words [1,s,s,0]");
    EXPECT_CODE(A::apply(h, Codes{0x0E00, 0x0E00, 0x3C00, 0}, Codes{0x1000, 0x1000, 0x3C00, 0}, 0u), 0x3F800003u,
                G + " §3 words [s,s,1,0]");
    for (const auto* s : {&h, &bk}) {
      const std::string w = G + " " + s->a.name + (s == &bk ? " 1k" : "");
      Vec v = prods(*s, {pw(0), kS, pw(0), kS});
      EXPECT_CODE(A::apply(*s, v.a, v.b, 0u), f32(sum({pw(1), pw(-21)})), w + " §3 [1,s,1,s]");
      EXPECT_CODE(A::apply(*s, v.a, v.b, f32(sum({pw(-23), pw(-25)}))), f32(sum({pw(1), pw(-21), pw(-22)})),
                  w + " §3 [1,s,1,s] c=2^-23+2^-25");
      v = prods(*s, {pw(0), Exact{}, kS, kS});
      EXPECT_CODE(A::apply(*s, v.a, v.b, 0u), f32(sum({pw(0), pw(-22), pw(-23)})), w + " §3 [1,0,s,s]");
    }
    for (const auto* s : {&h, &bf, &bk})
      for (int e : {-127, -140, -149}) {  // a subnormal c with zero products -> +0
        const Vec v = prods(*s, {});
        EXPECT_CODE(A::apply(*s, v.a, v.b, f32(pw(e))), 0u, G + " §3 c=2^" + std::to_string(e));
        EXPECT_CODE(A::apply(*s, v.a, v.b, f32(neg(pw(e)))), 0u, G + " §3 c=-2^" + std::to_string(e));
      }
    EXPECT_CODE(A::apply(h, Codes{0x0001, 0, 0, 0}, Codes{0x3C00, 0, 0, 0}, 0u), 0u, G + " §3 fp16 2^-24*1 flushed");
    {  // bf16 p1 = p2 = 2^-127 (each product flushed)
      const Codes a{A::encode_exact(A::kBf16, pw(-64)), A::encode_exact(A::kBf16, pw(-63))};
      const Codes b{a[1], a[0]};
      EXPECT_CODE(A::apply(bf, a, b, 0u), 0u, G + " §3 bf16 2^-127 products");
      // bf16 2^64 * (+-2^64): inf - inf = NaN
      const uint32_t x = A::encode_exact(A::kBf16, pw(64));
      EXPECT_CODE(A::apply(bf, Codes{x, x}, Codes{x, x | 0x8000u}, 0u), A::kNanCode, G + " §3 bf16 2^128 - 2^128");
    }
    const Exact one_s_s = sum({pw(0), pw(-22), pw(-23)}), one_21 = sum({pw(0), pw(-21)});
    for (const auto* s : {&h, &bf, &bk}) {  // nfma, k = 16 chained
      const size_t N = size_t(s->k);
      for (size_t j = 2; j <= 16; ++j) {
        const Vec v = chain_prods(*s, 16, {{0, kS}, {j - 1, kS}});
        EXPECT_CODE(A::chain(*s, v.a, v.b, f32(pw(0))), f32(j <= N ? one_s_s : one_21),
                    G + " " + s->a.name + " k=" + std::to_string(s->k) + " §3 nfma j=" + std::to_string(j));
      }
    }
  }

  // §4 CDNA3 (mi300x, mi300a): Algorithm 1
  for (const char* gpu : {"mi300a", "mi300x"}) {
    const std::string G = gpu;
    const auto h = instr(gpu, "fp16"), bf = instr(gpu, "bf16"), xf = instr(gpu, "xf32");
    ASSERT_EQ(h.k, 8);
    ASSERT_EQ(bf.k, 8);
    ASSERT_EQ(xf.k, 4);
    const Exact one = pw(0), one23 = sum({pw(0), pw(-23)});
    auto d = [&](const A::Instr& s, std::vector<Exact> ps, const Exact& c) {
      const Vec v = prods(s, ps);
      return A::apply(s, v.a, v.b, f32(c));
    };
    for (const auto* s : {&h, &bf}) {
      const std::string w = G + " " + s->a.name;
      // c = 1, p = [2^-24, 2^-24] in every arrangement; negated
      EXPECT_CODE(d(*s, {pw(-24), pw(-24)}, one), f32(one23), w + " §4 c=1 [2^-24,2^-24]");
      EXPECT_CODE(d(*s, {one, pw(-24)}, pw(-24)), f32(one23), w + " §4 c=2^-24 [1,2^-24]");
      EXPECT_CODE(d(*s, {pw(-24), one}, pw(-24)), f32(one23), w + " §4 c=2^-24 [2^-24,1]");
      EXPECT_CODE(d(*s, {neg(pw(-24)), neg(pw(-24))}, neg(one)), f32(neg(one23)), w + " §4 negated 1");
      EXPECT_CODE(d(*s, {neg(one), neg(pw(-24))}, neg(pw(-24))), f32(neg(one23)), w + " §4 negated 2");
      EXPECT_CODE(d(*s, {neg(pw(-24)), neg(one)}, neg(pw(-24))), f32(neg(one23)), w + " §4 negated 3");
      for (size_t j = 2; j <= 16; ++j) {  // N = 8, k = 16
        const Vec v = chain_prods(*s, 16, {{0, pw(-24)}, {j - 1, pw(-24)}});
        EXPECT_CODE(A::chain(*s, v.a, v.b, f32(one)), f32(j <= 8 ? one23 : one), w + " §4 N=8 j=" + std::to_string(j));
      }
      // c = 1, p = [2^-25, 2^-25, 2^-24] -> 1 + 2^-23
      EXPECT_CODE(d(*s, {pw(-25), pw(-25), pw(-24)}, one), f32(one23), w + " §4 [2^-25,2^-25,2^-24]");
      // p = [1], c = 2^-24 + 2^(-25-i) -> 1; negated -> -(1 + 2^-23)
      for (int i = 0; i <= 22; ++i) {
        const Exact c = sum({pw(-24), pw(-25 - i)});
        EXPECT_CODE(d(*s, {one}, c), f32(one), w + " §4 RD of c i=" + std::to_string(i));
        EXPECT_CODE(d(*s, {neg(one)}, neg(c)), f32(neg(one23)), w + " §4 RD of c negated i=" + std::to_string(i));
      }
      // c = 1, p = [2^-24, 2^-31] -> 1 + 2^-23; with 2^-32 -> 1
      EXPECT_CODE(d(*s, {pw(-24), pw(-31)}, one), f32(one23), w + " §4 [2^-24,2^-31]");
      EXPECT_CODE(d(*s, {pw(-24), pw(-32)}, one), f32(one), w + " §4 [2^-24,2^-32]");
    }
    // fp16 only (10 fraction bits are needed)
    for (int j = 1; j <= 10; ++j) {  // p = [1, 2^-24 + 2^(-24-j)] -> 1 (product truncation)
      EXPECT_CODE(d(h, {one, sum({pw(-24), pw(-24 - j)})}, Exact{}), f32(one), G + " §4 truncation j=" + std::to_string(j));
    }
    {  // denormalised products: a1 = b1 = 1.5 (e_p = 0) vs a1 = 2.25, b1 = 1 (e_p = 1)
      Codes a(8, 0), b(8, 0);
      a[0] = b[0] = 0x3E00;                   // 1.5
      std::tie(a[1], b[1]) = prod(h.a, h.b, pw(-23));
      std::tie(a[2], b[2]) = prod(h.a, h.b, pw(-24));
      std::tie(a[3], b[3]) = prod(h.a, h.b, pw(-24));
      EXPECT_CODE(A::apply(h, a, b, 0u), f32(sum({pw(1), pw(-2), pw(-22)})), G + " §4 denormalised 1.5*1.5");
      a[0] = 0x4080, b[0] = 0x3C00;           // 2.25 * 1
      EXPECT_CODE(A::apply(h, a, b, 0u), f32(sum({pw(1), pw(-2)})), G + " §4 denormalised 2.25*1");
    }
    for (int j = 1; j <= 10; ++j) {  // c = 1, p = [2^-24 + 2^(-24-j)]: j < 8 -> 1 + 2^-23, else 1
      const Exact p = sum({pw(-24), pw(-24 - j)});
      EXPECT_CODE(d(h, {p}, one), f32(j < 8 ? one23 : one), G + " §4 RD of S j=" + std::to_string(j));
      EXPECT_CODE(d(h, {neg(p)}, neg(one)), f32(neg(one23)), G + " §4 RD of S negated j=" + std::to_string(j));
    }
    for (int j = 0; j <= 4; ++j) {  // c = 1, p = -(2^-24 + sum_{26}^{30+j} 2^-l): j <= 2 -> 1 - 2^-24, else 1 - 2^-23
      const Exact p = neg(tcref::add(pw(-24), sum_neg_pows(26, 30 + j)));
      EXPECT_CODE(d(h, {p}, one), f32(sum({one, neg(pw(j <= 2 ? -24 : -23))})), G + " §4 S RD 32 j=" + std::to_string(j));
    }
    for (int j = 24; j <= 32; ++j) {  // c = 2 - 2^-22, p = [2^-22, 2^-23 + 2^-j]: j <= 30 -> 2 + 2^-22, else 2
      const Exact c = sum({pw(1), neg(pw(-22))});
      EXPECT_CODE(d(h, {pw(-22), sum({pw(-23), pw(-j)})}, c), f32(j <= 30 ? sum({pw(1), pw(-22)}) : pw(1)),
                  G + " §4 RD after normalisation j=" + std::to_string(j));
    }
    for (int j = 28; j <= 32; ++j) {  // c = -2 + 2^-21, p = [-2^-21, -2^-22, -sum_{24}^{j} 2^-l]
      const Exact c = sum({neg(pw(1)), pw(-21)});
      const uint32_t want = f32(neg(sum({pw(1), pw(j <= 30 ? -22 : -21)})));
      EXPECT_CODE(d(h, {neg(pw(-21)), neg(pw(-22)), neg(sum_neg_pows(24, j))}, c), want,
                  G + " §4 negative RD j=" + std::to_string(j));
    }
    // normalised before RD: c = 1, p = [-2^-24, -sum_{26}^{32} 2^-l] -> 1 - 2^-24
    EXPECT_CODE(d(h, {neg(pw(-24)), neg(sum_neg_pows(26, 32))}, one), f32(sum({one, neg(pw(-24))})),
                G + " §4 normalised before RD");
    {  // sign asymmetry, words
      Codes a(8, 0), b(8, 0);
      a[0] = 0x0C04, b[0] = 0x0C00;
      EXPECT_CODE(A::apply(h, a, b, 0x3F800000u), 0x3F800000u, G + " §4 words +");
      a[0] = 0x8C04;
      EXPECT_CODE(A::apply(h, a, b, 0xBF800000u), 0xBF800001u, G + " §4 words -");
    }
    EXPECT_CODE(d(h, {pw(29), neg(pw(29))}, pw(4)), 0u, G + " §4 fp16 c=2^4 [2^29,-2^29]");
    EXPECT_CODE(d(bf, {pw(35), neg(pw(35))}, pw(10)), 0u, G + " §4 bf16 c=2^10 [2^35,-2^35]");
    // bf16, c = 0 (e_c = -126), p = [2^-150, 2^(-152-i)]: i < 6 -> 2^-149, else +0.
    // Negated: -2^-149 for i <= 22 (the notes). At i = 23 the rules of this reference give -0
    // (S = -2^24 once 2^-175 is truncated, S' = -256 exactly, S_acc = -2^-150, a tie to even):
    // that is what the formalization gives; the paper text is said to give -2^-149. The rules
    // here are followed; i > 23 is the same as i = 23 under them.
    for (int i = 0; i <= 30; ++i) {
      const Exact p1 = pw(-150), p2 = pw(-152 - i);
      EXPECT_CODE(d(bf, {p1, p2}, Exact{}), i < 6 ? 0x00000001u : 0u, G + " §4 bf16 tiny i=" + std::to_string(i));
      EXPECT_CODE(d(bf, {neg(p1), neg(p2)}, Exact{}), i <= 22 ? 0x80000001u : 0x80000000u,
                  G + " §4 bf16 tiny negated i=" + std::to_string(i));
    }
    for (int j = 0; j <= 20; ++j) {  // subnormal-aware normalisation
      const Exact c = sum({pw(-127), neg(pw(-140))});
      EXPECT_CODE(d(bf, {pw(-140), pw(-150), pw(-154 - j)}, c), f32(j <= 3 ? sum({pw(-127), pw(-149)}) : pw(-127)),
                  G + " §4 bf16 subnormal-aware j=" + std::to_string(j));
    }
    {  // bf16 overflow: 2^64 * +-2^64 -> +-inf; 2.25 * 2^127 - 2.25 * 2^127 -> NaN
      const uint32_t x = A::encode_exact(A::kBf16, pw(64));
      Codes a(8, 0), b(8, 0);
      a[0] = b[0] = x;
      EXPECT_CODE(A::apply(bf, a, b, 0u), A::kPosInf, G + " §4 bf16 2^128");
      b[0] = x | 0x8000u;
      EXPECT_CODE(A::apply(bf, a, b, 0u), A::kNegInf, G + " §4 bf16 -2^128");
      a[0] = a[1] = A::encode_exact(A::kBf16, val(3, 63));
      b[0] = A::encode_exact(A::kBf16, val(3, 62));
      b[1] = b[0] | 0x8000u;
      EXPECT_CODE(A::apply(bf, a, b, 0u), A::kNanCode, G + " §4 bf16 overflowing products of both signs");
    }
    {  // a sum beyond 2^128 inside the block
      const Exact p = val(3, 126);  // 1.5 * 2^127
      EXPECT_CODE(d(bf, {p, p, neg(p)}, Exact{}), f32(p), G + " §4 bf16 sum beyond 2^128");
    }
    {  // xf32: the fp32 word of 1 + 2^-10 + 2^-11 read as xf32 (its top 19 bits) times +-1
      const uint32_t w = f32(sum({pw(0), pw(-10), pw(-11)}));
      Codes a(4, 0), b(4, 0);
      a[0] = w >> 13;
      b[0] = A::encode_exact(A::kXf32, pw(0));
      EXPECT_CODE(A::apply(xf, a, b, 0u), f32(sum({pw(0), pw(-10)})), G + " §4 xf32 truncated input");
      b[0] |= A::kXf32.sign_bit();
      EXPECT_CODE(A::apply(xf, a, b, 0u), f32(neg(sum({pw(0), pw(-10)}))), G + " §4 xf32 truncated input, -1");
      for (size_t j = 2; j <= 8; ++j) {  // N = 4, k = 8
        const Vec v = chain_prods(xf, 8, {{0, pw(-24)}, {j - 1, pw(-24)}});
        EXPECT_CODE(A::chain(xf, v.a, v.b, f32(one)), f32(j <= 4 ? one23 : one), G + " §4 xf32 N=4 j=" + std::to_string(j));
      }
    }
  }

  // Zero signs: not paper vectors but the rules' own consequences (the notes §9: no source
  // states AMD's zero signs). Every product -0 (1 * -0) and c = -0: exact -> -0 (IEEE sum of
  // zeros); pairwise -> -0 (fl(-0 + -0) = -0 at every add; -0 is no subnormal, so the FTZ of c
  // leaves it); late_rd / odd_even -> c's code (no nonzero product). A -0 c beside products
  // that cancel exactly -> +0 everywhere. A negative subnormal c with zero products: pairwise
  // +0 (FTZ), exact and late_rd keep it.
  {
    const uint32_t nz = A::kNegZero;
    struct Z {
      const char* gpu;
      const char* in;
      uint32_t one, mzero;
      uint32_t want_all_neg_zero, want_sub_c;
    };
    const Z zs[] = {{"mi100", "fp16", 0x3C00, 0x8000, nz, 0x80000001u},
                    {"mi250x", "fp16", 0x3C00, 0x8000, nz, 0u},
                    {"mi250x", "bf16", 0x3F80, 0x8000, nz, 0u},
                    {"mi300x", "fp16", 0x3C00, 0x8000, nz, 0x80000001u},
                    {"mi300x", "bf16", 0x3F80, 0x8000, nz, 0x80000001u},
                    {"mi300x", "e5m2fnuz", 0x40, 0x00, nz, 0x80000001u}};
    for (const auto& z : zs) {
      const auto s = instr(z.gpu, z.in);
      const std::string w = std::string(z.gpu) + " " + z.in + " zero signs";
      const Codes ones(size_t(s.k), z.one), mz(size_t(s.k), z.mzero);
      EXPECT_CODE(A::apply(s, ones, mz, nz), z.want_all_neg_zero, w + ": every product -0, c = -0");
      EXPECT_CODE(A::apply(s, ones, mz, 0u), 0u, w + ": every product -0, c = +0");
      EXPECT_CODE(A::apply(s, ones, mz, 0x80000001u), z.want_sub_c, w + ": zero products, c = -2^-149");
      Codes a(size_t(s.k), 0u), b(size_t(s.k), 0u);
      a[0] = a[1] = z.one, b[0] = z.one, b[1] = z.one | s.b.sign_bit();
      EXPECT_CODE(A::apply(s, a, b, nz), 0u, w + ": 1 - 1, c = -0");
    }
  }

  // §5 CDNA3 fp8 (FNUZ): Algorithm 2
  for (const char* gpu : {"mi300a", "mi300x"}) {
    const std::string G = gpu;
    const auto e5 = instr(gpu, "e5m2fnuz"), mix = instr(gpu, "e4m3fnuz", "e5m2fnuz");
    ASSERT_EQ(e5.k, 16);
    ASSERT_EQ(mix.k, 16);
    for (const char* pair : {"e4m3fnuz", "e5m2fnuz"})
      for (const char* pb : {"e4m3fnuz", "e5m2fnuz"}) ASSERT_EQ(instr(gpu, pair, pb).mode, A::Mode::OddEven);
    auto d = [&](const A::Instr& s, std::vector<Exact> ps, const Exact& c) {
      const Vec v = prods(s, ps);
      return A::apply(s, v.a, v.b, f32(c));
    };
    {  // words (e5m2fnuz: 0x40 = 1, 0xC0 = -1, 0x92 = -1.5 * 2^-12, 0x10 = 2^-12)
      Codes a(16, 0), b(16, 0);
      a[0] = 0xC0, a[1] = 0x92, b[0] = 0x40, b[1] = 0x10;
      EXPECT_CODE(A::apply(e5, a, b, 0u), 0xBF800001u, G + " §5 words, other parity");
      a.assign(16, 0), b.assign(16, 0);
      a[0] = 0xC0, a[2] = 0x92, b[0] = 0x40, b[2] = 0x10;
      EXPECT_CODE(A::apply(e5, a, b, 0u), 0xBF800000u, G + " §5 words, same parity");
    }
    const Exact one = pw(0);
    EXPECT_CODE(d(e5, {one, pw(-24)}, pw(-25)), f32(one), G + " §5 [1,2^-24] c=2^-25");
    EXPECT_CODE(d(e5, {neg(one), neg(pw(-24))}, neg(pw(-25))), f32(neg(sum({one, pw(-23)}))),
                G + " §5 [1,2^-24] c=2^-25 negated");
    for (int i = 0; i <= 123; ++i)  // c = +-2^(-26-i) beyond the cutoff: +-1 for every sign
      for (int sp : {1, -1})
        for (int sc : {1, -1}) {
          const Exact c = sc > 0 ? pw(-26 - i) : neg(pw(-26 - i));
          const Exact p1 = sp > 0 ? one : neg(one), p2 = sp > 0 ? pw(-24) : neg(pw(-24));
          const std::string w = G + " §5 zero rule i=" + std::to_string(i) + " sp=" + std::to_string(sp) +
                                " sc=" + std::to_string(sc);
          EXPECT_CODE(d(e5, {p1}, c), f32(p1), w + " [p1]");
          EXPECT_CODE(d(e5, {p1, p2}, c), f32(p1), w + " [p1,p2]");
        }
    {
      const Exact c = sum({pw(-24), pw(-25)});
      EXPECT_CODE(d(e5, {one, pw(-25)}, c), f32(one), G + " §5 c=2^-24+2^-25 [1,2^-25]");
      EXPECT_CODE(d(e5, {pw(-25), one}, c), f32(one), G + " §5 c=2^-24+2^-25 [2^-25,1]");
      EXPECT_CODE(d(e5, {neg(one), neg(pw(-25))}, neg(c)), f32(neg(sum({one, pw(-22)}))), G + " §5 negated 1");
      EXPECT_CODE(d(e5, {neg(pw(-25)), neg(one)}, neg(c)), f32(neg(sum({one, pw(-22)}))), G + " §5 negated 2");
    }
    {  // mixed formats: e4m3 1.5 * 2^-7 times e5m2 2^-17 (a subnormal: e_p = -7 - 15), beside 1 * 1
      Codes a(16, 0), b(16, 0);
      a[0] = A::encode_exact(A::kE4m3fnuz, val(3, -8));
      b[0] = A::encode_exact(A::kE5m2fnuz, pw(-17));
      a[1] = A::encode_exact(A::kE4m3fnuz, one);
      b[1] = A::encode_exact(A::kE5m2fnuz, one);
      EXPECT_CODE(A::apply(mix, a, b, 0u), f32(one), G + " §5 mixed formats");
    }
    // a group whose products cancel keeps its exponent
    EXPECT_CODE(d(e5, {one, pw(5), Exact{}, neg(pw(5))}, pw(-20)), f32(one), G + " §5 cancelled group");
  }
}

// ------------------------------------------------------------------ 2. random comparison
struct Gen {
  std::mt19937_64 r;
  explicit Gen(uint64_t seed) : r(seed) {}
  uint64_t u(uint64_t n) { return r() % n; }
  int range(int lo, int hi) { return lo + int(u(uint64_t(hi - lo + 1))); }
  bool p(double prob) { return double(r() >> 11) * 0x1p-53 < prob; }
  double unit() { return double(r() >> 11) * 0x1p-53; }
};

// A fraction field of M bits with a shape: random, zero, all ones, random with trailing zeros,
// one bit.
uint32_t frac_bits(Gen& g, int M) {
  const uint32_t all = (1u << M) - 1u;
  const double w = g.unit();
  if (w < 0.40) return uint32_t(g.r()) & all;
  if (w < 0.55) return 0;
  if (w < 0.67) return all;
  if (w < 0.85) return uint32_t(g.r()) & all & ~((1u << g.range(0, M)) - 1u);
  return 1u << g.range(0, M - 1);
}

// A finite nonzero code with floor(log2 |x|) = e clamped into the format (below the normal
// range: a subnormal with that leading bit).
uint32_t fin_code(Gen& g, const A::Fmt& f, int e, bool neg) {
  e = std::clamp(e, lo_exp(f), f.emax());
  uint32_t code;
  if (e < f.emin()) {
    const int lead = e - lo_exp(f);
    code = (1u << lead) | (frac_bits(g, f.M) & ((1u << lead) - 1u));
  } else {
    code = (uint32_t(e + f.bias) << f.M) | frac_bits(g, f.M);
  }
  return code | (neg ? f.sign_bit() : 0u);
}
uint32_t zero_code(Gen& g, const A::Fmt& f) { return (!f.fnuz && g.p(0.5)) ? f.sign_bit() : 0u; }
uint32_t special_code(Gen& g, const A::Fmt& f) {
  if (f.fnuz) return f.sign_bit();  // the one NaN
  const uint32_t inf = uint32_t((1u << f.E) - 1u) << f.M;
  if (g.p(0.6)) return inf | (g.p(0.5) ? f.sign_bit() : 0u);
  uint32_t fr = uint32_t(g.r()) & ((1u << f.M) - 1u);
  if (fr == 0) fr = 1u << (f.M - 1);
  return inf | fr | (g.p(0.5) ? f.sign_bit() : 0u);
}
uint32_t any_code(Gen& g, const A::Fmt& f) { return uint32_t(g.r()) & f.mask(); }

// A code near 2^e with one or no fraction bit (mostly): 1, 1.5, 1 + 2^-M, ...
uint32_t few_code(Gen& g, const A::Fmt& f, int e, bool ng) {
  uint32_t code = fin_code(g, f, e, ng);
  if (e >= f.emin() && g.p(0.7)) {
    const uint32_t fr = g.p(0.5) ? 0u : (1u << g.range(0, f.M - 1));
    code = (code & ~((1u << f.M) - 1u)) | fr;
  }
  return code;
}

// a, b with a product near 2^ep of the given sign.
void prod_pair(Gen& g, const A::Fmt& fa, const A::Fmt& fb, int ep, bool neg, uint32_t& a, uint32_t& b) {
  ep = std::clamp(ep, lo_exp(fa) + lo_exp(fb), fa.emax() + fb.emax());
  const int lo = std::max(lo_exp(fa), ep - fb.emax()), hi = std::min(fa.emax(), ep - lo_exp(fb));
  int ea;
  if (g.p(0.7)) {
    const int mid = ep / 2;
    ea = std::clamp(g.range(mid - 3, mid + 3), lo, hi);
  } else {
    ea = g.range(lo, hi);
  }
  const bool na = g.p(0.5);
  a = fin_code(g, fa, ea, na);
  b = fin_code(g, fb, ep - ea, na != neg);
}

const A::Fmt& c_fmt() { return A::kFp32; }

// The exact sum of the finite products.
Exact product_sum(const A::Instr& s, const Codes& a, const Codes& b) {
  Exact t;
  for (size_t j = 0; j < a.size(); ++j) {
    const auto x = A::decode(s.a, a[j]), y = A::decode(s.b, b[j]);
    if (x.kind == tcref::Kind::Finite && y.kind == tcref::Kind::Finite) t = tcref::add(t, tcref::mul(x.value(), y.value()));
  }
  return t;
}

enum Kind { Uniform, Cluster, Tiny, Huge, Subnormal, Sparse, Zeros, Ties, Specials, CancelC, LateC, LateTies, kKinds };
constexpr const char* kKindName[] = {"uniform", "cluster",  "tiny",     "huge",   "subnormal", "sparse",
                                     "zeros",   "ties",     "specials", "cancel-c", "late-c",  "late-ties"};
constexpr int kKindShare[] = {80, 200, 70, 60, 70, 70, 50, 90, 30, 80, 100, 100};  // per mille
static_assert(std::size(kKindName) == kKinds && std::size(kKindShare) == kKinds);
static_assert([] {
  int t = 0;
  for (int x : kKindShare) t += x;
  return t;
}() == 1000);

// c near 2^e (the fp32 range clamps it), or one of the other shapes.
uint32_t c_near(Gen& g, int e) { return fin_code(g, c_fmt(), e, g.p(0.5)); }
uint32_t c_mix(Gen& g, int e0) {
  const double w = g.unit();
  if (w < 0.15) return zero_code(g, c_fmt());
  if (w < 0.55) return c_near(g, e0 + g.range(-34, 8));
  if (w < 0.75) return c_near(g, g.range(-149, 127));
  if (w < 0.85) return (uint32_t(g.r()) & 0x007fffffu) | 1u | (g.p(0.5) ? 0x80000000u : 0u);  // subnormal
  return c_near(g, e0 + g.range(-1, 1));
}

// k products with exponents in [e0 - w, e0], zeros with probability pz, and cancelling partners.
void cluster(Gen& g, const A::Instr& s, int e0, int w, double pz, Codes& a, Codes& b) {
  const int k = s.k;
  for (int j = 0; j < k; ++j) {
    if (g.p(pz)) {
      if (g.p(0.5))
        a[j] = zero_code(g, s.a), b[j] = g.p(0.5) ? zero_code(g, s.b) : fin_code(g, s.b, g.range(-5, 5), g.p(0.5));
      else
        a[j] = fin_code(g, s.a, g.range(-5, 5), g.p(0.5)), b[j] = zero_code(g, s.b);
      continue;
    }
    if (j > 0 && g.p(0.25)) {  // a cancelling partner of an earlier product
      const int i = int(g.u(uint64_t(j)));
      a[j] = a[i] ^ s.a.sign_bit();
      b[j] = b[i];
      if (A::decode(s.a, a[j]).kind != tcref::Kind::Finite) a[j] = a[i];  // (fnuz: -0 is NaN)
      if (g.p(0.3)) {
        const uint32_t nb = b[j] ^ 1u;
        if (A::decode(s.b, nb).kind == tcref::Kind::Finite) b[j] = nb;
      }
      continue;
    }
    prod_pair(g, s.a, s.b, e0 - g.range(0, w), g.p(0.5), a[j], b[j]);
  }
}

void make_case(Gen& g, const A::Instr& s, Kind kind, Codes& a, Codes& b, uint32_t& c) {
  const int k = s.k;
  a.assign(size_t(k), 0u);
  b.assign(size_t(k), 0u);
  const int plo = lo_exp(s.a) + lo_exp(s.b), phi = s.a.emax() + s.b.emax();
  auto pick_w = [&] {
    static const int ws[] = {0, 1, 2, 3, 8, 24, 26, 30, 40};
    return ws[g.u(9)];
  };
  switch (kind) {
    case Uniform:
      for (int j = 0; j < k; ++j) a[j] = any_code(g, s.a), b[j] = any_code(g, s.b);
      c = uint32_t(g.r());
      break;
    case Cluster: {
      const int e0 = g.p(0.6) ? std::clamp(g.range(-20, 20), plo, phi) : g.range(plo, std::min(phi, 128));
      cluster(g, s, e0, pick_w(), 0.1, a, b);
      c = c_mix(g, e0);
      break;
    }
    case Tiny: {  // products near and below the fp32 subnormals (or the format's smallest)
      const int e0 = plo < -150 ? g.range(-180, -115) : g.range(plo, plo + 20);
      cluster(g, s, e0, pick_w(), 0.15, a, b);
      const double w = g.unit();
      c = w < 0.3   ? zero_code(g, c_fmt())
          : w < 0.6 ? (uint32_t(g.r()) & 0x007fffffu) | (g.p(0.5) ? 0x80000000u : 0u)
          : w < 0.8 ? c_near(g, g.range(-130, -120))
                    : c_near(g, e0 + g.range(-10, 30));
      break;
    }
    case Huge: {  // products near 2^128 (where the formats reach), c near the fp32 maximum
      const int e0 = phi >= 126 ? g.range(120, std::min(phi, 131)) : g.range(phi - 4, phi);
      cluster(g, s, e0, g.p(0.5) ? 2 : pick_w(), 0.1, a, b);
      const double w = g.unit();
      if (w < 0.4)
        c = (g.p(0.5) ? 0x80000000u : 0u) | (uint32_t(g.range(250, 254)) << 23) | frac_bits(g, 23);
      else if (w < 0.6)
        c = zero_code(g, c_fmt());
      else
        c = c_mix(g, e0);
      break;
    }
    case Subnormal: {  // subnormal operands among normal ones
      const int e0 = g.p(0.5) ? g.range(plo, plo + 30) : g.range(std::max(plo, -40), std::min(phi, 10));
      for (int j = 0; j < k; ++j) {
        if (g.p(0.5)) {
          const bool sa = g.p(0.5);
          const A::Fmt& fs = sa ? s.a : s.b;
          const A::Fmt& fo = sa ? s.b : s.a;
          const int es = g.range(lo_exp(fs), fs.emin() - 1);
          const bool n1 = g.p(0.5);
          const uint32_t xs = fin_code(g, fs, es, n1);
          const uint32_t xo = fin_code(g, fo, e0 - es - g.range(0, 6), g.p(0.5));
          (sa ? a[j] : b[j]) = xs;
          (sa ? b[j] : a[j]) = xo;
        } else if (g.p(0.8)) {
          prod_pair(g, s.a, s.b, e0 - g.range(0, 30), g.p(0.5), a[j], b[j]);
        } else {
          a[j] = zero_code(g, s.a);
          b[j] = any_code(g, s.b);
          if (A::decode(s.b, b[j]).kind != tcref::Kind::Finite) b[j] = 0;
        }
      }
      c = g.p(0.3) ? (uint32_t(g.r()) & 0x007fffffu) | (g.p(0.5) ? 0x80000000u : 0u) : c_mix(g, e0);
      break;
    }
    case Sparse: {  // one or two nonzero products, the rest zeros of both signs
      for (int j = 0; j < k; ++j) {
        a[j] = zero_code(g, s.a);
        b[j] = g.p(0.5) ? zero_code(g, s.b) : fin_code(g, s.b, g.range(-3, 3), g.p(0.5));
      }
      const int n = g.range(1, 2), e0 = std::clamp(g.range(-30, 30), plo, phi);
      for (int i = 0; i < n; ++i) {
        const int j = int(g.u(uint64_t(k)));
        prod_pair(g, s.a, s.b, e0 - g.range(0, 28), g.p(0.5), a[j], b[j]);
      }
      c = c_mix(g, e0);
      break;
    }
    case Zeros: {  // every product zero
      for (int j = 0; j < k; ++j) {
        if (g.p(0.5))
          a[j] = zero_code(g, s.a), b[j] = g.p(0.5) ? zero_code(g, s.b) : fin_code(g, s.b, g.range(-8, 8), g.p(0.5));
        else
          a[j] = fin_code(g, s.a, g.range(-8, 8), g.p(0.5)), b[j] = zero_code(g, s.b);
      }
      const double w = g.unit();
      c = w < 0.5   ? zero_code(g, c_fmt())
          : w < 0.7 ? (uint32_t(g.r()) & 0x007fffffu) | 1u | (g.p(0.5) ? 0x80000000u : 0u)
                    : c_near(g, g.range(-149, 127));
      break;
    }
    case Ties: {  // few significant bits at the alignment boundaries: ties, exact cuts
      const int e0 = std::clamp(g.range(-12, 12), std::min(plo + 40, phi), phi);
      static const int offs[] = {0, 0, 1, 8, 22, 23, 24, 25, 26, 30, 31, 32, 33};
      for (int j = 0; j < k; ++j) {
        if (g.p(0.3)) continue;  // +0 x +0
        const int ep = std::max(e0 - offs[g.u(13)], plo);
        const int lo = std::max(lo_exp(s.a), ep - s.b.emax()), hi = std::min(s.a.emax(), ep - lo_exp(s.b));
        const int ea = std::clamp(ep / 2 + g.range(-1, 1), lo, hi);
        const bool na = g.p(0.5), np = g.p(0.5);
        a[j] = few_code(g, s.a, ea, na);
        b[j] = few_code(g, s.b, ep - ea, na != np);
      }
      const double w = g.unit();
      const int ec = std::clamp(e0 + g.range(-34, 34), -149, 127);
      if (w < 0.2) {
        c = zero_code(g, c_fmt());
      } else {
        c = fin_code(g, c_fmt(), ec, g.p(0.5));
        if (ec >= -126 && g.p(0.7)) c = (c & 0xff800000u) | (g.p(0.5) ? 0u : (1u << g.range(0, 22)));
      }
      break;
    }
    case Specials: {
      const int e0 = std::clamp(g.range(-10, 10), plo, phi);
      cluster(g, s, e0, pick_w(), 0.2, a, b);
      c = c_mix(g, e0);
      const int n = g.range(1, 2);
      for (int i = 0; i < n; ++i) {
        const int j = int(g.u(uint64_t(k)));
        const double w = g.unit();
        if (w < 0.4) {
          a[j] = special_code(g, s.a);
        } else if (w < 0.7) {
          b[j] = special_code(g, s.b);
        } else if (w < 0.85) {  // inf * 0 (fnuz: NaN * 0)
          a[j] = special_code(g, s.a);
          b[j] = zero_code(g, s.b);
        } else {
          c = special_code(g, c_fmt());
        }
      }
      break;
    }
    case CancelC: {  // c about -(the products' sum): exact or near cancellation
      const int e0 = g.p(0.7) ? std::clamp(g.range(-20, 20), plo, phi) : g.range(plo, std::min(phi, 128));
      cluster(g, s, e0, pick_w(), 0.1, a, b);
      const Exact t = product_sum(s, a, b);
      if (t.n == 0) {
        c = c_mix(g, e0);
        break;
      }
      c = A::rne_fp32(neg(t));
      if ((c & 0x7f800000u) == 0x7f800000u) {
        c = c_near(g, 127);
        break;
      }
      const int64_t mag = int64_t(c & 0x7fffffffu) + (g.p(0.4) ? (g.p(0.5) ? 1 : -1) : 0);  // one ulp off
      if (mag > 0 && mag < 0x7f800000) c = (c & 0x80000000u) | uint32_t(mag);
      break;
    }
    case LateC: {  // c a few binades above the products (e_max < e_c) and cancelling them,
                   // also around 2^-126 (the subnormal-aware normalisation, e_c = -126)
      const bool tiny = plo < -150 && g.p(0.4);
      const int e0 = tiny ? g.range(-156, -118) : std::clamp(g.range(-20, 20), plo, phi);
      cluster(g, s, e0, g.p(0.5) ? g.range(0, 3) : pick_w(), 0.1, a, b);
      if (g.p(0.5))  // every product of one sign, so that the sum climbs above e_max
        for (int j = 0; j < k; ++j) {
          const auto x = A::decode(s.a, a[j]), y = A::decode(s.b, b[j]);
          if (x.kind == tcref::Kind::Finite && y.kind == tcref::Kind::Finite && x.neg != y.neg) a[j] ^= s.a.sign_bit();
        }
      const Exact t = product_sum(s, a, b);
      if (t.n == 0 || g.p(0.3)) {  // c above the products, any fraction, either sign
        c = c_near(g, (tiny ? g.range(-130, -118) : e0 + g.range(1, 8)));
        break;
      }
      c = A::rne_fp32(neg(t));
      if ((c & 0x7f800000u) == 0x7f800000u || (c & 0x7fffffffu) == 0) {
        c = c_near(g, e0 + 2);
        break;
      }
      const int64_t mag = int64_t(c & 0x7fffffffu) + g.range(-3, 3);  // a few ulps off
      if (mag > 0 && mag < 0x7f800000) c = (c & 0x80000000u) | uint32_t(mag);
      break;
    }
    case LateTies: {  // c = +-2^ec (few bits), products of few bits at er - d for the d where
                      // the late-c floors and the final RNE meet (ties, sticky bits, cancellation)
      const bool tiny = plo < -150 && g.p(0.4);
      const int ec = tiny ? (g.p(0.5) ? g.range(-129, -124) : g.range(-149, -124)) : g.range(-10, 10);
      const bool cneg = g.p(0.5);
      if (tiny && g.p(0.15)) {
        c = zero_code(g, c_fmt());
      } else if (g.p(0.5)) {
        c = A::rne_fp32(ec >= -149 ? (cneg ? neg(pw(ec)) : pw(ec)) : Exact{});
      } else {
        c = few_code(g, c_fmt(), ec, cneg);
      }
      static const int ds[] = {-1, 0, 1, 2, 7, 8, 9, 22, 23, 24, 25, 26, 30, 31, 32, 33, 34, 40};
      const int er = tiny ? -126 : ec;  // the binade the products are placed below (tiny: -126,
                                        // whose grids the subnormal-aware normalisation keeps)
      auto put = [&](int j, int d, bool np, bool pow2) {
        const int ep = std::clamp(er - d, plo, phi);
        const int lo = std::max(lo_exp(s.a), ep - s.b.emax()), hi = std::min(s.a.emax(), ep - lo_exp(s.b));
        const int ea = std::clamp(ep / 2 + g.range(-1, 1), lo, hi);
        const bool na = g.p(0.5);
        a[j] = few_code(g, s.a, ea, na);
        b[j] = few_code(g, s.b, ep - ea, na != np);
        if (pow2) {  // exactly +-2^ep: powers of two (normal or subnormal)
          a[j] = A::encode_exact(s.a, na ? neg(pw(ea)) : pw(ea));
          b[j] = A::encode_exact(s.b, (na != np) ? neg(pw(ep - ea)) : pw(ep - ea));
        }
      };
      if (g.p(0.5)) {  // a round bit and one sticky bit below c's binade (the late floors' grids)
        std::vector<int> pos(static_cast<size_t>(k));
        for (int j = 0; j < k; ++j) pos[size_t(j)] = j;
        std::shuffle(pos.begin(), pos.end(), g.r);
        const bool np = g.p(0.6) ? cneg : !cneg;
        put(pos[0], g.range(23, 25), np, true);
        if (k > 1) put(pos[1], g.range(24, 36), g.p(0.8) ? np : !np, true);
        if (k > 2 && g.p(0.3)) put(pos[2], g.range(-2, 40), g.p(0.5), g.p(0.5));
      } else {
        const int n = g.range(1, std::min(k, 4));
        for (int i = 0; i < n; ++i) put(int(g.u(uint64_t(k))), ds[g.u(std::size(ds))], g.p(0.6) ? cneg : !cneg, false);
      }
      break;
    }
    default:
      break;
  }
}

struct Row {
  std::string gpu, instr, a, b;
  A::Instr ref;
  std::string label() const { return gpu + " " + instr + " " + a + "x" + b + "->fp32 (" + A::mode_name(ref.mode) + ")"; }
};

// Every row of the reference's table and every input pair, for every GPU of the row.
std::vector<Row> all_rows() {
  std::vector<Row> v;
  for (const auto& t : A::table())
    for (const auto& gpu : t.gpus)
      for (const auto& ta : t.inputs)
        for (const auto& tb : t.inputs) v.push_back(Row{gpu, t.instr, ta, tb, *A::instr_for(gpu, t.instr, ta, tb)});
  return v;
}
// The last GPU of each group carries the bulk of the cases.
bool main_gpu(const std::string& g) { return g == "mi100" || g == "mi250x" || g == "mi300x"; }

size_t total_cases() {
  if (const char* e = std::getenv("ARITHSIM_AMD_RANDOM_CASES")) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(e, &end, 10);
    if (end != e && *end == '\0') return size_t(n);
  }
  return 3000000;
}
constexpr size_t kOtherGpuCases = 2000;  // per row of mi210, mi250, mi300a (beyond the total)

struct Tally {
  size_t cases = 0, mismatches = 0;
  std::map<std::string, size_t> by_class;  // "kind: want class -> got class"
  std::string first;
};

std::string result_class(uint32_t d) {
  if (d == A::kNanCode) return "nan";
  if ((d & 0x7f800000u) == 0x7f800000u) return (d & 0x7fffffu) ? "other-nan" : "inf";
  if ((d & 0x7fffffffu) == 0) return d ? "-0" : "+0";
  if ((d & 0x7f800000u) == 0) return "subnormal";
  return "normal";
}

void check_one(Tally& t, const Row& r, const units::MmaInstruction& mma, const char* what, const Codes& a,
               const Codes& b, uint32_t c) {
  ++t.cases;
  const uint32_t want = A::apply(r.ref, a, b, c);
  const uint32_t got = mma.apply(std::span<const uint32_t>(a), std::span<const uint32_t>(b), c);
  if (got == want) return;
  const std::string cls = std::string(what) + ": want " + result_class(want) + ", got " + result_class(got);
  if (t.by_class[cls]++ == 0 || t.mismatches < 8)
    t.first += "\n  " + r.label() + " [" + what + "] a=" + hex(a) + " b=" + hex(b) + " c=" + hex(c) + ": got " +
               hex(got) + " want " + hex(want);
  ++t.mismatches;
}

void report(const Tally& t, const std::string& label, double secs) {
  std::printf("%-58s %8zu cases, %6zu mismatches, %.1f s\n", label.c_str(), t.cases, t.mismatches, secs);
  EXPECT_EQ(t.mismatches, 0u) << label << ": " << t.mismatches << " of " << t.cases << " differ; classes:" << [&] {
    std::string s;
    for (const auto& [k, n] : t.by_class) s += "\n    " + k + ": " + std::to_string(n);
    return s;
  }() << "\nfirst (and the first of each class):" << t.first;
}

units::MmaSpec production_spec(const Row& r) {
  return pe::select_tensor_core(pe::builtin_tensor_core_presets(), r.gpu, r.instr, r.a, r.b, "fp32").spec;
}

class AmdMfmaRandom : public ::testing::TestWithParam<size_t> {};

TEST_P(AmdMfmaRandom, MatchesReference) {
  const auto rows = all_rows();
  const Row& r = rows.at(GetParam());
  size_t n_main = 0;
  for (const auto& x : rows) n_main += main_gpu(x.gpu);
  const size_t n = main_gpu(r.gpu) ? (total_cases() + n_main - 1) / n_main : std::min(kOtherGpuCases, total_cases());
  const auto t0 = std::chrono::steady_clock::now();
  units::MmaSpec spec;
  try {
    spec = production_spec(r);
  } catch (const std::exception& e) {
    FAIL() << r.label() << ": the presets have no such instruction: " << e.what();
  }
  ASSERT_EQ(spec.k, r.ref.k) << r.label() << ": the preset's k is not the instruction's k";
  const units::MmaInstruction mma(spec);
  Gen g(0x414d44ull * 1000003ull + GetParam());
  Tally t;
  Codes a, b;
  uint32_t c = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t slot = (i * 1000) / n;
    size_t acc = 0;
    int kd = 0;
    for (; kd < kKinds - 1; ++kd) {
      acc += size_t(kKindShare[kd]);
      if (slot < acc) break;
    }
    make_case(g, r.ref, Kind(kd), a, b, c);
    check_one(t, r, mma, kKindName[kd], a, b, c);
  }
  report(t, r.label(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

INSTANTIATE_TEST_SUITE_P(Amd, AmdMfmaRandom, ::testing::Range<size_t>(0, all_rows().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           const Row r = all_rows().at(info.param);
                           std::string s = r.gpu + "_" + r.instr + "_" + r.a + "_" + r.b;
                           for (char& ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

// Every (gpu, instr, a, b) of the reference's table is a preset of the production presets
// with the same k.
TEST(AmdMfmaPresets, EveryInstructionIsAPreset) {
  for (const auto& r : all_rows()) {
    try {
      EXPECT_EQ(production_spec(r).k, r.ref.k) << r.label();
    } catch (const std::exception& e) {
      ADD_FAILURE() << r.label() << ": " << e.what();
    }
  }
}

// ------------------------------------------------------------------ 3. exhaustive subsets
// Every fp8 code pair (a0, b0) of each input pair of mi300x at position 0, and at position 1
// beside a fixed product -1 at position 0 (the other parity group), with c from a small set.
TEST(AmdMfmaExhaustive, Fp8SingleAndBesideOne) {
  for (const char* ta : {"e4m3fnuz", "e5m2fnuz"})
    for (const char* tb : {"e4m3fnuz", "e5m2fnuz"}) {
      const Row r{"mi300x", "mfma", ta, tb, *A::instr_for("mi300x", "mfma", ta, tb)};
      units::MmaSpec spec;
      try {
        spec = production_spec(r);
      } catch (const std::exception& e) {
        FAIL() << r.label() << ": " << e.what();
      }
      const units::MmaInstruction mma(spec);
      Tally t;
      const auto t0 = std::chrono::steady_clock::now();
      const uint32_t cset[] = {0x00000000u, 0x80000000u, 0xbe200000u /* -0.15625 */, 0x33800000u /* 2^-24 */};
      const uint32_t m1a = A::encode_exact(r.ref.a, neg(pw(0))), m1b = A::encode_exact(r.ref.b, pw(0));
      for (uint32_t x = 0; x < 256; ++x)
        for (uint32_t y = 0; y < 256; ++y)
          for (uint32_t c : cset) {
            Codes a(16, 0), b(16, 0);
            a[0] = x, b[0] = y;
            check_one(t, r, mma, "single", a, b, c);
            a[0] = m1a, b[0] = m1b, a[1] = x, b[1] = y;
            check_one(t, r, mma, "beside -1", a, b, c);
          }
      report(t, r.label() + " exhaustive", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
}

// CDNA2 bf16 (mi250x, k = 2): every bf16 code as a1 beside a fixed product p0 = 1 (and -1), b1
// from a few values, c from a few values.
TEST(AmdMfmaExhaustive, Cdna2Bf16BesideOne) {
  const Row r{"mi250x", "mfma", "bf16", "bf16", *A::instr_for("mi250x", "mfma", "bf16", "bf16")};
  units::MmaSpec spec;
  try {
    spec = production_spec(r);
  } catch (const std::exception& e) {
    FAIL() << r.label() << ": " << e.what();
  }
  const units::MmaInstruction mma(spec);
  Tally t;
  const auto t0 = std::chrono::steady_clock::now();
  const uint32_t bset[] = {0x3f80u /* 1 */, 0x3fc0u /* 1.5 */, 0x0001u /* subnormal */, 0x7f80u /* inf */};
  const uint32_t cset[] = {0x00000000u, 0x80000000u, 0xbf800000u /* -1 */, 0x00400000u /* subnormal */};
  for (uint32_t x = 0; x < 65536; ++x)
    for (uint32_t y : bset)
      for (uint32_t c : cset) {
        check_one(t, r, mma, "beside 1", Codes{0x3f80u, x}, Codes{0x3f80u, y}, c);
        check_one(t, r, mma, "beside -1", Codes{0xbf80u, x}, Codes{0x3f80u, y}, c);
      }
  report(t, r.label() + " exhaustive", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace
