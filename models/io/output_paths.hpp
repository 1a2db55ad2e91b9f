// What arithsim may replace when it writes an output: only what it created itself. A
// directory arithsim writes as a whole (a run report, a sweep folder) carries a marker file;
// an existing directory may be replaced only when it holds that marker, is not the current
// directory or one of its ancestors, and holds none of the run's inputs. A file output may
// replace an existing regular file (the user named it), never a directory, never one of the
// inputs. docs/output-safety.md.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace arithsim::io {

// An output path that arithsim refuses to write; the CLI reports it as a usage error (exit 2).
struct OutputRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The marker file inside every output directory arithsim creates; its first line names the kind.
inline constexpr std::string_view kOutputMarker = ".arithsim-output";

// Throws OutputRefused (naming `option` and the path) unless `dir` is absent or an arithsim
// output directory (marker present) that is neither the current directory, an ancestor of it,
// nor a directory holding any of `inputs` (files the run reads).
void check_output_dir(const std::string& dir, std::string_view option, const std::vector<std::string>& inputs = {});

// Throws OutputRefused unless `file` is absent (in a directory that exists) or an existing
// regular file (or a link to one) that is none of `inputs`; a directory, a device or an input
// is never replaced.
void check_output_file(const std::string& file, std::string_view option, const std::vector<std::string>& inputs = {});

// Writes the marker into `dir` (a directory arithsim has just created), naming `kind`.
void write_output_marker(const std::filesystem::path& dir, std::string_view kind);

}  // namespace arithsim::io
