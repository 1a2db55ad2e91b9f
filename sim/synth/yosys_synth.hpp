// Synthesis of the RTL PEs with yosys (generic gate library through abc): cell counts by
// type and a NAND2-equivalent gate count, for the cost model's calibration.
#pragma once

#include <map>
#include <string>

#include "models/pe/pe.hpp"

namespace arithsim::synth {

struct SynthResult {
  std::string module;
  std::map<std::string, std::string> rtl_params;  // the RTL parameters used
  std::map<std::string, long> cells;              // yosys cell type -> count
  long total_cells = 0;
  long flops = 0;
  double nand2_equivalent = 0;  // gate-equivalent area, weights in gate_equivalents()
};

// NAND2-equivalent weights of the generic cells (a common textbook convention: NAND2/NOR2 1,
// AND2/OR2 1.33, XOR2/XNOR2 2.33, MUX2 2.33, inverter 0.67, D flip-flop 4.33 / with enable
// or reset 5.33), so that designs can be ranked before a liberty-based flow exists.
const std::map<std::string, double>& gate_equivalents();

// Which PEs have RTL, and the RTL parameters a PE parameter set maps to. Throws pe::PeError
// for a PE without RTL or a bad parameter.
std::map<std::string, std::string> rtl_parameters(const std::string& pe, const pe::Params& params);

// Runs yosys on rtl/<pe>.sv (from rtl_dir) with those parameters. Throws std::runtime_error
// naming the problem when yosys is missing or fails.
SynthResult synthesize(const std::string& pe, const pe::Params& params, const std::string& rtl_dir);

}  // namespace arithsim::synth
