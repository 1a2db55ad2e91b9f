// A directory arithsim makes for one step (a synthesis run's files, a sweep's plots before
// they are moved in), removed with everything in it when the step ends, whatever happens.
#pragma once

#include <filesystem>
#include <string_view>

namespace arithsim::io {

class ScratchDir {
 public:
  // A fresh PARENT/PREFIX-XXXXXX (mkdtemp). Throws std::runtime_error "PARENT: cannot create a
  // directory (REASON)".
  ScratchDir(const std::filesystem::path& parent, std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace arithsim::io
