// SystemC wrapper of the INT MAC cycle-level model: clock, reset and sc_signal ports with
// the names and widths of rtl/int_mac.sv (Verilator --sc maps its ports to these types), so
// the model and a Verilated --sc module are drop-in replacements for each other.
#pragma once

#include <systemc.h>

#include "models/cycle/int_mac_cycle.hpp"

namespace arithsim::sc {

SC_MODULE(IntMacSc) {
  sc_in<bool> clk, rst_n, in_valid, in_first, in_last, out_ready;
  sc_in<uint32_t> in_a, in_w;  // the low A_BITS / W_BITS bits carry the two's complement value
  sc_out<bool> in_ready, out_valid;
  sc_out<uint32_t> out_acc;    // the low ACC_BITS bits

  IntMacSc(sc_module_name name, cycle::IntMacParams p = {}) : sc_module(name), model_(p) {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(drive);  // in_ready is combinational in out_ready, as in the RTL
    sensitive << out_ready << state_changed_;
  }
  SC_HAS_PROCESS(IntMacSc);

  const cycle::IntMacCycle& model() const { return model_; }

 private:
  void on_clock() {
    cycle::IntMacCycle::Inputs in;
    in.rst_n = rst_n.read();
    in.in_valid = in_valid.read();
    in.in_first = in_first.read();
    in.in_last = in_last.read();
    in.out_ready = out_ready.read();
    in.in_a = int64_t(in_a.read());
    in.in_w = int64_t(in_w.read());
    model_.tick(in);  // tick() sign-extends the operands to their widths
    state_changed_.notify(SC_ZERO_TIME);
  }
  void drive() {
    const auto o = model_.outputs(out_ready.read());
    in_ready.write(o.in_ready);
    out_valid.write(o.out_valid);
    out_acc.write(uint32_t(uint64_t(o.out_acc)));
  }

  cycle::IntMacCycle model_;
  sc_event state_changed_;
};

}  // namespace arithsim::sc
