// INT MAC processing element: the cycle-level twin of models/cycle/int_mac_cycle.hpp.
// Stages (same names as the C++ models and docs/pe/int_mac.md): multiply -> accumulate.
// Handshake: valid/ready on the input and output; a held output stalls the whole pipe.
// in_first starts a new dot product (the accumulator restarts), in_last ends it: its sum
// appears on out_acc with out_valid and stays until out_ready.
module int_mac #(
    parameter int A_BITS = 8,
    parameter int W_BITS = 8,
    parameter int ACC_BITS = 32,
    parameter bit SATURATE = 1'b0
) (
    input  logic                       clk,
    input  logic                       rst_n,
    input  logic                       in_valid,
    output logic                       in_ready,
    input  logic                       in_first,
    input  logic                       in_last,
    input  logic signed [A_BITS-1:0]   in_a,
    input  logic signed [W_BITS-1:0]   in_w,
    output logic                       out_valid,
    input  logic                       out_ready,
    output logic signed [ACC_BITS-1:0] out_acc
);
  localparam int P_BITS = A_BITS + W_BITS;

  // multiply stage register
  logic                     m_valid, m_first, m_last;
  logic signed [P_BITS-1:0] m_prod;
  // accumulate stage register
  logic signed [ACC_BITS-1:0] acc;

  wire stall = out_valid && !out_ready;
  assign in_ready = !stall;

  // accumulate: wrap, or saturate to the ACC_BITS range
  logic signed [ACC_BITS:0]   sum_wide;
  logic signed [ACC_BITS-1:0] acc_base, acc_next;
  localparam logic signed [ACC_BITS:0] ACC_MAX = {2'b00, {(ACC_BITS - 1){1'b1}}};
  localparam logic signed [ACC_BITS:0] ACC_MIN = {2'b11, {(ACC_BITS - 1){1'b0}}};
  always_comb begin
    acc_base = m_first ? '0 : acc;
    sum_wide = $signed({acc_base[ACC_BITS-1], acc_base}) + (ACC_BITS+1)'(m_prod);
    if (SATURATE && sum_wide > ACC_MAX) acc_next = ACC_MAX[ACC_BITS-1:0];
    else if (SATURATE && sum_wide < ACC_MIN) acc_next = ACC_MIN[ACC_BITS-1:0];
    else acc_next = sum_wide[ACC_BITS-1:0];
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      m_valid   <= 1'b0;
      m_first   <= 1'b0;
      m_last    <= 1'b0;
      m_prod    <= '0;
      acc       <= '0;
      out_valid <= 1'b0;
      out_acc   <= '0;
    end else if (!stall) begin
      m_valid <= in_valid;
      if (in_valid) begin
        m_prod  <= P_BITS'(in_a) * P_BITS'(in_w);
        m_first <= in_first;
        m_last  <= in_last;
      end
      if (m_valid) acc <= acc_next;
      if (m_valid && m_last) begin
        out_valid <= 1'b1;
        out_acc   <= acc_next;
      end else if (out_valid && out_ready) begin
        out_valid <= 1'b0;
      end
    end
  end
endmodule
