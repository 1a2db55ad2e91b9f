// arithsim format list | table | encode | decode
#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/formats/format.hpp>
#include "sim/cli/common.hpp"

namespace arithsim::cli {
namespace {

using formats::ElementFormat;

ElementFormat parse_format(const std::string& name) {
  try {
    return ElementFormat::parse(name);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what(), "FORMAT");
  }
}

std::string hex_code(uint32_t code, int bits) { return fmt::format("0x{:0{}x}", code, (bits + 3) / 4); }

// Hex-float and shortest round-trip decimal; NaN as nan, infinities as inf/-inf.
std::string value_text(double v) {
  if (std::isnan(v)) return "nan nan";
  if (std::isinf(v)) return v > 0 ? "inf inf" : "-inf -inf";
  return fmt::format("{:a} {}", v, v);
}

// Decimal, C hex-float (0x1.8p+3), nan/inf, or a binary32 pattern written f32:0x40490fdb.
double parse_value(const std::string& s, size_t line) {
  const auto where = fmt::format("stdin line {}", line);
  if (s.rfind("f32:", 0) == 0) {
    const std::string h = s.substr(4);
    char* end = nullptr;
    errno = 0;
    const unsigned long long b = std::strtoull(h.c_str(), &end, 16);
    if (h.size() < 3 || h.substr(0, 2) != "0x" || *end || errno || b > 0xffffffffull)
      throw RuntimeError(fmt::format("bad f32 bit pattern '{}'", s), where);
    const uint32_t u = uint32_t(b);
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  if (s.empty()) throw RuntimeError("empty line, expected a value", where);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end) throw RuntimeError(fmt::format("not a number: '{}'", s), where);
  return v;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

void cmd_list(bool json) {
  nlohmann::json out = nlohmann::json::array();
  if (!json)
    fmt::print("{:<20} {:<26} {:>4} {:<22} {:>5} {:>14} {:>14} {:>14}  {}\n", "name", "aliases", "bits", "layout", "bias",
               "max", "min_normal", "min_subnormal", "special values");
  for (const auto& p : formats::presets()) {
    const ElementFormat f(p.spec, p.name);
    const auto i = f.info();
    std::string aliases;
    for (const auto& a : p.aliases) aliases += (aliases.empty() ? "" : ",") + a;
    if (json) {
      out.push_back({{"name", p.name}, {"aliases", p.aliases}, {"kind", i.kind}, {"bits", i.bits},
                     {"layout", i.layout}, {"bias", i.bias}, {"max", i.max}, {"min_normal", i.min_normal},
                     {"min_subnormal", i.min_subnormal}, {"specials", i.specials}, {"source", p.source}});
    } else {
      fmt::print("{:<20} {:<26} {:>4} {:<22} {:>5} {:>14.6g} {:>14.6g} {:>14.6g}  {}\n", p.name, aliases, i.bits,
                 i.layout, i.kind == "minifloat" ? fmt::format("{}", i.bias) : "-", i.max, i.min_normal,
                 i.min_subnormal, i.specials);
    }
  }
  // Block formats: one row each, after the element formats (whose lines stay as they were).
  if (!json)
    fmt::print("\n{:<20} {:<26} {:>4} {:<22} {:>5} {:<22} {:>9}  {}\n", "block format", "aliases", "bits", "element",
               "block", "scale", "bits/elem", "note");
  for (const auto& p : formats::block_presets()) {
    const formats::BlockCodec c(formats::parse_block(p.name));
    const auto& s = c.spec();
    const bool bfp = s.kind == formats::BlockKind::BFP;
    const std::string element = bfp ? fmt::format("sign-magnitude {}b", s.element_bits()) : s.elem.name();
    const std::string scale = bfp ? fmt::format("exponent {}b, bias {}", s.exp_bits, (1 << (s.exp_bits - 1)) - 1)
                                  : c.scale_format().name();
    const int scale_bits = c.scale_format().bits();
    // Per element: its own bits plus the block's scale (and zero point, counted at the element
    // width as the trace cost model does) spread over the block.
    const double per_elem = s.element_bits() + double(scale_bits + (s.zero_point ? s.element_bits() : 0)) / s.block;
    std::string aliases;
    for (const auto& a : p.aliases) aliases += (aliases.empty() ? "" : ",") + a;
    if (json) {
      out.push_back({{"name", p.name}, {"aliases", p.aliases}, {"kind", "block"}, {"bits", s.element_bits()},
                     {"element", element}, {"block", s.block}, {"scale", scale}, {"scale_bits", scale_bits},
                     {"zero_point", s.zero_point}, {"bits_per_element", per_elem}, {"note", p.note},
                     {"source", p.source}});
    } else {
      fmt::print("{:<20} {:<26} {:>4} {:<22} {:>5} {:<22} {:>9.4g}  {}\n", p.name, aliases, s.element_bits(), element,
                 s.block, scale, per_elem, p.note);
    }
  }
  if (json) fmt::print("{}\n", out.dump(2));
  else
    fmt::print("\nAlso: any eXmY[:bias=B][:ieee|fn|finite|fnuz|ue][:clamp], [u]intN[:frac=F][:wrap][:sym], bipolarN,\n"
               "positN_ES; block formats intB_gG[:asym], bfpN and options such as :block=N, :scale=F\n"
               "(see docs/formats.md).\n");
}

void cmd_table(const std::string& name, bool csv) {
  const auto f = parse_format(name);
  if (f.bits() > 16) throw UsageError(fmt::format("format {} has {} bits; tables are for formats of <= 16 bits", f.name(), f.bits()), "FORMAT");
  std::string out;
  out += csv ? "code,hexfloat,value\n" : "";
  const uint32_t n = 1u << f.bits();
  for (uint32_t c = 0; c < n; ++c) {
    const double v = f.decode(c);
    const std::string t = value_text(v);
    if (csv) {
      const auto sp = t.find(' ');
      out += fmt::format("{},{},{}\n", hex_code(c, f.bits()), t.substr(0, sp), t.substr(sp + 1));
    } else {
      out += fmt::format("{} {}\n", hex_code(c, f.bits()), t);
    }
  }
  fmt::print("{}", out);
}

void cmd_encode(const std::string& name, RoundingArgs& ra, bool daz) {
  const auto f = parse_format(name);
  auto o = ra.options();
  o.daz_in = daz;  // denormals are zero on input: |x| < 2^-126 is taken as a zero of its sign
  try {
    f.check(o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what(), "--overflow");
  }
  std::string line, out;
  size_t n = 0;
  while (std::getline(std::cin, line)) {
    ++n;
    out += hex_code(f.encode(parse_value(trim(line), n), o), f.bits()) + "\n";
  }
  fmt::print("{}", out);
}

void cmd_decode(const std::string& name, bool daz) {
  const auto f = parse_format(name);
  std::string line, out;
  size_t n = 0;
  const uint64_t limit = uint64_t(1) << f.bits();
  while (std::getline(std::cin, line)) {
    ++n;
    const std::string s = trim(line);
    char* end = nullptr;
    errno = 0;
    const unsigned long long c = s.size() > 2 && (s[1] == 'x' || s[1] == 'X') && s[0] == '0'
                                     ? std::strtoull(s.c_str() + 2, &end, 16)
                                     : 0;
    if (end == nullptr || end == s.c_str() + 2 || *end || errno)
      throw RuntimeError(fmt::format("expected a hex code like 0x3f, got '{}'", s), fmt::format("stdin line {}", n));
    if (c >= limit)
      throw RuntimeError(fmt::format("code {} does not fit in {} bits", s, f.bits()), fmt::format("stdin line {}", n));
    out += value_text(f.decode(uint32_t(c), daz)) + "\n";
  }
  fmt::print("{}", out);
}

}  // namespace

void add_format_commands(CLI::App& app) {
  auto* fmtc = app.add_subcommand("format", "number formats: list, value tables, encode, decode");
  fmtc->require_subcommand(1);

  auto* list = fmtc->add_subcommand("list", "every named format with its layout, range and special values");
  static bool list_json = false;
  list->add_flag("--json", list_json, "print JSON");
  list->callback([] { cmd_list(list_json); });

  auto* table = fmtc->add_subcommand("table", "every code of a format (<= 16 bits) with its value");
  static std::string table_fmt;
  static bool table_csv = false;
  table->add_option("FORMAT", table_fmt, "format name or spec")->required();
  table->add_flag("--csv", table_csv, "print CSV (code,hexfloat,value)");
  table->callback([] { cmd_table(table_fmt, table_csv); });

  auto* enc = fmtc->add_subcommand("encode", "encode values read from stdin (one per line) to hex codes");
  static std::string enc_fmt;
  static RoundingArgs enc_args;
  enc->add_option("FORMAT", enc_fmt, "format name or spec")->required();
  static bool enc_daz = false;
  enc_args.add_to(*enc, /*with_daz=*/false);
  enc->add_flag("--daz", enc_daz, "treat inputs below 2^-126 (float32 subnormals) as zero before rounding");
  enc->callback([] { cmd_encode(enc_fmt, enc_args, enc_daz); });

  auto* dec = fmtc->add_subcommand("decode", "decode hex codes read from stdin to 'hexfloat decimal'");
  static std::string dec_fmt;
  static bool dec_daz = false;
  dec->add_option("FORMAT", dec_fmt, "format name or spec")->required();
  dec->add_flag("--daz", dec_daz, "decode subnormal codes as zero");
  dec->callback([] { cmd_decode(dec_fmt, dec_daz); });
}

}  // namespace arithsim::cli
