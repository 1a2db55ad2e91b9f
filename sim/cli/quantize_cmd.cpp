// arithsim quantize --format F [--block N] --in x.npy --out y.npy [--dequant]
#include <cmath>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/io/file_transaction.hpp>
#include <arithsim/models/io/output_paths.hpp>
#include <arithsim/models/tensor/error_stats.hpp>
#include <arithsim/models/tensor/npy.hpp>
#include <arithsim/models/threads/parallel_for.hpp>
#include "sim/cli/common.hpp"

namespace arithsim::cli {
namespace {

struct QuantizeArgs {
  std::string format, in, out;
  int block = 0;
  bool dequant = false, json = false;
  size_t threads = threads::default_threads();
  RoundingArgs rounding;
};

std::string scales_path(const std::string& out) {
  const auto dot = out.rfind(".npy");
  return (dot != std::string::npos && dot + 4 == out.size() ? out.substr(0, dot) : out) + ".scales.npy";
}

void print_stats(const QuantizeArgs& a, const std::string& fmt_name, const tensor::ErrorStats& s) {
  if (a.json) {
    nlohmann::json j = {{"format", fmt_name}, {"elements", s.count}, {"mse", s.mse}, {"max_abs_error", s.max_abs},
                        {"nonfinite", s.nonfinite}};
    j["sqnr_db"] = std::isinf(s.sqnr_db) ? nlohmann::json("inf") : nlohmann::json(s.sqnr_db);
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("format: {}\nelements: {}\nMSE: {:.6g}\nSQNR: {:.3f} dB\nmax abs error: {:.6g}\n", fmt_name, s.count,
               s.mse, s.sqnr_db, s.max_abs);
    if (s.nonfinite) fmt::print("non-finite outputs: {}\n", s.nonfinite);
  }
}

void run(QuantizeArgs& a) {
  const auto o = a.rounding.options();
  tensor::NpyArray in;
  try {
    in = tensor::read_npy(a.in);
  } catch (const tensor::NpyError& e) {
    throw RuntimeError(e.what(), "--in");
  }
  io::check_output_file(a.out, "--out", {a.in});
  const auto x = in.to_float(/*bf16_from_u2=*/true);
  std::vector<double> ref(x.begin(), x.end());
  std::vector<double> deq(x.size());
  // An element format name wins (mxint8_element); otherwise block syntax decides.
  bool block = formats::looks_like_block(a.format);
  if (block) {
    try {
      formats::ElementFormat::parse(a.format);
      block = false;
    } catch (const std::invalid_argument&) {
    }
  }
  if (!block) {
    if (a.block) throw UsageError("--block applies to block formats (mx*, nvfp4, intB_gG, bfpN)", "--block");
    formats::ElementFormat f = [&] {
      try { return formats::ElementFormat::parse(a.format); }
      catch (const std::invalid_argument& e) { throw UsageError(e.what(), "--format"); }
    }();
    try { f.check(o); } catch (const std::invalid_argument& e) { throw UsageError(e.what(), "--overflow"); }
    std::vector<uint32_t> codes(x.size());
    // Chunks of the tensor per thread through the bulk encoders (vector kernels); stochastic
    // rounding draws one sequence in element order and stays on one thread.
    const size_t threads = o.mode == formats::Rounding::Stochastic ? 1 : a.threads;
    constexpr size_t kChunk = size_t(1) << 16;
    threads::parallel_for((x.size() + kChunk - 1) / kChunk, threads, [&](size_t lo, size_t hi) {
      std::vector<uint16_t> c16(kChunk);
      std::vector<uint8_t> c8(kChunk);
      for (size_t ch = lo; ch < hi; ++ch) {
        const size_t i0 = ch * kChunk, n = std::min(kChunk, x.size() - i0);
        const std::span<const float> xs(x.data() + i0, n);
        if (f.bits() <= 8) {
          f.encode(xs, std::span<uint8_t>(c8.data(), n), o);
          for (size_t i = 0; i < n; ++i) codes[i0 + i] = c8[i];
        } else if (f.bits() <= 16) {
          f.encode(xs, std::span<uint16_t>(c16.data(), n), o);
          for (size_t i = 0; i < n; ++i) codes[i0 + i] = c16[i];
        } else {
          for (size_t i = 0; i < n; ++i) codes[i0 + i] = f.encode(xs[i], o);
        }
        for (size_t i = i0; i < i0 + n; ++i) deq[i] = f.decode(codes[i], o.daz);
      }
    });
    if (a.dequant) {
      tensor::write_npy(a.out, tensor::NpyArray::from_float(std::vector<float>(deq.begin(), deq.end()), in.shape));
    } else if (f.bits() <= 8) {
      tensor::write_npy(a.out, tensor::NpyArray::from_u8(std::vector<uint8_t>(codes.begin(), codes.end()), in.shape));
    } else if (f.bits() <= 16) {
      tensor::write_npy(a.out, tensor::NpyArray::from_u16(std::vector<uint16_t>(codes.begin(), codes.end()), in.shape));
    } else {
      tensor::write_npy(a.out, tensor::NpyArray::from_u32(codes, in.shape));
    }
    print_stats(a, f.name(), tensor::error_stats(ref, deq));
    return;
  }
  formats::BlockSpec spec = [&] {
    try { return formats::parse_block(a.format); }
    catch (const std::invalid_argument& e) { throw UsageError(e.what(), "--format"); }
  }();
  if (a.block) spec.block = a.block;
  if (in.shape.empty()) throw RuntimeError("a block format needs at least a 1-D tensor", "--in");
  const formats::BlockCodec codec(spec);
  formats::Quantized q;
  try {
    q = codec.quantize(x, in.shape.back(), o, a.threads);
  } catch (const std::invalid_argument& e) {
    throw RuntimeError(e.what(), "--in");
  }
  deq = codec.dequantize(q);
  if (a.dequant) {
    tensor::write_npy(a.out, tensor::NpyArray::from_float(std::vector<float>(deq.begin(), deq.end()), in.shape));
  } else {
    // Codes like the input; scales as [rows..., blocks_per_row] next to them.
    std::vector<size_t> sshape(in.shape.begin(), in.shape.end() - 1);
    sshape.push_back(q.blocks_per_row);
    std::vector<uint16_t> sc(q.scales.begin(), q.scales.end());
    // All files or none (io::FileTransaction): side files OUT.scales.npy, OUT.zeros.npy (group
    // INT with zero point), OUT.tensor_scale.npy (NVFP4 with a per-tensor scale, float32 scalar).
    const std::string stem = scales_path(a.out).substr(0, scales_path(a.out).size() - 11);
    std::vector<std::pair<std::string, tensor::NpyArray>> files;
    files.emplace_back(a.out, tensor::NpyArray::from_u8(q.codes, in.shape));
    files.emplace_back(stem + ".scales.npy", tensor::NpyArray::from_u16(sc, sshape));
    if (!q.zeros.empty()) files.emplace_back(stem + ".zeros.npy", tensor::NpyArray::from_u8(q.zeros, sshape));
    if (spec.kind == formats::BlockKind::NVFP4 && spec.tensor_scale)
      files.emplace_back(stem + ".tensor_scale.npy", tensor::NpyArray::from_float({q.tensor_scale}, {}));
    for (const auto& [path, arr] : files) io::check_output_file(path, path == a.out ? "--out" : "--out (side file)", {a.in});
    io::FileTransaction tx;
    try {
      for (const auto& [path, arr] : files) tensor::write_npy(tx.stage(path), arr);
      tx.commit();
    } catch (const std::runtime_error& e) {
      throw RuntimeError(e.what(), "--out");
    }
  }
  print_stats(a, spec.name + fmt::format(" (block {})", spec.block), tensor::error_stats(ref, deq));
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  static QuantizeArgs a;
  auto* q = app.add_subcommand("quantize", "quantize a whole .npy tensor to an element or block format");
  q->add_option("--format", a.format, "element format (e4m3, fp4, posit8_0, int8 ...) or block format (mxfp4, nvfp4, int4_g128, bfp8 ...)")->required();
  add_integer(*q, "--block", a.block, "block / group size of a block format (1..1048576; default: the format's)", 1, 1 << 20);
  q->add_option("--in", a.in, "input tensor (.npy: float32/64, float16, bfloat16 as uint16, int8/16/32, uint8)")->required();
  q->add_option("--out", a.out, "output: element codes (.npy uint8/16/32; block scales go to OUT.scales.npy), or values with --dequant")->required();
  q->add_flag("--dequant", a.dequant, "write the dequantized float32 values instead of codes");
  q->add_flag("--json", a.json, "print the error statistics as JSON");
  add_integer<size_t>(*q, "--threads", a.threads, "threads to quantize on (default: every core; the codes do not depend on it)", 1,
              threads::kMaxThreads);
  a.rounding.add_to(*q, /*with_daz=*/true);
  q->callback([] { run(a); });
}

}  // namespace arithsim::cli
