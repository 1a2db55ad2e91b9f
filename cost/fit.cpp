#include <arithsim/cost/fit.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include <arithsim/cost/builtin_library.hpp>
#include <arithsim/cost/yaml_fields.hpp>

namespace arithsim::cost {
namespace {

constexpr double kMinFactor = 0.05;  // of the common factor

// Solves A x = b (n x n, row-major) by Gaussian elimination with partial pivoting.
std::vector<double> solve(std::vector<double> a, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t k = 0; k < n; ++k) {
    size_t p = k;
    for (size_t i = k + 1; i < n; ++i)
      if (std::abs(a[i * n + k]) > std::abs(a[p * n + k])) p = i;
    if (std::abs(a[p * n + k]) < 1e-300) throw std::invalid_argument("fit: singular system");
    if (p != k) {
      for (size_t j = 0; j < n; ++j) std::swap(a[k * n + j], a[p * n + j]);
      std::swap(b[k], b[p]);
    }
    for (size_t i = k + 1; i < n; ++i) {
      const double m = a[i * n + k] / a[k * n + k];
      for (size_t j = k; j < n; ++j) a[i * n + j] -= m * a[k * n + j];
      b[i] -= m * b[k];
    }
  }
  std::vector<double> x(n);
  for (size_t k = n; k-- > 0;) {
    double s = b[k];
    for (size_t j = k + 1; j < n; ++j) s -= a[k * n + j] * x[j];
    x[k] = s / a[k * n + k];
  }
  return x;
}

// min sum_i ((x_i . f - y_i) / y_i)^2 + ridge * sum_c m_c (f_c - g)^2, f_c >= kMinFactor, where
// g is the one factor that fits best for every component alike and m_c the mean square of
// feature c (a factor below the bound is fixed there and the rest refitted). The ridge keeps
// factors of components that always appear together (registers and adders are in every PE)
// from trading off against each other.
std::vector<double> relative_least_squares(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                                           double ridge) {
  const size_t n = x[0].size();
  double num = 0, den = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double t = 0;
    for (const double v : x[i]) t += v;
    num += t / y[i], den += (t / y[i]) * (t / y[i]);
  }
  const double g = den > 0 ? num / den : 1;
  std::vector<double> f(n, g);
  std::vector<bool> fixed(n, false);
  for (size_t round = 0; round <= n; ++round) {
    std::vector<size_t> free;
    for (size_t c = 0; c < n; ++c)
      if (!fixed[c]) free.push_back(c);
    if (free.empty()) break;
    const size_t k = free.size();
    std::vector<double> a(k * k, 0), b(k, 0), m(k, 0);
    for (size_t i = 0; i < x.size(); ++i) {
      double rest = y[i];
      for (size_t c = 0; c < n; ++c)
        if (fixed[c]) rest -= x[i][c] * f[c];
      const double w = 1 / (y[i] * y[i]);
      for (size_t p = 0; p < k; ++p) {
        const double xp = x[i][free[p]];
        m[p] += xp * xp * w / double(x.size());
        b[p] += w * xp * rest;
        for (size_t q = 0; q < k; ++q) a[p * k + q] += w * xp * x[i][free[q]];
      }
    }
    for (size_t p = 0; p < k; ++p) {
      const double r = ridge * std::max(m[p], 1e-12);
      a[p * k + p] += r;
      b[p] += r * g;
    }
    const auto sol = solve(a, b);
    bool clamped = false;
    for (size_t p = 0; p < k; ++p) {
      f[free[p]] = sol[p];
      if (sol[p] < kMinFactor * g) fixed[free[p]] = true, f[free[p]] = kMinFactor * g, clamped = true;
    }
    if (!clamped) break;
  }
  return f;
}

// The ridge that predicts left-out training samples best (leave-one-out over a grid), and the
// fit with it on every sample.
struct Chosen {
  std::vector<double> f;
  double ridge = 0, loo_rms = 0;
};
Chosen fit_with_loo(const std::vector<std::vector<double>>& x, const std::vector<double>& y) {
  Chosen best;
  best.loo_rms = -1;
  for (const double ridge : {1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0}) {
    double sq = 0;
    for (size_t i = 0; i < x.size() && x.size() > 1; ++i) {
      std::vector<std::vector<double>> xs;
      std::vector<double> ys;
      for (size_t j = 0; j < x.size(); ++j)
        if (j != i) xs.push_back(x[j]), ys.push_back(y[j]);
      const auto f = relative_least_squares(xs, ys, ridge);
      double pred = 0;
      for (size_t c = 0; c < f.size(); ++c) pred += f[c] * x[i][c];
      sq += (pred / y[i] - 1) * (pred / y[i] - 1);
    }
    const double rms = std::sqrt(sq / double(x.size()));
    if (best.loo_rms < 0 || rms < best.loo_rms) best = {{}, ridge, rms};
  }
  best.f = relative_least_squares(x, y, best.ridge);
  return best;
}

}  // namespace

ComponentFit fit_components(const std::vector<FitSample>& training, std::string library, std::string node,
                            std::string source) {
  if (training.empty()) throw std::invalid_argument("fit: no samples");
  std::set<std::string> names;
  for (const auto& s : training) {
    if (!(s.area_um2 > 0) || !(s.dynamic_pj > 0))
      throw std::invalid_argument(fmt::format("fit: sample '{}' without area or energy", s.label));
    for (const auto& p : s.model.parts) names.insert(p.component);
  }
  const std::vector<std::string> comps(names.begin(), names.end());
  std::vector<std::vector<double>> xa, xe;
  std::vector<double> ya, ye;
  for (const auto& s : training) {
    std::vector<double> a(comps.size(), 0), e(comps.size(), 0);
    for (const auto& p : s.model.parts) {
      const size_t c = size_t(std::find(comps.begin(), comps.end(), p.component) - comps.begin());
      a[c] += p.area_um2();
      e[c] += part_energy_pj(s.model, p, s.activity);
    }
    xa.push_back(a), xe.push_back(e), ya.push_back(s.area_um2), ye.push_back(s.dynamic_pj);
  }
  // Alternating: component factors with every PE's scale fixed, then each PE's scale (the one
  // factor that best fits its samples) with the component factors fixed; scales normalized
  // to a geometric mean of 1.
  std::vector<std::string> pes;
  std::vector<size_t> pe_of;
  for (const auto& s : training) {
    const auto it = std::find(pes.begin(), pes.end(), s.model.pe);
    pe_of.push_back(size_t(it - pes.begin()));
    if (it == pes.end()) pes.push_back(s.model.pe);
  }
  auto alternate = [&](const std::vector<std::vector<double>>& x, const std::vector<double>& y, std::vector<double>& h) {
    h.assign(pes.size(), 1.0);
    Chosen c;
    for (int it = 0; it < 30; ++it) {
      std::vector<std::vector<double>> xs = x;
      for (size_t i = 0; i < xs.size(); ++i)
        for (auto& v : xs[i]) v *= h[pe_of[i]];
      c = fit_with_loo(xs, y);
      std::vector<double> num(pes.size(), 0), den(pes.size(), 0);
      for (size_t i = 0; i < x.size(); ++i) {
        double pred = 0;
        for (size_t k = 0; k < c.f.size(); ++k) pred += c.f[k] * x[i][k];
        num[pe_of[i]] += pred / y[i], den[pe_of[i]] += (pred / y[i]) * (pred / y[i]);
      }
      double logsum = 0;
      for (size_t q = 0; q < pes.size(); ++q) h[q] = num[q] / den[q], logsum += std::log(h[q]);
      for (auto& v : h) v /= std::exp(logsum / double(pes.size()));
    }
    return c;
  };
  std::vector<double> ha, he;
  const Chosen fa = alternate(xa, ya, ha), fe = alternate(xe, ye, he);
  source += fmt::format("; ridge {:g} (area) / {:g} (energy) chosen by leave-one-out, whose rms error is {:.1f} % / {:.1f} %",
                        fa.ridge, fe.ridge, 100 * fa.loo_rms, 100 * fe.loo_rms);
  ComponentFit fit{std::move(library), std::move(node), std::move(source), {}, {}};
  for (size_t c = 0; c < comps.size(); ++c) fit.factors[comps[c]] = {fa.f[c], fe.f[c]};
  for (size_t q = 0; q < pes.size(); ++q) fit.pe_scales[pes[q]] = {ha[q], he[q]};
  return fit;
}

PeCost apply_fit(PeCost c, const ComponentFit& fit) {
  const auto s = fit.pe_scales.find(c.pe);
  const ComponentFactor pe = s == fit.pe_scales.end() ? ComponentFactor{} : s->second;
  for (auto& p : c.parts) {
    const auto it = fit.factors.find(p.component);
    const ComponentFactor k = it == fit.factors.end() ? ComponentFactor{} : it->second;
    p.unit.area_um2 *= k.area * pe.area;
    p.unit.leakage_uw *= k.area * pe.area;
    p.unit.energy_pj *= k.energy * pe.energy;
    p.unit.source += fmt::format("; fitted to synthesis on {}: area x {:.3g} x {:.3g} ({}), energy x {:.3g} x {:.3g}",
                                 fit.library, k.area, pe.area, c.pe, k.energy, pe.energy);
  }
  retotal(c);
  return c;
}

std::string fits_yaml(const std::vector<ComponentFit>& fits) {
  std::string s = "# Generated by `arithsim fit` (scripts/gen_fit.sh): do not edit.\nversion: 1\nfits:\n";
  for (const auto& f : fits) {
    s += fmt::format("  {}:\n    node: \"{}\"\n    source: \"{}\"\n    components:\n", f.library, f.node, f.source);
    for (const auto& [name, k] : f.factors) s += fmt::format("      {}: {{area: {:.6g}, energy: {:.6g}}}\n", name, k.area, k.energy);
    s += "    pe_scales:\n";
    for (const auto& [name, k] : f.pe_scales) s += fmt::format("      {}: {{area: {:.6g}, energy: {:.6g}}}\n", name, k.area, k.energy);
  }
  return s;
}

std::vector<ComponentFit> parse_fits(std::string_view text, const std::string& file) {
  const YAML::Node root = detail::parse_document(text, file);
  detail::check_fields(root, {"version", "fits"}, file, "");
  if (detail::integer(root, "version", 0, 1 << 20, file, "") != 1)
    detail::fail(file, "", "unsupported version (this arithsim reads version 1)");
  std::vector<ComponentFit> out;
  const YAML::Node fits = root["fits"];
  if (!fits || !fits.IsMap()) detail::fail(file, "", "field 'fits' must be a mapping of library -> fit");
  for (const auto& kv : fits) {
    const std::string lib = kv.first.as<std::string>();
    const std::string where = "fits." + lib;
    detail::check_fields(kv.second, {"node", "source", "components", "pe_scales"}, file, where);
    ComponentFit f{lib, detail::text(kv.second, "node", file, where), detail::text(kv.second, "source", file, where), {}, {}};
    for (const char* field : {"components", "pe_scales"}) {
      const YAML::Node comps = kv.second[field];
      if (!comps && std::string_view(field) == "pe_scales") continue;
      if (!comps || !comps.IsMap()) detail::fail(file, where, fmt::format("field '{}' must be a mapping", field));
      for (const auto& c : comps) {
        const std::string name = c.first.as<std::string>();
        const std::string cw = fmt::format("{}.{}.{}", where, field, name);
        detail::check_fields(c.second, {"area", "energy"}, file, cw);
        const ComponentFactor k{detail::number(c.second, "area", file, cw), detail::number(c.second, "energy", file, cw)};
        if (!(k.area > 0) || !(k.energy > 0)) detail::fail(file, cw, "factors must be > 0");
        (std::string_view(field) == "components" ? f.factors : f.pe_scales)[name] = k;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

const std::vector<ComponentFit>& builtin_fits() {
  static const std::vector<ComponentFit> f = parse_fits(builtin::fitted_yaml(), std::string(builtin::fitted_name));
  return f;
}

const ComponentFit& find_fit(const std::vector<ComponentFit>& fits, const std::string& library) {
  std::string known;
  for (const auto& f : fits) {
    if (f.library == library) return f;
    known += (known.empty() ? "" : ", ") + f.library;
  }
  throw LibraryError(fmt::format("no fitted model for library '{}' (fitted: {})", library, known.empty() ? "none" : known));
}

}  // namespace arithsim::cost
