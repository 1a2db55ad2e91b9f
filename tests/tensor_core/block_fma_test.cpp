// The tensor-core block FMA (units::MmaInstruction) and the GEMM level above it
// (units::mma_dot) against the independent exact reference in block_fma_reference.hpp:
//  A. every built-in preset row and every input pair it takes, on random and exhaustive
//     inputs (BlockFmaRandom, BlockFmaExhaustive, BlockFmaVariant);
//  B. directed cases whose expected codes are derived by hand in the comments
//     (BlockFmaDirected; each also checks the reference against the same hand value);
//  C. mma_dot: chaining over K, promotion, split-K and the epilogue (MmaDot*).
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/units/mma_instruction.hpp>
#include <arithsim/models/units/mma_schedule.hpp>

#include "block_fma_reference.hpp"

namespace {

using namespace arithsim;
using Codes = std::vector<uint32_t>;
namespace R = arithsim::tcref;

// ------------------------------------------------------------------ spec plumbing
// The reference's format of a minifloat ElementFormat: only E, M and the convention are read
// (the reference decodes the bits itself); a non-default bias or another convention fails.
R::Fmt ref_fmt(const formats::ElementFormat& f) {
  const auto* m = std::get_if<formats::MinifloatSpec>(&f.spec());
  if (!m) throw std::invalid_argument("not a minifloat: " + f.name());
  if (m->bias != (1 << (m->e - 1)) - 1) throw std::invalid_argument("non-IEEE bias: " + f.name());
  if (m->conv != formats::FloatConvention::IEEE && m->conv != formats::FloatConvention::FN)
    throw std::invalid_argument("unexpected convention: " + f.name());
  R::Fmt r{m->e, m->m, m->conv == formats::FloatConvention::FN, ""};
  return r;
}

R::Spec to_ref(const units::MmaSpec& m) {
  R::Spec s;
  s.a = ref_fmt(m.a);
  s.b = ref_fmt(m.b);
  s.out = ref_fmt(m.out);
  s.block_result = ref_fmt(m.block_result);
  s.k = m.k;
  s.block = m.block;
  s.interleave = m.interleave;
  s.F = m.fma.fraction_bits;
  if (m.fma.exp_floor != units::BlockFmaSpec::kNoFloor) s.exp_floor = m.fma.exp_floor;
  s.cut_floor = m.fma.cut == units::AlignCut::Floor;
  if (m.block_rounding == formats::Rounding::NearestEven)
    s.block_rounding = R::Round::RNE;
  else if (m.block_rounding == formats::Rounding::TowardZero)
    s.block_rounding = R::Round::RTZ;
  else
    throw std::invalid_argument("unexpected block rounding");
  if (m.sum != units::BlockSum::Aligned || m.c == units::AddendPlace::LateRd)
    throw std::invalid_argument("not an aligned block FMA (amd_mfma_random_test.cpp covers the others)");
  s.c_late = m.c == units::AddendPlace::LateRne;
  s.nan_code = m.nan_code;
  if (m.operand_format) s.operand_format = ref_fmt(*m.operand_format);
  return s;
}

const pe::TensorCorePresets& presets() { return pe::builtin_tensor_core_presets(); }

// The rows of this reference: NVIDIA's aligned block FMA without block scales (the AMD rows'
// datapaths are tested against their own reference in amd_mfma_random_test.cpp, the
// block-scaled rows in block_scaled_test.cpp).
bool aligned_row(const pe::TensorCorePreset& row) {
  return row.spec.sum == units::BlockSum::Aligned && row.spec.c != units::AddendPlace::LateRd && !row.spec.scale;
}
std::vector<size_t> aligned_rows() {
  std::vector<size_t> v;
  for (size_t r = 0; r < presets().rows.size(); ++r)
    if (aligned_row(presets().rows[r])) v.push_back(r);
  return v;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string r;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) r += sep;
    r += v[i];
  }
  return r;
}

struct Case {
  std::string label;  // gpus instrs a x b -> out
  units::MmaSpec spec;
  R::Spec ref;
};

// Every input pair of preset row r.
std::vector<Case> cases_of_row(size_t r) {
  const auto& p = presets();
  const auto& row = p.rows.at(r);
  std::vector<Case> v;
  for (const auto& ta : row.inputs)
    for (const auto& tb : row.inputs) {
      Case c;
      c.label = join(row.gpus, ",") + " " + join(row.instrs, ",") + " " + ta + "x" + tb + "->" + row.out;
      c.spec = row.spec;
      c.spec.a = formats::ElementFormat::parse(p.formats.at(ta));
      c.spec.b = formats::ElementFormat::parse(p.formats.at(tb));
      c.ref = to_ref(c.spec);
      v.push_back(std::move(c));
    }
  return v;
}

// The spec of gpu/instr a x b -> out through the preset selection.
units::MmaSpec sel(const char* gpu, const char* instr, const char* a, const char* b, const char* out) {
  return pe::select_tensor_core(presets(), gpu, instr, a, b, out).spec;
}

std::string hex(uint32_t x) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", x);
  return buf;
}
std::string hex(const Codes& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    s += hex(v[i]);
  }
  s += "]";
  return s;
}

// ------------------------------------------------------------------ generators
struct Gen {
  std::mt19937_64 r;
  explicit Gen(uint64_t seed) : r(seed) {}
  uint64_t u(uint64_t n) { return r() % n; }
  int range(int lo, int hi) { return lo + int(u(uint64_t(hi - lo + 1))); }
  bool p(double prob) { return double(r() >> 11) * 0x1p-53 < prob; }
};

bool special(const R::Fmt& f, uint32_t code) {
  const auto k = R::decode(f, code).kind;
  return k == R::Kind::Inf || k == R::Kind::NaN;
}
uint32_t mask_of(const R::Fmt& f) { return f.bits() >= 32 ? 0xffffffffu : ((1u << f.bits()) - 1u); }

uint32_t any_code(Gen& g, const R::Fmt& f, bool allow_special) {
  for (;;) {
    const uint32_t c = uint32_t(g.r()) & mask_of(f);
    if (allow_special || !special(f, c)) return c;
  }
}

// A finite nonzero code with floor(log2 |x|) near e (clamped into the format; below the
// normal range it is a subnormal with that leading bit).
uint32_t code_exp(Gen& g, const R::Fmt& f, int e, int sign = -1) {
  const bool neg = sign < 0 ? g.p(0.5) : sign == 1;
  const int lo = f.emin() - f.M;
  e = std::clamp(e, lo, f.emax());
  uint32_t code;
  const uint32_t frand = uint32_t(g.r()) & ((1u << f.M) - 1u);
  if (e < f.emin()) {
    const int lead = e - lo;  // bit position of the leading 1 in the fraction
    code = (1u << lead) | (frand & ((1u << lead) - 1u));
  } else {
    uint32_t fr = frand;
    const uint32_t ef = uint32_t(e + f.bias());
    if (f.fn && ef == (1u << f.E) - 1u && fr == (1u << f.M) - 1u) fr -= 1;  // not the NaN
    code = (ef << f.M) | fr;
  }
  return code | (neg ? f.sign_bit() : 0u);
}
uint32_t code_in(Gen& g, const R::Fmt& f, int lo, int hi) { return code_exp(g, f, g.range(lo, hi)); }
uint32_t zero_code(Gen& g, const R::Fmt& f) { return g.p(0.5) ? f.sign_bit() : 0u; }

// The exact sum of the finite products (for cancellation vectors).
R::Exact product_sum(const R::Spec& s, const Codes& a, const Codes& b) {
  R::Exact sum;
  for (size_t j = 0; j < a.size(); ++j) {
    const auto A = R::decode(s.a, a[j]), B = R::decode(s.b, b[j]);
    if (A.kind == R::Kind::Finite && B.kind == R::Kind::Finite) sum = R::add(sum, R::mul(A.value(), B.value()));
  }
  return sum;
}

enum Dist { Uniform, Window, Cancel, LargeTiny, CSpan, CSub, Zeros, Sparse, Tiny, SubLarge, kDists };
const char* const kDistName[] = {"uniform", "window", "cancel", "large+tiny", "c-span", "c-subnormal",
                                 "zeros",   "sparse", "tiny",   "subnormal*large"};
// Shares of the vectors, per mille.
const int kDistShare[] = {200, 150, 150, 100, 150, 50, 50, 50, 50, 50};

void make_vector(Gen& g, const R::Spec& s, Dist d, Codes& a, Codes& b, uint32_t& c) {
  const int k = s.k;
  a.assign(k, 0);
  b.assign(k, 0);
  const R::Fmt &fa = s.a, &fb = s.b, &fo = s.out;
  auto window = [&](int e0, int w, double pzero) {
    for (int j = 0; j < k; ++j) {
      a[j] = code_in(g, fa, e0 - w, e0 + w);
      b[j] = code_in(g, fb, e0 - w, e0 + w);
      if (g.p(pzero)) (g.p(0.5) ? a[j] : b[j]) = zero_code(g, g.p(0.5) ? fa : fb);
    }
  };
  switch (d) {
    case Uniform: {
      const bool sp = g.p(0.03);
      for (int j = 0; j < k; ++j) {
        a[j] = any_code(g, fa, sp);
        b[j] = any_code(g, fb, sp);
      }
      c = any_code(g, fo, g.p(0.03));
      break;
    }
    case Window: {
      const int e0 = g.range(-4, 4);
      window(e0, 3, 0.1);
      c = g.p(0.1) ? zero_code(g, fo) : code_in(g, fo, 2 * e0 - 6, 2 * e0 + 8);
      break;
    }
    case Cancel: {
      const int e0 = g.range(-3, 3);
      window(e0, 2, 0.0);
      for (int j = 1; j < k; j += 2) {
        a[j] = a[j - 1] ^ fa.sign_bit();
        b[j] = b[j - 1];
        if (g.p(0.4)) {  // a nearby partner: a different last fraction bit
          const uint32_t nb = b[j] ^ 1u;
          if (!special(fb, nb) && R::decode(fb, nb).kind == R::Kind::Finite) b[j] = nb;
        }
      }
      if (g.p(0.5)) {  // move the partners apart (other blocks, other runs)
        std::vector<int> perm(k);
        for (int j = 0; j < k; ++j) perm[j] = j;
        std::shuffle(perm.begin(), perm.end(), g.r);
        Codes a2(k), b2(k);
        for (int j = 0; j < k; ++j) a2[perm[j]] = a[j], b2[perm[j]] = b[j];
        a = a2, b = b2;
      }
      const R::Exact sum = product_sum(s, a, b);
      if (g.p(0.6) && sum.n != 0) {
        c = R::round_to(fo, sum, g.p(0.5) ? R::Round::RNE : R::Round::RTZ) ^ fo.sign_bit();  // c ~ -sum
        if (special(fo, c)) c = 0;
      } else {
        c = g.p(0.3) ? zero_code(g, fo) : code_in(g, fo, 2 * e0 - 30, 2 * e0 + 4);
      }
      break;
    }
    case LargeTiny: {
      const int L = int(g.u(uint64_t(k)));
      const int ea = g.range(-2, 6), eb = g.range(-2, 6);
      for (int j = 0; j < k; ++j) {
        if (j == L) {
          a[j] = code_exp(g, fa, ea);
          b[j] = code_exp(g, fb, eb);
        } else {
          a[j] = code_exp(g, fa, ea - g.range(3, 20));
          b[j] = code_exp(g, fb, eb - g.range(3, 20));
          if (g.p(0.1)) a[j] = zero_code(g, fa);
        }
      }
      c = g.p(0.3) ? zero_code(g, fo) : code_in(g, fo, ea + eb - 40, ea + eb + 1);
      break;
    }
    case CSpan: {
      const int e0 = g.range(-3, 3);
      window(e0, 3, 0.1);
      c = g.p(0.5) ? code_in(g, fo, fo.emin() - fo.M, fo.emax()) : code_in(g, fo, 2 * e0 - 60, 2 * e0 + 60);
      break;
    }
    case CSub: {
      const double w = double(g.r() >> 11) * 0x1p-53;
      if (w < 0.3) {
        for (int j = 0; j < k; ++j) {  // every product zero
          if (g.p(0.5))
            a[j] = zero_code(g, fa), b[j] = any_code(g, fb, false);
          else
            a[j] = any_code(g, fa, false), b[j] = zero_code(g, fb);
        }
      } else if (w < 0.6) {  // tiny products, subnormal inputs among them
        for (int j = 0; j < k; ++j) {
          a[j] = code_in(g, fa, fa.emin() - fa.M, fa.emin() + 2);
          b[j] = code_in(g, fb, fb.emin() - fb.M, fb.emin() + 4);
          if (g.p(0.2)) b[j] = code_in(g, fb, -2, 2);
        }
      } else {
        window(g.range(-3, 3), 3, 0.2);
      }
      c = (uint32_t(g.r()) & ((1u << fo.M) - 1u)) | 1u | (g.p(0.5) ? fo.sign_bit() : 0u);
      break;
    }
    case Zeros: {
      for (int j = 0; j < k; ++j) {
        const bool za = g.p(0.5);
        a[j] = za ? zero_code(g, fa) : any_code(g, fa, false);
        b[j] = za && g.p(0.5) ? any_code(g, fb, false) : zero_code(g, fb);
      }
      if (g.p(0.05)) {  // inf * 0 somewhere
        const int j = int(g.u(uint64_t(k)));
        a[j] = fa.fn ? any_code(g, fa, false) : fa.inf_code(g.p(0.5));
        b[j] = zero_code(g, fb);
      }
      const double w = double(g.r() >> 11) * 0x1p-53;
      c = w < 0.6 ? zero_code(g, fo) : w < 0.8 ? any_code(g, fo, false) : (fo.sign_bit() & uint32_t(g.r())) | 1u;
      break;
    }
    case Sparse: {
      const int n = g.range(1, 3), e0 = g.range(-3, 3);
      for (int i = 0; i < n; ++i) {
        const int j = int(g.u(uint64_t(k)));
        a[j] = code_in(g, fa, e0 - 4, e0 + 4);
        b[j] = code_in(g, fb, e0 - 4, e0 + 4);
      }
      c = g.p(0.3) ? zero_code(g, fo) : code_in(g, fo, 2 * e0 - 30, 2 * e0 + 8);
      break;
    }
    case Tiny: {  // products near the fp32 subnormals and below (bf16, tf32: exp_floor matters)
      const int e0 = g.range(-75, -62);
      for (int j = 0; j < k; ++j) {
        a[j] = code_in(g, fa, e0 - 12, e0);
        b[j] = code_in(g, fb, e0 - 12, e0);
        if (g.p(0.2)) a[j] = zero_code(g, fa);
      }
      const double w = double(g.r() >> 11) * 0x1p-53;
      c = w < 0.5 ? zero_code(g, fo) : w < 0.8 ? (uint32_t(g.r()) & ((1u << fo.M) - 1u)) | (g.p(0.5) ? fo.sign_bit() : 0u)
                                               : code_in(g, fo, 2 * e0 - 20, 2 * e0 + 4);
      break;
    }
    case SubLarge: {  // a subnormal times a large operand sets e; small products below it
      const int L = int(g.u(uint64_t(k)));
      const int ea = g.range(fa.emin() - fa.M, fa.emin() - 1), eb = g.range(fb.emax() - 6, fb.emax());
      for (int j = 0; j < k; ++j) {
        if (j == L) {
          a[j] = code_exp(g, fa, ea);
          b[j] = code_exp(g, fb, eb);
        } else {
          const int ej = g.p(0.5) ? g.range(fa.emin() - fa.M, fa.emin() - 1) : g.range(fa.emin(), fa.emin() + 4);
          a[j] = code_exp(g, fa, ej);
          b[j] = code_exp(g, fb, ea + eb - ej - g.range(12, 30));
          if (g.p(0.2)) a[j] = zero_code(g, fa);
        }
      }
      c = g.p(0.5) ? zero_code(g, fo) : code_in(g, fo, ea + eb - 30, ea + eb + 2);
      break;
    }
    default:
      break;
  }
}

// ------------------------------------------------------------------ comparison
// Mismatches by class: "overflow" (the implementation gives what the reference's
// diagnostic variant saturate_rtz gives: an RTZ block overflow to the largest finite value
// instead of the rule's infinity) and "other", with the first few of each.
struct Tally {
  R::Spec ref, sat;
  size_t vectors = 0, mismatches = 0, overflow = 0;
  std::string first, first_overflow;
  explicit Tally(const R::Spec& s) { use(s); }
  void use(const R::Spec& s) {  // the spec of the following checks
    ref = sat = s;
    sat.saturate_rtz = true;
  }
  // Checks one vector against the reference; returns whether it matched.
  bool check(const std::string& label, const char* what, const Codes& a, const Codes& b, uint32_t c, uint32_t got) {
    ++vectors;
    const uint32_t want = R::apply(ref, a, b, c);
    if (got == want) return true;
    const std::string line = "\n  " + label + " [" + what + "] a=" + hex(a) + " b=" + hex(b) + " c=" + hex(c) +
                             ": got " + hex(got) + " want " + hex(want);
    if (got == R::apply(sat, a, b, c)) {
      if (overflow++ < 3) first_overflow += line;
    } else {
      if (mismatches++ < 5) first += line;
    }
    return false;
  }
  void expect_clean() const {
    EXPECT_EQ(mismatches, 0u) << mismatches << " of " << vectors << " differ; first:" << first;
    EXPECT_EQ(overflow, 0u) << overflow << " of " << vectors
                            << " differ where an RTZ block result overflows: the implementation gives the"
                               " largest finite value, the rule (3: overflow to inf, under rtz too) inf; first:"
                            << first_overflow;
  }
};

constexpr size_t kVectorsPerRow = 200000;  // per preset row, shared by its input pairs

class BlockFmaRandom : public ::testing::TestWithParam<size_t> {};

// A: random differential test of every preset row: 200,000 vectors per row in total, split
// evenly over the row's input pairs and over the distributions by kDistShare.
TEST_P(BlockFmaRandom, MatchesReference) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t r = GetParam();
  const auto cases = cases_of_row(r);
  ASSERT_FALSE(cases.empty());
  const size_t per_case = (kVectorsPerRow + cases.size() - 1) / cases.size();
  Tally t(cases[0].ref);
  std::vector<size_t> per_dist(kDists, 0);
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const Case& cs = cases[ci];
    const units::MmaInstruction mma(cs.spec);
    t.use(cs.ref);
    Gen g(0x9e3779b97f4a7c15ull * (r + 1) + ci);
    Codes a, b;
    uint32_t c = 0;
    for (size_t i = 0; i < per_case; ++i) {
      // distribution by share
      size_t slot = (i * 1000) / per_case, acc = 0;
      int d = 0;
      for (; d < kDists - 1; ++d) {
        acc += size_t(kDistShare[d]);
        if (slot < acc) break;
      }
      make_vector(g, cs.ref, Dist(d), a, b, c);
      ++per_dist[d];
      t.check(cs.label, kDistName[d], a, b, c, mma.apply(a, b, c));
    }
  }
  EXPECT_GE(t.vectors, kVectorsPerRow);
  t.expect_clean();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("row %zu (%s, %zu pairs): %zu vectors, %zu mismatches (+%zu overflow), %.1f s\n", r,
              cases[0].label.c_str(), cases.size(), t.vectors, t.mismatches, t.overflow, secs);
}

INSTANTIATE_TEST_SUITE_P(BlockFma, BlockFmaRandom, ::testing::ValuesIn(aligned_rows()));

// Every row's type names are what the reference's own name table says they are (so that a
// mis-declared format in the presets would not pass unnoticed through ref_fmt).
TEST(BlockFmaPresets, FormatsAreTheNamedOnes) {
  const auto& p = presets();
  EXPECT_EQ(aligned_rows().size(), 20u);
  for (const auto& row : p.rows) {
    if (!aligned_row(row)) continue;
    for (const auto& t : row.inputs) {
      const auto want = R::fmt_by_name(t);
      ASSERT_TRUE(want) << t;
      const R::Fmt got = ref_fmt(formats::ElementFormat::parse(p.formats.at(t)));
      EXPECT_EQ(got.E, want->E) << t;
      EXPECT_EQ(got.M, want->M) << t;
      EXPECT_EQ(got.fn, want->fn) << t;
    }
    const auto o = R::fmt_by_name(row.out);
    ASSERT_TRUE(o) << row.out;
    const R::Fmt got = ref_fmt(row.spec.out);
    EXPECT_EQ(got.E, o->E);
    EXPECT_EQ(got.M, o->M);
  }
}

// The NaN code of every row is the documented one (docs/pe/tensor_core.md: "the preset's NaN
// code (0x7fffffff; 0x7fff for fp16)"; the fp16 rows say nan: 0x7fff, the fp32 rows say
// nothing). The other tests take the NaN code from the preset, as the rule does.
TEST(BlockFmaPresets, NanCodesAreTheDocumentedOnes) {
  for (const auto& row : presets().rows) {
    if (!aligned_row(row)) continue;
    EXPECT_EQ(hex(row.spec.nan_code), hex(row.out == "fp16" ? 0x7fffu : 0x7fffffffu))
        << join(row.gpus, ",") << " " << join(row.instrs, ",") << " -> " << row.out;
  }
}

// A: exhaustive FP8: every (a0, b0) code pair of e4m3 x e4m3 (and of e5m2 x e5m2) as the only
// product at position 0 and at position 2 (the other interleaved block), for every FP8 row,
// c from a small set. 65,536 x 2 positions x 2 c values per row and pair.
TEST(BlockFmaExhaustive, Fp8SingleProducts) {
  const auto& p = presets();
  size_t rows = 0;
  for (size_t r = 0; r < p.rows.size(); ++r) {
    const auto& row = p.rows[r];
    if (std::find(row.inputs.begin(), row.inputs.end(), "e4m3") == row.inputs.end()) continue;
    ++rows;
    for (const auto& cs : cases_of_row(r)) {
      if (cs.ref.a.M != cs.ref.b.M) continue;  // the e4m3 x e4m3 and e5m2 x e5m2 pairs
      const units::MmaInstruction mma(cs.spec);
      const R::Fmt& fo = cs.ref.out;
      // c: -0, and one value that shares exponents with the products (-1.25 * 2^-3)
      const uint32_t cset[] = {fo.sign_bit(), R::round_to(fo, R::Exact{-5, -5}, R::Round::RNE)};
      Tally t(cs.ref);
      for (int pos : {0, 2})
        for (uint32_t x = 0; x < 256; ++x)
          for (uint32_t y = 0; y < 256; ++y)
            for (uint32_t c : cset) {
              Codes a(cs.ref.k, 0), b(cs.ref.k, 0);
              a[pos] = x;
              b[pos] = y;
              t.check(cs.label, "exhaustive", a, b, c, mma.apply(a, b, c));
            }
      EXPECT_EQ(t.vectors, 2u * 65536u * 2u);
      t.expect_clean();
    }
  }
  EXPECT_EQ(rows, 9u);
}

// A: exhaustive: every e4m3 x e4m3 pair at position 1 beside a fixed product 1.0 at position
// 0 (same block), on every FP8 row with c = 0: the cut of the second product at e = 0.
TEST(BlockFmaExhaustive, Fp8PairsBesideOne) {
  const auto& p = presets();
  for (size_t r = 0; r < p.rows.size(); ++r) {
    const auto& row = p.rows[r];
    if (std::find(row.inputs.begin(), row.inputs.end(), "e4m3") == row.inputs.end()) continue;
    const auto cases = cases_of_row(r);
    const Case& cs = cases[0];  // e4m3 x e4m3
    ASSERT_EQ(cs.ref.a.M, 3);
    ASSERT_EQ(cs.ref.b.M, 3);
    const units::MmaInstruction mma(cs.spec);
    Tally t(cs.ref);
    for (uint32_t x = 0; x < 256; ++x)
      for (uint32_t y = 0; y < 256; ++y) {
        Codes a(cs.ref.k, 0), b(cs.ref.k, 0);
        a[0] = 0x38, b[0] = 0xb8;  // -1
        a[1] = x, b[1] = y;
        t.check(cs.label, "beside -1", a, b, 0, mma.apply(a, b, 0));
      }
    t.expect_clean();
  }
}

// A: the options no preset uses, on random vectors of two rows: cut = floor, no exp_floor,
// contiguous blocks instead of interleaved ones, c first instead of late.
TEST(BlockFmaVariant, OtherOptionsMatchReference) {
  struct V {
    const char* what;
    units::MmaSpec spec;
  };
  std::vector<V> vs;
  {
    auto s = sel("a100", "mma.sync", "fp16", "fp16", "fp32");
    s.fma.cut = units::AlignCut::Floor;
    vs.push_back({"a100 fp16 cut=floor", s});
    s.fma.exp_floor = units::BlockFmaSpec::kNoFloor;
    vs.push_back({"a100 fp16 cut=floor no exp_floor", s});
    auto t = sel("b200", "mma.sync", "e4m3", "e5m2", "fp32");
    t.fma.cut = units::AlignCut::Floor;
    vs.push_back({"b200 fp8 cut=floor", t});
    t.interleave = 0;
    t.c = units::AddendPlace::First;
    vs.push_back({"b200 fp8 cut=floor contiguous c first", t});
    auto u = sel("a100", "mma.sync", "bf16", "bf16", "fp32");
    u.fma.exp_floor = units::BlockFmaSpec::kNoFloor;
    vs.push_back({"a100 bf16 no exp_floor", u});
  }
  for (size_t vi = 0; vi < vs.size(); ++vi) {
    const units::MmaInstruction mma(vs[vi].spec);
    const R::Spec ref = to_ref(vs[vi].spec);
    Gen g(1234 + vi);
    Tally t(ref);
    Codes a, b;
    uint32_t c = 0;
    for (int i = 0; i < 20000; ++i) {
      const Dist d = Dist(i % kDists);
      make_vector(g, ref, d, a, b, c);
      t.check(vs[vi].what, kDistName[d], a, b, c, mma.apply(a, b, c));
    }
    t.expect_clean();
  }
}

// ------------------------------------------------------------------ B: directed
// Each case: the hand-derived code `want`, checked against the implementation and the
// reference.
void expect_code(const units::MmaSpec& spec, const Codes& a, const Codes& b, uint32_t c, uint32_t want,
                 const char* what) {
  const units::MmaInstruction mma(spec);
  const uint32_t got = mma.apply(a, b, c);
  const uint32_t ref = R::apply(to_ref(spec), a, b, c);
  EXPECT_EQ(hex(got), hex(want)) << what << ": implementation; a=" << hex(a) << " b=" << hex(b) << " c=" << hex(c);
  EXPECT_EQ(hex(ref), hex(want)) << what << ": reference; a=" << hex(a) << " b=" << hex(b) << " c=" << hex(c);
}

// fp16 codes: 1.0 = 0x3c00, 1.5 = 0x3e00, 2 = 0x4000, 2^-11 = 0x1000, 2^-12 = 0x0c00,
// 2^-13 = 0x0800, 1.5 * 2^-12 = 0x0e00, 2^-14 = 0x0400 (min normal), 2^-15 = 0x0200 and
// 2^-24 = 0x0001 (subnormals, stored exponent -14).

// A100 fp16 -> fp32: k 16 = two blocks of 8, F = 24, block results fp32 RTZ.
TEST(BlockFmaDirected, BlockBoundary) {
  const auto a100 = sel("a100", "mma.sync", "fp16", "fp16", "fp32");
  // Products: p0 = 1, and 2^-24 (= 2^-12 * 2^-12) at index 7 and at index X.
  // X = 6: one block {1, 2^-24, 2^-24}: e = 0, q = 2^-24, S = 1 + 2^-23, exact in fp32 -> 0x3f800001.
  {
    Codes a(16, 0), b(16, 0);
    a[0] = b[0] = 0x3c00;
    a[7] = b[7] = 0x0c00;
    a[6] = b[6] = 0x0c00;
    expect_code(a100, a, b, 0, 0x3f800001, "8th product in block 0");
  }
  // X = 8 (the 9th product, block 1): block 0 = 1 + 2^-24 -> RTZ fp32 -> 1.0; block 1 = addend
  // 1.0 + 2^-24 -> RTZ -> 1.0 -> 0x3f800000.
  {
    Codes a(16, 0), b(16, 0);
    a[0] = b[0] = 0x3c00;
    a[7] = b[7] = 0x0c00;
    a[8] = b[8] = 0x0c00;
    expect_code(a100, a, b, 0, 0x3f800000, "9th product starts block 1");
    // H100 (one block of 16, F = 25): 1 + 2^-23 in one block -> 0x3f800001.
    expect_code(sel("h100", "mma.sync", "fp16", "fp16", "fp32"), a, b, 0, 0x3f800001, "h100 single block of 16");
  }
  // p0 = 1, p1..p8 = 2^-24: block 0 = 1 + 7 * 2^-24 -> RTZ -> 1 + 6 * 2^-24 = 0x3f800003;
  // block 1: 1 + 6 * 2^-24 + 2^-24 -> RTZ -> 0x3f800003 (one block of 9 would give
  // 1 + 8 * 2^-24 = 1 + 2^-21 = 0x3f800004, as H100 does).
  {
    Codes a(16, 0), b(16, 0);
    a[0] = b[0] = 0x3c00;
    for (int j = 1; j <= 8; ++j) a[j] = b[j] = 0x0c00;
    expect_code(a100, a, b, 0, 0x3f800003, "a100 1 + 8 * 2^-24 over two blocks");
    expect_code(sel("h100", "mma.sync", "fp16", "fp16", "fp32"), a, b, 0, 0x3f800004, "h100 1 + 8 * 2^-24");
  }
}

// V100 fp16 -> fp32: k = block = 4, F = 23, no exp_floor, RTZ fp32.
TEST(BlockFmaDirected, TruncationOfC) {
  const auto v100 = sel("v100", "mma.sync", "fp16", "fp16", "fp32");
  // c = 1 + 2^-23 (0x3f800001, stored exponent 0); product -2 = -2 * 1 (0xc000 * 0x3c00,
  // alignment 1 + 0 = 1): e = 1, q = 2^-22, c cut to 1; S = -1 -> 0xbf800000 (the exact
  // value -1 + 2^-23 would give 0xbf7ffffe).
  expect_code(v100, {0xc000}, {0x3c00}, 0x3f800001, 0xbf800000, "c low bit cut");
  // c = 1 + 3 * 2^-23 (0x3f800003) cut to 1 + 2^-22; S = -(1 - 2^-22) = 0xbf7ffffc
  // (exact: -(1 - 3 * 2^-23) = 0xbf7ffffa).
  expect_code(v100, {0xc000}, {0x3c00}, 0x3f800003, 0xbf7ffffc, "c cut to the 2^-22 grid");
  // A100 (F = 24): q = 2^-23 keeps c = 1 + 2^-23: S = -1 + 2^-23 = -(1 - 2^-23) = 0xbf7ffffe.
  expect_code(sel("a100", "mma.sync", "fp16", "fp16", "fp32"), {0xc000}, {0x3c00}, 0x3f800001, 0xbf7ffffe,
              "a100 keeps one more bit of c");
}

TEST(BlockFmaDirected, NegativeProductCutTowardZero) {
  auto v100 = sel("v100", "mma.sync", "fp16", "fp16", "fp32");
  // p0 = 1, p1 = -1.5 * 2^-12 * 2^-11 = -1.5 * 2^-23 (0x8e00 * 0x1000): e = 0, q = 2^-23.
  // Toward zero p1 -> -2^-23: S = 1 - 2^-23 = 0x3f7ffffe (floor would give -2^-22:
  // 1 - 2^-22 = 0x3f7ffffc).
  expect_code(v100, {0x3c00, 0x8e00}, {0x3c00, 0x1000}, 0, 0x3f7ffffe, "toward zero");
  // Both negative: p0 = -1: S = -(1 + 2^-23) = 0xbf800001 (floor: -(1 + 2^-22) = 0xbf800002).
  expect_code(v100, {0xbc00, 0x8e00}, {0x3c00, 0x1000}, 0, 0xbf800001, "toward zero, negative sum");
  // The floor option gives the other two.
  v100.fma.cut = units::AlignCut::Floor;
  expect_code(v100, {0x3c00, 0x8e00}, {0x3c00, 0x1000}, 0, 0x3f7ffffc, "floor");
  expect_code(v100, {0xbc00, 0x8e00}, {0x3c00, 0x1000}, 0, 0xbf800002, "floor, negative sum");
}

TEST(BlockFmaDirected, UnnormalizedProductExponent) {
  const auto v100 = sel("v100", "mma.sync", "fp16", "fp16", "fp32");
  // 1.5 * 1.5 = 2.25 aligns at 0 + 0 = 0 (significand product 2.25 in [0, 4)), so q = 2^-23
  // keeps the two products 2^-11 * 2^-12 = 2^-23: S = 2.25 + 2^-22. In fp32, 2.25 = 0x40100000
  // and the ulp in [2, 4) is 2^-22: 0x40100001.
  expect_code(v100, {0x3e00, 0x1000, 0x1000, 0}, {0x3e00, 0x0c00, 0x0c00, 0}, 0, 0x40100001, "1.5 * 1.5 aligns at 0");
  // 1.0 * 2.25 (0x4080 = 1.125 * 2^1) aligns at 0 + 1 = 1: q = 2^-22 cuts both 2^-23 to 0:
  // S = 2.25 = 0x40100000.
  expect_code(v100, {0x3c00, 0x1000, 0x1000, 0}, {0x4080, 0x0c00, 0x0c00, 0}, 0, 0x40100000, "1 * 2.25 aligns at 1");
}

TEST(BlockFmaDirected, SubnormalInputsAndOutputs) {
  const auto v100 = sel("v100", "mma.sync", "fp16", "fp16", "fp32");
  // fp16 subnormal 0x0001 = 2^-24 has stored exponent -14: p0 = 2^-24 * 1 aligns at -14,
  // q = 2^-37 (F = 23); p1 = 2^-14 * 2^-24 = 2^-38 (alignment -28) is cut to 0. S = 2^-24:
  // fp32 exponent field 103 -> 0x33800000 (aligned at -24 it would be 0x33800200).
  expect_code(v100, {0x0001, 0x0400}, {0x3c00, 0x0001}, 0, 0x33800000, "fp16 subnormal aligns at -14");
  // fp32 subnormal c = 2^-149 alone: alignment -126, q = 2^-149: d = c = 0x00000001.
  expect_code(v100, {0}, {0}, 0x00000001, 0x00000001, "fp32 subnormal c alone");
  // with the product 2^-24 * 2^-24 = 2^-48 (alignment -28, q = 2^-51) c is cut to 0:
  // S = 2^-48 = 0x27800000.
  expect_code(v100, {0x0001}, {0x0001}, 0x00000001, 0x27800000, "subnormal c cut below a tiny product");
  // bf16 subnormal 0x0001 = 2^-133 (stored exponent -126) times 2^64 (0x5f80): alignment -62,
  // q = 2^-86 (A100, F = 24). With p1 = 2^-45 * 2^-45 = 2^-90 (0x2900) cut to 0:
  // S = 2^-69 = 0x1d000000 (aligned at -69 it would be 0x1d000004).
  const auto a100bf = sel("a100", "mma.sync", "bf16", "bf16", "fp32");
  expect_code(a100bf, {0x0001, 0x2900}, {0x5f80, 0x2900}, 0, 0x1d000000, "bf16 subnormal aligns at -126 + 64");
  // fp32 subnormal output: 2^-70 * 2^-70 (0x1c80) = 2^-140 = 2^9 * 2^-149 -> 0x00000200.
  expect_code(a100bf, {0x1c80}, {0x1c80}, 0, 0x00000200, "fp32 subnormal result");
  // fp16 output (V100 fp16 -> fp16: one block, RNE): 2^-12 * 2^-13 = 2^-25 is half the
  // smallest subnormal 2^-24: a tie, to even: +0; negative: -0 = 0x8000.
  const auto v100h = sel("v100", "mma.sync", "fp16", "fp16", "fp16");
  expect_code(v100h, {0x0c00}, {0x0800}, 0, 0x0000, "2^-25 ties to +0");
  expect_code(v100h, {0x8c00}, {0x0800}, 0, 0x8000, "-2^-25 ties to -0");
  // A100 fp16 -> fp16 (two blocks of 8): block 0 gives -0; block 1 has no terms (a zero
  // addend is not a term): +0.
  const auto a100h = sel("a100", "mma.sync", "fp16", "fp16", "fp16");
  expect_code(a100h, {0x8c00}, {0x0800}, 0, 0x0000, "-0 of block 0, then block 1 gives +0");
  // 1.5 * 2^-12 * 2^-13 = 0.75 * 2^-24 -> 2^-24 = 0x0001.
  expect_code(a100h, {0x0e00}, {0x0800}, 0, 0x0001, "0.75 * 2^-24 rounds up");
  // 2^-25 + 1.5 * 2^-25 = 1.25 * 2^-24 -> 0x0001.
  expect_code(a100h, {0x0c00, 0x0e00}, {0x0800, 0x0800}, 0, 0x0001, "1.25 * 2^-24");
  // 1.5 * 2^-24 (0x0e00 * 0x0c00) ties to 2 * 2^-24 = 0x0002; 2^-24 + 1.5 * 2^-24 = 2.5 * 2^-24
  // ties to 0x0002.
  expect_code(a100h, {0x0e00}, {0x0c00}, 0, 0x0002, "1.5 * 2^-24 ties to even");
  expect_code(a100h, {0x0c00, 0x0e00}, {0x0c00, 0x0c00}, 0, 0x0002, "2.5 * 2^-24 ties to even");
  // 1 * 3 * 2^-24 (0x0003, alignment 0 - 14) + c = 2^-24 (0x0001, alignment -14): q = 2^-38,
  // S = 4 * 2^-24 = 0x0004.
  expect_code(a100h, {0x3c00}, {0x0003}, 0x0001, 0x0004, "fp16 subnormal c and product");
}

TEST(BlockFmaDirected, OverflowUnderRtzBf16) {
  const auto a100bf = sel("a100", "mma.sync", "bf16", "bf16", "fp32");
  // bf16 2^64 = 0x5f80, 2^63 = 0x5f00, -2^64 = 0xdf80.
  // 2^64 * 2^64 = 2^128 >= 2^(127 + 1): +inf even under RTZ.
  expect_code(a100bf, {0x5f80}, {0x5f80}, 0, 0x7f800000, "2^128 -> +inf");
  expect_code(a100bf, {0xdf80}, {0x5f80}, 0, 0xff800000, "-2^128 -> -inf");
  // 2^127 + 2^127 = 2^128 -> +inf.
  expect_code(a100bf, {0x5f00, 0x5f00}, {0x5f80, 0x5f80}, 0, 0x7f800000, "2^127 + 2^127 -> +inf");
  // p0 = 2^127 (alignment 127, q = 2^103), c = 2^127 - 2^103 (0x7effffff, on the grid):
  // S = 2^128 - 2^103, above max = 2^128 - 2^104 and below 2^128: RTZ gives max 0x7f7fffff
  // (RNE would tie to 2^128 = inf).
  expect_code(a100bf, {0x5f00}, {0x5f80}, 0x7effffff, 0x7f7fffff, "between max and 2^128 -> max");
  expect_code(sel("h100", "mma.sync", "bf16", "bf16", "fp32"), {0x5f00}, {0x5f80}, 0x7effffff, 0x7f7fffff,
              "h100 between max and 2^128 -> max");
  // c = 2^127 (0x7f000000): S = 2^128 -> +inf.
  expect_code(a100bf, {0x5f00}, {0x5f80}, 0x7f000000, 0x7f800000, "2^127 + c 2^127 -> +inf");
}

TEST(BlockFmaDirected, NanAndInfRules) {
  const auto v = sel("v100", "mma.sync", "fp16", "fp16", "fp32");
  // The NaN code is the preset's (BlockFmaPresets.NanCodesAreTheDocumentedOnes checks it).
  const uint32_t nan32 = v.nan_code;
  // fp16 +inf = 0x7c00, NaN 0x7e00 / 0x7c01, -1 = 0xbc00; fp32 +inf 0x7f800000.
  expect_code(v, {0x7c00}, {0x3c00}, 0, 0x7f800000, "inf * 1");
  expect_code(v, {0x7c00}, {0xbc00}, 0, 0xff800000, "inf * -1");
  expect_code(v, {0x7c00}, {0x0000}, 0, nan32, "inf * 0");
  expect_code(v, {0x8000, 0x3c00}, {0xfc00, 0x3c00}, 0, nan32, "-0 * -inf");
  expect_code(v, {0x7c00, 0x7c00}, {0x3c00, 0xbc00}, 0, nan32, "inf - inf among products");
  expect_code(v, {0x7c00}, {0x3c00}, 0xff800000, nan32, "inf product, c = -inf");
  expect_code(v, {0x7c00}, {0x3c00}, 0x7f800000, 0x7f800000, "inf product, c = +inf");
  expect_code(v, {0x3c00}, {0x3c00}, 0xff800000, 0xff800000, "c = -inf");
  expect_code(v, {0x3c00}, {0x3c00}, 0x7fc00000, nan32, "c = NaN");
  expect_code(v, {0x7e00}, {0x0000}, 0, nan32, "NaN * 0");
  expect_code(v, {0x3c00, 0x7c01}, {0x3c00, 0x3c00}, 0, nan32, "NaN payload 1");
  // Across blocks (A100, block 8): +inf at index 0, -inf at index 8.
  {
    Codes a(16, 0), b(16, 0x3c00);
    a[0] = 0x7c00, a[8] = 0xfc00;
    expect_code(sel("a100", "mma.sync", "fp16", "fp16", "fp32"), a, b, 0, nan32, "+inf and -inf in two blocks");
  }
  // fp16 output: NaN code 0x7fff, infinities 0x7c00 / 0xfc00.
  const auto vh = sel("v100", "mma.sync", "fp16", "fp16", "fp16");
  expect_code(vh, {0x7c00}, {0x3c00}, 0, 0x7c00, "fp16 out inf");
  expect_code(vh, {0x7c00}, {0x0000}, 0, 0x7fff, "fp16 out inf * 0");
  expect_code(vh, {0x3c00}, {0x3c00}, 0xfc00, 0xfc00, "fp16 out c = -inf");
  // e4m3 (B200 mma.sync): NaN only 0x7f / 0xff; 0x78 = 2^8 = 256 and 0x7e = 448 are normal.
  const auto b8 = sel("b200", "mma.sync", "e4m3", "e4m3", "fp32");
  expect_code(b8, {0x7f}, {0x38}, 0, nan32, "e4m3 NaN");
  expect_code(b8, {0xff}, {0x00}, 0, nan32, "e4m3 -NaN * 0");
  expect_code(b8, {0x78}, {0x38}, 0, 0x43800000, "e4m3 0x78 = 256");
  // 448 * 448 = 200704 = 1.53125 * 2^17: fp32 field 144, fraction 0x440000 -> 0x48440000.
  expect_code(b8, {0x7e}, {0x7e}, 0, 0x48440000, "e4m3 448 * 448");
  // e5m2: 0x7c = +inf, 0x7d NaN, 0x3c = 1.
  const auto b55 = sel("b200", "mma.sync", "e5m2", "e5m2", "fp32");
  expect_code(b55, {0x7c}, {0x3c}, 0, 0x7f800000, "e5m2 inf");
  expect_code(b55, {0x7d}, {0x3c}, 0, nan32, "e5m2 NaN");
  expect_code(b55, {0xfc}, {0x3c}, 0x7f800000, nan32, "e5m2 -inf, c +inf");
  expect_code(sel("b200", "mma.sync", "e5m2", "e4m3", "fp32"), {0x7c}, {0x00}, 0, nan32, "e5m2 inf * e4m3 0");
  // A block overflowing to inf gives inf, late c notwithstanding (B200 fp16 out: 448 * 448
  // rounds to inf in the fp16 block result).
  expect_code(sel("b200", "mma.sync", "e4m3", "e4m3", "fp16"), {0x7e}, {0x7e}, 0xfbff, 0x7c00, "block overflow");
}

// B200 mma.sync FP8 -> fp32: k 32, two blocks of 16 in runs of 2 (products 0,1,4,5,... in
// block 0; 2,3,6,7,... in block 1), F = 25, fp32 RTZ, c late.
TEST(BlockFmaDirected, Interleave) {
  const auto b8 = sel("b200", "mma.sync", "e4m3", "e4m3", "fp32");
  // p0 = 2^3 * 2^3 = 64 (0x50, alignment 6, q = 2^-19); tiny = 2^-9 * 2^-9 = 2^-18 (0x01).
  // Two tinies in the block of 64: 64 + 2^-17 = 64 * (1 + 2^-23) = 0x42800001.
  // One in each block: 64 + 2^-18 -> RTZ -> 64, twice: 0x42800000.
  auto run = [&](int x, int y, uint32_t want, const char* what, const units::MmaSpec& s) {
    Codes a(32, 0), b(32, 0);
    a[0] = b[0] = 0x50;
    a[x] = b[x] = 0x01;
    a[y] = b[y] = 0x01;
    expect_code(s, a, b, 0, want, what);
  };
  run(1, 4, 0x42800001, "1 and 4 in block 0", b8);
  run(1, 5, 0x42800001, "1 and 5 in block 0", b8);
  run(16, 17, 0x42800001, "16 and 17 in block 0 (contiguous blocks would split)", b8);
  run(1, 2, 0x42800000, "2 in block 1", b8);
  run(1, 3, 0x42800000, "3 in block 1", b8);
  run(1, 6, 0x42800000, "6 in block 1", b8);
  // Both in block 1: block 0 = 64, block 1 = 64 + 2^-17 = 0x42800001.
  run(2, 7, 0x42800001, "2 and 7 in block 1", b8);
  // The same on H100 mma.sync, and tcgen05 (one block of 32): always one block.
  run(1, 2, 0x42800000, "h100 mma.sync 2 in block 1", sel("h100", "mma.sync", "e4m3", "e4m3", "fp32"));
  run(1, 2, 0x42800001, "tcgen05 one block", sel("b200", "tcgen05", "e4m3", "e4m3", "fp32"));
}

// H100 / B200 mma.sync FP8 take the operands as fp16 (operand_format): an e4m3 subnormal is
// an fp16 normal there, so a product with it aligns lower than its e4m3 stored exponent says.
TEST(BlockFmaDirected, Fp8OperandsAsFp16) {
  // e4m3 0x01 = 2^-9 (e4m3: subnormal, stored exponent -6; fp16: normal, stored exponent -9).
  // e5m2 0x7b = 1.75 * 2^15, 0x18 = 2^-9. Block 0 (indices 0, 1, 4):
  // p0 = 2^-9 * 1.75 * 2^15 = 112, alignment -9 + 15 = 6 (as fp16); p1 = p4 = 2^-18,
  // alignment -18. e = 6, q = 2^-19 keeps both: S = 112 + 2^-17; 112 = 0x42e00000 with ulp
  // 2^-17: 0x42e00001. (With the e4m3 stored exponent, e = 9, q = 2^-16 cuts both: 0x42e00000,
  // which is what tcgen05, without operand_format, gives.)
  const Codes a = {0x01, 0x01, 0, 0, 0x01}, b = {0x7b, 0x18, 0, 0, 0x18};
  expect_code(sel("b200", "mma.sync", "e4m3", "e5m2", "fp32"), a, b, 0, 0x42e00001, "b200 mma.sync e4m3 as fp16");
  expect_code(sel("h100", "mma.sync", "e4m3", "e5m2", "fp32"), a, b, 0, 0x42e00001, "h100 mma.sync e4m3 as fp16");
  expect_code(sel("b200", "tcgen05", "e4m3", "e5m2", "fp32"), a, b, 0, 0x42e00000, "tcgen05 e4m3 stored exponent");
}

TEST(BlockFmaDirected, LateCWithRne) {
  const auto b8 = sel("b200", "mma.sync", "e4m3", "e4m3", "fp32");
  // p0 = 1 (0x38 * 0x38); d = RNE(1 + c).
  // c = 2^-24 (0x33800000): 1 + 2^-24 is a tie -> even 1.0 = 0x3f800000.
  expect_code(b8, {0x38}, {0x38}, 0x33800000, 0x3f800000, "tie to even");
  // c = 2^-24 * (1 + 2^-23) (0x33800001): above the tie -> 1 + 2^-23 = 0x3f800001 (c first
  // as in tcgen05: c cut to 2^-24 on q = 2^-25, S = 1 + 2^-24 -> RTZ -> 0x3f800000).
  expect_code(b8, {0x38}, {0x38}, 0x33800001, 0x3f800001, "above the tie");
  expect_code(sel("b200", "tcgen05", "e4m3", "e4m3", "fp32"), {0x38}, {0x38}, 0x33800001, 0x3f800000, "c first, rtz");
  // c = -(2^-25 + 2^-40) (0xb3000100): 1 - 2^-25 - 2^-40 is below the midpoint 1 - 2^-25 of
  // 1 - 2^-24 and 1 -> 1 - 2^-24 = 0x3f7fffff (c is not cut: cut to 2^-25 it would tie to 1.0).
  expect_code(b8, {0x38}, {0x38}, 0xb3000100, 0x3f7fffff, "c uncut");
  // No products, c = -0: block result +0 (no terms), RNE(+0 + -0) = +0.
  expect_code(b8, {0x00}, {0x80}, 0x80000000, 0x00000000, "+0 block + -0 c");
  // fp16 out (block results fp16 RNE): p0 = 2^7 * 2^8 = 2^15 (0x70 * 0x78).
  const auto b8h = sel("b200", "mma.sync", "e4m3", "e4m3", "fp16");
  // c = 65504 (0x7bff): 98272 -> inf 0x7c00.
  expect_code(b8h, {0x70}, {0x78}, 0x7bff, 0x7c00, "late c overflows");
  // c = 32752 (0x77ff): 65520, the midpoint of 65504 and 2^16 -> even -> 2^16 -> inf.
  expect_code(b8h, {0x70}, {0x78}, 0x77ff, 0x7c00, "65520 ties to inf");
  // c = 32736 (0x77fe): 65504 = 0x7bff.
  expect_code(b8h, {0x70}, {0x78}, 0x77fe, 0x7bff, "65504 exact");
}

// Ada FP8 -> fp32: two blocks of 16, F = 13, exp_floor -132, block results e8m13 RTZ.
TEST(BlockFmaDirected, E8m13BlockResult) {
  const auto ada = sel("ada", "mma.sync", "e4m3", "e4m3", "fp32");
  // products 1, 1 (0x38 * 0x38) and 2^-6 * 2^-7 = 2^-13 (0x08 * 0x04; 0x04 is the subnormal
  // 4 * 2^-9, alignment -6 - 6 = -12): e = 0, q = 2^-13, S = 2 + 2^-13; e8m13 has ulp 2^-12 in
  // [2, 4): RTZ -> 2 = 0x40000000 (an fp32 block result would give 0x40000200).
  expect_code(ada, {0x38, 0x38, 0x08}, {0x38, 0x38, 0x04}, 0, 0x40000000, "2 + 2^-13 -> 2");
  // 1 + 2^-13 is an e8m13 value: fp32 0x3f800000 | 2^10 = 0x3f800400.
  expect_code(ada, {0x38, 0x08}, {0x38, 0x04}, 0, 0x3f800400, "1 + 2^-13");
  // 1 + 2^-14 (0x08 * 0x02): q = 2^-13 cuts 2^-14 -> 1.0 = 0x3f800000.
  expect_code(ada, {0x38, 0x08}, {0x38, 0x02}, 0, 0x3f800000, "2^-14 below the grid");
  // fp16 out: 1 + 2^-11 (0x08 * 0x10 = 2^-6 * 2^-5) ties to 1.0 = 0x3c00; with 2^-13 more
  // it is above the tie: 1 + 2^-10 = 0x3c01.
  const auto adah = sel("ada", "mma.sync", "e4m3", "e4m3", "fp16");
  expect_code(adah, {0x38, 0x08}, {0x38, 0x10}, 0, 0x3c00, "fp16 tie");
  expect_code(adah, {0x38, 0x08, 0x08}, {0x38, 0x10, 0x04}, 0, 0x3c01, "fp16 above tie");
}

TEST(BlockFmaDirected, ExpFloorWithTinyBf16) {
  auto a100bf = sel("a100", "mma.sync", "bf16", "bf16", "fp32");
  // p0 = 2^-70 * 2^-70 = 2^-140 (0x1c80), p1 = -(2^-80 * 2^-80) = -2^-160 (0x9780 * 0x1780).
  // e = max(-140, -160, floor -132) = -132, q = 2^-156: p1 -> 0, S = 2^-140 = 0x00000200.
  expect_code(a100bf, {0x1c80, 0x9780}, {0x1c80, 0x1780}, 0, 0x00000200, "exp_floor -132 cuts p1");
  expect_code(sel("h100", "mma.sync", "bf16", "bf16", "fp32"), {0x1c80, 0x9780}, {0x1c80, 0x1780}, 0, 0x00000200,
              "exp_floor -133 cuts p1");
  // Without the floor: e = -140, q = 2^-164 keeps p1: S = 2^-140 - 2^-160 -> RTZ on the fp32
  // subnormal grid 2^-149 -> 511 * 2^-149 = 0x000001ff.
  a100bf.fma.exp_floor = units::BlockFmaSpec::kNoFloor;
  expect_code(a100bf, {0x1c80, 0x9780}, {0x1c80, 0x1780}, 0, 0x000001ff, "no floor keeps p1");
}

TEST(BlockFmaDirected, ZeroResults) {
  const auto v = sel("v100", "mma.sync", "fp16", "fp16", "fp32");
  // No terms: +0, whatever the signs of the zero products and of a zero c.
  expect_code(v, {0x8000, 0x8000}, {0x3c00, 0xbc00}, 0x80000000, 0x00000000, "-0 products, c = -0");
  expect_code(v, {0x0000}, {0x0000}, 0x00000000, 0x00000000, "+0");
  // Exact cancellation: 1 - 1 = 0 -> +0; 1 * 1 + c = -1 -> +0.
  expect_code(v, {0x3c00, 0xbc00}, {0x3c00, 0x3c00}, 0, 0x00000000, "1 - 1");
  expect_code(v, {0x3c00}, {0x3c00}, 0xbf800000, 0x00000000, "1 + c = -1");
}

// ------------------------------------------------------------------ C: mma_dot
uint32_t ref_dot(const units::MmaSpec& s, const units::MmaSchedule& sch, const Codes& a, const Codes& b, uint32_t c) {
  R::Schedule r;
  r.promote = sch.promote;
  r.split_k = sch.split_k;
  r.c_in_accumulator = sch.c_in_accumulator;
  r.alpha = sch.alpha;
  r.beta = sch.beta;
  r.c_in_register = sch.c_in_register;
  if (sch.d) r.d = ref_fmt(*sch.d);
  return R::mma_dot(to_ref(s), r, a, b, c);
}

void expect_dot(const units::MmaSpec& s, const units::MmaSchedule& sch, const Codes& a, const Codes& b, uint32_t c,
                uint32_t want, const char* what) {
  const units::MmaInstruction mma(s);
  EXPECT_EQ(hex(units::mma_dot(mma, sch, a, b, c)), hex(want)) << what << ": implementation";
  EXPECT_EQ(hex(ref_dot(s, sch, a, b, c)), hex(want)) << what << ": reference";
}

TEST(MmaDotDirected, PromotionRestartsTheChain) {
  // H100 wgmma e4m3 -> fp32: k = block = 32, F = 13, e8m13 RTZ. K = 256: a0 * b0 = 1, the
  // other 255 products 2^-6 * 2^-8 = 2^-14 (0x08 * 0x02, alignment -12).
  const auto s = sel("h100", "wgmma", "e4m3", "e4m3", "fp32");
  Codes a(256, 0x08), b(256, 0x02);
  a[0] = b[0] = 0x38;
  units::MmaSchedule sch;
  sch.d = formats::ElementFormat::parse("float32");
  // Raw chain: every instruction has e = 0 (1 or the addend 1), q = 2^-13, every 2^-14 is cut:
  // d = 1.0 = 0x3f800000.
  expect_dot(s, sch, a, b, 0, 0x3f800000, "no promotion");
  // promote = 128: chain 1 (0..127) = 1 as above; chain 2 (128..255) from +0 sums the 128
  // products exactly (32 * 2^-14 = 2^-9 per instruction, the addend never below the grid):
  // 2^-7. Register: 1 + 2^-7 = 0x3f810000.
  sch.promote = 128;
  expect_dot(s, sch, a, b, 0, 0x3f810000, "promote 128");
}

TEST(MmaDotDirected, SplitK) {
  // A100 fp16 -> fp32 (k 16, blocks of 8, F = 24, RTZ), K = 32: p0 = 1, p16 = 2^-24
  // (0x0c00^2), p17 = 2^-30 (0x0200^2, alignment -28).
  const auto s = sel("a100", "mma.sync", "fp16", "fp16", "fp32");
  Codes a(32, 0), b(32, 0);
  a[0] = b[0] = 0x3c00;
  a[16] = b[16] = 0x0c00;
  a[17] = b[17] = 0x0200;
  units::MmaSchedule sch;
  // split 1: instruction 1's first block: addend 1, q = 2^-24: 1 + 2^-24 (2^-30 cut) -> RTZ -> 1.0.
  expect_dot(s, sch, a, b, 0, 0x3f800000, "split 1");
  // split 2: part 1 = 2^-24 + 2^-30 exactly (e = -24, q = 2^-48); RNE(1 + 2^-24 + 2^-30) is
  // above the tie: 1 + 2^-23 = 0x3f800001.
  sch.split_k = 2;
  expect_dot(s, sch, a, b, 0, 0x3f800001, "split 2");
}

TEST(MmaDotDirected, Epilogue) {
  // V100 fp16 -> fp32 (k = 4, F = 23). acc = 1 + 2^-23 (1 * 1 + 2^-11 * 2^-12) = 0x3f800001.
  const auto s = sel("v100", "mma.sync", "fp16", "fp16", "fp32");
  units::MmaSchedule sch;
  sch.c_in_accumulator = false;
  // alpha = 1 + 2^-23, beta = 1, c = -(1 + 2^-22) (0xbf800002): alpha * acc = 1 + 2^-22 + 2^-46
  // exactly, + beta * c: 2^-46 = 0x28800000 (a rounded alpha * acc would give 0).
  sch.alpha = std::bit_cast<float>(0x3f800001u);
  sch.beta = 1.0f;
  expect_dot(s, sch, {0x3c00, 0x1000}, {0x3c00, 0x0c00}, 0xbf800002, 0x28800000, "fused alpha * acc + beta * c");
  // acc = 1, alpha = 2, beta = 0.5, c = 1: y = 2.5; fp16 0x4100, bf16 0x4020.
  sch.alpha = 2.0f;
  sch.beta = 0.5f;
  sch.d = formats::ElementFormat::parse("float16");
  expect_dot(s, sch, {0x3c00}, {0x3c00}, 0x3f800000, 0x4100, "2 * 1 + 0.5 * 1 -> fp16");
  sch.d = formats::ElementFormat::parse("bfloat16");
  expect_dot(s, sch, {0x3c00}, {0x3c00}, 0x3f800000, 0x4020, "2 * 1 + 0.5 * 1 -> bf16");
  // c in the accumulator, d = fp16: acc = 1 + 2^-11 (tie) -> 0x3c00; + 2^-20 (0x1400^2) ->
  // above the tie -> 0x3c01.
  units::MmaSchedule raw;
  raw.d = formats::ElementFormat::parse("float16");
  expect_dot(s, raw, {0x3c00, 0x1000}, {0x3c00, 0x3c00}, 0, 0x3c00, "fp32 -> fp16 tie");
  expect_dot(s, raw, {0x3c00, 0x1000, 0x1400}, {0x3c00, 0x3c00, 0x1400}, 0, 0x3c01, "fp32 -> fp16 above tie");
}

// Where c enters decides whether beta applies (models/units/mma_schedule.hpp: "beta applies
// when c enters there"). H100 wgmma e4m3 -> fp32, K = 256 products 1 * 1, c = 3: every chain
// step is exact, acc = 259 (0x43818000).
TEST(MmaDotDirected, WhereCEnters) {
  const auto s = sel("h100", "wgmma", "e4m3", "e4m3", "fp32");
  const Codes a(256, 0x38), b(256, 0x38);
  const uint32_t c = 0x40400000;  // 3
  units::MmaSchedule sch;
  expect_dot(s, sch, a, b, c, 0x43818000, "c in the accumulator");
  // c in the accumulator, alpha = 2, beta = 0.5: y = 2 * 259 = 518 = 0x44018000 (beta * c
  // is not added again; the brief's literal epilogue formula would give 519.5).
  sch.alpha = 2.0f;
  sch.beta = 0.5f;
  expect_dot(s, sch, a, b, c, 0x44018000, "c in the accumulator, alpha = 2");
  // c in the epilogue: acc = 256, y = 2 * 256 + 0.5 * 3 = 513.5 = 0x44006000.
  sch.c_in_accumulator = false;
  expect_dot(s, sch, a, b, c, 0x44006000, "c in the epilogue");
  // c starts the promotion register (promote 128): 3 + 128 + 128 = 259, y = 2 * 259 = 518.
  sch.c_in_register = true;
  sch.promote = 128;
  expect_dot(s, sch, a, b, c, 0x44018000, "c in the register");
}

// C: random mma_dot against the reference: K from 1 to 512 (mostly 64..512), schedules
// with promotion, split-K 2 and 3, the epilogue and d conversions, on seven rows.
TEST(MmaDotRandom, MatchesReference) {
  const auto t0 = std::chrono::steady_clock::now();
  struct Row {
    const char *gpu, *instr, *a, *b, *out;
  };
  const Row rows[] = {
      {"a100", "mma.sync", "fp16", "fp16", "fp32"}, {"h100", "mma.sync", "bf16", "fp16", "fp32"},
      {"h100", "wgmma", "e4m3", "e4m3", "fp32"},    {"b200", "mma.sync", "e5m2", "e4m3", "fp32"},
      {"ada", "mma.sync", "e4m3", "e5m2", "fp32"},  {"a100", "mma.sync", "tf32", "tf32", "fp32"},
      {"v100", "mma.sync", "fp16", "fp16", "fp16"},
  };
  const float alphas[] = {1.0f, 2.0f, 0.5f, -1.5f, 0.1f, 3.0f};
  const float betas[] = {1.0f, 0.0f, -1.0f, 0.25f, 0.3f};
  const char* dfmts[] = {"float32", "float16", "bfloat16"};
  size_t n = 0, mismatches = 0, skipped = 0;
  std::string first;
  Gen g(777);
  for (const Row& row : rows) {
    const auto spec = sel(row.gpu, row.instr, row.a, row.b, row.out);
    const units::MmaInstruction mma(spec);
    const R::Spec ref = to_ref(spec);
    const bool fp16_out = ref.out.M == 10;
    for (int i = 0; i < 300; ++i) {
      units::MmaSchedule sch;
      const int kind = i % 8;
      if (kind == 1 && 128 % spec.k == 0) sch.promote = 128;
      if (kind == 2) sch.split_k = 2;
      if (kind == 3) sch.split_k = 3;
      if (kind == 4 || kind == 5) {
        sch.c_in_accumulator = false;
        sch.alpha = alphas[g.u(6)];
        sch.beta = betas[g.u(5)];
      }
      if (kind == 5 && 128 % spec.k == 0) sch.promote = 128;
      if (kind == 6) {  // c starts the promotion register (mma_schedule.hpp's c_in_register)
        sch.c_in_accumulator = false;
        sch.c_in_register = true;
        if (128 % spec.k == 0 && g.p(0.7)) sch.promote = 128;
        if (g.p(0.3)) sch.split_k = 2;
        sch.alpha = alphas[g.u(6)];
        sch.beta = betas[g.u(5)];
      }
      if (kind == 7) sch.alpha = alphas[1 + g.u(5)];  // c in the accumulator, alpha != 1
      if (kind >= 3) sch.d = formats::ElementFormat::parse(dfmts[g.u(3)]);
      if (fp16_out) sch.promote = 0;
      const size_t K = g.p(0.1) ? size_t(g.range(1, 63)) : size_t(g.range(64, 512));
      Codes a(K), b(K);
      const int e0 = fp16_out ? g.range(-6, -2) : g.range(-3, 3);
      for (size_t j = 0; j < K; ++j) {
        a[j] = code_in(g, ref.a, e0 - 3, e0 + 2);
        b[j] = code_in(g, ref.b, e0 - 3, e0 + 2);
        if (g.p(0.1)) a[j] = 0;
        if (i % 7 == 0 && j % 2 == 1) a[j] = a[j - 1] ^ ref.a.sign_bit(), b[j] = b[j - 1];  // cancellation
      }
      const uint32_t c = g.p(0.2) ? 0u : code_in(g, ref.out, 2 * e0 - 10, 2 * e0 + 8);
      uint32_t want;
      try {
        want = ref_dot(spec, sch, a, b, c);
      } catch (const std::domain_error&) {
        ++skipped;  // an inf on the way (fp16 accumulator overflow): outside the rule
        continue;
      }
      const uint32_t got = units::mma_dot(mma, sch, a, b, c);
      ++n;
      if (got != want && mismatches++ < 5)
        first += "\n  " + std::string(row.gpu) + " " + row.instr + " " + row.a + "x" + row.b + " K=" +
                 std::to_string(K) + " promote=" + std::to_string(sch.promote) +
                 " split=" + std::to_string(sch.split_k) + " cin=" + std::to_string(sch.c_in_accumulator) +
                 " creg=" + std::to_string(sch.c_in_register) +
                 " alpha=" + std::to_string(sch.alpha) + " beta=" + std::to_string(sch.beta) + " d=" + (sch.d ? sch.d->name() : "out") +
                 " a=" + hex(a) + " b=" + hex(b) + " c=" + hex(c) + ": got " + hex(got) + " want " + hex(want);
    }
  }
  EXPECT_EQ(mismatches, 0u) << mismatches << " of " << n << " differ; first:" << first;
  EXPECT_LT(skipped, n / 50);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("mma_dot: %zu dot products (%zu skipped), %zu mismatches, %.1f s\n", n, skipped, mismatches, secs);
}

}  // namespace
