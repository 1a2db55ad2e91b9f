// The estimator's speed (issue #6 targets): the default job (LLaMA-2-7B decode, six PEs,
// accuracy and activity included, a fresh Estimator each iteration: nothing cached) under
// 2 s on one core, and a LLaMA-2-70B prefill trace (S = 2048) on one PE under 5 s, both with
// the mapper's search for every GEMM op; the mapper itself (issue #11): nests evaluated per
// second by its search, >= 1 M/s on one core. Rates are jobs/s (nests/s for the mapper); the
// baseline is the trace generation alone (the floor of any estimate).
#include <benchmark/benchmark.h>

#include <arithsim/models/threads/parallel_for.hpp>
#include "bench/ratio_report.hpp"
#include "sim/estimator/default_job.hpp"
#include "sim/estimator/estimator.hpp"
#include "sim/mapper/mapper.hpp"
#include "traces/generators.hpp"
#include "traces/trace.hpp"

namespace {

using namespace arithsim;

// range(0): threads for the sampled measurements (0: every core, as `arithsim run`).
void BM_default_job_six_pes(benchmark::State& st) {
  const size_t threads = st.range(0) ? size_t(st.range(0)) : arithsim::threads::default_threads();
  for (auto _ : st) {
    estimator::Estimator est(estimator::default_config());
    est.set_threads(threads);
    auto r = est.estimate_all(estimator::default_trace());
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_default_job_six_pes)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_default_job_six_pes)->Name("BM_default_job_six_pes_all_threads")->Arg(0)->Unit(benchmark::kMillisecond)->MinTime(3.0);

traces::Trace prefill70b() {
  traces::GenOptions o;
  o.phase = "prefill";
  o.seq = 2048;
  o.w = "int4";
  o.a = "int8";
  o.group = 128;
  return traces::generate("llama2-70b", o);
}

void BM_llama2_70b_prefill_mixpe(benchmark::State& st) {
  const auto t = prefill70b();
  for (auto _ : st) {
    auto c = estimator::default_config();
    estimator::Estimator est(c);
    auto r = est.estimate(t, c.pes[2]);  // mixpe
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_llama2_70b_prefill_mixpe)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// The mapper's search on LLaMA-2-70B's FFN up-projection at S = 2048 (2048 x 28672 x 8192,
// W4A8 g128) on the default array and buffers: items are the nests that fit and were scored.
void BM_mapper_search_nests(benchmark::State& st) {
  const mapper::Problem p{2048, 28672, 8192, 1, 8, 4.125, 16, 32, 1, 1, 128};
  mapper::Hardware h;
  h.dram_pj_per_byte = 160, h.a_pj_per_byte = 2, h.w_pj_per_byte = 3, h.o_pj_per_byte = 1.5, h.leakage_w = 0.05;
  uint64_t nests = 0;
  for (auto _ : st) {
    auto c = mapper::search(p, h, mapper::Objective::Latency);
    nests += c.candidates;
    benchmark::DoNotOptimize(c);
  }
  st.SetItemsProcessed(int64_t(nests));
}
BENCHMARK(BM_mapper_search_nests)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_trace_generation(benchmark::State& st) {
  for (auto _ : st) {
    auto t = estimator::default_trace();
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_trace_generation);

// Reading a 10,000-op trace whose ops all name bf16 (a format whose codec builds a 65,536-entry
// table): parsing must cost per op, not per op x table (issue #16: it took 15 s when every op
// rebuilt the table). Target: >= 2 parses/s (< 0.5 s); baseline: the trace's YAML text copied.
std::string bf16_trace_text() {
  std::string t = "version: 1\nmodel: big\nphase: forward\nops:\n";
  for (int i = 0; i < 10000; ++i)
    t += "  - {name: op" + std::to_string(i) +
         ", kind: gemm, m: 4, n: 64, k: 64, weight_format: bf16, activation_format: bf16, output_format: bf16}\n";
  return t;
}

void BM_parse_trace_10k_bf16_ops(benchmark::State& st) {
  const std::string text = bf16_trace_text();
  for (auto _ : st) {
    auto t = traces::parse_trace(text, "big.yaml");
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_parse_trace_10k_bf16_ops)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_copy_trace_text(benchmark::State& st) {
  const std::string text = bf16_trace_text();
  for (auto _ : st) {
    std::string c = text;
    benchmark::DoNotOptimize(c);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_copy_trace_text);

}  // namespace

int main(int argc, char** argv) {
  // Targets as jobs/s: default job >= 0.5/s (< 2 s), 70B prefill on one PE >= 0.2/s (< 5 s);
  // the mapper's search >= 1e6 nests/s.
  return arithsim::bench::run_with_report(argc, argv,
                                          {{"BM_default_job_six_pes/1/min_time:3.000", "BM_trace_generation", 0.5, 0},
                                           {"BM_default_job_six_pes_all_threads/0/min_time:3.000",
                                            "BM_default_job_six_pes/1/min_time:3.000", 0.5, 0},
                                           {"BM_llama2_70b_prefill_mixpe/min_time:3.000", "BM_trace_generation", 0.2, 0},
                                           {"BM_mapper_search_nests/min_time:2.000", "BM_trace_generation", 1e6, 0},
                                           {"BM_parse_trace_10k_bf16_ops/min_time:2.000", "BM_copy_trace_text", 2.0, 0}});
}
