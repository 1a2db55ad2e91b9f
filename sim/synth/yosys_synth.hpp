// Synthesis of the RTL PEs with yosys (generic gate library through abc): cell counts by
// type and a NAND2-equivalent gate count, for the cost model's calibration.
#pragma once

#include <map>
#include <string>

#include <arithsim/models/pe/pe.hpp>

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

// The RTL parameters a PE parameter set (plus the cycle model's `stages`) maps to
// (cycle::rtl_parameters). Throws pe::PeError for a PE without RTL or a bad parameter.
std::map<std::string, std::string> rtl_parameters(const std::string& pe, const pe::Params& params);

// Optional array: synthesize rtl/pe_array.sv with R x C cells of the PE instead of one PE.
// (The array's cells get STAGES and the port widths; their other parameters are the PE
// module's defaults, so an array must use the PE's default configuration otherwise.)
struct ArraySynth {
  int rows = 0, cols = 0;  // 0: synthesize the PE alone
  std::string dataflow = "os";
};

// The yosys script for that run (what `arithsim synth --script` prints): reads every
// rtl/common/*.sv block and the PE (or array) sources from rtl_dir, sets the parameters,
// synthesizes flat to generic gates with abc, writes `stat -json` to stat_json.
std::string yosys_script(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                         const ArraySynth& array, const std::string& stat_json);

// Runs yosys with that script. Throws std::runtime_error naming the problem when yosys is
// missing or fails.
SynthResult synthesize(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                       const ArraySynth& array = {});

}  // namespace arithsim::synth
