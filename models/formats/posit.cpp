#include <arithsim/models/formats/posit.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {

void PositSpec::validate() const {
  if (n < 2 || n > 32) throw std::invalid_argument(fmt::format("posit width must be 2..32, got {}", n));
  if (es < 0 || es > 4) throw std::invalid_argument(fmt::format("posit es must be 0..4, got {}", es));
}

std::string PositSpec::to_string() const { return fmt::format("posit{}_{}", n, es); }

PositCodec::PositCodec(const PositSpec& s) : s_(s) {
  s_.validate();
  mask_ = s_.n == 32 ? 0xffffffffu : (1u << s_.n) - 1;
  nar_ = 1u << (s_.n - 1);
  for (int e = -s_.max_scale(); e < s_.max_scale(); ++e) {
    const int k = e >> s_.es;
    const uint64_t regime = k >= 0 ? ((uint64_t(1) << (k + 1)) - 1) << 1 : 1;
    const int len = (k >= 0 ? k + 2 : 1 - k) + s_.es;
    heads_.push_back(((regime << s_.es) | uint64_t(e - (k << s_.es))) << (64 - len));
    head_len_.push_back(uint8_t(len));
  }
  if (s_.n <= 16) {
    table_.resize(size_t(1) << s_.n);
    for (uint32_t c = 0; c < table_.size(); ++c) table_[c] = decode(c);
  }
}

PositCodec::Fields PositCodec::fields(uint32_t code) const {
  code &= mask_;
  const bool neg = (code >> (s_.n - 1)) & 1;
  const uint32_t mag = neg ? (0u - code) & mask_ : code;
  // The n-1 bits after the sign, left-aligned in 64 bits.
  uint64_t x = uint64_t(mag) << (64 - (s_.n - 1));
  const int avail = s_.n - 1;
  const bool ones = x >> 63;
  int run = ones ? std::countl_one(x) : std::countl_zero(x);
  if (run > avail) run = avail;
  const int k = ones ? run - 1 : -run;
  const int used = run + 1;  // the run and its terminating bit (possibly cut off)
  int left = avail - used;
  if (left < 0) left = 0;
  x = used >= 64 ? 0 : x << used;
  // Exponent bits cut off by the end of the word count as zeros.
  const uint32_t e = s_.es == 0 ? 0 : uint32_t(x >> (64 - s_.es));
  x = s_.es == 0 ? x : x << s_.es;
  const int fb = left - s_.es > 0 ? left - s_.es : 0;
  const uint32_t f = fb == 0 ? 0 : uint32_t(x >> (64 - fb));
  return {neg, k * (1 << s_.es) + int(e), f, fb};
}

double PositCodec::decode(uint32_t code) const {
  code &= mask_;
  if (code == 0) return 0.0;
  if (code == nar_) return std::numeric_limits<double>::quiet_NaN();
  const Fields f = fields(code);
  const double v = std::ldexp(double((uint64_t(1) << f.frac_bits) | f.frac), f.scale - f.frac_bits);
  return f.neg ? -v : v;
}

}  // namespace arithsim::formats
