// Liberty cell libraries (the .lib files of a PDK: ../shared/pdk, or a user's own): the
// cells with their area and class, the units, and one merged library for yosys, whose abc and
// dfflibmap passes take a single file (ASAP7 ships five).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace arithsim::synth {

enum class CellClass { Sequential, Buffer, Combinational };
const char* cell_class_name(CellClass c);  // "sequential" | "buffer" | "combinational"

struct LibertyPin {
  std::string name, direction;  // direction: input | output | inout | internal
  std::string function;         // an output's Boolean function of the inputs (or of the ff's state), "" if none
};

// A flip-flop's `ff (STATE, STATE_N) {...}` group: the state updates to next_state at the
// clock edge; clear / preset (functions of the pins, "" when absent) force it to 0 / 1.
struct LibertyFf {
  std::string state, state_n, next_state, clocked_on, clear, preset;
};

struct LibertyCell {
  std::string name;
  double area = 0;  // the library's area unit (µm² in sky130 and ASAP7)
  CellClass cls = CellClass::Combinational;
  std::vector<LibertyPin> pins;
  std::optional<LibertyFf> ff;
  bool other_state = false;  // a latch, statetable or bank: not simulated (sim/synth/gate_sim)
};

struct Liberty {
  std::string path;          // as given
  std::string library;       // library (NAME)
  double time_unit_s = 1e-9; // time_unit ("1ns", "1ps")
  std::vector<LibertyCell> cells;
  std::string text;          // the whole file, decompressed
  const LibertyCell* find(const std::string& cell) const;
};

// Reads a liberty file, gzip-compressed (.gz, through `gzip -dc`) or not. Throws
// std::runtime_error "FILE: problem" (missing, unreadable, no library group, no cells).
Liberty read_liberty(const std::string& path);

// One library for yosys: the first file's header (units, templates) and every cell of all
// files, less those whose names match a `dont_use` glob (sky130's low-power isolation cells,
// which abc would otherwise pick as buffers).
std::string merged_liberty(const std::vector<Liberty>& libs, const std::vector<std::string>& dont_use);

// The cells arithsim keeps out of synthesis by default: isolation / level-shifter and probe
// cells that are not logic gates of a datapath.
const std::vector<std::string>& default_dont_use();

}  // namespace arithsim::synth
