#include <arithsim/models/pe/tensor_core_presets.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/yaml_document.hpp>

namespace arithsim::pe {
namespace {

struct Where {
  std::string_view file;
  std::string row;
  [[noreturn]] void fail(std::string_view what) const {
    throw std::invalid_argument(fmt::format("{}: {}{}", file, row.empty() ? "" : row + ": ", what));
  }
};

std::string scalar(const YAML::Node& map, const char* key, const Where& w) {
  const YAML::Node n = map[key];
  if (!n) w.fail(fmt::format("field '{}' is missing", key));
  if (!n.IsScalar()) w.fail(fmt::format("field '{}' is not a single value", key));
  return n.Scalar();
}

std::vector<std::string> names(const YAML::Node& map, const char* key, const Where& w) {
  const YAML::Node n = map[key];
  if (!n) w.fail(fmt::format("field '{}' is missing", key));
  std::vector<std::string> v;
  if (n.IsScalar()) v.push_back(n.Scalar());
  else if (n.IsSequence())
    for (const auto& e : n) {
      if (!e.IsScalar()) w.fail(fmt::format("field '{}' holds a value that is not a name", key));
      v.push_back(e.Scalar());
    }
  else
    w.fail(fmt::format("field '{}' is not a name or a list of names", key));
  if (v.empty()) w.fail(fmt::format("field '{}' is empty", key));
  return v;
}

long integer(const YAML::Node& map, const char* key, long lo, long hi, const Where& w) {
  const std::string s = scalar(map, key, w);
  size_t used = 0;
  long v = 0;
  try {
    v = std::stol(s, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || s.empty()) w.fail(fmt::format("field '{}' is not an integer: '{}'", key, io::escape(s)));
  if (v < lo || v > hi) w.fail(fmt::format("field '{}' = {} is outside {}..{}", key, v, lo, hi));
  return v;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : std::string(sep)) + x;
  return s;
}

// An enumerated field: one of `choices` (name, value), the first when absent.
template <class T>
T choice(const YAML::Node& map, const char* key, std::initializer_list<std::pair<const char*, T>> choices, const Where& w) {
  const std::string v = map[key] ? scalar(map, key, w) : choices.begin()->first;
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (v == name) return value;
    names.push_back(name);
  }
  w.fail(fmt::format("{} '{}' is not one of: {}", key, io::escape(v), join(names)));
}

}  // namespace

TensorCorePresets parse_tensor_core_presets(std::string_view text, std::string_view name) {
  TensorCorePresets p;
  p.name = std::string(name);
  YAML::Node root;
  try {
    root = io::load_yaml(text, name);
  } catch (const io::YamlError& e) {
    throw std::invalid_argument(e.what());
  }
  Where top{name, ""};
  if (!root.IsMap()) top.fail("not a mapping with 'formats' and 'presets'");
  for (const auto& kv : root) {
    const std::string k = kv.first.Scalar();
    if (k != "formats" && k != "presets") top.fail(fmt::format("unknown field '{}' (fields: formats, presets)", io::escape(k)));
  }
  const YAML::Node fm = root["formats"];
  if (!fm || !fm.IsMap()) top.fail("'formats' is missing or not a mapping of type names to format specs");
  for (const auto& kv : fm) {
    const std::string t = kv.first.Scalar();
    if (!kv.second.IsScalar()) top.fail(fmt::format("formats: '{}' is not a format spec", io::escape(t)));
    try {
      (void)formats::ElementFormat::parse(kv.second.Scalar());
    } catch (const std::invalid_argument& e) {
      top.fail(fmt::format("formats: {}: {}", io::escape(t), e.what()));
    }
    p.formats[t] = kv.second.Scalar();
  }
  const YAML::Node rows = root["presets"];
  if (!rows || !rows.IsSequence() || rows.size() == 0) top.fail("'presets' is missing or not a non-empty list");
  auto fmt_of = [&](const std::string& t, const Where& w) {
    const auto it = p.formats.find(t);
    if (it == p.formats.end()) w.fail(fmt::format("type '{}' is not in formats", io::escape(t)));
    return formats::ElementFormat::parse(it->second);
  };
  static const std::set<std::string> kFields = {"gpu", "instr", "in", "out", "k", "block", "interleave",
                                                "fraction_bits", "exp_floor", "cut", "block_result",
                                                "block_rounding", "c", "operand_format", "nan", "source", "proven",
                                                "sum", "ftz", "product_overflow", "late_s_bits", "late_norm_bits",
                                                "c_cutoff", "scale", "scale_block", "scale_group"};
  for (size_t i = 0; i < rows.size(); ++i) {
    const YAML::Node r = rows[i];
    Where w{name, fmt::format("preset {}{}", i + 1, io::position(r).empty() ? "" : " (line " + io::position(r) + ")")};
    if (!r.IsMap()) w.fail("is not a mapping");
    for (const auto& kv : r)
      if (!kFields.count(kv.first.Scalar()))
        w.fail(fmt::format("unknown field '{}' (fields: {})", io::escape(kv.first.Scalar()),
                           join(std::vector<std::string>(kFields.begin(), kFields.end()))));
    TensorCorePreset row;
    row.gpus = names(r, "gpu", w);
    row.instrs = names(r, "instr", w);
    row.inputs = names(r, "in", w);
    row.out = scalar(r, "out", w);
    w.row += fmt::format(" [{} {}]", join(row.gpus, "/"), join(row.instrs, "/"));
    auto& s = row.spec;
    s.a = s.b = fmt_of(row.inputs[0], w);
    for (const auto& t : row.inputs) (void)fmt_of(t, w);
    s.out = fmt_of(row.out, w);
    s.k = int(integer(r, "k", 1, 4096, w));
    s.block = r["block"] ? int(integer(r, "block", 1, 4096, w)) : s.k;
    s.interleave = r["interleave"] ? int(integer(r, "interleave", 1, 4096, w)) : 0;
    using units::BlockSum, units::AddendPlace;
    s.sum = choice<BlockSum>(r, "sum", {{"aligned", BlockSum::Aligned}, {"exact", BlockSum::Exact},
                                        {"pairwise", BlockSum::Pairwise}, {"odd_even", BlockSum::OddEven}}, w);
    const std::string sum = r["sum"] ? scalar(r, "sum", w) : "aligned";
    // F belongs to the aligned datapaths; an exact sum or a tree of rounded adds has none.
    const bool aligned = s.sum == units::BlockSum::Aligned || s.sum == units::BlockSum::OddEven;
    if (aligned)
      s.fma.fraction_bits = int(integer(r, "fraction_bits", 0, 60, w));
    else if (r["fraction_bits"] || r["exp_floor"] || r["cut"])
      w.fail(fmt::format("sum {} has no alignment: fraction_bits, exp_floor and cut do not apply", sum));
    if (r["exp_floor"]) s.fma.exp_floor = int(integer(r, "exp_floor", -100000, 100000, w));
    s.fma.cut = choice<units::AlignCut>(r, "cut", {{"toward_zero", units::AlignCut::TowardZero}, {"floor", units::AlignCut::Floor}}, w);
    row.block_result = r["block_result"] ? scalar(r, "block_result", w) : row.out;
    s.block_result = fmt_of(row.block_result, w);
    s.block_rounding = choice<formats::Rounding>(
        r, "block_rounding", {{"rtz", formats::Rounding::TowardZero}, {"rne", formats::Rounding::NearestEven}}, w);
    s.c = choice<AddendPlace>(r, "c", {{"first", AddendPlace::First}, {"late_rne", AddendPlace::LateRne},
                                      {"late_rd", AddendPlace::LateRd}, {"last", AddendPlace::Last}}, w);
    const bool late_rd = s.c == units::AddendPlace::LateRd;
    if (!late_rd && (r["late_s_bits"] || r["late_norm_bits"] || r["c_cutoff"]))
      w.fail("late_s_bits, late_norm_bits and c_cutoff belong to c: late_rd");
    if (r["late_s_bits"]) s.late.s_bits = int(integer(r, "late_s_bits", 1, 60, w));
    if (r["late_norm_bits"]) s.late.norm_bits = int(integer(r, "late_norm_bits", 1, 60, w));
    if (r["c_cutoff"]) s.late.cutoff = int(integer(r, "c_cutoff", 0, 1000, w));
    s.ftz = choice<bool>(r, "ftz", {{"false", false}, {"true", true}}, w);
    s.product_overflow_inf = choice<bool>(r, "product_overflow", {{"none", false}, {"inf", true}}, w);
    // Default: the positive NaN with every payload bit set (0x7fffffff, 0x7fff), what the
    // H200 returns for fp32 (tests/data/tensor_core) and MMA-Sim gives for fp16.
    s.nan_code = r["nan"] ? uint32_t(integer(r, "nan", 0, 0xffffffffL, w)) : (uint32_t{1} << (s.out.bits() - 1)) - 1;
    if (r["operand_format"]) s.operand_format = fmt_of(scalar(r, "operand_format", w), w);
    if (r["scale"] || r["scale_block"] || r["scale_group"]) {  // block-scaled inputs (Blackwell MX, NVFP4)
      if (!r["scale"] || !r["scale_block"]) w.fail("block-scaled inputs need scale and scale_block");
      row.scale = scalar(r, "scale", w);
      s.scale = fmt_of(row.scale, w);
      s.scale_block = int(integer(r, "scale_block", 1, 4096, w));
      if (r["scale_group"]) s.scale_group = int(integer(r, "scale_group", 1, 4096, w));
    }
    row.source = scalar(r, "source", w);
    row.proven = r["proven"] ? scalar(r, "proven", w) : "";
    try {
      s.validate();
    } catch (const std::invalid_argument& e) {
      w.fail(e.what());
    }
    if (!s.out.is_nan(s.nan_code)) w.fail(fmt::format("nan 0x{:x} is not a NaN of {}", s.nan_code, row.out));
    p.rows.push_back(std::move(row));
  }
  return p;
}

TensorCorePresets load_tensor_core_presets(const std::string& path) {
  std::string text;
  try {
    text = io::read_text_file(path);
  } catch (const std::exception& e) {
    throw std::invalid_argument(e.what());
  }
  return parse_tensor_core_presets(text, path);
}

const TensorCorePresets& builtin_tensor_core_presets() {
  static const TensorCorePresets p = parse_tensor_core_presets(builtin_tensor_core_presets_text(), "built-in tensor-core presets");
  return p;
}

TensorCoreSelection select_tensor_core(const TensorCorePresets& p, const std::string& gpu, const std::string& instr,
                                       const std::string& a, const std::string& b, const std::string& out) {
  auto has = [](const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  std::vector<std::string> gpus, instrs, paths;
  for (const auto& r : p.rows) {
    for (const auto& g : r.gpus)
      if (!has(gpus, g)) gpus.push_back(g);
    if (!has(r.gpus, gpu)) continue;
    for (const auto& i : r.instrs)
      if (!has(instrs, i)) instrs.push_back(i);
    if (!has(r.instrs, instr)) continue;
    paths.push_back(join(r.inputs, "/") + " -> " + r.out);
    if (has(r.inputs, a) && has(r.inputs, b) && r.out == out) {
      TensorCoreSelection s{r.spec, &r};
      s.spec.a = formats::ElementFormat::parse(p.formats.at(a));
      s.spec.b = formats::ElementFormat::parse(p.formats.at(b));
      return s;
    }
  }
  if (gpus.empty() || !has(gpus, gpu))
    throw std::invalid_argument(fmt::format("unknown gpu '{}' in {} (gpus: {})", io::escape(gpu), p.name, join(gpus)));
  if (paths.empty())
    throw std::invalid_argument(fmt::format("gpu {} has no instruction '{}' in {} (it has: {})", gpu, io::escape(instr), p.name, join(instrs)));
  throw std::invalid_argument(fmt::format("{} {} does not take a={} b={} out={} in {} (it takes: {})", gpu, instr,
                                          io::escape(a), io::escape(b), io::escape(out), p.name, join(paths, "; ")));
}

}  // namespace arithsim::pe
