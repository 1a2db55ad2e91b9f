#include "sim/estimator/accelerator_config.hpp"
#include <arithsim/cost/fit.hpp>
#include "sim/synth/synth_cost.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arithsim/cost/technology.hpp>
#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/yaml_document.hpp>
#include <arithsim/models/cycle/registry.hpp>

namespace arithsim::estimator {
namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw ConfigError(io::one_line(fmt::format("{}: {}", file, what)));
}


void check_keys(const YAML::Node& n, const std::string& file, const std::string& where,
                const std::set<std::string>& allowed) {
  if (!n.IsMap()) fail(file, fmt::format("field '{}' must be a map", where));
  for (const auto& kv : n) {
    const auto key = io::escape(kv.first.Scalar());  // io::load_yaml refuses non-scalar keys
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(file, fmt::format("unknown field '{}{}' (allowed: {})", where.empty() ? "" : where + ".", key, list));
    }
  }
}

double number(const YAML::Node& n, const std::string& file, const std::string& field, double lo, double hi) {
  double v = 0;
  try {
    if (!n.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    fail(file, fmt::format("field '{}' must be a number", field));
  }
  if (!std::isfinite(v) || v < lo || v > hi) fail(file, fmt::format("field '{}' must be in [{}, {}] (got {})", field, lo, hi, v));
  return v;
}

int integer(const YAML::Node& n, const std::string& file, const std::string& field, int lo, int hi) {
  const double v = number(n, file, field, lo, hi);
  if (v != std::floor(v)) fail(file, fmt::format("field '{}' must be an integer (got {})", field, v));
  return int(v);
}

std::string text(const YAML::Node& n, const std::string& file, const std::string& field) {
  if (!n.IsScalar()) fail(file, fmt::format("field '{}' must be a string", field));
  return n.as<std::string>();
}

PeChoice parse_pe(const YAML::Node& n, const std::string& file, const std::string& where) {
  PeChoice p;
  if (n.IsScalar()) {
    p.name = n.as<std::string>();
  } else {
    check_keys(n, file, where, {"name", "params", "label"});
    if (!n["name"]) fail(file, fmt::format("missing field '{}.name'", where));
    p.name = text(n["name"], file, where + ".name");
    if (n["params"]) {
      if (!n["params"].IsMap()) fail(file, fmt::format("field '{}.params' must be a map of key: value", where));
      for (const auto& kv : n["params"]) {
        if (!kv.first.IsScalar()) fail(file, fmt::format("field '{}.params' has a key that is not text", where));
        p.params[kv.first.Scalar()] = text(kv.second, file, where + ".params." + io::escape(kv.first.Scalar()));
      }
    }
    if (n["label"]) p.label = text(n["label"], file, where + ".label");
  }
  if (p.label.empty()) p.label = p.name;
  return p;
}

}  // namespace

namespace detail {
AcceleratorConfig parse_fields(const YAML::Node& root, const std::string& file);
}

AcceleratorConfig parse_config(std::string_view src, const std::string& file) {
  YAML::Node root;
  try {
    root = io::load_yaml(src, file);
  } catch (const io::YamlError& e) {
    throw ConfigError(e.what());
  }
  if (root.IsNull()) fail(file, "the config is empty (give at least one field; docs/estimator.md)");
  if (!root.IsMap()) fail(file, "expected a mapping of fields at the top level");
  try {
    return detail::parse_fields(root, file);
  } catch (const YAML::Exception& e) {  // a conversion the checks above did not foresee
    fail(file, fmt::format("{}: {}", io::position(root), io::escape(e.msg)));
  }
}

AcceleratorConfig detail::parse_fields(const YAML::Node& root, const std::string& file) {
  AcceleratorConfig c;
  check_keys(root, file, "",
             {"version", "name", "array", "pe", "pes", "clock_ghz", "node", "cost", "buffers_kb", "dram", "vector", "mapping"});
  if (root["version"] && integer(root["version"], file, "version", 0, 1 << 20) != kConfigVersion)
    fail(file, fmt::format("unsupported version {} (this arithsim reads version {})", root["version"].as<std::string>(),
                           kConfigVersion));
  if (root["name"]) c.name = text(root["name"], file, "name");
  if (const auto a = root["array"]) {
    check_keys(a, file, "array", {"rows", "cols", "dataflow", "idle_gating", "cycles"});
    if (a["rows"]) c.rows = integer(a["rows"], file, "array.rows", 1, 4096);
    if (a["cols"]) c.cols = integer(a["cols"], file, "array.cols", 1, 4096);
    if (a["dataflow"]) c.dataflow = text(a["dataflow"], file, "array.dataflow");
    if (c.dataflow != "os" && c.dataflow != "ws" && c.dataflow != "is" && c.dataflow != "dot")
      fail(file, fmt::format("field 'array.dataflow' must be os, ws, is or dot (got '{}')", io::escape(c.dataflow)));
    if (a["idle_gating"]) {
      const std::string g = text(a["idle_gating"], file, "array.idle_gating");
      if (g != "true" && g != "false")
        fail(file, fmt::format("field 'array.idle_gating' must be true or false (got '{}')", g));
      c.idle_gating = g == "true";
    }
    if (a["cycles"]) {
      c.cycles = text(a["cycles"], file, "array.cycles");
      if (c.cycles != "exact" && c.cycles != "scalesim")
        fail(file, fmt::format("field 'array.cycles' must be exact or scalesim (got '{}')", io::escape(c.cycles)));
      if (c.cycles == "scalesim" && c.dataflow == "dot")
        fail(file, "field 'array.cycles': scalesim counts systolic arrays (os, ws, is), not a dot-product tile "
                   "(array.dataflow is 'dot')");
    }
  }
  if (root["pe"] && root["pes"]) fail(file, "give either 'pe' or 'pes', not both");
  if (root["pe"]) c.pes.push_back(parse_pe(root["pe"], file, "pe"));
  if (const auto l = root["pes"]) {
    if (!l.IsSequence() || l.size() == 0) fail(file, "field 'pes' must be a non-empty list");
    for (size_t i = 0; i < l.size(); ++i) c.pes.push_back(parse_pe(l[i], file, fmt::format("pes[{}]", i)));
  }
  if (root["clock_ghz"]) {
    const auto& n = root["clock_ghz"];
    if (n.IsScalar() && n.Scalar() == "auto") {
      c.clock_hz = 0;
    } else {
      double v = 0;
      if (!n.IsScalar() || !YAML::convert<double>::decode(n, v))
        fail(file, fmt::format("field 'clock_ghz' must be a number of GHz or 'auto' (got '{}')", n.IsScalar() ? n.Scalar() : "a map or list"));
      c.clock_hz = number(n, file, "clock_ghz", 1e-3, 100) * 1e9;
    }
  }
  if (root["node"]) c.node = text(root["node"], file, "node");
  if (root["cost"]) {
    c.cost = text(root["cost"], file, "cost");
    if (!synth::valid_cost_source(c.cost))
      fail(file, fmt::format("field 'cost' must be analytical, fitted:LIB (fitted:sky130, fitted:asap7) or synth:LIB "
                             "(synth:sky130, synth:asap7, synth:FILE.lib; got '{}')", io::escape(c.cost)));
  }
  if (const auto b = root["buffers_kb"]) {
    check_keys(b, file, "buffers_kb", {"activations", "weights", "outputs"});
    if (b["activations"]) c.a_buffer_kb = number(b["activations"], file, "buffers_kb.activations", 0.125, 1 << 20);
    if (b["weights"]) c.w_buffer_kb = number(b["weights"], file, "buffers_kb.weights", 0.125, 1 << 20);
    if (b["outputs"]) c.o_buffer_kb = number(b["outputs"], file, "buffers_kb.outputs", 0.125, 1 << 20);
  }
  if (const auto d = root["dram"]) {
    check_keys(d, file, "dram", {"bandwidth_gbps", "pj_per_bit", "source"});
    if (d["bandwidth_gbps"]) c.dram_gbps = number(d["bandwidth_gbps"], file, "dram.bandwidth_gbps", 1e-3, 1e6);
    if (d["pj_per_bit"]) {
      c.dram_pj_per_bit = number(d["pj_per_bit"], file, "dram.pj_per_bit", 0, 1e4);
      c.dram_source = fmt::format("user ({})", file);
    }
    if (d["source"]) c.dram_source = fmt::format("user ({}): {}", file, text(d["source"], file, "dram.source"));
  }
  if (const auto v = root["vector"]) {
    check_keys(v, file, "vector", {"lanes"});
    if (v["lanes"]) c.vector_lanes = integer(v["lanes"], file, "vector.lanes", 1, 1 << 20);
  }
  if (const auto m = root["mapping"]) {
    check_keys(m, file, "mapping", {"objective", "fixed"});
    if (m["objective"] && m["fixed"]) fail(file, "give either 'mapping.objective' (searched) or 'mapping.fixed', not both");
    if (m["objective"]) {
      const std::string o = text(m["objective"], file, "mapping.objective");
      try {
        c.objective = mapper::parse_objective(o);
      } catch (const std::invalid_argument&) {
        fail(file, fmt::format("field 'mapping.objective' must be latency, energy or edp (got '{}')", io::escape(o)));
      }
    }
    if (const auto f = m["fixed"]) {
      check_keys(f, file, "mapping.fixed", {"rows", "order", "tile"});
      c.fixed_mapping = true;
      if (f["rows"]) {
        const std::string r = text(f["rows"], file, "mapping.fixed.rows");
        const bool st = c.dataflow == "ws" || c.dataflow == "is";
        if (st && r != "k")
          fail(file, fmt::format("field 'mapping.fixed.rows' must be k on a {} array (K runs down its rows; got '{}')",
                                 c.dataflow, io::escape(r)));
        if (!st && r != "m" && r != "n")
          fail(file, fmt::format("field 'mapping.fixed.rows' must be m or n (got '{}')", io::escape(r)));
        c.mapping.rows = r == "m" ? mapper::Dim::M : r == "n" ? mapper::Dim::N : mapper::Dim::K;
      } else if (c.dataflow == "ws" || c.dataflow == "is") {
        c.mapping.rows = mapper::Dim::K;
      }
      if (f["order"]) {
        const std::string o = text(f["order"], file, "mapping.fixed.order");
        std::string sorted = o;
        std::sort(sorted.begin(), sorted.end());
        if (sorted != "kmn")
          fail(file, fmt::format("field 'mapping.fixed.order' must be the loops m, n, k outer to inner, e.g. nmk (got '{}')",
                                 io::escape(o)));
        for (size_t i = 0; i < 3; ++i) c.mapping.order[i] = o[i] == 'm' ? mapper::Dim::M : o[i] == 'n' ? mapper::Dim::N : mapper::Dim::K;
      }
      if (const auto t = f["tile"]) {
        check_keys(t, file, "mapping.fixed.tile", {"m", "n", "k"});
        // 0: the whole dim
        if (t["m"]) c.mapping.tile_m = uint64_t(number(t["m"], file, "mapping.fixed.tile.m", 0, 1e15));
        if (t["n"]) c.mapping.tile_n = uint64_t(number(t["n"], file, "mapping.fixed.tile.n", 0, 1e15));
        if (t["k"]) c.mapping.tile_k = uint64_t(number(t["k"], file, "mapping.fixed.tile.k", 0, 1e15));
        for (const char* d : {"m", "n", "k"})
          if (t[d]) {
            const double v = t[d].as<double>();
            if (v != std::floor(v))
              fail(file, fmt::format("field 'mapping.fixed.tile.{}' must be an integer (got {})", d, v));
          }
      }
    }
  }
  try {
    validate(c);
  } catch (const ConfigError& e) {
    fail(file, e.what());
  }
  return c;
}

AcceleratorConfig load_config(const std::string& path) {
  std::string text;
  try {
    text = io::read_text_file(path);
  } catch (const io::YamlError& e) {
    throw ConfigError(e.what());
  }
  return parse_config(text, path);
}

void validate(const AcceleratorConfig& c) {
  const auto tech = cost::Technology::builtin();
  if (!tech.find(c.node)) {
    std::string known;
    for (const auto& n : tech.nodes()) known += (known.empty() ? "" : ", ") + n.name;
    throw ConfigError(fmt::format("field 'node': unknown node '{}' (known: {})", c.node, known));
  }
  try {
    if (synth::resolve_cost_source(c.cost, c.node).cells)
      for (const auto& p : c.pes) synth::rtl_parameters(p.name, p.params);  // the PE has RTL to synthesize
  } catch (const std::invalid_argument& e) {
    throw ConfigError(fmt::format("field 'cost': {}", e.what()));
  } catch (const cost::LibraryError& e) {
    throw ConfigError(fmt::format("field 'cost': {}", e.what()));
  }
  const auto df = cycle::parse_dataflow(c.dataflow);
  for (const auto& p : c.pes) {
    try {
      if (cycle::is_stationary(df))
        cycle::make_stationary_array(p.name, p.params, 1, 1, df);
      else
        cycle::make_pe_array(p.name, p.params, 1, 1, df);
      pe::Params bare = p.params;
      bare.erase("stages");
      pe::make_pe(p.name, bare);
    } catch (const std::exception& e) {
      throw ConfigError(fmt::format("pe '{}': {}", p.label, e.what()));
    }
  }
}

std::string to_yaml(const AcceleratorConfig& c) {
  // Strings double-quoted with JSON's escapes (valid YAML): names may hold ':', quotes, '#'.
  auto q = [](const std::string& t) { return nlohmann::json(t).dump(); };
  std::string s = fmt::format("version: {}\nname: {}\narray: {{rows: {}, cols: {}, dataflow: {}, idle_gating: {}, cycles: {}}}\n",
                              kConfigVersion, q(c.name), c.rows, c.cols, q(c.dataflow), c.idle_gating, q(c.cycles));
  if (!c.pes.empty()) s += "pes:\n";
  for (const auto& p : c.pes) {
    s += fmt::format("  - {{name: {}, label: {}, params: {{", q(p.name), q(p.label));
    bool first = true;
    for (const auto& [k, v] : p.params) s += fmt::format("{}{}: {}", first ? "" : ", ", q(k), q(v)), first = false;
    s += "}}\n";
  }
  s += fmt::format("clock_ghz: {}\nnode: {}\ncost: {}\nbuffers_kb: {{activations: {}, weights: {}, outputs: {}}}\n",
                   c.clock_hz > 0 ? fmt::format("{}", c.clock_hz / 1e9) : "auto", q(c.node), q(c.cost), c.a_buffer_kb, c.w_buffer_kb,
                   c.o_buffer_kb);
  s += fmt::format("dram: {{bandwidth_gbps: {}, pj_per_bit: {}, source: {}}}\n", c.dram_gbps, c.dram_pj_per_bit,
                   q(c.dram_source));
  if (c.vector_lanes > 0) s += fmt::format("vector: {{lanes: {}}}\n", c.vector_lanes);
  if (c.fixed_mapping) {
    const auto& t = c.mapping;
    s += fmt::format("mapping: {{fixed: {{rows: {}, order: {}{}{}, tile: {{m: {}, n: {}, k: {}}}}}}}\n", mapper::dim_name(t.rows),
                     mapper::dim_name(t.order[0]), mapper::dim_name(t.order[1]), mapper::dim_name(t.order[2]), t.tile_m,
                     t.tile_n, t.tile_k);
  } else {
    s += fmt::format("mapping: {{objective: {}}}\n", mapper::objective_name(c.objective));
  }
  return s;
}

}  // namespace arithsim::estimator
