// Reports of estimates: the comparison table (text, Markdown, LaTeX), results.csv,
// results.json, plots (PNG and SVG through gnuplot), and the report directory written
// atomically. docs/estimator.md, "Report files".
#pragma once

#include <string>
#include <vector>

#include "sim/estimator/estimator.hpp"

namespace arithsim::estimator {

struct ReportInfo {
  std::string trace;   // what the workload is ("llama2-7b decode (embedded default)" or the file)
  std::string config;  // the config's name or file
  bool latex = false;  // also write table.tex
};

// One row per PE: cycles, latency ms, energy mJ (total, compute, buffers, DRAM, leakage),
// area mm^2, SQNR dB, utilization %, bound.
std::string comparison_table(const std::vector<PeEstimate>& r);
std::string latex_table(const std::vector<PeEstimate>& r, const ReportInfo& info);
std::string markdown_report(const std::vector<PeEstimate>& r, const ReportInfo& info, bool with_plots);
std::string results_csv(const std::vector<PeEstimate>& r);
std::string results_json(const std::vector<PeEstimate>& r, const ReportInfo& info);

// Writes report.md, results.csv, results.json, [table.tex] and plots/ (energy_breakdown,
// area, latency_per_layer, accuracy_vs_energy as .png and .svg, with their data and the
// gnuplot script) into a temporary directory beside `dir`, then renames it to `dir`; an
// existing `dir` is replaced only once the new report is complete, and only when it is a report
// arithsim wrote (its .arithsim-output marker; io::check_output_dir, which throws
// io::OutputRefused otherwise). Throws std::runtime_error.
// Plots are skipped (and the report says so) when gnuplot is not installed. The old report is
// replaced under held SIGINT/SIGTERM/SIGHUP (renamed aside, the new one renamed in): never half.
// Not reentrant (one report at a time: the partial-report table below is global).
void write_report(const std::string& dir, const std::vector<PeEstimate>& r, const ReportInfo& info);

// For a signal handler (async-signal-safe: kill, waitpid, unlink, rmdir only): stops a running
// gnuplot and removes what write_report has created of the report being assembled, so an
// interrupted run leaves the previous report or none, never a partial one or a temporary
// directory. `arithsim run` calls it from its SIGINT/SIGTERM/SIGHUP handler.
void remove_partial_report();

// Whether gnuplot is on the PATH (the report's plots, and a sweep's, are drawn by it).
bool have_gnuplot();


}  // namespace arithsim::estimator
