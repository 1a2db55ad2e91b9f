// A sweep's plots (issue #15): for each pair of objectives, every ok point as a scatter (one
// colour per workload, infeasible points in grey) with the Pareto front drawn over it, as PNG
// and SVG, made by gnuplot from data files and a script kept beside them (DIR/plots/).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/estimator/report.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace arithsim::sweep {

using estimator::have_gnuplot;  // sim/estimator/report.hpp

// The plots' data and script: (file name, content) pairs, and the names of the images the
// script makes. Empty when the sweep has fewer than two objectives.
struct PlotFiles {
  std::vector<std::pair<std::string, std::string>> inputs;  // *.dat, plots.gp
  std::vector<std::string> images;                            // A-vs-B.png / .svg
};
PlotFiles plot_files(const SweepSpec& s, const std::vector<nlohmann::ordered_json>& rows, const std::vector<size_t>& front);

// Runs gnuplot on `dir`/plots.gp in `dir`. Throws std::runtime_error with gnuplot's first
// error line when it fails.
void run_gnuplot(const std::string& dir);

}  // namespace arithsim::sweep
