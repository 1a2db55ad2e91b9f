#include <arithsim/cost/technology.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <arithsim/cost/builtin_library.hpp>
#include <arithsim/cost/yaml_fields.hpp>
#include <arithsim/models/io/escape.hpp>

namespace arithsim::cost {

namespace {

using detail::fail;

std::vector<double> coefficients(const YAML::Node& fit, std::string_view field, size_t n, std::string_view file,
                                 std::string_view where) {
  const YAML::Node v = fit[std::string(field)];
  if (!v) return {};
  if (!v.IsSequence() || v.size() != n)
    fail(file, where, "field 'fit." + std::string(field) + "' must list " + std::to_string(n) + " numbers");
  std::vector<double> out;
  for (const auto& c : v) {
    double x;
    if (!detail::is_number(c, &x)) fail(file, where, "field 'fit." + std::string(field) + "' is not a number list");
    out.push_back(x);
  }
  return out;
}

// Reads the fields present in `y` into `n`; with `complete`, every number is required.
void read_node(const YAML::Node& y, Node& n, bool complete, std::string_view file, const std::string& where) {
  detail::check_fields(y, {"feature_nm", "vdd_v", "area", "energy", "delay", "leakage", "source", "fit"}, file,
                       where);
  auto take = [&](std::string_view f, double& dst, bool positive) {
    const auto v = complete ? std::optional<double>(detail::number(y, f, file, where))
                            : detail::optional_number(y, f, file, where);
    if (!v) return;
    if (positive && !(*v > 0)) fail(file, where, "field '" + std::string(f) + "' must be > 0");
    dst = *v;
  };
  take("feature_nm", n.feature_nm, true);
  take("vdd_v", n.vdd_v, true);
  take("area", n.area, true);
  take("energy", n.energy, true);
  take("delay", n.delay, true);
  take("leakage", n.leakage, true);
  if (y["fit"]) {
    if (!y["fit"].IsMap()) fail(file, where, "field 'fit' must map delay and energy to coefficient lists");
    detail::check_fields(y["fit"], {"delay", "energy"}, file, where + ": fit");
    n.fit_delay = coefficients(y["fit"], "delay", 4, file, where);
    n.fit_energy = coefficients(y["fit"], "energy", 3, file, where);
  }
}

}  // namespace

Technology Technology::parse(std::string_view yaml, std::string_view file) {
  const YAML::Node root = detail::parse_document(yaml, file);
  detail::check_fields(root, {"version", "reference_node", "nodes"}, file, "");
  Technology t;
  t.file_ = std::string(file);
  t.version_ = int(detail::integer(root, "version", 0, 1000000, file, ""));
  const std::string ref = detail::text(root, "reference_node", file, "");
  const YAML::Node nodes = root["nodes"];
  if (!nodes) fail(file, "", "field 'nodes' is missing");
  if (!nodes.IsMap() || nodes.size() == 0) fail(file, "", "field 'nodes' must map node names to their numbers");
  for (const auto& kv : nodes) {
    Node n;
    n.name = kv.first.Scalar();
    const std::string where = "node '" + io::escape(n.name) + "'";
    read_node(kv.second, n, true, file, where);
    n.source = detail::text(kv.second, "source", file, where);
    t.nodes_.push_back(std::move(n));
  }
  t.sort_and_check(file);
  const Node* r = t.find(ref);
  if (!r) fail(file, "", "unknown node '" + io::escape(ref) + "' in field 'reference_node'");
  t.ref_ = size_t(r - t.nodes_.data());
  if (r->area != 1 || r->energy != 1 || r->delay != 1 || r->leakage != 1)
    fail(file, "node '" + io::escape(ref) + "'", "the reference node's factors must all be 1");
  return t;
}

Technology Technology::builtin() { return parse(builtin::technology_yaml(), builtin::technology_name); }

void Technology::merge(std::string_view yaml, std::string_view file) {
  const YAML::Node root = detail::parse_document(yaml, file);
  const YAML::Node nodes = root["nodes"];
  if (!nodes) return;
  if (!nodes.IsMap()) fail(file, "", "field 'nodes' must map node names to their numbers");
  Technology t = *this;
  const std::string ref_name = reference().name;
  for (const auto& kv : nodes) {
    const std::string name = kv.first.Scalar();
    const std::string where = "node '" + io::escape(name) + "'";
    Node* existing = nullptr;
    for (auto& n : t.nodes_) existing = n.name == name ? &n : existing;
    const std::string user = "user (" + std::string(file) + ")";
    const std::string given = kv.second.IsMap() && kv.second["source"] ? detail::text(kv.second, "source", file, where) : "";
    if (existing) {
      if (name == ref_name) fail(file, where, "the reference node's factors cannot be overridden");
      read_node(kv.second, *existing, false, file, where);
      existing->source = user + (given.empty() ? "" : ": " + given);
    } else {
      Node n;
      n.name = name;
      read_node(kv.second, n, true, file, where);
      n.source = user + (given.empty() ? "" : ": " + given);
      t.nodes_.push_back(std::move(n));
    }
  }
  t.sort_and_check(file);
  t.ref_ = size_t(t.find(ref_name) - t.nodes_.data());
  *this = std::move(t);
}

void Technology::sort_and_check(std::string_view file) {
  std::stable_sort(nodes_.begin(), nodes_.end(), [](const Node& a, const Node& b) { return a.feature_nm > b.feature_nm; });
  for (size_t i = 1; i < nodes_.size(); ++i)
    if (nodes_[i].feature_nm == nodes_[i - 1].feature_nm)
      fail(file, "node '" + io::escape(nodes_[i].name) + "'",
           "feature_nm " + std::to_string(nodes_[i].feature_nm) + " is also node '" + io::escape(nodes_[i - 1].name) + "'");
}

const Node* Technology::find(std::string_view name) const {
  for (const auto& n : nodes_)
    if (n.name == name) return &n;
  return nullptr;
}

const Node& Technology::node(std::string_view name) const {
  if (const Node* n = find(name)) return *n;
  std::string known;
  for (const auto& n : nodes_) known += (known.empty() ? "" : ", ") + io::escape(n.name);
  throw LibraryError("unknown technology node '" + io::escape(name) + "' (known: " + known + ")");
}

const Node& Technology::node(double feature_nm) const {
  for (const auto& n : nodes_)
    if (std::abs(n.feature_nm - feature_nm) < 1e-9) return n;
  std::string known;
  for (const auto& n : nodes_) known += (known.empty() ? "" : ", ") + io::escape(n.name);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", feature_nm);
  throw LibraryError("unknown technology node " + std::string(buf) + " nm (known: " + known + ")");
}

}  // namespace arithsim::cost
