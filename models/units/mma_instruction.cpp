#include <arithsim/models/units/mma_instruction.hpp>

#include <array>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/units/accumulator.hpp>

namespace arithsim::units {
namespace {

using K = Unrounded::Kind;
enum : uint8_t { kZero = 0, kFinite = 1, kNaN = 2, kPosInf = 4, kNegInf = 8 };

const formats::MinifloatSpec* minifloat(const formats::ElementFormat& f) {
  const auto* c = f.codec<formats::MinifloatCodec>();
  return c ? &c->spec() : nullptr;
}

}  // namespace

void MmaSpec::validate() const {
  for (const auto* f : {&a, &b, &out, &block_result}) {
    const auto* m = minifloat(*f);
    if (!m || m->conv == formats::FloatConvention::UE)
      throw std::invalid_argument(fmt::format("format {} is not a signed minifloat", f->name()));
  }
  if (k < 1 || k > 4096) throw std::invalid_argument(fmt::format("instruction k must be 1..4096, got {}", k));
  if (block < 1 || k % block) throw std::invalid_argument(fmt::format("block {} does not divide k={}", block, k));
  if (interleave < 0 || (interleave && (block % interleave || (k / interleave) % (k / block))))
    throw std::invalid_argument(fmt::format("interleave {} does not split k={} into blocks of {}", interleave, k, block));
  if (operand_format) {
    const auto* of = minifloat(*operand_format);
    if (!of) throw std::invalid_argument(fmt::format("operand format {} is not a minifloat", operand_format->name()));
    for (const auto* f : {&a, &b}) {
      const auto* m = minifloat(*f);
      const int emin = 1 - m->bias - m->m, of_emin = 1 - of->bias - of->m;
      if (m->m > of->m || f->emax() > operand_format->emax() || emin < of_emin)
        throw std::invalid_argument(fmt::format("input {} is not inside the operand format {}", f->name(), operand_format->name()));
    }
  }
  const auto *r = minifloat(block_result), *o = minifloat(out);
  if (r->m > o->m || r->e > o->e || (r->e == o->e && r->bias != o->bias))
    throw std::invalid_argument(fmt::format("block result {} is not inside the output {}", block_result.name(), out.name()));
  fma.validate();
}

MmaInstruction::OperandBits MmaInstruction::to_bits(const Decoded& d, int m) {
  MmaInstruction::OperandBits o;
  o.neg = d.neg;
  switch (d.kind) {
    case K::Zero: o.cls = kZero; break;
    case K::NaN: o.cls = kNaN; break;
    case K::Inf: o.cls = d.neg ? kNegInf : kPosInf; break;
    case K::Finite:
      o.cls = kFinite;
      o.mant = uint32_t(d.mant);
      o.lsb = int16_t(d.exp);
      o.align = int16_t(d.exp + m);
      break;
  }
  return o;
}

MmaInstruction::MmaInstruction(MmaSpec s) : s_(std::move(s)) {
  s_.validate();
  am_ = minifloat(s_.operand_format ? *s_.operand_format : s_.a)->m;
  bm_ = minifloat(s_.operand_format ? *s_.operand_format : s_.b)->m;
  outm_ = minifloat(s_.out)->m;
  blockm_ = minifloat(s_.block_result)->m;
  block_emax_ = s_.block_result.emax();
  // Decode tables for inputs of <= 16 bits (fp16, bf16, FP8): one lookup per operand, the
  // value as the multiplier holds it (in operand_format when there is one: exact, checked).
  for (auto [fmt, t] : {std::pair{&s_.a, &ta_}, std::pair{&s_.b, &tb_}}) {
    if (fmt->bits() > 16 && !s_.operand_format) continue;
    if (fmt->bits() > 16)
      throw std::invalid_argument(fmt::format("operand format with an input of {} bits (at most 16)", fmt->bits()));
    t->mask = (uint32_t{1} << fmt->bits()) - 1;
    t->table.resize(size_t(t->mask) + 1);
    const int m = fmt == &s_.a ? am_ : bm_;
    for (uint32_t code = 0; code <= t->mask; ++code) {
      Decoded d = fmt->decode_exact(code);
      if (s_.operand_format && d.kind != K::NaN) {
        const auto& of = *s_.operand_format;
        const uint32_t conv = of.encode(d.unrounded());
        if (of.decode(conv) != fmt->decode(code))
          throw std::invalid_argument(fmt::format("{} code 0x{:x} is not a value of the operand format {}", fmt->name(), code, of.name()));
        d = of.decode_exact(conv);
      }
      t->table[code] = to_bits(d, m);
    }
  }
}

[[gnu::always_inline]] inline MmaInstruction::OperandBits MmaInstruction::operand(const formats::ElementFormat& f,
                                                                                 const DecodeTable& t, int m,
                                                                                 uint32_t code) const {
  if (!t.table.empty()) return t.table[code & t.mask];
  return to_bits(f.decode_exact(code), m);
}

MmaInstruction::Value MmaInstruction::value(uint32_t c) const { return {s_.out.decode_exact(c), outm_}; }

uint32_t MmaInstruction::code(const Value& d) const {
  if (d.d.kind == K::NaN) return s_.nan_code;
  return s_.out.encode(d.d.unrounded());  // exact: block results are values of out
}

uint32_t MmaInstruction::apply(std::span<const uint32_t> a, std::span<const uint32_t> b, uint32_t c) const {
  return code(apply(a, b, value(c)));
}

MmaInstruction::Value MmaInstruction::apply(std::span<const uint32_t> a, std::span<const uint32_t> b, const Value& cv) const {
  const size_t n = std::min(a.size(), b.size());
  if (n > size_t(s_.k)) throw std::invalid_argument(fmt::format("instruction: {} products for k={}", n, s_.k));
  const Decoded& dc = cv.d;
  auto inf = [&](bool neg) { return Value{Decoded{K::Inf, neg, 0, 0}, outm_}; };
  // multiply -> align -> add -> normalize, one block at a time; round to the block result.
  const formats::RoundingOptions block_o{s_.block_rounding, formats::Overflow::Infinity};
  const int blocks = s_.k / s_.block;
  const int run = s_.interleave ? s_.interleave : s_.block;
  std::array<BlockTerm, 65> small_block;  // uninitialized: BlockTerm is trivial
  std::vector<BlockTerm> big_block;
  BlockTerm* terms = small_block.data();
  if (size_t(s_.block) + 1 > small_block.size()) {
    big_block.resize(size_t(s_.block) + 1);
    terms = big_block.data();
  }
  Decoded carry = s_.c_late ? Decoded{} : dc;  // the addend of the next block, a value of `out`
  int carry_m = cv.m;
  // Specials (NaN, inf) are flagged beside the datapath: the operand classes are OR-ed on the
  // way, and the careful pass over every product and c runs only when one is there.
  uint8_t any = (dc.kind == K::NaN || dc.kind == K::Inf) ? kNaN : 0;
  bool inf_block = false;
  for (int blk = 0; blk < blocks && !inf_block; ++blk) {
    size_t t = 0;
    if (carry.kind == K::Finite) terms[t++] = addend_term(carry, carry_m);
    // Block blk holds the runs r with r mod blocks == blk (contiguous: run = block).
    for (int r = blk; r * run < int(n); r += blocks)
      for (int j = r * run; j < (r + 1) * run && j < int(n); ++j) {
        const OperandBits x = operand(s_.a, ta_, am_, a[size_t(j)]), y = operand(s_.b, tb_, bm_, b[size_t(j)]);
        any |= x.cls | y.cls;
        if ((x.cls & y.cls) == kFinite)  // both finite and nonzero: the exact product
          terms[t++] = {x.neg != y.neg, uint64_t(x.mant) * y.mant, x.lsb + y.lsb, x.align + y.align};
      }
    // Overflow is an exponent past the format's (the unit tests the exponent, not the
    // rounded magnitude): +-inf under RZ too; below that, RZ stops at the largest finite.
    const Unrounded sum = block_fma_sum({terms, t}, s_.fma);
    if (sum.finite() && sum.exp > block_emax_) {
      carry = Decoded{K::Inf, sum.neg, 0, 0};
    } else {
      carry = s_.block_result.decode_exact(s_.block_result.encode(sum, block_o));
      carry_m = blockm_;
    }
    inf_block = carry.kind == K::Inf;  // rounded up past the largest finite value
  }
  if (inf_block)  // the rest of the operands still decide NaN
    for (size_t i = 0; i < n; ++i) any |= operand(s_.a, ta_, am_, a[i]).cls | operand(s_.b, tb_, bm_, b[i]).cls;
  if (any & (kNaN | kPosInf | kNegInf)) {
    bool nan = dc.kind == K::NaN, pinf = dc.kind == K::Inf && !dc.neg, ninf = dc.kind == K::Inf && dc.neg;
    for (size_t i = 0; i < n; ++i) {
      const OperandBits x = operand(s_.a, ta_, am_, a[i]), y = operand(s_.b, tb_, bm_, b[i]);
      const bool ix = x.cls & (kPosInf | kNegInf), iy = y.cls & (kPosInf | kNegInf);
      if (x.cls == kNaN || y.cls == kNaN || (ix && y.cls == kZero) || (iy && x.cls == kZero))
        nan = true;
      else if (ix || iy)
        ((x.neg != y.neg) ? ninf : pinf) = true;
    }
    if (nan || (pinf && ninf)) return Value{Decoded{K::NaN, false, 0, 0}, outm_};
    if (pinf || ninf) return inf(ninf);
  }
  if (inf_block) return inf(carry.neg);
  if (!s_.c_late) return {carry, carry_m};  // a value of block_result, inside out
  const formats::RoundingOptions rne{formats::Rounding::NearestEven, formats::Overflow::Infinity};
  return {s_.out.decode_exact(s_.out.encode(units::add(carry.unrounded(), dc.unrounded()), rne)), outm_};
}

}  // namespace arithsim::units
