// Co-simulation binding of rtl/int_mac.sv: INT8 x INT8 -> INT32 wrapping (1 or 3 pipeline
// registers) and -> INT16 saturating (saturation is reached); reference = the int_mac PE's
// accumulate stage (units::IntAccumulator).
#include <fmt/format.h>

#include "Vint_mac.h"
#include "Vint_mac_s3.h"
#include "Vint_mac_sat.h"
#include <arithsim/models/cycle/int_mac_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {

PeCosimSpec int_mac_cosim_spec(const cycle::IntMacParams& p) {
  if (p.a_bits != 8 || p.w_bits != 8) throw pe::PeError("cosim int_mac: the stimulus is INT8 x INT8");
  const auto a = formats::ElementFormat::parse("int8");
  PeCosimSpec spec;
  spec.pe = "int_mac";
  spec.model = std::make_shared<cycle::IntMacCycle>(p);
  const auto corners = corner_codes(a);
  spec.operands = [a, corners](std::mt19937_64& g, cycle::PeIn& in, size_t) {
    in.in_a = random_code(g, a, corners);
    in.in_w = random_code(g, a, corners);
  };
  spec.reference = [p](const std::vector<cycle::PeIn>& dot) {
    units::IntAccumulator acc(p.acc_bits, p.saturate);  // the PE model's accumulate stage
    for (const auto& e : dot) acc.add(cycle::sext(e.in_a, 8) * cycle::sext(e.in_w, 8));
    return uint64_t(acc.value()) & cycle::mask(p.acc_bits);
  };
  return spec;
}

CosimReport run_int_mac_cosim(const pe::Params& params, const CosimOptions& o) {
  (void)reference_pe("int_mac", params);  // validates the PE parameters
  cycle::IntMacParams p;
  bool stages3 = false;
  const std::string built = "a=int8 w=int8 with acc_bits=32 stages=1|3, or acc_bits=16 saturate=true stages=1";
  for (const auto& [k, v] : params) {
    if (k == "saturate") p.saturate = (v == "true" || v == "1" || v == "yes");
    else if (k == "stages" && (v == "1" || v == "3")) stages3 = v == "3";
    else if (k == "acc_bits" && (v == "32" || v == "16")) p.acc_bits = std::stoi(v);
    else if (!((k == "a" && v == "int8") || (k == "w" && v == "int8") || k == "fast"))
      throw pe::PeError(fmt::format("cosim int_mac: no RTL built for {}={} (built: {})", k, v, built));
  }
  if ((p.acc_bits == 16) != p.saturate || (p.saturate && stages3))
    throw pe::PeError(fmt::format("cosim int_mac: no RTL built for this combination (built: {})", built));
  p.stages = stages3 ? 3 : 1;
  const PeCosimSpec spec = int_mac_cosim_spec(p);
  if (p.saturate) return run_pe_cosim<Vint_mac_sat>(spec, o);
  return stages3 ? run_pe_cosim<Vint_mac_s3>(spec, o) : run_pe_cosim<Vint_mac>(spec, o);
}

}  // namespace arithsim::cosim
