// Cycle-level output-stationary systolic array of integer MAC cells, the twin of
// rtl/systolic_os.sv: the same input skew, registers, flags and result registers. Row i of A
// enters delayed i cycles, column j of B delayed j cycles; PE (i,j) multiplies the pair
// meeting there and accumulates it (units::IntAccumulator wrap semantics, as the int_mac
// PE); on the last element of a dot product it latches the result (out_valid pulses).
#pragma once

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
    if (a_bits < 2 || a_bits > 16 || w_bits < 2 || w_bits > 16 || acc_bits < a_bits + w_bits || acc_bits > 62)
      throw std::invalid_argument("systolic array: operand widths 2..16 bits, accumulator a_bits+w_bits..62 bits");
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
    out_valid_.assign(R * C, false);
  }
  const SystolicParams& params() const { return p_; }
  bool out_valid(int i, int j) const { return out_valid_[size_t(i * p_.cols + j)]; }
  int64_t out_c(int i, int j) const { return out_c_[size_t(i * p_.cols + j)]; }

  void tick(const Inputs& in) {
    const int R = p_.rows, C = p_.cols;
    if (!in.rst_n) {
      for (auto* v : {&a_skew_, &f_skew_, &b_skew_, &a_reg_, &f_reg_, &b_reg_, &acc_, &out_c_}) std::fill(v->begin(), v->end(), 0);
      std::fill(out_valid_.begin(), out_valid_.end(), false);
      return;
    }
    const int flags = (in.in_valid ? 4 : 0) | (in.in_first ? 2 : 0) | (in.in_last ? 1 : 0);
    // The PEs read the registers of this cycle (before any update): compute the new state first.
    std::vector<int64_t> na(a_reg_.size()), nb(b_reg_.size()), nf(f_reg_.size());
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < C; ++j) {
        const size_t k = size_t(i * C + j);
        const int64_t a_in = j ? a_reg_[k - 1] : (i ? a_skew_[size_t(i * R + i - 1)] : in.in_a[0]);
        const int64_t f_in = j ? f_reg_[k - 1] : (i ? f_skew_[size_t(i * R + i - 1)] : flags);
        const int64_t b_in = i ? b_reg_[k - size_t(C)] : (j ? b_skew_[size_t(j * C + j - 1)] : in.in_b[0]);
        na[k] = a_in;
        nf[k] = f_in;
        nb[k] = b_in;
        out_valid_[k] = (f_in & 4) && (f_in & 1);
        if (f_in & 4) {
          const int64_t sum = wrap((f_in & 2 ? 0 : acc_[k]) + sext(a_in, p_.a_bits) * sext(b_in, p_.w_bits));  // multiply, accumulate
          acc_[k] = sum;
          if (f_in & 1) out_c_[k] = sum;
        }
      }
    a_reg_ = std::move(na);
    b_reg_ = std::move(nb);
    f_reg_ = std::move(nf);
    // skew delay lines
    for (int i = 0; i < R; ++i) {
      for (int d = R - 1; d > 0; --d) {
        a_skew_[size_t(i * R + d)] = a_skew_[size_t(i * R + d - 1)];
        f_skew_[size_t(i * R + d)] = f_skew_[size_t(i * R + d - 1)];
      }
      a_skew_[size_t(i * R)] = in.in_a[size_t(i)];
      f_skew_[size_t(i * R)] = flags;
    }
    for (int j = 0; j < C; ++j) {
      for (int d = C - 1; d > 0; --d) b_skew_[size_t(j * C + d)] = b_skew_[size_t(j * C + d - 1)];
      b_skew_[size_t(j * C)] = in.in_b[size_t(j)];
    }
  }

 private:
  static int64_t sext(int64_t v, int bits) { return int64_t(uint64_t(v) << (64 - bits)) >> (64 - bits); }
  int64_t wrap(int64_t v) const { return sext(v, p_.acc_bits); }

  SystolicParams p_;
  std::vector<int64_t> a_skew_, f_skew_, b_skew_, a_reg_, f_reg_, b_reg_, acc_, out_c_;
  std::vector<bool> out_valid_;
};

}  // namespace arithsim::cycle
