// INT MAC processing element: the cycle-level twin of models/cycle/int_mac_cycle.hpp.
// Stages (same names as the C++ models and docs/pe/int_mac.md): multiply (front) ->
// STAGES pipeline registers (rtl/common/pe_pipe.sv) -> accumulate -> result register
// (the registers and the handshake: rtl/common/pe_result.sv).
// Handshake: valid/ready on the input and output; a held output stalls the whole pipe.
// in_first starts a new dot product (the accumulator restarts), in_last ends it: its sum
// appears on out_acc with out_valid and stays until out_ready.
module int_mac #(
    parameter int A_BITS = 8,
    parameter int W_BITS = 8,
    parameter int ACC_BITS = 32,
    parameter int SATURATE = 0,
    parameter int STAGES = 1
) (
    input  logic                clk,
    input  logic                rst_n,
    input  logic                in_valid,
    output logic                in_ready,
    input  logic                in_first,
    input  logic                in_last,
    input  logic [A_BITS-1:0]   in_a,
    input  logic [W_BITS-1:0]   in_w,
    output logic                out_valid,
    input  logic                out_ready,
    output logic [ACC_BITS-1:0] out_acc
);
  localparam int P_BITS = A_BITS + W_BITS;

  logic stall;

  // multiply (front stage)
  wire signed [P_BITS-1:0] prod = P_BITS'($signed(in_a)) * P_BITS'($signed(in_w));

  logic              m_valid, m_first, m_last;
  logic [P_BITS-1:0] m_prod;
  pe_pipe #(.STAGES(STAGES), .WIDTH(P_BITS)) pipe (
      .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last), .d_term(prod),
      .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_prod));

  // accumulate: wrap, or saturate to the ACC_BITS range
  logic signed [ACC_BITS-1:0] acc;
  logic signed [ACC_BITS:0]   sum_wide;
  logic signed [ACC_BITS-1:0] acc_base, acc_next;
  localparam logic signed [ACC_BITS:0] ACC_MAX = {2'b00, {(ACC_BITS - 1){1'b1}}};
  localparam logic signed [ACC_BITS:0] ACC_MIN = {2'b11, {(ACC_BITS - 1){1'b0}}};
  always_comb begin
    acc_base = m_first ? '0 : acc;
    sum_wide = $signed({acc_base[ACC_BITS-1], acc_base}) + (ACC_BITS+1)'($signed(m_prod));
    if (SATURATE != 0 && sum_wide > ACC_MAX) acc_next = ACC_MAX[ACC_BITS-1:0];
    else if (SATURATE != 0 && sum_wide < ACC_MIN) acc_next = ACC_MIN[ACC_BITS-1:0];
    else acc_next = sum_wide[ACC_BITS-1:0];
  end

  // accumulator register, result register, handshake
  pe_result #(.STATE_BITS(ACC_BITS), .OUT_BITS(ACC_BITS)) result_reg (
      .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next(acc_next), .result(acc_next),
      .state(acc), .out_valid, .out_ready, .out_acc);
endmodule
