// arithsim fit [--set FILE] [--reference FILE] [--out FILE] [--rtl-dir DIR]: the analytical
// model fitted to the synthesis reference (sim/synth/fit_reference.hpp): the residual of every
// configuration and the per-component factors; --out writes them as cost/library/fitted.yaml.
#include <fmt/format.h>

#include <arithsim/models/io/output_paths.hpp>
#include <arithsim/models/tensor/npy.hpp>
#include "sim/cli/common.hpp"
#include "sim/synth/fit_reference.hpp"

namespace arithsim::cli {
namespace {

struct FitArgs {
  std::string set = ARITHSIM_COST_LIBRARY_DIR "/fit_set.txt";
  std::string reference = ARITHSIM_COST_LIBRARY_DIR "/synthesis_reference.json";
  std::string rtl_dir = ARITHSIM_RTL_DIR, out, table;
};

void run(const FitArgs& a) {
  std::vector<synth::ReferencePoint> points;
  std::vector<cost::ComponentFit> fits;
  try {
    points = synth::reference_points(synth::read_fit_set(a.set), a.reference, a.rtl_dir, synth::default_pdk_dir(),
                                     cost::ComponentLibrary::builtin());
    fits = synth::fit_reference(points, "cost/library/synthesis_reference.json");
  } catch (const std::invalid_argument& e) {
    throw RuntimeError(e.what(), a.set);
  } catch (const std::runtime_error& e) {
    throw RuntimeError(e.what(), "");
  }
  const auto res = synth::residuals(points, fits);
  if (a.table == "residuals") return fmt::print("{}", synth::residual_table(res));
  if (a.table == "factors") return fmt::print("{}", synth::factor_table(fits));
  if (!a.table.empty()) throw UsageError(fmt::format("expected residuals or factors, got '{}'", a.table), "--table");
  fmt::print("{}\n{}", synth::residual_table(res), synth::factor_table(fits));
  if (!a.out.empty()) {
    io::check_output_file(a.out, "--out", {a.set, a.reference});
    try {
      tensor::write_file_atomic(a.out, cost::fits_yaml(fits));
    } catch (const std::exception& e) {
      throw RuntimeError(e.what(), a.out);
    }
    fmt::print("\nwrote {}\n", a.out);
  }
}

}  // namespace

void add_fit_command(CLI::App& app) {
  static FitArgs a;
  auto* s = app.add_subcommand("fit", "fit the analytical PE model to the synthesis reference (per-component factors per "
                                      "cell library) and print every configuration's residual");
  s->add_option("--set", a.set, "the configurations and their roles (train | held_out)")->capture_default_str();
  s->add_option("--reference", a.reference, "the PPA database they were synthesized into")->capture_default_str();
  s->add_option("--rtl-dir", a.rtl_dir, "directory of the SystemVerilog sources")->capture_default_str();
  s->add_option("--out", a.out, "write the factors as a fits file (cost/library/fitted.yaml)");
  s->add_option("--table", a.table, "print only one table: residuals | factors");
  s->callback([] { run(a); });
}

}  // namespace arithsim::cli
