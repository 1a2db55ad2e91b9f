#include <arithsim/models/io/output_paths.hpp>

#include <fstream>

#include <arithsim/models/io/escape.hpp>

namespace fs = std::filesystem;

namespace arithsim::io {
namespace {

[[noreturn]] void refuse(std::string_view option, const std::string& path, std::string_view why) {
  throw OutputRefused(std::string(option) + ": refusing to write '" + escape(path) + "': " + std::string(why));
}

// `p` made absolute with symbolic links resolved as far as the path exists.
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : r;
}

// Whether `inner` is `outer` or lies below it (both resolved).
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

void check_output_dir(const std::string& dir, std::string_view option, const std::vector<std::string>& inputs) {
  if (dir.empty()) refuse(option, dir, "the path is empty");
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(dir, ec);
  if (ec || link.type() == fs::file_type::not_found) return;
  if (fs::is_symlink(link)) refuse(option, dir, "it is a symbolic link; name the directory itself");
  if (!fs::is_directory(link)) refuse(option, dir, "it exists and is not a directory (arithsim replaces only report directories it created)");
  const fs::path target = resolved(dir);
  if (within(resolved(fs::current_path()), target)) refuse(option, dir, "it is the current directory or one of its ancestors");
  for (const auto& in : inputs)
    if (!in.empty() && within(resolved(in), target)) refuse(option, dir, "it holds the input '" + escape(in) + "'");
  if (!fs::is_regular_file(target / kOutputMarker, ec))
    refuse(option, dir,
           "it exists and was not created by arithsim (no " + std::string(kOutputMarker) +
               " marker inside); choose a new directory or remove it yourself");
}

void check_output_file(const std::string& file, std::string_view option, const std::vector<std::string>& inputs) {
  if (file.empty()) refuse(option, file, "the path is empty");
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (ec || st.type() == fs::file_type::not_found) {
    if (fs::is_symlink(fs::symlink_status(file, ec))) refuse(option, file, "it is a dangling symbolic link");
    const fs::path parent = fs::path(file).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec))
      refuse(option, file, "the directory '" + escape(parent.string()) + "' does not exist");
    return;
  }
  if (fs::is_directory(st)) refuse(option, file, "it is a directory");
  if (!fs::is_regular_file(st)) refuse(option, file, "it is not a regular file");
  for (const auto& in : inputs) {
    if (in.empty()) continue;
    if (fs::equivalent(file, in, ec) && !ec) refuse(option, file, "it is the input '" + escape(in) + "'");
  }
}

void write_output_marker(const fs::path& dir, std::string_view kind) {
  std::ofstream f(dir / kOutputMarker);
  f << "arithsim " << kind << "\n"
    << "This directory was written by arithsim; arithsim replaces it whole when asked to write it again.\n";
  if (!f) throw std::runtime_error("cannot write " + (dir / kOutputMarker).string());
}

}  // namespace arithsim::io
