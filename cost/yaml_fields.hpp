// Internal to cost/: reading validated fields out of yaml-cpp nodes, with one-line errors
// "FILE: WHERE: field 'F' is not a number".
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <arithsim/cost/cost.hpp>

namespace arithsim::cost::detail {

[[noreturn]] void fail(std::string_view file, std::string_view where, std::string_view what);

// Parses a whole document; syntax errors become "FILE: line N: YAML syntax error: ...".
YAML::Node parse_document(std::string_view text, std::string_view file);

// The root must be a mapping; every key must be one of `allowed`.
void check_fields(const YAML::Node& map, std::initializer_list<std::string_view> allowed, std::string_view file,
                  std::string_view where);

bool is_number(const YAML::Node& n, double* out = nullptr);
double number(const YAML::Node& map, std::string_view field, std::string_view file, std::string_view where);
std::optional<double> optional_number(const YAML::Node& map, std::string_view field, std::string_view file,
                                      std::string_view where);
// An integer field in lo..hi: "field 'version' must be an integer in 0..1000000, got 1.5e+22".
long integer(const YAML::Node& map, std::string_view field, long lo, long hi, std::string_view file, std::string_view where);
std::string text(const YAML::Node& map, std::string_view field, std::string_view file, std::string_view where);

}  // namespace arithsim::cost::detail
