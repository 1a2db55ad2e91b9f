// INT8/INT4 MAC: integer multiply, W-bit integer accumulate (wrap or saturate), and one
// dequantization (acc * s_a * s_w, rounded once to FP32) at the output.
#include <fmt/format.h>

#include "models/pe/pe.hpp"
#include "models/pe/registry.hpp"
#include "models/units/accumulator.hpp"
#include "models/units/multiplier.hpp"

namespace arithsim::pe {
namespace {

const PeInfo kInfo{"int_mac",
                   "integer MAC: INTa x INTw -> INT(acc_bits) accumulate, FP32 dequantized output",
                   "baseline integer MAC (e.g. INT8 x INT8 -> INT32 of 'FP8 versus INT8 for efficient deep learning inference', 2023)",
                   {{"a", "int8", "activation format: int2..int16"},
                    {"w", "int8", "weight format: int2..int16"},
                    {"acc_bits", "32", "accumulator width in bits (2..63)"},
                    {"saturate", "false", "saturate the accumulator instead of wrapping"}}};

class IntMac final : public ProcessingElement {
 public:
  explicit IntMac(const Params& p)
      : r_(kInfo, p), a_(r_.format("a")), w_(r_.format("w")), out_(formats::ElementFormat::parse("float32")) {
    for (const auto* f : {&a_, &w_}) {
      const auto* ic = f->codec<formats::IntCodec>();
      if (!ic || !ic->spec().is_signed || ic->spec().frac_bits != 0 || ic->bits() > 16)
        r_.fail(fmt::format("operand format {} is not a signed integer of 2..16 bits", f->name()));
    }
    acc_bits_ = r_.integer("acc_bits", 2, 63);
    saturate_ = r_.flag("saturate");
  }
  const PeInfo& info() const override { return kInfo; }
  std::string config() const override { return r_.resolved(); }
  void check_k(size_t) const override {}
  Operand quantize_a(std::span<const float> a) const override { return quantize_int_symmetric(a_, a); }
  Operand quantize_w(std::span<const float> w) const override { return quantize_int_symmetric(w_, w); }
  const formats::ElementFormat& output_format() const override { return out_; }

  double dot(const Operand& a, const Operand& w) const override {
    const auto* ca = a_.codec<formats::IntCodec>();
    const auto* cw = w_.codec<formats::IntCodec>();
    units::IntAccumulator acc(acc_bits_, saturate_);
    for (size_t i = 0; i < a.size(); ++i) acc.add(ca->to_int(a.codes[i]) * cw->to_int(w.codes[i]));  // multiply, accumulate
    // dequantize: one rounding of acc * s_a * s_w (the scale product is exact in double).
    const int64_t v = acc.value();
    const auto sum = formats::Unrounded::from_int(v < 0, uint64_t(v < 0 ? -v : v), 0);
    const auto y = units::multiply(sum, formats::Unrounded::from_double(a.scales[0] * w.scales[0]));
    return out_.decode(out_.encode(y));
  }

 private:
  ParamReader r_;
  formats::ElementFormat a_, w_, out_;
  int acc_bits_;
  bool saturate_;
};

}  // namespace

const PeInfo& int_mac_info() { return kInfo; }
std::unique_ptr<ProcessingElement> make_int_mac(const Params& p) { return std::make_unique<IntMac>(p); }

}  // namespace arithsim::pe
