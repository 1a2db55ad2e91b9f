#include "sim/synth/yosys_synth.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <arithsim/models/cycle/registry.hpp>

namespace arithsim::synth {

const std::map<std::string, double>& gate_equivalents() {
  static const std::map<std::string, double> w = {
      {"$_NOT_", 0.67}, {"$_NAND_", 1.0},  {"$_NOR_", 1.0},  {"$_AND_", 1.33}, {"$_OR_", 1.33},
      {"$_XOR_", 2.33}, {"$_XNOR_", 2.33}, {"$_MUX_", 2.33}, {"$_DFF_P_", 4.33}};
  return w;
}

std::map<std::string, std::string> rtl_parameters(const std::string& pe, const pe::Params& params) {
  return cycle::rtl_parameters(pe, params);
}

namespace {

// rtl/pe_array.sv of the PE's configuration (its parameters passed through to every cell).
std::map<std::string, std::string> array_parameters(const std::string& pe, const pe::Params& params,
                                                    const ArraySynth& array) {
  return cycle::array_rtl_parameters(pe, params, array.rows, array.cols, cycle::parse_dataflow(array.dataflow));
}

}  // namespace

std::string yosys_script(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                         const ArraySynth& array, const std::string& stat_json) {
  const bool is_array = array.rows > 0;
  const auto rtl = is_array ? array_parameters(pe, params, array) : rtl_parameters(pe, params);
  const std::filesystem::path dir(rtl_dir);
  if (!std::filesystem::exists(dir / (pe + ".sv")))
    throw std::runtime_error(fmt::format("synth: {} not found", (dir / (pe + ".sv")).string()));
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir / "common"))
    if (e.path().extension() == ".sv") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (is_array) {
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".sv") files.push_back(e.path().string());
  } else {
    files.push_back((dir / (pe + ".sv")).string());
  }
  const std::string top = is_array ? "pe_array" : pe;
  std::string script;
  for (const auto& f : files) script += fmt::format("read_verilog -sv {}\n", f);
  for (const auto& [k, v] : rtl) script += fmt::format("chparam -set {} {} {}\n", k, v, top);
  script += fmt::format("synth -top {} -flatten\nabc -g AND,NAND,OR,NOR,XOR,XNOR,MUX\nopt_clean\n", top);
  script += fmt::format("tee -q -o {} stat -json\n", stat_json);
  return script;
}

SynthResult synthesize(const std::string& pe, const pe::Params& params, const std::string& rtl_dir,
                       const ArraySynth& array) {
  SynthResult r;
  r.module = array.rows > 0 ? fmt::format("pe_array of {} ({}x{}, {})", pe, array.rows, array.cols, array.dataflow) : pe;
  r.rtl_params = array.rows > 0 ? array_parameters(pe, params, array) : rtl_parameters(pe, params);
  if (!std::filesystem::exists(std::filesystem::path(rtl_dir) / (pe + ".sv")))
    throw std::runtime_error(fmt::format("synth: {} not found", (std::filesystem::path(rtl_dir) / (pe + ".sv")).string()));
  char tmpl[] = "/tmp/arithsim-synth-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("synth: cannot create a temporary directory");
  const std::filesystem::path dir(tmpl);
  std::ofstream(dir / "synth.ys") << yosys_script(pe, params, rtl_dir, array, (dir / "stat.json").string());
  const std::string cmd = fmt::format("yosys -q -s {} > {} 2>&1", (dir / "synth.ys").string(), (dir / "yosys.log").string());
  const int rc = std::system(cmd.c_str());
  std::ifstream js(dir / "stat.json");
  if (rc != 0 || !js) {
    std::ifstream log(dir / "yosys.log");
    std::string first;
    std::getline(log, first);
    std::filesystem::remove_all(dir);
    throw std::runtime_error(fmt::format("synth: yosys failed (exit {}): {}", rc, first.empty() ? "is yosys installed?" : first));
  }
  const auto j = nlohmann::json::parse(js);
  std::filesystem::remove_all(dir);
  for (const auto& [name, mod] : j.at("modules").items()) {
    for (const auto& [cell, n] : mod.at("num_cells_by_type").items()) r.cells[cell] += n.get<long>();
  }
  const auto& w = gate_equivalents();
  for (const auto& [cell, n] : r.cells) {
    r.total_cells += n;
    const bool flop = cell.find("DFF") != std::string::npos;
    if (flop) r.flops += n;
    const auto it = w.find(cell);
    r.nand2_equivalent += double(n) * (it != w.end() ? it->second : flop ? 5.33 : 2.0);
  }
  return r;
}

}  // namespace arithsim::synth
