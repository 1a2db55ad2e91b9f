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

  explicit SystolicOs(SystolicParams p) : p_(p) {
    p_.validate();
    const size_t R = size_t(p.rows), C = size_t(p.cols);
    a_skew_.assign(R * R, 0);
    f_skew_.assign(R * R, 0);
    b_skew_.assign(C * C, 0);
    a_reg_.assign(R * C, 0);
    f_reg_.assign(R * C, 0);
    b_reg_.assign(R * C, 0);
    acc_.assign(R * C, 0);
    out_c_.assign(R * C, 0);
    out_valid_.assign(R * C, 0);
    a_head_.assign(R, 0);
    b_head_.assign(C, 0);
  }
  const SystolicParams& params() const { return p_; }
  bool out_valid(int i, int j) const { return out_valid_[size_t(i * p_.cols + j)] != 0; }
  int64_t out_c(int i, int j) const { return out_c_[size_t(i * p_.cols + j)]; }

  void tick(const Inputs& in) {
    const int R = p_.rows, C = p_.cols;
    if (!in.rst_n) {
      for (auto* v : {&a_skew_, &f_skew_, &b_skew_, &a_reg_, &f_reg_, &b_reg_, &acc_, &out_c_}) std::fill(v->begin(), v->end(), 0);
      std::fill(a_head_.begin(), a_head_.end(), 0);
      std::fill(b_head_.begin(), b_head_.end(), 0);
      std::fill(out_valid_.begin(), out_valid_.end(), 0);
      return;
    }
    const int flags = (in.in_valid ? 4 : 0) | (in.in_first ? 2 : 0) | (in.in_last ? 1 : 0);
    // Pipeline registers: A and its flags move one PE right, B one PE down; the left and top
    // edges take the skewed inputs (the delay lines' outputs of this cycle).
    for (int i = 0; i < R; ++i) {
      int32_t* a = &a_reg_[size_t(i * C)];
      int32_t* f = &f_reg_[size_t(i * C)];
      std::copy_backward(a, a + C - 1, a + C);
      std::copy_backward(f, f + C - 1, f + C);
      // Row i's delay line of i stages is a ring: the slot at its head holds the value that
      // entered i cycles ago; the new input takes that slot.
      if (i == 0) {
        a[0] = sext(in.in_a[0], p_.a_bits);
        f[0] = flags;
      } else {
        const size_t slot = size_t(i * R) + a_head_[size_t(i)];
        a[0] = a_skew_[slot];
        f[0] = f_skew_[slot];
        a_skew_[slot] = sext(in.in_a[size_t(i)], p_.a_bits);
        f_skew_[slot] = flags;
        a_head_[size_t(i)] = (a_head_[size_t(i)] + 1) % size_t(i);
      }
    }
    for (int i = R - 1; i > 0; --i) std::copy_n(&b_reg_[size_t((i - 1) * C)], C, &b_reg_[size_t(i * C)]);
    for (int j = 0; j < C; ++j) {
      if (j == 0) {
        b_reg_[0] = sext(in.in_b[0], p_.w_bits);
        continue;
      }
      const size_t slot = size_t(j * C) + b_head_[size_t(j)];
      b_reg_[size_t(j)] = b_skew_[slot];
      b_skew_[slot] = sext(in.in_b[size_t(j)], p_.w_bits);
      b_head_[size_t(j)] = (b_head_[size_t(j)] + 1) % size_t(j);
    }
    // multiply -> accumulate in every PE at once
    accumulate_all(a_reg_.data(), b_reg_.data(), f_reg_.data(), acc_.data(), out_c_.data(), out_valid_.data(), acc_.size(),
                   32 - p_.acc_bits);
  }

 private:
  static int32_t sext(int64_t v, int bits) { return int32_t(int64_t(uint64_t(v) << (64 - bits)) >> (64 - bits)); }

  // Branch-free so that it vectorizes; cloned for AVX2 with a runtime dispatch.
  __attribute__((target_clones("avx2", "default"))) static void accumulate_all(const int32_t* a, const int32_t* b,
                                                                               const int32_t* f, int32_t* acc,
                                                                               int32_t* out, uint8_t* ov, size_t n,
                                                                               int sh) {
    for (size_t k = 0; k < n; ++k) {
      const uint32_t base = (f[k] & 2) ? 0u : uint32_t(acc[k]);
      const int32_t sum = int32_t((base + uint32_t(a[k] * b[k])) << sh) >> sh;  // wrap to acc_bits
      const bool valid = (f[k] & 4) != 0, last = (f[k] & 5) == 5;
      acc[k] = valid ? sum : acc[k];
      out[k] = last ? sum : out[k];
      ov[k] = last;
    }
  }

  SystolicParams p_;
  // 32-bit registers (operands are sign-extended, the accumulator wraps at acc_bits <= 32).
  std::vector<int32_t> a_skew_, f_skew_, b_skew_, a_reg_, f_reg_, b_reg_, acc_, out_c_;
  std::vector<uint8_t> out_valid_;
  std::vector<size_t> a_head_, b_head_;  // ring positions of the skew delay lines
};

}  // namespace arithsim::cycle
