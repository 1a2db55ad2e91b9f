// A sweep's journal (DIR/journal.jsonl): a header line, then one JSON record per finished
// point, each appended with one write so that a kill leaves at most one cut last line.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace arithsim::sweep {

struct Journal {
  nlohmann::ordered_json head;
  std::map<size_t, nlohmann::ordered_json> rows;
  bool ends_with_newline = true;
};

// Reads a journal of a sweep of `points` points. A last line without its newline is a record
// cut by a kill and is ignored (its point is evaluated again), as is an unparseable record
// line that a resumed run closed with a newline; anything else unreadable is a corrupt
// journal (SweepError).
Journal read_journal(const std::filesystem::path& path, size_t points);

// Appends whole lines, one write each (thread-safe). A kill -9 loses nothing written (the
// kernel holds it); against a machine crash the file is synced when 20 ms have passed since
// the last sync, and on close, so that rank 0 of a large MPI run is not held to one disk
// sync per point (a crash loses at most those 20 ms of points, which a resume evaluates again).
class JournalWriter {
 public:
  JournalWriter(const std::filesystem::path& path, bool needs_newline);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;
  void append(const std::string& line);  // without its newline

 private:
  void write(const std::string& s);
  int fd_ = -1;
  std::string path_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point synced_;
};

}  // namespace arithsim::sweep
