// Co-simulation of rtl/int_mac.sv (Verilated) against the cycle-level model: identical
// stimulus into both, every output port compared every cycle, every produced dot product
// checked against the transaction-level accumulation. On the first mismatch the report
// names the cycle, port, expected and actual values and the inputs that led there, and the
// run is replayed with FST tracing into a waveform file.
#pragma once

#include <cstdint>
#include <string>

namespace arithsim::cosim {

struct CosimOptions {
  uint64_t cycles = 100000;
  uint64_t seed = 1;
  std::string wave;              // FST written for the whole run when set
  std::string mismatch_wave = "int_mac-mismatch.fst";  // written on a mismatch when wave is empty
  uint64_t reset_every = 50000;  // a reset mid-stream every N cycles (0: never)
  unsigned backpressure = 4;     // out_ready is low one cycle in N (0: never)
  int inject_fault_at = -1;      // for tests of the harness itself: corrupt the model's view at this cycle
};

struct CosimReport {
  bool pass = true;
  uint64_t cycles = 0;   // cycles compared
  uint64_t results = 0;  // dot products checked against the transaction-level model
  std::string mismatch;  // first mismatch, with the inputs that led there
  std::string wave_file; // waveform written, if any
};

CosimReport run_int_mac(const CosimOptions& o);

}  // namespace arithsim::cosim
