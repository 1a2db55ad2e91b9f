#include <arithsim/cost/yaml_fields.hpp>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/yaml_document.hpp>

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace arithsim::cost::detail {

void fail(std::string_view file, std::string_view where, std::string_view what) {
  std::string m(file);
  if (!where.empty()) m += ": " + std::string(where);
  m += ": " + std::string(what);
  throw LibraryError(io::one_line(m));
}

YAML::Node parse_document(std::string_view text, std::string_view file) {
  YAML::Node root;
  try {
    root = io::load_yaml(text, file);  // UTF-8, duplicate keys, positions
  } catch (const io::YamlError& e) {
    throw LibraryError(e.what());
  }
  if (!root.IsMap()) fail(file, "", "expected a mapping at the top level");
  return root;
}

void check_fields(const YAML::Node& map, std::initializer_list<std::string_view> allowed, std::string_view file,
                  std::string_view where) {
  if (!map.IsMap()) fail(file, where, "expected a mapping of fields");
  for (const auto& kv : map) {
    const std::string k = kv.first.Scalar();
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (!ok) fail(file, where, "unknown field '" + k + "'");
  }
}

bool is_number(const YAML::Node& n, double* out) {
  if (!n.IsScalar() || n.Scalar().empty()) return false;
  const std::string& s = n.Scalar();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  if (out) *out = v;
  return true;
}

std::optional<double> optional_number(const YAML::Node& map, std::string_view field, std::string_view file,
                                      std::string_view where) {
  const YAML::Node n = map[std::string(field)];
  if (!n) return std::nullopt;
  double v;
  if (!is_number(n, &v)) fail(file, where, "field '" + std::string(field) + "' is not a number");
  return v;
}

double number(const YAML::Node& map, std::string_view field, std::string_view file, std::string_view where) {
  const auto v = optional_number(map, field, file, where);
  if (!v) fail(file, where, "field '" + std::string(field) + "' is missing");
  return *v;
}

long integer(const YAML::Node& map, std::string_view field, long lo, long hi, std::string_view file, std::string_view where) {
  const double v = number(map, field, file, where);
  // The range test comes first, so that the cast below is defined.
  if (!(v >= double(lo) && v <= double(hi)) || v != std::floor(v))
    fail(file, where, fmt::format("field '{}' must be an integer in {}..{}, got {}", field, lo, hi, v));
  return long(v);
}

std::string text(const YAML::Node& map, std::string_view field, std::string_view file, std::string_view where) {
  const YAML::Node n = map[std::string(field)];
  if (!n) fail(file, where, "field '" + std::string(field) + "' is missing");
  if (!n.IsScalar()) fail(file, where, "field '" + std::string(field) + "' is not text");
  return n.Scalar();
}

}  // namespace arithsim::cost::detail
