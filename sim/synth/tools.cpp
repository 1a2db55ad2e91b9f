#include "sim/synth/tools.hpp"

#include <ctime>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::synth {

std::string command_output(const std::string& cmd, int& status) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) {
    status = -1;
    return out;
  }
  char buf[1 << 16];
  for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  status = pclose(f);
  return out;
}

std::string tool_version(const std::string& cmd) {
  int status = 0;
  std::string out = command_output(cmd + " 2>/dev/null", status);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void run_yosys(const std::filesystem::path& script, const std::filesystem::path& log,
               const std::vector<std::filesystem::path>& outputs) {
  const int rc = std::system(fmt::format("yosys -q -s {} > {} 2>&1", script.string(), log.string()).c_str());
  bool missing = false;
  for (const auto& o : outputs) missing = missing || !std::filesystem::exists(o);
  if (rc == 0 && !missing) return;
  std::ifstream in(log);
  std::string line, first, err;
  while (std::getline(in, line)) {
    if (first.empty()) first = line;
    if (err.empty() && line.find("ERROR") != std::string::npos) err = line;
  }
  const std::string why = !err.empty() ? err : !first.empty() ? first : "is yosys installed?";
  throw std::runtime_error(fmt::format("synth: yosys failed (exit {}): {}", rc, why));
}

std::string utc_date() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace arithsim::synth
