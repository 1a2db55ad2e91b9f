// Cycle-level output-stationary systolic array of integer MAC cells, the twin of
// rtl/systolic_os.sv: the same input skew, registers, flags and result registers. Row i of A
// enters delayed i cycles, column j of B delayed j cycles; PE (i,j) multiplies the pair
// meeting there and accumulates it (units::IntAccumulator wrap semantics, as the int_mac
// PE); on the last element of a dot product it latches the result (out_valid pulses).
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace arithsim::cycle {

struct SystolicParams {
  int rows = 4, cols = 4, a_bits = 8, w_bits = 8, acc_bits = 32;
  void validate() const {
    if (rows < 1 || rows > 256 || cols < 1 || cols > 256)
      throw std::invalid_argument(fmt::format("systolic array: rows and cols must be 1..256, got {}x{}", rows, cols));
    if (a_bits < 2 || a_bits > 16 || w_bits < 2 || w_bits > 16 || acc_bits < a_bits + w_bits || acc_bits > 32)
      throw std::invalid_argument("systolic array: operand widths 2..16 bits, accumulator a_bits+w_bits..32 bits");
  }
};

class SystolicOs {
 public:
  struct Inputs {
    bool rst_n = true, in_valid = false, in_first = false, in_last = false;
    std::vector<int64_t> in_a;  // rows values (element k of each row of A)
    std::vector<int64_t> in_b;  // cols values (element k of each column of B)
  };

  // Equivalent state: PE (i,j) at edge t holds in its pipeline registers exactly the inputs
  // presented at edge t - i - j (i skew stages plus j hops for A, j skew stages plus i hops
  // for B, and the flags travel with A). So instead of moving every register each cycle the
  // model keeps the input history and indexes it diagonally; only the accumulators and
  // result registers are per-PE state. Histories are rings written twice (at p and p + L) so
  // that every PE row reads one contiguous run, and B is stored pre-skewed per column.
  explicit SystolicOs(SystolicParams p) : p_(p) {
    p_.validate();
    const size_t R = size_t(p.rows), C = size_t(p.cols);
    L_ = R + C;
    hist_a_.assign(R * 2 * L_, 0);
    hist_f_.assign(2 * L_, 0);
    hist_b_.assign((2 * L_ + C) * C, 0);
    acc_.assign(R * C, 0);
    out_c_.assign(R * C, 0);
    out_valid_.assign(R * C, 0);
  }
  const SystolicParams& params() const { return p_; }
  bool out_valid(int i, int j) const { return out_valid_[size_t(i * p_.cols + j)] != 0; }
  int64_t out_c(int i, int j) const { return out_c_[size_t(i * p_.cols + j)]; }

  void tick(const Inputs& in) {
    const size_t R = size_t(p_.rows), C = size_t(p_.cols);
    if (!in.rst_n) {
      for (auto* v : {&hist_a_, &hist_f_, &hist_b_, &acc_, &out_c_}) std::fill(v->begin(), v->end(), 0);
      std::fill(out_valid_.begin(), out_valid_.end(), 0);
      t_ = 0;
      return;
    }
    // Record this edge's inputs at ring position p (and its copy p + L).
    const size_t p = L_ - 1 - t_ % L_;
    const int32_t flags = (in.in_valid ? 4 : 0) | (in.in_first ? 2 : 0) | (in.in_last ? 1 : 0);
    hist_f_[p] = hist_f_[p + L_] = flags;
    for (size_t i = 0; i < R; ++i) hist_a_[i * 2 * L_ + p] = hist_a_[i * 2 * L_ + p + L_] = sext(in.in_a[i], p_.a_bits);
    for (size_t j = 0; j < C; ++j) {
      const int32_t b = sext(in.in_b[j], p_.w_bits);
      hist_b_[(p - j + C) * C + j] = hist_b_[(p + L_ - j + C) * C + j] = b;
    }
    accumulate_all(p);  // multiply -> accumulate in every PE
    ++t_;
  }

 private:
  static int32_t sext(int64_t v, int bits) { return int32_t(int64_t(uint64_t(v) << (64 - bits)) >> (64 - bits)); }

  // Every PE, one contiguous row at a time (PE (i,j) reads history index p + i + j).
  // Branch-free so that it vectorizes; cloned for AVX2 with a runtime dispatch.
  __attribute__((target_clones("avx2", "default"))) void accumulate_all(size_t p) {
    const size_t R = size_t(p_.rows), C = size_t(p_.cols);
    const int sh = 32 - p_.acc_bits;
    for (size_t i = 0; i < R; ++i) {
      const int32_t* a = &hist_a_[i * 2 * L_ + p + i];
      const int32_t* b = &hist_b_[(p + i + C) * C];
      const int32_t* f = &hist_f_[p + i];
      int32_t* acc = &acc_[i * C];
      int32_t* out = &out_c_[i * C];
      uint8_t* ov = &out_valid_[i * C];
      for (size_t k = 0; k < C; ++k) {
        const uint32_t base = (f[k] & 2) ? 0u : uint32_t(acc[k]);
        const int32_t sum = int32_t((base + uint32_t(a[k] * b[k])) << sh) >> sh;  // wrap to acc_bits
        const bool valid = (f[k] & 4) != 0, last = (f[k] & 5) == 5;
        acc[k] = valid ? sum : acc[k];
        out[k] = last ? sum : out[k];
        ov[k] = last;
      }
    }
  }

  SystolicParams p_;
  size_t L_ = 0;   // history length: R + C edges cover every PE's delay
  uint64_t t_ = 0; // edges since reset
  // 32-bit values (operands sign-extended; the accumulator wraps at acc_bits <= 32).
  std::vector<int32_t> hist_a_, hist_f_, hist_b_, acc_, out_c_;
  std::vector<uint8_t> out_valid_;
};

}  // namespace arithsim::cycle
