// Zero-delay simulation of a cell-mapped netlist (yosys `write_json` after dfflibmap + abc
// -liberty), cycle by cycle, with each cell evaluated from its liberty `function` and `ff`
// groups: the switching activity of every net (toggles per cycle, without glitches), for
// OpenSTA's power (set_power_activity -pins), in place of transition-density propagation
// from the input ports, which counts a glitch at every logic level. 64 independent input
// streams run at once, one per bit of a 64-bit word.
//
//   const auto n = read_gate_netlist("netlist.json", "int_mac", libs);
//   GateRun r = simulate(*n, lanes);       // lanes[l][t]: port -> value at cycle t
//
// docs/cosim.md § Synthesis, "Activity inside the netlist".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/synth/liberty.hpp"

namespace arithsim::synth {

struct GateNetlist;  // gate_sim.cpp

// Reads the netlist's `top` module. Throws std::runtime_error naming the file and the problem
// (not yosys JSON, a cell no library has, a latch, a function it cannot parse, a combinational loop).
std::shared_ptr<const GateNetlist> read_gate_netlist(const std::string& json_path, const std::string& top,
                                                     const std::vector<Liberty>& libs);

// A liberty `function` evaluated on one assignment of its pins (what the simulation compiles
// each cell's functions to). Throws std::runtime_error for a syntax error or an unknown pin.
bool liberty_function_value(const std::string& function, const std::map<std::string, bool>& pins);

// One cycle's input values by port name (a bus port by its base name: in_a -> in_a[0..]).
using PortValues = std::map<std::string, uint64_t>;

// The RTL name of the register a flip-flop instance holds ("acc[17]", "pipe.first"), from the
// netlist's named nets on its output; "" when it has none (or is not a flip-flop).
std::string register_name(const GateNetlist& n, const std::string& instance);

struct GateRun {
  size_t cycles = 0, lanes = 0;
  // Every cell pin not on the clock ("cell/pin", as OpenSTA names it): its net's toggles per cycle.
  std::map<std::string, double> pin_activity;
  // Each output port (by base name) of lane 0 after every cycle's clock edge.
  std::vector<PortValues> outputs;
  double mean_activity = 0;  // over every cell output
};

// Runs `lanes` (1..64 streams of equally many cycles): per cycle the inputs are applied, the
// logic settles, the nets' toggles are counted, then every flip-flop takes its next state.
// Activity is counted from cycle `warmup` on (reset cycles excluded).
GateRun simulate(const GateNetlist& n, const std::vector<std::vector<PortValues>>& lanes, size_t warmup = 0);

}  // namespace arithsim::synth
