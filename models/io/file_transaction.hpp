// Several output files written all or nothing (quantize's codes + scales + zeros): each is
// written to a temporary file beside its target, then all are renamed into place; if any
// step fails, every target is left as it was before (a user's existing file is restored,
// never removed).
#pragma once

#include <string>
#include <vector>

namespace arithsim::io {

class FileTransaction {
 public:
  FileTransaction() = default;
  FileTransaction(const FileTransaction&) = delete;
  FileTransaction& operator=(const FileTransaction&) = delete;
  ~FileTransaction();  // removes the temporary files of an uncommitted transaction

  // A temporary path in the directory of `target` for the caller to write the new content to.
  std::string stage(const std::string& target);
  // Moves every staged file over its target. On a failure the targets already replaced get
  // their previous content back (kept as hard links until the end), and std::runtime_error
  // naming the target is thrown.
  void commit();

 private:
  struct Entry {
    std::string target, temp, backup;
    bool had_target = false, replaced = false;
  };
  std::vector<Entry> entries_;
  bool committed_ = false;
};

}  // namespace arithsim::io
