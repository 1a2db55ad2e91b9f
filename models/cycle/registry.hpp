// Every PE's cycle-level model and array by name, from the PE's own parameters (the keys of
// `arithsim pe list`) plus the cycle model's `stages` (pipeline registers, default 1).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/pe_array.hpp>
#include <arithsim/models/cycle/stationary_array.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/pe/pe.hpp>

namespace arithsim::cycle {

// PEs with a cycle-level model.
std::vector<std::string> cycle_pes();
// Throws pe::PeError naming the PE and the problem (unknown PE, bad or unsupported parameter).
std::unique_ptr<PeCycleModel> make_pe_cycle(const std::string& pe, const pe::Params& params);
std::unique_ptr<PeArrayModel> make_pe_array(const std::string& pe, const pe::Params& params, int rows, int cols,
                                            Dataflow dataflow);
// ws / is arrays (models/cycle/stationary_array.hpp).
std::unique_ptr<StationaryArrayModel> make_stationary_array(const std::string& pe, const pe::Params& params, int rows,
                                                            int cols, Dataflow dataflow);
// A tiled GEMM on the cycle-level array of any dataflow (os / dot: run_array_gemm).
ArrayGemmResult simulate_array_gemm(const std::string& pe, const pe::Params& params, int rows, int cols,
                                    Dataflow dataflow, const ArrayGemmProblem& p);
// The parameters of rtl/<pe>.sv implementing that configuration (yosys synthesis, arrays).
std::map<std::string, std::string> rtl_parameters(const std::string& pe, const pe::Params& params);
// The parameters of rtl/pe_array.sv for an R x C array (1..64 each) of that configuration:
// PE (quoted), R, C, DATAFLOW, the word widths, STAGES, and the PE's RTL parameters with its
// prefix (INT_, FP8_, LMUL_, MIX_, LUT_, RM_).
std::map<std::string, std::string> array_rtl_parameters(const std::string& pe, const pe::Params& params, int rows,
                                                        int cols, Dataflow dataflow);
// Elements (lanes) per operand word of that configuration: in_a/in_w carry this many codes.
int lanes(const std::string& pe, const pe::Params& params);
// Dot-product lengths (in words) must be multiples of this (the weight group, in words).
size_t words_per_group(const std::string& pe, const pe::Params& params);

}  // namespace arithsim::cycle
