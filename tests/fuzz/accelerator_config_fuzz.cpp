// Harness: accelerator configs as text (sim/estimator/accelerator_config.hpp parse_config,
// which also validates the PEs against the registry). Documented error:
// estimator::ConfigError. Property: to_yaml writes a config that parses to the same config.
#include <cstddef>
#include <cstdint>

#include "sim/estimator/accelerator_config.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arithsim;
  estimator::AcceleratorConfig c;
  try {
    c = estimator::parse_config(fuzz::text(data, size), "fuzz.yaml");
  } catch (const estimator::ConfigError& e) {
    fuzz::documented_error(e);
    return 0;
  }
  fuzz::check(fuzz::valid_utf8(fuzz::text(data, size)), "a config that is not strict UTF-8 was accepted");
  const std::string out = estimator::to_yaml(c);
  estimator::AcceleratorConfig back;
  try {
    back = estimator::parse_config(out, "back.yaml");
  } catch (const estimator::ConfigError& e) {
    fuzz::failure("to_yaml output does not parse", std::string(e.what()) + "\n" + out);
  }
  // to_yaml states the DRAM source and the labels explicitly; the rest must be the same.
  back.dram_source = c.dram_source;
  fuzz::check(back == c, "to_yaml round trip changed the config", out);
  return 0;
}
