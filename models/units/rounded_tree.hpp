// A binary tree of rounded adds (CDNA2's matrix cores): every leaf and every add is one
// IEEE operation of the tree's format (round to nearest even, infinities and NaN by the IEEE
// rules), optionally flushing subnormal results to a zero of their sign. Leaves are added
// in pairs of neighbours, ((l0 + l1) + (l2 + l3)) for four. docs/pe/tensor_core.md.
#pragma once

#include <span>

#include <arithsim/models/formats/format.hpp>

namespace arithsim::units {

class RoundedTree {
 public:
  RoundedTree(formats::ElementFormat f, bool ftz);
  const formats::ElementFormat& format() const { return f_; }
  // One rounding of an exact value (finite, zero, inf or NaN) to the tree's format.
  formats::Decoded round(const formats::Unrounded& x) const;
  // round(x + y) for values of the format.
  formats::Decoded add(const formats::Decoded& x, const formats::Decoded& y) const;
  // The tree over leaves (values of the format): a power-of-two count, at most 64; none: +0.
  formats::Decoded sum(std::span<const formats::Decoded> leaves) const;

 private:
  formats::ElementFormat f_;
  formats::RoundingOptions o_;
};

}  // namespace arithsim::units
