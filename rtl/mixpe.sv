// MixPE processing element: the cycle-level twin of models/cycle/mixpe_cycle.hpp.
// One element per cycle: in_a an INT8 activation, in_w a W_BITS weight code (unsigned with
// the zero point in_zero when ZERO_POINT, two's complement otherwise), in_scale the FP16
// scale code of the element's weight group (in_scale / in_zero constant within a group).
// Stages (same names as the C++ models and docs/pe/mixpe.md):
//   front       shift&add of the weight's bit planes: the activation shifted by every set
//               bit (the top plane negative for signed weights) -> the exact product
//   pipeline    STAGES registers (rtl/common/pe_pipe.sv): product, activation, scale, zero
//   accumulate  psum, asum (integer registers) and the group counter (restarted by
//               in_first); at the group's last element d = psum - z*asum -> dequantize
//               (rtl/common/group_acc.sv over group_dequant.sv: acc = round(acc +
//               round(d * s_g)), fp32)
//   result      out_acc = the fp32 accumulator code (the registers and the handshake:
//               rtl/common/pe_result.sv)
// Handshake: valid/ready on the input and output; a held output stalls the whole pipe.
// FP16 activations (a=fp16) have a cycle model only, no RTL.
module mixpe #(
    parameter int A_BITS = 8,
    parameter int W_BITS = 4,
    parameter int ZERO_POINT = 1,
    parameter int GROUP = 128,
    parameter int STAGES = 1
) (
    input  logic              clk,
    input  logic              rst_n,
    input  logic              in_valid,
    output logic              in_ready,
    input  logic              in_first,
    input  logic              in_last,
    input  logic [A_BITS-1:0] in_a,
    input  logic [W_BITS-1:0] in_w,
    input  logic [15:0]       in_scale,
    input  logic [W_BITS-1:0] in_zero,
    output logic              out_valid,
    input  logic              out_ready,
    output logic [31:0]       out_acc
);
  localparam int GB = $clog2(GROUP) + 1;
  localparam int PR_BITS = A_BITS + W_BITS + 1;        // the product a * q (q unsigned or signed)
  localparam int PS_BITS = PR_BITS + GB;               // psum over a group
  localparam int AS_BITS = A_BITS + GB;                // asum over a group
  localparam int D_BITS = A_BITS + W_BITS + GB + 2;    // d = psum - z*asum
  localparam int CW = $clog2(GROUP + 1);
  localparam int ST_BITS = PS_BITS + AS_BITS + CW + 32;  // accumulate: {psum, asum, count, acc}
  localparam int T_BITS = PR_BITS + A_BITS + 16 + W_BITS;

  logic stall;

  // front: shift&add of the weight bit planes
  logic signed [PR_BITS-1:0] prod;
  wire signed [PR_BITS-1:0]  a_ext = PR_BITS'($signed(in_a));
  integer b;
  always_comb begin
    prod = '0;
    for (b = 0; b < W_BITS; b = b + 1)
      if (in_w[b]) begin
        if (ZERO_POINT == 0 && b == W_BITS - 1) prod = prod - (a_ext <<< b);  // signed: top plane negative
        else prod = prod + (a_ext <<< b);
      end
  end
  wire [W_BITS-1:0] zero_in = (ZERO_POINT != 0) ? in_zero : '0;

  // pipeline
  logic               m_valid, m_first, m_last;
  logic [T_BITS-1:0]  m_term;
  pe_pipe #(.STAGES(STAGES), .WIDTH(T_BITS)) pipe (
      .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last),
      .d_term({prod, in_a, in_scale, zero_in}),
      .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));
  wire signed [PR_BITS-1:0] m_prod  = m_term[T_BITS-1 -: PR_BITS];
  wire signed [A_BITS-1:0]  m_a     = m_term[16+W_BITS+A_BITS-1 -: A_BITS];
  wire [15:0]               m_scale = m_term[16+W_BITS-1 -: 16];
  wire [W_BITS-1:0]         m_zero  = m_term[W_BITS-1:0];

  // accumulate: psum, asum, the group counter, the fp32 accumulator (qsum = sum a*q is psum)
  logic [ST_BITS-1:0]        state, state_next;
  logic signed [PS_BITS-1:0] psum_sum;
  logic [31:0]               acc_next;
  /* verilator lint_off PINCONNECTEMPTY */
  group_acc #(.P_BITS(PR_BITS), .PS_BITS(PS_BITS), .A_BITS(A_BITS), .AS_BITS(AS_BITS), .Z_BITS(W_BITS),
              .D_BITS(D_BITS), .CYCLES(GROUP)) accumulate (
      .first(m_first), .t_prod(m_prod), .t_a(m_a), .scale(m_scale), .zero(m_zero), .state, .psum_sum,
      .asum_sum(), .qsum(D_BITS'(psum_sum)), .state_next, .acc_next);
  /* verilator lint_on PINCONNECTEMPTY */

  // accumulate registers, result register, handshake
  pe_result #(.STATE_BITS(ST_BITS), .OUT_BITS(32)) result_reg (
      .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next, .result(acc_next),
      .state, .out_valid, .out_ready, .out_acc);
endmodule
