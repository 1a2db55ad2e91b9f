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
//               (rtl/common/group_dequant.sv: acc = round(acc + round(d * s_g)), fp32)
//   result      out_acc = the fp32 accumulator code
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
  localparam int T_BITS = PR_BITS + A_BITS + 16 + W_BITS;

  wire stall = out_valid && !out_ready;
  assign in_ready = !stall;

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

  // accumulate: psum, asum, the group counter, the fp32 accumulator
  logic signed [PS_BITS-1:0] psum;
  logic signed [AS_BITS-1:0] asum;
  logic [CW-1:0]             count;
  logic [31:0]               acc;
  wire signed [PS_BITS-1:0]  psum_sum = (m_first ? '0 : psum) + PS_BITS'(m_prod);
  wire signed [AS_BITS-1:0]  asum_sum = (m_first ? '0 : asum) + AS_BITS'(m_a);
  wire [CW-1:0]              count_sum = (m_first ? '0 : count) + CW'(1);
  wire                       group_end = (count_sum == CW'(GROUP));
  wire signed [D_BITS-1:0]   d = D_BITS'(psum_sum) - D_BITS'($signed({1'b0, m_zero})) * D_BITS'(asum_sum);
  wire [31:0]                acc_base = m_first ? 32'h0 : acc;
  logic [31:0]               acc_deq;
  group_dequant #(.DW(D_BITS), .E(8), .M(23)) dequantize (.acc(acc_base), .d(d), .scale(m_scale), .sum(acc_deq));
  wire [31:0]                acc_next = group_end ? acc_deq : acc_base;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      psum      <= '0;
      asum      <= '0;
      count     <= '0;
      acc       <= '0;
      out_valid <= 1'b0;
      out_acc   <= '0;
    end else if (!stall) begin
      if (m_valid) begin
        psum  <= group_end ? '0 : psum_sum;
        asum  <= group_end ? '0 : asum_sum;
        count <= group_end ? '0 : count_sum;
        acc   <= acc_next;
      end
      // result
      if (m_valid && m_last) begin
        out_valid <= 1'b1;
        out_acc   <= acc_next;
      end else if (out_valid && out_ready) begin
        out_valid <= 1'b0;
      end
    end
  end
endmodule
