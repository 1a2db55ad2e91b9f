// run_gemm (sim/gemm/gemm_driver.hpp) on small shapes: every output is the PE's dot() of the
// quantized row and column and equals the independent reference of tests/pe/pe_reference.hpp;
// exact_match_rate equals the fraction of outputs equal to the exact dot product rounded once
// (computed here with exact arithmetic); the FP64 error statistics equal a direct computation;
// shape errors throw PeError. Also prints the number of random dot products the PE tests ran.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <arithsim/models/pe/pe.hpp>
#include "sim/gemm/gemm_driver.hpp"
#include <arithsim/models/threads/parallel_for.hpp>
#include "tests/pe/pe_reference.hpp"

namespace arithsim {
namespace {

using namespace peref;

// Prints the random dot product counts at the end of the run.
class RandomDotReport : public ::testing::Environment {
 public:
  void TearDown() override {
    const char* names[] = {"int_mac", "fp8_mac", "mixpe", "lut_tensor_core", "lmul_pe"};
    size_t total = 0;
    std::printf("[ pe_test  ] random dot products:");
    for (int i = 0; i < 5; ++i) {
      std::printf(" %s %zu", names[i], random_dots(i).load());
      total += random_dots(i);
    }
    std::printf("; total %zu\n", total);
  }
};
[[maybe_unused]] ::testing::Environment* const kReport = ::testing::AddGlobalTestEnvironment(new RandomDotReport);

std::string param(const pe::Params& p, const std::string& key, const std::string& def) {
  const auto it = p.find(key);
  return it == p.end() ? def : it->second;
}
FloatFmt float_fmt(const std::string& s) {
  if (s == "fp32" || s == "float32") return kFp32;
  if (s == "fp16" || s == "float16") return kFp16;
  if (s == "bf16" || s == "bfloat16") return kBf16;
  throw std::invalid_argument("no reference format " + s);
}

// The independent reference of one dot product of the five PEs, from the PE's parameters.
double reference_dot(const std::string& name, const pe::Params& p, const pe::Operand& a, const pe::Operand& w) {
  if (name == "int_mac")
    return ref_int_mac(a, w, std::stoi(param(p, "acc_bits", "32")), param(p, "saturate", "false") == "true");
  if (name == "fp8_mac") {
    Fp8Cfg c;
    c.mode = param(p, "mode", "fused");
    c.acc = float_fmt(param(p, "acc", "fp32"));
    c.tree_inputs = std::stoi(param(p, "tree_inputs", "16"));
    c.align_bits = std::stoi(param(p, "align_bits", "27"));
    c.round_shifted = param(p, "round_shifted", "false") == "true";
    return ref_fp8_mac(a, w, c);
  }
  if (name == "mixpe") {
    MixCfg c;
    c.wbits = std::stoi(param(p, "w", "int4").substr(3));
    c.zero_point = param(p, "zero_point", "true") == "true";
    c.fp16_act = param(p, "a", "int8") == "fp16";
    c.acc = float_fmt(param(p, "acc", "fp32"));
    c.group = std::stoul(param(p, "group", "128"));
    return ref_mixpe(a, w, c);
  }
  if (name == "lut_tensor_core") {
    LutCfg c;
    c.wbits = std::stoi(param(p, "w", "int2").substr(3));
    c.k = std::stoul(param(p, "k", "4"));
    c.group = std::stoul(param(p, "group", "128"));
    c.symmetrize = param(p, "symmetrize", "true") == "true";
    c.fp16_act = param(p, "a", "int8") == "fp16";
    c.table = float_fmt(param(p, "table", "fp16"));
    c.acc = float_fmt(param(p, "acc", "fp32"));
    return ref_lut(a, w, c);
  }
  if (name == "lmul_pe") {
    const auto* f = a.format;  // the PE's operand format
    LMulCfg c{f, f->codec<formats::MinifloatCodec>()->spec().m,
              param(p, "variant", "hardware") == "hardware" ? LMulVar::Hardware : LMulVar::Formula,
              float_fmt(param(p, "acc", "fp32"))};
    return ref_lmul_pe(a, w, c);
  }
  throw std::invalid_argument("no reference for " + name);
}

// The exact dot product of the operands' values, rounded once to FP32 (IEEE rules for
// inf and NaN operands).
double correctly_rounded_fp32(const pe::Operand& a, const pe::Operand& w) {
  Num s = Num::zero(false);
  bool any = false;
  for (size_t i = 0; i < a.size(); ++i) {
    const Num p = mul(Num::of_double(a.value(i)), Num::of_double(w.value(i)));
    s = any ? add(s, p) : p;
    any = true;
  }
  return round(s, kFp32).to_double();
}

std::vector<float> random_matrix(Rng& r, size_t n, double scale) {
  std::vector<float> v(n);
  for (auto& x : v) x = float(r.normal() * scale);
  return v;
}

struct Stats {
  double max_abs = 0, mean_rel = 0, sqnr_db = 0;
  size_t nonfinite = 0;
};
// The FP64 statistics computed directly: s = the float operands' dot product summed in
// order in double; over the outputs c that are finite where s is finite: max |c - s| and
// SQNR = 10 log10(sum s^2 / sum (c - s)^2) (sums in long double); mean |c - s| / |s| over
// s != 0 and finite c; nonfinite = outputs that are NaN/inf where s is finite.
Stats direct_stats(const std::vector<float>& A, const std::vector<float>& B, const std::vector<float>& C, size_t m,
                   size_t n, size_t k) {
  Stats st;
  long double sig = 0, err = 0, rel = 0;
  size_t rel_n = 0;
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      double s = 0;
      for (size_t t = 0; t < k; ++t) s += double(A[i * k + t]) * double(B[t * n + j]);
      const double c = C[i * n + j];
      if (s != 0 && std::isfinite(c)) {
        rel += std::fabs(c - s) / std::fabs(s);
        ++rel_n;
      }
      if (!std::isfinite(s)) continue;
      if (!std::isfinite(c)) {
        ++st.nonfinite;
        continue;
      }
      sig += (long double)s * s;
      err += (long double)(c - s) * (c - s);
      st.max_abs = std::max(st.max_abs, std::fabs(c - s));
    }
  st.mean_rel = rel_n ? double(rel / rel_n) : 0;
  st.sqnr_db = err == 0 ? std::numeric_limits<double>::infinity() : double(10 * std::log10(sig / err));
  return st;
}

struct Case {
  std::string pe;
  pe::Params params;
  size_t m, n, k;
};

std::vector<Case> cases() {
  return {
      {"int_mac", {}, 5, 4, 37},
      {"int_mac", {{"a", "int4"}, {"w", "int4"}, {"acc_bits", "16"}}, 3, 6, 64},
      {"fp8_mac", {}, 4, 5, 40},
      {"fp8_mac", {{"a", "e5m2"}, {"mode", "per_product"}, {"acc", "bf16"}}, 3, 3, 33},
      {"fp8_mac", {{"mode", "tree"}, {"tree_inputs", "8"}, {"align_bits", "12"}}, 3, 4, 40},
      {"mixpe", {{"group", "16"}}, 4, 3, 32},
      {"mixpe", {{"group", "8"}, {"a", "fp16"}, {"w", "int3"}, {"zero_point", "false"}}, 3, 3, 24},
      {"lut_tensor_core", {{"group", "16"}}, 4, 3, 32},
      {"lut_tensor_core", {{"group", "8"}, {"a", "fp16"}, {"w", "int4"}, {"symmetrize", "false"}}, 3, 2, 16},
      {"lmul_pe", {}, 3, 4, 29},
      {"lmul_pe", {{"format", "e4m3"}, {"variant", "formula"}}, 2, 5, 20},
  };
}

TEST(GemmDriver, OutputsAreTheReferenceDotsOfTheQuantizedOperands) {
  Rng r(21);
  for (const auto& c : cases()) {
    const auto pe = pe::make_pe(c.pe, c.params);
    SCOPED_TRACE(c.pe + " " + pe->config());
    const auto A = random_matrix(r, c.m * c.k, 1.0), B = random_matrix(r, c.k * c.n, 0.5);
    const auto res = sim::run_gemm(*pe, A, B, c.m, c.n, c.k);
    ASSERT_EQ(res.c.size(), c.m * c.n);
    EXPECT_EQ(res.stats.m, c.m);
    EXPECT_EQ(res.stats.n, c.n);
    EXPECT_EQ(res.stats.k, c.k);
    EXPECT_GE(res.stats.seconds, 0.0);
    size_t exact = 0;
    for (size_t i = 0; i < c.m; ++i)
      for (size_t j = 0; j < c.n; ++j) {
        std::vector<float> col(c.k);
        for (size_t t = 0; t < c.k; ++t) col[t] = B[t * c.n + j];
        const auto oa = pe->quantize_a(std::span<const float>(A).subspan(i * c.k, c.k));
        const auto ow = pe->quantize_w(col);
        const double out = res.c[i * c.n + j];
        const double dot = pe->dot(oa, ow), ref = reference_dot(c.pe, c.params, oa, ow);
        EXPECT_TRUE(same(out, double(float(dot)))) << i << "," << j << ": C " << show(out) << " dot " << show(dot);
        EXPECT_TRUE(same(out, ref)) << i << "," << j << ": C " << show(out) << " reference " << show(ref);
        const double cr = correctly_rounded_fp32(oa, ow);
        exact += cr == out || (std::isnan(cr) && std::isnan(out));
      }
    EXPECT_EQ(res.stats.exact_match_rate, double(exact) / double(c.m * c.n));
    const Stats st = direct_stats(A, B, res.c, c.m, c.n, c.k);
    EXPECT_EQ(res.stats.max_abs, st.max_abs);
    if (std::isinf(st.sqnr_db)) {
      EXPECT_EQ(res.stats.sqnr_db, st.sqnr_db);
    } else {
      EXPECT_NEAR(res.stats.sqnr_db, st.sqnr_db, 1e-9 * std::fabs(st.sqnr_db));
    }
    EXPECT_NEAR(res.stats.mean_rel, st.mean_rel, 1e-12 * st.mean_rel + 1e-300);
    EXPECT_EQ(res.stats.nonfinite, st.nonfinite);
    if (c.pe == "int_mac") {
      EXPECT_EQ(res.stats.exact_match_rate, 1.0);  // one rounding, no overflow
    }
  }
}

// Every registered PE (defaults): C is dot() of the quantized row and column.
TEST(GemmDriver, EveryRegisteredPeOutputsItsOwnDots) {
  Rng r(22);
  for (const auto& info : pe::pe_catalog()) {
    const auto pe = pe::make_pe(info.name, {});
    SCOPED_TRACE(info.name);
    const size_t m = 2, n = 3, k = 256;
    const auto A = random_matrix(r, m * k, 1.0), B = random_matrix(r, k * n, 1.0);
    const auto res = sim::run_gemm(*pe, A, B, m, n, k);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        std::vector<float> col(k);
        for (size_t t = 0; t < k; ++t) col[t] = B[t * n + j];
        const double dot = pe->dot(pe->quantize_a(std::span<const float>(A).subspan(i * k, k)), pe->quantize_w(col));
        EXPECT_TRUE(same(res.c[i * n + j], double(float(dot))));
      }
  }
}

// Threads share the rows of C and of the references: the outputs and every statistic are
// the same for any thread count (more threads than rows included).
TEST(GemmDriver, ThreadCountDoesNotChangeTheResult) {
  Rng r(31);
  std::vector<std::pair<std::string, pe::Params>> pes;
  for (const auto& info : pe::pe_catalog()) pes.push_back({info.name, {}});
  pes.push_back({"tensor_core", {{"gpu", "h100"}, {"instr", "wgmma"}, {"in", "e4m3"}, {"promote", "64"}}});
  pes.push_back({"tensor_core", {{"gpu", "b200"}, {"instr", "tcgen05"}, {"in", "nvfp4"}}});
  for (const auto& [name, params] : pes) {
    const auto pe = pe::make_pe(name, params);
    SCOPED_TRACE(pe->config());
    const size_t m = 7, n = 40, k = 4096;  // 1.15 M MACs: at most 4 threads (one per 2^18 MACs)
    const auto A = random_matrix(r, m * k, 1.0), B = random_matrix(r, k * n, 1.0);
    const auto one = sim::run_gemm(*pe, A, B, m, n, k, 1);
    EXPECT_EQ(one.stats.threads, 1u);
    for (size_t threads : {2u, 3u, 8u}) {
      const auto res = sim::run_gemm(*pe, A, B, m, n, k, threads);
      EXPECT_EQ(res.stats.threads, std::min<size_t>(threads, 4));
      ASSERT_EQ(res.c.size(), one.c.size());
      for (size_t i = 0; i < res.c.size(); ++i) ASSERT_TRUE(same(res.c[i], one.c[i])) << threads << " threads, output " << i;
      EXPECT_EQ(res.stats.exact_match_rate, one.stats.exact_match_rate);
      EXPECT_EQ(res.stats.max_abs, one.stats.max_abs);
      EXPECT_EQ(res.stats.mean_rel, one.stats.mean_rel);
      EXPECT_EQ(res.stats.mean_rel_vs_exact, one.stats.mean_rel_vs_exact);
      EXPECT_EQ(res.stats.norm_rel_vs_exact, one.stats.norm_rel_vs_exact);
      EXPECT_EQ(res.stats.ulp_histogram, one.stats.ulp_histogram);
    }
  }
  const auto pe = pe::make_pe("int_mac", {});
  const auto A = random_matrix(r, 4, 1.0), B = random_matrix(r, 4, 1.0);
  EXPECT_EQ(sim::run_gemm(*pe, A, B, 2, 2, 2, 8).stats.threads, 1u);  // 8 MACs: one thread
  EXPECT_THROW(sim::run_gemm(*pe, A, B, 2, 2, 2, 0), pe::PeError);
  EXPECT_THROW(sim::run_gemm(*pe, A, B, 2, 2, 2, threads::kMaxThreads + 1), pe::PeError);
}

TEST(GemmDriver, IntMacExactMatchIsOne) {
  Rng r(23);
  for (const char* acc : {"32", "24"}) {
    const auto pe = pe::make_pe("int_mac", {{"acc_bits", acc}});
    const size_t m = 6, n = 7, k = 100;  // |sum| <= 100 * 127^2 < 2^21: no overflow
    const auto A = random_matrix(r, m * k, 3.0), B = random_matrix(r, k * n, 0.01);
    const auto res = sim::run_gemm(*pe, A, B, m, n, k);
    EXPECT_EQ(res.stats.exact_match_rate, 1.0) << acc;
    EXPECT_EQ(res.stats.nonfinite, 0u);
    EXPECT_GT(res.stats.sqnr_db, 30.0);  // INT8 quantization of N(0,1) data
  }
}

TEST(GemmDriver, Fp8SingleProductFusedIsExact) {
  // K = 1: one exact product in FP32, times a power of two: always the correctly rounded value.
  Rng r(24);
  const auto pe = pe::make_pe("fp8_mac", {});
  const size_t m = 16, n = 16, k = 1;
  auto A = random_matrix(r, m, 1.0), B = random_matrix(r, n, 1.0);
  const auto res = sim::run_gemm(*pe, A, B, m, n, k);
  EXPECT_EQ(res.stats.exact_match_rate, 1.0);
  // Operands exactly representable after the power-of-two scaling: no error at all.
  for (auto& x : A) x = float(std::ldexp(double(1 + r.below(8)) / 8, r.range(-3, 3)));  // 1.xxx * 2^e: E4M3 values
  for (auto& x : B) x = float(std::ldexp(double(1 + r.below(8)) / 8, r.range(-3, 3)));
  for (size_t i = 0; i < m; ++i) A[i] = i % 2 ? -A[i] : A[i];
  const auto exact = sim::run_gemm(*pe, A, B, m, n, k);
  EXPECT_EQ(exact.stats.exact_match_rate, 1.0);
  EXPECT_EQ(exact.stats.max_abs, 0.0);
  EXPECT_EQ(exact.stats.sqnr_db, std::numeric_limits<double>::infinity());
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) EXPECT_EQ(exact.c[i * n + j], A[i] * B[j]);
}

TEST(GemmDriver, NonFiniteOutputsAreCountedNotHidden) {
  // fp8_mac with an FP16 accumulator: scaled E4M3 products reach 448^2 > 65504, so the
  // outputs overflow to inf; they are counted in nonfinite and left out of the SQNR.
  Rng r(25);
  const auto pe = pe::make_pe("fp8_mac", {{"acc", "fp16"}});
  const size_t m = 3, n = 3, k = 16;
  auto A = random_matrix(r, m * k, 1.0), B = random_matrix(r, k * n, 1.0);
  for (size_t i = 0; i < m; ++i) A[i * k] = 100;  // amax of every row, scaled to 256..448
  for (size_t j = 0; j < n; ++j) B[j] = 100;      // amax of every column, in the same element
  const auto res = sim::run_gemm(*pe, A, B, m, n, k);
  const Stats st = direct_stats(A, B, res.c, m, n, k);
  EXPECT_EQ(res.stats.nonfinite, st.nonfinite);
  EXPECT_EQ(res.stats.nonfinite, m * n);
  for (float c : res.c) EXPECT_TRUE(std::isinf(c));
}

TEST(GemmDriver, ShapeErrors) {
  const auto pe = pe::make_pe("int_mac", {});
  const std::vector<float> a(6, 1.0f), b(12, 1.0f);
  EXPECT_NO_THROW(sim::run_gemm(*pe, a, b, 2, 4, 3));
  auto msg = [&](std::span<const float> A, std::span<const float> B, size_t m, size_t n, size_t k) -> std::string {
    try {
      sim::run_gemm(*pe, A, B, m, n, k);
    } catch (const pe::PeError& e) {
      return e.what();
    } catch (const std::exception& e) {
      return std::string("not a PeError: ") + e.what();
    }
    return "no exception";
  };
  EXPECT_NE(msg(a, b, 3, 4, 3).find("gemm: A has 6 values for 3x3"), std::string::npos) << msg(a, b, 3, 4, 3);
  EXPECT_NE(msg(a, b, 2, 3, 3).find("B has 12 values for 3x3"), std::string::npos) << msg(a, b, 2, 3, 3);
  EXPECT_NE(msg(a, b, 2, 4, 2).find("gemm: A has 6 values for 2x2"), std::string::npos);
  EXPECT_NE(msg({}, {}, 0, 0, 3).find("gemm: M, N and K must be positive"), std::string::npos) << msg({}, {}, 0, 0, 3);
  EXPECT_NE(msg({}, b, 0, 4, 3).find("must be positive"), std::string::npos);
  EXPECT_NE(msg({}, {}, 2, 4, 0).find("must be positive"), std::string::npos);
  // K that the PE rejects (group size): PeError from check_k.
  const auto mix = pe::make_pe("mixpe", {});
  const std::vector<float> a100(200, 0.5f), b100(300, 0.25f);
  try {
    sim::run_gemm(*mix, a100, b100, 2, 3, 100);
    ADD_FAILURE() << "no exception for K=100 with group=128";
  } catch (const pe::PeError& e) {
    EXPECT_NE(std::string(e.what()).find("group size 128 does not divide K=100"), std::string::npos) << e.what();
  }
  const auto lut = pe::make_pe("lut_tensor_core", {{"group", "8"}});
  EXPECT_THROW(sim::run_gemm(*lut, std::vector<float>(12, 1.0f), std::vector<float>(12, 1.0f), 1, 1, 12), pe::PeError);
}

TEST(PeRegistry, CatalogAndUnknownNames) {
  std::vector<std::string> names;
  for (const auto& i : pe::pe_catalog()) names.push_back(i.name);
  for (const char* n : {"int_mac", "fp8_mac", "mixpe", "lut_tensor_core", "lmul_pe"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    const auto pe = pe::make_pe(n, {});
    EXPECT_EQ(pe->info().name, n);
    EXPECT_FALSE(pe->info().title.empty());
    EXPECT_FALSE(pe->info().paper.empty());
    for (const auto& p : pe->info().params) {  // every parameter, with its default, in config()
      EXPECT_FALSE(p.help.empty()) << n << " " << p.name;
      EXPECT_NE(pe->config().find(p.name + "=" + p.default_value), std::string::npos) << n << " " << pe->config();
    }
  }
  EXPECT_TRUE(throws_pe_error("no_such_pe", {}, "unknown PE 'no_such_pe' (known: int_mac, fp8_mac, mixpe, lut_tensor_core, lmul_pe",
                              false));
  EXPECT_TRUE(throws_pe_error("", {}, "unknown PE ''", false));
  EXPECT_TRUE(throws_pe_error("INT_MAC", {}, "unknown PE 'INT_MAC'", false));
  // Unknown parameters name the PE's parameters.
  EXPECT_TRUE(throws_pe_error("int_mac", {{"group", "4"}}, "unknown parameter 'group' (parameters: a, w, acc_bits, saturate, fast, scale)"));
  EXPECT_TRUE(throws_pe_error("mixpe", {{"symmetrize", "true"}}, "unknown parameter 'symmetrize'"));
  EXPECT_TRUE(throws_pe_error("lut_tensor_core", {{"variant", "x"}}, "unknown parameter 'variant'"));
}

}  // namespace
}  // namespace arithsim
