// Harness: component library YAML (cost/component_library.hpp, cost/technology.hpp). Each
// input is read three ways: as a user file merged into the built-in library (the common
// case: `arithsim cost --library FILE`), as a whole components file over the built-in
// technology, and as a technology file. Documented error: cost::LibraryError. Every
// component of a library that loads is then priced and broken down (queries
// may fail with a LibraryError, e.g. a size law negative at those widths, but not crash),
// and a merge must leave other copies of the library as they were.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <arithsim/cost/builtin_library.hpp>
#include <arithsim/cost/component_library.hpp>
#include "tests/fuzz/fuzz_util.hpp"

namespace {

using namespace arithsim;

void query_all(const cost::ComponentLibrary& lib) {
  for (const std::string& name : lib.names()) {
    const auto& params = lib.params(name);
    std::vector<double> w;
    for (size_t i = 0; i < params.size(); ++i) w.push_back(double(8 >> (i % 3)) + 1);  // 9, 5, 3, ...
    try {
      (void)lib.component(name, w, lib.technology().reference());
      (void)lib.breakdown(name, w, lib.technology().nodes().back());
    } catch (const cost::LibraryError& e) {
      fuzz::documented_error(e);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::text(data, size);
  static const cost::ComponentLibrary builtin = cost::ComponentLibrary::builtin();
  try {
    cost::ComponentLibrary lib = builtin;
    lib.merge(text, "fuzz.yaml");
    fuzz::check(fuzz::valid_utf8(text), "a file that is not strict UTF-8 was accepted");
    query_all(lib);
    // A merge changes only its own copy: another copy of the built-in library, merged with
    // nothing, has exactly the built-in components (a yaml-cpp node shared between copies
    // once carried every merge's components into later ones).
    cost::ComponentLibrary other = builtin;
    other.merge("version: 1\n", "empty.yaml");
    fuzz::check(other.names() == builtin.names(), "a merge changed another copy of the library");
  } catch (const cost::LibraryError& e) {
    fuzz::documented_error(e);
  }
  try {
    // The built-in technology parsed once (parsing it per input took most of the time).
    static const cost::Technology tech = cost::Technology::builtin();
    const auto lib = cost::ComponentLibrary::parse(text, "fuzz.yaml", tech);
    query_all(lib);
  } catch (const cost::LibraryError& e) {
    fuzz::documented_error(e);
  }
  try {
    (void)cost::Technology::parse(text, "fuzz.yaml");
  } catch (const cost::LibraryError& e) {
    fuzz::documented_error(e);
  }
  return 0;
}
