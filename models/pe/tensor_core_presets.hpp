// The presets of the tensor_core PE: data (models/pe/tensor_core_presets.yaml, embedded;
// or a user's file of the same form), one row per GPU instruction path, each naming its
// source. docs/pe/tensor_core.md describes the fields.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <arithsim/models/units/mma_instruction.hpp>

namespace arithsim::pe {

struct TensorCorePreset {
  std::vector<std::string> gpus, instrs, inputs;  // type names (keys of the file's formats)
  std::string out, block_result;  // type names
  std::string scale;              // block-scaled inputs: the scale's type name (else empty)
  units::MmaSpec spec;  // a, b = the first input type; set per use by select()
  std::string source, proven;
};

struct TensorCorePresets {
  std::string name;                              // the file, or "built-in"
  std::map<std::string, std::string> formats;   // type name -> format spec
  std::vector<TensorCorePreset> rows;
};

// Parses and checks a preset document; every error is one line naming `name`, the row and
// the field (std::invalid_argument).
TensorCorePresets parse_tensor_core_presets(std::string_view text, std::string_view name);
TensorCorePresets load_tensor_core_presets(const std::string& path);
const TensorCorePresets& builtin_tensor_core_presets();
std::string_view builtin_tensor_core_presets_text();

// The instruction of gpu/instr with inputs a, b and output out. Throws std::invalid_argument
// naming what was asked and listing what the presets support.
struct TensorCoreSelection {
  units::MmaSpec spec;
  const TensorCorePreset* row = nullptr;
};
TensorCoreSelection select_tensor_core(const TensorCorePresets& p, const std::string& gpu, const std::string& instr,
                                       const std::string& a, const std::string& b, const std::string& out);

}  // namespace arithsim::pe
