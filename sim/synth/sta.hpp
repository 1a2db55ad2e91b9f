// Static timing and power of a cell-mapped netlist with OpenSTA (Debian's `opensta`, command
// `sta`): the worst setup slack at a clock, the critical path, and power (internal,
// switching, leakage) with the input ports' switching activity set.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace arithsim::synth {

struct StaOptions {
  std::vector<std::string> liberty;  // uncompressed liberty files, read in order
  std::string netlist, top;          // structural Verilog (yosys write_verilog) and its module
  double period_s = 10e-9;           // clock period on port `clk`; inputs and outputs at 0 delay
  double time_unit_s = 1e-9;         // the libraries' time unit (create_clock takes it)
  double input_activity = 0.1;       // toggles per clock cycle of every input port ...
  std::map<std::string, double> port_activity;  // ... but these (a port's name, every bit of it)
  std::map<std::string, double> pin_activity;   // cell output pins ("cell/pin"): their nets' toggles per cycle
};

struct StaResult {
  double period_s = 0, worst_slack_s = 0;
  double critical_s() const { return period_s - worst_slack_s; }  // the slowest register-to-register path, setup included
  std::string startpoint, endpoint;
  std::vector<std::string> path;  // the critical path's pins with their nets, as report_checks prints them
  double internal_w = 0, switching_w = 0, leakage_w = 0, total_w = 0;
  // report_power's groups: the flip-flops (their clock pins included: the netlist has no
  // clock tree) and the combinational cells
  double sequential_w = 0, combinational_w = 0;
  std::string version;  // sta -version
};

// Throws std::runtime_error naming the problem (sta missing, a link error, output not parsed).
StaResult run_sta(const StaOptions& o);

}  // namespace arithsim::synth
