#include <arithsim/models/io/file_transaction.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace arithsim::io {
namespace {

std::string beside(const std::string& target, const char* what, size_t i) {
  const fs::path t(target);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  // Built by appending (g++ 12 warns -Wrestrict, falsely, on "." + std::string&&).
  std::string name(1, '.');
  name += t.filename().string();
  name += '.';
  name += what;
  name += '-';
  name += std::to_string(::getpid());
  name += '-';
  name += std::to_string(i);
  return (dir / name).string();
}

}  // namespace

FileTransaction::~FileTransaction() {
  if (committed_) return;
  for (const auto& e : entries_) std::remove(e.temp.c_str());
}

std::string FileTransaction::stage(const std::string& target) {
  Entry e;
  e.target = target;
  e.temp = beside(target, "tmp", entries_.size());
  entries_.push_back(e);
  return entries_.back().temp;
}

void FileTransaction::commit() {
  // Keep the previous content of every existing target reachable under a second name first.
  for (size_t i = 0; i < entries_.size(); ++i) {
    auto& e = entries_[i];
    e.backup = beside(e.target, "old", i);
    if (::link(e.target.c_str(), e.backup.c_str()) == 0) {
      e.had_target = true;
    } else if (errno != ENOENT) {
      const std::string why = std::strerror(errno);
      for (size_t j = 0; j < i; ++j)
        if (entries_[j].had_target) std::remove(entries_[j].backup.c_str());
      throw std::runtime_error(e.target + ": cannot keep the previous file while replacing it (" + why + ")");
    }
  }
  for (auto& e : entries_) {
    if (std::rename(e.temp.c_str(), e.target.c_str()) == 0) {
      e.replaced = true;
      continue;
    }
    const std::string why = std::strerror(errno);
    for (auto& r : entries_) {  // undo: previous content back, new files gone
      if (r.replaced) {
        if (r.had_target)
          std::rename(r.backup.c_str(), r.target.c_str());
        else
          std::remove(r.target.c_str());
      } else {
        std::remove(r.temp.c_str());
        if (r.had_target) std::remove(r.backup.c_str());
      }
    }
    committed_ = true;
    throw std::runtime_error(e.target + ": cannot write (" + why + "); no output file was changed");
  }
  for (const auto& e : entries_)
    if (e.had_target) std::remove(e.backup.c_str());
  committed_ = true;
}

}  // namespace arithsim::io
