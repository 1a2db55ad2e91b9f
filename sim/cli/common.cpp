#include "sim/cli/common.hpp"

#include <unistd.h>

#include <charconv>

#include <fmt/format.h>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/output_paths.hpp>

namespace arithsim::cli {

void RoundingArgs::add_to(CLI::App& app, bool with_daz) {
  app.add_option("--rounding", rounding, "rne | rtz | up | down | away | stochastic")->capture_default_str();
  app.add_option("--overflow", overflow, "default | saturate | inf | nan")->capture_default_str();
  add_integer<uint64_t>(app, "--seed", seed, "seed of the stochastic-rounding random bits", 0);
  add_integer(app, "--sr-bits", sr_bits, "random bits used by stochastic rounding (1..63)", 1, 63);
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

namespace {

[[noreturn]] void bad_integer(std::string_view text, std::string_view option, const std::string& range) {
  throw UsageError(fmt::format("'{}' is not an integer in {}", io::escape(text), range), std::string(option));
}

// Digits (after an optional sign) as a magnitude; nullopt when not all digits or over 2^64-1.
std::optional<uint64_t> magnitude(std::string_view digits) {
  if (digits.empty() || digits.size() > 40) return std::nullopt;
  uint64_t v = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  return v;
}

}  // namespace

uint64_t parse_unsigned(std::string_view text, std::string_view option, uint64_t min, uint64_t max) {
  const std::string range = fmt::format("{}..{}", min, max);
  std::string_view d = text;
  if (!d.empty() && d[0] == '+') d.remove_prefix(1);
  if (!d.empty() && d[0] == '-') bad_integer(text, option, range + " (negative values are not allowed)");
  const auto v = magnitude(d);
  if (!v || *v < min || *v > max) bad_integer(text, option, range);
  return *v;
}

int64_t parse_int(std::string_view text, std::string_view option, int64_t min, int64_t max) {
  const std::string range = fmt::format("{}..{}", min, max);
  std::string_view d = text;
  const bool neg = !d.empty() && d[0] == '-';
  if (!d.empty() && (d[0] == '+' || d[0] == '-')) d.remove_prefix(1);
  const auto m = magnitude(d);
  if (!m) bad_integer(text, option, range);
  const uint64_t limit = neg ? uint64_t(std::numeric_limits<int64_t>::max()) + 1 : uint64_t(std::numeric_limits<int64_t>::max());
  if (*m > limit) bad_integer(text, option, range);
  const int64_t v = neg ? int64_t(0 - *m) : int64_t(*m);
  if (v < min || v > max) bad_integer(text, option, range);
  return v;
}

std::pair<int, int> parse_array_shape(std::string_view text, std::string_view option, int max_side) {
  const auto x = text.find('x');
  if (x == std::string_view::npos)
    throw UsageError(fmt::format("'{}' is not RxC (e.g. 16x16)", io::escape(text)), std::string(option));
  const std::string o(option);
  const int r = int(parse_unsigned(text.substr(0, x), o + " rows", 1, uint64_t(max_side)));
  const int c = int(parse_unsigned(text.substr(x + 1), o + " columns", 1, uint64_t(max_side)));
  return {r, c};
}

std::map<std::string, std::string> parse_key_values(const std::vector<std::string>& kv, const std::string& option) {
  std::map<std::string, std::string> out;
  for (const auto& s : kv) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("parameter '" + io::escape(s) + "' is not key=value", option);
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

int run_cli(CLI::App& app, int argc, char** argv) {
  auto report = [](const char* what, int code) {
    fmt::print(stderr, "arithsim: error: {}\n", io::one_line(what));
    return code;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report(e.what(), 2);
  } catch (const UsageError& e) {
    return report(e.what(), 2);
  } catch (const io::OutputRefused& e) {  // an output path arithsim may not replace
    return report(e.what(), 2);
  } catch (const std::bad_alloc&) {
    return report("out of memory (the inputs ask for more than this machine can allocate)", 1);
  } catch (const std::exception& e) {
    return report(e.what(), 1);
  }
  return 0;
}

ProgressBar::ProgressBar(const std::string& mode)
    : tty_(mode == "always" || (mode == "auto" && isatty(2) != 0)),
      delay_s_(mode == "always" ? 0.0 : 1.0),
      start_(std::chrono::steady_clock::now()) {
  if (mode != "auto" && mode != "always" && mode != "never")
    throw UsageError(fmt::format("unknown progress mode '{}' (auto, always, never)", io::escape(mode)), "--progress");
}

ProgressBar::~ProgressBar() {
  if (shown_) fmt::print(stderr, "\r{:78}\r", "");
}

double ProgressBar::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::operator()(double f, const std::string& status) {
  if (!tty_) return;
  const double s = elapsed_s();
  if (s < delay_s_) return;
  const int w = 30, done = int(f * w + 0.5);
  fmt::print(stderr, "\r[{}{}] {:3.0f}% {:.1f} s {}", std::string(size_t(done), '#'), std::string(size_t(w - done), ' '),
             f * 100, s, status);
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace arithsim::cli

