#include <arithsim/cost/accelergy.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/yaml_document.hpp>

namespace arithsim::cost {

namespace {

std::string width_tag(const std::vector<double>& w) {
  return fmt::format("{:g}", fmt::join(w, "x"));
}

struct Entry {  // one library component at one set of widths
  std::string component;
  std::vector<double> widths;
  std::vector<std::string> params;
  std::string stages, source;
  double count = 0;
  Cost unit;
};

void technology_attributes(YAML::Node& a, const Node& node) {
  a["technology"] = fmt::format("{:g}nm", node.feature_nm);
  a["node"] = node.name;
  a["vdd_v"] = node.vdd_v;
}

// The area reference table's entry of `name` (its attributes copied from the ERT entry's).
void push_area(YAML::Node& art, const std::string& name, const YAML::Node& attributes, double area_um2) {
  YAML::Node r;
  r["name"] = name;
  r["attributes"] = YAML::Clone(attributes);
  r["area"] = area_um2;
  art.push_back(r);
}

YAML::Node action(const std::string& name, double energy) {
  YAML::Node n;
  n["name"] = name;
  n["arguments"] = YAML::Node(YAML::NodeType::Null);
  n["energy"] = energy;
  return n;
}

std::string emit(const YAML::Node& ert, const YAML::Node& art, const std::string& what) {
  YAML::Node root;
  root["ERT"]["version"] = "0.4";
  root["ERT"]["tables"] = ert;
  root["ART"]["version"] = "0.4";
  root["ART"]["tables"] = art;
  YAML::Emitter e;
  e.SetDoublePrecision(12);
  e << root;
  return "# arithsim cost export (" + what +
         "): Accelergy-style energy reference table (ERT, pJ per action) and area reference table "
         "(ART, um^2).\n# Import: arithsim cost --library-accelergy FILE, or cost::import_accelergy.\n" +
         std::string(e.c_str()) + "\n";
}

void add_components(YAML::Node& ert, YAML::Node& art, const std::string& prefix, const std::vector<Entry>& entries,
                    const Node& node) {
  for (const Entry& e : entries) {
    const std::string name = prefix + "." + e.component + "_" + width_tag(e.widths);
    YAML::Node a;
    a["component"] = e.component;
    for (size_t i = 0; i < e.params.size() && i < e.widths.size(); ++i) a[e.params[i]] = e.widths[i];
    technology_attributes(a, node);
    a["count"] = e.count;
    a["stages"] = e.stages;
    a["leakage_uw"] = e.unit.leakage_uw;
    a["delay_ps"] = e.unit.delay_ps;
    a["source"] = e.unit.source;
    YAML::Node t;
    t["name"] = name;
    t["attributes"] = a;
    t["actions"].push_back(action("op", e.unit.energy_pj));
    ert.push_back(t);
    push_area(art, name, a, e.unit.area_um2);
  }
}

YAML::Node pe_table(const PeCost& c, const ActivityFactors& measured, YAML::Node& art, const std::string& name) {
  YAML::Node a;
  a["pe"] = c.pe;
  for (const auto& [k, v] : c.params) a[k] = v;
  technology_attributes(a, c.node);
  a["macs_per_cycle"] = c.macs_per_cycle;
  a["clock_ps"] = c.clock_ps;
  a["leakage_uw"] = c.leakage_uw;
  a["reference_activity"] = c.options.reference_activity;
  YAML::Node t;
  t["name"] = name;
  t["attributes"] = a;
  const double f = c.fmax_hz();
  t["actions"].push_back(action("mac_random", evaluate(c, ActivityFactors{}, f).dynamic_pj / c.macs_per_cycle));
  if (measured.how != "reference") {
    YAML::Node m = action("mac_measured", evaluate(c, measured, f).dynamic_pj / c.macs_per_cycle);
    m["arguments"] = YAML::Node();
    m["arguments"]["input_activity"] = measured.input;
    m["arguments"]["acc_activity"] = measured.acc;
    if (measured.pipe) m["arguments"]["pipeline_activity"] = *measured.pipe;
    if (measured.out) m["arguments"]["output_activity"] = *measured.out;
    m["arguments"]["data"] = measured.how;
    t["actions"].push_back(m);
  }
  t["actions"].push_back(action("mac_gated", evaluate(c, ActivityFactors{0, 0, "zero", 0.0, 0.0}, f).dynamic_pj / c.macs_per_cycle));
  t["actions"].push_back(action("idle", evaluate(c, ActivityFactors{0, 0, "zero", 0.0, 0.0}, f).leakage_pj));
  push_area(art, name, a, c.area_um2);
  return t;
}

}  // namespace

std::string export_accelergy(const PeCost& c, const ActivityFactors& measured) {
  YAML::Node ert(YAML::NodeType::Sequence), art(YAML::NodeType::Sequence);
  const std::string prefix = "arithsim." + c.pe;
  ert.push_back(pe_table(c, measured, art, prefix));
  // the components: priced again from the parts (a composite through the library is not
  // available here, so the PE cost keeps the unit costs: re-price composites from their parts)
  std::vector<Entry> entries;
  for (const PePart& p : c.parts) {
    const std::string comp = p.via.empty() ? p.component : p.via;
    const auto& w = p.via.empty() ? p.widths : p.via_widths;
    auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.component == comp && e.widths == w; });
    if (it == entries.end()) {
      entries.push_back(Entry{comp, w, p.via.empty() ? p.params : p.via_params, "", "", 0, Cost{}});
      it = entries.end() - 1;
      it->unit.source = p.unit.source;
    }
    if (it->stages.find(p.stage) == std::string::npos) it->stages += (it->stages.empty() ? "" : ", ") + p.stage;
    if (p.via.empty()) {
      it->count += p.count;
      it->unit.area_um2 = p.unit.area_um2;
      it->unit.energy_pj = p.unit.energy_pj;
      it->unit.leakage_uw = p.unit.leakage_uw;
      it->unit.delay_ps = p.unit.delay_ps;
    }
  }
  // composites: sum their parts once per instance
  for (Entry& e : entries) {
    bool composite = false;
    Cost sum;
    double n = 0;
    for (const PePart& p : c.parts) {
      if (p.via != e.component || p.via_widths != e.widths) continue;
      composite = true;
      n = p.count;
      sum.area_um2 += p.unit.area_um2;
      sum.energy_pj += p.unit.energy_pj;
      sum.leakage_uw += p.unit.leakage_uw;
      sum.delay_ps += p.unit.delay_ps;
    }
    if (!composite) continue;
    // parts of one composite may appear several times (e.g. dequantize and accumulate both
    // use fp_adder at the same ExMy): count the instances once each time the first stage recurs
    size_t first_runs = 0;
    std::string first;
    for (const PePart& p : c.parts)
      if (p.via == e.component && p.via_widths == e.widths) {
        if (first.empty()) first = p.part;
        if (p.part == first) ++first_runs;
      }
    e.unit.area_um2 = sum.area_um2 / double(first_runs);
    e.unit.energy_pj = sum.energy_pj / double(first_runs);
    e.unit.leakage_uw = sum.leakage_uw / double(first_runs);
    e.unit.delay_ps = sum.delay_ps / double(first_runs);
    e.count = n * double(first_runs);
  }
  add_components(ert, art, prefix, entries, c.node);
  return emit(ert, art, c.pe);
}

std::string export_accelergy(const ArrayCost& c, const ActivityFactors& measured) {
  // the PE's tables, then the array's own parts and its totals
  YAML::Node root = YAML::Load(export_accelergy(c.pe, measured));
  YAML::Node ert = root["ERT"]["tables"], art = root["ART"]["tables"];
  const std::string prefix = fmt::format("arithsim.{}_array_{}x{}_{}", c.pe.pe, c.options.rows, c.options.cols,
                                         c.options.dataflow);
  YAML::Node a;
  a["pe"] = c.pe.pe;
  a["rows"] = c.options.rows;
  a["cols"] = c.options.cols;
  a["dataflow"] = c.options.dataflow;
  technology_attributes(a, c.pe.node);
  a["macs_per_cycle"] = c.macs_per_cycle;
  a["leakage_uw"] = c.leakage_uw;
  YAML::Node t;
  t["name"] = prefix;
  t["attributes"] = a;
  const double f = c.clock_ps > 0 ? 1e12 / c.clock_ps : 1e9;
  t["actions"].push_back(action("mac_random", evaluate(c, ActivityFactors{}, f).total_pj / c.macs_per_cycle));
  if (measured.how != "reference")
    t["actions"].push_back(action("mac_measured", evaluate(c, measured, f).total_pj / c.macs_per_cycle));
  ert.push_back(t);
  push_area(art, prefix, a, c.area_um2);
  for (const PePart& p : c.parts) {
    YAML::Node pa;
    pa["component"] = p.component;
    pa["part"] = p.part;
    pa["count"] = p.count;
    pa["rate"] = p.rate;
    pa["source"] = p.unit.source;
    technology_attributes(pa, c.pe.node);
    const std::string name = prefix + "." + p.stage + "." + p.component + "_" + width_tag(p.widths);
    YAML::Node pt;
    pt["name"] = name;
    pt["attributes"] = pa;
    pt["actions"].push_back(action(p.component == "sram" ? "read" : "op", p.unit.energy_pj));
    ert.push_back(pt);
    push_area(art, name, pa, p.unit.area_um2);
  }
  YAML::Emitter e;
  e.SetDoublePrecision(12);
  e << root;
  return "# arithsim cost export (" + prefix + "): Accelergy-style ERT (pJ per action) and ART (um^2).\n" +
         std::string(e.c_str()) + "\n";
}

namespace {

// Typed reads of the tables' fields: a LibraryError naming the file, the entry and the field
// instead of yaml-cpp's conversion exceptions.
class TableReader {
 public:
  explicit TableReader(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw LibraryError(file_ + ": " + where + ": " + what);
  }
  std::string text(const YAML::Node& n, const std::string& where, const std::string& field) const {
    if (!n.IsScalar()) fail(where, "field '" + field + "' is not text");
    return n.Scalar();
  }
  double number(const YAML::Node& n, const std::string& where, const std::string& field) const {
    char* end = nullptr;
    const std::string s = n.IsScalar() ? n.Scalar() : "";
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) fail(where, "field '" + field + "' is not a number");
    return v;
  }
  // `attributes` of an entry: absent, or a mapping.
  YAML::Node attributes(const YAML::Node& e, const std::string& where) const {
    const YAML::Node a = e["attributes"];
    if (a && !a.IsMap() && !a.IsNull()) fail(where, "field 'attributes' is not a mapping");
    return a && a.IsMap() ? a : YAML::Node();
  }

 private:
  std::string file_;
};

}  // namespace

AccelergyImport import_accelergy(ComponentLibrary& lib, std::string_view text, std::string_view file) {
  const std::string f(file);
  const TableReader in(f);
  YAML::Node root;
  try {
    root = io::load_yaml(text, file);  // UTF-8, duplicate keys, positions
  } catch (const io::YamlError& e) {
    throw LibraryError(e.what());
  }
  if (!root.IsMap() || (!root["ERT"] && !root["ART"]))
    throw LibraryError(f + ": neither an 'ERT' nor an 'ART' table");
  struct Row {
    YAML::Node attributes;
    double area = -1, energy = -1;
  };
  std::map<std::string, Row> rows;  // by table name, in name order
  // The entries of root[key].tables, each a mapping with a name.
  auto tables = [&](const std::string& key) {
    std::vector<std::pair<std::string, YAML::Node>> entries;
    const YAML::Node k = root[key];
    if (!k) return entries;
    if (!k.IsMap()) in.fail(key, "expected a mapping with a field 'tables'");
    const YAML::Node t = k["tables"];
    if (!t || !t.IsSequence()) in.fail(key, "field 'tables' must be a list");
    size_t i = 0;
    for (const auto& e : t) {
      const std::string where = key + ": entry " + std::to_string(++i);
      if (!e.IsMap()) in.fail(where, "expected a mapping");
      if (!e["name"]) in.fail(where, "an entry has no 'name'");
      entries.emplace_back(in.text(e["name"], where, "name"), e);
    }
    return entries;
  };
  for (const auto& [name, e] : tables("ERT")) {
    const std::string where = "ERT entry '" + io::escape(name) + "'";
    Row& r = rows[name];
    if (const YAML::Node a = in.attributes(e, where); !a.IsNull()) r.attributes.reset(a);
    const YAML::Node acts = e["actions"];
    if (!acts || !acts.IsSequence() || acts.size() == 0) in.fail(where, "field 'actions' must list at least one action");
    size_t pick = 0;
    for (size_t i = 0; i < acts.size(); ++i) {
      const YAML::Node a = acts[i];
      if (!a.IsMap()) in.fail(where, "action " + std::to_string(i + 1) + " is not a mapping");
      if (a["name"]) {
        const std::string n = in.text(a["name"], where, "actions.name");
        if (n == "op" || n == "compute") pick = i;
      }
    }
    const YAML::Node energy = acts[pick]["energy"];
    if (!energy) in.fail(where, "action energy is not a number");
    r.energy = in.number(energy, where, "energy");
  }
  for (const auto& [name, e] : tables("ART")) {
    const std::string where = "ART entry '" + io::escape(name) + "'";
    Row& r = rows[name];
    if (!r.attributes || r.attributes.IsNull()) r.attributes.reset(in.attributes(e, where));
    if (!e["area"]) in.fail(where, "field 'area' is missing or not a number");
    r.area = in.number(e["area"], where, "area");
  }
  AccelergyImport out;
  const auto names = lib.names();
  // component -> node -> points
  struct Pt {
    std::vector<double> widths;
    double area, energy, delay;
  };
  std::map<std::string, std::pair<std::string, std::vector<Pt>>> existing;
  YAML::Node fresh;
  for (const auto& [name, r] : rows) {
    const YAML::Node& a = r.attributes;
    const std::string where = "entry '" + io::escape(name) + "'";
    std::string comp = a && a["component"] ? in.text(a["component"], where, "attributes.component")
                                           : name.substr(name.rfind('.') + 1);
    std::string node = lib.technology().reference().name;
    if (a && a["node"]) node = in.text(a["node"], where, "attributes.node");
    else if (a && a["technology"]) {
      const std::string given = in.text(a["technology"], where, "attributes.technology");
      std::string t = given;
      if (t.size() > 2 && t.substr(t.size() - 2) == "nm") t.resize(t.size() - 2);
      try {
        node = lib.technology().node(std::stod(t)).name;
      } catch (const std::exception&) {
        in.fail(where, "unknown technology '" + io::escape(given) + "'");
      }
    }
    const double delay = a && a["delay_ps"] ? in.number(a["delay_ps"], where, "attributes.delay_ps") : 0;
    if (std::find(names.begin(), names.end(), comp) != names.end()) {
      std::vector<double> w;
      bool all = true;
      for (const auto& p : lib.params(comp)) {
        if (a && a[p]) w.push_back(in.number(a[p], where, "attributes." + p));
        else all = false;
      }
      if (all && r.area > 0 && r.energy > 0) {
        auto& [n, pts] = existing[comp];
        if (!pts.empty() && n != node) {
          out.notes.push_back(fmt::format("{}: points at node {} and {}: kept node {}", io::escape(comp), io::escape(n),
                                          io::escape(node), io::escape(n)));
          continue;
        }
        n = node;
        if (std::none_of(pts.begin(), pts.end(), [&](const Pt& q) { return q.widths == w; }))
          pts.push_back({w, r.area, r.energy, delay});
        continue;
      }
    }
    // a new component of fixed cost: params from the numeric attributes, one point
    std::string cname = name;
    std::replace(cname.begin(), cname.end(), '.', '_');
    YAML::Node c;
    c["description"] = "imported from " + f + ": " + name;
    c["params"].push_back("instances");
    c["size"] = "instances";
    YAML::Node pt;
    pt["instances"] = 1;
    pt["area_um2"] = std::max(r.area, 1e-12);
    pt["energy_pj"] = std::max(r.energy, 1e-12);
    if (delay > 0) pt["delay_ps"] = delay;
    c["points"].push_back(pt);
    c["leakage_uw"] = a && a["leakage_uw"] ? fmt::format("{:.17g} * instances", in.number(a["leakage_uw"], where, "attributes.leakage_uw"))
                                          : std::string("leakage_uw_per_um2 * area_um2");
    if (delay <= 0) c["delay_ps"] = 0;
    c["node"] = node;
    c["source"] = "Accelergy table " + name;
    fresh[cname] = c;
    out.added.push_back(cname);
  }
  // existing components, one merge each so that a rejected one does not stop the others
  YAML::Node whole;
  auto merge_one = [&](const std::string& comp, YAML::Node body) {
    YAML::Node doc;
    doc["components"][comp] = body;
    YAML::Emitter e;
    e.SetDoublePrecision(17);
    e << doc;
    lib.merge(e.c_str(), file);
    whole["components"][comp] = body;
  };
  for (auto& [comp, np] : existing) {
    const std::string& node = np.first;  // not a structured binding: the lambda below uses it (clang < 16)
    const std::vector<Pt>& pts = np.second;
    const auto& params = lib.params(comp);
    auto body_of = [&](const std::vector<Pt>& ps, bool with_size) {
      YAML::Node b;
      b["node"] = node;
      b["source"] = "Accelergy tables";
      if (with_size) {
        std::string s;
        for (const auto& p : params) s += (s.empty() ? "" : " * ") + p;
        b["size"] = s;
      }
      for (const Pt& p : ps) {
        YAML::Node y;
        for (size_t i = 0; i < params.size(); ++i) y[params[i]] = p.widths[i];
        y["area_um2"] = p.area;
        y["energy_pj"] = p.energy;
        if (std::all_of(ps.begin(), ps.end(), [](const Pt& q) { return q.delay > 0; })) y["delay_ps"] = p.delay;
        b["points"].push_back(y);
      }
      return b;
    };
    std::vector<Pt> ps = pts;
    bool with_size = false;
    for (int attempt = 0;; ++attempt) {
      try {
        merge_one(comp, body_of(ps, with_size));
        out.merged.push_back(comp);
        break;
      } catch (const LibraryError& e) {
        const std::string what = e.what();
        if (!with_size && what.find("'size' is missing") != std::string::npos) {
          with_size = true;
        } else if (what.find("same size") != std::string::npos || what.find("same stage sum") != std::string::npos) {
          if (ps.size() <= 1) throw;
          out.notes.push_back(fmt::format("{}: dropped the point at widths {} ({})", io::escape(comp), width_tag(ps.back().widths),
                                          "another point has the same size"));
          ps.pop_back();
        } else {
          throw;
        }
        if (attempt > 64) throw;
      }
    }
  }
  if (fresh.size() > 0) {
    YAML::Node doc;
    doc["components"] = fresh;
    YAML::Emitter e;
    e.SetDoublePrecision(17);
    e << doc;
    lib.merge(e.c_str(), file);
    for (const auto& kv : fresh) whole["components"][kv.first.Scalar()] = kv.second;
  }
  YAML::Emitter e;
  e.SetDoublePrecision(17);
  e << whole;
  out.yaml = e.c_str();
  return out;
}

}  // namespace arithsim::cost
