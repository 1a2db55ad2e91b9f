#include "sim/synth/yosys_synth.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace arithsim::synth {

const std::map<std::string, double>& gate_equivalents() {
  static const std::map<std::string, double> w = {
      {"$_NOT_", 0.67}, {"$_NAND_", 1.0},  {"$_NOR_", 1.0},  {"$_AND_", 1.33}, {"$_OR_", 1.33},
      {"$_XOR_", 2.33}, {"$_XNOR_", 2.33}, {"$_MUX_", 2.33}, {"$_DFF_P_", 4.33}};
  return w;
}

std::map<std::string, std::string> rtl_parameters(const std::string& pe, const pe::Params& params) {
  if (pe != "int_mac")
    throw pe::PeError(fmt::format("synth: no RTL for PE '{}' yet (RTL exists for: int_mac)", pe));
  // Resolve the PE's own parameters (validated by the model) and map them onto the RTL's.
  const auto model = pe::make_pe(pe, params);
  pe::Params resolved;
  std::istringstream ss(model->config());
  for (std::string kv; ss >> kv;) resolved[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
  auto bits = [&](const std::string& f) {
    if (f.rfind("int", 0) != 0) throw pe::PeError(fmt::format("synth: int_mac RTL needs intN operands, got {}", f));
    return f.substr(3);
  };
  return {{"A_BITS", bits(resolved.at("a"))},
          {"W_BITS", bits(resolved.at("w"))},
          {"ACC_BITS", resolved.at("acc_bits")},
          {"SATURATE", resolved.at("saturate") == "true" ? "1" : "0"}};
}

SynthResult synthesize(const std::string& pe, const pe::Params& params, const std::string& rtl_dir) {
  SynthResult r;
  r.module = pe;
  r.rtl_params = rtl_parameters(pe, params);
  const std::filesystem::path sv = std::filesystem::path(rtl_dir) / (pe + ".sv");
  if (!std::filesystem::exists(sv)) throw std::runtime_error(fmt::format("synth: {} not found", sv.string()));
  char tmpl[] = "/tmp/arithsim-synth-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("synth: cannot create a temporary directory");
  const std::filesystem::path dir(tmpl);
  std::string script = fmt::format("read_verilog -sv {}\n", sv.string());
  for (const auto& [k, v] : r.rtl_params) script += fmt::format("chparam -set {} {} {}\n", k, v, pe);
  script += fmt::format("synth -top {} -flatten\nabc -g AND,NAND,OR,NOR,XOR,XNOR,MUX\nopt_clean\n", pe);
  script += fmt::format("tee -q -o {} stat -json\n", (dir / "stat.json").string());
  std::ofstream(dir / "synth.ys") << script;
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
