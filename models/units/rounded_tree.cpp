#include <arithsim/models/units/rounded_tree.hpp>

#include <array>
#include <bit>
#include <stdexcept>

#include <fmt/format.h>

#include <arithsim/models/units/accumulator.hpp>

namespace arithsim::units {

RoundedTree::RoundedTree(formats::ElementFormat f, bool ftz) : f_(std::move(f)) {
  o_.mode = formats::Rounding::NearestEven;
  o_.overflow = formats::Overflow::Infinity;
  o_.ftz = ftz;
}

formats::Decoded RoundedTree::round(const formats::Unrounded& x) const {
  if (x.kind == formats::Unrounded::Kind::NaN) return {formats::Unrounded::Kind::NaN, false, 0, 0};
  return f_.decode_exact(f_.encode(x, o_));
}

formats::Decoded RoundedTree::add(const formats::Decoded& x, const formats::Decoded& y) const {
  return round(units::add(x.unrounded(), y.unrounded()));
}

formats::Decoded RoundedTree::sum(std::span<const formats::Decoded> leaves) const {
  if (leaves.empty()) return {};
  if (leaves.size() > 64 || !std::has_single_bit(leaves.size()))
    throw std::invalid_argument(fmt::format("rounded tree: {} leaves (a power of two up to 64)", leaves.size()));
  std::array<formats::Decoded, 64> level;
  size_t n = leaves.size();
  std::copy(leaves.begin(), leaves.end(), level.begin());
  for (; n > 1; n /= 2)
    for (size_t i = 0; i < n / 2; ++i) level[i] = add(level[2 * i], level[2 * i + 1]);
  return level[0];
}

}  // namespace arithsim::units
