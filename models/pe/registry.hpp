// The PE registry: each PE file provides its description and factory.
#pragma once

#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/pe/workload_plan.hpp>

namespace arithsim::pe {

const PeInfo& int_mac_info();
std::unique_ptr<ProcessingElement> make_int_mac(const Params& p);
OperandPlan plan_int_mac(const std::string& pe, const Params& p, const OperandRequest& q);
const PeInfo& fp8_mac_info();
std::unique_ptr<ProcessingElement> make_fp8_mac(const Params& p);
const PeInfo& mixpe_info();
std::unique_ptr<ProcessingElement> make_mixpe(const Params& p);
OperandPlan plan_mixpe(const std::string& pe, const Params& p, const OperandRequest& q);
const PeInfo& lut_tensor_core_info();
std::unique_ptr<ProcessingElement> make_lut_tensor_core(const Params& p);
OperandPlan plan_lut_tensor_core(const std::string& pe, const Params& p, const OperandRequest& q);
const PeInfo& lmul_pe_info();
std::unique_ptr<ProcessingElement> make_lmul_pe(const Params& p);
const PeInfo& rmmec_info();
std::unique_ptr<ProcessingElement> make_rmmec(const Params& p);
const PeInfo& tensor_core_info();
std::unique_ptr<ProcessingElement> make_tensor_core(const Params& p);
PresetTable tensor_core_presets_table(const Params& p);

}  // namespace arithsim::pe
