// Posits posit(n, es), 2 <= n <= 32, 0 <= es <= 4, per the 2022 posit standard with es as
// a parameter: NaR at 100...0, rounding on the encoding (ties to an even pattern), and no
// rounding to zero or NaR: magnitudes clamp to [minpos, maxpos].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/formats/rounding.hpp"
#include "models/formats/unrounded.hpp"

namespace arithsim::formats {

struct PositSpec {
  int n = 8;
  int es = 0;
  void validate() const;
  int max_scale() const { return (n - 2) << es; }  // maxpos = 2^max_scale
  std::string to_string() const;
  bool operator==(const PositSpec&) const = default;
};

class PositCodec {
 public:
  explicit PositCodec(const PositSpec& s);
  const PositSpec& spec() const { return s_; }
  int bits() const { return s_.n; }
  uint32_t nar() const { return nar_; }
  uint32_t maxpos() const { return nar_ - 1; }

  // Fields of a code: sign, scale (k*2^es + e), fraction bits and their count.
  struct Fields {
    bool neg;
    int scale;
    uint32_t frac;
    int frac_bits;
  };
  Fields fields(uint32_t code) const;  // code must be neither 0 nor NaR
  double decode(uint32_t code) const;  // exact

  uint32_t encode(const Unrounded& u, const RoundingOptions& o = {}) const;
  uint32_t encode(double x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_double(x), o); }
  uint32_t encode(float x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_float(x), o); }

  const std::vector<double>& table() const { return table_; }  // n <= 16

 private:
  PositSpec s_;
  uint32_t mask_, nar_;
  std::vector<double> table_;
};

}  // namespace arithsim::formats
