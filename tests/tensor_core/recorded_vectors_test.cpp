// Every preset of the tensor_core PE against the recorded GPU results in
// ../shared/tensor-core-vectors (Khattak and Mikaitis, BSD-2; unpacked by the CTest fixture
// into ARITHSIM_TC_VECTORS): every vector of every set, bit for bit.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <arithsim/models/pe/tensor_core_presets.hpp>
#include <arithsim/models/units/mma_gemm.hpp>

namespace {

namespace fs = std::filesystem;
using namespace arithsim;

std::vector<std::string> lines(const fs::path& p) {
  std::ifstream f(p);
  std::vector<std::string> v;
  for (std::string l; std::getline(f, l);)
    if (!l.empty()) v.push_back(l);
  return v;
}

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

uint32_t binary_string(const std::string& s) {
  EXPECT_EQ(s.size(), 32u) << s;
  return uint32_t(std::stoul(s, nullptr, 2));
}

struct SetResult {
  size_t vectors = 0, mismatches = 0, gemm_mismatches = 0;  // mma.apply's; mma_gemm's
  std::string first;
};

// The GPU folder's format name -> the presets' type name.
std::string type_of(const std::string& folder) {
  if (folder == "E4M3") return "e4m3";
  if (folder == "E5M2") return "e5m2";
  return folder;
}

// Runs one recorded set (GPU, input folder, output fp32|fp16) through the preset of `instr`.
SetResult run_set(const std::string& gpu, const std::string& folder, const std::string& out, const std::string& instr,
                  bool zero_c) {
  const fs::path dir = fs::path(ARITHSIM_TC_VECTORS) / gpu / folder;
  const auto A = lines(dir / ("a_" + gpu + "_" + folder + ".txt"));
  const auto B = lines(dir / ("b_" + gpu + "_" + folder + ".txt"));
  const auto C = lines(dir / ("c_" + gpu + "_fp32.txt"));
  const auto D = lines(dir / ("d_" + gpu + "_" + out + ".txt"));
  SetResult r;
  if (A.empty() || A.size() != B.size() || A.size() != C.size() || A.size() != D.size()) {
    ADD_FAILURE() << dir << ": missing or ragged files (" << A.size() << ", " << B.size() << ", " << C.size() << ", "
                  << D.size() << " lines) for " << out;
    return r;
  }
  std::string g = gpu;
  for (auto& ch : g) ch = char(std::tolower(ch));
  const std::string t = type_of(folder);
  const auto sel = pe::select_tensor_core(pe::builtin_tensor_core_presets(), g, instr, t, t, out);
  const units::MmaInstruction mma(sel.spec);
  const auto& fa = sel.spec.a;
  const auto& fo = sel.spec.out;
  for (size_t i = 0; i < A.size(); ++i) {
    std::istringstream sa(A[i]), sb(B[i]);
    std::vector<uint32_t> a, b;
    for (std::string x; sa >> x;) {
      const float v = from_bits(uint32_t(std::stoul(x, nullptr, 16)));
      a.push_back(fa.encode(v));
      EXPECT_EQ(fa.decode(a.back()), double(v)) << dir << " line " << i + 1 << ": a is not a value of " << t;
    }
    for (std::string x; sb >> x;) {
      const float v = from_bits(uint32_t(std::stoul(x, nullptr, 16)));
      b.push_back(fa.encode(v));
      EXPECT_EQ(fa.decode(b.back()), double(v)) << dir << " line " << i + 1 << ": b is not a value of " << t;
    }
    // The C register holds the recorded fp32 c in the output type (RNE to fp16).
    const float c = zero_c ? 0.0f : from_bits(binary_string(C[i]));
    const uint32_t cc = fo.encode(c), d = mma.apply(a, b, cc);
    // The GEMM path (units::mma_gemm, SIMD lanes where the preset allows) on the same vector.
    uint32_t dg = 0;
    units::mma_gemm(mma, {}, a, b, 1, 1, a.size(), {&cc, 1}, {&dg, 1});
    const float want = from_bits(binary_string(D[i]));
    const double got = fo.decode(d);
    ++r.vectors;
    const bool same = (std::isnan(got) && std::isnan(want)) ||
                      (got == double(want) && std::signbit(got) == std::signbit(want));
    const double got_g = fo.decode(dg);
    r.gemm_mismatches += !((std::isnan(got_g) && std::isnan(want)) ||
                           (got_g == double(want) && std::signbit(got_g) == std::signbit(want)));
    if (!same) {
      if (!r.mismatches++) r.first = "line " + std::to_string(i + 1) + ": got " + std::to_string(got) + " want " + std::to_string(want);
    }
  }
  return r;
}

struct Case {
  const char* gpu;
  const char* folder;
  const char* out;
  const char* instr;
  bool zero_c;  // the set's d was recorded with c = 0, not with the c file (see the note)
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.gpu << "/" << c.folder << " -> " << c.out << " (" << c.instr << ")"; }

class RecordedVectors : public ::testing::TestWithParam<Case> {};

TEST_P(RecordedVectors, EveryVectorBitForBit) {
  const Case& c = GetParam();
  const SetResult r = run_set(c.gpu, c.folder, c.out, c.instr, c.zero_c);
  EXPECT_EQ(r.vectors, 2500u);
  EXPECT_EQ(r.mismatches, 0u) << c.gpu << "/" << c.folder << " -> " << c.out << " (" << c.instr << "): " << r.mismatches
                              << " of " << r.vectors << ", first " << r.first;
  EXPECT_EQ(r.gemm_mismatches, 0u) << c.gpu << "/" << c.folder << " -> " << c.out << " through units::mma_gemm";
  std::printf("%s/%s -> %s (%s%s): %zu vectors, %zu mismatches\n", c.gpu, c.folder, c.out, c.instr,
              c.zero_c ? ", c = 0" : "", r.vectors, r.mismatches);
}

// Hopper FP8 (H100, H200): the fp32-output rows fit the wgmma rule (13 fraction bits) on
// every vector with c = 0 and on none with the recorded c, so they were taken with a zeroed
// accumulator; the fp16-output rows fit the mma.sync rule with the recorded c
// (docs/pe/tensor_core.md).
const Case kCases[] = {
    {"V100", "fp16", "fp32", "mma.sync", false}, {"V100", "fp16", "fp16", "mma.sync", false},
    {"A100", "fp16", "fp32", "mma.sync", false}, {"A100", "fp16", "fp16", "mma.sync", false},
    {"A100", "bf16", "fp32", "mma.sync", false}, {"A100", "tf32", "fp32", "mma.sync", false},
    {"A2", "fp16", "fp32", "mma.sync", false},   {"A2", "fp16", "fp16", "mma.sync", false},
    {"A2", "bf16", "fp32", "mma.sync", false},   {"A2", "tf32", "fp32", "mma.sync", false},
    {"Ada", "fp16", "fp32", "mma.sync", false},  {"Ada", "fp16", "fp16", "mma.sync", false},
    {"Ada", "bf16", "fp32", "mma.sync", false},  {"Ada", "tf32", "fp32", "mma.sync", false},
    {"Ada", "E4M3", "fp32", "mma.sync", false},  {"Ada", "E5M2", "fp32", "mma.sync", false},
    {"Ada", "E4M3", "fp16", "mma.sync", false},  {"Ada", "E5M2", "fp16", "mma.sync", false},
    {"L40S", "fp16", "fp32", "mma.sync", false}, {"L40S", "fp16", "fp16", "mma.sync", false},
    {"L40S", "bf16", "fp32", "mma.sync", false}, {"L40S", "tf32", "fp32", "mma.sync", false},
    {"L40S", "E4M3", "fp32", "mma.sync", false}, {"L40S", "E5M2", "fp32", "mma.sync", false},
    {"H100", "fp16", "fp32", "mma.sync", false}, {"H100", "fp16", "fp16", "mma.sync", false},
    {"H100", "bf16", "fp32", "mma.sync", false}, {"H100", "tf32", "fp32", "wmma", false},
    {"H100", "E4M3", "fp32", "wgmma", true},     {"H100", "E5M2", "fp32", "wgmma", true},
    {"H100", "E4M3", "fp16", "mma.sync", false}, {"H100", "E5M2", "fp16", "mma.sync", false},
    {"H200", "fp16", "fp32", "mma.sync", false}, {"H200", "fp16", "fp16", "mma.sync", false},
    {"H200", "bf16", "fp32", "mma.sync", false}, {"H200", "tf32", "fp32", "wmma", false},
    {"H200", "E4M3", "fp32", "wgmma", true},     {"H200", "E5M2", "fp32", "wgmma", true},
    {"H200", "E4M3", "fp16", "mma.sync", false}, {"H200", "E5M2", "fp16", "mma.sync", false},
    {"B200", "fp16", "fp32", "mma.sync", false}, {"B200", "fp16", "fp16", "mma.sync", false},
    {"B200", "bf16", "fp32", "mma.sync", false}, {"B200", "tf32", "fp32", "wmma", false},
    {"B200", "E4M3", "fp32", "mma.sync", false}, {"B200", "E5M2", "fp32", "mma.sync", false},
    {"B200", "E4M3", "fp16", "mma.sync", false}, {"B200", "E5M2", "fp16", "mma.sync", false},
};

INSTANTIATE_TEST_SUITE_P(AllSets, RecordedVectors, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = std::string(info.param.gpu) + "_" + info.param.folder + "_" + info.param.out;
  return n;
});

// Every set in the unpacked archive is one of the cases above (none is left untested).
TEST(RecordedVectors, EverySetIsCovered) {
  size_t sets = 0;
  for (const auto& g : fs::directory_iterator(ARITHSIM_TC_VECTORS))
    for (const auto& f : fs::directory_iterator(g.path()))
      for (const auto& d : fs::directory_iterator(f.path())) {
        const std::string name = d.path().filename().string();
        if (name.rfind("d_", 0) != 0) continue;
        ++sets;
        const std::string out = name.find("_fp16") != std::string::npos ? "fp16" : "fp32";
        bool found = false;
        for (const auto& c : kCases)
          found = found || (g.path().filename() == c.gpu && f.path().filename() == c.folder && out == c.out);
        EXPECT_TRUE(found) << d.path() << " has no case";
      }
  EXPECT_EQ(sets, std::size(kCases));
}

}  // namespace
