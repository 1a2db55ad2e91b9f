// Cycle-level XR-NPE RMMEC, the twin of rtl/rmmec.sv (docs/pe/rmmec.md, "Cycle model and
// RTL"). One element of the stream is one SIMD cycle: `lanes` operand codes packed in in_a and
// in_w (lane i in bits [i*bits, (i+1)*bits)), i.e. a dot product of `cycles * lanes` products.
// Stages (the names of models/pe/rmmec.cpp):
//   front: decode (posit regime/exponent/fraction or E2M1 fields) -> exponent processing
//          (scale add) -> mantissa multiply (lane blocks): units::multiply_exact per lane
//   `stages` pipeline registers (the lanes' exact products and the NaR flag)
//   align -> accumulate: acc=quire: every product into the quire (formats::Quire, LSB
//          minpos^2 of the mode); acc=fp32: the lanes' exact sum of the cycle (a quire cleared
//          every cycle) rounded into the FP32 register (units::FloatAccumulator), one
//          rounding per cycle. A NaR/NaN product sets the sticky NaR flag.
//   round -> encode (result register): NaR -> out.encode(NaN); else the quire (or the FP32
//          register) rounded once to `out`.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/cycle/cycle_params.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/formats/quire.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::cycle {

inline constexpr int kRmmecMaxLanes = 16;

struct RmmecCycleParams {
  std::string mode = "posit8_0";  // fp4 | posit4_1 | posit8_0 | posit16_1
  int lanes = 0;                  // products per cycle (0: the mode's default 4/4/2/1)
  std::string acc = "quire";      // quire | fp32
  std::string out = "fp32";       // output format
  int stages = 1;

  int mode_bits() const { return mode == "posit16_1" ? 16 : mode == "posit8_0" ? 8 : 4; }
  int lanes_used() const { return lanes != 0 ? lanes : mode == "posit8_0" ? 2 : mode == "posit16_1" ? 1 : 4; }
  std::string element_format() const { return mode == "fp4" ? "float4_e2m1fn" : mode; }
  void validate() const {
    if (mode != "fp4" && mode != "posit4_1" && mode != "posit8_0" && mode != "posit16_1")
      throw std::invalid_argument(fmt::format("rmmec: mode must be fp4, posit4_1, posit8_0 or posit16_1, got '{}'", mode));
    if (lanes < 0 || lanes > kRmmecMaxLanes || lanes_used() * mode_bits() > 64)
      throw std::invalid_argument(fmt::format(
          "rmmec: lanes must be 0 (mode default) or 1..{} with lanes * {} bits <= 64 (one operand word), got {}",
          kRmmecMaxLanes, mode_bits(), lanes));
    if (acc != "quire" && acc != "fp32")
      throw std::invalid_argument(fmt::format("rmmec: acc must be quire or fp32, got '{}'", acc));
    try {
      (void)formats::ElementFormat::parse(out);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("rmmec: out: {}", e.what()));
    }
    check_stages("rmmec", stages);
  }
};

// The PE's parameters (models/pe/rmmec.cpp: mode, lanes, acc, out, fast) plus "stages".
inline RmmecCycleParams rmmec_cycle_params(const pe::Params& params) {
  RmmecCycleParams p;
  for (const auto& [k, v] : params) {
    if (k == "mode") p.mode = v;
    else if (k == "acc") p.acc = v;
    else if (k == "out") p.out = v;
    else if (k == "lanes" || k == "stages") {
      int n = 0;
      try {
        size_t used = 0;
        n = std::stoi(v, &used);
        if (used != v.size()) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw std::invalid_argument(fmt::format("rmmec: {} must be an integer, got '{}'", k, v));
      }
      (k == "lanes" ? p.lanes : p.stages) = n;
    } else if (k != "fast") {
      throw std::invalid_argument(fmt::format("rmmec: unknown parameter '{}'", k));
    }
  }
  p.validate();
  return p;
}

// RTL parameters of rtl/rmmec.sv for this configuration (yosys synthesis).
// The output: any posit (posit_round) or IEEE-style float (fp_round).
inline std::map<std::string, std::string> rmmec_rtl_parameters(const RmmecCycleParams& p) {
  p.validate();
  const auto out = formats::ElementFormat::parse(p.out);
  std::map<std::string, std::string> r;
  if (const auto* ps = std::get_if<formats::PositSpec>(&out.spec())) {
    r = {{"OUT_POSIT", "1"}, {"OUT_N", std::to_string(ps->n)}, {"OUT_ES", std::to_string(ps->es)}};
  } else {
    const auto* fs = std::get_if<formats::MinifloatSpec>(&out.spec());
    if (fs == nullptr || !fp_rtl_format(*fs))
      throw std::invalid_argument(fmt::format(
          "rmmec: the RTL implements posit outputs and IEEE-style float outputs with the default bias (fp32, fp16, "
          "bf16), got out={}",
          p.out));
    r = {{"OUT_POSIT", "0"}, {"OUT_E", std::to_string(fs->e)}, {"OUT_M", std::to_string(fs->m)}};
  }
  const int mode = p.mode == "fp4" ? 0 : p.mode == "posit4_1" ? 1 : p.mode == "posit8_0" ? 2 : 3;
  r.merge(std::map<std::string, std::string>{{"MODE", std::to_string(mode)},
                                             {"LANES", std::to_string(p.lanes_used())},
                                             {"ACC_FP32", p.acc == "fp32" ? "1" : "0"},
                                             {"STAGES", std::to_string(p.stages)}});
  return r;
}

struct RmmecDatapath {
  struct Term {  // one cycle's lane products, exact
    bool nar = false;
    std::array<formats::Unrounded, kRmmecMaxLanes> prod{};
  };
  struct Acc {
    formats::Quire quire;        // acc=quire: the quire register
    units::FloatAccumulator fp;  // acc=fp32: the FP32 register
    bool nar = false;            // a NaR/NaN product was accumulated
  };

  explicit RmmecDatapath(const RmmecCycleParams& p)
      : p_((p.validate(), p)), f_(formats::ElementFormat::parse(p.element_format())),
        out_(formats::ElementFormat::parse(p.out)), lanes_(p.lanes_used()), quire_(p.acc == "quire") {
    // Quire range as the PE model: every operand is a multiple of minpos (code 1) and below
    // 2^(emax+1); 31 carry bits and the sign as the RTL (formats::Quire holds >= 64 bits; the
    // two differ only beyond 2^31 products of maxpos^2, where the RTL's quire wraps).
    lsb_ = 2 * f_.decode_exact(1).exp;
    width_ = std::max(64, 2 * (f_.emax() + 1) - lsb_ + 32);
    auto t = std::make_shared<std::vector<formats::Decoded>>();
    for (uint32_t c = 0; c < (1u << f_.bits()); ++c) t->push_back(f_.decode_exact(c));  // decode
    decoded_ = t;
    ports_ = {lanes_ * f_.bits(), lanes_ * f_.bits(), 0, 0, out_.bits()};
  }
  const PePorts& ports() const { return ports_; }
  int quire_lsb() const { return lsb_; }
  int quire_width() const { return width_; }

  Term front(const PeIn& in) const {  // decode -> exponent processing -> mantissa multiply
    Term t;
    for (int i = 0; i < lanes_; ++i) {
      const auto& a = (*decoded_)[lane(in.in_a, i, f_.bits())];
      const auto& w = (*decoded_)[lane(in.in_w, i, f_.bits())];
      const auto p = units::multiply_exact(a, w);
      if (p.kind == formats::Unrounded::Kind::NaN || p.kind == formats::Unrounded::Kind::Inf) t.nar = true;
      else t.prod[size_t(i)] = p;
    }
    return t;
  }
  // NaR flag and per lane: sign, kind, product scale, the exact significand product
  // (2 (f + 1) bits, f = the mode's most fraction bits), normalized; the RTL holds sign,
  // product significand and a shift amount: its toggles are approximated, not replicated.
  void term_register(const Term& t, RegisterBits& r) const {
    const int n = p_.mode_bits(), es = p_.mode == "posit8_0" ? 0 : 1;
    const int f = p_.mode == "fp4" ? 1 : std::max(0, n - 3 - es);
    const int eb = std::bit_width(unsigned(2 * (f_.emax() + 2))) + 1;
    r.put(t.nar, 1);
    for (int i = 0; i < lanes_; ++i) r.put(t.prod[size_t(i)], eb, 2 * (f + 1));
  }
  void accumulate(Acc& acc, const Term& t, bool first) const {  // align -> accumulate
    if (first) acc = zero();
    acc.nar = acc.nar || t.nar;
    if (quire_) {
      for (int i = 0; i < lanes_; ++i) acc.quire.add(t.prod[size_t(i)]);
      return;
    }
    formats::Quire cycle(lsb_, width_);  // the lanes' exact sum of this cycle
    for (int i = 0; i < lanes_; ++i) cycle.add(t.prod[size_t(i)]);
    acc.fp.add(cycle.value());  // one FP32 rounding per cycle
  }
  uint64_t result(const Acc& acc) const {  // round -> encode
    if (acc.nar) return out_.encode(std::numeric_limits<double>::quiet_NaN());
    if (quire_) return out_.encode(acc.quire.value());
    return out_.encode(fp32().decode_exact(acc.fp.code()).unrounded());
  }
  Acc zero() const {
    Acc a{formats::Quire(lsb_, width_), units::FloatAccumulator(fp32()), false};
    a.fp.reset();
    return a;
  }

 private:
  static const formats::ElementFormat& fp32() {  // outlives every accumulator
    static const formats::ElementFormat f = formats::ElementFormat::parse("float32");
    return f;
  }
  RmmecCycleParams p_;
  formats::ElementFormat f_, out_;
  int lanes_;
  bool quire_;
  int lsb_ = 0, width_ = 0;
  std::shared_ptr<const std::vector<formats::Decoded>> decoded_;
  PePorts ports_;
};

class RmmecCycle : public StreamingPe<RmmecDatapath> {
 public:
  explicit RmmecCycle(const RmmecCycleParams& p) : StreamingPe(RmmecDatapath(p), p.stages) {}
};

}  // namespace arithsim::cycle
