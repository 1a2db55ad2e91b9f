// rtl/pe_array.sv at 64x64 (int_mac, output-stationary), Verilated and run in
// lockstep with the cycle-level array on a tiled GEMM with edge tiles and
// feeder stalls: every PE's outputs after every edge, and the exact cycle
// count.
#include <gtest/gtest.h>
#include <pthread.h>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include <functional>
#include <random>

#include "Vpe_array_os_64.h"
#include "sim/cosim/array_cosim.hpp"

namespace arithsim {
namespace {

// Runs `body` on a thread with a 1 GiB stack: the model is compiled at -O0
// (QUICK_BUILD) and its generated evaluation functions, one statement per cell,
// need more than the default 8 MiB (pages are only committed as they are
// touched).
void with_large_stack(const std::function<void()> &body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t(1) << 30);
  pthread_t t;
  auto run = [](void *f) -> void * {
    (*static_cast<const std::function<void()> *>(f))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, run, const_cast<std::function<void()> *>(&body)), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace

TEST(ArrayCosim, OutputStationary64x64GemmEveryEdge) {
  with_large_stack([] {
    constexpr int R = 64, C = 64;
    const auto model = cycle::make_pe_array("int_mac", {}, R, C, cycle::Dataflow::OutputStationary);
    cosim::RtlArray<Vpe_array_os_64> rtl(R, C, cycle::Dataflow::OutputStationary, 1, model->ports());
    cosim::Lockstep both(*model, rtl);
    const auto p = cycle::random_array_problem(model->ports(), 130, 70, 24,
                                               64);  // 130 = 64+64+2, 70 = 64+6
    const auto r = cycle::run_array_gemm(both, p, {5});
    ASSERT_EQ(both.mismatch(), "");
    EXPECT_EQ(r.tiles, 6u);
    EXPECT_GE(both.edges(), 6u * 24u);
    EXPECT_GT(r.stall_edges, 0u);
    EXPECT_EQ(r.cycles,
              cycle::array_gemm_cycles(R, C, cycle::Dataflow::OutputStationary, 1, p.m, p.n, p.kw, r.stall_edges));
    size_t nonzero = 0;
    for (auto v : r.out) nonzero += v != 0;
    EXPECT_GT(nonzero, r.out.size() / 2);
  });
}

}  // namespace arithsim
