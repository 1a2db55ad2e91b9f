// Harness: the formula language of the component library (cost/expression.hpp), one
// formula per input. Documented error: std::invalid_argument. A parsed formula is
// evaluated (it must not overrun its evaluation stack) and uses() asked of every slot.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <arithsim/cost/expression.hpp>
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arithsim;
  static const std::vector<std::string> vars = {"w", "e", "m", "a", "b", "area_um2", "energy_pj"};
  static const std::map<std::string, double, std::less<>> constants = {
      {"fo4_ps", 20}, {"mux2_area_um2", 1.9}, {"ff_energy_pj", 0.005}, {"leakage_uw_per_um2", 0.02}};
  cost::Expression e;
  try {
    e = cost::Expression::parse(fuzz::text(data, size), vars, constants);
  } catch (const std::invalid_argument& err) {
    fuzz::documented_error(err);
    return 0;
  }
  fuzz::check(e.text() == fuzz::text(data, size), "text() is not the formula parsed");
  const double slots[] = {8, 4, 3, 16, 2, 100, 0.5};
  (void)e.eval(slots);
  for (size_t i = 0; i < vars.size() + 2; ++i) (void)e.uses(i);
  return 0;
}
