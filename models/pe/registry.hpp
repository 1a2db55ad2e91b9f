// The PE registry: each PE file provides its description and factory.
#pragma once

#include <arithsim/models/pe/pe.hpp>

namespace arithsim::pe {

const PeInfo& int_mac_info();
std::unique_ptr<ProcessingElement> make_int_mac(const Params& p);
const PeInfo& fp8_mac_info();
std::unique_ptr<ProcessingElement> make_fp8_mac(const Params& p);
const PeInfo& mixpe_info();
std::unique_ptr<ProcessingElement> make_mixpe(const Params& p);
const PeInfo& lut_tensor_core_info();
std::unique_ptr<ProcessingElement> make_lut_tensor_core(const Params& p);
const PeInfo& lmul_pe_info();
std::unique_ptr<ProcessingElement> make_lmul_pe(const Params& p);
const PeInfo& rmmec_info();
std::unique_ptr<ProcessingElement> make_rmmec(const Params& p);
const PeInfo& tensor_core_info();
std::unique_ptr<ProcessingElement> make_tensor_core(const Params& p);
PresetTable tensor_core_presets_table(const Params& p);

}  // namespace arithsim::pe
