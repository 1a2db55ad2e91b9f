// units::mma_gemm (operands decoded once, 16 outputs on SIMD lanes) against units::mma_dot
// (one output at a time, the datapath the recorded GPU results prove), bit for bit, on
// every built-in preset: random codes biased to the hard cases (narrow and wide exponent
// ranges, cancellation, subnormals, zeros, overflowing blocks, NaN and infinities), partial
// instructions and lane panels, every schedule (promotion, split-K, alpha, c in the
// register or the epilogue, an fp16 output) and c codes of every class, per output or one
// for all. The recorded vectors go through mma_gemm as well (recorded_vectors_test.cpp,
// h200_recorded_test.cpp). ARITHSIM_GEMM_CASES scales the number of GEMMs.
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/units/mma_gemm.hpp>

namespace {

using namespace arithsim;
using Codes = std::vector<uint32_t>;

const formats::MinifloatSpec& spec_of(const formats::ElementFormat& f) {
  return f.codec<formats::MinifloatCodec>()->spec();
}

// Codes of f: the exponent field in [lo, hi] (a window of the GEMM's choosing), some zeros,
// subnormals and (when `specials`) NaN/inf codes.
struct CodeGen {
  const formats::ElementFormat& f;
  int lo, hi;
  bool specials;
  uint32_t operator()(std::mt19937_64& g) const {
    const auto& s = spec_of(f);
    const uint32_t sign = uint32_t(g() & 1) << (s.e + s.m), frac = uint32_t(g()) & ((1u << s.m) - 1);
    const int r = int(g() % 1000);
    if (r < 60) return sign;                                               // zero
    if (r < 90) return sign | frac;                                        // subnormal (or zero)
    if (specials && r < 93) return sign | (((1u << s.e) - 1) << s.m) | (r & 1 ? frac : 0);  // all-ones exponent
    const uint32_t ef = uint32_t(lo + int(g() % uint64_t(hi - lo + 1)));
    return sign | (ef << s.m) | frac;
  }
};

struct Tally {
  size_t outputs = 0, gemms = 0, lane_gemms = 0, lane_outputs = 0;
};

void check_gemm(const units::MmaInstruction& mma, const units::MmaSchedule& sched, size_t m, size_t n, size_t K,
                std::mt19937_64& g, bool per_output_c, const std::string& what, Tally& tally) {
  const auto& sa = spec_of(mma.spec().a), &sb = spec_of(mma.spec().b);
  const int emax_a = (1 << sa.e) - 2, emax_b = (1 << sb.e) - 2;
  // A narrow window (alignment inside a block, cancellation) or the whole range (overflow,
  // blocks far apart).
  const bool wide = g() % 3 == 0, specials = g() % 4 == 0;
  auto window = [&](int top) {
    if (wide) return std::pair{1, top};
    const int lo = 1 + int(g() % uint64_t(top));
    return std::pair{lo, std::min(top, lo + 3)};
  };
  const auto [alo, ahi] = window(emax_a);
  const auto [blo, bhi] = window(emax_b);
  const CodeGen ga{mma.spec().a, alo, ahi, specials}, gb{mma.spec().b, blo, bhi, specials};
  Codes a(m * K), bt(n * K);
  for (auto& x : a) x = ga(g);
  for (auto& x : bt) x = gb(g);
  // c: +0, -0, a finite value near the products' scale, a subnormal, NaN or infinity.
  const auto& out = mma.spec().out;
  const auto& so = spec_of(out);
  auto c_code = [&]() -> uint32_t {
    const int r = int(g() % 100);
    const uint32_t sign = uint32_t(g() & 1) << (so.e + so.m), frac = uint32_t(g()) & ((1u << so.m) - 1);
    if (r < 20) return 0;
    if (r < 30) return sign;
    if (r < 35) return sign | frac;
    if (specials && r < 40) return sign | (((1u << so.e) - 1) << so.m) | (r & 1 ? frac : 0);
    const double scale = std::ldexp(1.0, (alo + ahi) / 2 - sa.bias + (blo + bhi) / 2 - sb.bias + int(g() % 9) - 4);
    return out.encode(std::ldexp(double(int64_t(g() % 2001) - 1000), -10) * scale);
  };
  Codes c(per_output_c ? m * n : 1);
  for (auto& x : c) x = c_code();
  Codes d(m * n);
  units::mma_gemm(mma, sched, a, bt, m, n, K, c, d);
  ++tally.gemms;
  tally.lane_gemms += units::mma_gemm_lanes(mma);
  if (units::mma_gemm_lanes(mma)) tally.lane_outputs += m * n;
  size_t bad = 0;
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      const uint32_t want = units::mma_dot(mma, sched, std::span(a).subspan(i * K, K), std::span(bt).subspan(j * K, K),
                                           c[per_output_c ? i * n + j : 0]);
      ++tally.outputs;
      if (d[i * n + j] != want && bad++ < 3)
        ADD_FAILURE() << what << fmt::format(" {}x{}x{}: output ({}, {}) is 0x{:x}, mma_dot gives 0x{:x}", m, n, K, i, j,
                                             d[i * n + j], want);
    }
}

// Every (preset row, input type, output) the built-in presets define.
struct Path {
  std::string label;
  units::MmaSpec spec;
};
std::vector<Path> paths() {
  std::vector<Path> v;
  const auto& p = pe::builtin_tensor_core_presets();
  for (const auto& row : p.rows)
    for (const auto& in : row.inputs) {
      if (row.spec.scale) continue;  // block-scaled inputs take scales: block_scaled_test.cpp
      const auto sel = pe::select_tensor_core(p, row.gpus[0], row.instrs[0], in, in, row.out);
      v.push_back({fmt::format("{}/{}/{}->{}", row.gpus[0], row.instrs[0], in, row.out), sel.spec});
    }
  // Mixed FP8 (e4m3 x e5m2) where the presets take it.
  for (const char* gpu : {"h100", "b200", "ada"})
    for (const char* instr : {"mma.sync", "wgmma"}) try {
        v.push_back({fmt::format("{}/{}/e4m3xe5m2", gpu, instr),
                     pe::select_tensor_core(p, gpu, instr, "e4m3", "e5m2", "fp32").spec});
      } catch (const std::invalid_argument&) {
      }
  return v;
}

TEST(MmaGemm, EqualsMmaDotOnEveryPreset) {
  const char* env = std::getenv("ARITHSIM_GEMM_CASES");
  const size_t per_path = env ? std::strtoull(env, nullptr, 10) : 96;
  std::mt19937_64 g(20261204);
  Tally tally;
  size_t lane_paths = 0;
  const auto all = paths();
  for (const auto& path : all) {
    const units::MmaInstruction mma(path.spec);
    lane_paths += units::mma_gemm_lanes(mma);
    const size_t k = size_t(path.spec.k);
    // Off the lanes mma_gemm is mma_dot per output: a few GEMMs check that plumbing.
    const size_t gemms = units::mma_gemm_lanes(mma) ? per_path : std::max<size_t>(8, per_path / 8);
    for (size_t t = 0; t < gemms; ++t) {
      units::MmaSchedule s;
      std::string what = path.label;
      switch (t % 8) {  // the schedules, in turn
        case 0: case 1: case 2: break;  // one chain (the lanes' direct path)
        case 3: s.promote = 2 * k; what += " promote"; break;
        case 4: s.split_k = 3; what += " split_k=3"; break;
        case 5: s.alpha = 0.75f; s.d = formats::ElementFormat::parse("float16"); what += " alpha, d=fp16"; break;
        case 6: s.c_in_accumulator = false; s.beta = -0.5f; what += " c in the epilogue"; break;
        case 7: s.c_in_accumulator = false; s.c_in_register = true; s.promote = k; what += " c in the register"; break;
      }
      static constexpr size_t kShapes[][2] = {{1, 1}, {3, 16}, {5, 37}, {17, 20}, {2, 33}, {24, 80}};
      const auto& sh = kShapes[t % 6];
      const size_t K = (t % 3 == 0) ? k : (t % 3 == 1) ? 3 * k + k / 2 + 1 : 9 * k;  // whole, partial, long
      check_gemm(mma, s, sh[0], sh[1], K, g, t % 2 == 1, what, tally);
    }
  }
  // The lanes must be what ran for the NVIDIA presets (else this test proves nothing of them).
  EXPECT_GE(lane_paths, 20u);
  EXPECT_GE(tally.lane_outputs, per_path * 10000);
  RecordProperty("outputs", int(tally.outputs));
  std::printf("mma_gemm: %zu GEMMs (%zu on lanes), %zu outputs equal to mma_dot (%zu on lanes), %zu of %zu paths on lanes\n",
              tally.gemms, tally.lane_gemms, tally.outputs, tally.lane_outputs, lane_paths, all.size());
}

// Every fp16 and bf16 code through the lanes' field decoding: a column of each code against
// random rows, on every preset path of that type.
TEST(MmaGemm, EverySixteenBitCode) {
  std::mt19937_64 g(7);
  Tally tally;
  for (const auto& path : paths()) {
    const std::string in = path.spec.a.name();
    if (path.spec.a.bits() != 16 || path.spec.b.bits() != 16) continue;
    const units::MmaInstruction mma(path.spec);
    if (!units::mma_gemm_lanes(mma)) continue;
    const size_t K = 1024, n = 65536 / K, m = 2;
    Codes bt(n * K), a(m * K), c{0};
    for (size_t i = 0; i < bt.size(); ++i) bt[i] = uint32_t(i);
    const CodeGen ga{path.spec.a, 1, (1 << spec_of(path.spec.a).e) - 2, false};
    for (auto& x : a) x = ga(g);
    Codes d(m * n);
    units::mma_gemm(mma, {}, a, bt, m, n, K, c, d);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        ++tally.outputs;
        EXPECT_EQ(d[i * n + j], units::mma_dot(mma, {}, std::span(a).subspan(i * K, K), std::span(bt).subspan(j * K, K), 0))
            << path.label << " column of codes " << j * K << "..";
      }
  }
  EXPECT_GT(tally.outputs, 0u);
}

TEST(MmaGemm, SizesThatDoNotAgreeAreRefused) {
  const units::MmaInstruction mma(pe::select_tensor_core(pe::builtin_tensor_core_presets(), "h100", "wgmma", "e4m3", "e4m3", "fp32").spec);
  Codes a(2 * 32), bt(3 * 32), c(5), d(6);
  EXPECT_THROW(units::mma_gemm(mma, {}, a, bt, 2, 3, 32, c, d), std::invalid_argument);  // 5 codes of C
  c.resize(1);
  EXPECT_THROW(units::mma_gemm(mma, {}, a, bt, 2, 3, 31, c, d), std::invalid_argument);  // A is not 2 x 31
  EXPECT_NO_THROW(units::mma_gemm(mma, {}, a, bt, 2, 3, 32, c, d));
}

// The PE's gemm is its dot products (the estimator's and `arithsim gemm`'s path).
TEST(MmaGemm, PeGemmIsItsDots) {
  for (const pe::Params& p : std::vector<pe::Params>{{{"gpu", "h100"}, {"instr", "wgmma"}, {"in", "e4m3"}},
                                                    {{"gpu", "a100"}, {"in", "bf16"}, {"promote", "64"}},
                                                    {{"gpu", "h100"}, {"in", "fp16"}, {"scale", "pow2"}},
                                                    {{"gpu", "mi300x"}, {"instr", "mfma"}, {"in", "fp16"}},
                                                    {{"gpu", "b200"}, {"instr", "tcgen05"}, {"in", "nvfp4"}},
                                                    {{"gpu", "b200"}, {"instr", "tcgen05"}, {"in", "mxfp8"}}}) {
    const auto unit = pe::make_pe("tensor_core", p);
    std::mt19937_64 g(3);
    std::normal_distribution<float> nd(0, 1);
    std::vector<pe::Operand> rows, cols;
    for (int i = 0; i < 5; ++i) {
      std::vector<float> x(200);
      for (auto& v : x) v = nd(g);
      rows.push_back(unit->quantize_a(x));
    }
    for (int j = 0; j < 19; ++j) {
      std::vector<float> x(200);
      for (auto& v : x) v = nd(g) * 8;
      cols.push_back(unit->quantize_w(x));
    }
    std::vector<double> out(rows.size() * cols.size());
    unit->gemm(rows, cols, out);
    for (size_t i = 0; i < rows.size(); ++i)
      for (size_t j = 0; j < cols.size(); ++j) EXPECT_EQ(out[i * cols.size() + j], unit->dot(rows[i], cols[j])) << unit->config();
    std::vector<double> wrong(3);
    EXPECT_THROW(unit->gemm(rows, cols, wrong), pe::PeError);
  }
}

}  // namespace
