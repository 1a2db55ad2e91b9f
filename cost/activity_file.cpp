#include <arithsim/cost/activity_file.hpp>

#include <fstream>
#include <iterator>

#include <yaml-cpp/yaml.h>

#include <arithsim/cost/yaml_fields.hpp>
#include <arithsim/models/io/escape.hpp>

namespace arithsim::cost {

ActivityFile parse_activity(std::string_view text, const std::string& file) {
  const YAML::Node root = detail::parse_document(text, file);
  detail::check_fields(root, {"version", "pe", "input", "pipeline", "acc", "output", "source"}, file, "");
  if (const auto v = detail::optional_number(root, "version", file, ""); v && *v != 1)
    detail::fail(file, "", "unsupported activity file version " + io::escape(root["version"].Scalar()) + " (this arithsim reads 1)");
  ActivityFile a;
  if (root["pe"]) a.pe = detail::text(root, "pe", file, "");
  for (const char* f : {"input", "pipeline", "acc", "output"}) {
    const bool optional = std::string(f) == "pipeline" || std::string(f) == "output";
    const auto v = optional ? detail::optional_number(root, f, file, "") : detail::number(root, f, file, "");
    if (!v) continue;
    if (!(*v >= 0 && *v <= 1))
      detail::fail(file, "", std::string("field '") + f + "' is " + io::escape(root[f].Scalar()) +
                                 ": want a fraction of bits toggling per cycle, 0..1");
    const std::string k = f;
    if (k == "input") a.factors.input = *v;
    else if (k == "acc") a.factors.acc = *v;
    else if (k == "pipeline") a.factors.pipe = *v;
    else a.factors.out = *v;
  }
  a.factors.how = root["source"] ? "file " + file + ": " + detail::text(root, "source", file, "") : "file " + file;
  return a;
}

ActivityFile load_activity(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LibraryError(path + ": cannot read the file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_activity(text, path);
}

std::string activity_yaml(const ActivityFile& a) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << 1;
  if (!a.pe.empty()) out << YAML::Key << "pe" << YAML::Value << YAML::DoubleQuoted << a.pe;
  out << YAML::Key << "input" << YAML::Value << YAML::Precision(17) << a.factors.input;
  if (a.factors.pipe) out << YAML::Key << "pipeline" << YAML::Value << YAML::Precision(17) << *a.factors.pipe;
  out << YAML::Key << "acc" << YAML::Value << YAML::Precision(17) << a.factors.acc;
  if (a.factors.out) out << YAML::Key << "output" << YAML::Value << YAML::Precision(17) << *a.factors.out;
  out << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted << a.factors.how;
  out << YAML::EndMap;
  return std::string("# arithsim activity v1: mean fraction of bits toggling per PE cycle (docs/cost.md)\n") +
         out.c_str() + "\n";
}

}  // namespace arithsim::cost
