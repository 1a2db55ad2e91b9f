// Weight- and input-stationary arrays (models/cycle/stationary_array.hpp): every PE's result
// codes equal those of the output-stationary array (a different dataflow and schedule of the
// same datapath, itself co-simulated against rtl/pe_array.sv), int_mac's equal an integer
// GEMM computed here, and the simulated cycles equal the closed form for every shape class.
// The protocol's tile interval is tight: one edge less is a hazard the simulation reports.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include <arithsim/models/pe/pe.hpp>

namespace arithsim {
namespace {

using cycle::Dataflow;

struct Shape {
  const char* what;
  size_t m, n, kw_groups;  // K in weight groups of the PE (x words_per_group)
};

// R = 4, C = 3: full tiles, edge tiles, K shorter than the array, M = 1 and N = 1.
const Shape kShapes[] = {
    {"full tiles", 8, 6, 4}, {"edge tiles", 7, 5, 3}, {"K < rows", 9, 4, 1}, {"M = 1", 1, 7, 2}, {"N = 1", 5, 1, 2},
};

cycle::ArrayGemmProblem problem(const std::string& pe, const pe::Params& params, const Shape& s, uint64_t seed) {
  const auto cell = cycle::make_pe_cycle(pe, params);
  return cycle::random_array_problem(cell->ports(), s.m, s.n, s.kw_groups * cycle::words_per_group(pe, params), seed);
}

// Small weight groups keep the group PEs' K short.
pe::Params params_of(const std::string& pe, int stages) {
  // Built whole (not by p[key] = "..."): GCC 12 warns falsely (-Wrestrict) on the assignment.
  if (pe == "lut_tensor_core") return {{"stages", std::to_string(stages)}, {"group", "8"}, {"k", "2"}};
  if (pe == "mixpe") return {{"stages", std::to_string(stages)}, {"group", "8"}};
  return {{"stages", std::to_string(stages)}};
}

TEST(StationaryArray, EveryPeEqualsTheOutputStationaryArrayAndTheClosedForm) {
  const int R = 4, C = 3;
  for (const auto& pe : cycle::cycle_pes()) {
    for (int stages : {1, 2}) {
      const auto params = params_of(pe, stages);
      for (const auto& s : kShapes) {
        const auto p = problem(pe, params, s, 7 + s.m);
        const auto os = cycle::simulate_array_gemm(pe, params, R, C, Dataflow::OutputStationary, p);
        for (auto df : {Dataflow::WeightStationary, Dataflow::InputStationary}) {
          const auto r = cycle::simulate_array_gemm(pe, params, R, C, df, p);
          const std::string at = fmt::format("{} stages={} {} {}", pe, stages, s.what, cycle::dataflow_name(df));
          EXPECT_EQ(r.out, os.out) << at;
          EXPECT_EQ(r.cycles, cycle::array_gemm_cycles(R, C, df, stages, p.m, p.n, p.kw)) << at;
          EXPECT_GT(r.utilization, 0.0) << at;
          EXPECT_LE(r.utilization, 1.0) << at;
        }
      }
    }
  }
}

TEST(StationaryArray, IntMacEqualsAnIntegerGemm) {
  const int R = 8, C = 5;
  for (const auto& s : kShapes) {
    const auto p = problem("int_mac", {}, Shape{s.what, s.m * 3, s.n * 2, s.kw_groups * 5}, 99);
    std::vector<uint64_t> want(p.m * p.n);
    for (size_t i = 0; i < p.m; ++i)
      for (size_t j = 0; j < p.n; ++j) {
        int64_t sum = 0;
        for (size_t k = 0; k < p.kw; ++k)
          sum += int64_t(int8_t(uint8_t(p.a[i * p.kw + k]))) * int64_t(int8_t(uint8_t(p.w[k * p.n + j])));
        want[i * p.n + j] = uint64_t(sum) & 0xffffffffu;
      }
    for (auto df : {Dataflow::WeightStationary, Dataflow::InputStationary})
      EXPECT_EQ(cycle::simulate_array_gemm("int_mac", {}, R, C, df, p).out, want) << s.what << " " << cycle::dataflow_name(df);
  }
}

TEST(StationaryArray, TileIntervalIsTight) {
  // Streamed vectors fewer than 2R: the interval is 2R (the shadow reload waits for the swap
  // wave); one edge less overwrites a shadow before its swap. With S > 2R the interval is S:
  // one edge less and two tiles' vectors would enter a row in the same edge (the next tile's
  // swap finds no loaded shadow).
  const int R = 4, C = 3;
  for (const auto& [m, interval] : {std::pair<size_t, uint64_t>{3, 8}, {12, 12}}) {
    const auto p = problem("int_mac", {}, Shape{"", m, 6, 3}, 5);
    auto array = cycle::make_stationary_array("int_mac", {}, R, C, Dataflow::WeightStationary);
    EXPECT_EQ(array->run(p, {interval}).out, cycle::simulate_array_gemm("int_mac", {}, R, C, Dataflow::OutputStationary, p).out);
    EXPECT_THROW(array->run(p, {interval - 1}), std::logic_error) << "m=" << m;
  }
}

TEST(StationaryArray, DataflowNamesAndErrors) {
  EXPECT_EQ(cycle::parse_dataflow("ws"), Dataflow::WeightStationary);
  EXPECT_EQ(cycle::parse_dataflow("is"), Dataflow::InputStationary);
  EXPECT_STREQ(cycle::dataflow_name(Dataflow::InputStationary), "is");
  EXPECT_THROW(cycle::parse_dataflow("rs"), std::invalid_argument);
  EXPECT_THROW(cycle::make_pe_array("int_mac", {}, 4, 4, Dataflow::WeightStationary), pe::PeError);
  EXPECT_THROW(cycle::make_stationary_array("int_mac", {}, 4, 4, Dataflow::OutputStationary), pe::PeError);
  EXPECT_THROW(cycle::array_rtl_parameters("int_mac", {}, 4, 4, Dataflow::InputStationary), pe::PeError);
}

}  // namespace
}  // namespace arithsim
