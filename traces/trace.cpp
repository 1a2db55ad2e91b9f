#include "traces/trace.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/yaml_document.hpp>
#include <arithsim/models/tensor/npy.hpp>

namespace arithsim::traces {

std::string_view to_string(OpKind k) {
  switch (k) {
    case OpKind::Gemm: return "gemm";
    case OpKind::BatchedGemm: return "batched_gemm";
    case OpKind::Conv2d: return "conv2d";
    case OpKind::Elementwise: return "elementwise";
  }
  return "?";
}

std::optional<OpKind> parse_kind(std::string_view s) {
  for (OpKind k : {OpKind::Gemm, OpKind::BatchedGemm, OpKind::Conv2d, OpKind::Elementwise})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Formats: storage bits per element
// ---------------------------------------------------------------------------------------

namespace {

// An element format name wins over block syntax (as `arithsim quantize` decides). Parsed once
// per name and process: some formats build tables on parse (bf16: 65,536 entries), and a
// trace names the same few formats on every op.
const std::optional<formats::ElementFormat>& element_format(const std::string& f) {
  static std::mutex m;
  static std::map<std::string, std::optional<formats::ElementFormat>, std::less<>> cache;
  const std::lock_guard<std::mutex> lock(m);
  auto it = cache.find(f);
  if (it == cache.end()) {
    std::optional<formats::ElementFormat> e;
    try {
      e = formats::ElementFormat::parse(f);
    } catch (const std::invalid_argument&) {
    }
    it = cache.emplace(f, std::move(e)).first;
  }
  return it->second;  // std::map nodes are stable
}

// Storage bits per element of a block format with `group` overriding its block size.
double block_bits(const std::string& format, int64_t group) {
  if (!formats::looks_like_block(format)) throw std::invalid_argument("unknown format '" + format + "'");
  formats::BlockSpec spec = formats::parse_block(format);
  if (group > kMaxGroup) throw std::invalid_argument("group " + std::to_string(group) + " is larger than " + std::to_string(kMaxGroup));
  if (group > 0) spec.block = int(group);
  const formats::BlockCodec codec(spec);
  double per_block = codec.scale_format().bits();
  if (spec.zero_point) per_block += spec.element_bits();
  return spec.element_bits() + per_block / spec.block;
}

// block_bits memoized per (format, group): summaries and the estimator ask for every op
// several times. Errors are not cached (they throw every time).
double cached_block_bits(const std::string& format, int64_t group) {
  static std::mutex m;
  static std::map<std::pair<std::string, int64_t>, double> cache;
  const auto key = std::make_pair(format, group);
  {
    const std::lock_guard<std::mutex> lock(m);
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
  }
  const double bits = block_bits(format, group);
  const std::lock_guard<std::mutex> lock(m);
  return cache.emplace(key, bits).first->second;
}

}  // namespace

void check_format(const std::string& format) {
  if (format.empty()) throw std::invalid_argument("empty format name");
  if (element_format(format)) return;
  if (formats::looks_like_block(format)) {
    bits_per_element(format);  // parses it (throws with its own message) and remembers it
    return;
  }
  throw std::invalid_argument("unknown format '" + format + "'");
}

double bits_per_element(const std::string& format, int64_t group) {
  if (const auto& e = element_format(format)) return e->bits() + (group > 0 ? 16.0 / double(group) : 0.0);
  return cached_block_bits(format, group);
}

// ---------------------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------------------

uint64_t Op::macs() const {
  switch (kind) {
    case OpKind::Gemm:
    case OpKind::BatchedGemm: return uint64_t(repeat * batch * m) * uint64_t(n * k);
    case OpKind::Conv2d:
      return uint64_t(repeat * conv.n * conv.p() * conv.q()) * uint64_t(conv.k * conv.c * conv.r * conv.s);
    case OpKind::Elementwise: return 0;
  }
  return 0;
}

uint64_t Op::a_elements() const {
  switch (kind) {
    case OpKind::Gemm:
    case OpKind::BatchedGemm: return uint64_t(repeat * batch) * uint64_t(m * k);
    case OpKind::Conv2d: return uint64_t(repeat * conv.n) * uint64_t(conv.h * conv.w * conv.c);
    case OpKind::Elementwise: return uint64_t(repeat * batch * inputs) * uint64_t(m * n);
  }
  return 0;
}

uint64_t Op::b_elements() const {
  switch (kind) {
    case OpKind::Gemm:
    case OpKind::BatchedGemm: return uint64_t(repeat * batch) * uint64_t(k * n);
    case OpKind::Conv2d: return uint64_t(repeat) * uint64_t(conv.k * conv.c * conv.r * conv.s);
    case OpKind::Elementwise: return 0;
  }
  return 0;
}

uint64_t Op::c_elements() const {
  switch (kind) {
    case OpKind::Gemm:
    case OpKind::BatchedGemm:
    case OpKind::Elementwise: return uint64_t(repeat * batch) * uint64_t(m * n);
    case OpKind::Conv2d: return uint64_t(repeat * conv.n) * uint64_t(conv.p() * conv.q() * conv.k);
  }
  return 0;
}

double Op::a_bytes() const { return double(a_elements()) * bits_per_element(activation_format) / 8.0; }
double Op::b_bytes() const {
  return kind == OpKind::Elementwise ? 0.0 : double(b_elements()) * bits_per_element(weight_format, group) / 8.0;
}
double Op::c_bytes() const { return double(c_elements()) * bits_per_element(output_format) / 8.0; }

std::string Op::b_format_label() const {
  return group > 0 ? fmt::format("{}/g{}", weight_format, group) : weight_format;
}

uint64_t Trace::macs() const {
  uint64_t s = 0;
  for (const auto& op : ops) s += op.macs();
  return s;
}

uint64_t Trace::parameter_count() const {
  uint64_t s = 0;
  for (const auto& op : ops) s += op.parameters();
  return s;
}

Summary summarize(const Trace& t) {
  Summary s;
  s.ops = t.ops.size();
  for (const auto& op : t.ops) {
    s.macs += op.macs();
    s.parameters += op.parameters();
    s.effective_macs += op.effective_macs();
    s.macs_by_kind[std::string(to_string(op.kind))] += op.macs();
    const double a = op.a_bytes(), b = op.b_bytes(), c = op.c_bytes();
    s.activation_bytes += a;
    s.weight_bytes += b;
    s.output_bytes += c;
    s.bytes_by_format[op.activation_format] += a;
    if (op.kind != OpKind::Elementwise) s.bytes_by_format[op.b_format_label()] += b;
    s.bytes_by_format[op.output_format] += c;
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

namespace {

const std::map<std::string, std::vector<std::string>>& distributions() {
  static const std::map<std::string, std::vector<std::string>> d = {
      {"normal", {"mean", "std"}},
      {"uniform", {"low", "high"}},
      {"laplace", {"loc", "scale"}},
      {"student_t", {"df", "scale"}},
  };
  return d;
}

// Reads one trace, throwing TraceError("FILE: WHERE: MESSAGE").
class Reader {
 public:
  Reader(std::string file, std::string base_dir) : file_(std::move(file)), base_(std::move(base_dir)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw TraceError(io::one_line(file_ + (where.empty() ? "" : ": " + where) + ": " + what));
  }

  void check_fields(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& where) const {
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      if (!allowed.count(key)) fail(where, "unknown field '" + key + "'");
    }
  }

  std::optional<int64_t> opt_int(const YAML::Node& map, const std::string& f, const std::string& where,
                                 int64_t min, const char* what) const {
    const YAML::Node n = map[f];
    if (!n) return std::nullopt;
    int64_t v = 0;
    const std::string s = n.IsScalar() && n.Tag() != "!" ? n.Scalar() : "";
    const char* b = s.data();
    const char* e = s.data() + s.size();
    if (b != e && *b == '+') ++b;
    const auto r = std::from_chars(b, e, v);
    // 2^40 bounds every dimension so that products of a few of them stay exact in 64 bits.
    const bool digits = !s.empty() && r.ptr == e && (r.ec == std::errc() || r.ec == std::errc::result_out_of_range);
    if (digits && (r.ec != std::errc() || v > (int64_t(1) << 40)))
      fail(where, "field '" + f + "' is " + io::escape(s) + ", above the limit 2^40 (1099511627776)");
    if (s.empty() || r.ec != std::errc() || r.ptr != e || v < min) fail(where, "field '" + f + "' must be " + what);
    return v;
  }
  int64_t req_int(const YAML::Node& map, const std::string& f, const std::string& where) const {
    const auto v = opt_int(map, f, where, 1, "a positive integer");
    if (!v) fail(where, "missing field '" + f + "'");
    return *v;
  }
  std::optional<double> opt_number(const YAML::Node& map, const std::string& f, const std::string& where) const {
    const YAML::Node n = map[f];
    if (!n) return std::nullopt;
    const std::string s = n.IsScalar() && n.Tag() != "!" ? n.Scalar() : "";
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v))
      fail(where, "field '" + f + "' must be a number");
    return v;
  }
  std::optional<std::string> opt_text(const YAML::Node& map, const std::string& f, const std::string& where) const {
    const YAML::Node n = map[f];
    if (!n) return std::nullopt;
    if (!n.IsScalar() || n.Scalar().empty()) fail(where, "field '" + f + "' must be a non-empty string");
    return n.Scalar();
  }
  std::string req_text(const YAML::Node& map, const std::string& f, const std::string& where) const {
    auto v = opt_text(map, f, where);
    if (!v) fail(where, "missing field '" + f + "'");
    return *v;
  }
  std::optional<std::string> opt_format(const YAML::Node& map, const std::string& f, const std::string& where) const {
    auto v = opt_text(map, f, where);
    if (v) {
      try {
        check_format(*v);
      } catch (const std::invalid_argument& e) {
        fail(where, "field '" + f + "': " + e.what());
      }
    }
    return v;
  }
  std::optional<double> opt_sparsity(const YAML::Node& map, const std::string& where) const {
    auto v = opt_number(map, "sparsity", where);
    if (v && !(*v >= 0 && *v < 1)) fail(where, "field 'sparsity' must be in [0, 1)");
    return v;
  }
  std::optional<int64_t> opt_group(const YAML::Node& map, const std::string& where) const {
    const auto g = opt_int(map, "group", where, 0, "a non-negative integer");
    if (g && *g > kMaxGroup) fail(where, fmt::format("field 'group' must be at most {} (got {})", kMaxGroup, *g));
    return g;
  }

  std::optional<ValueStats> stats(const YAML::Node& map, const std::string& f, const std::string& where) const {
    const YAML::Node n = map[f];
    if (!n) return std::nullopt;
    const std::string w = where + ": field '" + f + "'";
    if (!n.IsMap()) fail(w, "expected a mapping (distribution: ... or npy: ...)");
    ValueStats s;
    if (n["npy"]) {
      check_fields(n, {"npy"}, w);
      s.npy = req_text(n, "npy", w);
      const std::filesystem::path given(s.npy);
      const auto path = given.is_absolute() ? given : std::filesystem::path(base_) / given;
      if (!std::filesystem::is_regular_file(path)) fail(w, "field 'npy': file '" + io::escape(s.npy) + "' not found");
      check_sample(path.string(), w);
      return s;
    }
    if (!n["distribution"]) fail(w, "missing field 'distribution' (or 'npy')");
    s.distribution = req_text(n, "distribution", w);
    const auto it = distributions().find(s.distribution);
    if (it == distributions().end())
      fail(w, "field 'distribution' must be one of normal, uniform, laplace, student_t (got '" + s.distribution + "')");
    std::set<std::string> allowed{"distribution"};
    for (const auto& p : it->second) {
      allowed.insert(p);
      const auto v = opt_number(n, p, w);
      if (!v) fail(w, "missing field '" + p + "' of distribution " + s.distribution);
      s.params[p] = *v;
    }
    check_fields(n, allowed, w);
    const auto& q = s.params;
    auto positive = [&](const char* p) {
      if (!(q.at(p) > 0)) fail(w, fmt::format("field '{}' of distribution {} must be positive (got {})", p, s.distribution, q.at(p)));
    };
    if (s.distribution == "normal") positive("std");
    if (s.distribution == "laplace" || s.distribution == "student_t") positive("scale");
    if (s.distribution == "student_t") positive("df");
    if (s.distribution == "uniform" && !(q.at("low") < q.at("high")))
      fail(w, fmt::format("field 'low' must be below 'high' (got {} and {})", q.at("low"), q.at("high")));
    return s;
  }

  // A value sample must be a readable, non-empty .npy of finite numbers (read once per file).
  void check_sample(const std::string& path, const std::string& where) const {
    if (checked_samples_.count(path)) return;
    std::vector<double> v;
    try {
      v = tensor::read_npy(path).to_double();
    } catch (const std::exception& e) {
      fail(where, "field 'npy': " + io::escape(e.what(), 200));
    }
    if (v.empty()) fail(where, "field 'npy': '" + io::escape(path) + "' holds no values");
    for (size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i])) fail(where, fmt::format("field 'npy': '{}' holds a non-finite value at index {}", io::escape(path), i));
    checked_samples_.insert(path);
  }

  Trace read(std::string_view text) const {
    YAML::Node root;
    try {
      root = io::load_yaml(text, file_);
    } catch (const io::YamlError& e) {
      throw TraceError(e.what());
    }
    if (!root || root.IsNull()) fail("", "empty trace");
    if (!root.IsMap()) fail("", "expected a mapping at the top level");
    check_fields(root, {"version", "model", "phase", "parameters", "defaults", "ops"}, "");
    Trace t;
    const auto version = opt_int(root, "version", "", 1, "a positive integer");
    if (!version) fail("", "missing field 'version'");
    if (*version != kTraceVersion)
      fail("", fmt::format("unsupported version {} (this arithsim reads version {})", *version, kTraceVersion));
    t.version = int(*version);
    t.model = req_text(root, "model", "");
    t.phase = req_text(root, "phase", "");
    if (t.phase != "prefill" && t.phase != "decode" && t.phase != "forward")
      fail("", "field 'phase' must be one of prefill, decode, forward (got '" + t.phase + "')");
    if (const YAML::Node p = root["parameters"]) {
      if (!p.IsMap()) fail("", "field 'parameters' must be a mapping of names to numbers");
      for (const auto& kv : p) {
        // A name: keys of any length do not survive YAML (implicit keys stop at 1024
        // characters), and control bytes have no place in report tables.
        const std::string& name = kv.first.Scalar();
        const bool ok = !name.empty() && name.size() <= 64 &&
                        std::none_of(name.begin(), name.end(), [](char c) { return (unsigned char)c < 0x20 || c == 0x7f; });
        if (!ok)
          fail("parameters", "'" + io::escape(name, 80) + "' is not a parameter name (1..64 bytes, no control characters)");
        t.parameters[name] = *opt_number(p, name, "parameters");
      }
    }
    if (const YAML::Node d = root["defaults"]) {
      if (!d.IsMap()) fail("", "field 'defaults' must be a mapping");
      check_fields(d, {"weight_format", "activation_format", "output_format", "group", "sparsity"}, "defaults");
      t.defaults.weight_format = opt_format(d, "weight_format", "defaults").value_or("");
      t.defaults.activation_format = opt_format(d, "activation_format", "defaults").value_or("");
      t.defaults.output_format = opt_format(d, "output_format", "defaults").value_or("");
      t.defaults.group = opt_group(d, "defaults").value_or(0);
      t.defaults.sparsity = opt_sparsity(d, "defaults").value_or(0);
    }
    const YAML::Node ops = root["ops"];
    if (!ops) fail("", "missing field 'ops'");
    if (!ops.IsSequence() || ops.size() == 0) fail("", "field 'ops' must be a non-empty list of ops");
    std::set<std::string> names;
    for (size_t i = 0; i < ops.size(); ++i) {
      Op op = read_op(ops[i], i, t.defaults);
      if (!names.insert(op.name).second) fail("op '" + op.name + "'", "duplicate op name");
      t.ops.push_back(std::move(op));
    }
    return t;
  }

  Op read_op(const YAML::Node& n, size_t index, const OpDefaults& d) const {
    std::string where = "op #" + std::to_string(index + 1);
    if (!n.IsMap()) fail(where, "expected a mapping of fields");
    Op op;
    op.name = req_text(n, "name", where);
    where = "op '" + op.name + "'";
    const std::string kind = req_text(n, "kind", where);
    const auto k = parse_kind(kind);
    if (!k) fail(where, "field 'kind' must be one of gemm, batched_gemm, conv2d, elementwise (got '" + kind + "')");
    op.kind = *k;
    std::set<std::string> allowed{"name", "kind", "repeat", "activation_format", "output_format", "activation_stats"};
    const std::set<std::string> b_fields{"weight_format", "group", "sparsity", "weight_stats"};
    switch (op.kind) {
      case OpKind::Gemm:
        allowed.insert({"m", "n", "k"});
        allowed.insert(b_fields.begin(), b_fields.end());
        break;
      case OpKind::BatchedGemm:
        allowed.insert({"batch", "m", "n", "k"});
        allowed.insert(b_fields.begin(), b_fields.end());
        break;
      case OpKind::Conv2d:
        allowed.insert({"n", "h", "w", "c", "k", "r", "s", "stride", "pad"});
        allowed.insert(b_fields.begin(), b_fields.end());
        break;
      case OpKind::Elementwise: allowed.insert({"batch", "m", "n", "inputs", "function"}); break;
    }
    for (const auto& kv : n) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      if (!allowed.count(key))
        fail(where, "unknown field '" + key + "' for kind " + kind);
    }
    switch (op.kind) {
      case OpKind::Gemm:
      case OpKind::BatchedGemm:
        if (op.kind == OpKind::BatchedGemm) op.batch = req_int(n, "batch", where);
        op.m = req_int(n, "m", where);
        op.n = req_int(n, "n", where);
        op.k = req_int(n, "k", where);
        break;
      case OpKind::Conv2d: {
        auto& c = op.conv;
        c.n = req_int(n, "n", where);
        c.h = req_int(n, "h", where);
        c.w = req_int(n, "w", where);
        c.c = req_int(n, "c", where);
        c.k = req_int(n, "k", where);
        c.r = req_int(n, "r", where);
        c.s = req_int(n, "s", where);
        c.stride = opt_int(n, "stride", where, 1, "a positive integer").value_or(1);
        c.pad = opt_int(n, "pad", where, 0, "a non-negative integer").value_or(0);
        if (c.h + 2 * c.pad < c.r || c.w + 2 * c.pad < c.s)
          fail(where, fmt::format("filter {}x{} larger than the padded input {}x{}", c.r, c.s, c.h + 2 * c.pad,
                                  c.w + 2 * c.pad));
        break;
      }
      case OpKind::Elementwise:
        op.batch = opt_int(n, "batch", where, 1, "a positive integer").value_or(1);
        op.m = req_int(n, "m", where);
        op.n = req_int(n, "n", where);
        op.inputs = opt_int(n, "inputs", where, 1, "a positive integer").value_or(1);
        op.function = opt_text(n, "function", where).value_or("");
        break;
    }
    op.repeat = opt_int(n, "repeat", where, 1, "a positive integer").value_or(1);
    auto format = [&](const std::string& f, const std::string& dflt) {
      auto v = opt_format(n, f, where);
      if (!v && dflt.empty()) fail(where, "missing field '" + f + "' (and no default in 'defaults')");
      return v.value_or(dflt);
    };
    op.activation_format = format("activation_format", d.activation_format);
    op.output_format = format("output_format", d.output_format);
    if (op.kind != OpKind::Elementwise) {
      op.weight_format = format("weight_format", d.weight_format);
      op.group = opt_group(n, where).value_or(d.group);
      op.sparsity = opt_sparsity(n, where).value_or(d.sparsity);
      if (op.group > 0 && !element_format(op.weight_format)) {
        // A block format's block size becomes the group: it must describe a valid format.
        try {
          bits_per_element(op.weight_format, op.group);
        } catch (const std::invalid_argument& e) {
          fail(where, "field 'group': " + std::string(e.what()));
        }
      }
      op.weight_stats = stats(n, "weight_stats", where);
    }
    op.activation_stats = stats(n, "activation_stats", where);
    // Every count must fit in 64 bits.
    const long double total = (long double)op.repeat * op.batch *
                              (op.kind == OpKind::Conv2d
                                   ? (long double)op.conv.n * op.conv.p() * op.conv.q() * op.conv.k * op.conv.c *
                                         op.conv.r * op.conv.s +
                                         (long double)op.conv.n * op.conv.h * op.conv.w * op.conv.c
                                   : (long double)op.m * op.n * std::max<int64_t>(op.k, 1) * op.inputs +
                                         (long double)op.m * op.k + (long double)op.k * op.n);
    if (total > 0x1p62L) fail(where, "shape too large (counts exceed 2^62)");
    return op;
  }

 private:
  std::string file_, base_;
  mutable std::set<std::string> checked_samples_;
};

}  // namespace

Trace parse_trace(std::string_view text, const std::string& file, const std::string& base_dir) {
  return Reader(file, base_dir).read(text);
}

Trace load_trace(const std::string& path) {
  std::string text;
  try {
    text = io::read_text_file(path);
  } catch (const io::YamlError& e) {
    throw TraceError(e.what());
  }
  const auto dir = std::filesystem::path(path).parent_path();
  return parse_trace(text, path, dir.empty() ? "." : dir.string());
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

namespace {

// The fields of an op as written: those equal to the trace's defaults are left out.
nlohmann::ordered_json op_json(const Op& op, const OpDefaults& d) {
  nlohmann::ordered_json j;
  j["name"] = op.name;
  j["kind"] = std::string(to_string(op.kind));
  switch (op.kind) {
    case OpKind::Gemm:
      j["m"] = op.m, j["n"] = op.n, j["k"] = op.k;
      break;
    case OpKind::BatchedGemm:
      j["batch"] = op.batch, j["m"] = op.m, j["n"] = op.n, j["k"] = op.k;
      break;
    case OpKind::Conv2d: {
      const auto& c = op.conv;
      j["n"] = c.n, j["h"] = c.h, j["w"] = c.w, j["c"] = c.c, j["k"] = c.k, j["r"] = c.r, j["s"] = c.s;
      if (c.stride != 1) j["stride"] = c.stride;
      if (c.pad != 0) j["pad"] = c.pad;
      break;
    }
    case OpKind::Elementwise:
      if (op.batch != 1) j["batch"] = op.batch;
      j["m"] = op.m, j["n"] = op.n;
      if (op.inputs != 1) j["inputs"] = op.inputs;
      if (!op.function.empty()) j["function"] = op.function;
      break;
  }
  if (op.repeat != 1) j["repeat"] = op.repeat;
  if (op.kind != OpKind::Elementwise) {
    if (op.weight_format != d.weight_format) j["weight_format"] = op.weight_format;
    if (op.group != d.group) j["group"] = op.group;
    if (op.sparsity != d.sparsity) j["sparsity"] = op.sparsity;
  }
  if (op.activation_format != d.activation_format) j["activation_format"] = op.activation_format;
  if (op.output_format != d.output_format) j["output_format"] = op.output_format;
  auto stats = [](const ValueStats& s) {
    nlohmann::ordered_json o;
    if (!s.npy.empty()) {
      o["npy"] = s.npy;
    } else {
      o["distribution"] = s.distribution;
      for (const auto& [k, v] : s.params) o[k] = v;
    }
    return o;
  };
  if (op.weight_stats) j["weight_stats"] = stats(*op.weight_stats);
  if (op.activation_stats) j["activation_stats"] = stats(*op.activation_stats);
  return j;
}

nlohmann::ordered_json number_json(double v) {
  if (v == std::floor(v) && std::fabs(v) < 0x1p53) return int64_t(v);
  return v;
}

nlohmann::ordered_json trace_json(const Trace& t) {
  nlohmann::ordered_json j;
  j["version"] = t.version;
  j["model"] = t.model;
  j["phase"] = t.phase;
  if (!t.parameters.empty()) {
    nlohmann::ordered_json p = nlohmann::ordered_json::object();
    for (const auto& [k, v] : t.parameters) p[k] = number_json(v);
    j["parameters"] = p;
  }
  nlohmann::ordered_json d = nlohmann::ordered_json::object();
  if (!t.defaults.weight_format.empty()) d["weight_format"] = t.defaults.weight_format;
  if (!t.defaults.activation_format.empty()) d["activation_format"] = t.defaults.activation_format;
  if (!t.defaults.output_format.empty()) d["output_format"] = t.defaults.output_format;
  if (t.defaults.group) d["group"] = t.defaults.group;
  if (t.defaults.sparsity) d["sparsity"] = t.defaults.sparsity;
  if (!d.empty()) j["defaults"] = d;
  j["ops"] = nlohmann::ordered_json::array();
  for (const auto& op : t.ops) j["ops"].push_back(op_json(op, t.defaults));
  return j;
}

// A YAML scalar: numbers and safe words plain, everything else double-quoted (JSON escapes
// are valid YAML double-quoted escapes).
std::string yaml_scalar(const nlohmann::ordered_json& v) {
  if (!v.is_string()) return v.dump();
  const std::string& s = v.get_ref<const std::string&>();
  bool plain = !s.empty() && (std::isalpha((unsigned char)s[0]) || s[0] == '_');
  for (char ch : s) plain = plain && (std::isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-' || ch == '/');
  static const std::set<std::string> reserved{"true", "false", "yes", "no", "on", "off", "null", "True",
                                              "False", "Yes", "No", "On", "Off", "Null", "NULL", "TRUE", "FALSE", "~"};
  if (plain && !reserved.count(s)) return s;
  return v.dump();
}

std::string yaml_flow(const nlohmann::ordered_json& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m.items()) {
    out += (first ? "" : ", ") + yaml_scalar(k) + ": " + (v.is_object() ? yaml_flow(v) : yaml_scalar(v));
    first = false;
  }
  return out + "}";
}

}  // namespace

std::string to_json(const Trace& t) { return trace_json(t).dump(2) + "\n"; }

std::string to_yaml(const Trace& t) {
  const auto j = trace_json(t);
  std::string out = fmt::format("# arithsim workload trace, format version {} (docs/traces.md)\n", t.version);
  for (const auto& [k, v] : j.items()) {
    if (k == "ops") {
      out += "ops:\n";
      for (const auto& op : v) out += "  - " + yaml_flow(op) + "\n";
    } else if (v.is_object()) {
      out += k + ":\n";
      for (const auto& [pk, pv] : v.items()) out += "  " + yaml_scalar(pk) + ": " + yaml_scalar(pv) + "\n";
    } else {
      out += k + ": " + yaml_scalar(v) + "\n";
    }
  }
  return out;
}

void save_trace(const Trace& t, const std::string& path) {
  const bool json = path.size() >= 5 && path.substr(path.size() - 5) == ".json";
  try {
    tensor::write_file_atomic(path, json ? to_json(t) : to_yaml(t));
  } catch (const std::exception& e) {
    throw TraceError(std::string(e.what()));
  }
}

}  // namespace arithsim::traces
