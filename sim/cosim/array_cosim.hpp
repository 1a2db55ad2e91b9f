// Co-simulation of rtl/pe_array.sv: RtlArray<V> presents a Verilated pe_array as a
// cycle::PeArrayModel, and Lockstep ticks the cycle-level model and the RTL on the same
// inputs, comparing every PE's out_valid and out_acc after every edge — so any driver of
// arrays (cycle::run_array_gemm, a tiled GEMM) co-simulates the two.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include <fmt/format.h>
#include <verilated.h>

#include <arithsim/models/cycle/pe_array.hpp>

namespace arithsim::cosim {

// Bits [lsb, lsb + width) of a Verilator port (an integer, or VlWide for > 64 bits).
template <class P>
void set_bits(P& port, int lsb, int width, uint64_t v) {
  if constexpr (std::is_integral_v<P>) {
    const P m = P(cycle::mask(width)) << lsb;
    port = P((port & ~m) | ((P(v) << lsb) & m));
  } else {  // VlWide: 32-bit words; a field of <= 64 bits spans at most three
    for (int done = 0; done < width;) {
      const int bit = lsb + done, off = bit % 32, n = std::min(32 - off, width - done);
      const uint32_t m = uint32_t(cycle::mask(n)) << off;
      uint32_t& word = port[size_t(bit / 32)];
      word = (word & ~m) | ((uint32_t(v >> done) << off) & m);
      done += n;
    }
  }
}
template <class P>
uint64_t get_bits(const P& port, int lsb, int width) {
  if constexpr (std::is_integral_v<P>) {
    return uint64_t(port >> lsb) & cycle::mask(width);
  } else {
    uint64_t v = 0;
    for (int done = 0; done < width;) {
      const int bit = lsb + done, off = bit % 32, n = std::min(32 - off, width - done);
      v |= uint64_t((port[size_t(bit / 32)] >> off) & uint32_t(cycle::mask(n))) << done;
      done += n;
    }
    return v;
  }
}

template <class V>
class RtlArray final : public cycle::PeArrayModel {
 public:
  RtlArray(int rows, int cols, cycle::Dataflow df, int stages, cycle::PePorts ports)
      : R_(rows), C_(cols), df_(df), S_(stages), ports_(ports), rtl_(std::make_unique<V>(&ctx_)) {}
  ~RtlArray() override { rtl_->final(); }
  int rows() const override { return R_; }
  int cols() const override { return C_; }
  cycle::Dataflow dataflow() const override { return df_; }
  int stages() const override { return S_; }
  const cycle::PePorts& ports() const override { return ports_; }
  void tick(const cycle::ArrayIn& in) override {
    rtl_->rst_n = in.rst_n;
    rtl_->in_valid = in.in_valid;
    rtl_->in_first = in.in_first;
    rtl_->in_last = in.in_last;
    for (int i = 0; i < R_; ++i) set_bits(rtl_->in_a, i * ports_.a_bits, ports_.a_bits, in.a[size_t(i)]);
    for (int j = 0; j < C_; ++j) {
      set_bits(rtl_->in_w, j * ports_.w_bits, ports_.w_bits, in.w[size_t(j)]);
      if (ports_.scale_bits && !in.scale.empty())
        set_bits(rtl_->in_scale, j * ports_.scale_bits, ports_.scale_bits, in.scale[size_t(j)]);
      if (ports_.zero_bits && !in.zero.empty())
        set_bits(rtl_->in_zero, j * ports_.zero_bits, ports_.zero_bits, in.zero[size_t(j)]);
    }
    rtl_->clk = 0;
    rtl_->eval();
    rtl_->clk = 1;
    rtl_->eval();
  }
  bool out_valid(int i, int j) const override { return get_bits(rtl_->out_valid, i * C_ + j, 1) != 0; }
  uint64_t out_acc(int i, int j) const override {
    return get_bits(rtl_->out_acc, (i * C_ + j) * ports_.out_bits, ports_.out_bits);
  }

 private:
  int R_, C_;
  cycle::Dataflow df_;
  int S_;
  cycle::PePorts ports_;
  VerilatedContext ctx_;
  std::unique_ptr<V> rtl_;
};

// Ticks a reference model and the RTL together; after every edge compares every PE's
// outputs. The driver sees the model's outputs; mismatch() holds the first difference.
class Lockstep final : public cycle::PeArrayModel {
 public:
  Lockstep(cycle::PeArrayModel& model, cycle::PeArrayModel& rtl) : m_(model), r_(rtl) {}
  int rows() const override { return m_.rows(); }
  int cols() const override { return m_.cols(); }
  cycle::Dataflow dataflow() const override { return m_.dataflow(); }
  int stages() const override { return m_.stages(); }
  const cycle::PePorts& ports() const override { return m_.ports(); }
  void tick(const cycle::ArrayIn& in) override {
    m_.tick(in);
    r_.tick(in);
    ++edges_;
    for (int i = 0; i < rows() && mismatch_.empty(); ++i)
      for (int j = 0; j < cols() && mismatch_.empty(); ++j) {
        if (m_.out_valid(i, j) != r_.out_valid(i, j))
          mismatch_ = fmt::format("edge {}: out_valid[{}][{}] model {} RTL {}", edges_, i, j, int(m_.out_valid(i, j)),
                                  int(r_.out_valid(i, j)));
        else if (m_.out_valid(i, j) && m_.out_acc(i, j) != r_.out_acc(i, j))
          mismatch_ = fmt::format("edge {}: out_acc[{}][{}] model {:#x} RTL {:#x}", edges_, i, j, m_.out_acc(i, j),
                                  r_.out_acc(i, j));
      }
  }
  bool out_valid(int i, int j) const override { return m_.out_valid(i, j); }
  uint64_t out_acc(int i, int j) const override { return m_.out_acc(i, j); }
  const std::string& mismatch() const { return mismatch_; }
  uint64_t edges() const { return edges_; }

 private:
  cycle::PeArrayModel& m_;
  cycle::PeArrayModel& r_;
  std::string mismatch_;
  uint64_t edges_ = 0;
};

}  // namespace arithsim::cosim
