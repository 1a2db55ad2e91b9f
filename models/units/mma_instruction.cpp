#include <arithsim/models/units/mma_instruction.hpp>

#include <array>
#include <bit>
#include <cfloat>
#include <climits>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/units/accumulator.hpp>

namespace arithsim::units {
namespace {

using K = Unrounded::Kind;

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
  late.validate();
  auto fail = [](const char* what) { throw std::invalid_argument(what); };
  switch (sum) {
    case BlockSum::Aligned:
      if (c == AddendPlace::Last) fail("c 'last' is the addend of a pairwise tree (sum: pairwise)");
      break;
    case BlockSum::Exact:
      if (c != AddendPlace::First) fail("an exact sum takes c as a term (c: first)");
      break;
    case BlockSum::Pairwise:
      if (c != AddendPlace::Last) fail("a pairwise tree adds c last (c: last)");
      if (interleave || block > 64 || (block & (block - 1))) fail("a pairwise tree takes contiguous blocks of 1, 2, 4 ... 64 products");
      if (block_result.name() != out.name()) fail("a pairwise tree rounds to the output format (block_result = out)");
      for (const auto* f : {&a, &b})
        if (minifloat(*f)->m > 26) fail("a pairwise tree takes inputs of at most 26 fraction bits");
      break;
    case BlockSum::OddEven:
      if (c != AddendPlace::LateRd) fail("odd/even groups take c late, rounded down (c: late_rd)");
      if (interleave) fail("odd/even groups are by index: no interleave");
      break;
  }
  if (scale.has_value() != (scale_block > 0)) fail("a block-scaled input needs both scale and scale_block");
  if (scale) {
    const auto* m = minifloat(*scale);
    if (!m || m->has_inf()) throw std::invalid_argument(fmt::format("scale format {} is not a minifloat without infinities", scale->name()));
    if (k % scale_block) throw std::invalid_argument(fmt::format("scale_block {} does not divide k={}", scale_block, k));
    if (sum != BlockSum::Aligned || c != AddendPlace::First || interleave)
      fail("block-scaled inputs take the aligned sum with c first and contiguous blocks");
    if (a.bits() > 8 || b.bits() > 8) fail("block-scaled inputs are formats of at most 8 bits");
    if (scale_group == 0 && m->m != 0) fail("scales with a significand (UE4M3) need scale_group (products summed in groups)");
    if (scale_group < 0 || (scale_group && (scale_block % scale_group || block != k)))
      fail("scale_group must divide scale_block, with one block per instruction");
  } else if (scale_group) {
    fail("scale_group belongs to block-scaled inputs (scale, scale_block)");
  }
  if (c == AddendPlace::LateRd && (fma.cut != AlignCut::TowardZero || fma.fraction_bits > 40))
    fail("a late rounded-down addend takes products cut toward zero with fraction_bits <= 40");
  if (ftz && sum != BlockSum::Pairwise) fail("ftz is modelled for the pairwise tree only");
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
  out_emin_ = 1 - minifloat(s_.out)->bias;
  if (s_.sum == BlockSum::Pairwise) tree_.emplace(s_.out, s_.ftz);
  float_tree_ = s_.sum == BlockSum::Pairwise && minifloat(s_.out)->e == 8 && minifloat(s_.out)->m == 23 &&
                minifloat(s_.out)->bias == 127 && minifloat(s_.out)->conv == formats::FloatConvention::IEEE &&
                std::numeric_limits<float>::is_iec559 &&
                minifloat(s_.a)->m <= 26 && minifloat(s_.b)->m <= 26 && s_.a.bits() <= 32 && s_.b.bits() <= 32;
  prod_inf_exp_ = s_.product_overflow_inf ? s_.out.emax() + 1 : INT_MAX;
  blockm_ = minifloat(s_.block_result)->m;
  block_emax_ = s_.block_result.emax();
  block_emin_ = 1 - minifloat(s_.block_result)->bias;
  fast_sum_ = s_.sum == BlockSum::Aligned && s_.c != AddendPlace::LateRd && s_.fma.cut == AlignCut::TowardZero &&
              s_.fma.fraction_bits <= 40 && s_.block <= (1 << 20);
  ieee_block_ = (s_.block_rounding == formats::Rounding::TowardZero || s_.block_rounding == formats::Rounding::NearestEven) &&
                minifloat(s_.block_result)->conv == formats::FloatConvention::IEEE && blockm_ <= 60;
  // Decode tables for inputs of <= 16 bits (fp16, bf16, FP8): one lookup per operand, the
  // value as the multiplier holds it (in operand_format when there is one: exact, checked).
  for (auto [fmt, t] : {std::pair{&s_.a, &ta_}, std::pair{&s_.b, &tb_}}) {
    if (fmt->bits() > 16 && !s_.operand_format) continue;
    if (fmt->bits() > 16)
      throw std::invalid_argument(fmt::format("operand format with an input of {} bits (at most 16)", fmt->bits()));
    t->mask = (uint32_t{1} << fmt->bits()) - 1;
    const int m = fmt == &s_.a ? am_ : bm_;
    const auto* mf = minifloat(*fmt);
    if (fmt->bits() > 8 && !s_.operand_format && !s_.ftz && mf->conv == formats::FloatConvention::IEEE) {
      t->fields = true;
      t->m = mf->m;
      t->bias = mf->bias;
      t->emask = (uint32_t{1} << mf->e) - 1;
      for (uint32_t code = 0; code <= t->mask; ++code) {  // the fields agree with the format's own decoding
        const OperandBits x = from_fields(*t, code), y = to_bits(fmt->decode_exact(code), m);
        if (x.cls != y.cls || (x.cls != kNaN && x.neg != y.neg) ||
            (x.cls == kFinite && (x.mant != y.mant || x.lsb != y.lsb || x.align != y.align)))
          throw std::logic_error(fmt::format("{}: field decoding differs at code 0x{:x}", fmt->name(), code));
      }
      continue;
    }
    t->table.resize(size_t(t->mask) + 1);
    const uint64_t hidden = uint64_t{1} << m;
    for (uint32_t code = 0; code <= t->mask; ++code) {
      Decoded d = fmt->decode_exact(code);
      if (s_.ftz && d.kind == K::Finite && d.mant < hidden) d = Decoded{};  // a subnormal reads as +0
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

[[gnu::always_inline]] inline MmaInstruction::OperandBits MmaInstruction::from_fields(const DecodeTable& t, uint32_t code) {
  OperandBits o;
  const uint32_t frac = code & ((uint32_t{1} << t.m) - 1), ef = (code >> t.m) & t.emask;
  o.neg = (code >> (t.m + std::bit_width(t.emask))) & 1;
  if (ef == t.emask) {
    o.cls = frac ? kNaN : (o.neg ? kNegInf : kPosInf);
    return o;
  }
  const bool normal = ef != 0;
  o.mant = frac | (uint32_t(normal) << t.m);
  const int stored = (normal ? int(ef) : 1) - t.bias;  // a subnormal's is the minimum exponent
  o.lsb = int16_t(stored - t.m);
  o.align = int16_t(stored);
  o.cls = o.mant ? kFinite : kZero;
  return o;
}

[[gnu::always_inline]] inline MmaInstruction::OperandBits MmaInstruction::operand(const formats::ElementFormat& f,
                                                                                 const DecodeTable& t, int m,
                                                                                 uint32_t code) const {
  if (t.fields) return from_fields(t, code & t.mask);
  if (!t.table.empty()) return t.table[code & t.mask];
  Decoded d = f.decode_exact(code);
  if (s_.ftz && d.kind == K::Finite && d.mant < (uint64_t{1} << m)) d = Decoded{};  // a subnormal reads as +0
  return to_bits(d, m);
}

MmaInstruction::OperandBits MmaInstruction::operand_a(uint32_t code) const { return operand(s_.a, ta_, am_, code); }
MmaInstruction::OperandBits MmaInstruction::operand_b(uint32_t code) const { return operand(s_.b, tb_, bm_, code); }

MmaInstruction::AlignedDatapath MmaInstruction::aligned_datapath() const {
  AlignedDatapath d;
  d.lanes = fast_sum_ && ieee_block_ && s_.c == AddendPlace::First && !s_.ftz && !s_.product_overflow_inf && !s_.scale;
  d.am = am_;
  d.bm = bm_;
  d.blockm = blockm_;
  d.block_emin = block_emin_;
  d.block_emax = block_emax_;
  return d;
}

MmaInstruction::Value MmaInstruction::value(uint32_t c) const { return {s_.out.decode_exact(c), outm_}; }

uint32_t MmaInstruction::code(const Value& d) const {
  if (d.d.kind == K::NaN) return s_.nan_code;
  return s_.out.encode(d.d.unrounded());  // exact: block results are values of out
}

uint32_t MmaInstruction::apply(std::span<const uint32_t> a, std::span<const uint32_t> b, uint32_t c,
                               std::span<const uint32_t> sa, std::span<const uint32_t> sb) const {
  return code(apply(a, b, value(c), sa, sb));
}

// RZ or RNE of a finite sum (exponent at most the format's maximum) to the IEEE block
// result: a cut of the significand at the format's LSB (the leading bit's binade, not below
// the minimum exponent), without the encode round trip. Rounding up past the largest
// binade gives an infinity.
Decoded MmaInstruction::cut_block(const Unrounded& u) const {
  int lsb = std::max(u.exp, block_emin_) - blockm_;
  const int sh = lsb - (u.exp - 63);  // >= 1: the significand has 64 bits, the format <= 61
  uint64_t mant = sh >= 64 ? 0 : u.sig >> sh;
  if (s_.block_rounding == formats::Rounding::NearestEven && sh <= 64) {
    const uint64_t rest = sh == 64 ? u.sig : u.sig & ((uint64_t{1} << sh) - 1), half = uint64_t{1} << (sh - 1);
    if (rest > half || (rest == half && (u.sticky || (mant & 1)))) {
      if (++mant == uint64_t{2} << blockm_) {  // carried into the next binade
        mant >>= 1;
        ++lsb;
      }
      if (lsb + blockm_ > block_emax_) return Decoded{K::Inf, u.neg, 0, 0};
    }
  }
  return mant ? Decoded{K::Finite, u.neg, lsb, mant} : Decoded{K::Zero, u.neg, 0, 0};
}

uint8_t MmaInstruction::product_class(const OperandBits& x, const OperandBits& y) const {
  const uint8_t u = x.cls | y.cls;
  if ((x.cls & y.cls) == kFinite) {  // both finite and nonzero: an infinity only past the overflow exponent
    if (!s_.product_overflow_inf) return kFinite;
    const int top = x.lsb + y.lsb + int(std::bit_width(uint64_t(x.mant) * y.mant)) - 1;
    return top >= prod_inf_exp_ ? (x.neg != y.neg ? kNegInf : kPosInf) : kFinite;
  }
  if (u & kNaN) return kNaN;
  if (u & (kPosInf | kNegInf)) return x.cls == kZero || y.cls == kZero ? kNaN : (x.neg != y.neg ? kNegInf : kPosInf);
  return kZero;
}

Decoded MmaInstruction::round_block(const Unrounded& sum) const {
  // Overflow is an exponent past the format's (the unit tests the exponent, not the rounded
  // magnitude): +-inf under RZ too; below that, RZ stops at the largest finite.
  if (sum.finite() && sum.exp > block_emax_) return Decoded{K::Inf, sum.neg, 0, 0};
  if (ieee_block_ && sum.finite()) return cut_block(sum);
  const formats::RoundingOptions block_o{s_.block_rounding, formats::Overflow::Infinity};
  return s_.block_result.decode_exact(s_.block_result.encode(sum, block_o));
}

MmaInstruction::Value MmaInstruction::apply(std::span<const uint32_t> a, std::span<const uint32_t> b, const Value& cv,
                                            std::span<const uint32_t> sa, std::span<const uint32_t> sb) const {
  const size_t n = std::min(a.size(), b.size());
  if (n > size_t(s_.k)) throw std::invalid_argument(fmt::format("instruction: {} products for k={}", n, s_.k));
  if (s_.scale) return apply_scaled(a, b, cv, sa, sb, n);
  if (!sa.empty() || !sb.empty()) throw std::invalid_argument("instruction: scales given to inputs that are not block-scaled");
  if (s_.sum == BlockSum::Pairwise) return apply_pairwise(a, b, cv, n);
  const Decoded& dc = cv.d;
  auto inf = [&](bool neg) { return Value{Decoded{K::Inf, neg, 0, 0}, outm_}; };
  // multiply -> align -> add -> normalize, one block at a time; round to the block result.
  const int blocks = s_.k / s_.block;
  const int run = s_.interleave ? s_.interleave : s_.block;
  const bool odd_even = s_.sum == BlockSum::OddEven;
  std::array<BlockTerm, 2 * 65> small_block;  // uninitialized: BlockTerm is trivial
  std::vector<BlockTerm> big_block;
  BlockTerm* terms = small_block.data();
  if (size_t(s_.block) + 1 > small_block.size() / 2) {
    big_block.resize(2 * (size_t(s_.block) + 1));
    terms = big_block.data();
  }
  BlockTerm* odd_terms = terms + s_.block + 1;  // OddEven: the odd-indexed products
  Decoded carry = s_.c == AddendPlace::LateRne ? Decoded{} : dc;  // the addend of the next block, a value of `out`
  int carry_m = cv.m;
  // Specials (NaN, inf) are flagged beside the datapath: the operand classes are OR-ed on the
  // way, and the careful pass over every product and c runs only when one is there.
  uint8_t any = (dc.kind == K::NaN || dc.kind == K::Inf) ? kNaN : 0;
  bool inf_block = false;
  const bool c_term = s_.c != AddendPlace::LateRd;  // the carried addend is a term of the sum (late_rne: from block 1 on)
  for (int blk = 0; blk < blocks && !inf_block; ++blk) {
    size_t t = 0, t_odd = 0;
    int e_max = s_.fma.exp_floor;  // the alignment exponent, kept on the way (fast_sum_)
    if (c_term && carry.kind == K::Finite) {
      terms[t] = addend_term(carry, carry_m);
      e_max = std::max(e_max, terms[t++].align_exp);
    }
    // An exact sum of nothing but zeros is -0 only when every zero is (IEEE).
    bool neg_zero = carry.kind == K::Zero && carry.neg && n == size_t(s_.k);
    // Block blk holds the runs r with r mod blocks == blk (contiguous: run = block).
    for (int r = blk; r * run < int(n); r += blocks)
      for (int j = r * run; j < (r + 1) * run && j < int(n); ++j) {
        const OperandBits x = operand(s_.a, ta_, am_, a[size_t(j)]), y = operand(s_.b, tb_, bm_, b[size_t(j)]);
        any |= x.cls | y.cls;
        if ((x.cls & y.cls) == kFinite) {  // both finite and nonzero: the exact product
          const BlockTerm p{x.neg != y.neg, uint64_t(x.mant) * y.mant, x.lsb + y.lsb, x.align + y.align};
          if (s_.product_overflow_inf && product_class(x, y) != kFinite) any |= kPosInf;
          e_max = std::max(e_max, p.align_exp);
          if (odd_even && (j & 1))
            odd_terms[t_odd++] = p;
          else
            terms[t++] = p;
        } else {
          neg_zero = neg_zero && x.neg != y.neg;
        }
      }
    Unrounded sum;
    bool keep = false;  // CDNA3: a block of zero products leaves its addend as it is
    switch (s_.sum) {
      case BlockSum::Exact:
        sum = t ? exact_sum({terms, t}) : Unrounded::zero(neg_zero);
        break;
      case BlockSum::Aligned:
      case BlockSum::OddEven: {
        if (fast_sum_) {  // block_fma_sum with the exponent found on the way
          const int grid = e_max - s_.fma.fraction_bits;
          const int64_t acc = t ? block_fma_cut_sum({terms, t}, grid) : 0;
          sum = acc == 0 ? Unrounded::zero(false) : Unrounded::from_int(acc < 0, acc < 0 ? uint64_t(-acc) : uint64_t(acc), grid);
          break;
        }
        if (s_.c != AddendPlace::LateRd) {
          sum = block_fma_sum({terms, t}, s_.fma);
          break;
        }
        const AlignedSum al = odd_even ? block_fma_align_pair({terms, t}, {odd_terms, t_odd}, s_.fma)
                                       : block_fma_align({terms, t}, s_.fma);
        keep = al.empty;
        // An infinite or NaN c is decided by the specials pass below.
        const Decoded c_fin = carry.kind == K::Finite ? carry : Decoded{};
        if (!keep) sum = late_addend_rd(al, s_.fma.fraction_bits, c_fin, carry_m, out_emin_, s_.late);
        break;
      }
      case BlockSum::Pairwise: break;  // apply_pairwise
    }
    if (keep) continue;
    carry = round_block(sum);
    carry_m = blockm_;
    inf_block = carry.kind == K::Inf;  // rounded up past the largest finite value
  }
  if (inf_block)  // the rest of the operands still decide NaN
    for (size_t i = 0; i < n; ++i) any |= operand(s_.a, ta_, am_, a[i]).cls | operand(s_.b, tb_, bm_, b[i]).cls;
  if (any & (kNaN | kPosInf | kNegInf)) {
    bool nan = dc.kind == K::NaN, pinf = dc.kind == K::Inf && !dc.neg, ninf = dc.kind == K::Inf && dc.neg;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t p = product_class(operand(s_.a, ta_, am_, a[i]), operand(s_.b, tb_, bm_, b[i]));
      nan = nan || p == kNaN;
      pinf = pinf || p == kPosInf;
      ninf = ninf || p == kNegInf;
    }
    if (nan || (pinf && ninf)) return Value{Decoded{K::NaN, false, 0, 0}, outm_};
    if (pinf || ninf) return inf(ninf);
  }
  if (inf_block) return inf(carry.neg);
  if (s_.c != AddendPlace::LateRne) return {carry, carry_m};  // a value of block_result, inside out
  const formats::RoundingOptions rne{formats::Rounding::NearestEven, formats::Overflow::Infinity};
  return {s_.out.decode_exact(s_.out.encode(units::add(carry.unrounded(), dc.unrounded()), rne)), outm_};
}

// Block-scaled inputs (Blackwell tcgen05 kind::mxf8f6f4, mxf4, mxf4nvf4; MMA-Sim's rule,
// docs/pe/tensor_core.md): the products and c through the aligned block FMA, each product
// scaled by its runs' scales, or (scale_group) groups of exact products scaled as one term.
// Specials: a NaN scale, operand or c, inf * 0 (a zero scale too) or +inf - inf give NaN;
// else an infinity gives that infinity.
MmaInstruction::Value MmaInstruction::apply_scaled(std::span<const uint32_t> a, std::span<const uint32_t> b,
                                                   const Value& cv, std::span<const uint32_t> sa,
                                                   std::span<const uint32_t> sb, size_t n) const {
  const size_t sblock = size_t(s_.scale_block), runs = (n + sblock - 1) / sblock;
  if (sa.size() < runs || sb.size() < runs)
    throw std::invalid_argument(fmt::format("instruction: {} elements need {} scales of a and of b, got {} and {}", n, runs,
                                            sa.size(), sb.size()));
  // A scale as the multiplier takes it: value mant * 2^lsb, stored exponent `align`.
  struct ScaleBits {
    uint8_t cls = kZero;
    uint64_t mant = 0;
    int lsb = 0, align = 0;
  };
  const auto& sf = *s_.scale;
  const auto* sm = minifloat(sf);
  const uint32_t magnitude = sm->has_sign() ? (uint32_t{1} << (sf.bits() - 1)) - 1 : (uint32_t{1} << sf.bits()) - 1;
  auto scale_of = [&](uint32_t code) {
    ScaleBits x;
    const Decoded d = sf.decode_exact(code & magnitude);  // UE4M3: the sign bit is not read
    if (d.kind == K::NaN) x.cls = kNaN;
    if (d.kind == K::Finite) x = {kFinite, d.mant, d.exp, d.exp + sm->m};
    return x;
  };
  // The specials pass, over every product with its scales and c.
  const Decoded& dc = cv.d;
  bool nan = dc.kind == K::NaN, pinf = dc.kind == K::Inf && !dc.neg, ninf = dc.kind == K::Inf && dc.neg;
  for (size_t j = 0; j < n; ++j) {
    const OperandBits x = operand(s_.a, ta_, am_, a[j]), y = operand(s_.b, tb_, bm_, b[j]);
    const uint8_t ca = scale_of(sa[j / sblock]).cls, cb = scale_of(sb[j / sblock]).cls;
    const uint8_t all = x.cls | y.cls | ca | cb;
    if (all & kNaN) {
      nan = true;
    } else if (all & (kPosInf | kNegInf)) {
      if (x.cls == kZero || y.cls == kZero || ca == kZero || cb == kZero) nan = true;
      else (x.neg != y.neg ? ninf : pinf) = true;
    }
  }
  if (nan || (pinf && ninf)) return Value{Decoded{K::NaN, false, 0, 0}, outm_};
  if (pinf || ninf) return Value{Decoded{K::Inf, ninf, 0, 0}, outm_};
  Decoded carry = dc;
  int carry_m = cv.m;
  std::vector<BlockTerm> terms;
  if (s_.scale_group == 0) {  // mxf8f6f4: power-of-two scales move each product's exponent
    for (int blk = 0; blk < s_.k / s_.block && carry.kind != K::Inf; ++blk) {
      terms.clear();
      if (carry.kind == K::Finite) terms.push_back(addend_term(carry, carry_m));
      for (size_t j = size_t(blk * s_.block); j < std::min(n, size_t((blk + 1) * s_.block)); ++j) {
        const OperandBits x = operand(s_.a, ta_, am_, a[j]), y = operand(s_.b, tb_, bm_, b[j]);
        const ScaleBits p = scale_of(sa[j / sblock]), q = scale_of(sb[j / sblock]);
        if ((x.cls & y.cls & p.cls & q.cls) != kFinite) continue;  // a zero factor
        const int shift = p.align + q.align;  // UE8M0: significand 1, so lsb = align
        terms.push_back({x.neg != y.neg, uint64_t(x.mant) * y.mant, x.lsb + y.lsb + shift, x.align + y.align + shift});
      }
      carry = round_block(block_fma_sum(terms, s_.fma));
      carry_m = blockm_;
    }
  } else {  // mxf4, mxf4nvf4: one block of exact group sums, each scaled as one term
    struct WideTerm {
      bool neg;
      unsigned __int128 mant;
      int lsb, align;
    };
    std::vector<WideTerm> wide;
    if (carry.kind == K::Finite) {
      const BlockTerm t = addend_term(carry, carry_m);
      wide.push_back({t.neg, t.mant, t.lsb, t.align_exp});
    }
    const size_t G = size_t(s_.scale_group);
    for (size_t g0 = 0; g0 < n; g0 += G) {
      const ScaleBits p = scale_of(sa[g0 / sblock]), q = scale_of(sb[g0 / sblock]);
      if (p.cls != kFinite || q.cls != kFinite) continue;  // a zero scale: no term
      terms.clear();
      for (size_t j = g0; j < std::min(n, g0 + G); ++j) {
        const OperandBits x = operand(s_.a, ta_, am_, a[j]), y = operand(s_.b, tb_, bm_, b[j]);
        if ((x.cls & y.cls) == kFinite) terms.push_back({x.neg != y.neg, uint64_t(x.mant) * y.mant, x.lsb + y.lsb, 0});
      }
      // The group aligns by its scales' exponents, also when its sum is zero.
      const Unrounded u = terms.empty() ? Unrounded::zero(false) : exact_sum(terms);
      const bool fin = u.finite();
      wide.push_back({fin && u.neg, fin ? (unsigned __int128)(u.sig) * (p.mant * q.mant) : 0,
                      (fin ? u.exp - 63 : 0) + p.lsb + q.lsb, p.align + q.align});
    }
    Unrounded sum = Unrounded::zero(false);
    if (!wide.empty()) {
      int e = s_.fma.exp_floor;
      for (const auto& t : wide) e = std::max(e, t.align);
      const int grid = e - s_.fma.fraction_bits;
      // Cut toward zero onto the grid and summed: a group term is below 2^(F + 12) there (its
      // sum of 16 E2M1 products below 2^10, times two significands below 2), so 128 bits hold
      // every preset's sum; validate() keeps the inputs to 8 bits.
      __int128 acc = 0;
      for (const auto& t : wide) {
        const int sh = t.lsb - grid;
        const unsigned __int128 v = sh >= 0 ? (sh >= 128 ? 0 : t.mant << sh) : (-sh >= 128 ? 0 : t.mant >> -sh);
        acc += t.neg ? -__int128(v) : __int128(v);
      }
      if (acc != 0) sum = Unrounded::from_u128(acc < 0, acc < 0 ? (unsigned __int128)(-acc) : (unsigned __int128)(acc), grid);
    }
    carry = round_block(sum);
    carry_m = blockm_;
  }
  if (carry.kind == K::Inf) return Value{carry, outm_};
  return {carry, carry_m};
}

// CDNA2: every product rounded to `out`, a tree of rounded adds per block, then c + tree;
// IEEE specials throughout (no separate pass).
MmaInstruction::Value MmaInstruction::apply_pairwise(std::span<const uint32_t> a, std::span<const uint32_t> b,
                                                     const Value& cv, size_t n) const {
  if (float_tree_) return apply_pairwise_float(a, b, cv, n);
  const RoundedTree& tree = *tree_;
  Decoded c = cv.d;
  if (s_.ftz && c.kind == K::Finite && c.mant < (uint64_t{1} << cv.m)) c = Decoded{};  // a subnormal c reads as +0
  std::array<Decoded, 64> leaves;
  for (int blk = 0; blk < s_.k / s_.block; ++blk) {
    for (int i = 0; i < s_.block; ++i) {
      const size_t j = size_t(blk * s_.block + i);
      if (j >= n) {
        leaves[size_t(i)] = Decoded{};  // a missing product is +0 * +0
        continue;
      }
      const OperandBits x = operand(s_.a, ta_, am_, a[j]), y = operand(s_.b, tb_, bm_, b[j]);
      const uint8_t p = product_class(x, y);
      Unrounded exact;
      if (p == kNaN) exact = Unrounded::nan(false);
      else if (p == kPosInf || p == kNegInf) exact = Unrounded::inf(p == kNegInf);
      else if (p == kZero) exact = Unrounded::zero(x.neg != y.neg);
      else exact = Unrounded::from_int(x.neg != y.neg, uint64_t(x.mant) * y.mant, x.lsb + y.lsb);
      leaves[size_t(i)] = tree.round(exact);
    }
    c = tree.add(c, tree.sum({leaves.data(), size_t(s_.block)}));
  }
  return {c, outm_};
}

// The same tree when it is binary32: the host's IEEE float operations are those adds (round
// to nearest even, IEEE infinities and NaN), the products are exact in double (at most 26
// + 26 significand bits, exponents inside double's), and FTZ flushes every result.
MmaInstruction::Value MmaInstruction::apply_pairwise_float(std::span<const uint32_t> a, std::span<const uint32_t> b,
                                                           const Value& cv, size_t n) const {
  auto ftz = [&](float x) { return (s_.ftz && std::fabs(x) < FLT_MIN) ? std::copysign(0.0f, x) : x; };
  auto value_of = [](const Decoded& d) {
    switch (d.kind) {
      case K::NaN: return std::numeric_limits<float>::quiet_NaN();
      case K::Inf: return d.neg ? -INFINITY : INFINITY;
      case K::Zero: return d.neg ? -0.0f : 0.0f;
      case K::Finite: break;
    }
    const float v = float(std::ldexp(double(d.mant), d.exp));  // exact: a value of binary32
    return d.neg ? -v : v;
  };
  float c = value_of(cv.d);
  if (s_.ftz && c != 0.0f && std::fabs(c) < FLT_MIN) c = 0.0f;  // a subnormal c reads as +0 (a zero keeps its sign)
  std::array<float, 64> leaves;
  for (int blk = 0; blk < s_.k / s_.block; ++blk) {
    for (int i = 0; i < s_.block; ++i) {
      const size_t j = size_t(blk * s_.block + i);
      float p = 0.0f;  // a missing product is +0 * +0
      if (j < n) {
        const OperandBits x = operand(s_.a, ta_, am_, a[j]), y = operand(s_.b, tb_, bm_, b[j]);
        const bool neg = x.neg != y.neg;
        switch (product_class(x, y)) {
          case kNaN: p = std::numeric_limits<float>::quiet_NaN(); break;
          case kPosInf: p = INFINITY; break;
          case kNegInf: p = -INFINITY; break;
          case kZero: p = neg ? -0.0f : 0.0f; break;
          default: {
            const double exact = std::ldexp(double(uint64_t(x.mant) * y.mant), x.lsb + y.lsb);
            p = ftz(float(neg ? -exact : exact));  // one RNE from the exact product
          }
        }
      }
      leaves[size_t(i)] = p;
    }
    for (int w = s_.block; w > 1; w /= 2)
      for (int i = 0; i < w / 2; ++i) leaves[size_t(i)] = ftz(leaves[size_t(2 * i)] + leaves[size_t(2 * i + 1)]);
    c = ftz(c + leaves[0]);
  }
  if (std::isnan(c)) return {Decoded{K::NaN, false, 0, 0}, outm_};
  return {s_.out.decode_exact(std::bit_cast<uint32_t>(c)), outm_};
}

}  // namespace arithsim::units
