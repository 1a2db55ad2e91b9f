// Ranks for an arithsim built without MPI: one process, or a clear refusal when an MPI
// launcher started several (they would all write the same --out).
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "sim/sweep/ranks.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace arithsim::sweep {

std::unique_ptr<Ranks> Ranks::from_environment() {
  const char* v = nullptr;
  if (const int n = launched_ranks(&v); n > 1)
    throw SweepError(fmt::format("started as one of {} MPI ranks ({}), but this arithsim was built without MPI: install "
                                 "libopenmpi-dev and rebuild (scripts/setup.sh does), or run without mpirun",
                                 n, v));
  return nullptr;
}

}  // namespace arithsim::sweep
