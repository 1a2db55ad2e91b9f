// Reading a cycle model's parameters from pe::Params: what the <pe>_cycle_params functions of
// models/cycle/<pe>_cycle.hpp share. A cycle model takes the PE's parameters plus "stages"
// (its front pipeline registers).
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "models/formats/format.hpp"
#include "models/pe/pe.hpp"

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

// The RTL of the group-quantized PEs (INT8 or FP16 activations) implements an fp32
// accumulator only (the cycle models do more): std::invalid_argument otherwise.
inline void check_fp32_acc_rtl(const std::string& pe, const std::string& acc) {
  if (formats::ElementFormat::parse(acc).name() != "float32")
    throw std::invalid_argument(fmt::format("{}: the RTL implements acc=fp32 only, got {}", pe, acc));
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
