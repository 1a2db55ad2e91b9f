#include <arithsim/models/formats/rounding.hpp>

#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {

std::string_view to_string(Rounding r) {
  switch (r) {
    case Rounding::NearestEven: return "rne";
    case Rounding::TowardZero: return "rtz";
    case Rounding::Up: return "up";
    case Rounding::Down: return "down";
    case Rounding::NearestAway: return "away";
    case Rounding::Stochastic: return "stochastic";
  }
  return "?";
}

std::string_view to_string(Overflow o) {
  switch (o) {
    case Overflow::Default: return "default";
    case Overflow::Saturate: return "saturate";
    case Overflow::Infinity: return "inf";
    case Overflow::NaN: return "nan";
  }
  return "?";
}

std::optional<Rounding> parse_rounding(std::string_view s) {
  for (auto r : {Rounding::NearestEven, Rounding::TowardZero, Rounding::Up, Rounding::Down,
                 Rounding::NearestAway, Rounding::Stochastic})
    if (s == to_string(r)) return r;
  if (s == "sr") return Rounding::Stochastic;
  return std::nullopt;
}

std::optional<Overflow> parse_overflow(std::string_view s) {
  for (auto o : {Overflow::Default, Overflow::Saturate, Overflow::Infinity, Overflow::NaN})
    if (s == to_string(o)) return o;
  if (s == "sat") return Overflow::Saturate;
  return std::nullopt;
}

void RandomBits::reseed(uint64_t seed) {
  // splitmix64 expands the seed so that nearby seeds give unrelated streams.
  for (auto& w : s_) {
    seed += 0x9e3779b97f4a7c15ull;
    uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    w = z ^ (z >> 31);
  }
}

void validate(const RoundingOptions& o) {
  if (o.mode == Rounding::Stochastic) {
    if (o.rng == nullptr) throw std::invalid_argument("stochastic rounding needs a random source");
    if (o.sr_bits < 1 || o.sr_bits > 63)
      throw std::invalid_argument("stochastic rounding bits must be 1..63, got " +
                                  std::to_string(o.sr_bits));
  }
}

void check_finite_overflow(const RoundingOptions& o, std::string_view format) {
  validate(o);
  if (o.overflow == Overflow::Infinity || o.overflow == Overflow::NaN)
    throw std::invalid_argument(fmt::format("overflow={}: format {} has no {}", to_string(o.overflow), format,
                                            o.overflow == Overflow::Infinity ? "infinity" : "NaN"));
}

}  // namespace arithsim::formats
