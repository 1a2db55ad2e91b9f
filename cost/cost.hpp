// The cost of one component instance at one technology node, and how costs compose: parts of
// a datapath add their area, energy and leakage; stages in series add their delay, parallel
// ones take the slowest.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace arithsim::cost {

// Loading or querying a library went wrong. One line, naming the file, the component and
// the field: "components.yaml: component 'int_adder': field 'area_um2' is not a number".
struct LibraryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Cost {
  double area_um2 = 0;    // silicon area
  double energy_pj = 0;   // dynamic energy per operation (per access, per clocked cycle)
  double leakage_uw = 0;  // static power
  double delay_ps = 0;    // combinational delay through the block
  std::string source;     // where the numbers come from ("user (file): ..." when overridden)
};

// `n` identical instances side by side: area, energy and leakage x n, the same delay.
Cost replicate(const Cost& c, double n);

// Parts of one datapath: area, energy and leakage add; the stages are in series, so the
// delays add. The source lists every distinct part source, separated by "; ".
Cost series(std::span<const Cost> parts);

// Parts working side by side: area, energy and leakage add; the delay is the slowest part's.
Cost parallel(std::span<const Cost> parts);

// One entry of a component's breakdown: the datapath stage (align, multiply, accumulate,
// normalize, round, ...), the part within it, and the library component that prices it.
struct StageCost {
  std::string stage, part, component;
  Cost cost;
};

}  // namespace arithsim::cost
