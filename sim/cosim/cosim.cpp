#include "sim/cosim/cosim.hpp"

#include <fmt/format.h>

namespace arithsim::cosim {

const std::vector<CosimTarget>& cosim_targets() {
  static const std::vector<CosimTarget> t = {
      {"int_mac", "a=int8 w=int8 with acc_bits=32 stages=1|3, or acc_bits=16 saturate=true", run_int_mac_cosim},
      {"fp8_mac", fp8_mac_rtl_configs(), run_fp8_mac_cosim},
      {"lmul_pe", lmul_pe_rtl_configs(), run_lmul_pe_cosim},
      {"mixpe", mixpe_rtl_configs(), run_mixpe_cosim},
      {"lut_tensor_core", lut_tensor_core_rtl_configs(), run_lut_tensor_core_cosim},
      {"rmmec", rmmec_rtl_configs(), run_rmmec_cosim},
  };
  return t;
}

CosimReport run_cosim(const std::string& pe, const pe::Params& params, const CosimOptions& o) {
  std::string names;
  for (const auto& t : cosim_targets()) {
    if (t.pe == pe) return t.run(params, o);
    names += (names.empty() ? "" : ", ") + t.pe;
  }
  throw pe::PeError(fmt::format("cosim: no RTL for PE '{}' (RTL exists for: {})", pe, names));
}

}  // namespace arithsim::cosim
