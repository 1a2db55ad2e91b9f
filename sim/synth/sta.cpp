#include "sim/synth/sta.hpp"
#include "sim/synth/tools.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::synth {

StaResult run_sta(const StaOptions& o) {
  const TempDir tmp("sta");
  const std::filesystem::path& dir = tmp.path();
  std::string tcl;
  for (const auto& l : o.liberty) tcl += fmt::format("read_liberty {{{}}}\n", l);
  const double period = o.period_s / o.time_unit_s;
  tcl += fmt::format(
      "read_verilog {{{}}}\nlink_design {}\ncreate_clock -name clk -period {:.6g} [get_ports clk]\n"
      "set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk]]\n"
      "set_output_delay 0 -clock clk [all_outputs]\n"
      "set_power_activity -input -activity {:.6g}\n"
      "{}"
      "puts \"arithsim_slack_s [sta::worst_slack_cmd max]\"\n"
      "report_checks -path_delay max -fields {{net}} -digits 6\n"
      "report_power -digits 9\n",
      o.netlist, o.top, period, o.input_activity, [&] {
        std::string p;  // ports bit-blasted by yosys (splitnets -ports) are named port[i]
        for (const auto& [port, a] : o.port_activity)
          p += fmt::format("set_power_activity -input_ports [get_ports -quiet {{{}*}}] -activity {:.6g}\n", port, a);
        // OpenSTA 2.0.17's `set_power_activity -pins` calls an undefined get_pins_error, so the
        // command it would run is called directly; and its first power report propagates
        // activity over every pin, so pins set before it would be overwritten: report first.
        if (!o.pin_activity.empty()) p += "report_power > /dev/null\n";
        for (const auto& [pin, a] : o.pin_activity)
          p += fmt::format("sta::set_power_pin_activity [get_pins {{{}}}] {:.6g} 0.5\n", pin, a);
        return p;
      }());
  std::ofstream(dir / "sta.tcl") << tcl;
  int rc = 0;
  const std::string out = command_output(fmt::format("sta -no_splash -exit {} 2>&1", (dir / "sta.tcl").string()), rc);
  const std::string version = tool_version("sta -version");
  if (rc != 0 && out.empty()) throw std::runtime_error("sta: OpenSTA is not installed (Debian package opensta)");
  StaResult r;
  r.period_s = o.period_s;
  r.version = version;
  bool slack = false, power = false, in_path = false;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Error", 0) == 0) throw std::runtime_error(fmt::format("sta: {}", line));
    if (line.rfind("arithsim_slack_s ", 0) == 0) {
      r.worst_slack_s = std::stod(line.substr(17));
      slack = true;
    } else if (line.rfind("Startpoint: ", 0) == 0) {
      r.startpoint = line.substr(12);
    } else if (line.rfind("Endpoint: ", 0) == 0) {
      r.endpoint = line.substr(10);
    } else if (line.find("data arrival time") != std::string::npos) {
      in_path = false;
    } else if (line.rfind("----", 0) == 0 && !r.endpoint.empty() && r.path.empty()) {
      in_path = true;
    } else if (in_path && line.find('(') != std::string::npos) {
      const size_t b = line.find_first_not_of(' ');
      r.path.push_back(line.substr(b));
    } else if (line.rfind("Sequential", 0) == 0 || line.rfind("Combinational", 0) == 0) {
      const bool seq = line[0] == 'S';
      std::istringstream t(line.substr(seq ? 10 : 13));
      double i = 0, s = 0, l = 0, total = 0;
      if (t >> i >> s >> l >> total) (seq ? r.sequential_w : r.combinational_w) = total;
    } else if (line.rfind("Total", 0) == 0) {
      std::istringstream t(line.substr(5));
      if (t >> r.internal_w >> r.switching_w >> r.leakage_w >> r.total_w) power = true;
    }
  }
  if (!slack || !power)
    throw std::runtime_error(fmt::format("sta: no {} in OpenSTA's output (last line: {})", slack ? "power report" : "slack",
                                         out.substr(out.rfind('\n', out.size() - 2) + 1)));
  return r;
}

}  // namespace arithsim::synth
