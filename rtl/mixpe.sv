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
//               round(d * s_g)), in the accumulator format ACC_E/ACC_M (fp32 by default)
//   result      out_acc = the accumulator code (the registers and the handshake:
//               rtl/common/pe_result.sv)
// Handshake: valid/ready on the input and output; a held output stalls the whole pipe.
// FP16 activations (A_FP16 = 1, A_BITS = 16): front decodes nothing (the activation code
// goes down the pipeline); accumulate holds the group sums psum, asum as accumulator codes
// (FloatAccumulators: one rounding per add, rtl/common/fp_acc_add.sv, in the PE model's
// order): asum += a, then psum += a * 2^b (negated for the signed top plane) for every set
// weight bit b; at the group's last element psum += -round(z * asum) and v = psum is
// dequantized (rtl/common/fp_group_acc.sv).
module mixpe #(
    parameter int A_BITS = 8,
    parameter int A_FP16 = 0,
    parameter int W_BITS = 4,
    parameter int ZERO_POINT = 1,
    parameter int GROUP = 128,
    parameter int ACC_E = 8,   // accumulator (and group sum) format: IEEE-style, ACC_E exponent
    parameter int ACC_M = 23,  // bits, ACC_M mantissa bits
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
    output logic [ACC_E+ACC_M:0] out_acc
);
  localparam int CW = $clog2(GROUP + 1);
  localparam int AW = 1 + ACC_E + ACC_M;  // accumulator code
  localparam int AS = ACC_M + 1;          // its significand

  logic stall;
  logic m_valid, m_last;

  if (A_FP16 == 0) begin : g_int8
    localparam int GB = $clog2(GROUP) + 1;
    localparam int PR_BITS = A_BITS + W_BITS + 1;        // the product a * q (q unsigned or signed)
    localparam int PS_BITS = PR_BITS + GB;               // psum over a group
    localparam int AS_BITS = A_BITS + GB;                // asum over a group
    localparam int D_BITS = A_BITS + W_BITS + GB + 2;    // d = psum - z*asum
    localparam int ST_BITS = PS_BITS + AS_BITS + CW + AW;  // accumulate: {psum, asum, count, acc}
    localparam int T_BITS = PR_BITS + A_BITS + 16 + W_BITS;

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
    logic               m_first;
    logic [T_BITS-1:0]  m_term;
    pe_pipe #(.STAGES(STAGES), .WIDTH(T_BITS)) pipe (
        .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last),
        .d_term({prod, in_a, in_scale, zero_in}),
        .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));
    wire signed [PR_BITS-1:0] m_prod  = m_term[T_BITS-1 -: PR_BITS];
    wire signed [A_BITS-1:0]  m_a     = m_term[16+W_BITS+A_BITS-1 -: A_BITS];
    wire [15:0]               m_scale = m_term[16+W_BITS-1 -: 16];
    wire [W_BITS-1:0]         m_zero  = m_term[W_BITS-1:0];

    // accumulate: psum, asum, the group counter, the accumulator (qsum = sum a*q is psum)
    logic [ST_BITS-1:0]        state, state_next;
    logic signed [PS_BITS-1:0] psum_sum;
    logic [AW-1:0]             acc_next;
    /* verilator lint_off PINCONNECTEMPTY */
    group_acc #(.P_BITS(PR_BITS), .PS_BITS(PS_BITS), .A_BITS(A_BITS), .AS_BITS(AS_BITS), .Z_BITS(W_BITS),
                .D_BITS(D_BITS), .CYCLES(GROUP), .ACC_E(ACC_E), .ACC_M(ACC_M)) accumulate (
        .first(m_first), .t_prod(m_prod), .t_a(m_a), .scale(m_scale), .zero(m_zero), .state, .psum_sum,
        .asum_sum(), .qsum(D_BITS'(psum_sum)), .state_next, .acc_next);
    /* verilator lint_on PINCONNECTEMPTY */

    // accumulate registers, result register, handshake
    pe_result #(.STATE_BITS(ST_BITS), .OUT_BITS(AW)) result_reg (
        .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next, .result(acc_next),
        .state, .out_valid, .out_ready, .out_acc);
  end else begin : g_fp16
    localparam int T_BITS = A_BITS + W_BITS + 16 + W_BITS;
    localparam int ST_BITS = AW + AW + CW + AW;  // accumulate: {psum, asum, count, acc}
    wire [W_BITS-1:0] zero_in = (ZERO_POINT != 0) ? in_zero : '0;

    // pipeline: front passes the FP16 activation code on
    logic              m_first;
    logic [T_BITS-1:0] m_term;
    pe_pipe #(.STAGES(STAGES), .WIDTH(T_BITS)) pipe (
        .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last),
        .d_term({in_a, in_w, in_scale, zero_in}),
        .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));
    wire [15:0]       m_a     = m_term[T_BITS-1 -: 16];
    wire [W_BITS-1:0] m_w     = m_term[16+W_BITS+W_BITS-1 -: W_BITS];
    wire [15:0]       m_scale = m_term[16+W_BITS-1 -: 16];
    wire [W_BITS-1:0] m_zero  = m_term[W_BITS-1:0];

    // accumulate: asum += a; psum += a * 2^b per set weight bit (one rounding per add)
    logic [ST_BITS-1:0] state, state_next;
    wire [AW-1:0] psum = state[CW+2*AW +: AW];
    wire [AW-1:0] asum = state[CW+AW +: AW];
    wire [CW-1:0] count = state[AW +: CW];
    wire [AW-1:0] acc = state[AW-1:0];
    logic        x_nan, x_inf, x_zero, x_neg;
    logic [10:0] x_sig;
    logic signed [15:0] x_exp;
    fp_decode #(.E(5), .M(10), .XW(16)) decode_a (
        .code(m_a), .nan(x_nan), .inf(x_inf), .zero(x_zero), .neg(x_neg), .sig(x_sig), .exp(x_exp));
    logic [AW-1:0] asum_sum;
    fp_acc_add #(.E(ACC_E), .M(ACC_M), .SW(11), .XW(16)) add_asum (
        .acc(m_first ? AW'(0) : asum), .t_nan(x_nan), .t_inf(x_inf), .t_zero(x_zero), .t_neg(x_neg),
        .t_sig(x_sig), .t_exp(x_exp), .sum(asum_sum));
    logic [(W_BITS+1)*AW-1:0] ps /* verilator split_var */;  // psum after the adds of weight bits 0..b-1
    assign ps[AW-1:0] = m_first ? AW'(0) : psum;
    for (genvar b = 0; b < W_BITS; b = b + 1) begin : g_plane
      logic [AW-1:0] sum_b;
      fp_acc_add #(.E(ACC_E), .M(ACC_M), .SW(11), .XW(16)) add_psum (
          .acc(ps[b*AW +: AW]), .t_nan(x_nan), .t_inf(x_inf), .t_zero(x_zero),
          .t_neg(x_neg ^ (ZERO_POINT == 0 && b == W_BITS - 1)),  // signed: top plane negative
          .t_sig(x_sig), .t_exp(x_exp + 16'(b)), .sum(sum_b));
      assign ps[(b+1)*AW +: AW] = m_w[b] ? sum_b : ps[b*AW +: AW];
    end
    // at the group's end: psum += -round(z * asum), then dequantize v = psum
    logic        as_nan, as_inf, as_zero, as_neg;
    logic [AS-1:0] as_sig;
    logic signed [15:0] as_exp;
    fp_decode #(.E(ACC_E), .M(ACC_M), .XW(16)) decode_asum (
        .code(asum_sum), .nan(as_nan), .inf(as_inf), .zero(as_zero), .neg(as_neg), .sig(as_sig), .exp(as_exp));
    wire         z_zero = (m_zero == '0);
    logic [AW-1:0] za;
    fp_round #(.E(ACC_E), .M(ACC_M), .SW(AS + W_BITS), .XW(16)) round_za (
        .t_nan(as_nan || (as_inf && z_zero)), .t_inf(as_inf), .t_zero(as_zero || z_zero), .t_neg(as_neg),
        .t_sig((AS + W_BITS)'(as_sig) * (AS + W_BITS)'(m_zero)), .t_exp(as_exp), .t_sticky(1'b0), .code(za));
    logic        za_nan, za_inf, za_zero, za_neg;
    logic [AS-1:0] za_sig;
    logic signed [15:0] za_exp;
    fp_decode #(.E(ACC_E), .M(ACC_M), .XW(16)) decode_za (
        .code(za), .nan(za_nan), .inf(za_inf), .zero(za_zero), .neg(za_neg), .sig(za_sig), .exp(za_exp));
    logic [AW-1:0] v;
    fp_acc_add #(.E(ACC_E), .M(ACC_M), .SW(AS), .XW(16)) add_za (
        .acc(ps[W_BITS*AW +: AW]), .t_nan(za_nan), .t_inf(za_inf), .t_zero(za_zero), .t_neg(!za_neg),
        .t_sig(za_sig), .t_exp(za_exp), .sum(v));
    logic          group_end;
    logic [CW-1:0] count_next;
    logic [AW-1:0] acc_next;
    fp_group_acc #(.CYCLES(GROUP), .E(ACC_E), .M(ACC_M)) dequantize (
        .first(m_first), .count, .acc, .v, .scale(m_scale), .group_end, .count_next, .acc_next);
    assign state_next = {group_end ? AW'(0) : ps[W_BITS*AW +: AW], group_end ? AW'(0) : asum_sum, count_next, acc_next};

    // accumulate registers, result register, handshake
    pe_result #(.STATE_BITS(ST_BITS), .OUT_BITS(AW)) result_reg (
        .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next, .result(acc_next),
        .state, .out_valid, .out_ready, .out_acc);
  end
endmodule
