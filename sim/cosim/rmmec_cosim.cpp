// Co-simulation binding of rtl/rmmec.sv (XR-NPE RMMEC): the Verilated parameter sets below
// against models/cycle/rmmec_cycle.hpp, every dot product checked against the bit-accurate PE
// model (pe::make_pe("rmmec", ...)->dot with unit scales, encoded to the output format).
// One stream element is one SIMD cycle of `lanes` products; the reference unpacks the lanes.
#include <fmt/format.h>

#include "Vrmmec.h"
#include "Vrmmec_fp4.h"
#include "Vrmmec_p16.h"
#include "Vrmmec_p4.h"
#include "Vrmmec_p8f32.h"
#include "models/cycle/rmmec_cycle.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {

namespace {

struct BuiltSet {
  const char* mode;
  const char* acc;
  int stages;
  CosimReport (*run)(const PeCosimSpec&, const CosimOptions&);
};

const BuiltSet kBuilt[] = {
    {"posit8_0", "quire", 1, run_pe_cosim<Vrmmec>},
    {"posit16_1", "quire", 2, run_pe_cosim<Vrmmec_p16>},
    {"posit4_1", "quire", 1, run_pe_cosim<Vrmmec_p4>},
    {"fp4", "quire", 1, run_pe_cosim<Vrmmec_fp4>},
    {"posit8_0", "fp32", 1, run_pe_cosim<Vrmmec_p8f32>},
};

}  // namespace

std::string rmmec_rtl_configs() {
  std::string s;
  for (const auto& b : kBuilt)
    s += fmt::format("{}mode={} acc={} stages={}", s.empty() ? "" : "; ", b.mode, b.acc, b.stages);
  return s + " (default lanes, out=fp32)";
}

CosimReport run_rmmec_cosim(const pe::Params& params, const CosimOptions& o) {
  pe::Params pe_params = params;
  pe_params.erase("stages");  // a cycle-model parameter
  const auto pe_model = std::shared_ptr<const pe::ProcessingElement>(pe::make_pe("rmmec", pe_params));  // validates
  cycle::RmmecCycleParams p;
  try {
    p = cycle::rmmec_cycle_params(params);
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(e.what());
  }
  const auto out = formats::ElementFormat::parse(p.out);
  if (out.name() != formats::ElementFormat::parse("fp32").name())
    throw pe::PeError(fmt::format("cosim rmmec: no RTL built for out={} (the RTL rounds to fp32 only; built: {})", p.out,
                                  rmmec_rtl_configs()));
  cycle::RmmecCycleParams mode_default = p;
  mode_default.lanes = 0;
  if (p.lanes != 0 && p.lanes != mode_default.lanes_used())
    throw pe::PeError(fmt::format("cosim rmmec: no RTL built for lanes={} (built: {})", p.lanes, rmmec_rtl_configs()));
  const BuiltSet* set = nullptr;
  for (const auto& b : kBuilt)
    if (p.mode == b.mode && p.acc == b.acc && p.stages == b.stages) set = &b;
  if (set == nullptr)
    throw pe::PeError(fmt::format("cosim rmmec: no RTL built for mode={} acc={} stages={} (built: {})", p.mode, p.acc,
                                  p.stages, rmmec_rtl_configs()));

  const auto f = std::make_shared<const formats::ElementFormat>(formats::ElementFormat::parse(p.element_format()));
  const int bits = f->bits(), lanes = p.lanes_used();
  PeCosimSpec spec;
  spec.pe = "rmmec";
  spec.model = std::make_shared<cycle::RmmecCycle>(p);
  // Operands: random codes and the format's corners (zeros, +-1, +-maxpos, +-minpos, NaR,
  // all ones ...). NaR is kept only now and then so that most dot products stay finite.
  const auto corners = corner_codes(*f);
  const uint32_t nar = f->is_nan(uint32_t(1) << (bits - 1)) ? uint32_t(1) << (bits - 1) : UINT32_MAX;
  const unsigned keep_nar = unsigned(24 * lanes);
  spec.operands = [f, corners, nar, keep_nar, bits, lanes](std::mt19937_64& g, cycle::PeIn& in, size_t) {
    auto code = [&] {
      uint32_t c = random_code(g, *f, corners);
      while (c == nar && g() % keep_nar != 0) c = random_code(g, *f, corners);
      return uint64_t(c);
    };
    in.in_a = in.in_w = 0;
    for (int i = 0; i < lanes; ++i) {
      in.in_a |= code() << (i * bits);
      in.in_w |= code() << (i * bits);
    }
  };
  spec.reference = [pe_model, f, out, bits, lanes](const std::vector<cycle::PeIn>& dot) {
    pe::Operand a, w;
    for (pe::Operand* op : {&a, &w}) {
      op->format = f.get();
      op->group = dot.size() * size_t(lanes);
      op->scales = {1.0};
    }
    for (const auto& e : dot)
      for (int i = 0; i < lanes; ++i) {
        a.codes.push_back(uint32_t(cycle::lane(e.in_a, i, bits)));
        w.codes.push_back(uint32_t(cycle::lane(e.in_w, i, bits)));
      }
    return uint64_t(out.encode(pe_model->dot(a, w)));
  };
  return set->run(spec, o);
}

}  // namespace arithsim::cosim
