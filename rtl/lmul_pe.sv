// L-Mul processing element ("Addition is All You Need", Luo & Sun 2024): the cycle-level twin
// of models/cycle/lmul_pe_cycle.hpp. Stages (same names as the C++ models and
// docs/pe/lmul_pe.md):
//   decode (sign, exponent and fraction fields; CONV 0 = ieee (inf, NaNs), 1 = fn (NaN =
//   S.1...1), 2 = finite; a zero exponent field (zero or subnormal) flushes the product)
//   -> multiply (L-Mul, units::lmul):
//        VARIANT 0 (hardware): one integer add of the exponent|mantissa fields,
//          field = ((e_a + e_b - BIAS) << M) + f_a + f_b + 2^(M-L); mantissa carries move into
//          the exponent; product = (2^M + field[M-1:0]) * 2^((field >>> M) - BIAS - M)
//        VARIANT 1 (formula): (2^L (2^M + f_a + f_b) + 2^M) * 2^(e_a + e_b - 2 BIAS - M - L)
//      with L = l(M) = M (M <= 3), 3 (M = 4), 4 (M > 4); NaN for NaN or inf * (zero exponent),
//      inf for inf; the exponent is not range-limited (the accumulator's rounding decides)
//   -> STAGES pipeline registers (rtl/common/pe_pipe.sv)
//   -> accumulate (align, add, normalize/round: rtl/common/fp_term_acc.sv over fp_acc_add.sv,
//      one RNE rounding)
//   -> result register (the accumulator code until out_ready; the registers and the
//      handshake: rtl/common/pe_result.sv).
// The PE's power-of-two operand scales (its output stage) lie outside this datapath.
module lmul_pe #(
    parameter int E = 8,
    parameter int M = 7,
    parameter int BIAS = 127,
    parameter int CONV = 0,
    parameter int VARIANT = 0,
    parameter int ACC_E = 8,
    parameter int ACC_M = 23,
    parameter int STAGES = 1,
    parameter int BITS = 1 + E + M,
    parameter int ACC_BITS = 1 + ACC_E + ACC_M
) (
    input  logic                clk,
    input  logic                rst_n,
    input  logic                in_valid,
    output logic                in_ready,
    input  logic                in_first,
    input  logic                in_last,
    input  logic [BITS-1:0]     in_a,
    input  logic [BITS-1:0]     in_w,
    output logic                out_valid,
    input  logic                out_ready,
    output logic [ACC_BITS-1:0] out_acc
);
  localparam int L = (M <= 3) ? M : (M == 4) ? 3 : 4;  // l(M): the offset 2^-L
  localparam int XW = 12;                               // term exponent width
  localparam int SIGW = (VARIANT != 0) ? M + L + 2 : M + 1;
  localparam int TW = 4 + SIGW + XW;                    // term: nan, inf, zero, neg, sig, exp
  localparam int FW = E + M + 3;                        // the exponent|mantissa field adder

  logic stall;

  // decode
  wire         a_neg = in_a[BITS-1], w_neg = in_w[BITS-1];
  wire [E-1:0] a_ef = in_a[E+M-1:M], w_ef = in_w[E+M-1:M];
  wire [M-1:0] a_f = in_a[M-1:0], w_f = in_w[M-1:0];
  wire a_nan = (CONV == 0) ? (a_ef == '1 && a_f != '0) : (CONV == 1) ? (a_ef == '1 && a_f == '1) : 1'b0;
  wire w_nan = (CONV == 0) ? (w_ef == '1 && w_f != '0) : (CONV == 1) ? (w_ef == '1 && w_f == '1) : 1'b0;
  wire a_inf = (CONV == 0) && a_ef == '1 && a_f == '0;
  wire w_inf = (CONV == 0) && w_ef == '1 && w_f == '0;
  wire a_flush = (a_ef == '0), w_flush = (w_ef == '0);  // zero or subnormal

  // multiply (L-Mul)
  wire            p_neg = a_neg ^ w_neg;
  wire            p_nan = a_nan || w_nan || ((a_inf || w_inf) && (a_flush || w_flush));
  wire            p_inf = a_inf || w_inf;
  wire            p_zero = a_flush || w_flush;
  wire [SIGW-1:0] p_sig;
  wire signed [XW-1:0] p_exp;
  generate
    if (VARIANT != 0) begin : g_formula
      wire [M+1:0] f_sum = {2'b01, {M{1'b0}}} + (M + 2)'(a_f) + (M + 2)'(w_f);  // 2^M + f_a + f_b
      assign p_sig = {f_sum, {L{1'b0}}} + SIGW'(1 << M);
      assign p_exp = XW'(a_ef) + XW'(w_ef) - XW'(2 * BIAS + M + L);
    end else begin : g_hardware
      wire signed [FW-1:0] field = ((FW'(a_ef) + FW'(w_ef) - FW'(BIAS)) << M) + FW'(a_f) + FW'(w_f) + FW'(1 << (M - L));
      wire signed [FW-M-1:0] f_exp = field[FW-1:M];  // field >>> M: the biased result exponent
      assign p_sig = {1'b1, field[M-1:0]};
      assign p_exp = XW'(f_exp) - XW'(BIAS + M);
    end
  endgenerate
  wire [TW-1:0] term = {p_nan, p_inf, p_zero, p_neg, p_sig, p_exp};

  logic          m_valid, m_first, m_last;
  logic [TW-1:0] m_term;
  pe_pipe #(.STAGES(STAGES), .WIDTH(TW)) pipe (
      .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last), .d_term(term),
      .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));

  // accumulate: align, add, normalize/round (one rounding per product)
  logic [ACC_BITS-1:0] acc, acc_next;
  fp_term_acc #(.E(ACC_E), .M(ACC_M), .SW(SIGW), .XW(XW)) accumulate (.first(m_first), .acc, .term(m_term), .sum(acc_next));

  // accumulator register, result register, handshake
  pe_result #(.STATE_BITS(ACC_BITS), .OUT_BITS(ACC_BITS)) result_reg (
      .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next(acc_next), .result(acc_next),
      .state(acc), .out_valid, .out_ready, .out_acc);
endmodule
