#include <arithsim/cost/cost.hpp>

#include <algorithm>

namespace arithsim::cost {

namespace {

Cost combine(std::span<const Cost> parts, bool in_series) {
  Cost t;
  std::vector<const std::string*> seen;
  for (const auto& p : parts) {
    t.area_um2 += p.area_um2;
    t.energy_pj += p.energy_pj;
    t.leakage_uw += p.leakage_uw;
    t.delay_ps = in_series ? t.delay_ps + p.delay_ps : std::max(t.delay_ps, p.delay_ps);
    if (p.source.empty() || std::any_of(seen.begin(), seen.end(), [&](auto* s) { return *s == p.source; })) continue;
    seen.push_back(&p.source);
    t.source += (t.source.empty() ? "" : "; ") + p.source;
  }
  return t;
}

}  // namespace

Cost replicate(const Cost& c, double n) {
  Cost r = c;
  r.area_um2 *= n;
  r.energy_pj *= n;
  r.leakage_uw *= n;
  return r;
}

Cost series(std::span<const Cost> parts) { return combine(parts, true); }
Cost parallel(std::span<const Cost> parts) { return combine(parts, false); }

}  // namespace arithsim::cost
