// Switching activity as a file: what `arithsim cost --activity FILE` reads and
// `--activity-out FILE` writes, so that activity measured once (by arithsim on a workload, or
// by the user from their own RTL simulation, e.g. toggle counts from a VCD) can be reused.
//
//   # arithsim activity v1 (YAML; JSON is YAML too)
//   version: 1
//   pe: fp8_mac        # optional: the PE it was measured on (checked when given)
//   input: 0.31        # mean fraction of operand bits toggling per PE cycle, 0..1
//   pipeline: 0.28     # optional: the pipeline registers (default: input)
//   acc: 0.17          # the same at the accumulator, 0..1
//   output: 0.45       # optional: the result register, per dot product (default: acc)
//   source: "..."      # optional: where the numbers come from (shown in every report)
//
// docs/cost.md "Activity files".
#pragma once

#include <string>
#include <string_view>

#include <arithsim/cost/pe_cost.hpp>

namespace arithsim::cost {

struct ActivityFile {
  std::string pe;  // empty: not stated
  ActivityFactors factors;
};

// Parses an activity file's text; LibraryError "FILE: field 'input' is ..." on any problem
// (unknown field, missing or out-of-range number, bad version).
ActivityFile parse_activity(std::string_view text, const std::string& file);
// Reads and parses `path` (LibraryError "PATH: cannot read the file" when unreadable).
ActivityFile load_activity(const std::string& path);
// The file text for `a` measured on `pe` (round-trips through parse_activity).
std::string activity_yaml(const ActivityFile& a);

}  // namespace arithsim::cost
