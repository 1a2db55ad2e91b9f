#include "sim/synth/liberty.hpp"
#include "sim/synth/tools.hpp"

#include <fnmatch.h>

#include <cctype>
#include <map>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::synth {
namespace {

// The end (one past the closing brace) of the group whose opening brace is at `open`;
// comments are skipped. npos when the braces do not balance.
size_t group_end(const std::string& t, size_t open) {
  int depth = 0;
  for (size_t i = open; i < t.size(); ++i) {
    if (t[i] == '/' && i + 1 < t.size() && t[i + 1] == '*') {
      const size_t e = t.find("*/", i + 2);
      if (e == std::string::npos) return std::string::npos;
      i = e + 1;
    } else if (t[i] == '"') {
      const size_t e = t.find('"', i + 1);
      if (e == std::string::npos) return std::string::npos;
      i = e;
    } else if (t[i] == '{') {
      ++depth;
    } else if (t[i] == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return std::string::npos;
}

struct Group {
  std::string name;
  size_t begin, end;  // the group's text, from its keyword to its closing brace
};

// Every `kind (name) {...}` group in [from, to) that is not inside another group of that
// kind found before it (cells of a library, pins of a cell). A plain scan: the libraries are
// tens of MB.
std::vector<Group> groups(const std::string& t, size_t from, size_t to, const std::string& kind) {
  std::vector<Group> out;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto space = [&](size_t i) {
    while (i < to && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    return i;
  };
  for (size_t at = t.find(kind, from); at != std::string::npos && at < to; at = t.find(kind, at + 1)) {
    if ((at > 0 && word(t[at - 1])) || (at + kind.size() < t.size() && word(t[at + kind.size()]))) continue;
    size_t i = space(at + kind.size());
    if (i >= to || t[i] != '(') continue;
    const size_t close = t.find(')', i);
    if (close == std::string::npos || close >= to) break;
    std::string name = t.substr(i + 1, close - i - 1);
    std::string clean;
    for (char c : name)
      if (c != '"' && !std::isspace(static_cast<unsigned char>(c))) clean += c;
    i = space(close + 1);
    if (i >= to || t[i] != '{') continue;
    const size_t end = group_end(t, i);
    if (end == std::string::npos || end > to) break;
    out.push_back({clean, at, end});
    at = end - 1;
  }
  return out;
}

// The value of the first `key : value ;` in [from, to), quotes removed ("" when absent).
std::string attribute(const std::string& t, size_t from, size_t to, const std::string& key) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = t.find(key, from); at != std::string::npos && at < to; at = t.find(key, at + 1)) {
    if ((at > 0 && word(t[at - 1])) || word(t[at + key.size()])) continue;
    size_t i = at + key.size();
    while (i < to && (t[i] == ' ' || t[i] == '\t')) ++i;
    if (i >= to || t[i] != ':') continue;
    const size_t semi = t.find_first_of(";\n", i);
    if (semi == std::string::npos || semi > to) return "";
    std::string v;
    for (size_t j = i + 1; j < semi; ++j)
      if (t[j] != '"') v += t[j];
    const size_t b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t");
    return b == std::string::npos ? "" : v.substr(b, e - b + 1);
  }
  return "";
}

std::string no_space(std::string s) {
  std::string o;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) o += c;
  return o;
}

CellClass classify(const std::string& t, const Group& cell) {
  for (const char* kind : {"ff", "latch", "ff_bank", "latch_bank", "statetable"})
    if (!groups(t, cell.begin + 4, cell.end, kind).empty()) return CellClass::Sequential;
  // a buffer or inverter: one input pin, one output pin whose function is that input or its
  // negation
  std::vector<std::string> inputs, functions;
  for (const Group& pin : groups(t, cell.begin + 4, cell.end, "pin")) {
    const std::string dir = attribute(t, pin.begin, pin.end, "direction");
    if (dir == "input") inputs.push_back(pin.name);
    if (dir == "output") functions.push_back(no_space(attribute(t, pin.begin, pin.end, "function")));
  }
  if (inputs.size() == 1 && functions.size() == 1) {
    const std::string& a = inputs[0];
    for (const std::string& f : {a, "!" + a, "(!" + a + ")", "!(" + a + ")", a + "'", "(" + a + ")"})
      if (functions[0] == f) return CellClass::Buffer;
  }
  return CellClass::Combinational;
}

std::string read_text(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::runtime_error(fmt::format("{}: no such liberty file", path));
  if (std::filesystem::is_directory(path)) throw std::runtime_error(fmt::format("{}: is a directory, not a liberty file", path));
  std::string text;
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    int status = 0;
    text = command_output(fmt::format("gzip -dc '{}' 2>/dev/null", path), status);
    if (status == -1) throw std::runtime_error(fmt::format("{}: cannot run gzip to decompress it", path));
    if (status != 0) throw std::runtime_error(fmt::format("{}: not a readable gzip file", path));
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot read", path));
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  return text;
}

}  // namespace

const char* cell_class_name(CellClass c) {
  return c == CellClass::Sequential ? "sequential" : c == CellClass::Buffer ? "buffer" : "combinational";
}

const LibertyCell* Liberty::find(const std::string& cell) const {
  for (const auto& c : cells)
    if (c.name == cell) return &c;
  return nullptr;
}

Liberty read_liberty(const std::string& path) {
  Liberty lib;
  lib.path = path;
  lib.text = read_text(path);
  const auto libs = groups(lib.text, 0, lib.text.size(), "library");
  if (libs.empty()) throw std::runtime_error(fmt::format("{}: no library group (not a liberty file?)", path));
  lib.library = libs[0].name;
  const std::string tu = no_space(attribute(lib.text, libs[0].begin, libs[0].end, "time_unit"));
  static const std::map<std::string, double> units = {{"1ps", 1e-12}, {"10ps", 1e-11}, {"100ps", 1e-10}, {"1ns", 1e-9},
                                                      {"10ns", 1e-8}, {"1us", 1e-6}};
  const auto u = units.find(tu);
  if (u == units.end())
    throw std::runtime_error(fmt::format("{}: time_unit '{}' is not one of 1ps, 10ps, 100ps, 1ns, 10ns, 1us", path, tu));
  lib.time_unit_s = u->second;
  for (const Group& g : groups(lib.text, libs[0].begin + 7, libs[0].end, "cell")) {
    LibertyCell c;
    c.name = g.name;
    const std::string area = attribute(lib.text, g.begin, g.end, "area");
    c.area = area.empty() ? 0.0 : std::stod(area);
    c.cls = classify(lib.text, g);
    for (const Group& pin : groups(lib.text, g.begin + 4, g.end, "pin"))
      c.pins.push_back({pin.name, attribute(lib.text, pin.begin, pin.end, "direction"),
                        attribute(lib.text, pin.begin, pin.end, "function")});
    if (const auto ffs = groups(lib.text, g.begin + 4, g.end, "ff"); ffs.size() == 1) {
      const Group& f = ffs[0];
      const size_t comma = f.name.find(',');
      c.ff = LibertyFf{f.name.substr(0, comma), comma == std::string::npos ? "" : f.name.substr(comma + 1),
                       attribute(lib.text, f.begin, f.end, "next_state"), attribute(lib.text, f.begin, f.end, "clocked_on"),
                       attribute(lib.text, f.begin, f.end, "clear"), attribute(lib.text, f.begin, f.end, "preset")};
    } else {
      c.other_state = c.cls == CellClass::Sequential;
    }
    lib.cells.push_back(std::move(c));
  }
  if (lib.cells.empty()) throw std::runtime_error(fmt::format("{}: library '{}' has no cells", path, lib.library));
  return lib;
}

const std::vector<std::string>& default_dont_use() {
  static const std::vector<std::string> v = {"*lpflow*", "*probe*", "*lsbuf*", "*isobuf*"};
  return v;
}

std::string merged_liberty(const std::vector<Liberty>& libs, const std::vector<std::string>& dont_use) {
  if (libs.empty()) throw std::invalid_argument("merged_liberty: no libraries");
  const std::string& t0 = libs[0].text;
  const auto top = groups(t0, 0, t0.size(), "library");
  const auto cells0 = groups(t0, top[0].begin + 7, top[0].end, "cell");
  std::string out = t0.substr(0, cells0.empty() ? top[0].end - 1 : cells0[0].begin);
  for (const Liberty& l : libs) {
    const auto lt = groups(l.text, 0, l.text.size(), "library");
    for (const Group& g : groups(l.text, lt[0].begin + 7, lt[0].end, "cell")) {
      bool skip = false;
      for (const auto& pat : dont_use) skip = skip || fnmatch(pat.c_str(), g.name.c_str(), 0) == 0;
      if (!skip) out += "\n  " + l.text.substr(g.begin, g.end - g.begin) + "\n";
    }
  }
  return out + "}\n";
}

}  // namespace arithsim::synth
