// A PE's cost from its synthesis (issue #12, `--cost synth:LIB`): the analytical PeCost's frame
// (MACs per cycle, cycles per dot product, the register delay an SRAM path adds) with its parts
// replaced by two synthesized ones, the netlist's combinational cells and its flip-flops,
// priced by OpenSTA's power and area at the synthesis's input activity, and its clock by
// OpenSTA's critical path. cost::evaluate then scales their dynamic energy with a workload's
// measured activity as it does the model's parts (the logic in proportion to the operand
// activity; the flip-flops' clock share paid every cycle), so the estimator, arrays and
// sweeps use them unchanged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <arithsim/cost/fit.hpp>
#include <arithsim/cost/pe_cost.hpp>
#include "sim/synth/ppa_database.hpp"
#include "sim/synth/yosys_synth.hpp"

namespace arithsim::synth {

// `library`: how reports name the library ("sky130", "asap7", the files). `lib` and `node`
// price the frame (the same as cost::pe_cost would be given).
cost::PeCost synthesized_pe_cost(const cost::ComponentLibrary& lib, const std::string& pe, const pe::Params& params,
                                 const cost::Node& node, const PpaResult& r, const std::string& library);

// One line for reports: "synthesized by yosys 0.23 + OpenSTA 2.0.17 onto LIBRARY (cells)
// on DATE: A um2, critical path P ps (START -> END), E pJ per cycle at F GHz, input activity a".
std::string synthesis_source(const PpaResult& r, const std::string& library);

// Where a PE's cost comes from (a config's `cost`, `--cost`): analytical | fitted:LIB |
// synth:LIB. valid_cost_source checks the syntax only.
bool valid_cost_source(const std::string& spec);
struct CostSource {
  std::string spec;
  std::string node;                         // the node everything is priced at
  const cost::ComponentFit* fit = nullptr;  // fitted:LIB: the built-in fit
  std::optional<CellLibrary> cells;         // synth:LIB: the liberty files
};
// Resolves LIB (sky130 / asap7 at their nodes; a user's liberty files at `node`, the config's).
// Throws std::invalid_argument for bad syntax ("expected analytical, fitted:LIB ... got 'X'")
// or missing liberty files, cost::LibraryError for a library without a fit.
CostSource resolve_cost_source(const std::string& spec, const std::string& node);
// The PE priced by that source at its node; synth:LIB reads the PPA database `ppa_db` (and
// synthesizes into it on a miss).
cost::PeCost price_pe(const CostSource& source, const cost::ComponentLibrary& lib, const std::string& pe,
                      const pe::Params& params, const std::filesystem::path& ppa_db);

}  // namespace arithsim::synth
