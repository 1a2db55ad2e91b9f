// Accelergy interoperability: a PE's (or an array's) costs as Accelergy-style reference
// tables (ERT: per-action energy; ART: per-component area; attributes with the widths and
// the technology), and such tables read back as a user component library. docs/cost.md,
// "Accelergy".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <arithsim/cost/array_cost.hpp>
#include <arithsim/cost/component_library.hpp>
#include <arithsim/cost/pe_cost.hpp>

namespace arithsim::cost {

// ERT + ART of one PE: the PE itself (actions mac_random at the reference activity,
// mac_measured at `measured` when its `how` is not "reference", mac_gated with zero data
// activity, idle = leakage per cycle at the clock estimate) and each library component it
// is built from (action `op`: the energy of one operation at the reference activity), with
// its widths, count and the stage it prices as attributes. Energies in pJ, areas in um^2.
std::string export_accelergy(const PeCost& c, const ActivityFactors& measured = {});
std::string export_accelergy(const ArrayCost& c, const ActivityFactors& measured = {});

struct AccelergyImport {
  std::string yaml;                 // the user-library file it was turned into (ComponentLibrary::merge)
  std::vector<std::string> merged;  // library components given the tables' figures as points
  std::vector<std::string> added;   // new components (table entries naming no library component)
  std::vector<std::string> notes;   // points dropped (two widths with the same size), ...
};

// Reads an ERT/ART file (either or both) and merges it into `lib`: an entry whose
// `attributes.component` (or last name element) is a library component and whose attributes
// give all its widths becomes a point of that component (area from the ART, energy from the
// action `op`, or the first action; at the node of `attributes.technology`); any other entry
// becomes a new component of fixed cost. Throws LibraryError naming the file and entry.
AccelergyImport import_accelergy(ComponentLibrary& lib, std::string_view yaml, std::string_view file);

}  // namespace arithsim::cost
