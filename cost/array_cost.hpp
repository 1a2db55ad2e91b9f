// The cost of an R x C array of any PE (models/cycle/pe_array.hpp): the PEs, the interconnect
// of the dataflow (os: hop registers carrying A right and B down plus the input skew registers;
// ws / is: hop registers for the streamed operand and the partial sums, stationary registers;
// dot: row/column broadcast wires), the input and output buffers (SRAM) and, for the LUT
// Tensor Core in a dot tile, the table storage shared along a row. docs/cost.md, "Arrays".
#pragma once

#include <string>
#include <vector>

#include <arithsim/cost/pe_cost.hpp>

namespace arithsim::cost {

struct ArrayOptions {
  int rows = 16, cols = 16;
  std::string dataflow = "os";  // os | ws | is | dot
  double buffer_entries = 2048;  // words per input buffer (one SRAM for A's rows, one for B's columns)
  double output_entries = 256;   // words of the output buffer (one result per column per word)
  // Broadcast wire energy (dot): pJ per bit per mm at the reference node, scaled by the node's
  // energy factor; wire length = the PE pitch (sqrt of its area) per PE crossed. Assumed: the
  // library has no wire component (docs/cost.md).
  double wire_pj_per_bit_mm = 0.1;
};

struct ArrayCost {
  PeCost pe;  // one PE (for the LUT Tensor Core in a dot tile: without the shared table)
  ArrayOptions options;
  std::vector<PePart> parts;  // the array's own parts: interconnect, buffers, shared tables
  double pes = 0;             // rows x cols
  double macs_per_cycle = 0;
  double area_um2 = 0, leakage_uw = 0;
  double clock_ps = 0;
};

// The array at the PE's node. std::invalid_argument for a bad shape or dataflow.
ArrayCost array_cost(const ComponentLibrary& lib, const std::string& pe, const pe::Params& params, const Node& node,
                     const ArrayOptions& options, const PeCostOptions& pe_options = {});
// The same with the PE already priced (pe_cost of the same PE, parameters and node): a sweep
// over array shapes prices each PE once.
ArrayCost array_cost(const ComponentLibrary& lib, const std::string& pe, const pe::Params& params, const Node& node,
                     const ArrayOptions& options, const PeCost& priced_pe);

struct ArrayEnergy {
  double freq_hz = 0;
  double pe_pj = 0, interconnect_pj = 0, buffer_pj = 0, table_pj = 0, leakage_pj = 0;  // per array cycle
  double total_pj = 0, pj_per_mac = 0, power_mw = 0;
};
ArrayEnergy evaluate(const ArrayCost& c, const ActivityFactors& a, double freq_hz);

}  // namespace arithsim::cost
