#include "sim/synth/fit_reference.hpp"

#include <cmath>
#include <set>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::synth {

std::string FitConfig::label() const {
  std::string s = pe;
  for (const auto& [k, v] : params) s += fmt::format(" {}={}", k, v);
  return s;
}

std::vector<FitConfig> read_fit_set(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot be read", path));
  std::vector<FitConfig> out;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    FitConfig c;
    ss >> c.role >> c.pe;
    if (c.role != "train" && c.role != "held_out")
      throw std::runtime_error(fmt::format("{}:{}: role must be train or held_out, got '{}'", path, n, c.role));
    if (c.pe.empty()) throw std::runtime_error(fmt::format("{}:{}: no PE", path, n));
    for (std::string kv; ss >> kv;) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw std::runtime_error(fmt::format("{}:{}: '{}' is not key=value", path, n, kv));
      c.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) throw std::runtime_error(fmt::format("{}: no configurations", path));
  return out;
}

std::vector<ReferencePoint> reference_points(const std::vector<FitConfig>& set, const std::string& reference,
                                             const std::string& rtl_dir, const std::string& pdk_dir,
                                             const cost::ComponentLibrary& lib) {
  const PpaDatabase db(reference);
  std::vector<ReferencePoint> out;
  for (const auto& c : set) {
    cost::OperandSpec spec;
    spec.dot_length = 64;  // the synthesis's stream: dot products of 64
    const cost::ActivityFactors measured =
        cost::activity_factors(cost::measure_activity(c.pe, c.params, spec), "the cycle model on the synthesis's stream");
    for (const char* name : {"sky130", "asap7"}) {
      const CellLibrary cells = resolve_cell_library(name, pdk_dir, "");
      LibertyFlow flow;
      flow.liberty = cells.liberty;
      const auto r = db.find(ppa_key(c.pe, c.params, rtl_dir, {}, flow));
      if (!r)
        throw std::runtime_error(fmt::format("{}: no entry for {} on {}: the RTL or the library changed since it was made "
                                             "(rerun scripts/gen_synthesis_reference.sh)",
                                             reference, c.label(), name));
      ReferencePoint p{c, name, *r, {}};
      p.sample.label = c.label();
      p.sample.model = cost::pe_cost(lib, c.pe, c.params, lib.technology().node(std::string_view(cells.node)));
      p.sample.activity = measured;
      p.sample.activity.input = r->input_activity;  // the operand ports' as synthesized
      p.sample.area_um2 = r->area_um2;
      p.sample.dynamic_pj = (r->internal_w + r->switching_w) / r->clock_hz * 1e12;
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::vector<cost::ComponentFit> fit_reference(const std::vector<ReferencePoint>& points, const std::string& source) {
  std::vector<cost::ComponentFit> fits;
  for (const char* name : {"sky130", "asap7"}) {
    std::vector<cost::FitSample> train;
    std::string node, tools;
    for (const auto& p : points)
      if (p.library == name && p.config.role == "train") {
        train.push_back(p.sample);
        node = p.sample.model.node.name;
        tools = fmt::format("{} + {}", p.synth.yosys_version, p.synth.sta_version);
      }
    if (train.empty()) continue;
    fits.push_back(cost::fit_components(train, name, node,
                                        fmt::format("least squares over {} configurations of {} synthesized by {} "
                                                    "(per-net zero-delay activity)",
                                                    train.size(), source, tools)));
  }
  return fits;
}

std::vector<Residual> residuals(const std::vector<ReferencePoint>& points, const std::vector<cost::ComponentFit>& fits) {
  std::vector<Residual> out;
  for (const auto& p : points) {
    const cost::PeCost fitted = cost::apply_fit(p.sample.model, cost::find_fit(fits, p.library));
    const double macs = p.sample.model.macs_per_cycle;
    Residual r;
    r.point = &p;
    r.model_area = p.sample.model.area_um2;
    r.fitted_area = fitted.area_um2;
    r.model_pj_mac = cost::evaluate(p.sample.model, p.sample.activity, p.synth.clock_hz).dynamic_pj / macs;
    r.fitted_pj_mac = cost::evaluate(fitted, p.sample.activity, p.synth.clock_hz).dynamic_pj / macs;
    r.synth_pj_mac = p.sample.dynamic_pj / macs;
    out.push_back(r);
  }
  return out;
}

std::string residual_table(const std::vector<Residual>& rs) {
  std::string s =
      "| configuration | role | library | area µm² synthesized | model | fitted | error | pJ/MAC synthesized | model | "
      "fitted | error |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rs)
    s += fmt::format("| {} | {} | {} | {:.1f} | {:.1f} | {:.1f} | {:+.1f} % | {:.4g} | {:.4g} | {:.4g} | {:+.1f} % |\n",
                     r.point->config.label(), r.point->config.role == "train" ? "train" : "held out", r.point->library,
                     r.point->synth.area_um2, r.model_area, r.fitted_area, 100 * r.area_error(), r.synth_pj_mac,
                     r.model_pj_mac, r.fitted_pj_mac, 100 * r.energy_error());
  return s;
}

std::string factor_table(const std::vector<cost::ComponentFit>& fits) {
  std::string s = "| component |";
  std::string sep = "|---|";
  for (const auto& f : fits) s += fmt::format(" {} area | {} energy |", f.library, f.library), sep += "---:|---:|";
  s += "\n" + sep + "\n";
  using Table = std::map<std::string, cost::ComponentFactor> cost::ComponentFit::*;
  for (const auto& [table, prefix] : {std::pair{Table(&cost::ComponentFit::factors), ""},
                                      std::pair{Table(&cost::ComponentFit::pe_scales), "PE scale: "}}) {
    std::set<std::string> names;
    for (const auto& f : fits)
      for (const auto& [n, k] : f.*table) names.insert(n);
    for (const auto& n : names) {
      s += fmt::format("| {}{} |", prefix, n);
      for (const auto& f : fits) {
        const auto it = (f.*table).find(n);
        s += it == (f.*table).end() ? " - | - |" : fmt::format(" {:.3g} | {:.3g} |", it->second.area, it->second.energy);
      }
      s += "\n";
    }
  }
  return s;
}

}  // namespace arithsim::synth
