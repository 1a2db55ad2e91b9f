// Co-simulation of every PE with RTL: `arithsim cosim PE` and the tests call run_cosim().
// Each PE's binding (sim/cosim/<pe>_cosim.cpp) builds its PeCosimSpec (cycle model, operand
// stimulus with the formats' corner codes, the bit-accurate reference) and runs it against
// the Verilated RTL of the matching parameter set.
#pragma once

#include <string>
#include <vector>

#include <arithsim/models/cycle/int_mac_cycle.hpp>
#include <arithsim/models/pe/pe.hpp>
#include "sim/cosim/pe_cosim.hpp"

namespace arithsim::cosim {

struct CosimTarget {
  std::string pe;
  std::string configs;  // the RTL parameter sets built, for messages and `--help`
  CosimReport (*run)(const pe::Params&, const CosimOptions&);
};
const std::vector<CosimTarget>& cosim_targets();

// Throws pe::PeError for a PE without RTL or a parameter set no Verilated model was built for.
CosimReport run_cosim(const std::string& pe, const pe::Params& params, const CosimOptions& o);

// The bindings (one per PE, sim/cosim/<pe>_cosim.cpp): run_<pe>_cosim runs the Verilated
// parameter set matching `params` (pe::PeError naming the built sets otherwise);
// <pe>_rtl_configs() describes the built sets in one line.
CosimReport run_int_mac_cosim(const pe::Params& params, const CosimOptions& o);
// The INT8 x INT8 stimulus and reference of any RTL with int_mac's ports (your own MAC:
// docs/cosim.md): run_pe_cosim<Vyour_mac>(int_mac_cosim_spec(params), options).
PeCosimSpec int_mac_cosim_spec(const cycle::IntMacParams& p);
CosimReport run_fp8_mac_cosim(const pe::Params& params, const CosimOptions& o);
std::string fp8_mac_rtl_configs();
CosimReport run_lmul_pe_cosim(const pe::Params& params, const CosimOptions& o);
std::string lmul_pe_rtl_configs();
CosimReport run_mixpe_cosim(const pe::Params& params, const CosimOptions& o);
std::string mixpe_rtl_configs();
CosimReport run_lut_tensor_core_cosim(const pe::Params& params, const CosimOptions& o);
std::string lut_tensor_core_rtl_configs();
CosimReport run_rmmec_cosim(const pe::Params& params, const CosimOptions& o);
std::string rmmec_rtl_configs();

}  // namespace arithsim::cosim
