#include <arithsim/models/io/scratch_dir.hpp>

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace arithsim::io {

ScratchDir::ScratchDir(const std::filesystem::path& parent, std::string_view prefix) {
  std::string t = (parent / (std::string(prefix) + "-XXXXXX")).string();
  if (!::mkdtemp(t.data()))
    throw std::runtime_error(parent.string() + ": cannot create a directory (" + std::strerror(errno) + ")");
  path_ = t;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace arithsim::io
