#include <arithsim/models/formats/quire.hpp>

#include <algorithm>
#include <bit>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {

Quire::Quire(int lsb_exp, int width_bits) : lsb_exp_(lsb_exp) {
  if (width_bits < 64 || width_bits > 1 << 16)
    throw std::invalid_argument(fmt::format("quire width must be 64..65536 bits, got {}", width_bits));
  words_.assign(size_t((width_bits + 63) / 64), 0);
}

void Quire::clear() { std::fill(words_.begin(), words_.end(), 0); }

bool Quire::is_zero() const {
  for (auto w : words_)
    if (w) return false;
  return true;
}

void Quire::add(bool neg, unsigned __int128 mag, int exp) {
  if (mag == 0) return;
  // Normalize so the lowest set bit lines up with the quire's grid.
  const uint64_t lo64 = uint64_t(mag);
  const int tz = lo64 ? std::countr_zero(lo64) : 64 + std::countr_zero(uint64_t(mag >> 64));
  mag >>= tz;
  exp += tz;
  if (exp < lsb_exp_) throw std::domain_error(fmt::format("quire: term below its LSB 2^{}", lsb_exp_));
  const int off = exp - lsb_exp_;
  const uint64_t hi64 = uint64_t(mag >> 64);
  const int bitlen = hi64 ? 128 - std::countl_zero(hi64) : 64 - std::countl_zero(uint64_t(mag));
  if (off + bitlen > width() - 1) throw std::domain_error("quire: term beyond its width");
  // The term occupies at most three words from word w; add or subtract it in place and
  // propagate the carry (borrow) upward.
  const size_t w = size_t(off / 64);
  const int b = off % 64;
  const uint64_t lo = uint64_t(mag), hi = hi64;
  const uint64_t part[3] = {lo << b, (b ? lo >> (64 - b) : 0) | (hi << b), b ? hi >> (64 - b) : 0};
  // Two's complement overflow: adding a positive term turns a non-negative sum negative, or
  // subtracting one turns a negative sum non-negative. Undone (exactly, modulo 2^width).
  const bool was_neg = words_.back() >> 63;
  apply(w, part, neg);
  const bool is_neg = words_.back() >> 63;
  if (was_neg == neg && is_neg != was_neg) {
    apply(w, part, !neg);
    throw std::domain_error(fmt::format("quire: the sum overflows its {} bits", width()));
  }
}

void Quire::apply(size_t w, const uint64_t (&part)[3], bool neg) {
  unsigned carry = 0;
  for (size_t i = w; i < words_.size(); ++i) {
    const uint64_t p = i - w < 3 ? part[i - w] : 0;
    if (i - w >= 3 && carry == 0) break;
    if (!neg) {
      const unsigned __int128 s = (unsigned __int128)words_[i] + p + carry;
      words_[i] = uint64_t(s);
      carry = unsigned(s >> 64);
    } else {
      const unsigned __int128 sub = (unsigned __int128)p + carry;
      carry = (unsigned __int128)words_[i] < sub ? 1 : 0;
      words_[i] = uint64_t((unsigned __int128)words_[i] - sub);
    }
  }
}

void Quire::add(const Unrounded& u) {
  if (u.kind == Unrounded::Kind::Zero) return;
  if (u.kind != Unrounded::Kind::Finite || u.sticky)
    throw std::domain_error("quire: only exact finite terms can be added");
  add(u.neg, u.sig, u.exp - 63);
}

Unrounded Quire::value() const {
  const bool neg = words_.back() >> 63;
  std::vector<uint64_t> m = words_;
  if (neg) {
    unsigned carry = 1;
    for (auto& x : m) {
      const unsigned __int128 s = (unsigned __int128)(~x) + carry;
      x = uint64_t(s);
      carry = unsigned(s >> 64);
    }
  }
  int i = int(m.size()) - 1;
  while (i >= 0 && m[size_t(i)] == 0) --i;
  if (i < 0) return Unrounded::zero(false);
  const int lz = std::countl_zero(m[size_t(i)]);
  const int msb = i * 64 + 63 - lz;  // bit index of the leading one
  // The 64 bits from the leading one down; everything below goes into sticky.
  const uint64_t next = i > 0 ? m[size_t(i - 1)] : 0;
  const uint64_t sig = (m[size_t(i)] << lz) | (lz ? next >> (64 - lz) : 0);
  bool sticky = (lz ? next << lz : next) != 0;
  for (int j = i - 2; j >= 0 && !sticky; --j) sticky = m[size_t(j)] != 0;
  return {Unrounded::Kind::Finite, neg, sticky, msb + lsb_exp_, sig};
}

PositQuire::PositQuire(const PositSpec& s)
    : codec_(s), q_(-2 * s.max_scale(), std::max(64, 4 * s.max_scale() + 32)) {}

void PositQuire::fma(uint32_t a, uint32_t b) {
  if (a == codec_.nar() || b == codec_.nar()) {
    nar_ = true;
    return;
  }
  if (a == 0 || b == 0) return;
  const auto fa = codec_.fields(a), fb = codec_.fields(b);
  const unsigned __int128 ma = (uint64_t(1) << fa.frac_bits) | fa.frac;
  const unsigned __int128 mb = (uint64_t(1) << fb.frac_bits) | fb.frac;
  q_.add(fa.neg != fb.neg, ma * mb, fa.scale - fa.frac_bits + fb.scale - fb.frac_bits);
}

void PositQuire::add(uint32_t a) {
  if (a == codec_.nar()) {
    nar_ = true;
    return;
  }
  if (a == 0) return;
  const auto f = codec_.fields(a);
  q_.add(f.neg, (uint64_t(1) << f.frac_bits) | f.frac, f.scale - f.frac_bits);
}

uint32_t PositQuire::to_posit(const RoundingOptions& o) const {
  if (nar_) return codec_.nar();
  return codec_.encode(q_.value(), o);
}

}  // namespace arithsim::formats
