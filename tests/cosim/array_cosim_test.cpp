// Arrays of PEs: (1) rtl/pe_array.sv (Verilated) against the cycle-level array on tiled GEMMs
// (4x4, output-stationary and dot-product tile, with feeder stalls), every PE's outputs after
// every edge, results against the int_mac datapath, exact cycle counts against the closed
// form; (2) the cycle-level array (input history indexed per PE) against an explicit
// composition of every PE's StreamingPe cells with skew and hop registers, for every PE.
#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "Vpe_array_dot.h"
#include "Vpe_array_fp8_os.h"
#include "Vpe_array_lut_dot.h"
#include "Vpe_array_mixpe_os.h"
#include "Vpe_array_mixpe_w2_os.h"
#include "Vpe_array_os.h"
#include "Vpe_array_os_32.h"
#include "Vpe_array_rmmec_dot.h"
#include "Vpe_array_rmmec_p16_dot.h"
#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include "sim/cosim/array_cosim.hpp"

namespace arithsim {
namespace {

cycle::ArrayGemmProblem int8_problem(size_t m, size_t n, size_t k, uint64_t seed) {
  std::mt19937_64 g(seed);
  const uint64_t corners[] = {0x80, 0x7f, 0, 0xff, 1};
  cycle::ArrayGemmProblem p{m, n, k, {}, {}, {}, {}};
  p.a.resize(m * k);
  p.w.resize(k * n);
  for (auto& x : p.a) x = g() % 6 == 0 ? corners[g() % 5] : g() & 0xff;
  for (auto& x : p.w) x = g() % 6 == 0 ? corners[g() % 5] : g() & 0xff;
  return p;
}

template <class V>
void gemm_cosim(cycle::Dataflow df, int stages, unsigned bubbles, int R = 4, int C = 4, size_t m = 10, size_t n = 7,
                size_t k = 37) {
  const pe::Params params = {{"stages", std::to_string(stages)}};
  const auto model = cycle::make_pe_array("int_mac", params, R, C, df);
  cosim::RtlArray<V> rtl(R, C, df, stages, model->ports());
  cosim::Lockstep both(*model, rtl);
  const auto p = int8_problem(m, n, k, 5 + stages);  // 4x4: edge tiles 10 = 4+4+2, 7 = 4+3
  const auto r = cycle::run_array_gemm(both, p, {bubbles});
  ASSERT_EQ(both.mismatch(), "") << cycle::dataflow_name(df);
  const uint64_t tiles = ((m + size_t(R) - 1) / size_t(R)) * ((n + size_t(C) - 1) / size_t(C));
  EXPECT_GE(both.edges(), tiles * k);  // every edge of every tile compared
  // every result equals the int_mac datapath (INT8 x INT8 -> INT32 wrap)
  for (size_t i = 0; i < p.m; ++i)
    for (size_t j = 0; j < p.n; ++j) {
      units::IntAccumulator acc(32, false);
      for (size_t k = 0; k < p.kw; ++k) acc.add(cycle::sext(p.a[i * p.kw + k], 8) * cycle::sext(p.w[k * p.n + j], 8));
      ASSERT_EQ(r.out[i * p.n + j], uint64_t(uint32_t(acc.value()))) << "C[" << i << "][" << j << "]";
    }
  // exact cycle count: tiles * K + stalls + latency - 1
  EXPECT_EQ(r.tiles, tiles);
  if (bubbles) {
    EXPECT_GT(r.stall_edges, 0u);
  }
  EXPECT_EQ(r.cycles, cycle::array_gemm_cycles(R, C, df, stages, p.m, p.n, p.kw, r.stall_edges));
  EXPECT_EQ(r.cycles, r.tiles * p.kw + r.stall_edges + uint64_t(model->latency()) - 1);
  EXPECT_NEAR(r.utilization, double(p.m * p.n * p.kw) / (double(R * C) * double(r.cycles)), 1e-12);
}

TEST(ArrayCosim, OutputStationary4x4GemmEveryEdge) {
  gemm_cosim<Vpe_array_os>(cycle::Dataflow::OutputStationary, 1, 0);
  gemm_cosim<Vpe_array_os>(cycle::Dataflow::OutputStationary, 1, 5);
}

// The estimator's default array: 32x32 int_mac, output-stationary, edge tiles in both dims
// (70 = 32+32+6, 45 = 32+13), with feeder stalls.
TEST(ArrayCosim, OutputStationary32x32GemmEveryEdge) {
  gemm_cosim<Vpe_array_os_32>(cycle::Dataflow::OutputStationary, 1, 0, 32, 32, 70, 45, 40);
  gemm_cosim<Vpe_array_os_32>(cycle::Dataflow::OutputStationary, 1, 7, 32, 32, 70, 45, 40);
}

TEST(ArrayCosim, DotProductTile4x4GemmEveryEdge) {
  gemm_cosim<Vpe_array_dot>(cycle::Dataflow::DotTile, 2, 0);
  gemm_cosim<Vpe_array_dot>(cycle::Dataflow::DotTile, 2, 3);
}

// Arrays of other PEs on random operand codes: the RTL array equals the cycle-level array
// every edge, with the exact cycle count.
template <class V>
void any_pe_gemm_cosim(const std::string& pe, cycle::Dataflow df, pe::Params params = {}) {
  constexpr int R = 4, C = 4;
  params["stages"] = "2";
  const auto model = cycle::make_pe_array(pe, params, R, C, df);
  cosim::RtlArray<V> rtl(R, C, df, 2, model->ports());
  cosim::Lockstep both(*model, rtl);
  const size_t group = cycle::words_per_group(pe, params);
  const auto p = cycle::random_array_problem(model->ports(), 9, 6, group > 1 ? 2 * group : 29, 17);
  const auto r = cycle::run_array_gemm(both, p, {6});
  ASSERT_EQ(both.mismatch(), "") << pe;
  EXPECT_EQ(r.cycles, cycle::array_gemm_cycles(R, C, df, 2, p.m, p.n, p.kw, r.stall_edges));
  size_t nonzero = 0;
  for (auto v : r.out) nonzero += v != 0;
  EXPECT_GT(nonzero, r.out.size() / 2) << pe;  // real results, not an idle array
}

TEST(ArrayCosim, Fp8MacOutputStationary4x4) { any_pe_gemm_cosim<Vpe_array_fp8_os>("fp8_mac", cycle::Dataflow::OutputStationary); }
TEST(ArrayCosim, MixPeOutputStationary4x4) { any_pe_gemm_cosim<Vpe_array_mixpe_os>("mixpe", cycle::Dataflow::OutputStationary); }
TEST(ArrayCosim, LutTensorCoreDotProductTile4x4) {
  any_pe_gemm_cosim<Vpe_array_lut_dot>("lut_tensor_core", cycle::Dataflow::DotTile);
}
TEST(ArrayCosim, RmmecDotProductTile4x4) { any_pe_gemm_cosim<Vpe_array_rmmec_dot>("rmmec", cycle::Dataflow::DotTile); }

// Non-default PE configurations: the cells take the PE's parameters. The Verilated arrays were
// built from hand-written ARGS (tests/CMakeLists.txt); array_rtl_parameters must give the same.
const pe::Params kMixW2 = {{"w", "int2"}, {"group", "32"}, {"acc", "fp16"}, {"stages", "2"}};
const pe::Params kRmmecP16 = {{"mode", "posit16_1"}, {"out", "posit8_0"}, {"stages", "2"}};

TEST(ArrayCosim, NonDefaultConfigurationsMatchTheirRtlParameters) {
  using M = std::map<std::string, std::string>;
  const M mix = {{"PE", "\"mixpe\""}, {"R", "4"}, {"C", "4"}, {"DATAFLOW", "0"}, {"A_BITS", "8"}, {"W_BITS", "2"},
                 {"ZERO_BITS", "2"}, {"OUT_BITS", "16"}, {"STAGES", "2"}, {"MIX_W_BITS", "2"}, {"MIX_GROUP", "32"},
                 {"MIX_ACC_E", "5"}, {"MIX_ACC_M", "10"}};
  const M rm = {{"PE", "\"rmmec\""}, {"R", "4"}, {"C", "4"}, {"DATAFLOW", "1"}, {"A_BITS", "16"}, {"W_BITS", "16"},
                {"ZERO_BITS", "1"}, {"OUT_BITS", "8"}, {"STAGES", "2"}, {"RM_MODE", "3"}, {"RM_LANES", "1"}, {"RM_OUT_POSIT", "1"},
                {"RM_OUT_N", "8"}, {"RM_OUT_ES", "0"}};
  // every parameter given to Verilator matches; the others are pe_array's defaults
  auto check = [](const M& built, const M& got, const M& defaults) {
    for (const auto& [k, v] : got) {
      const auto b = built.find(k);
      EXPECT_EQ(b != built.end() ? b->second : defaults.at(k), v) << k;
    }
  };
  const M mix_defaults = {{"ZERO_BITS", "8"},   {"MIX_A_BITS", "8"}, {"MIX_A_FP16", "0"}, {"MIX_ZERO_POINT", "1"}};
  const M rm_defaults = {{"RM_ACC_FP32", "0"}};
  check(mix, cycle::array_rtl_parameters("mixpe", kMixW2, 4, 4, cycle::Dataflow::OutputStationary), mix_defaults);
  check(rm, cycle::array_rtl_parameters("rmmec", kRmmecP16, 4, 4, cycle::Dataflow::DotTile), rm_defaults);
}

TEST(ArrayCosim, MixPeW2Fp16AccOutputStationary4x4) {
  any_pe_gemm_cosim<Vpe_array_mixpe_w2_os>("mixpe", cycle::Dataflow::OutputStationary, kMixW2);
}
TEST(ArrayCosim, RmmecPosit16ToPosit8DotProductTile4x4) {
  any_pe_gemm_cosim<Vpe_array_rmmec_p16_dot>("rmmec", cycle::Dataflow::DotTile, kRmmecP16);
}

// An independent composition: R x C StreamingPe cells, explicit skew and hop registers.
class CellArray final : public cycle::PeArrayModel {
 public:
  CellArray(const cycle::PeCycleModel& proto, int rows, int cols, cycle::Dataflow df)
      : R_(rows), C_(cols), df_(df), S_(proto.stages()), ports_(proto.ports()) {
    for (int i = 0; i < R_ * C_; ++i) cells_.push_back(proto.clone());
  }
  int rows() const override { return R_; }
  int cols() const override { return C_; }
  cycle::Dataflow dataflow() const override { return df_; }
  int stages() const override { return S_; }
  const cycle::PePorts& ports() const override { return ports_; }
  void tick(const cycle::ArrayIn& in) override {
    // the input of PE (i,j) is the array input of i + j edges ago (os) or of this edge (dot)
    history_.push_front(in);
    if (history_.size() > size_t(R_ + C_)) history_.pop_back();
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < C_; ++j) {
        const size_t d = df_ == cycle::Dataflow::OutputStationary ? size_t(i + j) : 0;
        cycle::PeIn pin;
        pin.rst_n = in.rst_n;
        pin.out_ready = true;
        if (d < history_.size() && in.rst_n) {
          const auto& h = history_[d];
          pin.in_valid = h.rst_n && h.in_valid;
          pin.in_first = h.in_first;
          pin.in_last = h.in_last;
          pin.in_a = h.a[size_t(i)];
          pin.in_w = h.w[size_t(j)];
          if (!h.scale.empty()) pin.in_scale = h.scale[size_t(j)];
          if (!h.zero.empty()) pin.in_zero = h.zero[size_t(j)];
        }
        cells_[size_t(i * C_ + j)]->tick(pin);
      }
    if (!in.rst_n) history_.clear();
  }
  bool out_valid(int i, int j) const override { return cells_[size_t(i * C_ + j)]->outputs(true).out_valid; }
  uint64_t out_acc(int i, int j) const override { return cells_[size_t(i * C_ + j)]->outputs(true).out_acc; }

 private:
  int R_, C_;
  cycle::Dataflow df_;
  int S_;
  cycle::PePorts ports_;
  std::vector<std::unique_ptr<cycle::PeCycleModel>> cells_;
  std::deque<cycle::ArrayIn> history_;
};

TEST(ArrayModel, EqualsExplicitCompositionOfPeCellsForEveryPe) {
  for (const auto& pe : cycle::cycle_pes()) {
    for (auto df : {cycle::Dataflow::OutputStationary, cycle::Dataflow::DotTile}) {
      const pe::Params params = {{"stages", "2"}};
      const auto arr = cycle::make_pe_array(pe, params, 3, 5, df);
      const auto cell = cycle::make_pe_cycle(pe, params);
      CellArray cells(*cell, 3, 5, df);
      cosim::Lockstep both(*arr, cells);
      const auto& ports = arr->ports();
      std::mt19937_64 g(11);
      const size_t kw = 2 * cycle::words_per_group(pe, params);
      cycle::ArrayGemmProblem p{7, 11, kw, {}, {}, {}, {}};
      for (size_t i = 0; i < p.m * kw; ++i) p.a.push_back(g() & cycle::mask(ports.a_bits));
      for (size_t i = 0; i < kw * p.n; ++i) p.w.push_back(g() & cycle::mask(ports.w_bits));
      if (ports.scale_bits) {
        for (size_t k = 0; k < kw; ++k)
          for (size_t j = 0; j < p.n; ++j) {
            p.scale.push_back(0x3c00 + (j % 7) * 0x0400);  // FP16 1.0, 2.0, ...: constant per group
            p.zero.push_back(j % 5);
          }
      }
      const auto r = cycle::run_array_gemm(both, p, {4});
      EXPECT_EQ(both.mismatch(), "") << pe << " " << cycle::dataflow_name(df);
      EXPECT_EQ(r.cycles, cycle::array_gemm_cycles(3, 5, df, 2, p.m, p.n, kw, r.stall_edges)) << pe;
    }
  }
}

TEST(ArrayModel, ShapesAndDataflowsAreValidated) {
  EXPECT_THROW(cycle::make_pe_array("int_mac", {}, 0, 4, cycle::Dataflow::OutputStationary), pe::PeError);
  EXPECT_THROW(cycle::make_pe_array("int_mac", {{"stages", "0"}}, 4, 4, cycle::Dataflow::DotTile), pe::PeError);
  EXPECT_THROW(cycle::parse_dataflow("rs"), std::invalid_argument);
  EXPECT_THROW(cycle::make_pe_array("no_such_pe", {}, 4, 4, cycle::Dataflow::DotTile), pe::PeError);
}

}  // namespace
}  // namespace arithsim
