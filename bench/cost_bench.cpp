// Component-library query throughput (queries/s) against a native baseline in the same run:
// the same int_adder numbers computed by hand-written inline C++ (the power-law interpolation
// between Horowitz's 8- and 32-bit points and the delay formula), with no library at all.
// Target (issue #5): the PE cost model needs >= 1 M PE evaluations/s on one core; a PE is a
// handful of component queries, so a primitive query should stay well above 10 M/s and a
// composite FP unit above 1 M/s (an FMA, calibrated through
// the FP multiplier and adder, 19 primitive evaluations: above 0.5 M/s). The PE model should
// resolve its component costs once per configuration: they depend only on widths and node;
// BM_pe_cost_evaluate measures exactly that (cost/pe_cost.hpp: pe_cost once, evaluate per call).
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "bench/ratio_report.hpp"
#include <arithsim/cost/component_library.hpp>
#include <arithsim/cost/pe_cost.hpp>

namespace {

using arithsim::cost::ComponentLibrary;

const ComponentLibrary& lib() {
  static const ComponentLibrary l = ComponentLibrary::builtin();
  return l;
}

std::vector<double> widths(int n) {
  std::vector<double> w;
  for (int i = 0; i < n; ++i) w.push_back(4 + (i * 7) % 29);  // 4..32, varied
  return w;
}

void BM_baseline_native_int_adder(benchmark::State& st) {
  const auto w = widths(64);
  const double area_factor = 0.3767, energy_factor = 0.5319;  // 28 nm
  size_t i = 0;
  for (auto _ : st) {
    const double x = w[i];
    const double t = std::log(x / 8) / std::log(32.0 / 8);
    const double area = (x <= 8 ? 36 * x / 8 : x >= 32 ? 137 * x / 32 : 36 * std::pow(137.0 / 36, t)) * area_factor;
    const double energy = (x <= 8 ? 0.03 * x / 8 : x >= 32 ? 0.1 * x / 32 : 0.03 * std::pow(0.1 / 0.03, t)) * energy_factor;
    const double delay = 20 * (2 + std::log2(x)) * 0.6924;
    benchmark::DoNotOptimize(area + energy + 0.02 * area + delay);
    i = (i + 1) & 63;
  }
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_baseline_native_int_adder);

// A resolved handle, one width per query (the PE cost model's inner loop).
void BM_query(benchmark::State& st, const char* name) {
  const auto h = lib().find(name);
  const auto& node = lib().technology().node(28);
  const size_t np = h.params().size();
  const auto w = widths(64 * int(np));
  size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(h.cost(std::span<const double>(w.data() + i * np, np), node));
    i = (i + 1) & 63;
  }
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK_CAPTURE(BM_query, int_adder, "int_adder");
BENCHMARK_CAPTURE(BM_query, int_multiplier, "int_multiplier");
BENCHMARK_CAPTURE(BM_query, barrel_shifter, "barrel_shifter");
BENCHMARK_CAPTURE(BM_query, sram, "sram");
BENCHMARK_CAPTURE(BM_query, fp_adder, "fp_adder");
BENCHMARK_CAPTURE(BM_query, fp_fma, "fp_fma");

// By name (string lookup on every query), as a one-off caller would.
void BM_query_by_name_int_adder(benchmark::State& st) {
  const auto& node = lib().technology().node(28);
  const auto w = widths(64);
  size_t i = 0;
  for (auto _ : st) {
    benchmark::DoNotOptimize(lib().component("int_adder", std::span<const double>(&w[i], 1), node));
    i = (i + 1) & 63;
  }
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_query_by_name_int_adder);

void BM_breakdown_fp_fma(benchmark::State& st) {
  const auto& node = lib().technology().node(28);
  const double w[] = {4, 3};
  for (auto _ : st) benchmark::DoNotOptimize(lib().breakdown("fp_fma", w, node));
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_breakdown_fp_fma);

// PE cost evaluations (issue #5 target: >= 1 M/s on one core): the analytical path. Each PE's
// parts are priced once per configuration (pe_cost), then every evaluation applies an
// activity and a frequency: energy per cycle and per MAC, leakage energy, power.
const std::vector<arithsim::cost::PeCost>& pe_costs() {
  static const auto v = [] {
    std::vector<arithsim::cost::PeCost> c;
    for (const auto& pe : arithsim::cost::costed_pes())
      c.push_back(arithsim::cost::pe_cost(lib(), pe, {}, lib().technology().node(28)));
    return c;
  }();
  return v;
}

void BM_pe_cost_evaluate(benchmark::State& st) {
  const auto& cs = pe_costs();
  size_t i = 0;
  for (auto _ : st) {
    const double a = 0.05 + 0.01 * double(i & 31), f = 0.5e9 + 1e7 * double(i & 63);
    benchmark::DoNotOptimize(arithsim::cost::evaluate(cs[i % cs.size()], {a, a * 0.7, "bench", a * 0.9, a * 0.8}, f));
    ++i;
  }
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_pe_cost_evaluate);

// With the per-stage breakdown (every part's activity-scaled energy, stage delays).
void BM_pe_cost_stage_breakdown(benchmark::State& st) {
  const auto& cs = pe_costs();
  size_t i = 0;
  for (auto _ : st) {
    const double a = 0.05 + 0.01 * double(i & 31);
    benchmark::DoNotOptimize(arithsim::cost::stage_breakdown(cs[i % cs.size()], {a, a * 0.7, "bench", a * 0.9, a * 0.8}));
    ++i;
  }
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_pe_cost_stage_breakdown);

// Pricing a configuration from scratch (component queries of every part): once per config.
void BM_pe_cost_configure(benchmark::State& st) {
  const auto pes = arithsim::cost::costed_pes();
  const auto& node = lib().technology().node(28);
  size_t i = 0;
  for (auto _ : st) benchmark::DoNotOptimize(arithsim::cost::pe_cost(lib(), pes[i++ % pes.size()], {}, node));
  st.SetItemsProcessed(int64_t(st.iterations()));
}
BENCHMARK(BM_pe_cost_configure);

}  // namespace

int main(int argc, char** argv) {
  using T = arithsim::bench::Target;
  const std::string base = "BM_baseline_native_int_adder";
  return arithsim::bench::run_with_report(
      argc, argv,
      {T{"BM_query/int_adder", base, 10e6}, T{"BM_query/int_multiplier", base, 10e6},
       T{"BM_query/barrel_shifter", base, 10e6}, T{"BM_query/sram", base, 10e6}, T{"BM_query/fp_adder", base, 1e6},
       T{"BM_query/fp_fma", base, 0.5e6}, T{"BM_query_by_name_int_adder", base}, T{"BM_breakdown_fp_fma", base},
       T{"BM_pe_cost_evaluate", base, 1e6}, T{"BM_pe_cost_stage_breakdown", base}, T{"BM_pe_cost_configure", base, 100e3}});
}
