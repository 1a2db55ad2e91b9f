// The estimator's speed (issue #6 targets): the default job (LLaMA-2-7B decode, six PEs,
// accuracy and activity included, a fresh Estimator each iteration: nothing cached) under
// 2 s on one core, and a LLaMA-2-70B prefill trace (S = 2048) on one PE under 5 s. Rates
// are jobs/s; the baseline is the trace generation alone (the floor of any estimate).
#include <benchmark/benchmark.h>

#include "bench/ratio_report.hpp"
#include "sim/estimator/default_job.hpp"
#include "sim/estimator/estimator.hpp"
#include "traces/generators.hpp"

namespace {

using namespace arithsim;

void BM_default_job_six_pes(benchmark::State& st) {
  for (auto _ : st) {
    estimator::Estimator est(estimator::default_config());
    auto r = est.estimate_all(estimator::default_trace());
    benchmark::DoNotOptimize(r);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_default_job_six_pes)->Unit(benchmark::kMillisecond)->MinTime(3.0);

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

void BM_trace_generation(benchmark::State& st) {
  for (auto _ : st) {
    auto t = estimator::default_trace();
    benchmark::DoNotOptimize(t);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_trace_generation);

}  // namespace

int main(int argc, char** argv) {
  // Targets as jobs/s: default job >= 0.5/s (< 2 s), 70B prefill on one PE >= 0.2/s (< 5 s).
  return arithsim::bench::run_with_report(argc, argv,
                                          {{"BM_default_job_six_pes/min_time:3.000", "BM_trace_generation", 0.5, 0},
                                           {"BM_llama2_70b_prefill_mixpe/min_time:3.000", "BM_trace_generation", 0.2, 0}});
}
