#include <arithsim/models/cycle/array_gemm.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::cycle {

uint64_t array_gemm_cycles(int rows, int cols, Dataflow df, int stages, size_t m, size_t n, size_t kw,
                           uint64_t stall_edges) {
  if (is_stationary(df)) {
    const bool ws = df == Dataflow::WeightStationary;
    const uint64_t R = uint64_t(rows), C = uint64_t(cols), streamed = ws ? m : n, across = ws ? n : m;
    const uint64_t tiles = ((kw + R - 1) / R) * ((across + C - 1) / C);
    return stationary_cycles(rows, cols, stages, (tiles - 1) * std::max<uint64_t>(streamed, 2 * R), streamed);
  }
  const uint64_t tiles = uint64_t((m + size_t(rows) - 1) / size_t(rows)) * ((n + size_t(cols) - 1) / size_t(cols));
  const uint64_t latency = uint64_t(df == Dataflow::OutputStationary ? rows + cols - 2 : 0) + uint64_t(stages) + 1;
  return tiles * kw + stall_edges + latency - 1;
}

uint64_t stationary_cycles(int rows, int cols, int stages, uint64_t intervals, uint64_t last_streamed) {
  return uint64_t(rows) + intervals + last_streamed + uint64_t(rows + cols + stages) - 2;
}

void check_array_gemm_problem(const ArrayGemmProblem& p) {
  if (p.m == 0 || p.n == 0 || p.kw == 0) throw std::invalid_argument("array gemm: M, N and K must be positive");
  if (p.a.size() != p.m * p.kw || p.w.size() != p.kw * p.n)
    throw std::invalid_argument(fmt::format("array gemm: operand sizes {} and {} do not match {}x{}x{}", p.a.size(),
                                            p.w.size(), p.m, p.n, p.kw));
  if (!p.scale.empty() && (p.scale.size() != p.kw * p.n || p.zero.size() != p.kw * p.n))
    throw std::invalid_argument("array gemm: scale and zero must have K x N entries");
}

ArrayGemmStream::ArrayGemmStream(const ArrayGemmProblem& p, int rows, int cols, int latency, const ArrayGemmOptions& o)
    : p_(p), R_(size_t(rows)), C_(size_t(cols)), latency_(latency), o_(o) {
  check_array_gemm_problem(p);
  tn_ = (p.n + C_ - 1) / C_;
  r_.tiles = ((p.m + R_ - 1) / R_) * tn_;
  r_.out.assign(p.m * p.n, 0);
  done_.assign(R_ * C_, 0);
  in_.a.assign(R_, 0);
  in_.w.assign(C_, 0);
  if (!p.scale.empty()) {
    in_.scale.assign(C_, 0);
    in_.zero.assign(C_, 0);
  }
  total_ = r_.tiles * p.kw;
  want_ = r_.tiles * R_ * C_;
}

const ArrayIn& ArrayGemmStream::next() {
  if (edge_ > 0 && edge_ >= 2 + total_ + r_.stall_edges + uint64_t(latency_) + 8)
    throw std::logic_error("array gemm: results missing after the array's latency");
  if (edge_ < 2) {  // two reset edges
    in_.rst_n = false;
    in_.in_valid = false;
  } else {
    in_.rst_n = true;
    const uint64_t e = edge_ - 2;
    const bool bubble = o_.bubble_every && fed_ < total_ && e % o_.bubble_every == o_.bubble_every - 1;
    in_.in_valid = fed_ < total_ && !bubble;
    if (bubble) ++r_.stall_edges;
    if (in_.in_valid) {
      const uint64_t tile = fed_ / p_.kw, k = fed_ % p_.kw;
      const size_t ti = size_t(tile / tn_), tj = size_t(tile % tn_);
      in_.in_first = k == 0;
      in_.in_last = k == p_.kw - 1;
      for (size_t i = 0; i < R_; ++i) {
        const size_t row = ti * R_ + i;
        in_.a[i] = row < p_.m ? p_.a[row * p_.kw + k] : 0;
      }
      for (size_t j = 0; j < C_; ++j) {
        const size_t col = tj * C_ + j;
        in_.w[j] = col < p_.n ? p_.w[k * p_.n + col] : 0;
        if (!p_.scale.empty()) {
          in_.scale[j] = col < p_.n ? p_.scale[k * p_.n + col] : 0;
          in_.zero[j] = col < p_.n ? p_.zero[k * p_.n + col] : 0;
        }
      }
      ++fed_;
    }
  }
  ++edge_;
  return in_;
}

void ArrayGemmStream::take(size_t i, size_t j, uint64_t v) {
  const uint64_t tile = done_[i * C_ + j]++;
  const size_t row = size_t(tile / tn_) * R_ + i, col = size_t(tile % tn_) * C_ + j;
  if (row < p_.m && col < p_.n) r_.out[row * p_.n + col] = v;
  ++results_;
  last_edge_ = edge_ - 3;  // edges counted from the first input edge (after two resets)
}

ArrayGemmResult ArrayGemmStream::result() const {
  ArrayGemmResult r = r_;
  r.feed_edges = total_;
  r.cycles = last_edge_ + 1;
  r.utilization = double(p_.m * p_.n * p_.kw) / (double(R_ * C_) * double(r.cycles));
  return r;
}

ArrayGemmProblem random_array_problem(const PePorts& ports, size_t m, size_t n, size_t kw, uint64_t seed) {
  std::mt19937_64 g(seed);
  ArrayGemmProblem p{m, n, kw, {}, {}, {}, {}};
  for (size_t i = 0; i < m * kw; ++i) p.a.push_back(g() & mask(ports.a_bits));
  for (size_t i = 0; i < kw * n; ++i) p.w.push_back(g() & mask(ports.w_bits));
  if (ports.scale_bits) {
    std::vector<uint64_t> col_scale(n), col_zero(n);
    for (size_t j = 0; j < n; ++j) {
      col_scale[j] = uint64_t(15 - 3 + int(g() % 8)) << 10;  // FP16 2^-3 .. 2^4
      col_zero[j] = g() & mask(std::min(ports.zero_bits, 3));
    }
    for (size_t k = 0; k < kw; ++k)
      for (size_t j = 0; j < n; ++j) {
        p.scale.push_back(col_scale[j]);
        p.zero.push_back(col_zero[j]);
      }
  }
  return p;
}

ArrayGemmResult run_array_gemm(PeArrayModel& array, const ArrayGemmProblem& p, const ArrayGemmOptions& o) {
  ArrayGemmStream s(p, array.rows(), array.cols(), array.latency(), o);
  while (!s.done()) {
    array.tick(s.next());
    s.collect([&](int i, int j) { return array.out_valid(i, j); }, [&](int i, int j) { return array.out_acc(i, j); });
  }
  return s.result();
}

}  // namespace arithsim::cycle
