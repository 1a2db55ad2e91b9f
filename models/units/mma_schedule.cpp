#include <arithsim/models/units/mma_schedule.hpp>

#include <stdexcept>

#include <fmt/format.h>

#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::units {
namespace {

const formats::ElementFormat& fp32() {
  static const auto f = formats::ElementFormat::parse("float32");
  return f;
}
const formats::RoundingOptions kRne{formats::Rounding::NearestEven, formats::Overflow::Infinity};

// The chain of instructions over codes [lo, hi), starting from accumulator code c; sa, sb:
// the scales of the runs of scale_block elements (block-scaled inputs), else empty.
uint32_t chain(const MmaInstruction& mma, std::span<const uint32_t> a, std::span<const uint32_t> b,
               std::span<const uint32_t> sa, std::span<const uint32_t> sb, size_t lo, size_t hi, uint32_t c) {
  const size_t k = size_t(mma.spec().k), run = size_t(std::max(mma.spec().scale_block, 1));
  MmaInstruction::Value v = mma.value(c);  // D passes to C as a value (no code round trip)
  for (size_t i = lo; i < hi; i += k) {
    const size_t n = std::min(k, hi - i);
    if (sa.empty()) {
      v = mma.apply(a.subspan(i, n), b.subspan(i, n), v);
      continue;
    }
    const size_t s0 = i / run, sn = (n + run - 1) / run;
    if (s0 + sn > sa.size() || s0 + sn > sb.size())
      throw std::invalid_argument(fmt::format("mma_dot: {} scales of a and {} of b for elements up to {} in runs of {}", sa.size(),
                                              sb.size(), i + n, run));
    v = mma.apply(a.subspan(i, n), b.subspan(i, n), v, sa.subspan(s0, sn), sb.subspan(s0, sn));
  }
  return mma.code(v);
}

}  // namespace

void MmaSchedule::validate(const MmaInstruction& mma) const {
  const size_t k = size_t(mma.spec().k);
  if (promote % k) throw std::invalid_argument(fmt::format("promotion interval {} is not a multiple of the instruction k={}", promote, k));
  if (split_k < 1) throw std::invalid_argument("split_k must be at least 1");
  if (c_in_accumulator && c_in_register) throw std::invalid_argument("c enters the accumulator or the promotion register, not both");
  if (d && !d->codec<formats::MinifloatCodec>()) throw std::invalid_argument(fmt::format("output type {} is not a float format", d->name()));
}

uint32_t mma_dot(const MmaInstruction& mma, const MmaSchedule& s, std::span<const uint32_t> a,
                 std::span<const uint32_t> b, uint32_t c, std::span<const uint32_t> sa, std::span<const uint32_t> sb) {
  if (a.size() != b.size()) throw std::invalid_argument(fmt::format("mma_dot: {} codes of a, {} of b", a.size(), b.size()));
  if (mma.spec().scale.has_value() != !sa.empty() || sa.size() != sb.size())
    throw std::invalid_argument(fmt::format("mma_dot: {} scales of a and {} of b for {} inputs", sa.size(), sb.size(),
                                            mma.spec().scale ? "block-scaled" : "unscaled"));
  return mma_schedule_dot(mma, s, a.size(), c,
                          [&](size_t lo, size_t hi, uint32_t seed) { return chain(mma, a, b, sa, sb, lo, hi, seed); });
}

uint32_t mma_schedule_dot(const MmaInstruction& mma, const MmaSchedule& s, size_t K, uint32_t c, const MmaChain& chain) {
  const auto& acc_f = mma.spec().out;
  const auto& out = s.d ? *s.d : acc_f;
  const size_t k = size_t(mma.spec().k);
  const uint32_t zero = acc_f.encode(0.0), seed = s.c_in_accumulator ? c : zero;
  const Unrounded c_value = acc_f.decode_exact(c).unrounded();
  Unrounded acc;
  if (s.promote == 0 && s.split_k == 1 && !s.c_in_register) {
    acc = acc_f.decode_exact(chain(0, K, seed)).unrounded();
  } else {
    // Parts of whole instructions; each part's chains (one per promotion interval) are added
    // to an FP32 register, and the parts' registers are added in order.
    auto add32 = [](const Unrounded& x, const Unrounded& y) {
      return fp32().decode_exact(fp32().encode(add(x, y), kRne)).unrounded();
    };
    const size_t instrs = (K + k - 1) / k, per_part = (instrs + s.split_k - 1) / s.split_k;
    acc = Unrounded::zero(false);
    bool first = true;
    for (size_t p = 0; p < s.split_k; ++p) {
      const size_t lo = std::min(K, p * per_part * k), hi = std::min(K, (p + 1) * per_part * k);
      const size_t step = s.promote ? s.promote : std::max<size_t>(hi - lo, 1);
      // The register starts at c (fp32 and fp16 values are fp32 values) or at +0.
      Unrounded part = (p == 0 && s.c_in_register) ? c_value : Unrounded::zero(false);
      for (size_t i = lo; i < hi || first; i += step) {
        part = add32(part, acc_f.decode_exact(chain(i, std::min(hi, i + step), first ? seed : zero)).unrounded());
        first = false;
      }
      acc = p == 0 ? part : add32(acc, part);
    }
  }
  // The unit's NaN code stays when the output type is the accumulator's.
  if (acc.kind == Unrounded::Kind::NaN && !s.d) return mma.spec().nan_code;
  const bool c_in_epilogue = !s.c_in_accumulator && !s.c_in_register;
  if (!c_in_epilogue && s.alpha == 1.0f) return out.encode(acc, kRne);
  // Epilogue in FP32: fma(alpha, acc, beta * c), one rounding for the product-sum.
  const Unrounded scaled = multiply(Unrounded::from_float(s.alpha), acc);  // exact: 24 x 24 bits
  Unrounded y = scaled;
  if (c_in_epilogue) {
    const uint32_t bc = fp32().encode(multiply(Unrounded::from_float(s.beta), c_value), kRne);
    y = add(scaled, fp32().decode_exact(bc).unrounded());
  }
  const uint32_t d32 = fp32().encode(y, kRne);
  return out.encode(fp32().decode_exact(d32).unrounded(), kRne);
}

}  // namespace arithsim::units
