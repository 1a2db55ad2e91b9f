#include <arithsim/models/pe/registry.hpp>

#include <fmt/format.h>

namespace arithsim::pe {
namespace {

struct Entry {
  const PeInfo& (*info)();
  std::unique_ptr<ProcessingElement> (*make)(const Params&);
  PresetTable (*presets)(const Params&);  // nullptr: the PE has no presets
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {{int_mac_info, make_int_mac, nullptr},
                                       {fp8_mac_info, make_fp8_mac, nullptr},
                                       {mixpe_info, make_mixpe, nullptr},
                                       {lut_tensor_core_info, make_lut_tensor_core, nullptr},
                                       {lmul_pe_info, make_lmul_pe, nullptr},
                                       {rmmec_info, make_rmmec, nullptr},
                                       {tensor_core_info, make_tensor_core, tensor_core_presets_table}};
  return e;
}

const Entry& entry(const std::string& name) {
  std::string known;
  for (const auto& e : entries()) {
    if (e.info().name == name) return e;
    known += (known.empty() ? "" : ", ") + e.info().name;
  }
  throw PeError(fmt::format("unknown PE '{}' (known: {})", name, known));
}

}  // namespace

const std::vector<PeInfo>& pe_catalog() {
  static const std::vector<PeInfo> c = [] {
    std::vector<PeInfo> v;
    for (const auto& e : entries()) v.push_back(e.info());
    return v;
  }();
  return c;
}

std::unique_ptr<ProcessingElement> make_pe(const std::string& name, const Params& params) {
  return entry(name).make(params);
}

std::optional<PresetTable> pe_presets(const std::string& name, const Params& params) {
  const Entry& e = entry(name);
  if (!e.presets) return std::nullopt;
  return e.presets(params);
}

}  // namespace arithsim::pe
