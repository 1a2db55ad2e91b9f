#include <arithsim/models/io/yaml_document.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <arithsim/models/io/escape.hpp>

namespace arithsim::io {
namespace {

[[noreturn]] void fail(std::string_view name, const std::string& where, const std::string& what) {
  throw YamlError(std::string(name) + (where.empty() ? "" : ":" + where) + ": " + what);
}

// Rejects what yaml-cpp would silently misread: BOMs of UTF-16/32, NUL bytes, invalid UTF-8.
void check_utf8(std::string_view t, std::string_view name) {
  auto bad = [&](const std::string& why) { fail(name, "", "not UTF-8 text (" + why + ")"); };
  if (t.size() >= 2 && ((uint8_t(t[0]) == 0xff && uint8_t(t[1]) == 0xfe) || (uint8_t(t[0]) == 0xfe && uint8_t(t[1]) == 0xff)))
    bad("a UTF-16/32 byte-order mark; save the file as UTF-8");
  for (size_t i = 0; i < t.size();) {
    const auto c = uint8_t(t[i]);
    if (c == 0) bad("a NUL byte at offset " + std::to_string(i) + ": UTF-16 or binary data?");
    // Well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms (C0, C1, E0 80..9F,
    // F0 80..8F), no surrogates (ED A0..BF), nothing above U+10FFFF (F4 90.., F5..FF).
    const size_t n = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
    bool ok = n != 0 && i + n <= t.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (uint8_t(t[i + k]) & 0xc0) == 0x80;
    if (ok && n > 1) {
      const auto c1 = uint8_t(t[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0) && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (!ok) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      bad(std::string("an invalid byte ") + hex + " at offset " + std::to_string(i));
    }
    i += n;
  }
}

// yaml-cpp keeps every pair of a mapping with repeated keys (and lookups find the first):
// a repeated key, or one that is not a scalar, is refused, in every mapping of the document.
// Depth-limited (yaml-cpp's own parser bounds nesting depth; this walk does not add
// recursion beyond what it built).
void check_duplicates(const YAML::Node& n, std::string_view name, int depth) {
  if (depth > 256) fail(name, position(n), "nesting deeper than 256 levels");
  if (n.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : n) {
      // Every reader looks keys up by their text: a null, sequence or mapping key would be
      // read as "" and then not found.
      if (!kv.first.IsScalar()) fail(name, position(kv.first), "a mapping key is empty or not a plain name");
      if (!seen.insert(kv.first.Scalar()).second)
        fail(name, position(kv.first), "duplicate key '" + escape(kv.first.Scalar()) + "'");
      check_duplicates(kv.second, name, depth + 1);
    }
  } else if (n.IsSequence()) {
    for (const auto& e : n) check_duplicates(e, name, depth + 1);
  }
}

}  // namespace

std::string position(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return "";
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

YAML::Node load_yaml(std::string_view text, std::string_view name) {
  check_utf8(text, name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const std::string where = e.mark.is_null() ? "" : std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    fail(name, where, "YAML syntax error: " + escape(e.msg));
  }
  check_duplicates(root, name, 0);
  return root;
}

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "", "is a directory, not a file");
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "", std::string("cannot read (") + std::strerror(errno) + ")");
  std::ostringstream s;
  s << f.rdbuf();
  if (f.bad()) fail(path, "", "read error");
  return s.str();
}

YAML::Node load_yaml_file(const std::string& path) { return load_yaml(read_text_file(path), path); }

}  // namespace arithsim::io
