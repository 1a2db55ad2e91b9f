#include "sim/sweep/sweep_plots.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "sim/sweep/sweep.hpp"

extern char** environ;

namespace arithsim::sweep {
namespace {

// A gnuplot single-quoted string: a quote inside is doubled.
std::string quoted(const std::string& t) {
  std::string o = "'";
  for (char c : t) o += c == '\'' ? std::string("''") : std::string(1, c);
  return o + "'";
}

std::string workload_of(const Row& r) {
  return r.contains("axes") && r["axes"].contains("workload") ? r["axes"]["workload"].get<std::string>() : "";
}

bool finite_all(const Row& r, const std::vector<Objective>& obj) {
  return std::all_of(obj.begin(), obj.end(), [&](const Objective& o) { return std::isfinite(metric(r, o.metric)); });
}

}  // namespace

PlotFiles plot_files(const SweepSpec& s, const std::vector<Row>& rows, const std::vector<size_t>& front) {
  PlotFiles out;
  const auto& obj = s.objectives;
  if (obj.size() < 2) return out;
  // Workloads in the order their first point comes; one data block (gnuplot index) each.
  std::vector<std::string> workloads;
  for (const auto& r : rows)
    if (std::find(workloads.begin(), workloads.end(), workload_of(r)) == workloads.end()) workloads.push_back(workload_of(r));
  auto block_of = [&](const Row& r) { return size_t(std::find(workloads.begin(), workloads.end(), workload_of(r)) - workloads.begin()); };
  auto line = [&](const Row& r) {
    std::string l = fmt::format("{}", r["point"].get<size_t>());
    for (const auto& o : obj) l += fmt::format(" {:.9g}", metric(r, o.metric));
    return l + "\n";
  };
  std::string header = "# point";
  for (const auto& o : obj) header += " " + o.metric;
  header += "\n";
  // points.dat: ok points, a block per workload; infeasible.dat: points a metric constraint rules out.
  std::vector<std::string> blocks(workloads.size());
  std::string infeasible = header;
  for (const auto& r : rows) {
    if (!finite_all(r, obj)) continue;
    const std::string st = r.value("status", "");
    if (st == "ok") blocks[block_of(r)] += line(r);
    else if (st == "infeasible") infeasible += line(r);
  }
  std::string points = header;
  for (size_t w = 0; w < workloads.size(); ++w)
    points += fmt::format("{}# workload {}\n{}", w ? "\n\n" : "", workloads[w], blocks[w].empty() ? "nan nan nan\n" : blocks[w]);
  out.inputs.emplace_back("points.dat", points);
  if (infeasible.size() > header.size()) out.inputs.emplace_back("infeasible.dat", infeasible);

  // Log axes when a metric spans more than a decade and stays positive (decode vs prefill).
  auto log_axis = [&](size_t k) {
    double lo = INFINITY, hi = 0;
    for (const auto& r : rows) {
      if (r.value("status", "") != "ok") continue;
      const double v = metric(r, obj[k].metric);
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v), hi = std::max(hi, v);
    }
    return lo > 0 && hi / lo > 10;
  };
  std::string gp = fmt::format("# gnuplot script of sweep {}'s plots (run in this directory: gnuplot plots.gp)\n", s.name);
  for (size_t a = 0; a < obj.size(); ++a)
    for (size_t b = a + 1; b < obj.size(); ++b) {
      const std::string stem = fmt::format("{}-vs-{}", obj[a].metric, obj[b].metric);
      // The front, sorted along the x objective, a block per workload.
      std::vector<std::vector<const Row*>> fb(workloads.size());
      for (const size_t i : front)
        if (finite_all(rows[i], obj)) fb[block_of(rows[i])].push_back(&rows[i]);
      std::string fd = header;
      for (size_t w = 0; w < workloads.size(); ++w) {
        std::stable_sort(fb[w].begin(), fb[w].end(),
                         [&](const Row* x, const Row* y) { return metric(*x, obj[a].metric) < metric(*y, obj[a].metric); });
        fd += fmt::format("{}# workload {}\n", w ? "\n\n" : "", workloads[w]);
        if (fb[w].empty()) fd += "nan nan nan\n";
        for (const Row* r : fb[w]) fd += line(*r);
      }
      out.inputs.emplace_back("front-" + stem + ".dat", fd);
      // Columns: 1 point, then the objectives in order.
      const std::string using_ = fmt::format("using {}:{}", a + 2, b + 2);
      const bool two = obj.size() == 2;  // a 2-D front is a staircase; a projection of more is not
      std::string plot;
      for (size_t w = 0; w < workloads.size(); ++w) {
        plot += fmt::format("{}'points.dat' index {} {} with points pt 7 ps 0.6 lc {} title {}, ", plot.empty() ? "" : "     ", w,
                            using_, w + 1, quoted(workloads[w].empty() ? "points" : workloads[w]));
        plot += fmt::format("'front-{}.dat' index {} {} with {} pt 6 ps 1.6 lw 1.5 lc {} title {}, \\\n", stem, w, using_,
                            two ? "linespoints" : "points", w + 1, quoted(w == 0 ? (two ? "Pareto front" : "Pareto front (all objectives)") : ""));
      }
      if (infeasible.size() > header.size())
        plot += fmt::format("     'infeasible.dat' {} with points pt 2 ps 0.6 lc rgb 'gray60' title 'infeasible', \\\n", using_);
      plot.resize(plot.size() - 4);  // the last ", \\\n"
      for (const char* term : {"png", "svg"}) {
        const std::string image = fmt::format("{}.{}", stem, term);
        out.images.push_back(image);
        gp += fmt::format(R"(
reset
set terminal {term} noenhanced size 900,600 font 'sans,10'
set output {out}
set title {title}
set xlabel {xl}
set ylabel {yl}
{logx}{logy}set grid
set key outside right top
plot {plot}
unset output
)",
                          fmt::arg("term", std::string(term) == "png" ? "pngcairo" : "svg"), fmt::arg("out", quoted(image)),
                          fmt::arg("title", quoted(fmt::format("sweep {}: {} vs {} (every point; the Pareto front of {})", s.name,
                                                               obj[a].metric, obj[b].metric, two ? "these two" : "every objective"))),
                          fmt::arg("xl", quoted(obj[a].as_written())), fmt::arg("yl", quoted(obj[b].as_written())),
                          fmt::arg("logx", log_axis(a) ? "set logscale x\n" : ""), fmt::arg("logy", log_axis(b) ? "set logscale y\n" : ""),
                          fmt::arg("plot", plot));
      }
    }
  out.inputs.emplace_back("plots.gp", gp);
  return out;
}

void run_gnuplot(const std::string& dir) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const char* argv[] = {"gnuplot", "plots.gp", nullptr};
  pid_t pid = 0;
  const int rc0 = posix_spawnp(&pid, "gnuplot", &fa, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc0 != 0) throw std::runtime_error("cannot start gnuplot");
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    std::ifstream lf(dir + "/gnuplot.log");
    std::string l, first;
    while (std::getline(lf, l))
      if (!l.empty() && first.empty()) first = l;
    throw std::runtime_error(fmt::format("gnuplot failed on {}/plots.gp: {}", dir, first));
  }
}

}  // namespace arithsim::sweep
