// arithsim pe list | arithsim pe presets NAME | arithsim gemm --pe NAME [--param k=v ...] (--a A.npy --b B.npy [--out C.npy] | --m --n --k --seed)
#include <cmath>
#include <random>

#include <fmt/format.h>

#include <arithsim/models/io/escape.hpp>
#include <nlohmann/json.hpp>

#include <arithsim/models/io/output_paths.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/tensor/npy.hpp>
#include "sim/cli/common.hpp"
#include "sim/gemm/gemm_driver.hpp"
#include <arithsim/models/threads/parallel_for.hpp>

namespace arithsim::cli {
namespace {

struct GemmArgs {
  std::string pe, a, b, out, dist = "normal";
  std::vector<std::string> params;
  size_t m = 64, n = 64, k = 256;
  uint64_t seed = 1;
  size_t threads = threads::default_threads();
  bool json = false, codes = false;
};

void cmd_list(bool json) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& info : pe::pe_catalog()) {
    if (json) {
      nlohmann::json params = nlohmann::json::array();
      for (const auto& p : info.params) params.push_back({{"name", p.name}, {"default", p.default_value}, {"help", p.help}});
      out.push_back({{"name", info.name}, {"title", info.title}, {"paper", info.paper}, {"params", params}});
      continue;
    }
    fmt::print("{}\n  {}\n  source: {}\n", info.name, info.title, info.paper);
    for (const auto& p : info.params) fmt::print("    {:<14} = {:<10} {}\n", p.name, p.default_value, p.help);
  }
  if (json) fmt::print("{}\n", out.dump(2));
}

struct PresetArgs {
  std::string pe, format = "text";
  std::vector<std::string> params;
};

void cmd_presets(const PresetArgs& a) {
  std::optional<pe::PresetTable> t;
  try {
    t = pe::pe_presets(a.pe, parse_key_values(a.params, "--param"));
  } catch (const pe::PeError& e) {
    throw UsageError(e.what(), "NAME/--param");
  }
  if (!t) throw UsageError(fmt::format("PE '{}' has no presets", a.pe), "NAME");
  if (a.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : t->rows) {
      nlohmann::json j;
      for (size_t i = 0; i < t->columns.size(); ++i) j[t->columns[i]] = row[i];
      out.push_back(j);
    }
    fmt::print("{}\n", out.dump(2));
  } else if (a.format == "csv") {
    for (size_t i = 0; i < t->columns.size(); ++i) fmt::print("{}{}", i ? "," : "", io::csv_field(t->columns[i]));
    fmt::print("\n");
    for (const auto& row : t->rows) {
      for (size_t i = 0; i < row.size(); ++i) fmt::print("{}{}", i ? "," : "", io::csv_field(row[i]));
      fmt::print("\n");
    }
  } else if (a.format == "markdown") {
    auto line = [](const std::vector<std::string>& v) {
      std::string s = "|";
      for (const auto& x : v) s += " " + x + " |";
      return s;
    };
    fmt::print("{}\n|{}\n", line(t->columns), [&] {
      std::string s;
      for (size_t i = 0; i < t->columns.size(); ++i) s += "---|";
      return s;
    }());
    for (const auto& row : t->rows) fmt::print("{}\n", line(row));
  } else {
    for (const auto& row : t->rows) {
      for (size_t i = 0; i < row.size(); ++i) fmt::print("{}{}: {}\n", i ? "  " : "- ", t->columns[i], row[i]);
    }
  }
}

tensor::NpyArray load(const std::string& path, const char* opt, size_t& rows, size_t& cols) {
  tensor::NpyArray arr;
  try {
    arr = tensor::read_npy(path);
  } catch (const tensor::NpyError& e) {
    throw RuntimeError(e.what(), opt);
  }
  if (arr.shape.size() != 2) throw RuntimeError(fmt::format("{}: expected a 2-D matrix, got {} dimensions", path, arr.shape.size()), opt);
  rows = arr.shape[0];
  cols = arr.shape[1];
  return arr;
}

// --codes: integer elements are codes of `f` (bit patterns 0 .. 2^bits - 1; a negative
// element of a signed array is the two's-complement pattern of the same width), turned
// into the values they stand for; scale=none then takes those values back as the codes.
std::vector<float> code_values(const tensor::NpyArray& arr, const formats::ElementFormat& f, const std::string& path,
                               const char* opt) {
  const char kind = arr.descr.size() > 1 ? arr.descr[1] : '?';
  if (kind != 'i' && kind != 'u')
    throw RuntimeError(fmt::format("{}: --codes wants an integer array of {} codes, got dtype '{}'", path, f.name(), arr.descr), opt);
  const int bits = f.bits();
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = int64_t{1} << bits;
  const std::vector<double> v = arr.to_double(false);
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const size_t r = i / arr.shape[1], c = i % arr.shape[1];
    if (!(v[i] >= double(lo) && v[i] < double(hi)))
      throw RuntimeError(fmt::format("{}: element [{}, {}] = {} is not a {}-bit code of {}", path, r, c, v[i], bits, f.name()), opt);
    const uint32_t code = uint32_t(int64_t(v[i])) & uint32_t(hi - 1);
    const double x = f.decode(code);
    out[i] = float(x);
    if (!std::isnan(x) && double(out[i]) != x)
      throw RuntimeError(fmt::format("{}: element [{}, {}] = code {:#x} of {} is {}, which a float32 cannot hold", path, r, c,
                                     code, f.name(), x), opt);
  }
  return out;
}

void cmd_gemm(GemmArgs& g) {
  auto params = parse_key_values(g.params, "--param");
  if (g.codes) {
    if (g.a.empty() || g.b.empty()) throw UsageError("--codes reads the operands from --a and --b", "--codes");
    const auto it = params.find("scale");
    if (it != params.end() && it->second != "none")
      throw UsageError(fmt::format("--codes takes the operands as they are (scale=none), not scale={}", it->second), "--codes/--param");
    params["scale"] = "none";
  }
  std::unique_ptr<pe::ProcessingElement> unit;
  try {
    unit = pe::make_pe(g.pe, params);
  } catch (const pe::PeError& e) {
    throw UsageError(e.what(), "--pe/--param");
  }
  std::vector<float> a, b;
  size_t m, n, k;
  if (!g.a.empty() || !g.b.empty()) {
    if (g.a.empty() || g.b.empty()) throw UsageError("--a and --b go together", "--a/--b");
    size_t k2;
    const tensor::NpyArray na = load(g.a, "--a", m, k), nb = load(g.b, "--b", k2, n);
    if (k != k2) throw RuntimeError(fmt::format("A is {}x{} but B is {}x{}", m, k, k2, n), "--a/--b");
    if (g.codes) {
      // The PE's input formats: the layout of a zero operand of length K.
      const std::vector<float> zeros(k, 0.0f);
      try {
        unit->check_k(k);
        a = code_values(na, *unit->quantize_a(zeros).format, g.a, "--a");
        b = code_values(nb, *unit->quantize_w(zeros).format, g.b, "--b");
      } catch (const pe::PeError& e) {
        throw UsageError(e.what(), "--pe/--param and the operand shapes");
      }
    } else {
      a = na.to_float(true);
      b = nb.to_float(true);
    }
  } else {
    m = g.m, n = g.n, k = g.k;
    // Each is 1..2^32 (parse time), so the product is exact in long double.
    if ((long double)m * n * k > 0x1p32L)
      throw UsageError(fmt::format("M*N*K = {}*{}*{} exceeds 2^32 MACs", m, n, k), "--m/--n/--k");
    std::mt19937_64 rng(g.seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::uniform_real_distribution<float> ud(-1.0f, 1.0f);
    if (g.dist != "normal" && g.dist != "uniform") throw UsageError(fmt::format("unknown distribution '{}'", g.dist), "--dist");
    auto draw = [&] { return g.dist == "normal" ? nd(rng) : ud(rng); };
    a.resize(m * k);
    b.resize(k * n);
    for (auto& x : a) x = draw();
    for (auto& x : b) x = draw();
  }
  if (!g.out.empty()) io::check_output_file(g.out, "--out", {g.a, g.b});  // before the GEMM's work
  sim::GemmResult r;
  try {
    r = sim::run_gemm(*unit, a, b, m, n, k, g.threads);
  } catch (const pe::OperandError& e) {
    throw RuntimeError(e.what(), g.a.empty() ? "--dist: random floats are not values of the input formats; scale=none takes --a/--b" : "--a/--b");
  } catch (const pe::PeError& e) {
    throw UsageError(e.what(), "--pe/--param and the operand shapes");
  }
  if (!g.out.empty()) tensor::write_npy(g.out, tensor::NpyArray::from_float(r.c, {m, n}));
  const auto& s = r.stats;
  const double macs = double(m) * double(n) * double(k);
  if (g.json) {
    nlohmann::json j = {{"pe", g.pe},          {"config", unit->config()}, {"m", m},           {"n", n},
                        {"operands", s.operands},
                        {"k", k},              {"max_abs_error", s.max_abs}, {"mean_rel_error", s.mean_rel},
                        {"exact_match_rate", s.exact_match_rate}, {"nonfinite_outputs", s.nonfinite},
                        {"max_rel_error_vs_exact", s.max_rel_vs_exact}, {"mean_rel_error_vs_exact", s.mean_rel_vs_exact},
                        {"norm_rel_error_vs_exact", s.norm_rel_vs_exact},
                        {"seconds", s.seconds}, {"threads", s.threads},
                        {"macs_per_second", s.seconds > 0 ? macs / s.seconds : 0.0}};
    j["sqnr_db"] = std::isinf(s.sqnr_db) ? nlohmann::json("inf") : nlohmann::json(s.sqnr_db);
    if (!s.ulp_histogram.empty()) {
      nlohmann::json h = nlohmann::json::array();  // in order of distance; empty buckets left out
      for (size_t b = 0; b < s.ulp_histogram.size(); ++b)
        if (s.ulp_histogram[b]) h.push_back({{"ulps", sim::ulp_bucket_label(b, s.ulp_histogram.size())}, {"outputs", s.ulp_histogram[b]}});
      j["ulp_histogram"] = h;
    }
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("pe: {} ({})\nshape: M={} N={} K={}{}\n", g.pe, unit->config(), m, n, k,
             g.a.empty() ? fmt::format(" (operands {}(seed {}))", g.dist == "normal" ? "N(0,1) " : "U(-1,1) ", g.seed) : "");
  fmt::print("operands: {}\n", s.operands);
  fmt::print("vs FP64 of the float operands: max abs error {:.6g}, mean relative error {:.6g}, SQNR {:.2f} dB\n", s.max_abs,
             s.mean_rel, s.sqnr_db);
  if (s.nonfinite)
    fmt::print("non-finite outputs (NaN/inf where FP64 is finite, excluded above): {} of {}\n", s.nonfinite, m * n);
  fmt::print("vs the correctly rounded exact dot of the quantized operands: exact match {:.4f}; relative error to the exact dot: mean {:.6g}, max {:.6g}, Frobenius {:.6g}\n",
             s.exact_match_rate, s.mean_rel_vs_exact, s.max_rel_vs_exact, s.norm_rel_vs_exact);
  if (!s.ulp_histogram.empty()) {
    std::string h;
    for (size_t b = 0; b < s.ulp_histogram.size(); ++b)
      if (s.ulp_histogram[b]) h += fmt::format("{}{}: {}", h.empty() ? "" : ", ", sim::ulp_bucket_label(b, s.ulp_histogram.size()), s.ulp_histogram[b]);
    fmt::print("ulp distance from it (outputs): {}\n", h);
  }
  fmt::print("emulation: {:.3g} MAC/s on {} thread{}\n", s.seconds > 0 ? macs / s.seconds : 0.0, s.threads, s.threads == 1 ? "" : "s");
}

}  // namespace

void add_pe_commands(CLI::App& app) {
  auto* pe = app.add_subcommand("pe", "processing-element models");
  pe->require_subcommand(1);
  auto* list = pe->add_subcommand("list", "every PE model with its parameters and defaults");
  static bool list_json = false;
  list->add_flag("--json", list_json, "print JSON");
  list->callback([] { cmd_list(list_json); });

  static PresetArgs pa;
  auto* presets = pe->add_subcommand("presets", "the rows of data a PE configures itself from (e.g. tensor_core's GPUs)");
  presets->add_option("NAME", pa.pe, "PE name")->required();
  presets->add_option("--param", pa.params, "PE parameter key=value (e.g. presets=FILE)");
  presets->add_option("--format", pa.format, "text | markdown | csv | json")
      ->check(CLI::IsMember({"text", "markdown", "csv", "json"}))
      ->capture_default_str();
  presets->callback([] { cmd_presets(pa); });

  static GemmArgs g;
  auto* gemm = app.add_subcommand("gemm", "run C = A*B through a PE model bit-accurately and report its error");
  gemm->add_option("--pe", g.pe, "PE name (arithsim pe list)")->required();
  gemm->add_option("--param", g.params, "PE parameter key=value (repeatable)");
  gemm->add_option("--a", g.a, "A (M x K) as .npy");
  gemm->add_option("--b", g.b, "B (K x N) as .npy");
  gemm->add_option("--out", g.out, "write C (M x N, float32) as .npy");
  const size_t dim_max = size_t(1) << 32;
  add_integer<size_t>(*gemm, "--m", g.m, "rows of A (random operands)", 1, dim_max);
  add_integer<size_t>(*gemm, "--n", g.n, "columns of B (random operands)", 1, dim_max);
  add_integer<size_t>(*gemm, "--k", g.k, "reduction length (random operands)", 1, dim_max);
  add_integer<uint64_t>(*gemm, "--seed", g.seed, "seed of the random operands", 0);
  add_integer<size_t>(*gemm, "--threads", g.threads,
                      "threads sharing the rows of C and of the references (default: the machine's; the result is the same for any)",
                      1, threads::kMaxThreads);
  gemm->add_option("--dist", g.dist, "distribution of random operands: normal (N(0,1)) | uniform (U(-1,1))")->capture_default_str();
  gemm->add_flag("--json", g.json, "print the statistics as JSON");
  gemm->add_flag("--codes", g.codes,
                 "--a and --b hold integer codes of the PE's input formats (implies --param scale=none)");
  gemm->callback([] { cmd_gemm(g); });
}

}  // namespace arithsim::cli
