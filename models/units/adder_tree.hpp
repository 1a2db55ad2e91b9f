// The multi-operand fused adder tree of tensor-core-style dot-product units: every term is
// aligned to the largest exponent in a window of `align_bits` bits, bits shifted past the
// window are truncated or rounded (per term), the aligned integers are summed exactly, and
// a single normalization/rounding happens at the end (done by the caller's output format).
// Stages: align -> add -> normalize/round.
#pragma once

#include <span>

#include <arithsim/models/formats/unrounded.hpp>

namespace arithsim::units {

using formats::Unrounded;

struct AdderTreeSpec {
  int inputs = 16;           // terms per tree (a dot-product step of this many products)
  int align_bits = 27;       // window below and including the largest term's leading bit
  bool round_shifted = false;  // false: truncate bits past the window; true: RNE per term
  void validate() const;     // inputs 1..4096, align_bits 2..100
};

class AdderTree {
 public:
  explicit AdderTree(AdderTreeSpec s);
  const AdderTreeSpec& spec() const { return s_; }
  // The tree's exact output for up to spec().inputs terms (the accumulator input, when the
  // design adds it inside the tree, is one of the terms). NaN/inf follow IEEE rules.
  Unrounded sum(std::span<const Unrounded> terms) const;

 private:
  AdderTreeSpec s_;
};

}  // namespace arithsim::units
