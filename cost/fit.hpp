// The analytical PE model fitted to synthesis (issue #12): one area factor and one energy factor
// per library component (int_adder, int_multiplier, register, mux, barrel_shifter, lzc,
// comparator, ...), per cell library, found by least squares over synthesized PEs, so that the
// model keeps its speed (sweeps price thousands of points) and its per-stage structure, and its
// totals follow what yosys + OpenSTA measure on that library. docs/cost.md § "Fitted to synthesis".
//
//   const auto fits = builtin_fits();                    // cost/library/fitted.yaml, embedded
//   (every part scaled by its component's factor and its PE's scale)
//   PeCost c = apply_fit(pe_cost(lib, "mixpe", {}, lib.technology().node(std::string_view("7"))),
//                        find_fit(fits, "asap7"));
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <arithsim/cost/pe_cost.hpp>

namespace arithsim::cost {

// One synthesized PE configuration: the model's PE at the library's node, the activity the
// synthesis was powered at, and what synthesis measured.
struct FitSample {
  std::string label;         // e.g. "mixpe w=int2"
  PeCost model;
  ActivityFactors activity;
  double area_um2 = 0;       // synthesized area
  double dynamic_pj = 0;     // synthesized dynamic energy per cycle (total - leakage) at `activity`
};

struct ComponentFactor {
  double area = 1, energy = 1;
};

struct ComponentFit {
  std::string library;  // the cell library's name: sky130, asap7, ...
  std::string node;     // the technology node the model is evaluated at for it
  std::string source;   // what it was fitted to (reference file, tools, sample count)
  std::map<std::string, ComponentFactor> factors;  // by component; absent: 1
  std::map<std::string, ComponentFactor> pe_scales;  // by PE: a scale on all its parts; absent: 1
};

// Least squares on relative errors: area_i ~ h_pe(i) * sum_c f_c * (the model's area of
// component c in sample i), likewise energy: a factor per component and a scale per PE (what
// its hand-written part list misses alike in all its configurations), found alternately, with
// a ridge pulling each factor towards the one common factor
// that fits best (its strength chosen by leave-one-out cross-validation over the samples) and
// factors kept >= 0.05 x that factor. std::invalid_argument for no samples or a sample without
// area / energy.
ComponentFit fit_components(const std::vector<FitSample>& training, std::string library, std::string node,
                            std::string source);

// The PE with every part's area and leakage scaled by its component's area factor and its
// energy by the energy factor; delays unchanged. Parts' sources say so.
PeCost apply_fit(PeCost c, const ComponentFit& fit);

// YAML of fits (cost/library/fitted.yaml) and back. parse_fits throws LibraryError naming `file`.
std::string fits_yaml(const std::vector<ComponentFit>& fits);
std::vector<ComponentFit> parse_fits(std::string_view text, const std::string& file);
// cost/library/fitted.yaml as built into arithsim.
const std::vector<ComponentFit>& builtin_fits();
// The fit of `library`; LibraryError naming the libraries fitted when there is none.
const ComponentFit& find_fit(const std::vector<ComponentFit>& fits, const std::string& library);

}  // namespace arithsim::cost
