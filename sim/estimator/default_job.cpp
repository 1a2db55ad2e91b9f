#include "sim/estimator/default_job.hpp"

#include "traces/generators.hpp"

namespace arithsim::estimator {

traces::Trace default_trace() {
  traces::GenOptions o;
  o.phase = "decode";
  o.batch = 1;
  o.kv = 1024;
  o.w = "int4";
  o.a = "int8";
  o.group = 128;
  return traces::generate("llama2-7b", o);
}

AcceleratorConfig default_config() {
  AcceleratorConfig c;
  c.name = "default: 32x32 os array, 28 nm, 1 GHz";
  c.rows = c.cols = 32;
  c.dataflow = "os";
  c.node = "28";
  c.clock_hz = 0;  // auto: each PE at its modelled fmax
  c.pes = {
      {"int_mac", {{"a", "int8"}, {"w", "int8"}}, "int_mac"},
      {"fp8_mac", {{"a", "e4m3"}, {"w", "e4m3"}}, "fp8_mac"},
      {"mixpe", {{"w", "int4"}, {"a", "int8"}, {"group", "128"}}, "mixpe"},
      {"lut_tensor_core", {{"w", "int4"}, {"a", "int8"}, {"group", "128"}}, "lut_tensor_core"},
      {"rmmec", {{"mode", "posit8_0"}}, "rmmec"},
      {"lmul_pe", {{"format", "e4m3"}}, "lmul_pe"},
  };
  return c;
}

}  // namespace arithsim::estimator
