// Harness: Accelergy ERT/ART tables imported into the built-in library
// (cost/accelergy.hpp import_accelergy). Documented error: cost::LibraryError. The library
// the tables were merged into must still price every component it names (or fail with a
// LibraryError), and the import's own user-library text must merge into the built-in one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <arithsim/cost/accelergy.hpp>
#include <arithsim/cost/component_library.hpp>
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arithsim;
  static const cost::ComponentLibrary builtin = cost::ComponentLibrary::builtin();
  cost::ComponentLibrary lib = builtin;
  cost::AccelergyImport imp;
  try {
    imp = cost::import_accelergy(lib, fuzz::text(data, size), "fuzz.yaml");
  } catch (const cost::LibraryError& e) {
    fuzz::documented_error(e);
    return 0;
  }
  fuzz::check(fuzz::valid_utf8(fuzz::text(data, size)), "tables that are not strict UTF-8 were accepted");
  std::vector<std::string> touched = imp.merged;
  touched.insert(touched.end(), imp.added.begin(), imp.added.end());
  for (const std::string& name : touched) {
    try {
      const std::vector<double> w(lib.params(name).size(), 8.0);
      (void)lib.component(name, w, lib.technology().reference());
    } catch (const cost::LibraryError& e) {
      fuzz::documented_error(e);
    }
  }
  for (const auto& n : imp.notes) fuzz::check(n.find('\n') == std::string::npos, "a note is not one line", n);
  return 0;
}
