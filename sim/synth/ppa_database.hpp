// The PPA database (issue #12): synthesis results (sim/synth/yosys_synth.hpp) kept in one
// versioned JSON file, keyed by everything the result depends on (the RTL files' contents,
// the RTL parameters and array shape, the liberty files' contents and dont_use list, the
// clock and the input activity), so that the estimator, `arithsim cost` and sweeps price a
// PE from synthesis without rerunning yosys. A changed RTL file or library is a new key.
//
//   PpaDatabase db(default_ppa_database());
//   PpaResult r = cached_ppa(db, "int_mac", {}, ARITHSIM_RTL_DIR, {}, flow);  // synthesizes once
//
// docs/cost.md § "From synthesis".
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <arithsim/models/pe/pe.hpp>
#include "sim/synth/yosys_synth.hpp"

namespace arithsim::synth {

inline constexpr int kPpaDatabaseVersion = 1;

// $ARITHSIM_PPA_DB, else $XDG_CACHE_HOME/arithsim/ppa.json, else $HOME/.cache/arithsim/ppa.json.
std::filesystem::path default_ppa_database();

// The key of a synthesis: a 64-bit FNV-1a hash (16 hex digits) of a canonical text of its inputs.
// Reads the RTL and liberty files; throws std::runtime_error naming a missing or unreadable one.
std::string ppa_key(const std::string& pe, const pe::Params& params, const std::string& rtl_dir, const ArraySynth& array,
                    const LibertyFlow& flow);

class PpaDatabase {
 public:
  explicit PpaDatabase(std::filesystem::path file) : file_(std::move(file)) {}
  const std::filesystem::path& file() const { return file_; }
  // The entry of `key`, if any. A missing file is an empty database; a malformed one, or one of
  // another version, throws std::runtime_error "FILE: problem".
  std::optional<PpaResult> find(const std::string& key) const;
  // Adds (or replaces) the entry of `key`: under an exclusive lock of FILE.lock, re-read, then
  // written whole to a temporary file renamed over FILE, so that concurrent processes (sweep
  // shards, MPI ranks) lose no entry and a reader never sees a partial file.
  void store(const std::string& key, const PpaResult& r) const;
  size_t size() const;  // entries

 private:
  std::filesystem::path file_;
};

// The database's entry for this synthesis, else synthesize_ppa's result, stored. `hit` (when
// given) says which. A failed synthesis stores nothing.
PpaResult cached_ppa(const PpaDatabase& db, const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                     const ArraySynth& array, const LibertyFlow& flow, bool* hit = nullptr);

// A named cell library: `sky130` (sky130_fd_sc_hd tt 1.8 V: sky130hd_tt.lib.gz) or `asap7`
// (ASAP7 RVT TT: the five asap7sc7p5t_*.lib.gz) in `pdk_dir`, with the technology node their
// analytical neighbours (SRAM buffers, interconnect) are priced at; or a user's own liberty
// files, comma-separated (`my.lib` or `a.lib,b.lib`), at `fallback_node`.
struct CellLibrary {
  std::string name;                  // sky130 | asap7 | the files as given
  std::vector<std::string> liberty;  // the files
  std::string node;                  // a node of cost/library/technology.yaml
};
// $ARITHSIM_PDK, else the ../shared/pdk beside the source tree arithsim was built from.
std::string default_pdk_dir();
// Throws std::invalid_argument naming the library and the problem (an unknown name, a missing file).
CellLibrary resolve_cell_library(const std::string& spec, const std::string& pdk_dir, const std::string& fallback_node);

}  // namespace arithsim::synth
