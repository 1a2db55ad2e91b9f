// Co-simulation binding of rtl/rmmec.sv (XR-NPE RMMEC): the Verilated parameter sets below
// against models/cycle/rmmec_cycle.hpp, every dot product checked against the bit-accurate PE
// model (pe::make_pe("rmmec", ...)->dot with unit scales, encoded to the output format).
// One stream element is one SIMD cycle of `lanes` products; the reference unpacks the lanes.
#include <fmt/format.h>

#include "Vrmmec.h"
#include "Vrmmec_fp4.h"
#include "Vrmmec_fp4_outbf16.h"
#include "Vrmmec_p16.h"
#include "Vrmmec_p16_outp16.h"
#include "Vrmmec_p16_outp8.h"
#include "Vrmmec_p4.h"
#include "Vrmmec_p8_outfp16.h"
#include "Vrmmec_p8_outp8.h"
#include "Vrmmec_p8f32.h"
#include "Vrmmec_p8f32_outfp16.h"
#include "Vrmmec_p8f32_outp8.h"
#include <arithsim/models/cycle/rmmec_cycle.hpp>
#include "sim/cosim/binding_util.hpp"
#include "sim/cosim/cosim.hpp"

namespace arithsim::cosim {

namespace {

struct BuiltSet {
  const char* mode;
  const char* acc;
  int stages;
  const char* out;  // the output format
  RunFn run;
};

const BuiltSet kBuilt[] = {
    {"posit8_0", "quire", 1, "fp32", run_pe_cosim<Vrmmec>},
    {"posit16_1", "quire", 2, "fp32", run_pe_cosim<Vrmmec_p16>},
    {"posit4_1", "quire", 1, "fp32", run_pe_cosim<Vrmmec_p4>},
    {"fp4", "quire", 1, "fp32", run_pe_cosim<Vrmmec_fp4>},
    {"posit8_0", "fp32", 1, "fp32", run_pe_cosim<Vrmmec_p8f32>},
    {"posit8_0", "quire", 1, "posit8_0", run_pe_cosim<Vrmmec_p8_outp8>},
    {"posit16_1", "quire", 2, "posit16_1", run_pe_cosim<Vrmmec_p16_outp16>},
    {"posit8_0", "fp32", 1, "posit8_0", run_pe_cosim<Vrmmec_p8f32_outp8>},
    {"posit8_0", "quire", 1, "fp16", run_pe_cosim<Vrmmec_p8_outfp16>},
    {"posit16_1", "quire", 2, "posit8_0", run_pe_cosim<Vrmmec_p16_outp8>},
    {"fp4", "quire", 1, "bf16", run_pe_cosim<Vrmmec_fp4_outbf16>},
    {"posit8_0", "fp32", 1, "fp16", run_pe_cosim<Vrmmec_p8f32_outfp16>},
};

}  // namespace

std::string rmmec_rtl_configs() {
  return describe_sets(kBuilt, "; ",
                       [](const BuiltSet& b) {
                         return fmt::format("mode={} acc={} out={} stages={}", b.mode, b.acc, b.out, b.stages);
                       }) +
         " (default lanes)";
}

CosimReport run_rmmec_cosim(const pe::Params& params, const CosimOptions& o) {
  const auto pe_model = reference_pe("rmmec", params);  // validates
  cycle::RmmecCycleParams p;
  try {
    p = cycle::rmmec_cycle_params(params);
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(e.what());
  }
  const auto out = formats::ElementFormat::parse(p.out);
  cycle::RmmecCycleParams mode_default = p;
  mode_default.lanes = 0;
  if (p.lanes != 0 && p.lanes != mode_default.lanes_used())
    throw pe::PeError(fmt::format("cosim rmmec: no RTL built for lanes={} (built: {})", p.lanes, rmmec_rtl_configs()));
  const BuiltSet* set = find_set(kBuilt, [&](const BuiltSet& b) {
    return p.mode == b.mode && p.acc == b.acc && p.stages == b.stages && same_format(p.out, b.out);
  });
  if (set == nullptr)
    throw pe::PeError(fmt::format("cosim rmmec: no RTL built for mode={} acc={} out={} stages={} (built: {})", p.mode,
                                  p.acc, p.out, p.stages, rmmec_rtl_configs()));

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
  spec.reference = [pe_model, f, out, lanes](const std::vector<cycle::PeIn>& dot) {
    return uint64_t(out.encode(unit_scale_dot(*pe_model, *f, *f, dot, lanes)));
  };
  return set->run(spec, o);
}

}  // namespace arithsim::cosim
