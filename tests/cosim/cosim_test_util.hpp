// What the PE co-simulation tests (tests/cosim/<pe>_cosim_test.cpp) share: a built parameter
// set run for >= 10^5 cycles, the injected-fault check, the rejected-parameter check, the
// cycle model's parameter errors, and waiting for a cycle model's result; the exact terms the
// rounding blocks' tests drive.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/formats/unrounded.hpp>
#include <arithsim/models/pe/pe.hpp>
#include "sim/cosim/pe_cosim.hpp"

namespace arithsim::cosim_test {

// An exact term as the RTL rounding blocks (fp_round, fp_acc_add, posit_round) take it:
// (-1)^neg * sig * 2^exp (+ sticky: nonzero bits below sig's lsb), or a special.
struct ExactTerm {
  formats::Unrounded::Kind kind = formats::Unrounded::Kind::Finite;
  bool neg = false, sticky = false;
  uint64_t sig = 0;
  int exp = 0;
  formats::Unrounded unrounded() const {
    if (kind != formats::Unrounded::Kind::Finite) return {kind, neg, false, 0, 0};
    return formats::Unrounded::from_int(neg, sig, exp, sticky);
  }
};

// A binding's entry point: cosim::run_<pe>_cosim.
using RunFn = cosim::CosimReport (*)(const pe::Params&, const cosim::CosimOptions&);

// One run of a built parameter set: its stimulus seed and stall patterns.
struct BuiltSetRun {
  std::string name;  // for messages and test names
  pe::Params params;
  uint64_t seed = 1;
  unsigned backpressure = cosim::CosimOptions{}.backpressure;
  unsigned bubbles = cosim::CosimOptions{}.bubbles;
  uint64_t reset_every = cosim::CosimOptions{}.reset_every;
};
inline void PrintTo(const BuiltSetRun& r, std::ostream* os) { *os << r.name; }

// The run passes every port every cycle for all `cycles` and checks more than `min_results`
// dot products against the bit-accurate model. Call under ASSERT_NO_FATAL_FAILURE.
inline void expect_cosim_passes(RunFn run, const BuiltSetRun& s, uint64_t cycles, uint64_t min_results) {
  cosim::CosimOptions o;
  o.cycles = cycles;
  o.seed = s.seed;
  o.backpressure = s.backpressure;
  o.bubbles = s.bubbles;
  o.reset_every = s.reset_every;
  const auto r = run(s.params, o);
  std::printf("%s: %llu cycles, %llu results checked\n", s.name.c_str(), (unsigned long long)r.cycles,
              (unsigned long long)r.results);
  ASSERT_TRUE(r.pass) << s.name << ": " << r.mismatch;
  EXPECT_EQ(r.cycles, o.cycles) << s.name;
  EXPECT_GT(r.results, min_results) << s.name;  // dot products checked against the bit-accurate model
}

// A fault injected into the model's view at cycle `at` (default parameters) is reported at that
// cycle on out_valid with the inputs that led there, and the run is replayed into the waveform
// TempDir()/<pe>_fault.fst. Returns the report for checks of its own.
inline cosim::CosimReport expect_fault_detected(RunFn run, const std::string& pe, uint64_t cycles, int at) {
  const auto wave = std::filesystem::path(testing::TempDir()) / (pe + "_fault.fst");
  std::filesystem::remove(wave);
  cosim::CosimOptions o;
  o.cycles = cycles;
  o.inject_fault_at = at;
  o.mismatch_wave = wave.string();
  const auto r = run({}, o);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.cycles, uint64_t(at));
  EXPECT_NE(r.mismatch.find("cycle " + std::to_string(at) + ": port out_valid"), std::string::npos) << r.mismatch;
  EXPECT_NE(r.mismatch.find("in_a="), std::string::npos) << r.mismatch;
  EXPECT_EQ(r.wave_file, wave.string());
  EXPECT_TRUE(std::filesystem::exists(wave));
  return r;
}

// The binding refuses `params` with a pe::PeError whose message contains `what`.
inline void expect_rejected(RunFn run, const pe::Params& params, const std::string& what) {
  try {
    (void)run(params, {});
    ADD_FAILURE() << "accepted: " << what;
  } catch (const pe::PeError& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

// expect_rejected bound to one binding: rejected(params, what).
inline auto rejecter(RunFn run) {
  return [run](const pe::Params& params, const std::string& what) { expect_rejected(run, params, what); };
}

// The message of the std::invalid_argument `parse(params)` throws, or "accepted".
template <class Parse>
std::string parse_error(Parse parse, const pe::Params& params) {
  try {
    (void)parse(params);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

// After a dot product's last element: its result, which leaves within stages + 1 edges
// (empty inputs ticked meanwhile), or nullopt.
inline std::optional<uint64_t> await_result(cycle::PeCycleModel& model) {
  for (int c = 0; c <= model.stages(); ++c) {
    const auto out = model.outputs(true);
    if (out.out_valid) return out.out_acc;
    model.tick(cycle::PeIn{});
  }
  return std::nullopt;
}

}  // namespace arithsim::cosim_test
