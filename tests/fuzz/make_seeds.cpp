// Writes the seed inputs that are generated rather than copied from the repository
// (docs/fuzzing.md): `fuzz_make_seeds DIR` creates DIR/<harness>/gen-* files. Their output is
// committed under tests/fuzz/corpus/; rerun it when a format changes.
//   accelergy/       export_accelergy of int_mac (28 nm, with a measured activity)
//   npy/             every dtype, scalar / 1-D / 3-D shapes, format versions 1.0, 2.0, 3.0
//   trace/           to_json of small generated traces
//   activity_file/   activity_yaml of a measured-looking activity
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <arithsim/cost/accelergy.hpp>
#include <arithsim/cost/activity_file.hpp>
#include <arithsim/cost/component_library.hpp>
#include <arithsim/cost/pe_cost.hpp>
#include <arithsim/models/tensor/npy.hpp>
#include "traces/generators.hpp"
#include "traces/trace.hpp"

namespace {

namespace fs = std::filesystem;
using namespace arithsim;

void put(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// The same array under another format version: version 2.0/3.0 have a 4-byte header length.
std::string with_version(const std::string& v1, int major) {
  const size_t hlen = uint8_t(v1[8]) | (size_t(uint8_t(v1[9])) << 8);
  std::string dict = v1.substr(10, hlen);
  dict.insert(dict.size() - 1, std::string(62, ' '));  // keeps 64-byte alignment: 12 + hlen + 62
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(0);
  for (int i = 0; i < 4; ++i) out += char((dict.size() >> (8 * i)) & 0xff);
  return out + dict + v1.substr(10 + hlen);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  const auto lib = cost::ComponentLibrary::builtin();
  const auto& node = lib.technology().node(28.0);
  // One PE (the smallest export: seeds stay a few KB, libFuzzer's input length follows them).
  const auto c = cost::pe_cost(lib, "int_mac", {}, node);
  const cost::ActivityFactors measured{0.31, 0.17, "measured", 0.28, 0.45};
  put(out / "accelergy", "gen-export-int_mac.yaml", cost::export_accelergy(c, measured));

  using tensor::NpyArray;
  const std::vector<std::vector<size_t>> shapes = {{}, {5}, {2, 3, 1}};
  for (size_t s = 0; s < shapes.size(); ++s) {
    size_t n = 1;
    for (size_t d : shapes[s]) n *= d;
    std::vector<float> f(n);
    for (size_t i = 0; i < n; ++i) f[i] = float(i) * 0.75f - 1.5f;
    std::vector<uint8_t> u8(n);
    std::vector<uint16_t> u16(n);
    std::vector<uint32_t> u32(n);
    for (size_t i = 0; i < n; ++i) u8[i] = uint8_t(i * 37), u16[i] = uint16_t(0x3f80 + i), u32[i] = uint32_t(i * 70001);
    const std::vector<std::pair<std::string, NpyArray>> arrays = {
        {"f4", NpyArray::from_float(f, shapes[s])},
        {"u1", NpyArray::from_u8(u8, shapes[s])},
        {"u2", NpyArray::from_u16(u16, shapes[s])},
        {"u4", NpyArray::from_u32(u32, shapes[s])}};
    for (const auto& [tag, a] : arrays)
      put(out / "npy", "gen-" + tag + "-rank" + std::to_string(shapes[s].size()) + ".npy", tensor::npy_bytes(a));
  }
  // The other dtypes: the same bytes under another descr.
  for (const char* d : {"<f8", "<f2", "<i2", "<i4", "|i1", "|b1"}) {
    NpyArray a;
    a.descr = d;
    a.shape = {3};
    a.data.assign(3 * a.item_size(), 0);
    for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = uint8_t(0x3c + 17 * i);
    std::string tag = d + 1;
    put(out / "npy", "gen-" + tag + ".npy", tensor::npy_bytes(a));
  }
  const std::string v1 = tensor::npy_bytes(NpyArray::from_float({1, 2, 3, 4}, {2, 2}));
  put(out / "npy", "gen-version2.npy", with_version(v1, 2));
  put(out / "npy", "gen-version3.npy", with_version(v1, 3));

  for (const auto& [model, phase] : std::vector<std::pair<std::string, std::string>>{
           {"llama2-7b", "decode"}, {"deit-s", ""}}) {
    traces::GenOptions o;
    o.phase = phase;
    put(out / "trace", "gen-" + model + ".json", traces::to_json(traces::generate(model, o)));
  }

  cost::ActivityFile act{"fp8_mac", {0.31, 0.146, "measured: 10^5 cycles of llama2-7b values", 0.30, 0.41}};
  put(out / "activity_file", "gen-fp8_mac.yaml", cost::activity_yaml(act));
  return 0;
}
