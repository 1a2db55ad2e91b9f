// Integer formats: two's complement / unsigned INT1..INT32 (optionally fixed point with
// `frac_bits`), wrap or saturate, symmetric ranges (ternary = symmetric INT2, MXINT8
// without -128), and bipolar integers (odd levels +-1, +-3, ...; binary = bipolar INT1).
#pragma once

#include <cstdint>
#include <string>

#include <arithsim/models/formats/rounding.hpp>
#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::formats {

struct IntSpec {
  int bits = 8;
  bool is_signed = true;
  bool saturate = true;    // false: wrap modulo 2^bits
  bool symmetric = false;  // signed only: the most negative code is never produced
  int frac_bits = 0;       // value = integer * 2^-frac_bits (MXINT8 uses 6)

  void validate() const;  // 1..32 bits (signed INT1: {-1, 0}), |frac_bits| <= 64
  int64_t min_int() const { return is_signed ? -(int64_t(1) << (bits - 1)) + (symmetric ? 1 : 0) : 0; }
  int64_t max_int() const { return is_signed ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1; }
  std::string to_string() const;
  bool operator==(const IntSpec&) const = default;
};

class IntCodec {
 public:
  explicit IntCodec(const IntSpec& s);
  const IntSpec& spec() const { return s_; }
  int bits() const { return s_.bits; }
  int64_t to_int(uint32_t code) const;  // sign-extends
  double decode(uint32_t code) const;
  // NaN -> 0; +-inf -> max/min (also when wrapping, where no modular result exists).
  uint32_t encode(const Unrounded& u, const RoundingOptions& o) const;
  uint32_t encode(double x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_double(x), o); }
  uint32_t encode(float x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_float(x), o); }

 private:
  IntSpec s_;
  uint32_t mask_;
};

struct BipolarSpec {
  int bits = 1;  // levels 2c - (2^bits - 1) for code c
  void validate() const;
  std::string to_string() const;
  bool operator==(const BipolarSpec&) const = default;
};

class BipolarCodec {
 public:
  explicit BipolarCodec(const BipolarSpec& s);
  int bits() const { return s_.bits; }
  double decode(uint32_t code) const { return 2.0 * double(code) - double(levels_ - 1); }
  // Nearest level; ties (x an even integer) follow the rounding mode on the level index,
  // Exactly zero and NaN map to +1 (the sign() convention of binary networks).
  uint32_t encode(const Unrounded& u, const RoundingOptions& o) const;
  uint32_t encode(double x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_double(x), o); }

 private:
  BipolarSpec s_;
  uint64_t levels_;
};

}  // namespace arithsim::formats
