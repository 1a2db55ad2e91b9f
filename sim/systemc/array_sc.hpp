// SystemC wrapper of a cycle-level PE array (any PE, any dataflow): clock, reset and
// sc_signal ports with the names of rtl/pe_array.sv, one port per row / column word and one
// out_valid / out_acc per PE. Outputs are registers, written at the rising edge.
#pragma once

#include <systemc.h>

#include <memory>

#include <arithsim/models/cycle/pe_array.hpp>

namespace arithsim::sc {

class ArraySc : public sc_module {
 public:
  sc_in<bool> clk, rst_n, in_valid, in_first, in_last;
  sc_vector<sc_in<uint64_t>> in_a, in_w, in_scale, in_zero;  // rows / cols words
  sc_vector<sc_out<bool>> out_valid;                         // PE (i,j) at i * cols + j
  sc_vector<sc_out<uint64_t>> out_acc;

  ArraySc(sc_module_name name, std::unique_ptr<cycle::PeArrayModel> model)
      : sc_module(name), in_a("in_a", size_t(model->rows())), in_w("in_w", size_t(model->cols())),
        in_scale("in_scale", size_t(model->cols())), in_zero("in_zero", size_t(model->cols())),
        out_valid("out_valid", size_t(model->rows() * model->cols())),
        out_acc("out_acc", size_t(model->rows() * model->cols())), model_(std::move(model)) {
    in_.a.assign(in_a.size(), 0);
    in_.w.assign(in_w.size(), 0);
    in_.scale.assign(in_w.size(), 0);
    in_.zero.assign(in_w.size(), 0);
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
  }
  SC_HAS_PROCESS(ArraySc);

  const cycle::PeArrayModel& model() const { return *model_; }

 private:
  void on_clock() {
    in_.rst_n = rst_n.read();
    in_.in_valid = in_valid.read();
    in_.in_first = in_first.read();
    in_.in_last = in_last.read();
    for (size_t i = 0; i < in_a.size(); ++i) in_.a[i] = in_a[i].read();
    for (size_t j = 0; j < in_w.size(); ++j) {
      in_.w[j] = in_w[j].read();
      in_.scale[j] = in_scale[j].read();
      in_.zero[j] = in_zero[j].read();
    }
    model_->tick(in_);
    const int C = model_->cols();
    for (int i = 0; i < model_->rows(); ++i)
      for (int j = 0; j < C; ++j) {
        out_valid[size_t(i * C + j)].write(model_->out_valid(i, j));
        out_acc[size_t(i * C + j)].write(model_->out_acc(i, j));
      }
  }

  std::unique_ptr<cycle::PeArrayModel> model_;
  cycle::ArrayIn in_;
};

// The signals of an R x C ArraySc's ports, bound to the array and to a testbench / feeder
// module with the same port names (those it has: a feeder may drive only the operands).
struct ArraySignals {
  sc_signal<bool> rst_n, in_valid, in_first, in_last;
  sc_vector<sc_signal<uint64_t>> a, w, scale, zero;
  sc_vector<sc_signal<bool>> out_valid;
  sc_vector<sc_signal<uint64_t>> out_acc;

  ArraySignals(int rows, int cols)
      : a("a", size_t(rows)), w("w", size_t(cols)), scale("scale", size_t(cols)), zero("zero", size_t(cols)),
        out_valid("out_valid", size_t(rows * cols)), out_acc("out_acc", size_t(rows * cols)) {}

  template <class M>
  void bind(M& m) {
    m.rst_n(rst_n);
    m.in_valid(in_valid);
    m.in_first(in_first);
    m.in_last(in_last);
    m.in_a(a);
    m.in_w(w);
    if constexpr (requires { m.in_scale; }) m.in_scale(scale);
    if constexpr (requires { m.in_zero; }) m.in_zero(zero);
    if constexpr (requires { m.out_valid; }) m.out_valid(out_valid);
    if constexpr (requires { m.out_acc; }) m.out_acc(out_acc);
  }
};

}  // namespace arithsim::sc
