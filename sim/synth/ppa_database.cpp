#include "sim/synth/ppa_database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arithsim/models/cycle/registry.hpp>
#include <arithsim/models/io/file_transaction.hpp>

namespace arithsim::synth {
namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

uint64_t fnv1a(std::string_view s, uint64_t h = 14695981039346656037ull) {
  for (const unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot be read", p.string()));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A file's content hash, memoized by path, size and modification time (an ASAP7 library is
// five files of megabytes; a sweep asks for the key once per point).
std::string content_hash(const fs::path& p) {
  static std::mutex m;
  static std::map<std::string, std::pair<std::string, std::string>> memo;  // path -> (stamp, hash)
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: no such file", p.string()));
  const auto stamp = fmt::format("{}:{}", size, fs::last_write_time(p, ec).time_since_epoch().count());
  {
    std::lock_guard lock(m);
    if (const auto it = memo.find(p.string()); it != memo.end() && it->second.first == stamp) return it->second.second;
  }
  const std::string h = fmt::format("{:016x}", fnv1a(file_bytes(p)));
  std::lock_guard lock(m);
  memo[p.string()] = {stamp, h};
  return h;
}

ordered_json to_json(const PpaResult& r) {
  return {{"module", r.module},
          {"rtl_params", r.rtl_params},
          {"libraries", r.libraries},
          {"cells", r.cells},
          {"total_cells", r.total_cells},
          {"flops", r.flops},
          {"area_um2", r.area_um2},
          {"area_by_class_um2", r.area_by_class_um2},
          {"yosys_area_um2", r.yosys_area_um2},
          {"critical_s", r.critical_s},
          {"fmax_hz", r.fmax_hz},
          {"clock_hz", r.clock_hz},
          {"slack_s", r.slack_s},
          {"startpoint", r.startpoint},
          {"endpoint", r.endpoint},
          {"critical_path", r.critical_path},
          {"input_activity", r.input_activity},
          {"port_activity", r.port_activity},
          {"activity_how", r.activity_how},
          {"activity_method", r.activity_method},
          {"net_activity", r.net_activity},
          {"power_w",
           {{"internal", r.internal_w},
            {"switching", r.switching_w},
            {"leakage", r.leakage_w},
            {"sequential", r.sequential_w},
            {"combinational", r.combinational_w}}},
          {"energy_per_cycle_pj", r.energy_per_cycle_pj},
          {"yosys_version", r.yosys_version},
          {"sta_version", r.sta_version},
          {"date", r.date}};
}

PpaResult from_json(const ordered_json& j) {
  PpaResult r;
  j.at("module").get_to(r.module);
  j.at("rtl_params").get_to(r.rtl_params);
  j.at("libraries").get_to(r.libraries);
  j.at("cells").get_to(r.cells);
  j.at("total_cells").get_to(r.total_cells);
  j.at("flops").get_to(r.flops);
  j.at("area_um2").get_to(r.area_um2);
  j.at("area_by_class_um2").get_to(r.area_by_class_um2);
  j.at("yosys_area_um2").get_to(r.yosys_area_um2);
  j.at("critical_s").get_to(r.critical_s);
  j.at("fmax_hz").get_to(r.fmax_hz);
  j.at("clock_hz").get_to(r.clock_hz);
  j.at("slack_s").get_to(r.slack_s);
  j.at("startpoint").get_to(r.startpoint);
  j.at("endpoint").get_to(r.endpoint);
  j.at("critical_path").get_to(r.critical_path);
  j.at("input_activity").get_to(r.input_activity);
  j.at("port_activity").get_to(r.port_activity);
  j.at("activity_how").get_to(r.activity_how);
  j.at("activity_method").get_to(r.activity_method);
  j.at("net_activity").get_to(r.net_activity);
  const auto& p = j.at("power_w");
  p.at("internal").get_to(r.internal_w);
  p.at("switching").get_to(r.switching_w);
  p.at("leakage").get_to(r.leakage_w);
  p.at("sequential").get_to(r.sequential_w);
  p.at("combinational").get_to(r.combinational_w);
  j.at("energy_per_cycle_pj").get_to(r.energy_per_cycle_pj);
  j.at("yosys_version").get_to(r.yosys_version);
  j.at("sta_version").get_to(r.sta_version);
  j.at("date").get_to(r.date);
  if (!(r.area_um2 > 0) || !(r.critical_s > 0) || !(r.clock_hz > 0))
    throw std::runtime_error("an entry without area, critical path or clock");
  return r;
}

// The entries of the file ({} when it does not exist). Throws "FILE: problem".
ordered_json read_entries(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return ordered_json::object();
  ordered_json j;
  try {
    j = ordered_json::parse(file_bytes(file));
  } catch (const ordered_json::exception& e) {
    throw std::runtime_error(fmt::format("{}: not a PPA database (malformed JSON: {})", file.string(), e.what()));
  }
  if (!j.is_object() || j.value("format", "") != "arithsim-ppa")
    throw std::runtime_error(fmt::format("{}: not a PPA database (no \"format\": \"arithsim-ppa\")", file.string()));
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != kPpaDatabaseVersion)
    throw std::runtime_error(fmt::format("{}: PPA database version {}, this arithsim reads version {}", file.string(),
                                         j.contains("version") ? j["version"].dump() : "(none)", kPpaDatabaseVersion));
  if (!j.contains("entries") || !j["entries"].is_object())
    throw std::runtime_error(fmt::format("{}: PPA database without an \"entries\" object", file.string()));
  return j["entries"];
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

fs::path default_ppa_database() {
  if (const char* p = std::getenv("ARITHSIM_PPA_DB"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "arithsim" / "ppa.json";
  return fs::path(env_or("HOME", "/tmp")) / ".cache" / "arithsim" / "ppa.json";
}

std::string ppa_key(const std::string& pe, const pe::Params& params, const std::string& rtl_dir, const ArraySynth& array,
                    const LibertyFlow& flow) {
  std::string text = fmt::format("arithsim-ppa-key {}\npe {}\n", kPpaDatabaseVersion, pe);
  const bool is_array = array.rows > 0;
  const auto rtl = is_array ? cycle::array_rtl_parameters(pe, params, array.rows, array.cols,
                                                           cycle::parse_dataflow(array.dataflow))
                            : rtl_parameters(pe, params);
  for (const auto& [k, v] : rtl) text += fmt::format("param {}={}\n", k, v);
  if (is_array) text += fmt::format("array {}x{} {}\n", array.rows, array.cols, array.dataflow);
  for (const auto& f : rtl_sources(pe, rtl_dir, is_array))
    text += fmt::format("rtl {} {}\n", f.filename().string(), content_hash(f));
  for (const auto& l : flow.liberty) {
    std::error_code ec;
    if (!fs::is_regular_file(l, ec)) throw std::runtime_error(fmt::format("{}: no such liberty file", l));
    text += fmt::format("liberty {} {}\n", fs::path(l).filename().string(), content_hash(l));
  }
  for (const auto& d : flow.dont_use) text += fmt::format("dont_use {}\n", d);
  text += fmt::format("clock_s {:.9g}\ninput_activity {:.9g}\nnet_activity {}\n", flow.clock_s, flow.input_activity,
                      flow.net_activity);
  return fmt::format("{:016x}", fnv1a(text));
}

std::optional<PpaResult> PpaDatabase::find(const std::string& key) const {
  const ordered_json entries = read_entries(file_);
  const auto it = entries.find(key);
  if (it == entries.end()) return std::nullopt;
  try {
    return from_json(*it);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: entry {}: {}", file_.string(), key, e.what()));
  }
}

size_t PpaDatabase::size() const { return read_entries(file_).size(); }

void PpaDatabase::store(const std::string& key, const PpaResult& r) const {
  std::error_code ec;
  if (file_.has_parent_path()) fs::create_directories(file_.parent_path(), ec);
  const std::string lock_path = file_.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot create the lock file", lock_path));
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the flock
  } unlock{fd};
  if (::flock(fd, LOCK_EX) != 0) throw std::runtime_error(fmt::format("{}: cannot lock", lock_path));
  ordered_json entries = read_entries(file_);
  entries[key] = to_json(r);
  const ordered_json j = {{"format", "arithsim-ppa"},
                          {"version", kPpaDatabaseVersion},
                          {"about", "synthesis results of arithsim (yosys + OpenSTA), keyed by a hash of the RTL files, "
                                    "RTL parameters, liberty files, clock and input activity; docs/cost.md"},
                          {"entries", entries}};
  io::FileTransaction t;
  const std::string tmp = t.stage(file_.string());
  {
    std::ofstream out(tmp);
    out << j.dump(1) << '\n';
    if (!out.flush()) throw std::runtime_error(fmt::format("{}: cannot be written", file_.string()));
  }
  t.commit();
}

PpaResult cached_ppa(const PpaDatabase& db, const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                     const ArraySynth& array, const LibertyFlow& flow, bool* hit) {
  const std::string key = ppa_key(pe, params, rtl_dir, array, flow);
  if (auto r = db.find(key)) {
    if (hit) *hit = true;
    return *r;
  }
  if (hit) *hit = false;
  PpaResult r = synthesize_ppa(pe, params, rtl_dir, array, flow);
  db.store(key, r);
  return r;
}

std::string default_pdk_dir() { return env_or("ARITHSIM_PDK", ARITHSIM_DEFAULT_PDK_DIR); }

CellLibrary resolve_cell_library(const std::string& spec, const std::string& pdk_dir, const std::string& fallback_node) {
  const fs::path dir(pdk_dir);
  std::vector<std::string> files;
  if (spec == "sky130") {
    files = {(dir / "sky130hd_tt.lib.gz").string()};
  } else if (spec == "asap7") {
    for (const char* f : {"AO_RVT_TT_nldm_211120", "INVBUF_RVT_TT_nldm_220122", "OA_RVT_TT_nldm_211120",
                          "SEQ_RVT_TT_nldm_220123", "SIMPLE_RVT_TT_nldm_211120"})
      files.push_back((dir / fmt::format("asap7sc7p5t_{}.lib.gz", f)).string());
  } else {
    std::stringstream ss(spec);
    for (std::string f; std::getline(ss, f, ',');)
      if (!f.empty()) files.push_back(f);
    if (files.empty())
      throw std::invalid_argument("synth: no cell library (synth:sky130, synth:asap7 or synth:FILE.lib[,FILE.lib...])");
  }
  const bool named = spec == "sky130" || spec == "asap7";
  std::error_code ec;
  for (const auto& f : files)
    if (!fs::is_regular_file(f, ec))
      throw std::invalid_argument(
          named ? fmt::format("synth:{}: {} not found (the PDK folder is {}: set ARITHSIM_PDK to yours)", spec, f, pdk_dir)
                : fmt::format("synth:{}: {}: no such liberty file", spec, f));
  return CellLibrary{spec, files, spec == "sky130" ? "130" : spec == "asap7" ? "7" : fallback_node};
}

}  // namespace arithsim::synth
