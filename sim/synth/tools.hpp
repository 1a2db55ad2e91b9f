// The external tools of the synthesis flow (gzip, yosys, OpenSTA): a scratch directory, a
// command's output, a yosys run with its first error.
#pragma once

#include <filesystem>

#include <arithsim/models/io/scratch_dir.hpp>
#include <string>
#include <vector>

namespace arithsim::synth {

// A fresh directory for one tool run: the system's temporary folder's arithsim-TOOL-XXXXXX,
// removed with its contents when it goes out of scope.
class TempDir : public io::ScratchDir {
 public:
  explicit TempDir(const std::string& tool)
      : io::ScratchDir(std::filesystem::temp_directory_path(), "arithsim-" + tool) {}
};

// The standard output of a shell command; `status` its wait status (-1: it could not start).
std::string command_output(const std::string& cmd, int& status);

// A tool's one-line version (`yosys -V`, `sta -version`), "" when it does not run.
std::string tool_version(const std::string& cmd);

// Today's date in UTC, YYYY-MM-DD (the date a synthesis result records).
std::string utc_date();

// Runs `yosys -q -s script` with its output in `log`. Throws std::runtime_error "synth: yosys
// failed (exit N): LINE" (the log's first ERROR line, else its first line, else "is yosys
// installed?") when yosys fails or one of `outputs` is missing.
void run_yosys(const std::filesystem::path& script, const std::filesystem::path& log,
               const std::vector<std::filesystem::path>& outputs);

}  // namespace arithsim::synth
