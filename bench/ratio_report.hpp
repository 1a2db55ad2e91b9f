// Shared by the benchmark programs: collects items/s of every run and ends with a table of
// each benchmark's rate, its baseline from the same process, the ratio, and the verdict
// against its target. `--markdown FILE` also writes the table for docs/benchmarks.md.
#pragma once

#include <benchmark/benchmark.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace arithsim::bench {

struct Target {
  std::string bench, baseline;
  double min_rate = 0;   // items/s; 0 = no absolute target
  double min_ratio = 0;  // rate / baseline; 0 = no ratio target
};

class Collector : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> rate;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      const auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) rate[r.benchmark_name()] = it->second;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

// `rates`: when given, receives every benchmark's items/s (for tables a program derives).
inline int run_with_report(int argc, char** argv, const std::vector<Target>& targets,
                           std::map<std::string, double>* rates = nullptr) {
  std::string md;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--markdown" && i + 1 < argc) md = argv[++i];
    else args.push_back(argv[i]);
  }
  int n = int(args.size());
  benchmark::Initialize(&n, args.data());
  Collector rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  std::string table = "| benchmark | items/s | baseline | baseline items/s | ratio | target | verdict |\n"
                      "|---|---:|---|---:|---:|---:|---|\n";
  bool all = true;
  for (const auto& t : targets) {
    if (!rep.rate.count(t.bench) || !rep.rate.count(t.baseline)) continue;
    const double r = rep.rate[t.bench], b = rep.rate[t.baseline];
    const bool ok = r >= t.min_rate && r / b >= t.min_ratio;
    const std::string target = t.min_ratio > 0 ? fmt::format("ratio >= {:.2f}", t.min_ratio)
                               : t.min_rate > 0 ? fmt::format(">= {:.4g}/s", t.min_rate)
                                                : "none";
    all = all && ok;
    table += fmt::format("| {} | {:.4g} | {} | {:.4g} | {:.3g} | {} | {} |\n", t.bench, r, t.baseline, b, r / b,
                         target, target == "none" ? "-" : ok ? "met" : "MISSED");
  }
  fmt::print("\n{}\n{}\n", table, all ? "All targets met." : "Some targets MISSED (see docs/benchmarks.md for why).");
  if (!md.empty()) std::ofstream(md) << table;
  if (rates) *rates = rep.rate;
  benchmark::Shutdown();
  return 0;
}

}  // namespace arithsim::bench
