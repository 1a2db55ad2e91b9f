// Every YAML/JSON input arithsim reads (traces, accelerator configs, activity files, the
// component library, Accelergy tables) goes through load_yaml: the text must be UTF-8 (a
// UTF-16/32 file or one holding NUL bytes is refused, not read as empty), syntax errors and
// duplicate keys are one-line errors naming the file, line and column.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace arithsim::io {

struct YamlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `text` (named `name` in errors: the file path). Throws YamlError:
// "<name>: not UTF-8 text (...)", "<name>:L:C: YAML syntax error: ...",
// "<name>:L:C: duplicate key 'k'". Duplicate keys are checked in every mapping.
YAML::Node load_yaml(std::string_view text, std::string_view name);

// Reads the file whole (errors name it: missing, a directory, unreadable) and parses it.
YAML::Node load_yaml_file(const std::string& path);

// The text of a file, for parsers that read it themselves; "<path>: cannot read (...)" errors.
std::string read_text_file(const std::string& path);

// "L:C" of a node (1-based), or "" when yaml-cpp has no position for it.
std::string position(const YAML::Node& n);

}  // namespace arithsim::io
