// The back end every PE shares (models/cycle/pe_cycle.hpp, StreamingPe): the accumulate
// stage's registers, the result register and the handshake, after the pipeline registers of
// rtl/common/pe_pipe.sv. The PE-specific part stays in the PE: its combinational
// state_next (the accumulate stage, from `state` and the last pipeline register) and result
// (the output stage, from state_next).
//   accumulate  `state` (STATE_BITS: the PE's accumulator registers, reset to zero) loads
//               state_next with every valid element of the last pipeline register (q_valid)
//   result      on the dot product's last element (q_valid && q_last) out_acc <= result and
//               out_valid rises; out_acc stays until out_ready, then out_valid clears
// Handshake: a held output (out_valid && !out_ready) stalls every register, the PE's
// pe_pipe included (its hold = stall), so in_ready = !stall combinationally.
module pe_result #(
    parameter int STATE_BITS = 32,
    parameter int OUT_BITS = 32
) (
    input  logic                  clk,
    input  logic                  rst_n,
    output logic                  stall,
    output logic                  in_ready,
    input  logic                  q_valid,
    input  logic                  q_last,
    input  logic [STATE_BITS-1:0] state_next,
    input  logic [OUT_BITS-1:0]   result,
    output logic [STATE_BITS-1:0] state,
    output logic                  out_valid,
    input  logic                  out_ready,
    output logic [OUT_BITS-1:0]   out_acc
);
  assign stall = out_valid && !out_ready;
  assign in_ready = !stall;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      state     <= '0;
      out_valid <= 1'b0;
      out_acc   <= '0;
    end else if (!stall) begin
      // accumulate
      if (q_valid) state <= state_next;
      // result
      if (q_valid && q_last) begin
        out_valid <= 1'b1;
        out_acc   <= result;
      end else if (out_valid && out_ready) begin
        out_valid <= 1'b0;
      end
    end
  end
endmodule
