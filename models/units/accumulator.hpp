// Adders and accumulators: integer (wrap or saturate, with an overflow flag), floating
// (any element format, rounding after every add), the exact Kulisch accumulator (the
// generic formats::Quire), and the exact two-operand add they are built on.
#pragma once

#include <cstdint>

#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/formats/quire.hpp>

namespace arithsim::units {

using formats::Unrounded;
using KulischAccumulator = formats::Quire;

// accumulate stage (integer): a W-bit two's complement register.
class IntAccumulator {
 public:
  IntAccumulator(int width, bool saturate);
  void reset(int64_t v = 0) { value_ = v; overflow_ = false; }
  void add(int64_t v);
  int64_t value() const { return value_; }
  bool overflow() const { return overflow_; }  // sticky: set by any add that did not fit
  int width() const { return width_; }

 private:
  int width_;
  bool saturate_;
  int64_t min_, max_;
  int64_t value_ = 0;
  bool overflow_ = false;
};

// The exact sum a + b in the unrounded form: the 64-bit significand plus sticky round to
// any format of <= 62 significant bits exactly as the true sum would. Exact when at most
// one operand carries a sticky bit. inf - inf is NaN.
Unrounded add(const Unrounded& a, const Unrounded& b);

// accumulate + round stages (floating): the register holds a code of `fmt`; every add is
// one exact add followed by one rounding with `o`. `fmt` must outlive the accumulator.
class FloatAccumulator {
 public:
  explicit FloatAccumulator(const formats::ElementFormat& fmt, formats::RoundingOptions o = {});
  void reset() { code_ = fmt_->encode(0.0, o_); }
  void add(const Unrounded& x) { code_ = fmt_->encode(units::add(fmt_->decode_exact(code_).unrounded(), x), o_); }
  uint32_t code() const { return code_; }
  void set(uint32_t code) { code_ = code; }  // load the register (e.g. from an adder tree)
  double value() const { return fmt_->decode(code_); }
  const formats::ElementFormat& format() const { return *fmt_; }

 private:
  const formats::ElementFormat* fmt_;
  formats::RoundingOptions o_;
  uint32_t code_ = 0;
};

}  // namespace arithsim::units
