// The number value types (models/numbers) against the same arithmetic written through the
// codecs directly, and against native float, in one process.
// Targets (issue #18): posit<16,1> `a * b + c` and a quire dot product of length 4096 cost
// at most 10 % more through the value types than through the codecs (ratio >= 1/1.1).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "bench/ratio_report.hpp"
#include <arithsim/models/formats/posit.hpp>
#include <arithsim/models/formats/quire.hpp>
#include <arithsim/models/numbers/posit.hpp>
#include <arithsim/models/numbers/quire.hpp>
#include <arithsim/models/units/accumulator.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace {

using namespace arithsim;
using P = posit<16, 1>;
constexpr size_t kN = 4096;  // elements per loop (and the dot product's length)

// Random posit(16,1) codes of values in [-4, 4] (no NaR), the same for every benchmark.
const std::vector<uint16_t>& codes(int which) {
  static std::vector<uint16_t> v[3];
  auto& c = v[which];
  if (c.empty()) {
    std::mt19937_64 g(uint64_t(which) + 1);
    std::uniform_real_distribution<double> d(-4, 4);
    const formats::PositCodec codec(formats::PositSpec{16, 1});
    for (size_t i = 0; i < kN; ++i) c.push_back(uint16_t(codec.encode(d(g))));
  }
  return c;
}
std::vector<P> values(int which) {
  std::vector<P> v;
  for (uint16_t c : codes(which)) v.push_back(P::from_bits(c));
  return v;
}
std::vector<float> floats(int which) {
  std::vector<float> v;
  for (uint16_t c : codes(which)) v.push_back(float(double(P::from_bits(c))));
  return v;
}

// --- a * b + c, two roundings ---------------------------------------------------------
void BM_codec_posit16_mul_add(benchmark::State& st) {
  const formats::PositCodec codec(formats::PositSpec{16, 1});
  const auto &a = codes(0), &b = codes(1), &c = codes(2);
  const std::vector<double>& t = codec.table();
  std::vector<uint16_t> r(kN);
  for (auto _ : st) {
    for (size_t i = 0; i < kN; ++i) {
      using formats::Unrounded;
      const auto p = uint16_t(codec.encode(units::multiply(Unrounded::from_double(t[a[i]]), Unrounded::from_double(t[b[i]]))));
      r[i] = uint16_t(codec.encode(units::add(Unrounded::from_double(t[p]), Unrounded::from_double(t[c[i]]))));
    }
    benchmark::DoNotOptimize(r.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_codec_posit16_mul_add);

void BM_value_posit16_mul_add(benchmark::State& st) {
  const auto a = values(0), b = values(1), c = values(2);
  std::vector<P> r(kN);
  for (auto _ : st) {
    for (size_t i = 0; i < kN; ++i) r[i] = a[i] * b[i] + c[i];
    benchmark::DoNotOptimize(r.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_value_posit16_mul_add);

void BM_native_float_mul_add(benchmark::State& st) {
  const auto a = floats(0), b = floats(1), c = floats(2);
  std::vector<float> r(kN);
  for (auto _ : st) {
    for (size_t i = 0; i < kN; ++i) r[i] = a[i] * b[i] + c[i];
    benchmark::DoNotOptimize(r.data());
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_native_float_mul_add);

// --- fused dot product of length 4096, one rounding ----------------------------------
void BM_codec_posit16_quire_dot4096(benchmark::State& st) {
  const auto &a = codes(0), &b = codes(1);
  formats::PositQuire q(formats::PositSpec{16, 1});
  for (auto _ : st) {
    q.clear();
    for (size_t i = 0; i < kN; ++i) q.fma(a[i], b[i]);
    benchmark::DoNotOptimize(q.to_posit());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_codec_posit16_quire_dot4096);

void BM_value_posit16_quire_dot4096(benchmark::State& st) {
  const auto a = values(0), b = values(1);
  quire<P> q;
  for (auto _ : st) {
    q.clear();
    for (size_t i = 0; i < kN; ++i) q.fma(a[i], b[i]);
    benchmark::DoNotOptimize(q.round());
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_value_posit16_quire_dot4096);

void BM_native_float_dot4096(benchmark::State& st) {
  const auto a = floats(0), b = floats(1);
  for (auto _ : st) {
    float s = 0;
    for (size_t i = 0; i < kN; ++i) s += a[i] * b[i];
    benchmark::DoNotOptimize(s);
  }
  st.SetItemsProcessed(int64_t(st.iterations() * kN));
}
BENCHMARK(BM_native_float_dot4096);

}  // namespace

int main(int argc, char** argv) {
  using arithsim::bench::Target;
  return arithsim::bench::run_with_report(
      argc, argv,
      {
          {"BM_value_posit16_mul_add", "BM_codec_posit16_mul_add", 0, 1 / 1.1},
          {"BM_value_posit16_quire_dot4096", "BM_codec_posit16_quire_dot4096", 0, 1 / 1.1},
          {"BM_value_posit16_mul_add", "BM_native_float_mul_add", 0, 0},
          {"BM_value_posit16_quire_dot4096", "BM_native_float_dot4096", 0, 0},
      });
}
