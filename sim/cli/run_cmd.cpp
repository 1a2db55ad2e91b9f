// arithsim run: the main job (issue #6). With no arguments: the embedded default — one
// LLaMA-2-7B decode step, W4A8 g128, 32x32 arrays at 28 nm, 1 GHz, across six PEs; with
// --trace / --config: the user's workload and accelerator. Prints the comparison table and
// writes the report directory atomically. docs/estimator.md.
#include <charconv>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/output_paths.hpp>
#include <arithsim/models/threads/parallel_for.hpp>
#include "sim/cli/common.hpp"
#include "sim/estimator/default_job.hpp"
#include "sim/estimator/estimator.hpp"
#include "sim/synth/synth_cost.hpp"
#include "sim/estimator/report.hpp"
#include "traces/trace.hpp"

namespace arithsim::cli {
namespace {

struct RunArgs {
  std::string trace, config, out = "arithsim-out", progress = "auto", clock, objective, cost, ppa_db;
  std::vector<std::string> pes;
  bool latex = false, json = false, no_report = false;
  size_t threads = threads::default_threads();
};

// Interrupted: remove the report being written, if any, and exit (async-signal-safe).
extern "C" void on_interrupt(int sig) {
  estimator::remove_partial_report();
  _exit(128 + sig);
}

void run(const RunArgs& a) {
  ProgressBar bar(a.progress);  // checks the mode before any work
  traces::Trace trace;
  std::string trace_label, base_dir = ".";
  if (a.trace.empty()) {
    trace = estimator::default_trace();
    trace_label = "llama2-7b decode, batch 1, KV 1024, W4A8 (int4 g128 weights, int8 activations) — embedded default";
  } else {
    try {
      trace = traces::load_trace(a.trace);
    } catch (const traces::TraceError& e) {
      throw RuntimeError(e.what(), "");
    }
    trace_label = fmt::format("{} ({} {})", a.trace, trace.model, trace.phase);
    base_dir = std::filesystem::path(a.trace).parent_path().string();
    if (base_dir.empty()) base_dir = ".";
  }
  estimator::AcceleratorConfig config;
  std::string config_label;
  if (a.config.empty()) {
    config = estimator::default_config();
    config_label = config.name;
  } else {
    try {
      config = estimator::load_config(a.config);
    } catch (const estimator::ConfigError& e) {
      throw RuntimeError(e.what(), "");
    }
    config_label = fmt::format("{} ({})", a.config, config.name);
    if (config.pes.empty()) config.pes = estimator::default_config().pes;
  }
  if (!a.clock.empty()) {  // --clock overrides the config's clock_ghz
    double ghz = 0;
    if (a.clock == "auto") {
      config.clock_hz = 0;
    } else {
      const auto r = std::from_chars(a.clock.data(), a.clock.data() + a.clock.size(), ghz);
      if (r.ec != std::errc() || r.ptr != a.clock.data() + a.clock.size() || !(ghz >= 1e-3 && ghz <= 100))
        throw UsageError(fmt::format("--clock: expected 'auto' or a clock in GHz in [0.001, 100], got '{}'", a.clock), "");
      config.clock_hz = ghz * 1e9;
    }
  }
  if (!a.objective.empty()) {  // --objective overrides the config's mapping (searched, by this objective)
    try {
      config.objective = mapper::parse_objective(a.objective);
    } catch (const std::invalid_argument&) {
      throw UsageError(fmt::format("--objective: expected latency, energy or edp, got '{}'", a.objective), "");
    }
    config.fixed_mapping = false;
  }
  if (!a.cost.empty()) {  // --cost overrides the config's cost
    try {
      synth::resolve_cost_source(a.cost, config.node);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what(), "--cost");
    }
    config.cost = a.cost;
    try {
      estimator::validate(config);
    } catch (const estimator::ConfigError& e) {
      throw UsageError(e.what(), "--cost");
    }
  }
  if (!a.pes.empty()) {
    std::vector<estimator::PeChoice> chosen;
    const auto defaults = estimator::default_config().pes;
    for (const auto& name : a.pes) {
      const estimator::PeChoice* found = nullptr;
      for (const auto& p : config.pes)
        if (p.label == name || p.name == name) found = &p;
      if (!found)
        for (const auto& p : defaults)
          if (p.name == name) found = &p;
      if (!found) {
        std::string known;
        for (const auto& p : defaults) known += (known.empty() ? "" : ", ") + p.name;
        throw UsageError(fmt::format("--pe: unknown PE '{}' (known: {}, or a label of the config)", name, known), "");
      }
      chosen.push_back(*found);
    }
    config.pes = chosen;
  }
  // The report may replace only a report arithsim wrote, never the inputs' directory: refused
  // before any work.
  if (!a.no_report) {
    std::vector<std::string> inputs{a.trace, a.config};
    for (const auto& op : trace.ops)
      for (const auto* st : {&op.weight_stats, &op.activation_stats})
        if (*st && !(*st)->npy.empty()) inputs.push_back((std::filesystem::path(base_dir) / (*st)->npy).string());
    io::check_output_dir(a.out, "--out", inputs);
  }
  std::vector<estimator::PeEstimate> results;
  try {
    estimator::Estimator est(config);
    est.set_threads(a.threads);
    if (!a.ppa_db.empty()) est.set_ppa_database(a.ppa_db);
    results = est.estimate_all(trace, [&](double f) { bar(f); }, base_dir);
  } catch (const estimator::ConfigError& e) {
    throw RuntimeError(e.what(), a.config.empty() ? "" : a.config);
  } catch (const std::runtime_error& e) {  // a synthesis (cost: synth:LIB) or its database failed
    throw RuntimeError(e.what(), "--cost");
  }
  const estimator::ReportInfo info{trace_label, config_label, a.latex};
  if (a.json) {
    fmt::print("{}", estimator::results_json(results, info));
  } else {
    fmt::print("{}\n{}", trace_label, estimator::comparison_table(results));
    if (a.latex) fmt::print("\n{}", estimator::latex_table(results, info));
  }
  if (!a.no_report) {
    try {
      estimator::write_report(a.out, results, info);
    } catch (const std::exception& e) {
      throw RuntimeError(e.what(), "");
    }
    if (!a.json) fmt::print("\nreport: {}/ (report.md, results.csv, results.json, plots/)\n", a.out);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto* r = app.add_subcommand("run", "the main job: estimate cycles, energy, area and accuracy of a workload on PE arrays "
                                      "(no arguments: LLaMA-2-7B decode, W4A8, six PEs)");
  auto a = std::make_shared<RunArgs>();
  r->add_option("--trace", a->trace, "workload trace (YAML/JSON, docs/traces.md); default: the embedded LLaMA-2-7B decode step");
  r->add_option("--config", a->config, "accelerator config (YAML/JSON, docs/estimator.md); default: the embedded one");
  r->add_option("--out", a->out,
                 "report directory (created, or replaced atomically when it is a report arithsim wrote)")
      ->capture_default_str();
  r->add_option("--clock", a->clock,
                 "array clock: 'auto' (each PE's modelled fmax at the node) or GHz, at most the fmax (default: the "
                 "config's clock_ghz, auto)");
  r->add_option("--objective", a->objective,
                 "what the mapper minimizes per GEMM op: latency, energy or edp (default: the config's mapping, latency; "
                 "overrides a fixed mapping)");
  r->add_option("--cost", a->cost,
                "where PE area, energy and clock come from: analytical (the cost model), fitted:sky130|asap7 (the model fitted to "
                "synthesis on that library) or synth:LIB (the PE's RTL "
                "synthesized onto sky130, asap7 or FILE.lib[,FILE.lib]: yosys + OpenSTA, once, kept in the PPA database); "
                "default: the config's cost");
  r->add_option("--ppa-db", a->ppa_db,
                "the PPA database of synthesized PEs (default: $ARITHSIM_PPA_DB, else ~/.cache/arithsim/ppa.json)");
  r->add_option("--pe", a->pes, "PEs to estimate (repeatable; a name or a config label; default: the config's)");
  r->add_flag("--latex", a->latex, "also print the LaTeX table and write table.tex");
  r->add_flag("--json", a->json, "print results.json to stdout instead of the table");
  r->add_flag("--no-report", a->no_report, "print only; write no report directory");
  add_integer<size_t>(*r, "--threads", a->threads,
                      "threads for the sampled activity and accuracy measurements (default: every core; the results do not depend on it)",
                      1, threads::kMaxThreads);
  r->add_option("--progress", a->progress,
                "progress bar on stderr: auto (on a terminal, after 1 s) | always (from the start) | never")
      ->capture_default_str();
  r->callback([a] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_interrupt);
    run(*a);
  });
}

}  // namespace arithsim::cli
