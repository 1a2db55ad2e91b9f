// arithsim run: the main job. Until the trace-driven estimator exists (issue #6), it is a
// short demonstration of the format library on an embedded tensor.
#include <cmath>
#include <random>
#include <vector>

#include <fmt/format.h>

#include "models/formats/block.hpp"
#include "models/tensor/error_stats.hpp"
#include "sim/cli/common.hpp"

namespace arithsim::cli {
namespace {

// The embedded default tensor: 32 x 128 values, Gaussian with a few outliers, seed 2026.
std::vector<float> demo_tensor() {
  std::mt19937_64 g(2026);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> x(32 * 128);
  for (size_t i = 0; i < x.size(); ++i) x[i] = n(g) * (i % 97 == 0 ? 8.0f : 1.0f);
  return x;
}

void run_demo() {
  const auto e4m3 = formats::ElementFormat::parse("float8_e4m3fn");
  fmt::print("FP8 E4M3 (float8_e4m3fn) positive codes:\n");
  for (uint32_t c = 0; c < 0x80; ++c) {
    const double v = e4m3.decode(c);
    fmt::print("  0x{:02x} {:>12}{}", c, std::isnan(v) ? "nan" : fmt::format("{}", v), c % 4 == 3 ? "\n" : "");
  }
  const auto x = demo_tensor();
  const std::vector<double> ref(x.begin(), x.end());
  fmt::print("\nQuantizing the built-in 32x128 tensor (N(0,1), every 97th value x8):\n");
  fmt::print("{:<14} {:>6} {:>12} {:>10} {:>12}\n", "format", "block", "MSE", "SQNR dB", "max |err|");
  for (const char* name : {"mxfp8", "mxfp6_e2m3", "mxfp4", "mxint8", "nvfp4", "int4_g128", "bfp8"}) {
    const formats::BlockCodec codec(formats::parse_block(name));
    const auto q = codec.quantize(x, 128);
    const auto d = codec.dequantize(q);
    const auto s = tensor::error_stats(ref, d);
    fmt::print("{:<14} {:>6} {:>12.4e} {:>10.2f} {:>12.4e}\n", name, codec.spec().block, s.mse, s.sqnr_db, s.max_abs);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto* r = app.add_subcommand("run", "run the main job on its embedded default workload");
  r->callback([] { run_demo(); });
}

}  // namespace arithsim::cli
