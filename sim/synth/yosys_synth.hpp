// Synthesis of the RTL PEs with yosys: to generic gates through abc (cell counts by type and a
// NAND2-equivalent gate count), or to a liberty cell library (area by cell class), timed and
// powered by OpenSTA (sim/synth/sta.hpp): the PPA flow of issue #12.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>
#include "sim/synth/liberty.hpp"
#include "sim/synth/sta.hpp"

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

// The liberty flow: yosys `synth`, `dfflibmap -liberty`, `abc -liberty` (one library merged
// from the given files), `stat -liberty`; OpenSTA on the netlist with the same files.
struct LibertyFlow {
  std::vector<std::string> liberty;  // .lib or .lib.gz files (e.g. ../shared/pdk/sky130hd_tt.lib.gz)
  double clock_s = 0;                // power at this clock period; 0: at the fmax
  double input_activity = -1;        // toggles per cycle of each operand input; < 0: measured (below)
  // The activity of every net inside: a zero-delay simulation of the mapped netlist on the
  // cycle model's operand stream (sim/synth/gate_sim), its outputs checked against the cycle
  // model; false (and for arrays, or a given input_activity): OpenSTA's propagation from the
  // input ports, which counts glitches.
  bool net_activity = true;
  std::vector<std::string> dont_use = default_dont_use();
};

struct PpaResult {
  std::string module;
  std::map<std::string, std::string> rtl_params;
  std::vector<std::string> libraries;               // library names, in the order given
  std::map<std::string, long> cells;                // liberty cell -> count
  long total_cells = 0, flops = 0;
  double area_um2 = 0;                              // sum of cell areas (the libraries' unit, µm²)
  std::map<std::string, double> area_by_class_um2;  // sequential, buffer, combinational
  double yosys_area_um2 = 0;                        // yosys `stat -liberty`'s chip area, for comparison
  double critical_s = 0, fmax_hz = 0, clock_hz = 0;
  double slack_s = 0;  // worst setup slack at clock_hz (< 0: the clock is not met; reported, not hidden)
  std::string startpoint, endpoint;
  std::vector<std::string> critical_path;
  double input_activity = 0;                  // mean over the operand ports' bits
  std::map<std::string, double> port_activity;  // toggles per cycle of each input port's bits
  std::string activity_how;
  std::string activity_method;  // "nets: zero-delay simulation" | "ports: OpenSTA propagation"
  double net_activity = 0;      // mean toggles per cycle over the cell outputs (nets method)
  double internal_w = 0, switching_w = 0, leakage_w = 0;  // at clock_hz
  double sequential_w = 0, combinational_w = 0;           // the same total by cell group (flip-flops / logic)
  double energy_per_cycle_pj = 0;                         // (internal + switching + leakage) / clock
  std::string yosys_version, sta_version;
  std::string date;  // when it was synthesized (UTC, YYYY-MM-DD)
};

// The SystemVerilog files the flow reads for a PE (or an array of it), in the order read:
// every rtl/common/*.sv, then the PE's file (an array: every rtl/*.sv). Throws
// std::runtime_error when the PE's file is missing.
std::vector<std::filesystem::path> rtl_sources(const std::string& pe, const std::string& rtl_dir, bool array);

// The input ports' activity the flow uses: the stream the PE's cycle model is fed (uniformly
// random operand codes, 4,096 elements in dot products of 64; with `operand_activity` >= 0 the
// operand ports at that activity instead): toggles per cycle of each port's bits. rst_n and
// in_valid hold (0), in_first / in_last pulse once per dot product (2/64), out_ready is high.
// The operand ports' mean is the cycle model's own Activity::input_activity (checked).
std::map<std::string, double> input_port_activity(const std::string& pe, const pe::Params& params,
                                                  double operand_activity = -1);

// That stream: one reset cycle, then `elements` elements of uniformly random operand codes
// (FP16 group scales 2^-3 .. 2^4), in_first / in_last every `dot` elements; seed 1 is the one
// above, other seeds the gate-level simulation's further lanes.
std::vector<cycle::PeIn> operand_stream(const cycle::PePorts& ports, uint64_t seed, size_t elements, size_t dot);

// Every net's activity in the mapped netlist of one PE (read_gate_netlist of its `write_json`):
// 64 lanes of operand_stream (seeds 1..64, 512 elements in dot products of 64) simulated at
// zero delay; lane 0's out_valid / out_acc are checked against the PE's cycle model on every
// cycle, and a difference throws std::runtime_error naming the cycle and both values.
struct GateRun;
struct GateNetlist;
GateRun netlist_activity(const std::string& pe, const pe::Params& params, const std::shared_ptr<const GateNetlist>& net);

// The yosys script of the liberty flow (what `arithsim synth --liberty ... --script` prints).
std::string yosys_liberty_script(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                                 const ArraySynth& array, const std::string& merged_lib, const std::string& stat_json,
                                 const std::string& netlist);

// Throws std::runtime_error naming the file or tool and the problem; pe::PeError for PE
// parameters.
PpaResult synthesize_ppa(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                         const ArraySynth& array, const LibertyFlow& flow);

}  // namespace arithsim::synth
