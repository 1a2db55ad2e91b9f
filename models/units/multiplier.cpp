#include <arithsim/models/units/multiplier.hpp>

#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::units {

using K = Unrounded::Kind;

namespace {
// IEEE rules for a product with a special operand: NaN for NaN or inf*0, inf for inf,
// a signed zero for zero. Returns false when both operands are finite and nonzero.
bool special_product(K a, K b, bool neg, Unrounded& out) {
  if (a == K::NaN || b == K::NaN) out = Unrounded::nan(neg);
  else if (a == K::Inf || b == K::Inf) out = (a == K::Zero || b == K::Zero) ? Unrounded::nan(neg) : Unrounded::inf(neg);
  else if (a == K::Zero || b == K::Zero) out = Unrounded::zero(neg);
  else return false;
  return true;
}
}  // namespace

Unrounded multiply_exact(const Decoded& a, const Decoded& b) {
  const bool neg = a.neg != b.neg;
  Unrounded r;
  if (special_product(a.kind, b.kind, neg, r)) return r;
  return Unrounded::from_u128(neg, (unsigned __int128)a.mant * b.mant, a.exp + b.exp);
}

Unrounded multiply(const Unrounded& a, const Unrounded& b) {
  const bool neg = a.neg != b.neg;
  Unrounded r;
  if (special_product(a.kind, b.kind, neg, r)) return r;
  r = Unrounded::from_u128(neg, (unsigned __int128)a.sig * b.sig, a.exp + b.exp - 126);
  r.sticky = r.sticky || a.sticky || b.sticky;
  return r;
}

std::vector<SignedDigit> csd(int64_t w) {
  std::vector<SignedDigit> d;
  // Non-adjacent form from the LSB: a digit is +-1 where the low two bits say so.
  __int128 x = w;
  for (int i = 0; x != 0; ++i) {
    if (x & 1) {
      const int digit = 2 - int(((x % 4) + 4) % 4);  // +1 or -1
      d.push_back({i, digit < 0});
      x -= digit;
    }
    x /= 2;
  }
  return {d.rbegin(), d.rend()};
}

int64_t shift_add_multiply(int64_t x, int64_t w, int terms) {
  if (terms < 1) throw std::invalid_argument(fmt::format("shift-add: terms must be >= 1, got {}", terms));
  int64_t acc = 0;
  int used = 0;
  for (const auto& d : csd(w)) {
    if (used++ == terms) break;
    const int64_t t = int64_t(uint64_t(x) << d.shift);
    acc += d.neg ? -t : t;
  }
  return acc;
}

LutMultiplier::LutMultiplier(const formats::ElementFormat& a, const formats::ElementFormat& b) : bits_b_(b.bits()) {
  if (a.bits() + b.bits() > 16)
    throw std::invalid_argument(fmt::format("LUT multiplier: {}x{} needs 2^{} entries (limit 2^16)", a.name(), b.name(),
                                            a.bits() + b.bits()));
  table_.resize(size_t(1) << (a.bits() + b.bits()));
  for (uint32_t i = 0; i < (1u << a.bits()); ++i)
    for (uint32_t j = 0; j < (1u << b.bits()); ++j)
      table_[(size_t(i) << bits_b_) | j] = multiply_exact(a.decode_exact(i), b.decode_exact(j));
}

int lmul_offset_bits(int m) { return m <= 3 ? m : m == 4 ? 3 : 4; }

Unrounded lmul(const formats::MinifloatCodec& f, uint32_t a, uint32_t b, LMulVariant v) {
  const auto& s = f.spec();
  const bool neg = ((a ^ b) & f.sign_bit()) != 0;
  if (f.is_nan(a) || f.is_nan(b)) return Unrounded::nan(neg);
  const uint32_t mag_mask = f.sign_bit() - 1;
  const uint32_t ma = a & mag_mask, mb = b & mag_mask;
  const uint32_t ea = ma >> s.m, eb = mb >> s.m;
  if (f.is_inf(a) || f.is_inf(b)) return (ea == 0 || eb == 0) ? Unrounded::nan(neg) : Unrounded::inf(neg);
  if (ea == 0 || eb == 0) return Unrounded::zero(neg);  // zero and subnormals flush
  const int m = s.m, l = lmul_offset_bits(m);
  const uint64_t fa = ma & ((1u << m) - 1), fb = mb & ((1u << m) - 1);
  const int e = int(ea) + int(eb) - 2 * s.bias;  // x_e + y_e (unbiased)
  if (v == LMulVariant::Formula) {
    // (2^l * (2^m + fa + fb) + 2^m) / 2^(m+l): integer numerator, exact.
    const uint64_t num = (uint64_t(1) << l) * ((uint64_t(1) << m) + fa + fb) + (uint64_t(1) << m);
    return Unrounded::from_int(neg, num, e - m - l);
  }
  // Hardware: one integer add of the exponent|mantissa fields minus bias << m plus the
  // offset 2^(m-l) LSBs (an integer because l <= m). Mantissa carries (one or, for m >= 5,
  // possibly two) move into the exponent field exactly as the adder propagates them.
  const int64_t field = (int64_t(int(ea) + int(eb) - s.bias) << m) + int64_t(fa + fb) + (int64_t(1) << (m - l));
  const int64_t ef = field >> m;  // biased result exponent (unbounded here)
  const uint64_t mant = uint64_t(field & ((int64_t(1) << m) - 1));
  return Unrounded::from_int(neg, (uint64_t(1) << m) | mant, int(ef) - s.bias - m);
}

}  // namespace arithsim::units
