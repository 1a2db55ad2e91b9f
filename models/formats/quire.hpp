// Exact fixed-point accumulation (Kulisch accumulator; the posit standard's quire).
// A two's complement integer of `width` bits whose LSB weighs 2^lsb_exp: sums of products
// are exact as long as every term is a multiple of 2^lsb_exp and the total fits.
#pragma once

#include <cstdint>
#include <vector>

#include <arithsim/models/formats/posit.hpp>
#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::formats {

class Quire {
 public:
  Quire(int lsb_exp, int width_bits);
  int lsb_exp() const { return lsb_exp_; }
  int width() const { return int(words_.size()) * 64; }
  void clear();
  // Adds (-1)^neg * mag * 2^exp. Throws std::domain_error, leaving the sum as it was, if a
  // term has bits below the LSB or beyond the width, or if the sum would overflow the
  // width (it would not be exact).
  void add(bool neg, unsigned __int128 mag, int exp);
  void add(const Unrounded& u);  // finite or zero, no sticky
  bool is_zero() const;
  // The exact value as an unrounded number (sticky collects bits below the top 64).
  Unrounded value() const;
  // The lowest 64 bits of the two's complement sum, in units of the LSB: for integer
  // quires (LSB 2^0), the sum modulo 2^64, at any magnitude.
  uint64_t low_bits() const { return words_.front(); }

 private:
  void apply(size_t w, const uint64_t (&part)[3], bool neg);
  int lsb_exp_;
  std::vector<uint64_t> words_;  // little endian, two's complement
};

// The quire of a posit(n, es) (n <= 16 here, as required; the class itself has no limit):
// LSB = minpos^2, MSB = maxpos^2 plus 31 carry bits and a sign bit.
class PositQuire {
 public:
  explicit PositQuire(const PositSpec& s);
  void clear() { q_.clear(); nar_ = false; }
  void fma(uint32_t a, uint32_t b);  // quire += a*b, exactly
  void add(uint32_t a);              // quire += a
  uint32_t to_posit(const RoundingOptions& o = {}) const;  // one rounding, at the end
  bool is_nar() const { return nar_; }
  const Quire& quire() const { return q_; }

 private:
  PositCodec codec_;
  Quire q_;
  bool nar_ = false;
};

}  // namespace arithsim::formats
