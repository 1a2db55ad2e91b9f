// Reading a cycle model's parameters from pe::Params: what the <pe>_cycle_params functions of
// models/cycle/<pe>_cycle.hpp share. A cycle model takes the PE's parameters plus "stages"
// (its front pipeline registers).
#pragma once

#include <exception>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/pe/pe.hpp>

namespace arithsim::cycle {

// The value of "stages" (its leading integer, std::stoi), or std::invalid_argument
// "<pe>: bad value '<v>' for stages". The range is checked by check_stages.
inline int parse_stages(const std::string& pe, const std::string& v) {
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    throw std::invalid_argument(fmt::format("{}: bad value '{}' for stages", pe, v));
  }
}

// The cycle parameters P (defaults, then validated) of the PEs that read their parameters key
// by key (fp8_mac, lmul_pe): "stages" (parse_stages) into p.stages, every other key to
// `read(p, key, value)`, which returns false for a key it does not know: std::invalid_argument
// "<pe>: unknown parameter '<key>'". Keys in map order.
template <class P, class Read>
P read_params(const std::string& pe, const pe::Params& params, Read read) {
  P p;
  for (const auto& [k, v] : params) {
    if (k == "stages") p.stages = parse_stages(pe, v);
    else if (!read(p, k, v)) throw std::invalid_argument(fmt::format("{}: unknown parameter '{}'", pe, k));
  }
  p.validate();
  return p;
}

// The PEs read through pe::ParamReader (MixPE, LUT Tensor Core), which knows no "stages":
// `params` without it, its value (if any) in `stages`. A bad value is a pe::PeError.
inline pe::Params take_stages(const std::string& pe, const pe::Params& params, int& stages) {
  pe::Params rest = params;
  if (auto it = rest.find("stages"); it != rest.end()) {
    try {
      stages = parse_stages(pe, it->second);
    } catch (const std::invalid_argument& e) {
      throw pe::PeError(fmt::format("{} (want an integer)", e.what()));
    }
    rest.erase(it);
  }
  return rest;
}

// The activation format of the group-quantized PEs (MixPE, LUT Tensor Core): int8 (false) or
// fp16 (true); anything else fails the reader.
inline bool read_fp16_activations(const pe::ParamReader& r) {
  const auto a = r.format("a");
  if (a.name() != "int8" && a.name() != "float16") r.fail(fmt::format("a={} is not int8 or fp16", a.name()));
  return a.name() == "float16";
}

// RTL encoding of a minifloat's special-value convention (parameter *_CONV of the FP RTL).
inline int minifloat_rtl_conv(formats::FloatConvention c) {
  switch (c) {
    case formats::FloatConvention::IEEE: return 0;
    case formats::FloatConvention::FN: return 1;
    case formats::FloatConvention::Finite: return 2;
    default: return -1;  // fnuz / ue: no RTL decode
  }
}

// The minifloat spec of a format name, or an error naming the PE and the parameter.
inline formats::MinifloatSpec minifloat_spec(const std::string& pe, const std::string& key, const std::string& name) {
  formats::ElementFormat f = [&] {
    try {
      return formats::ElementFormat::parse(name);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{}: bad value '{}' for {}: {}", pe, name, key, e.what()));
    }
  }();
  const auto* s = std::get_if<formats::MinifloatSpec>(&f.spec());
  if (!s) throw std::invalid_argument(fmt::format("{}: {}={} is not a minifloat", pe, key, name));
  return *s;
}

// A format the shared FP RTL blocks (fp_decode, fp_round, fp_acc_add) implement: IEEE-style
// (inf/NaN at the all-ones exponent), the default bias, >= 2 mantissa bits: fp32, fp16, bf16...
inline bool fp_rtl_format(const formats::MinifloatSpec& s) {
  return s.conv == formats::FloatConvention::IEEE && s.bias == formats::MinifloatSpec::default_bias(s.e) && s.m >= 2;
}

// An accumulator format the shared fp_acc_add block implements (fp8_mac, lmul_pe: the cycle
// models implement no other).
inline void check_fp_acc_format(const std::string& pe, const std::string& name) {
  if (!fp_rtl_format(minifloat_spec(pe, "acc", name)))
    throw std::invalid_argument(
        fmt::format("{}: acc={} has no cycle model/RTL: the accumulator must be an IEEE-style format with the default "
                    "bias (fp32, fp16, bf16)", pe, name));
}

// The RTL parameters {<prefix>_E, <prefix>_M} of a floating-point format the RTL implements
// (the group-quantized PEs' accumulator and table: their cycle models take any float of <= 32
// bits), or std::invalid_argument naming the PE, the parameter and what is implemented.
inline std::map<std::string, std::string> fp_rtl_parameters(const std::string& pe, const std::string& key,
                                                            const std::string& name, const std::string& prefix) {
  const auto s = minifloat_spec(pe, key, name);
  if (!fp_rtl_format(s))
    throw std::invalid_argument(fmt::format(
        "{}: the RTL implements {} formats that are IEEE-style with the default bias (fp32, fp16, bf16), got {}={}",
        pe, key, key, name));
  return {{prefix + "_E", std::to_string(s.e)}, {prefix + "_M", std::to_string(s.m)}};
}



// p validated, its std::invalid_argument turned into the pe::PeError of a parameter error.
template <class P>
P validated_as_pe_params(P p) {
  try {
    p.validate();
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(e.what());
  }
  return p;
}

}  // namespace arithsim::cycle
