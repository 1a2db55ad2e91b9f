#include <arithsim/models/units/adder_tree.hpp>

#include <stdexcept>

#include <fmt/format.h>

#include <arithsim/models/formats/rounding.hpp>

namespace arithsim::units {

using K = Unrounded::Kind;

void AdderTreeSpec::validate() const {
  if (inputs < 1 || inputs > 4096) throw std::invalid_argument(fmt::format("adder tree inputs must be 1..4096, got {}", inputs));
  if (align_bits < 2 || align_bits > 100)
    throw std::invalid_argument(fmt::format("adder tree alignment width must be 2..100 bits, got {}", align_bits));
}

AdderTree::AdderTree(AdderTreeSpec s) : s_(s) { s_.validate(); }

Unrounded AdderTree::sum(std::span<const Unrounded> terms) const {
  if (int(terms.size()) > s_.inputs)
    throw std::invalid_argument(fmt::format("adder tree: {} terms for {} inputs", terms.size(), s_.inputs));
  bool nan = false, pinf = false, ninf = false, any = false;
  int emax = 0;
  for (const auto& t : terms) {
    if (t.kind == K::NaN) nan = true;
    if (t.kind == K::Inf) (t.neg ? ninf : pinf) = true;
    if (t.kind == K::Finite) {
      emax = any ? std::max(emax, t.exp) : t.exp;
      any = true;
    }
  }
  if (nan || (pinf && ninf)) return Unrounded::nan(false);
  if (pinf || ninf) return Unrounded::inf(ninf);
  if (!any) {
    bool all_neg = !terms.empty();
    for (const auto& t : terms) all_neg = all_neg && t.neg;
    return Unrounded::zero(all_neg);
  }
  // align: the window's LSB weighs 2^(emax - align_bits + 1).
  const int lsb = emax - s_.align_bits + 1;
  formats::RoundingOptions rne;
  __int128 acc = 0;
  for (const auto& t : terms) {
    if (t.kind != K::Finite) continue;
    // t = sig * 2^(exp-63); in window units: sig * 2^(exp - 63 - lsb), shift right by sh.
    const int sh = 63 - (t.exp - lsb);
    unsigned __int128 v;
    if (sh <= 0) {
      v = (unsigned __int128)t.sig << -sh;  // a window wider than 64 bits: nothing shifted out
    } else {
      const formats::Split sp = formats::split_at(t.sig, sh, t.sticky);
      v = sp.kept;
      if (s_.round_shifted && formats::round_up(rne, t.neg, sp.kept & 1, sp.frac, sp.sticky)) ++v;
    }
    acc += t.neg ? -__int128(v) : __int128(v);
  }
  // add -> normalize: the exact integer sum in window units.
  if (acc == 0) return Unrounded::zero(false);
  const bool neg = acc < 0;
  return Unrounded::from_u128(neg, (unsigned __int128)(neg ? -acc : acc), lsb);
}

}  // namespace arithsim::units
