#include "sim/cli/common.hpp"

namespace arithsim::cli {

void RoundingArgs::add_to(CLI::App& app, bool with_daz) {
  app.add_option("--rounding", rounding, "rne | rtz | up | down | away | stochastic")->capture_default_str();
  app.add_option("--overflow", overflow, "default | saturate | inf | nan")->capture_default_str();
  app.add_option("--seed", seed, "seed of the stochastic-rounding random bits")->capture_default_str();
  app.add_option("--sr-bits", sr_bits, "random bits used by stochastic rounding (1..63)")->capture_default_str();
  app.add_flag("--ftz", ftz, "flush results that would be subnormal to zero");
  if (with_daz) app.add_flag("--daz", daz, "decode subnormal codes as zero");
}

formats::RoundingOptions RoundingArgs::options() {
  formats::RoundingOptions o;
  const auto r = formats::parse_rounding(rounding);
  if (!r) throw UsageError("unknown rounding mode '" + rounding + "'; use rne|rtz|up|down|away|stochastic", "--rounding");
  const auto v = formats::parse_overflow(overflow);
  if (!v) throw UsageError("unknown overflow policy '" + overflow + "'; use default|saturate|inf|nan", "--overflow");
  if (sr_bits < 1 || sr_bits > 63) throw UsageError("stochastic rounding bits must be 1..63", "--sr-bits");
  o.mode = *r;
  o.overflow = *v;
  o.ftz = ftz;
  o.daz = daz;
  o.sr_bits = sr_bits;
  rng.reseed(seed);
  o.rng = &rng;
  return o;
}

std::map<std::string, std::string> parse_key_values(const std::vector<std::string>& kv, const std::string& option) {
  std::map<std::string, std::string> out;
  for (const auto& s : kv) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("parameter '" + s + "' is not key=value", option);
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

}  // namespace arithsim::cli
