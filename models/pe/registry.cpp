#include <arithsim/models/pe/registry.hpp>

#include <fmt/format.h>

namespace arithsim::pe {
namespace {

struct Entry {
  const PeInfo& (*info)();
  std::unique_ptr<ProcessingElement> (*make)(const Params&);
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {{int_mac_info, make_int_mac},
                                       {fp8_mac_info, make_fp8_mac},
                                       {mixpe_info, make_mixpe},
                                       {lut_tensor_core_info, make_lut_tensor_core},
                                       {lmul_pe_info, make_lmul_pe},
                                       {rmmec_info, make_rmmec},
                                       {tensor_core_info, make_tensor_core}};
  return e;
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
  std::string known;
  for (const auto& e : entries()) {
    if (e.info().name == name) return e.make(params);
    known += (known.empty() ? "" : ", ") + e.info().name;
  }
  throw PeError(fmt::format("unknown PE '{}' (known: {})", name, known));
}

}  // namespace arithsim::pe
