#include <arithsim/models/pe/workload_plan.hpp>

#include <fmt/format.h>

namespace arithsim::pe {

namespace {
uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

std::string params_text(const Params& p) {
  std::string s;
  for (const auto& [k, v] : p) s += fmt::format("{}{}={}", s.empty() ? "" : " ", k, v);
  return s;
}
}  // namespace

FormatFacts format_facts(const std::string& name) {
  if (formats::looks_like_block(name)) {
    const auto s = formats::parse_block(name);
    const auto i = s.elem.info();
    return {name, i.kind, i.bits, true, s.block};
  }
  const auto i = formats::ElementFormat::parse(name).info();
  return {name, i.kind, i.bits, false, 0};
}

std::string asks(const OperandRequest& q, const FormatFacts& f) {
  return fmt::format("(trace op '{}' asks for {})", q.op, f.name);
}

int param_bits(const Params& params, const std::string& key, const std::string& def) {
  const auto it = params.find(key);
  return formats::ElementFormat::parse(it == params.end() ? def : it->second).bits();
}

void slice_weights(OperandPlan& p, const FormatFacts& w, int native_bits, const char* what) {
  if (w.bits <= native_bits) return;
  p.passes = int(ceil_div(uint64_t(w.bits), uint64_t(native_bits)));
  p.note = fmt::format("{}-bit {} bit-sliced into {} passes of int{}", w.bits, what, p.passes, native_bits);
}

OperandPlan plan_convert_on_load(const std::string& pe, const Params& params, const OperandRequest& q) {
  OperandPlan p;
  p.params = params;
  if (q.w.bits > 16 || q.a.bits > 16)
    throw PeError(fmt::format("{}: operands must be formats of at most 16 bits, converted on load to the PE's formats {}",
                              pe, asks(q, q.w.bits > 16 ? q.w : q.a)));
  if (q.group > 0) {
    p.dequant_on_load = true;
    p.note = fmt::format("{} weights (scale per {}) dequantized and converted to the PE's format on load", q.w.name, q.group);
  } else {
    p.note = fmt::format("operands converted on load to the PE's formats ({})",
                         params_text(params).empty() ? "defaults" : params_text(params));
  }
  return p;
}

OperandPlan plan_low_bit_weights(const std::string& pe, const Params& params, const OperandRequest& q,
                                 const std::string& default_w, const std::string& weights_allowed) {
  OperandPlan p;
  p.params = params;
  if (q.w.kind != "int" || q.w.bits > 8)
    throw PeError(fmt::format("{}: weights must be {} {}", pe, weights_allowed, asks(q, q.w)));
  if (!((q.a.kind == "int" && q.a.bits <= 8) || (q.a.kind == "minifloat" && q.a.bits == 16)))
    throw PeError(fmt::format("{}: activations must be int8 or fp16/bf16 {}", pe, asks(q, q.a)));
  slice_weights(p, q.w, param_bits(params, "w", default_w), "operand");
  p.params["a"] = q.a.kind == "int" ? "int8" : "fp16";
  p.params["group"] = std::to_string(q.group > 0 ? q.group : int64_t(q.k));
  if (q.a.kind == "minifloat" && q.a.name != "fp16" && q.a.name != "float16")
    p.note += (p.note.empty() ? "" : "; ") + fmt::format("{} activations converted to fp16", q.a.name);
  return p;
}

}  // namespace arithsim::pe
