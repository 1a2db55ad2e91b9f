#include <arithsim/cost/component_library.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include <arithsim/cost/builtin_library.hpp>
#include <arithsim/cost/expression.hpp>
#include <arithsim/cost/yaml_fields.hpp>
#include <arithsim/models/io/escape.hpp>

namespace arithsim::cost {

namespace {

using detail::fail;

enum Metric : size_t { kArea, kEnergy, kLeakage, kDelay, kMetrics };
constexpr std::array<std::string_view, kMetrics> kField = {"area_um2", "energy_pj", "leakage_uw", "delay_ps"};
constexpr size_t kMaxParams = 8;


// Power-law interpolation between the bracketing anchors; outside them proportional to the
// size (or, with `hold`, the nearest anchor's value). `beta` of an anchor is the exponent of
// the segment that ends at it (set by finish_anchors).
struct Anchor {
  double size, value, beta;
  bool operator<(const Anchor& o) const { return size < o.size; }
};
using Anchors = std::vector<Anchor>;

void finish_anchors(Anchors& a) {
  std::sort(a.begin(), a.end());
  for (size_t i = 1; i < a.size(); ++i)
    a[i].beta = std::log(a[i].value / a[i - 1].value) / std::log(a[i].size / a[i - 1].size);
}

struct Stage {
  std::string stage, part, component;
  size_t comp = 0;
  std::vector<Expression> args;  // one per parameter of `comp`, over the composite's params
  Expression count;              // empty: 1
  double activity = 1;           // scales the stage's energy per operation
};

struct Component {
  std::string name, description, source, file;
  std::vector<std::string> params;
  std::array<double, kMetrics> node_factor{1, 1, 1, 1};  // factors of the node its numbers are at
  // primitive: numbers from points (anchors, at its node) or formulas
  Expression size, energy_size;
  std::array<Expression, kMetrics> formula;
  std::array<Anchors, kMetrics> anchors;  // primitive: own-node units; composite: reference units
  // composite
  std::vector<Stage> stages;
  std::vector<size_t> calibrate_with;
  bool composite = false;
};

double interp(const Anchors& a, double s, bool hold = false) {
  if (s <= a.front().size) return hold ? a.front().value : a.front().value * s / a.front().size;
  if (s >= a.back().size) return hold ? a.back().value : a.back().value * s / a.back().size;
  size_t i = 1;
  while (a[i].size < s) ++i;
  if (a[i].size == s) return a[i].value;
  return a[i - 1].value * std::pow(s / a[i - 1].size, a[i].beta);
}

std::string where_of(const std::string& comp) { return "component '" + io::escape(comp) + "'"; }

}  // namespace

struct LibraryState {
  Technology tech;
  YAML::Node tree;  // the merged `components` mapping
  std::map<std::string, double, std::less<>> constants;
  std::map<std::string, std::string> constant_file, comp_file;
  std::map<std::string, std::string> user_source;  // component -> "user (FILE)[: given]"
  std::vector<Component> comps;
  std::unordered_map<std::string, size_t> index;
  std::string components_file;
  int version = 0;

  const Component& get(std::string_view name) const {
    const auto it = index.find(std::string(name));
    if (it == index.end()) {
      std::string known;
      for (const auto& c : comps) known += (known.empty() ? "" : ", ") + io::escape(c.name);
      throw LibraryError("unknown component '" + io::escape(name) + "' (known: " + known + ")");
    }
    return comps[it->second];
  }

  // Cost of one instance at the reference node. `raw` receives the uncalibrated sum of a
  // composite's stages; `parts` (if given) its stages, calibrated.
  std::array<double, kMetrics> eval(size_t ci, const double* p, std::array<double, kMetrics>* raw_out,
                                    std::vector<StageCost>* parts) const {
    const Component& c = comps[ci];
    std::array<double, kMetrics> v{};
    if (!c.composite) {
      double slots[kMaxParams + 2];
      const size_t np = c.params.size();
      std::copy(p, p + np, slots);
      const double s = c.size.empty() ? 0 : c.size.eval(slots);
      for (size_t m = 0; m < kMetrics; ++m) {
        if (!c.anchors[m].empty()) {
          const double sm = (m == kEnergy && !c.energy_size.empty()) ? c.energy_size.eval(slots) : s;
          if (!(sm >= 0)) throw LibraryError(where_of(c.name) + ": size is negative for these widths");
          v[m] = interp(c.anchors[m], sm, m == kDelay);
        } else {
          v[m] = c.formula[m].eval(slots);
        }
        if (m == kArea) slots[np] = v[m];
        if (m == kEnergy) slots[np + 1] = v[m];
      }
      for (size_t m = 0; m < kMetrics; ++m) v[m] /= c.node_factor[m];
      if (raw_out) *raw_out = v;
      if (parts) parts->push_back({"", "", c.name, Cost{v[kArea], v[kEnergy], v[kLeakage], v[kDelay], c.source}});
      return v;
    }
    std::array<double, kMetrics> raw{};
    const size_t first_part = parts ? parts->size() : 0;
    for (const auto& st : c.stages) {
      double args[kMaxParams];
      for (size_t k = 0; k < st.args.size(); ++k) {
        args[k] = st.args[k].eval(p);
        if (!(args[k] > 0) || !std::isfinite(args[k]))
          throw LibraryError(where_of(c.name) + ": stage '" + io::escape(st.stage) + "' (" + io::escape(st.part) +
                             "): width " + io::escape(comps[st.comp].params[k]) + " = " + std::to_string(args[k]) + " is not positive");
      }
      const double n = st.count.empty() ? 1 : st.count.eval(p);
      const auto s = eval(st.comp, args, nullptr, nullptr);
      raw[kArea] += n * s[kArea];
      raw[kEnergy] += n * st.activity * s[kEnergy];
      raw[kLeakage] += n * s[kLeakage];
      raw[kDelay] += s[kDelay];
      if (parts)
        parts->push_back({st.stage, st.part, st.component,
                          Cost{n * s[kArea], n * st.activity * s[kEnergy], n * s[kLeakage], s[kDelay],
                               comps[st.comp].source}});
    }
    std::array<double, kMetrics> k{1, 1, 1, 1};
    if (!c.calibrate_with.empty()) {
      std::array<double, kMetrics> tot{}, sum{};
      for (size_t x : c.calibrate_with) {
        std::array<double, kMetrics> rx;
        const auto tx = eval(x, p, &rx, nullptr);
        for (size_t m = 0; m < kMetrics; ++m) tot[m] += tx[m], sum[m] += rx[m];
      }
      for (size_t m = 0; m < kMetrics; ++m) k[m] = sum[m] > 0 ? tot[m] / sum[m] : 1;
    } else {
      for (size_t m = 0; m < kMetrics; ++m)
        if (!c.anchors[m].empty() && raw[m] > 0) k[m] = interp(c.anchors[m], raw[m]) / raw[m];
      if (c.anchors[kLeakage].empty()) k[kLeakage] = k[kArea];  // leakage follows the calibrated area
    }
    for (size_t m = 0; m < kMetrics; ++m) v[m] = raw[m] * k[m];
    if (raw_out) *raw_out = raw;
    if (parts)
      for (size_t i = first_part; i < parts->size(); ++i) {
        Cost& pc = (*parts)[i].cost;
        pc.area_um2 *= k[kArea], pc.energy_pj *= k[kEnergy], pc.leakage_uw *= k[kLeakage], pc.delay_ps *= k[kDelay];
      }
    return v;
  }

  void check_widths(const Component& c, std::span<const double> w) const {
    if (w.size() != c.params.size()) {
      std::string ps;
      for (const auto& p : c.params) ps += (ps.empty() ? "" : ", ") + p;
      throw LibraryError(where_of(c.name) + ": takes " + std::to_string(c.params.size()) + " width" +
                         (c.params.size() == 1 ? "" : "s") + " (" + ps + "), got " + std::to_string(w.size()));
    }
    for (size_t i = 0; i < w.size(); ++i)
      if (!(w[i] > 0) || !std::isfinite(w[i]))
        throw LibraryError(where_of(c.name) + ": width " + c.params[i] + " = " + std::to_string(w[i]) +
                           " is not positive");
  }

  Cost query(size_t ci, std::span<const double> w, const Node& node) const {
    const Component& c = comps[ci];
    check_widths(c, w);
    const auto v = eval(ci, w.data(), nullptr, nullptr);
    return Cost{v[kArea] * node.area, v[kEnergy] * node.energy, v[kLeakage] * node.leakage, v[kDelay] * node.delay,
                c.source};
  }

  void compile();

 private:
  void read_component(Component& c, const YAML::Node& y);
  void read_stages(Component& c, const YAML::Node& y);
  void finish(size_t ci, std::vector<int>& state);
};

void LibraryState::compile() {
  comps.clear();
  index.clear();
  if (!tree || !tree.IsMap() || tree.size() == 0) fail(components_file, "", "field 'components' is missing or empty");
  for (const auto& kv : tree) {
    Component c;
    c.name = kv.first.Scalar();
    if (index.count(c.name)) fail(components_file, where_of(c.name), "defined twice");
    index[c.name] = comps.size();
    comps.push_back(std::move(c));
  }
  const YAML::Node& ctree = tree;
  for (auto& c : comps) {
    const auto f = comp_file.find(c.name);
    c.file = f != comp_file.end() ? f->second : components_file;
    read_component(c, ctree[c.name]);
  }
  for (auto& c : comps)
    if (c.composite) read_stages(c, ctree[c.name]);
  std::vector<int> state(comps.size(), 0);
  for (size_t i = 0; i < comps.size(); ++i) finish(i, state);
}

void LibraryState::read_component(Component& c, const YAML::Node& y) {
  const std::string where = where_of(c.name);
  detail::check_fields(y,
                       {"description", "params", "size", "energy_size", "points", "area_um2", "energy_pj",
                        "leakage_uw", "delay_ps", "stages", "calibrate_with", "node", "source"},
                       c.file, where);
  c.description = y["description"] ? detail::text(y, "description", c.file, where) : "";
  const auto us = user_source.find(c.name);
  c.source = us != user_source.end() ? us->second : detail::text(y, "source", c.file, where);
  const YAML::Node params = y["params"];
  if (!params) fail(c.file, where, "field 'params' is missing");
  if (!params.IsSequence() || params.size() == 0 || params.size() > kMaxParams)
    fail(c.file, where, "field 'params' must list 1 to 8 width names");
  for (const auto& p : params) {
    const std::string n = p.IsScalar() ? p.Scalar() : "";
    // A name the formulas can use: [A-Za-z_][A-Za-z0-9_]*.
    const bool identifier =
        !n.empty() && !std::isdigit(static_cast<unsigned char>(n[0])) &&
        std::all_of(n.begin(), n.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
    if (!identifier ||
        std::find(c.params.begin(), c.params.end(), n) != c.params.end() || n == "area_um2" || n == "energy_pj")
      fail(c.file, where, "field 'params' has a bad or repeated name '" + io::escape(n) + "'");
    c.params.push_back(n);
  }
  if (y["node"]) {
    const std::string n = detail::text(y, "node", c.file, where);
    const Node* node = tech.find(n);
    if (!node) fail(c.file, where, "unknown node '" + io::escape(n) + "' in field 'node'");
    c.node_factor = {node->area, node->energy, node->leakage, node->delay};
  }
  auto parse = [&](std::string_view field, const std::vector<std::string>& vars) {
    const YAML::Node n = y[std::string(field)];
    if (!n.IsScalar()) fail(c.file, where, "field '" + std::string(field) + "' is not a number or formula");
    try {
      return Expression::parse(n.Scalar(), vars, constants);
    } catch (const std::invalid_argument& e) {
      fail(c.file, where, "field '" + std::string(field) + "': " + e.what());
    }
  };
  c.composite = bool(y["stages"]);
  if (c.composite) {
    for (auto f : {"size", "energy_size", "area_um2", "energy_pj", "leakage_uw", "delay_ps"})
      if (y[f]) fail(c.file, where, "field '" + std::string(f) + "' is not allowed with 'stages'");
    return;  // stages, points and calibrate_with once every component is known
  }
  if (y["calibrate_with"]) fail(c.file, where, "field 'calibrate_with' needs 'stages'");
  if (y["size"]) c.size = parse("size", c.params);
  if (y["energy_size"]) c.energy_size = parse("energy_size", c.params);
  // points
  const YAML::Node pts = y["points"];
  std::array<bool, kMetrics> from_points{};
  std::vector<YAML::Node> points;  // each a mapping (a lookup in a scalar would throw YAML::BadSubscript)
  if (pts) {
    if (!pts.IsSequence() || pts.size() == 0) fail(c.file, where, "field 'points' must list at least one point");
    for (const auto& p : pts) {
      if (!p.IsMap())
        fail(c.file, where + ": point " + std::to_string(points.size() + 1), "expected a mapping of widths and numbers");
      points.push_back(p);
    }
    const YAML::Node& first = points[0];
    for (size_t m = 0; m < kMetrics; ++m) from_points[m] = bool(first[std::string(kField[m])]);
  }
  for (size_t i = 0; i < points.size(); ++i) {
    const std::string pw = where + ": point " + std::to_string(i + 1);
    for (const auto& kv : points[i]) {
      const std::string k = kv.first.Scalar();
      const bool ok = std::find(c.params.begin(), c.params.end(), k) != c.params.end() ||
                      std::find(kField.begin(), kField.end(), k) != kField.end();
      if (!ok) fail(c.file, pw, "unknown field '" + io::escape(k) + "'");
    }
    double w[kMaxParams + 2];
    for (size_t k = 0; k < c.params.size(); ++k) {
      w[k] = detail::number(points[i], c.params[k], c.file, pw);
      if (!(w[k] > 0)) fail(c.file, pw, "field '" + c.params[k] + "' must be > 0");
    }
    if (c.size.empty()) fail(c.file, where, "field 'size' is missing (needed with 'points')");
    const double s = c.size.eval(w);
    for (size_t m = 0; m < kMetrics; ++m) {
      const auto v = detail::optional_number(points[i], kField[m], c.file, pw);
      if (bool(v) != from_points[m])
        fail(c.file, pw, "field '" + std::string(kField[m]) + "' is " + (v ? "given here but not in point 1" : "missing"));
      if (!v) continue;
      if (!(*v > 0)) fail(c.file, pw, "field '" + std::string(kField[m]) + "' must be > 0");
      const double sm = (m == kEnergy && !c.energy_size.empty()) ? c.energy_size.eval(w) : s;
      if (!(sm > 0) || !std::isfinite(sm)) fail(c.file, pw, "the size law is not positive at this point");
      for (const auto& a : c.anchors[m])
        if (a.size == sm) fail(c.file, pw, "two points have the same size for " + std::string(kField[m]));
      c.anchors[m].push_back({sm, *v, 0});
    }
  }
  for (auto& a : c.anchors) finish_anchors(a);
  // formulas for the metrics the points do not give
  std::vector<std::string> vars = c.params;
  vars.push_back("area_um2");
  vars.push_back("energy_pj");
  for (size_t m = 0; m < kMetrics; ++m) {
    if (from_points[m]) continue;
    const std::string f(kField[m]);
    if (!y[f]) fail(c.file, where, "field '" + f + "' is missing (neither a formula nor in every point)");
    c.formula[m] = parse(f, vars);
    const size_t np = c.params.size();
    if ((m <= kArea && c.formula[m].uses(np)) || (m <= kEnergy && c.formula[m].uses(np + 1)))
      fail(c.file, where, "field '" + f + "' uses a metric that is computed after it");
  }
}

void LibraryState::read_stages(Component& c, const YAML::Node& y) {
  const std::string where = where_of(c.name);
  const YAML::Node stages = y["stages"];
  if (!stages.IsSequence() || stages.size() == 0) fail(c.file, where, "field 'stages' must list at least one stage");
  size_t i = 0;
  for (const auto& s : stages) {
    const std::string sw = where + ": stage " + std::to_string(++i);
    if (!s.IsMap()) fail(c.file, sw, "expected a mapping");
    Stage st;
    st.stage = detail::text(s, "stage", c.file, sw);
    st.part = s["part"] ? detail::text(s, "part", c.file, sw) : st.stage;
    st.component = detail::text(s, "component", c.file, sw);
    const auto it = index.find(st.component);
    if (it == index.end()) fail(c.file, sw, "unknown component '" + io::escape(st.component) + "'");
    st.comp = it->second;
    const Component& sub = comps[st.comp];
    for (const auto& kv : s) {
      const std::string k = kv.first.Scalar();
      const bool ok = k == "stage" || k == "part" || k == "component" || k == "count" || k == "activity" ||
                      std::find(sub.params.begin(), sub.params.end(), k) != sub.params.end();
      if (!ok) fail(c.file, sw, "unknown field '" + io::escape(k) + "' (" + io::escape(st.component) + " takes no such width)");
    }
    auto expr = [&](const std::string& f) {
      if (!s[f]) fail(c.file, sw, "field '" + io::escape(f) + "' is missing");
      if (!s[f].IsScalar()) fail(c.file, sw, "field '" + io::escape(f) + "' is not a number or formula");
      try {
        return Expression::parse(s[f].Scalar(), c.params, constants);
      } catch (const std::invalid_argument& e) {
        fail(c.file, sw, "field '" + io::escape(f) + "': " + e.what());
      }
    };
    for (const auto& p : sub.params) st.args.push_back(expr(p));
    if (s["count"]) st.count = expr("count");
    if (s["activity"]) {
      st.activity = detail::number(s, "activity", c.file, sw);
      if (st.activity < 0) fail(c.file, sw, "field 'activity' must be >= 0");
    }
    c.stages.push_back(std::move(st));
  }
  if (y["calibrate_with"]) {
    if (y["points"]) fail(c.file, where, "use either 'points' or 'calibrate_with'");
    const YAML::Node cw = y["calibrate_with"];
    if (!cw.IsSequence() || cw.size() == 0) fail(c.file, where, "field 'calibrate_with' must list components");
    for (const auto& n : cw) {
      const std::string name = n.IsScalar() ? n.Scalar() : "";
      const auto it = index.find(name);
      if (it == index.end()) fail(c.file, where, "unknown component '" + io::escape(name) + "' in field 'calibrate_with'");
      if (comps[it->second].params.size() != c.params.size() || name == c.name)
        fail(c.file, where, "component '" + io::escape(name) + "' in field 'calibrate_with' does not take the same widths");
      c.calibrate_with.push_back(it->second);
    }
  }
}

// Depth-first: a composite's points need its stages' costs; its source names user parts.
void LibraryState::finish(size_t ci, std::vector<int>& state) {
  if (state[ci] == 2) return;
  Component& c = comps[ci];
  if (state[ci] == 1) fail(c.file, where_of(c.name), "is part of itself (a cycle of stages)");
  state[ci] = 1;
  std::vector<std::string> user_parts;
  for (const auto& st : c.stages) {
    finish(st.comp, state);
    if (user_source.count(st.component) || comps[st.comp].source.find("uses user figures") != std::string::npos)
      user_parts.push_back(st.component);
  }
  for (size_t x : c.calibrate_with) finish(x, state);
  const YAML::Node& ctree = tree;
  if (c.composite && ctree[c.name]["points"]) {
    const std::string where = where_of(c.name);
    const YAML::Node pts = ctree[c.name]["points"];
    if (!pts.IsSequence() || pts.size() == 0) fail(c.file, where, "field 'points' must list at least one point");
    std::array<bool, kMetrics> given{};
    size_t i = 0;
    for (const auto& p : pts) {
      const std::string pw = where + ": point " + std::to_string(++i);
      if (!p.IsMap()) fail(c.file, pw, "expected a mapping of widths and numbers");
      for (const auto& kv : p) {
        const std::string k = kv.first.Scalar();
        if (std::find(c.params.begin(), c.params.end(), k) == c.params.end() &&
            std::find(kField.begin(), kField.end(), k) == kField.end())
          fail(c.file, pw, "unknown field '" + io::escape(k) + "'");
      }
      double w[kMaxParams];
      for (size_t k = 0; k < c.params.size(); ++k) {
        w[k] = detail::number(p, c.params[k], c.file, pw);
        if (!(w[k] > 0)) fail(c.file, pw, "field '" + c.params[k] + "' must be > 0");
      }
      std::array<double, kMetrics> raw;
      try {
        eval(ci, w, &raw, nullptr);
      } catch (const LibraryError& e) {
        fail(c.file, pw, e.what());
      }
      for (size_t m = 0; m < kMetrics; ++m) {
        const auto v = detail::optional_number(p, kField[m], c.file, pw);
        if (i == 1) given[m] = bool(v);
        if (bool(v) != given[m])
          fail(c.file, pw, "field '" + std::string(kField[m]) + "' is " + (v ? "given here but not in point 1" : "missing"));
        if (!v) continue;
        if (!(*v > 0)) fail(c.file, pw, "field '" + std::string(kField[m]) + "' must be > 0");
        for (const auto& a : c.anchors[m])
          if (a.size == raw[m]) fail(c.file, pw, "two points have the same stage sum for " + std::string(kField[m]));
        c.anchors[m].push_back({raw[m], *v / c.node_factor[m], 0});
      }
    }
    for (auto& a : c.anchors) finish_anchors(a);
  }
  if (!user_parts.empty()) {
    std::string list;
    for (const auto& u : user_parts) list += (list.empty() ? "" : ", ") + u;
    c.source += " [uses user figures for: " + list + "]";
  }
  state[ci] = 2;
}

// ---------------------------------------------------------------------------------------

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LibraryError(path + ": cannot read the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void read_constants(LibraryState& st, const YAML::Node& root, std::string_view file) {
  const YAML::Node cs = root["constants"];
  if (!cs) return;
  if (!cs.IsMap()) fail(file, "", "field 'constants' must map names to numbers");
  for (const auto& kv : cs) {
    const std::string k = kv.first.Scalar();
    st.constants[k] = detail::number(cs, k, file, "constants");
    st.constant_file[k] = std::string(file);
  }
}

}  // namespace

ComponentLibrary ComponentLibrary::parse(std::string_view components_yaml, std::string_view components_file,
                                         std::string_view technology_yaml, std::string_view technology_file) {
  return parse(components_yaml, components_file, Technology::parse(technology_yaml, technology_file));
}

ComponentLibrary ComponentLibrary::parse(std::string_view components_yaml, std::string_view components_file,
                                         Technology technology) {
  auto st = std::make_shared<LibraryState>();
  st->tech = std::move(technology);
  const YAML::Node root = detail::parse_document(components_yaml, components_file);
  detail::check_fields(root, {"version", "constants", "components"}, components_file, "");
  st->components_file = std::string(components_file);
  st->version = int(detail::integer(root, "version", 0, 1000000, components_file, ""));
  read_constants(*st, root, components_file);
  // A missing key of a const node is an invalid node, which yaml-cpp refuses to assign
  // (YAML::InvalidNode): only a present one is taken; compile() reports the missing field.
  if (const YAML::Node comps = root["components"]) {
    if (!comps.IsMap()) fail(components_file, "", "field 'components' must map names to components");
    st->tree.reset(comps);
  }
  st->compile();
  ComponentLibrary lib;
  lib.state_ = std::move(st);
  return lib;
}

ComponentLibrary ComponentLibrary::builtin() {
  static const ComponentLibrary lib = parse(builtin::components_yaml(), builtin::components_name,
                                            builtin::technology_yaml(), builtin::technology_name);
  return lib;
}

ComponentLibrary ComponentLibrary::load(const std::string& components_path, const std::string& technology_path) {
  return parse(read_file(components_path), components_path, read_file(technology_path), technology_path);
}

void ComponentLibrary::merge_file(const std::string& path) { merge(read_file(path), path); }

void ComponentLibrary::merge(std::string_view yaml, std::string_view file) {
  const YAML::Node root = detail::parse_document(yaml, file);
  detail::check_fields(root, {"version", "constants", "components", "nodes"}, file, "");
  if (root["version"]) detail::integer(root, "version", 0, 1000000, file, "");
  auto st = std::make_shared<LibraryState>(*state_);
  // reset, not assignment: assigning to the copied node would write through to the node this
  // library shares with every other copy (yaml-cpp's set_ref), so the user's components would
  // appear in later merges into other copies, and every merge's nodes would be kept forever.
  st->tree.reset(YAML::Clone(state_->tree));
  st->tech.merge(yaml, file);
  read_constants(*st, root, file);
  const YAML::Node comps = root["components"];
  if (comps) {
    if (!comps.IsMap()) fail(file, "", "field 'components' must map names to components");
    for (const auto& kv : comps) {
      const std::string name = kv.first.Scalar();
      const std::string where = where_of(name);
      if (!kv.second.IsMap()) fail(file, where, "expected a mapping of fields");
      const std::string given = kv.second["source"] ? detail::text(kv.second, "source", file, where) : "";
      const YAML::Node& tree = st->tree;
      const bool exists = bool(tree[name]);
      // New components, and ones given their own params or stages, are replaced whole;
      // otherwise the given fields replace the library's.
      if (!exists || kv.second["params"] || kv.second["stages"]) {
        st->tree[name] = YAML::Clone(kv.second);
      } else {
        YAML::Node base = st->tree[name];
        for (const auto& f : kv.second) base[f.first.Scalar()] = YAML::Clone(f.second);
        if (kv.second["points"] && !kv.second["size"] && !base["size"] && !base["stages"])
          fail(file, where, "field 'size' is missing (needed with 'points')");
      }
      st->user_source[name] = "user (" + std::string(file) + ")" + (given.empty() ? "" : ": " + given);
      st->comp_file[name] = std::string(file);
    }
  }
  st->compile();
  state_ = std::move(st);
}

Cost ComponentLibrary::component(std::string_view name, std::span<const double> widths, const Node& node) const {
  const Component& c = state_->get(name);
  return state_->query(size_t(&c - state_->comps.data()), widths, node);
}

Cost ComponentLibrary::component(std::string_view name, std::initializer_list<double> widths, double node_nm) const {
  return component(name, std::span<const double>(widths.begin(), widths.size()), state_->tech.node(node_nm));
}

Cost ComponentLibrary::component(std::string_view name, std::initializer_list<double> widths) const {
  return component(name, std::span<const double>(widths.begin(), widths.size()), state_->tech.reference());
}

std::vector<StageCost> ComponentLibrary::breakdown(std::string_view name, std::span<const double> widths,
                                                   const Node& node) const {
  const Component& c = state_->get(name);
  state_->check_widths(c, widths);
  std::vector<StageCost> parts;
  state_->eval(size_t(&c - state_->comps.data()), widths.data(), nullptr, &parts);
  if (!c.composite) parts.front().stage = parts.front().part = c.name;
  for (auto& p : parts) {
    p.cost.area_um2 *= node.area;
    p.cost.energy_pj *= node.energy;
    p.cost.leakage_uw *= node.leakage;
    p.cost.delay_ps *= node.delay;
  }
  return parts;
}

std::vector<StageCost> ComponentLibrary::breakdown(std::string_view name, std::initializer_list<double> widths,
                                                   double node_nm) const {
  return breakdown(name, std::span<const double>(widths.begin(), widths.size()), state_->tech.node(node_nm));
}

ComponentLibrary::Handle ComponentLibrary::find(std::string_view name) const {
  Handle h;
  h.index_ = size_t(&state_->get(name) - state_->comps.data());
  h.state_ = state_;
  return h;
}

Cost ComponentLibrary::Handle::cost(std::span<const double> widths, const Node& node) const {
  return state_->query(index_, widths, node);
}
const std::string& ComponentLibrary::Handle::name() const { return state_->comps[index_].name; }
const std::vector<std::string>& ComponentLibrary::Handle::params() const { return state_->comps[index_].params; }

std::vector<std::string> ComponentLibrary::names() const {
  std::vector<std::string> n;
  for (const auto& c : state_->comps) n.push_back(c.name);
  return n;
}
const std::vector<std::string>& ComponentLibrary::params(std::string_view name) const {
  return state_->get(name).params;
}
const std::string& ComponentLibrary::description(std::string_view name) const {
  return state_->get(name).description;
}
const Technology& ComponentLibrary::technology() const { return state_->tech; }
int ComponentLibrary::version() const { return state_->version; }

}  // namespace arithsim::cost
