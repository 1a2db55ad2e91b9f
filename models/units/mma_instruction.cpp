#include <arithsim/models/units/mma_instruction.hpp>

#include <array>
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
    for (uint32_t code = 0; code <= t->mask; ++code) {
      t->table[code] = fmt->decode_exact(code);
      if (!s_.operand_format || t->table[code].kind == K::NaN) continue;
      const auto& of = *s_.operand_format;
      const uint32_t conv = of.encode(t->table[code].unrounded());
      if (of.decode(conv) != fmt->decode(code))
        throw std::invalid_argument(fmt::format("{} code 0x{:x} is not a value of the operand format {}", fmt->name(), code, of.name()));
      t->table[code] = of.decode_exact(conv);
    }
  }
}

const Decoded& MmaInstruction::DecodeTable::get(const formats::ElementFormat& f, uint32_t code, Decoded& scratch) const {
  if (!table.empty()) return table[code & mask];
  scratch = f.decode_exact(code);
  return scratch;
}

uint32_t MmaInstruction::apply(std::span<const uint32_t> a, std::span<const uint32_t> b, uint32_t c) const {
  const size_t n = std::min(a.size(), b.size());
  if (n > size_t(s_.k)) throw std::invalid_argument(fmt::format("instruction: {} products for k={}", n, s_.k));
  // multiply, with the specials flagged beside the datapath over every product and c.
  const Decoded dc = s_.out.decode_exact(c);
  bool nan = dc.kind == K::NaN, pinf = dc.kind == K::Inf && !dc.neg, ninf = dc.kind == K::Inf && dc.neg;
  std::array<BlockTerm, 64> small_terms;
  std::vector<BlockTerm> big_terms;
  std::span<BlockTerm> prod(small_terms.data(), n);
  if (n > small_terms.size()) {
    big_terms.resize(n);
    prod = big_terms;
  }
  std::array<bool, 64> small_live{};
  std::vector<char> big_live;
  bool* live = small_live.data();
  if (n > small_live.size()) {
    big_live.assign(n, 0);
    live = reinterpret_cast<bool*>(big_live.data());
  }
  for (size_t i = 0; i < n; ++i) {
    Decoded sa, sb;
    const Decoded& x = ta_.get(s_.a, a[i], sa);
    const Decoded& y = tb_.get(s_.b, b[i], sb);
    live[i] = x.kind == K::Finite && y.kind == K::Finite;
    if (live[i]) {
      prod[i] = product_term(x, am_, y, bm_);
      continue;
    }
    const bool ix = x.kind == K::Inf, iy = y.kind == K::Inf;
    if (x.kind == K::NaN || y.kind == K::NaN || (ix && y.kind == K::Zero) || (iy && x.kind == K::Zero))
      nan = true;
    else if (ix || iy)
      ((x.neg != y.neg) ? ninf : pinf) = true;
  }
  if (nan || (pinf && ninf)) return s_.nan_code;
  if (pinf || ninf) return s_.out.encode(Unrounded::inf(ninf));

  const formats::RoundingOptions block_o{s_.block_rounding, formats::Overflow::Infinity};
  const int blocks = s_.k / s_.block;
  const int run = s_.interleave ? s_.interleave : s_.block;
  std::array<BlockTerm, 65> small_block;
  std::vector<BlockTerm> big_block;
  BlockTerm* terms = small_block.data();
  if (size_t(s_.block) + 1 > small_block.size()) {
    big_block.resize(size_t(s_.block) + 1);
    terms = big_block.data();
  }
  Decoded carry = s_.c_late ? Decoded{} : dc;  // the addend of the next block, a value of `out`
  int carry_m = outm_;
  for (int blk = 0; blk < blocks; ++blk) {
    size_t t = 0;
    if (carry.kind == K::Finite) terms[t++] = addend_term(carry, carry_m);
    // Block blk holds the runs r with r mod blocks == blk (contiguous: run = block).
    for (int r = blk; r * run < int(n); r += blocks)
      for (int j = r * run; j < (r + 1) * run && j < int(n); ++j)
        if (live[j]) terms[t++] = prod[size_t(j)];
    // align, add, normalize; round to the block result.
    // Overflow is an exponent past the format's (the unit tests the exponent, not the
    // rounded magnitude): +-inf under RZ too; below that, RZ stops at the largest finite.
    const Unrounded sum = block_fma_sum({terms, t}, s_.fma);
    if (sum.finite() && sum.exp > block_emax_) return s_.out.encode(Unrounded::inf(sum.neg));
    const uint32_t code = s_.block_result.encode(sum, block_o);
    carry = s_.block_result.decode_exact(code);
    carry_m = blockm_;
    if (carry.kind == K::Inf) return s_.out.encode(Unrounded::inf(carry.neg));
  }
  const Unrounded blocks_sum = carry.unrounded();
  if (!s_.c_late) return s_.out.encode(blocks_sum);  // exact: block_result is inside out
  return s_.out.encode(units::add(blocks_sum, dc.unrounded()), formats::RoundingOptions{formats::Rounding::NearestEven, formats::Overflow::Infinity});
}

}  // namespace arithsim::units
