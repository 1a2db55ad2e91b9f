#include "sim/estimator/report.hpp"

#include <algorithm>

#include <arithsim/models/io/output_paths.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <pthread.h>
#include <signal.h>
#include <spawn.h>

extern char** environ;

namespace fs = std::filesystem;

namespace arithsim::estimator {
namespace {

// What a report being assembled has created so far, registered before each is created, so
// that a signal handler can remove it with async-signal-safe calls only (remove_partial_report):
// files and directories of the temporary report directory, and a running gnuplot.
struct PartialReport {
  static constexpr int kMax = 32;
  char path[kMax][4096];
  bool dir[kMax];
  volatile sig_atomic_t n = 0;
  volatile pid_t child = 0;
};
PartialReport g_partial;

void track(const fs::path& p, bool is_dir) {
  const int i = g_partial.n;
  if (i >= PartialReport::kMax) throw std::logic_error("report: more files than the partial-report table holds");
  std::snprintf(g_partial.path[i], sizeof g_partial.path[i], "%s", p.c_str());
  g_partial.dir[i] = is_dir;
  g_partial.n = i + 1;
}

// Holds the signals that end a process (interrupt, terminate, hang-up) over a step that must
// not be cut in two (creating and registering the temporary directory; renaming the new
// report into place); a held signal is delivered when the guard ends.
class HoldTerminationSignals {
 public:
  HoldTerminationSignals() {
    sigset_t s;
    sigemptyset(&s);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&s, sig);
    pthread_sigmask(SIG_BLOCK, &s, &old_);
  }
  ~HoldTerminationSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  HoldTerminationSignals(const HoldTerminationSignals&) = delete;
  HoldTerminationSignals& operator=(const HoldTerminationSignals&) = delete;

 private:
  sigset_t old_;
};

double mj(double pj) { return pj * 1e-9; }
std::string num(double v, const char* f = "{:.2f}") { return std::isfinite(v) ? fmt::format(fmt::runtime(f), v) : "-"; }

struct Row {
  std::string pe;
  std::string ghz, cycles, ms, e, ec, eb, ed, el, area, sqnr, util, bound;
};

Row row(const PeEstimate& p) {
  return {p.pe.label,
          num(p.clock_hz / 1e9, "{:.3f}"),
          fmt::format("{}", p.cycles),
          num(p.time_s * 1e3, "{:.3f}"),
          num(mj(p.energy.total()), "{:.3f}"),
          num(mj(p.energy.compute), "{:.3f}"),
          num(mj(p.energy.buffers), "{:.3f}"),
          num(mj(p.energy.dram), "{:.3f}"),
          num(mj(p.energy.leakage), "{:.3f}"),
          num(p.area_um2 * 1e-6, "{:.3f}"),
          num(p.sqnr_db, "{:.1f}"),
          num(p.utilization * 100, "{:.1f}"),
          p.bound};
}

const std::vector<std::string> kHeads = {"PE", "GHz", "cycles", "latency ms", "energy mJ", "compute", "buffers", "DRAM",
                                         "leakage", "area mm2", "SQNR dB", "util %", "bound"};

std::vector<std::string> cells(const Row& r) {
  return {r.pe, r.ghz, r.cycles, r.ms, r.e, r.ec, r.eb, r.ed, r.el, r.area, r.sqnr, r.util, r.bound};
}

std::string escape_latex(std::string s) {
  std::string o;
  for (char c : s) {
    if (c == '_' || c == '%' || c == '&' || c == '#') o += '\\';
    o += c;
  }
  return o;
}

void write_file(const fs::path& p, const std::string& s) {
  track(p, false);
  std::ofstream f(p, std::ios::binary);
  f << s;
  if (!f.flush()) throw std::runtime_error(fmt::format("cannot write {}", p.string()));
}

std::string sources_of(const PeEstimate& p) {
  std::string s;
  for (const auto& x : p.sources) s += "- " + x + "\n";
  return s;
}

void write_plots(const fs::path& dir, const std::vector<PeEstimate>& r) {
  track(dir, true);
  fs::create_directories(dir);
  // Data: one line per PE (energy, area, accuracy), one per op x PE (latency).
  std::string energy = "# pe compute_mJ buffers_mJ dram_mJ leakage_mJ\n", area = "# pe array_mm2 buffers_mm2 dequant_mm2\n",
              acc = "# pe energy_mJ sqnr_dB\n", lat = "op";
  for (const auto& p : r) {
    energy += fmt::format("{} {:.6g} {:.6g} {:.6g} {:.6g}\n", p.pe.label, mj(p.energy.compute), mj(p.energy.buffers),
                          mj(p.energy.dram), mj(p.energy.leakage));
    area += fmt::format("{} {:.6g} {:.6g} {:.6g}\n", p.pe.label, p.area_array_um2 * 1e-6, p.area_buffers_um2 * 1e-6,
                        p.area_dequant_um2 * 1e-6);
    acc += fmt::format("{} {:.6g} {:.6g}\n", p.pe.label, mj(p.energy.total()), std::isfinite(p.sqnr_db) ? p.sqnr_db : 0.0);
    lat += " " + p.pe.label;
  }
  lat += "\n";
  if (!r.empty())
    for (size_t i = 0; i < r[0].ops.size(); ++i) {
      lat += r[0].ops[i].name;
      for (const auto& p : r) lat += fmt::format(" {:.6g}", p.ops[i].time_s * 1e3);
      lat += "\n";
    }
  // Roofline: every GEMM op a point (MACs per DRAM byte, MAC/s attained), one index per PE;
  // each PE's roofs: R x C x lanes MACs per cycle at its clock, and the DRAM bandwidth.
  std::string roof = "# per PE (gnuplot index i): op intensity_mac_per_byte mac_per_s\n";
  std::string roof_fns, roof_plot;
  for (size_t i = 0; i < r.size(); ++i) {
    const auto& p = r[i];
    roof += fmt::format("# {}\n", p.pe.label);
    size_t lanes = 1;
    for (const auto& o : p.ops) {
      if (o.kind == "elementwise" || o.traffic.dram() <= 0 || o.time_s <= 0) continue;
      lanes = size_t(std::max(1, o.lanes));
      roof += fmt::format("{} {:.6g} {:.6g}\n", o.name, double(o.macs) / o.traffic.dram(), double(o.macs) / o.time_s);
    }
    roof += "\n\n";
    const double peak = double(p.config.rows) * p.config.cols * double(lanes) * p.clock_hz;
    roof_fns += fmt::format("roof{}(x) = (x * {:.6g} < {:.6g}) ? x * {:.6g} : {:.6g}\n", i, p.config.dram_gbps * 1e9, peak,
                            p.config.dram_gbps * 1e9, peak);
    roof_plot += fmt::format("{}roof{}(x) with lines lt {} dt 2 title '{} roof', '' index {} using 2:3 with points lt {} pt 7 "
                             "title '{} ops'",
                             i ? ", " : "", i, i + 1, p.pe.label, i, i + 1, p.pe.label);
  }
  // The first plot element names the file; functions cannot come first with '' references.
  if (!roof_plot.empty()) roof_plot = "'roofline.dat' index 0 using 2:3 with points lt 1 pt 7 notitle, " + roof_plot;
  write_file(dir / "roofline.dat", roof);
  write_file(dir / "energy.dat", energy);
  write_file(dir / "area.dat", area);
  write_file(dir / "accuracy.dat", acc);
  write_file(dir / "latency.dat", lat);
  std::string gp = "# gnuplot script of the report's plots (run in this directory)\n";
  for (const char* term : {"png", "svg"}) {
    const std::string t = std::string(term) == "png" ? "set terminal pngcairo noenhanced size 960,600 font 'sans,10'"
                                                     : "set terminal svg noenhanced size 960,600 font 'sans,10'";
    const int npe = int(r.size());
    gp += fmt::format(R"(
{t}
set output 'energy_breakdown.{e}'
reset
set title 'Energy per PE (compute / buffers / DRAM / leakage)'
set ylabel 'energy (mJ)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set key outside right top
set xtics rotate by -30
set grid ytics
plot 'energy.dat' using 2:xtic(1) title 'compute', '' using 3 title 'buffers', '' using 4 title 'DRAM', '' using 5 title 'leakage'
set output 'area.{e}'
set title 'Area per PE array (array / buffers / dequantizer)'
set ylabel 'area (mm^2)'
plot 'area.dat' using 2:xtic(1) title 'array', '' using 3 title 'buffers', '' using 4 title 'dequantizer'
set output 'latency_per_layer.{e}'
reset
set title 'Latency per op (all repeats), per PE'
set ylabel 'latency (ms)'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key outside right top
set xtics rotate by -45 font ',8'
set grid ytics
plot for [i=2:{last}] 'latency.dat' using i:xtic(1) title columnhead(i)
set output 'accuracy_vs_energy.{e}'
reset
set title 'Accuracy vs energy (MAC-weighted SQNR of the GEMMs)'
set xlabel 'energy (mJ)'
set ylabel 'SQNR (dB)'
set grid
set key off
set offsets graph 0.1, graph 0.1, graph 0.1, graph 0.1
plot 'accuracy.dat' using 2:3 with points pt 7 ps 1.5, '' using 2:3:1 with labels offset 0,1
set output 'roofline.{e}'
reset
set title 'Roofline: GEMM ops (points) under each PE array compute roof and the DRAM roof'
set xlabel 'operational intensity (MACs per DRAM byte)'
set ylabel 'attained (MAC/s)'
set logscale xy
set grid
set key outside right top
set samples 400
set xrange [0.1:10000]
{fns}plot {roofs}
unset output
)",
                      fmt::arg("t", t), fmt::arg("e", term), fmt::arg("last", npe + 1), fmt::arg("fns", roof_fns),
                      fmt::arg("roofs", roof_plot.empty() ? "1/0 notitle" : roof_plot));
  }
  write_file(dir / "plots.gp", gp);
  for (const char* f : {"energy_breakdown", "area", "latency_per_layer", "accuracy_vs_energy", "roofline"})
    for (const char* e : {".png", ".svg"}) track(dir / (std::string(f) + e), false);
  track(dir / "gnuplot.log", false);
  // gnuplot as a child whose pid a signal handler can stop (sh execs it: the same process)
  const std::string cmd = fmt::format("cd '{}' && exec gnuplot plots.gp >/dev/null 2>gnuplot.log", dir.string());
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0)
    throw std::runtime_error("cannot start gnuplot");
  g_partial.child = pid;
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  g_partial.child = 0;
  const int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (rc != 0) {
    std::ifstream lf(dir / "gnuplot.log");
    std::string line;
    std::getline(lf, line);
    throw std::runtime_error(fmt::format("gnuplot failed: {}", line));
  }
  fs::remove(dir / "gnuplot.log");
}

}  // namespace

bool have_gnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

void remove_partial_report() {
  if (g_partial.child > 0) {
    kill(g_partial.child, SIGKILL);
    waitpid(g_partial.child, nullptr, 0);
  }
  for (int i = g_partial.n - 1; i >= 0; --i) {  // files before their directories
    if (g_partial.dir[i]) rmdir(g_partial.path[i]);
    else unlink(g_partial.path[i]);
  }
}

std::string comparison_table(const std::vector<PeEstimate>& r) {
  std::vector<std::vector<std::string>> rows = {kHeads};
  for (const auto& p : r) rows.push_back(cells(row(p)));
  std::vector<size_t> w(kHeads.size(), 0);
  for (const auto& rr : rows)
    for (size_t i = 0; i < rr.size(); ++i) w[i] = std::max(w[i], rr[i].size());
  std::string s;
  for (const auto& rr : rows) {
    for (size_t i = 0; i < rr.size(); ++i)
      s += i == 0 ? fmt::format("{:<{}}", rr[i], w[i]) : fmt::format("  {:>{}}", rr[i], w[i]);
    s += "\n";
  }
  return s;
}

std::string latex_table(const std::vector<PeEstimate>& r, const ReportInfo& info) {
  std::string s = "% arithsim run: " + escape_latex(info.trace) + "; " + escape_latex(info.config) + "\n";
  s += "\\begin{tabular}{lrrrrrrrrrrl}\n\\toprule\n";
  s += "PE & cycles & latency (ms) & energy (mJ) & compute & buffers & DRAM & leakage & area (mm$^2$) & SQNR (dB) & "
       "util. (\\%) & bound \\\\\n\\midrule\n";
  for (const auto& p : r) {
    const auto c = cells(row(p));
    for (size_t i = 0; i < c.size(); ++i) s += (i ? " & " : "") + escape_latex(c[i]);
    s += " \\\\\n";
  }
  return s + "\\bottomrule\n\\end{tabular}\n";
}

namespace {
nlohmann::ordered_json actions_json(const Actions& x, bool idle_gating) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& n : Actions::all()) j[n.key] = {{"count", (x.*n.member).count}, {"energy_pj", (x.*n.member).energy_pj}};
  j["idle_gating"] = idle_gating;
  return j;
}
}  // namespace

std::string markdown_report(const std::vector<PeEstimate>& r, const ReportInfo& info, bool with_plots) {
  std::string s = "# arithsim run report\n\n";
  s += fmt::format("- workload: {}\n- accelerator: {}\n", info.trace, info.config);
  if (!r.empty()) {
    const auto& c = r[0].config;
    s += fmt::format("- array {}x{} {}, clock {}, {} nm{}; buffers A {} KB / W {} KB / O {} KB; DRAM {} GB/s, {} pJ/bit\n",
                     c.rows, c.cols, c.dataflow,
                     c.clock_hz > 0 ? fmt::format("{} GHz", c.clock_hz / 1e9) : std::string("auto (each PE's modelled fmax)"),
                     c.node, c.cost == "analytical" ? std::string()
                     : c.cost.rfind("fitted:", 0) == 0 ? fmt::format(", PE costs from the model fitted to synthesis ({})", c.cost)
                                                        : fmt::format(", PE costs from synthesis ({})", c.cost),
                     c.a_buffer_kb, c.w_buffer_kb, c.o_buffer_kb, c.dram_gbps, c.dram_pj_per_bit);
  }
  s += "\n## Comparison\n\n| " ;
  for (size_t i = 0; i < kHeads.size(); ++i) s += kHeads[i] + " |" + (i + 1 < kHeads.size() ? " " : "");
  s += "\n|---|";
  for (size_t i = 1; i < kHeads.size(); ++i) s += i + 1 == kHeads.size() ? "---|" : "---:|";
  s += "\n";
  for (const auto& p : r) {
    s += "|";
    for (const auto& c : cells(row(p))) s += " " + c + " |";
    s += "\n";
  }
  s += "\nEnergy columns are mJ. SQNR: MAC-weighted over the GEMM ops. util: array utilization of the GEMM "
       "cycles (closed form). bound: memory when the DRAM time exceeds the compute time over the trace.\n";
  if (with_plots)
    s += "\n## Plots\n\n![energy](plots/energy_breakdown.svg)\n![area](plots/area.svg)\n"
         "![latency](plots/latency_per_layer.svg)\n![accuracy vs energy](plots/accuracy_vs_energy.svg)\n"
         "![roofline](plots/roofline.svg)\n";
  else
    s += "\n(No plots: gnuplot is not installed.)\n";
  for (const auto& p : r) {
    s += fmt::format("\n## {} ({})\n\nClock {:.3f} GHz ({}; modelled fmax {:.3f} GHz, set by the {}). Parameters: ",
                     p.pe.label, p.pe.name, p.clock_hz / 1e9, p.config.clock_hz > 0 ? "the config's" : "auto",
                     p.fmax_hz / 1e9, p.clock_limit);
    bool first = true;
    for (const auto& [k, v] : p.pe.params) s += fmt::format("{}{}={}", first ? "" : ", ", k, v), first = false;
    s += fmt::format("{}. Area {:.3f} mm² (array {:.3f}, buffers {:.3f}, dequantizer {:.3f}). Activity (fraction of "
                     "bits toggling): operands {:.3f}, pipeline {:.3f}, accumulator {:.3f}, result {:.3f} ({}).\n\n",
                     first ? "defaults" : "", p.area_um2 * 1e-6, p.area_array_um2 * 1e-6, p.area_buffers_um2 * 1e-6,
                     p.area_dequant_um2 * 1e-6, p.activity.input, p.activity.pipe_or_input(), p.activity.acc,
                     p.activity.out_or_acc(), p.activity.how);
    s += "| op | kind | M×N×K ×batch ×repeat | cycles | util % | ms | bound | DRAM MB | compute µJ | buffers µJ | DRAM µJ "
         "| leakage µJ | SQNR dB | note |\n|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n";
    for (const auto& o : p.ops)
      s += fmt::format("| {} | {} | {}×{}×{} ×{} ×{} | {} | {} | {:.4f} | {} | {:.3f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | "
                       "{} | {} |\n",
                       o.name, o.kind, o.gemm.m, o.gemm.n, o.gemm.k, o.gemm.batch, o.instances, o.cycles,
                       o.kind == "elementwise" ? "-" : num(o.utilization * 100, "{:.1f}"), o.time_s * 1e3, o.bound,
                       o.traffic.dram() * 1e-6, o.energy.compute * 1e-6, o.energy.buffers * 1e-6, o.energy.dram * 1e-6,
                       o.energy.leakage * 1e-6, num(o.sqnr_db, "{:.1f}"), o.note);
    s += fmt::format("\nActions (all ops; the energies add up to the total, {:.3f} mJ):\n\n| action | count | energy mJ | pJ each |\n"
                     "|---|---:|---:|---:|\n", p.energy.total() * 1e-9);
    for (const auto& n : Actions::all())
      if (const auto& a = p.actions.*n.member; a.count > 0)
        s += fmt::format("| {} | {:.4g} | {:.3f} | {:.4g} |\n", n.what, a.count, a.energy_pj * 1e-9, a.energy_pj / a.count);
    // The mapper's loop nests, once per distinct nest (the ops that share it named).
    std::vector<std::pair<std::string, std::string>> nests;  // loop nest text, op names
    for (const auto& o : p.ops) {
      if (o.loop_nest.empty()) continue;
      auto it = std::find_if(nests.begin(), nests.end(), [&](const auto& n) { return n.first == o.loop_nest; });
      if (it == nests.end()) nests.emplace_back(o.loop_nest, o.name);
      else it->second += ", " + o.name;
    }
    if (!nests.empty())
      s += fmt::format("\nMappings ({}; per GEMM op, results.json `mapping`):\n", p.config.fixed_mapping
                                                                                 ? std::string("fixed, config mapping.fixed")
                                                                                 : std::string("searched, objective ") +
                                                                                       mapper::objective_name(p.config.objective));
    for (const auto& [text, ops] : nests) s += fmt::format("\n{}:\n\n```\n{}```\n", ops, text);
    s += "\nSources (node " + p.config.node + " nm):\n\n" + sources_of(p);
  }
  return s;
}

std::string results_csv(const std::vector<PeEstimate>& r) {
  std::string s = "pe,op,kind,m,n,k,batch,repeat,macs,cycles,utilization,time_s,bound,dram_bytes,sram_bytes,"
                  "energy_compute_pj,energy_dequant_pj,energy_buffers_pj,energy_dram_pj,energy_leakage_pj,energy_total_pj,"
                  "sqnr_db,area_um2,node,clock_hz,mapping\n";
  for (const auto& p : r) {
    for (const auto& o : p.ops)
      s += fmt::format("{},{},{},{},{},{},{},{},{},{},{:.6g},{:.6g},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},,{},{:.6g},{}\n",
                       p.pe.label, o.name, o.kind, o.gemm.m, o.gemm.n, o.gemm.k, o.gemm.batch, o.instances, o.macs,
                       o.cycles, o.utilization, o.time_s, o.bound, o.traffic.dram(), o.traffic.sram(), o.energy.compute,
                       o.energy.dequant, o.energy.buffers, o.energy.dram, o.energy.leakage, o.energy.total(),
                       num(o.sqnr_db, "{:.4g}"), p.config.node, p.clock_hz, o.mapping);  // mapping: no commas
    s += fmt::format("{},TOTAL,,,,,,,{},{},{:.6g},{:.6g},{},,,{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{:.6g},{},{:.6g},\n",
                     p.pe.label, p.macs, p.cycles, p.utilization, p.time_s, p.bound, p.energy.compute, p.energy.dequant,
                     p.energy.buffers, p.energy.dram, p.energy.leakage, p.energy.total(), num(p.sqnr_db, "{:.4g}"),
                     p.area_um2, p.config.node, p.clock_hz);
  }
  return s;
}

std::string results_json(const std::vector<PeEstimate>& r, const ReportInfo& info) {
  using J = nlohmann::ordered_json;
  auto fin = [](double v) -> J { return std::isfinite(v) ? J(v) : J(nullptr); };
  J j;
  j["arithsim_report"] = 1;
  j["workload"] = info.trace;
  j["config"] = info.config;
  j["pes"] = J::array();
  for (const auto& p : r) {
    J e;
    e["pe"] = p.pe.label;
    e["name"] = p.pe.name;
    e["params"] = p.pe.params;
    const auto& c = p.config;
    e["accelerator"] = {{"rows", c.rows}, {"cols", c.cols}, {"dataflow", c.dataflow}, {"clock_hz", p.clock_hz},
                        {"clock", c.clock_hz > 0 ? "config" : "auto"}, {"fmax_hz", p.fmax_hz}, {"clock_limit", p.clock_limit},
                        {"node_nm", c.node}, {"cost", c.cost}, {"buffers_kb", {c.a_buffer_kb, c.w_buffer_kb, c.o_buffer_kb}},
                        {"dram_gbps", c.dram_gbps}, {"dram_pj_per_bit", c.dram_pj_per_bit}};
    e["macs"] = p.macs;
    e["cycles"] = p.cycles;
    e["latency_s"] = p.time_s;
    e["compute_s"] = p.compute_s;
    e["dram_s"] = p.dram_s;
    e["utilization"] = p.utilization;
    e["bound"] = p.bound;
    e["energy_pj"] = {{"compute", p.energy.compute}, {"dequant", p.energy.dequant}, {"buffers", p.energy.buffers},
                      {"dram", p.energy.dram}, {"leakage", p.energy.leakage}, {"total", p.energy.total()}};
    e["actions"] = actions_json(p.actions, p.config.idle_gating);
    e["area_um2"] = {{"array", p.area_array_um2}, {"buffers", p.area_buffers_um2}, {"dequantizer", p.area_dequant_um2},
                     {"total", p.area_um2}};
    e["sqnr_db"] = fin(p.sqnr_db);
    e["activity"] = {{"input", p.activity.input}, {"pipeline", p.activity.pipe_or_input()}, {"acc", p.activity.acc},
                     {"output", p.activity.out_or_acc()}, {"how", p.activity.how}};
    e["sources"] = p.sources;
    e["ops"] = J::array();
    for (const auto& o : p.ops) {
      e["ops"].push_back({{"name", o.name}, {"kind", o.kind}, {"m", o.gemm.m}, {"n", o.gemm.n}, {"k", o.gemm.k},
                          {"batch", o.gemm.batch}, {"repeat", o.instances}, {"macs", o.macs}, {"lanes", o.lanes},
                          {"passes", o.passes}, {"kw", o.kw}, {"tiles", o.tiles}, {"cycles", o.cycles},
                          {"utilization", o.utilization}, {"formats", {o.a_format, o.w_format, o.c_format}},
                          {"actions", actions_json(o.actions, p.config.idle_gating)},
                          {"traffic_bytes",
                           {{"dram_a", o.traffic.dram_a}, {"dram_w", o.traffic.dram_w}, {"dram_c", o.traffic.dram_c},
                            {"sram_a", o.traffic.sram_a}, {"sram_w", o.traffic.sram_w}, {"sram_c", o.traffic.sram_c},
                            {"a_rereads", o.traffic.a_rereads}, {"w_rereads", o.traffic.w_rereads},
                            {"c_visits", o.traffic.c_visits}}},
                          {"mapping", o.mapping.empty() ? J(nullptr)
                                                        : J{{"nest", o.mapping},
                                                            {"how", p.config.fixed_mapping
                                                                        ? "fixed (config mapping.fixed)"
                                                                        : std::string("searched, objective ") +
                                                                              mapper::objective_name(p.config.objective)},
                                                            {"candidates", o.candidates},
                                                            {"loop_nest", o.loop_nest}}},
                          {"compute_s", o.compute_s}, {"dram_s", o.dram_s}, {"time_s", o.time_s}, {"bound", o.bound},
                          {"energy_pj",
                           {{"compute", o.energy.compute}, {"dequant", o.energy.dequant}, {"buffers", o.energy.buffers},
                            {"dram", o.energy.dram}, {"leakage", o.energy.leakage}, {"total", o.energy.total()}}},
                          {"sqnr_db", fin(o.sqnr_db)}, {"accuracy", o.accuracy_how}, {"note", o.note}});
    }
    j["pes"].push_back(e);
  }
  return j.dump(2) + "\n";
}

void write_report(const std::string& dir_s, const std::vector<PeEstimate>& r, const ReportInfo& info) {
  io::check_output_dir(dir_s, "report directory");  // replaces only a report arithsim wrote
  const fs::path dir = fs::absolute(fs::path(dir_s)).lexically_normal();
  const fs::path target = dir.filename().empty() ? dir.parent_path() : dir;
  const fs::path parent = target.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  std::string tmpl = (parent / fmt::format(".{}.tmp-XXXXXX", target.filename().string())).string();
  g_partial.n = 0;
  {
    const HoldTerminationSignals hold;  // the directory exists only once it is registered
    if (!mkdtemp(tmpl.data()))
      throw std::runtime_error(fmt::format("cannot create a directory in {}: {}", parent.string(), std::strerror(errno)));
    track(tmpl, true);
  }
  const fs::path tmp = tmpl;
  try {
    track(tmp / std::string(io::kOutputMarker), false);
    io::write_output_marker(tmp, "report");
    const bool plots = have_gnuplot();
    if (plots) write_plots(tmp / "plots", r);
    write_file(tmp / "report.md", markdown_report(r, info, plots));
    write_file(tmp / "results.csv", results_csv(r));
    write_file(tmp / "results.json", results_json(r, info));
    if (info.latex) write_file(tmp / "table.tex", latex_table(r, info));
    fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                             fs::perms::others_exec);
    const HoldTerminationSignals hold;  // the old report is replaced whole or not at all
    if (fs::exists(target)) {
      const fs::path old = parent / fmt::format(".{}.old-{}", target.filename().string(), getpid());
      fs::rename(target, old);
      fs::rename(tmp, target);
      g_partial.n = 0;
      fs::remove_all(old, ec);
    } else {
      fs::rename(tmp, target);
      g_partial.n = 0;
    }
  } catch (const std::exception& e) {
    g_partial.n = 0;
    fs::remove_all(tmp, ec);
    throw std::runtime_error(fmt::format("cannot write the report {}: {}", target.string(), e.what()));
  }
}

}  // namespace arithsim::estimator
