// Built-in workload generators from published architecture hyperparameters (sources in
// docs/traces.md): LLaMA-2 7B/13B/70B, LLaMA-3 8B, BitNet b1.58 3B, OPT-6.7B (prefill or
// decode), ViT-B/16, DeiT-S, ResNet-50, and the XR perception set (VIO feature network,
// eye-gaze CNN, object classifier; documented stand-ins for the XR-NPE paper's networks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "traces/trace.hpp"

namespace arithsim::traces {

struct GenOptions {
  std::string phase;  // "" = the generator's default (decode for LLMs, forward otherwise)
  int64_t seq = 0;    // prefill sequence length (0 = 2048); LLMs only
  int64_t batch = 1;  // sequences (LLMs) or images
  int64_t kv = 0;     // decode: tokens attended to, the KV-cache length (0 = 1024); LLMs only
  std::string w, a, o;  // weight / activation / output formats ("" = the generator's default)
  int64_t group = -1;   // weight group size (-1 = the generator's default, 0 = none)
};

struct GeneratorInfo {
  std::string name;    // as given to `arithsim trace gen`
  std::string family;  // llm, vit, cnn, xr
  std::string description;
  std::string source;  // where the hyperparameters come from
  std::string w, a, o;  // default formats
  int64_t group = 0;    // default weight group
};

const std::vector<GeneratorInfo>& generators();

// Throws std::invalid_argument for an unknown model or an option that does not apply
// ("--seq applies to LLM generators"), naming the option.
Trace generate(std::string_view model, const GenOptions& options = {});

}  // namespace arithsim::traces
