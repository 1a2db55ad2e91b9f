// Harness: switching-activity files (cost/activity_file.hpp parse_activity). Documented
// error: cost::LibraryError. Property: activity_yaml writes a file that parses to the same
// PE and factors.
#include <cstddef>
#include <cstdint>

#include <arithsim/cost/activity_file.hpp>
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arithsim;
  cost::ActivityFile a;
  try {
    a = cost::parse_activity(fuzz::text(data, size), "fuzz.yaml");
  } catch (const cost::LibraryError& e) {
    fuzz::documented_error(e);
    return 0;
  }
  fuzz::check(fuzz::valid_utf8(fuzz::text(data, size)), "a file that is not strict UTF-8 was accepted");
  const std::string out = cost::activity_yaml(a);
  cost::ActivityFile back;
  try {
    back = cost::parse_activity(out, "back.yaml");
  } catch (const cost::LibraryError& e) {
    fuzz::failure("activity_yaml output does not parse", std::string(e.what()) + "\n" + out);
  }
  const auto &f = a.factors, &g = back.factors;
  fuzz::check(back.pe == a.pe && g.input == f.input && g.acc == f.acc && g.pipe == f.pipe && g.out == f.out,
              "activity_yaml round trip changed the activity", out);
  return 0;
}
