#include <arithsim/models/units/mma_instruction.hpp>

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
  const auto *r = minifloat(block_result), *o = minifloat(out);
  if (r->m > o->m || r->e > o->e || (r->e == o->e && r->bias != o->bias))
    throw std::invalid_argument(fmt::format("block result {} is not inside the output {}", block_result.name(), out.name()));
  fma.validate();
}

MmaInstruction::MmaInstruction(MmaSpec s) : s_(std::move(s)) {
  s_.validate();
  am_ = minifloat(s_.a)->m;
  bm_ = minifloat(s_.b)->m;
  outm_ = minifloat(s_.out)->m;
  blockm_ = minifloat(s_.block_result)->m;
}

uint32_t MmaInstruction::apply(std::span<const uint32_t> a, std::span<const uint32_t> b, uint32_t c) const {
  const size_t n = std::min(a.size(), b.size());
  if (n > size_t(s_.k)) throw std::invalid_argument(fmt::format("instruction: {} products for k={}", n, s_.k));
  // Specials first, over every product and c (the hardware flags them beside the datapath).
  const Decoded dc = s_.out.decode_exact(c);
  bool nan = dc.kind == K::NaN, pinf = dc.kind == K::Inf && !dc.neg, ninf = dc.kind == K::Inf && dc.neg;
  std::vector<Decoded> da(n), db(n);
  for (size_t i = 0; i < n; ++i) {
    da[i] = s_.a.decode_exact(a[i]);
    db[i] = s_.b.decode_exact(b[i]);
    const bool ia = da[i].kind == K::Inf, ib = db[i].kind == K::Inf;
    if (da[i].kind == K::NaN || db[i].kind == K::NaN || (ia && db[i].kind == K::Zero) || (ib && da[i].kind == K::Zero))
      nan = true;
    else if (ia || ib)
      ((da[i].neg != db[i].neg) ? ninf : pinf) = true;
  }
  if (nan || (pinf && ninf)) return s_.nan_code;
  if (pinf || ninf) return s_.out.encode(Unrounded::inf(ninf));

  const formats::RoundingOptions block_o{s_.block_rounding, formats::Overflow::Infinity};
  const int blocks = s_.k / s_.block;
  const int run = s_.interleave ? s_.interleave : s_.block;
  std::vector<BlockTerm> terms;
  terms.reserve(size_t(s_.block) + 1);
  Decoded carry = s_.c_late ? Decoded{} : dc;  // the addend of the next block, a value of `out`
  int carry_m = outm_;
  for (int blk = 0; blk < blocks; ++blk) {
    terms.clear();
    if (carry.kind == K::Finite) terms.push_back(addend_term(carry, carry_m));
    // Block blk holds the runs r with r mod blocks == blk (contiguous: run = block).
    for (int r = blk; r * run < s_.k; r += blocks)
      for (int j = r * run; j < (r + 1) * run && j < int(n); ++j)
        if (da[j].kind == K::Finite && db[j].kind == K::Finite) terms.push_back(product_term(da[j], am_, db[j], bm_));
    const uint32_t code = s_.block_result.encode(block_fma_sum(terms, s_.fma), block_o);
    carry = s_.block_result.decode_exact(code);
    carry_m = blockm_;
    if (carry.kind == K::Inf) return s_.out.encode(Unrounded::inf(carry.neg));
  }
  const Unrounded blocks_sum = carry.unrounded();
  if (!s_.c_late) return s_.out.encode(blocks_sum);  // exact: block_result is inside out
  return s_.out.encode(units::add(blocks_sum, dc.unrounded()), formats::RoundingOptions{formats::Rounding::NearestEven, formats::Overflow::Infinity});
}

}  // namespace arithsim::units
