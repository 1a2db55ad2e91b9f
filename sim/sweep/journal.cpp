#include "sim/sweep/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/sweep/sweep_spec.hpp"

namespace arithsim::sweep {
namespace fs = std::filesystem;

Journal read_journal(const fs::path& path, size_t points) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw SweepError(fmt::format("{}: cannot read the sweep journal", path.string()));
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  Journal j;
  j.ends_with_newline = text.empty() || text.back() == '\n';
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    const bool terminated = end != std::string::npos;
    if (!terminated) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    nlohmann::ordered_json r;
    try {
      r = nlohmann::ordered_json::parse(line);
    } catch (const nlohmann::json::exception&) {
      // A cut record: the last line, or one a resume closed with a newline (its start, however
      // short, is a record's start).
      static const std::string start = "{\"point\":";
      if (line_no > 1 && (!terminated || line.rfind(start, 0) == 0 || start.rfind(line, 0) == 0)) continue;
      throw SweepError(fmt::format("{}:{}: corrupt sweep journal (not a JSON record); move it away to start afresh",
                                   path.string(), line_no));
    }
    if (line_no == 1) {
      if (!r.is_object() || !r.contains("arithsim_sweep_journal"))
        throw SweepError(fmt::format("{}: not an arithsim sweep journal", path.string()));
      j.head = r;
      continue;
    }
    if (!r.is_object() || !r.contains("point") || !r["point"].is_number_unsigned() || r["point"].get<size_t>() >= points)
      throw SweepError(fmt::format("{}:{}: corrupt sweep journal (a record without a valid point index)", path.string(), line_no));
    j.rows.emplace(r["point"].get<size_t>(), std::move(r));
  }
  if (j.head.is_null()) throw SweepError(fmt::format("{}: empty sweep journal", path.string()));
  return j;
}


JournalWriter::JournalWriter(const fs::path& path, bool needs_newline) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(fmt::format("{}: cannot open the sweep journal ({})", path.string(), std::strerror(errno)));
  path_ = path.string();
  synced_ = std::chrono::steady_clock::now();
  if (needs_newline) write("\n");
}

JournalWriter::~JournalWriter() {
  if (fd_ < 0) return;
  ::fdatasync(fd_);
  ::close(fd_);
}

void JournalWriter::append(const std::string& line) { write(line + "\n"); }

void JournalWriter::write(const std::string& s) {
  std::lock_guard lock(mu_);
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(fmt::format("{}: cannot write the sweep journal ({})", path_, std::strerror(errno)));
    done += size_t(n);
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - synced_ >= std::chrono::milliseconds(20)) {
    ::fdatasync(fd_);
    synced_ = now;
  }
}

}  // namespace arithsim::sweep
