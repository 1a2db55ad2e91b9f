#include <arithsim/models/io/escape.hpp>

#include <cstdio>

namespace arithsim::io {

namespace {

std::string escaped(std::string_view s, size_t max_chars, bool backslash) {
  std::string out;
  out.reserve(s.size() < max_chars ? s.size() : max_chars);
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max_chars) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += backslash ? "\\\\" : "\\"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out;
}

}  // namespace

std::string escape(std::string_view s, size_t max_chars) { return escaped(s, max_chars, true); }
std::string one_line(std::string_view message, size_t max_chars) { return escaped(message, max_chars, false); }

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string q = "\"";
  for (const char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace arithsim::io
