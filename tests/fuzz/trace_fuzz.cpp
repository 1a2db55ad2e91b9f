// Harness: workload traces as text (traces/trace.hpp parse_trace: YAML, or JSON read as
// YAML). Documented error: traces::TraceError. Property: a parsed trace is written back by
// to_yaml and to_json into text that parses to the same trace; only strict UTF-8 is accepted
// (invalid sequences crashed the JSON export).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_util.hpp"
#include "traces/trace.hpp"

namespace {

// `.npy` statistics are resolved against this directory: nothing relative exists there.
constexpr const char* kBase = "/nonexistent-arithsim-fuzz";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arithsim;
  traces::Trace t;
  try {
    t = traces::parse_trace(fuzz::text(data, size), "fuzz.yaml", kBase);
  } catch (const traces::TraceError& e) {
    fuzz::documented_error(e);
    return 0;
  }
  (void)traces::summarize(t);
  fuzz::check(fuzz::valid_utf8(fuzz::text(data, size)), "a trace that is not strict UTF-8 was accepted");
  for (const bool json : {false, true}) {
    const std::string out = json ? traces::to_json(t) : traces::to_yaml(t);
    traces::Trace back;
    try {
      back = traces::parse_trace(out, json ? "back.json" : "back.yaml", kBase);
    } catch (const traces::TraceError& e) {
      fuzz::failure(json ? "to_json output does not parse" : "to_yaml output does not parse",
                    std::string(e.what()) + "\n" + out);
    }
    fuzz::check(back == t, json ? "to_json round trip changed the trace" : "to_yaml round trip changed the trace", out);
  }
  return 0;
}
