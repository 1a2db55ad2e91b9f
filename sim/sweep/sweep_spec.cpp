#include "sim/sweep/sweep_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <set>

#include <fmt/format.h>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/yaml_document.hpp>
#include <arithsim/models/threads/parallel_for.hpp>
#include "sim/estimator/default_job.hpp"
#include "traces/generators.hpp"

namespace arithsim::sweep {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw SweepError(io::one_line(fmt::format("{}: {}", file, what)));
}

// The most points a grid may have (random / lhs sample from larger ones).
constexpr uint64_t kMaxGridPoints = uint64_t(1) << 20;

// The generator options a workload entry (and a workload.<key> axis) may set.
const std::set<std::string> kGenKeys{"phase", "seq", "batch", "kv", "w", "a", "o", "group"};

std::string flow(const YAML::Node& n) {
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << n;
  return e.c_str();
}

// What a value's column shows: a scalar as it is; a PE as its label or name and params; a
// workload as its label, generator or trace file.
std::string label_of(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  if (n.IsMap()) {
    if (n["label"] && n["label"].IsScalar()) return n["label"].Scalar();
    std::string s;
    for (const char* head : {"name", "generator", "trace"})
      if (n[head] && n[head].IsScalar()) s = n[head].Scalar();
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      if (k == "name" || k == "generator" || k == "trace") continue;
      if (k == "params" && kv.second.IsMap()) {
        for (const auto& p : kv.second) s += fmt::format(" {}={}", p.first.Scalar(), label_of(p.second));
      } else {
        s += fmt::format(" {}={}", k, label_of(kv.second));
      }
    }
    return s;
  }
  return flow(n);
}

std::string pe_yaml(const estimator::PeChoice& p) {
  YAML::Node n;
  n["name"] = p.name;
  if (p.label != p.name) n["label"] = p.label;
  for (const auto& [k, v] : p.params) n["params"][k] = v;
  return flow(n);
}

// The embedded default workload (estimator::default_trace) as a generator entry.
const char* kDefaultWorkload =
    "{generator: llama2-7b, phase: decode, batch: 1, kv: 1024, w: int4, a: int8, group: 128, label: default}";

// Sets `value` at the dotted `path` of the map `root`, creating maps on the way.
void set_path(YAML::Node root, const std::vector<std::string>& path, const YAML::Node& value) {
  YAML::Node n = root;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    YAML::Node next = n[path[i]];
    if (!next.IsMap()) {
      YAML::Node fresh(YAML::NodeType::Map);
      n[path[i]] = fresh;
      next = n[path[i]];
    }
    n.reset(next);
  }
  n[path.back()] = value;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  size_t s = 0;
  for (size_t i = 0; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '.') out.push_back(path.substr(s, i - s)), s = i + 1;
  return out;
}

std::optional<double> parse_number(const std::string& t) {
  double v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Uniform in [0, n) from the 64-bit engine (Lemire's multiply): the same draws on every
// standard library, unlike std::uniform_int_distribution.
uint64_t below(std::mt19937_64& g, uint64_t n) { return uint64_t((unsigned __int128)g() * n >> 64); }

// The grid's size, saturating at 2^40 (beyond any strategy's limit).
uint64_t grid_size(const SweepSpec& s) {
  uint64_t grid = 1;
  for (const auto& a : s.axes) grid = std::min<uint64_t>(grid * a.yaml.size(), uint64_t(1) << 40);
  return grid;
}

uint64_t rank_of(const Point& p, const std::vector<Axis>& axes) {
  uint64_t r = 0;
  for (size_t a = 0; a < axes.size(); ++a) r = r * axes[a].yaml.size() + p[a];
  return r;
}

Point unrank(uint64_t r, const std::vector<Axis>& axes) {
  Point p(axes.size());
  for (size_t a = axes.size(); a-- > 0;) {
    p[a] = size_t(r % axes[a].yaml.size());
    r /= axes[a].yaml.size();
  }
  return p;
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> m{"cycles",    "latency_ms", "energy_mj",       "compute_mj", "buffers_mj",
                                          "dram_mj",   "leakage_mj", "edp_mj_ms",       "area_mm2",   "power_w",
                                          "sqnr_db",   "utilization_pct", "clock_ghz",  "fmax_ghz",   "dram_mb",
                                          "macs",      "bound"};
  return m;
}

bool Constraint::holds(double v) const {
  if (!number) return false;
  const double x = *number;
  if (op == "<=") return v <= x;
  if (op == ">=") return v >= x;
  if (op == "<") return v < x;
  if (op == ">") return v > x;
  if (op == "==") return v == x;
  return v != x;
}

bool Constraint::holds(const std::string& v) const {
  if (number)
    if (const auto x = parse_number(v)) return holds(*x);
  if (op == "==") return v == text;
  if (op == "!=") return v != text;
  return false;
}

std::string content_hash(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return fmt::format("{:016x}", h);
}

SweepSpec parse_sweep(std::string_view text, const std::string& file, size_t threads) {
  SweepSpec s;
  s.file = file;
  s.base_dir = fs::path(file).parent_path().string();
  if (s.base_dir.empty()) s.base_dir = ".";
  YAML::Node root;
  try {
    root = io::load_yaml(text, file);
  } catch (const io::YamlError& e) {
    throw SweepError(e.what());
  }
  if (!root.IsMap()) fail(file, "expected a mapping of fields (version, name, config or base, axes, strategy, constraints, objectives)");
  const std::set<std::string> top{"version", "name", "config", "base", "axes", "strategy", "constraints", "objectives"};
  for (const auto& kv : root)
    if (!top.count(kv.first.Scalar()))
      fail(file, fmt::format("unknown field '{}' (allowed: axes, base, config, constraints, name, objectives, strategy, version)",
                             io::escape(kv.first.Scalar())));
  if (!root["version"] || !root["version"].IsScalar() || root["version"].Scalar() != std::to_string(kSweepVersion))
    fail(file, fmt::format("field 'version' must be {} (this arithsim reads sweep version {})", kSweepVersion, kSweepVersion));
  s.name = root["name"] && root["name"].IsScalar() ? root["name"].Scalar() : fs::path(file).stem().string();
  std::string hashed = std::string(text);

  // The base config: a file, inline, or the embedded default.
  if (root["config"] && root["base"]) fail(file, "give either 'config' (a file) or 'base' (inline), not both");
  if (const auto c = root["config"]) {
    if (!c.IsScalar()) fail(file, "field 'config' must be the path of an accelerator config");
    const fs::path p = fs::path(c.Scalar()).is_absolute() ? fs::path(c.Scalar()) : fs::path(s.base_dir) / c.Scalar();
    try {
      s.base_yaml = io::read_text_file(p.string());
    } catch (const io::YamlError& e) {
      fail(file, fmt::format("field 'config': {}", e.what()));
    }
    hashed += "\0config\0" + s.base_yaml;
  } else if (const auto b = root["base"]) {
    if (!b.IsMap()) fail(file, "field 'base' must be an accelerator config (a map; docs/estimator.md)");
    s.base_yaml = YAML::Dump(b);
  } else {
    s.base_yaml = estimator::to_yaml(estimator::default_config());
  }
  estimator::AcceleratorConfig base;
  try {
    base = estimator::parse_config(s.base_yaml, root["config"] ? fmt::format("{} (config)", file) : fmt::format("{} (base)", file));
  } catch (const estimator::ConfigError& e) {
    throw SweepError(e.what());
  }
  if (base.pes.empty()) base.pes = estimator::default_config().pes;

  // Axes, in the file's order after the implicit pe and workload axes.
  const auto axes = root["axes"];
  if (axes && !axes.IsMap()) fail(file, "field 'axes' must be a map of path: [values]");
  Axis pe{"pe", {}, {}}, workload{"workload", {}, {}};
  for (const auto& p : base.pes) pe.yaml.push_back(pe_yaml(p)), pe.labels.push_back(p.label);
  workload.yaml.push_back(kDefaultWorkload);
  workload.labels.push_back("default");
  std::vector<Axis> rest;
  if (axes)
    for (const auto& kv : axes) {
      const std::string path = kv.first.Scalar();
      const auto parts = split(path);
      const std::string where = fmt::format("axis '{}'", io::escape(path));
      static const std::set<std::string> roots{"pe", "workload", "array", "clock_ghz", "node", "cost", "buffers_kb", "dram", "vector", "mapping"};
      if (std::any_of(parts.begin(), parts.end(), [](const std::string& x) { return x.empty(); }) || !roots.count(parts[0]))
        fail(file, fmt::format("unknown {} (an accelerator-config field: array.rows, node, clock_ghz, buffers_kb.weights, "
                               "dram.bandwidth_gbps, ...; or pe, pe.params.<key>, workload, workload.<option>)", where));
      if (parts[0] == "pe" && parts.size() > 1 && (parts.size() != 3 || parts[1] != "params"))
        fail(file, fmt::format("unknown {} (a PE axis is pe or pe.params.<key>)", where));
      if (parts[0] == "workload" && parts.size() > 1 && (parts.size() != 2 || !kGenKeys.count(parts[1])))
        fail(file, fmt::format("unknown {} (a workload axis is workload or workload.<phase|seq|batch|kv|w|a|o|group>)", where));
      if (!kv.second.IsSequence() || kv.second.size() == 0) fail(file, fmt::format("{} must be a non-empty list of values", where));
      Axis a{path, {}, {}};
      std::set<std::string> seen;
      for (const auto& v : kv.second) {
        const bool entry = path == "pe" || path == "workload";
        if (!entry && !v.IsScalar()) fail(file, fmt::format("{}: every value must be a scalar (got {})", where, io::escape(flow(v))));
        if (path == "workload") {
          if (!v.IsMap() || (!v["generator"] == !v["trace"]))
            fail(file, fmt::format("{}: each value is {{generator: NAME, <option>: ...}} or {{trace: FILE}} (got {})", where,
                                   io::escape(flow(v))));
          for (const auto& o : v) {
            const std::string k = o.first.Scalar();
            if (k != "generator" && k != "trace" && k != "label" && !(v["generator"] && kGenKeys.count(k)))
              fail(file, fmt::format("{}: unknown key '{}' in {} (a generator takes phase, seq, batch, kv, w, a, o, group, label; "
                                     "a trace file takes label)", where, io::escape(k), io::escape(flow(v))));
          }
          if (v["trace"]) {
            const fs::path p = fs::path(v["trace"].Scalar()).is_absolute() ? fs::path(v["trace"].Scalar())
                                                                            : fs::path(s.base_dir) / v["trace"].Scalar();
            try {
              hashed += "\0trace\0" + io::read_text_file(p.string());
            } catch (const io::YamlError& e) {
              fail(file, fmt::format("{}: {}", where, e.what()));
            }
          }
        }
        const std::string y = flow(v);
        if (!seen.insert(y).second) fail(file, fmt::format("{}: value {} is given twice", where, io::escape(y)));
        a.yaml.push_back(y);
        a.labels.push_back(label_of(v));
      }
      if (path == "pe") pe = a;
      else if (path == "workload") workload = a;
      else rest.push_back(a);
    }
  s.axes.push_back(pe);
  s.axes.push_back(workload);
  for (auto& a : rest) s.axes.push_back(std::move(a));

  // Strategy.
  if (const auto st = root["strategy"]) {
    if (!st.IsMap() || !st["kind"])
      fail(file, "field 'strategy' must be {kind: grid} or {kind: random|lhs|adaptive, samples: N, seed: S}");
    const std::set<std::string> fields{"kind", "samples", "seed", "rounds", "budget"};
    for (const auto& kv : st)
      if (!fields.count(kv.first.Scalar()))
        fail(file, fmt::format("unknown field 'strategy.{}' (allowed: kind, samples, seed; adaptive also rounds, budget)",
                               io::escape(kv.first.Scalar())));
    s.strategy.kind = st["kind"].Scalar();
    if (s.strategy.kind != "grid" && s.strategy.kind != "random" && s.strategy.kind != "lhs" && s.strategy.kind != "adaptive")
      fail(file, fmt::format("field 'strategy.kind' must be grid, random, lhs or adaptive (got '{}')", io::escape(s.strategy.kind)));
    auto count = [&](const char* key, uint64_t lo) {
      const auto v = st[key] && st[key].IsScalar() ? parse_number(st[key].Scalar()) : std::nullopt;
      if (!v || *v < double(lo) || *v > 1e9 || *v != std::floor(*v))
        fail(file, fmt::format("field 'strategy.{}' must be an integer in [{}, 1e9]", key, lo));
      return uint64_t(*v);
    };
    if (s.strategy.kind == "grid") {
      if (st["samples"] || st["seed"]) fail(file, "field 'strategy': a grid takes no samples or seed");
    } else {
      if (!st["samples"]) fail(file, fmt::format("field 'strategy.samples' is needed for {} sampling", s.strategy.kind));
      s.strategy.samples = count("samples", 1);
      if (st["seed"]) s.strategy.seed = count("seed", 0);
    }
    if (s.strategy.kind == "adaptive") {
      if (st["rounds"]) s.strategy.rounds = count("rounds", 0);
      s.strategy.budget = st["budget"] ? count("budget", 1) : 4 * s.strategy.samples;
      if (s.strategy.budget < s.strategy.samples)
        fail(file, fmt::format("field 'strategy.budget' ({}) is below strategy.samples ({}): the first round alone is that many points",
                               s.strategy.budget, s.strategy.samples));
    } else if (st["rounds"] || st["budget"]) {
      fail(file, "field 'strategy': rounds and budget are an adaptive search's (kind: adaptive)");
    }
  }
  if (grid_size(s) > kMaxGridPoints && (s.strategy.kind == "grid" || s.strategy.kind == "adaptive"))
    fail(file, fmt::format("the {} has more than {} points; sample it (strategy: {{kind: random|lhs, samples: N}})",
                           s.strategy.kind == "grid" ? "grid" : "adaptive search's grid", kMaxGridPoints));

  // Constraints and objectives: on metrics (after evaluation) or axes (before).
  auto is_axis = [&](const std::string& n) {
    return std::any_of(s.axes.begin(), s.axes.end(), [&](const Axis& a) { return a.path == n; });
  };
  auto is_metric = [](const std::string& n) {
    const auto& m = metric_names();
    return std::find(m.begin(), m.end(), n) != m.end();
  };
  if (const auto cs = root["constraints"]) {
    if (!cs.IsSequence()) fail(file, "field 'constraints' must be a list like [\"area_mm2 <= 10\", \"array.rows >= 16\"]");
    for (size_t i = 0; i < cs.size(); ++i) {
      const std::string w = cs[i].IsScalar() ? cs[i].Scalar() : flow(cs[i]);
      const std::string where = fmt::format("constraints[{}] '{}'", i, io::escape(w));
      Constraint c;
      c.as_written = w;
      size_t at = std::string::npos;
      for (const char* op : {"<=", ">=", "==", "!=", "<", ">"})
        if (const size_t f = w.find(op); f != std::string::npos && (at == std::string::npos || f < at || (f == at && std::string_view(op).size() > c.op.size())))
          at = f, c.op = op;
      if (at == std::string::npos) fail(file, fmt::format("{}: expected 'metric <op> value' with <=, >=, <, >, == or !=", where));
      auto trim = [](std::string t) {
        t.erase(0, t.find_first_not_of(" \t"));
        t.erase(t.find_last_not_of(" \t") + 1);
        return t;
      };
      c.lhs = trim(w.substr(0, at));
      c.text = trim(w.substr(at + c.op.size()));
      c.number = parse_number(c.text);
      c.on_axis = is_axis(c.lhs);
      if (!c.on_axis && !is_metric(c.lhs)) {
        std::string known;
        for (const auto& m : metric_names()) known += (known.empty() ? "" : ", ") + m;
        fail(file, fmt::format("{}: unknown metric or axis '{}' (metrics: {})", where, io::escape(c.lhs), known));
      }
      if (c.text.empty()) fail(file, fmt::format("{}: no value after '{}'", where, c.op));
      if (!c.number && c.op != "==" && c.op != "!=")
        fail(file, fmt::format("{}: '{}' needs a number (got '{}')", where, c.op, io::escape(c.text)));
      s.constraints.push_back(c);
    }
  }
  if (const auto os = root["objectives"]) {
    if (!os.IsSequence() || os.size() == 0) fail(file, "field 'objectives' must be a non-empty list like [min energy_mj, min latency_ms]");
    for (size_t i = 0; i < os.size(); ++i) {
      std::string w = os[i].IsScalar() ? os[i].Scalar() : "";
      Objective o;
      if (w.rfind("max ", 0) == 0) o.maximize = true, w = w.substr(4);
      else if (w.rfind("min ", 0) == 0) w = w.substr(4);
      o.metric = w;
      if (!is_metric(w) || w == "bound")
        fail(file, fmt::format("objectives[{}]: unknown numeric metric '{}' (write 'min METRIC' or 'max METRIC'; docs/sweep.md)", i,
                               io::escape(os[i].IsScalar() ? os[i].Scalar() : flow(os[i]))));
      s.objectives.push_back(o);
    }
  } else {
    s.objectives = {{"energy_mj", false}, {"latency_ms", false}};
  }
  s.hash = content_hash(hashed + "\0arithsim\0" ARITHSIM_VERSION);

  // Every point's config is read now, so that a bad value is an error before any work. An
  // adaptive search evaluates a part of its grid, found as it goes: its first round's points
  // are read, and every axis value once (in the first point, one axis changed at a time).
  const auto points = all_points(s);
  if (points.empty()) fail(file, "the sweep has no points");
  std::vector<size_t> checked;
  if (s.strategy.kind == "adaptive") {
    checked = adaptive_start(s);
    if (checked.empty()) fail(file, "the axis constraints rule out every point");
    const Point first = points[checked.front()];
    for (size_t a = 0; a < s.axes.size(); ++a)
      for (size_t v = 0; v < s.axes[a].yaml.size(); ++v) {
        Point q = first;
        q[a] = v;
        checked.push_back(size_t(rank_of(q, s.axes)));
      }
  } else {
    for (size_t i = 0; i < points.size(); ++i) checked.push_back(i);
  }
  std::vector<size_t> kept;
  std::set<std::string> workloads;  // each distinct workload generated (or read) once
  for (const size_t i : checked) {
    if (!passes_axis_constraints(s, points[i])) continue;
    kept.push_back(i);
    if (workloads.insert(workload_key(s, points[i])).second) point_workload(s, points[i], i);
  }
  if (kept.empty()) fail(file, "the axis constraints rule out every point");
  // The configs on `threads` threads, in contiguous runs: the error reported is the first
  // point's in order, whatever the thread count (0: not read; rank 0 of an MPI run reads them).
  if (threads > 0)
    threads::parallel_for(kept.size(), threads, [&](size_t lo, size_t hi) {
      for (size_t k = lo; k < hi; ++k) point_config(s, points[kept[k]], kept[k]);
    });
  return s;
}

SweepSpec load_sweep(const std::string& path, size_t threads) {
  std::string text;
  try {
    text = io::read_text_file(path);
  } catch (const io::YamlError& e) {
    throw SweepError(e.what());
  }
  return parse_sweep(text, path, threads);
}

namespace {

// Latin hypercube: each axis's values cut into n strata, one sample per stratum, the strata
// paired across axes by independent permutations; a point drawn twice is kept once.
std::vector<Point> latin_hypercube(const SweepSpec& s, uint64_t n) {
  std::mt19937_64 g(s.strategy.seed);
  std::vector<std::vector<uint64_t>> perm(s.axes.size());
  for (auto& p : perm) {
    p.resize(n);
    std::iota(p.begin(), p.end(), 0);
    for (uint64_t i = n; i > 1; --i) std::swap(p[i - 1], p[below(g, i)]);
  }
  std::vector<Point> out;
  std::set<Point> seen;
  for (uint64_t i = 0; i < n; ++i) {
    Point pt(s.axes.size());
    for (size_t a = 0; a < s.axes.size(); ++a)
      pt[a] = size_t((2 * perm[a][i] + 1) * s.axes[a].yaml.size() / (2 * n));
    if (seen.insert(pt).second) out.push_back(pt);
  }
  return out;
}

}  // namespace

std::vector<Point> all_points(const SweepSpec& s) {
  const uint64_t grid = grid_size(s);
  std::vector<Point> out;
  if (s.strategy.kind == "grid" || s.strategy.kind == "adaptive" || s.strategy.samples >= grid) {
    for (uint64_t r = 0; r < grid; ++r) out.push_back(unrank(r, s.axes));
    return out;
  }
  const uint64_t n = s.strategy.samples;
  if (s.strategy.kind == "random") {  // n distinct grid points (Floyd's algorithm), in grid order
    std::mt19937_64 g(s.strategy.seed);
    std::set<uint64_t> picked;
    for (uint64_t j = grid - n; j < grid; ++j) {
      const uint64_t t = below(g, j + 1);
      if (!picked.insert(t).second) picked.insert(j);
    }
    for (const uint64_t r : picked) out.push_back(unrank(r, s.axes));
    return out;
  }
  return latin_hypercube(s, n);
}

std::vector<size_t> adaptive_start(const SweepSpec& s) {
  std::vector<size_t> out;
  for (const Point& p : latin_hypercube(s, std::min<uint64_t>(s.strategy.samples, grid_size(s))))
    if (passes_axis_constraints(s, p)) out.push_back(size_t(rank_of(p, s.axes)));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<size_t> neighbours(const SweepSpec& s, size_t index) {
  const Point p = unrank(index, s.axes);
  std::vector<size_t> out;
  for (size_t a = 0; a < s.axes.size(); ++a) {
    // A numeric axis is ordered: one step either way. A categorical one (PEs, workloads,
    // dataflows) has no order: every other value is one step away.
    const auto& labels = s.axes[a].labels;
    const bool ordered = std::all_of(labels.begin(), labels.end(), [](const std::string& l) { return parse_number(l).has_value(); });
    for (size_t v = 0; v < labels.size(); ++v) {
      if (v == p[a] || (ordered && v + 1 != p[a] && v != p[a] + 1)) continue;
      Point q = p;
      q[a] = v;
      out.push_back(size_t(rank_of(q, s.axes)));
    }
  }
  return out;
}

bool passes_axis_constraints(const SweepSpec& s, const Point& p) {
  for (const auto& c : s.constraints) {
    if (!c.on_axis) continue;
    for (size_t a = 0; a < s.axes.size(); ++a)
      if (s.axes[a].path == c.lhs && !c.holds(s.axes[a].labels[p[a]])) return false;
  }
  return true;
}

namespace {

// The point's indices on the axes whose path is `root` or starts with `root.`.
std::string key_of(const SweepSpec& s, const Point& p, const std::string& root) {
  std::string key;
  for (size_t a = 0; a < s.axes.size(); ++a)
    if (s.axes[a].path == root || s.axes[a].path.rfind(root + ".", 0) == 0) key += std::to_string(p[a]) + ",";
  return key;
}

}  // namespace

std::string workload_key(const SweepSpec& s, const Point& p) { return key_of(s, p, "workload"); }

std::string measurement_key(const SweepSpec& s, const Point& p) { return key_of(s, p, "pe") + "|" + workload_key(s, p); }

std::string describe(const SweepSpec& s, const Point& p) {
  std::string d;
  for (size_t a = 0; a < s.axes.size(); ++a)
    if (s.axes[a].yaml.size() > 1 || a == 0) d += fmt::format("{}{}={}", d.empty() ? "" : ", ", s.axes[a].path, s.axes[a].labels[p[a]]);
  return d;
}

estimator::AcceleratorConfig point_config(const SweepSpec& s, const Point& p, size_t index) {
  YAML::Node root = YAML::Load(s.base_yaml);
  root.remove("pes");
  root["pe"] = YAML::Load(s.axes[0].yaml[p[0]]);
  for (size_t a = 2; a < s.axes.size(); ++a) {
    const auto parts = split(s.axes[a].path);
    if (parts[0] == "workload") continue;
    if (parts[0] == "pe" && root["pe"].IsScalar()) {
      YAML::Node m(YAML::NodeType::Map);
      m["name"] = root["pe"].Scalar();
      root["pe"] = m;
    }
    set_path(root, parts, YAML::Load(s.axes[a].yaml[p[a]]));
  }
  const std::string where = fmt::format("{}: point {} ({})", s.file, index, describe(s, p));
  try {
    return estimator::parse_config(YAML::Dump(root), where);
  } catch (const estimator::ConfigError& e) {
    throw SweepError(e.what());
  }
}

Workload point_workload(const SweepSpec& s, const Point& p, size_t index) {
  YAML::Node w = YAML::Load(s.axes[1].yaml[p[1]]);
  for (size_t a = 2; a < s.axes.size(); ++a) {
    const auto parts = split(s.axes[a].path);
    if (parts[0] != "workload") continue;
    if (!w["generator"])
      fail(s.file, fmt::format("point {} ({}): axis '{}' sets a generator option, but the workload is the trace file {}", index,
                               describe(s, p), s.axes[a].path, w["trace"].Scalar()));
    w[parts[1]] = YAML::Load(s.axes[a].yaml[p[a]]);
  }
  Workload out;
  out.label = s.axes[1].labels[p[1]];
  out.base_dir = s.base_dir;
  const std::string where = fmt::format("{}: point {} ({})", s.file, index, describe(s, p));
  if (w["trace"]) {
    const fs::path path = fs::path(w["trace"].Scalar()).is_absolute() ? fs::path(w["trace"].Scalar())
                                                                       : fs::path(s.base_dir) / w["trace"].Scalar();
    try {
      out.trace = traces::load_trace(path.string());
    } catch (const traces::TraceError& e) {
      throw SweepError(io::one_line(fmt::format("{}: {}", where, e.what())));
    }
    out.base_dir = path.parent_path().string();
    if (out.base_dir.empty()) out.base_dir = ".";
    return out;
  }
  traces::GenOptions o;
  auto integer = [&](const char* k, int64_t& dst) {
    if (!w[k]) return;
    const auto v = w[k].IsScalar() ? parse_number(w[k].Scalar()) : std::nullopt;
    if (!v || *v != std::floor(*v) || *v < 0 || *v > 1e12)
      throw SweepError(io::one_line(fmt::format("{}: workload option '{}' must be a non-negative integer (got '{}')", where, k,
                                                io::escape(w[k].IsScalar() ? w[k].Scalar() : flow(w[k])))));
    dst = int64_t(*v);
  };
  auto text = [&](const char* k, std::string& dst) {
    if (w[k]) dst = w[k].IsScalar() ? w[k].Scalar() : flow(w[k]);
  };
  text("phase", o.phase);
  integer("seq", o.seq);
  integer("batch", o.batch);
  integer("kv", o.kv);
  text("w", o.w);
  text("a", o.a);
  text("o", o.o);
  integer("group", o.group);
  try {
    out.trace = traces::generate(w["generator"].Scalar(), o);
  } catch (const std::exception& e) {
    throw SweepError(io::one_line(fmt::format("{}: workload: {}", where, e.what())));
  }
  return out;
}

}  // namespace arithsim::sweep
