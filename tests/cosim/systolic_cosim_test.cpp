// A 4x4 output-stationary systolic array running a tiled integer GEMM: the Verilated RTL and
// the cycle-level model compared on every output every cycle, every result checked against
// the int_mac datapath (INT8 x INT8 -> INT32 wrap), and the exact cycle count checked against
// the closed form tiles*K + R + C - 2.
#include <gtest/gtest.h>

#include <deque>
#include <random>

#include <verilated.h>

#include "Vsystolic_os.h"
#include "models/cycle/systolic_os.hpp"
#include "models/units/accumulator.hpp"

namespace arithsim {
namespace {

constexpr int R = 4, C = 4;

TEST(SystolicCosim, TiledGemmEveryCycleAndExactCycleCount) {
  std::mt19937_64 g(5);
  const int M = 12, N = 8, K = 37;
  std::vector<int64_t> A(M * K), B(K * N);
  const int64_t corners[] = {-128, 127, 0, -1};
  for (auto& x : A) x = g() % 6 == 0 ? corners[g() % 4] : int64_t(int8_t(g()));
  for (auto& x : B) x = g() % 6 == 0 ? corners[g() % 4] : int64_t(int8_t(g()));

  VerilatedContext ctx;
  Vsystolic_os rtl(&ctx);
  cycle::SystolicOs model(cycle::SystolicParams{R, C, 8, 8, 32});
  cycle::SystolicOs::Inputs in;
  in.in_a.assign(R, 0);
  in.in_b.assign(C, 0);

  std::vector<std::pair<int, int>> tiles;
  for (int ti = 0; ti < M / R; ++ti)
    for (int tj = 0; tj < N / C; ++tj) tiles.emplace_back(ti, tj);
  std::vector<std::deque<int64_t>> results(R * C);  // per PE, in tile order
  int64_t edges = 0, last_result_edge = -1;
  const int64_t total_inputs = int64_t(tiles.size()) * K;

  auto clock = [&](bool rst_n) {
    in.rst_n = rst_n;
    uint32_t pa = 0, pb = 0;
    for (int i = 0; i < R; ++i) pa |= uint32_t(uint8_t(in.in_a[size_t(i)])) << (8 * i);
    for (int j = 0; j < C; ++j) pb |= uint32_t(uint8_t(in.in_b[size_t(j)])) << (8 * j);
    rtl.rst_n = rst_n;
    rtl.in_valid = in.in_valid;
    rtl.in_first = in.in_first;
    rtl.in_last = in.in_last;
    rtl.in_a = pa;
    rtl.in_b = pb;
    rtl.clk = 0;
    rtl.eval();
    rtl.clk = 1;
    rtl.eval();
    model.tick(in);
    // Compare every output after the edge.
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) {
        const int p = i * C + j;
        const bool rv = (rtl.out_valid >> p) & 1;
        ASSERT_EQ(rv, model.out_valid(i, j)) << "edge " << edges << " out_valid[" << i << "][" << j << "]";
        const int64_t rc = int64_t(int32_t(rtl.out_c[p]));
        ASSERT_EQ(rc, model.out_c(i, j)) << "edge " << edges << " out_c[" << i << "][" << j << "]";
        if (rst_n && rv) {
          results[size_t(p)].push_back(rc);
          last_result_edge = edges;
        }
      }
    ++edges;
  };
  clock(false);
  clock(false);
  edges = 0;
  for (int64_t t = 0; t < total_inputs + R + C + 4; ++t) {
    in.in_valid = t < total_inputs;
    const int k = int(t % K);
    in.in_first = in.in_valid && k == 0;
    in.in_last = in.in_valid && k == K - 1;
    if (in.in_valid) {
      const auto [ti, tj] = tiles[size_t(t / K)];
      for (int i = 0; i < R; ++i) in.in_a[size_t(i)] = A[size_t((ti * R + i) * K + k)];
      for (int j = 0; j < C; ++j) in.in_b[size_t(j)] = B[size_t(k * N + tj * C + j)];
    }
    clock(true);
  }
  // Every result equals the INT8 x INT8 -> INT32 (wrap) datapath of the int_mac PE.
  for (size_t t = 0; t < tiles.size(); ++t)
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) {
        units::IntAccumulator acc(32, false);
        const auto [ti, tj] = tiles[t];
        for (int k = 0; k < K; ++k) acc.add(A[size_t((ti * R + i) * K + k)] * B[size_t(k * N + tj * C + j)]);
        ASSERT_FALSE(results[size_t(i * C + j)].empty());
        EXPECT_EQ(results[size_t(i * C + j)].front(), acc.value()) << "tile " << t << " PE " << i << "," << j;
        results[size_t(i * C + j)].pop_front();
      }
  // Exact cycle count: the last result appears tiles*K + R + C - 2 edges after the first input.
  EXPECT_EQ(last_result_edge + 1, int64_t(tiles.size()) * K + R + C - 2);
  rtl.final();
}

TEST(SystolicCosim, ParametersAreValidated) {
  EXPECT_THROW(cycle::SystolicOs(cycle::SystolicParams{0, 4, 8, 8, 32}), std::invalid_argument);
  EXPECT_THROW(cycle::SystolicOs(cycle::SystolicParams{4, 4, 8, 8, 12}), std::invalid_argument);
}

}  // namespace
}  // namespace arithsim
