// A sweep across machines (issue #15): `mpirun -np N arithsim sweep ...`. Rank 0 runs the
// sweep as on one machine (its journal, its threads, its outputs) and also serves the other
// ranks: each asks it for points, evaluates them on its own threads and sends each row back as
// it is done; the chunks shrink as the round empties (sim/sweep/dispatch.hpp), so ranks share
// the work by the points' measured cost. The rows are the same wherever a point is evaluated, so the outputs are a one-machine
// run's, byte for byte. Built with MPI when CMake finds it (OpenMPI from Debian); without, a
// launch of several ranks is refused with a clear error instead of N runs racing on one --out.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/sweep/dispatch.hpp"

namespace arithsim::sweep {

// How many ranks an MPI launcher started this process among (OpenMPI's, or a PMI/PMIx
// launcher's variable, named in `variable`); 1 when none did.
inline int launched_ranks(const char** variable = nullptr) {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* n = std::getenv(v); n && std::atoi(n) > 1) {
      if (variable) *variable = v;
      return std::atoi(n);
    }
  return 1;
}

struct RankStats {
  size_t points = 0;    // evaluated by the rank
  double busy_s = 0;    // summed over its threads
};

class Ranks {
 public:
  // The MPI world when this process was started by an MPI launcher with two or more ranks
  // (MPI_Init here, MPI_Finalize in the destructor); nullptr otherwise. Throws SweepError when
  // launched as several ranks by an arithsim built without MPI.
  static std::unique_ptr<Ranks> from_environment();
  virtual ~Ranks() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks started on this machine (for the default --jobs of each).
  virtual int local_size() const = 0;
  // Ends every rank of the job (after an error on this one: the others may wait on it).
  [[noreturn]] virtual void abort(int code) = 0;

  // Rank 0: answers every message the other ranks have sent so far (points from `d`, their
  // rows into `d`, their errors as d.fail). False once every other rank has said goodbye.
  // `handled`: set to the number of messages answered.
  virtual bool serve(Dispatch& d, size_t* handled = nullptr) = 0;
  // Rank 0, after the last goodbye: what each rank (1..size-1) evaluated.
  virtual std::vector<RankStats> stats() const = 0;
  // Rank > 0: evaluates the points rank 0 hands out on `jobs` threads until it says done;
  // `evaluate(index)` gives the point's journal line. Returns what this rank evaluated.
  virtual RankStats work(size_t jobs, const std::function<std::string(size_t)>& evaluate) = 0;
};

}  // namespace arithsim::sweep
