#include <arithsim/models/pe/int_lanes.hpp>

namespace arithsim::pe {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ARITHSIM_LANE_CLONES [[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#else
#define ARITHSIM_LANE_CLONES
#endif

ARITHSIM_LANE_CLONES
void int_lanes_wrap32(const int32_t* a, const int32_t* panel, size_t k, int64_t* out) {
  uint32_t acc[kIntPanel] = {};
  for (size_t t = 0; t < k; ++t) {
    const uint32_t x = uint32_t(a[t]);
    const int32_t* p = panel + t * kIntPanel;
    for (size_t l = 0; l < kIntPanel; ++l) acc[l] += x * uint32_t(p[l]);
  }
  for (size_t l = 0; l < kIntPanel; ++l) out[l] = int64_t(acc[l]);
}

ARITHSIM_LANE_CLONES
void int_lanes_sum64(const int32_t* a, const int32_t* panel, size_t k, int64_t* out) {
  int64_t acc[kIntPanel] = {};
  for (size_t t = 0; t < k; ++t) {
    const int64_t x = a[t];
    const int32_t* p = panel + t * kIntPanel;
    for (size_t l = 0; l < kIntPanel; ++l) acc[l] += x * p[l];
  }
  for (size_t l = 0; l < kIntPanel; ++l) out[l] = acc[l];
}

ARITHSIM_LANE_CLONES
void int_lanes_saturate(const int32_t* a, const int32_t* panel, size_t k, int64_t lo, int64_t hi, int64_t* out) {
  int64_t acc[kIntPanel] = {};
  for (size_t t = 0; t < k; ++t) {
    const int64_t x = a[t];
    const int32_t* p = panel + t * kIntPanel;
    for (size_t l = 0; l < kIntPanel; ++l) {
      const int64_t v = acc[l] + x * p[l];
      acc[l] = v < lo ? lo : v > hi ? hi : v;
    }
  }
  for (size_t l = 0; l < kIntPanel; ++l) out[l] = acc[l];
}

}  // namespace arithsim::pe
