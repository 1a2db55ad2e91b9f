// A PE's cost from its synthesis (issue #12, `--cost synth:LIB`): the analytical PeCost's frame
// (MACs per cycle, cycles per dot product, the register delay an SRAM path adds) with its parts
// replaced by two synthesized ones, the netlist's combinational cells and its flip-flops,
// priced by OpenSTA's power and area at the synthesis's input activity, and its clock by
// OpenSTA's critical path. cost::evaluate then scales their dynamic energy with a workload's
// measured activity as it does the model's parts (the logic in proportion to the operand
// activity; the flip-flops' clock share paid every cycle), so the estimator, arrays and
// sweeps use them unchanged.
#pragma once

#include <string>

#include <arithsim/cost/pe_cost.hpp>
#include "sim/synth/yosys_synth.hpp"

namespace arithsim::synth {

// `library`: how reports name the library ("sky130", "asap7", the files). `lib` and `node`
// price the frame (the same as cost::pe_cost would be given).
cost::PeCost synthesized_pe_cost(const cost::ComponentLibrary& lib, const std::string& pe, const pe::Params& params,
                                 const cost::Node& node, const PpaResult& r, const std::string& library);

// One line for reports: "synthesized by yosys 0.23 + OpenSTA 2.0.17 onto LIBRARY (cells)
// on DATE: A um2, critical path P ps (START -> END), E pJ per cycle at F GHz, input activity a".
std::string synthesis_source(const PpaResult& r, const std::string& library);

}  // namespace arithsim::synth
