#include <arithsim/models/pe/registry.hpp>

#include <arithsim/models/pe/workload_plan.hpp>

#include <fmt/format.h>

namespace arithsim::pe {
namespace {

struct Entry {
  const PeInfo& (*info)();
  std::unique_ptr<ProcessingElement> (*make)(const Params&);
  PresetTable (*presets)(const Params&);  // nullptr: the PE has no presets
  PlanOperands plan;                       // nullptr: the PE runs no estimator workloads
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {{int_mac_info, make_int_mac, nullptr, plan_int_mac},
                                       {fp8_mac_info, make_fp8_mac, nullptr, plan_convert_on_load},
                                       {mixpe_info, make_mixpe, nullptr, plan_mixpe},
                                       {lut_tensor_core_info, make_lut_tensor_core, nullptr, plan_lut_tensor_core},
                                       {lmul_pe_info, make_lmul_pe, nullptr, plan_convert_on_load},
                                       {rmmec_info, make_rmmec, nullptr, plan_convert_on_load},
                                       {tensor_core_info, make_tensor_core, tensor_core_presets_table, nullptr}};
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

OperandPlan plan_operands(const std::string& name, const Params& params, const OperandRequest& q) {
  const Entry& e = entry(name);
  // No PE model skips zero weights (none declares structured sparsity), so a sparse op is an
  // error rather than a silently dense estimate.
  if (q.sparsity > 0)
    throw PeError(fmt::format("{}: does not exploit sparse weights (trace op '{}' has sparsity {}); remove "
                              "'sparsity' to estimate it dense",
                              name, q.op, q.sparsity));
  if (!e.plan) throw PeError(fmt::format("{}: declares no operand plan, so it cannot run workload ops", name));
  return e.plan(name, params, q);
}

}  // namespace arithsim::pe
