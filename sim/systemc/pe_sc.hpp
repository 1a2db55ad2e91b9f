// SystemC wrapper of any PE's cycle-level model: clock, reset and sc_signal ports with the
// names of rtl/<pe>.sv and the C++ types Verilator --sc gives ports of their widths (bool for
// 1 bit, uint32_t up to 32 bits, uint64_t up to 64), so the model and a Verilated --sc module
// are drop-in replacements for each other. in_scale / in_zero exist on the group-dequantizing
// PEs only: they may stay unbound.
#pragma once

#include <systemc.h>

#include <memory>

#include <arithsim/models/cycle/pe_cycle.hpp>

namespace arithsim::sc {

template <class AT = uint32_t, class WT = uint32_t, class OT = uint32_t>
class PeSc : public sc_module {
 public:
  sc_in<bool> clk, rst_n, in_valid, in_first, in_last, out_ready;
  sc_in<AT> in_a;
  sc_in<WT> in_w;
  sc_port<sc_signal_in_if<uint32_t>, 1, SC_ZERO_OR_MORE_BOUND> in_scale, in_zero;
  sc_out<bool> in_ready, out_valid;
  sc_out<OT> out_acc;

  PeSc(sc_module_name name, std::unique_ptr<cycle::PeCycleModel> model) : sc_module(name), model_(std::move(model)) {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(drive);  // in_ready is combinational in out_ready, as in the RTL
    sensitive << out_ready << state_changed_;
  }
  SC_HAS_PROCESS(PeSc);

  const cycle::PeCycleModel& model() const { return *model_; }

 private:
  void on_clock() {
    cycle::PeIn in;
    in.rst_n = rst_n.read();
    in.in_valid = in_valid.read();
    in.in_first = in_first.read();
    in.in_last = in_last.read();
    in.out_ready = out_ready.read();
    in.in_a = uint64_t(in_a.read());
    in.in_w = uint64_t(in_w.read());
    if (in_scale.size()) in.in_scale = in_scale->read();
    if (in_zero.size()) in.in_zero = in_zero->read();
    model_->tick(in);
    state_changed_.notify(SC_ZERO_TIME);
  }
  void drive() {
    const auto o = model_->outputs(out_ready.read());
    in_ready.write(o.in_ready);
    out_valid.write(o.out_valid);
    out_acc.write(OT(o.out_acc));
  }

  std::unique_ptr<cycle::PeCycleModel> model_;
  sc_event state_changed_;
};

}  // namespace arithsim::sc
