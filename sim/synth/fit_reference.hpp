// The synthesis reference the analytical model is fitted to (issue #12): the PE configurations
// of cost/library/fit_set.txt synthesized onto sky130 and ASAP7 into
// cost/library/synthesis_reference.json (scripts/gen_synthesis_reference.sh), each beside the
// analytical model of the same configuration at the library's node; the per-component fit
// (cost/fit.hpp) of its training rows, written to cost/library/fitted.yaml by `arithsim fit`;
// and the residual of every row. docs/cost.md § "Fitted to synthesis".
#pragma once

#include <string>
#include <vector>

#include <arithsim/cost/fit.hpp>
#include "sim/synth/ppa_database.hpp"

namespace arithsim::synth {

struct FitConfig {
  std::string role;  // train | held_out
  std::string pe;
  pe::Params params;
  std::string label() const;  // "mixpe w=int2"
};
// Throws std::runtime_error "FILE:LINE: problem".
std::vector<FitConfig> read_fit_set(const std::string& path);

struct ReferencePoint {
  FitConfig config;
  std::string library;  // sky130 | asap7
  PpaResult synth;
  cost::FitSample sample;  // the model at the library's node, the synthesis's activity, its area and energy
};

// Every configuration on both libraries, from the reference database. Throws
// std::runtime_error naming the configuration when an entry is missing: the RTL or a library
// changed since the reference was made (rerun scripts/gen_synthesis_reference.sh).
std::vector<ReferencePoint> reference_points(const std::vector<FitConfig>& set, const std::string& reference,
                                             const std::string& rtl_dir, const std::string& pdk_dir,
                                             const cost::ComponentLibrary& lib);

// One fit per library over the `train` points.
std::vector<cost::ComponentFit> fit_reference(const std::vector<ReferencePoint>& points, const std::string& source);

struct Residual {
  const ReferencePoint* point = nullptr;
  double model_area = 0, fitted_area = 0;             // um2
  double model_pj_mac = 0, fitted_pj_mac = 0, synth_pj_mac = 0;  // dynamic energy per MAC
  double area_error() const { return fitted_area / point->synth.area_um2 - 1; }
  double energy_error() const { return fitted_pj_mac / synth_pj_mac - 1; }
};
std::vector<Residual> residuals(const std::vector<ReferencePoint>& points, const std::vector<cost::ComponentFit>& fits);

// The residual table (markdown) and the factor table, for docs/cost.md.
std::string residual_table(const std::vector<Residual>& r);
std::string factor_table(const std::vector<cost::ComponentFit>& fits);

}  // namespace arithsim::synth
