// The tensor_core presets against results recorded on an H200 by tests/tensor_core/probes
// (mma.sync through mma_probe.cu, wgmma through Triton, torch._scaled_mm through cuBLASLt),
// committed as tests/data/tensor_core/h200.tar.xz and unpacked by a CTest fixture into
// ARITHSIM_H200_SETS. Every output of every set, bit for bit.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/tensor/npy.hpp>
#include <arithsim/models/units/mma_gemm.hpp>
#include <arithsim/models/units/mma_schedule.hpp>

namespace {

namespace fs = std::filesystem;
using namespace arithsim;

// The codes of an .npy of unsigned integers (|u1, <u2, <u4), row-major.
std::vector<uint32_t> codes(const fs::path& p, size_t& rows, size_t& cols) {
  const auto arr = tensor::read_npy(p.string());
  EXPECT_EQ(arr.shape.size(), 2u) << p;
  rows = arr.shape[0];
  cols = arr.shape[1];
  const size_t w = arr.item_size();
  std::vector<uint32_t> v(arr.size());
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t x = 0;
    std::memcpy(&x, arr.data.data() + i * w, w);
    v[i] = x;
  }
  return v;
}

// The preset type names of the probe's type names.
std::string type(const std::string& t) {
  if (t == "f16") return "fp16";
  if (t == "f32") return "fp32";
  return t;
}

struct SetResult {
  size_t outputs = 0, mismatches = 0, gemm_mismatches = 0;  // mma_dot's; units::mma_gemm's
  std::string first;
};

// Runs one recorded set through gpu/instr with the schedule; tf32 codes are binary32 patterns.
SetResult run_set(const std::string& name, const std::string& instr, units::MmaSchedule sched) {
  const fs::path dir = fs::path(ARITHSIM_H200_SETS) / name;
  std::ifstream mf(dir / "meta.json");
  const auto meta = nlohmann::json::parse(mf);
  const std::string ta = type(meta["a"]), tb = type(meta["b"]), acc = type(meta["acc"]);
  const auto sel = pe::select_tensor_core(pe::builtin_tensor_core_presets(), "h200", instr, ta, tb, acc);
  const units::MmaInstruction mma(sel.spec);
  size_t am, ak, bn, bk, cm = 0, cn = 0, dm, dn;
  auto A = codes(dir / "a.npy", am, ak), B = codes(dir / "b.npy", bn, bk);
  const bool has_c = fs::exists(dir / "c.npy");
  const auto D = codes(dir / "d.npy", dm, dn);
  const auto C = has_c ? codes(dir / "c.npy", cm, cn) : std::vector<uint32_t>(dm * dn, 0);
  if (ta == "tf32")
    for (auto* v : {&A, &B})
      for (auto& x : *v) x >>= 13;  // binary32 pattern -> e8m10 code
  EXPECT_EQ(ak, bk);
  const bool tiled = name.rfind("mma_sync", 0) == 0;  // 16 x 8 tiles stacked (record.py)
  SetResult r;
  const auto& out = sel.spec.out;
  for (size_t i = 0; i < dm; ++i)
    for (size_t j = 0; j < dn; ++j) {
      const size_t arow = i, brow = tiled ? (i / 16) * 8 + j : j;
      const std::span<const uint32_t> a(&A[arow * ak], ak), b(&B[brow * bk], bk);
      const uint32_t d = units::mma_dot(mma, sched, a, b, C[i * dn + j]);
      const uint32_t want = D[i * dn + j];
      ++r.outputs;
      const bool same = d == want;  // NaN codes too
      if (!same && !r.mismatches++)
        r.first = fmt::format("({},{}): got {} (0x{:x}) want {} (0x{:x})", i, j, out.decode(d), d, out.decode(want), want);
    }
  // The same outputs through units::mma_gemm: the set at once, or tile by tile (16 rows of A
  // against their 8 rows of B) for the stacked mma.sync tiles.
  const size_t tile_m = tiled ? 16 : dm, tile_n = tiled ? 8 : dn;
  for (size_t i0 = 0; i0 < dm; i0 += tile_m) {
    const size_t b0 = tiled ? (i0 / 16) * 8 : 0, tm = std::min(tile_m, dm - i0);
    std::vector<uint32_t> c(tm * tile_n), d(tm * tile_n);
    for (size_t i = 0; i < tm; ++i)
      for (size_t j = 0; j < tile_n; ++j) c[i * tile_n + j] = C[(i0 + i) * dn + j];
    units::mma_gemm(mma, sched, std::span(A).subspan(i0 * ak, tm * ak), std::span(B).subspan(b0 * bk, tile_n * bk), tm,
                    tile_n, ak, c, d);
    for (size_t i = 0; i < tm; ++i)
      for (size_t j = 0; j < tile_n; ++j) r.gemm_mismatches += d[i * tile_n + j] != D[(i0 + i) * dn + j];
  }
  return r;
}

struct Case {
  std::string set, instr;
  size_t promote = 0;
  bool c_in_register = false;
};

std::vector<Case> cases() {
  std::vector<Case> v;
  for (const auto& e : fs::directory_iterator(ARITHSIM_H200_SETS)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("mma_sync", 0) == 0) v.push_back({n, "mma.sync"});
    else if (n.rfind("wgmma", 0) == 0 && n.find("imprecise32") != std::string::npos) v.push_back({n, "wgmma", 32, true});
    else if (n.rfind("wgmma", 0) == 0) v.push_back({n, "wgmma"});
    else if (n.rfind("scaled_mm", 0) == 0) v.push_back({n, "wgmma", n.find("precise") != std::string::npos ? 128u : 0u});
  }
  std::sort(v.begin(), v.end(), [](const Case& a, const Case& b) { return a.set < b.set; });
  return v;
}

TEST(H200Recorded, EveryOutputBitForBit) {
  const auto all = cases();
  EXPECT_GT(all.size(), 80u);
  for (const auto& c : all) {
    units::MmaSchedule s;
    s.promote = c.promote;
    s.c_in_register = c.c_in_register;
    s.c_in_accumulator = !c.c_in_register;
    const SetResult r = run_set(c.set, c.instr, s);
    // One markdown row per set (scripts/tensor_core_docs.sh puts them in the docs).
    std::printf("| %s | %s | %s | %zu | %zu |\n", c.set.c_str(), c.instr.c_str(),
                c.promote ? ("promote " + std::to_string(c.promote) + (c.c_in_register ? ", c in the FP32 register" : "")).c_str()
                          : "chained, c in the accumulator",
                r.outputs, r.mismatches);
    EXPECT_EQ(r.mismatches, 0u) << c.set << ": first " << r.first;
    EXPECT_EQ(r.gemm_mismatches, 0u) << c.set << " through units::mma_gemm";
  }
}

}  // namespace
