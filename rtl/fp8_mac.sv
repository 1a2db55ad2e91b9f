// FP8 MAC processing element: the cycle-level twin of models/cycle/fp8_mac_cycle.hpp.
// Stages (same names as the C++ models and docs/pe/fp8_mac.md):
//   decode (sign, exponent and fraction fields, the format's convention: A_CONV/W_CONV 0 =
//   ieee (inf, NaNs), 1 = fn (no inf, NaN = S.1...1), 2 = finite (no inf, no NaN))
//   -> multiply (the exact product: sign, significand A_M+W_M+2 bits, exponent)
//   -> round (PER_PRODUCT=1 only: the product rounded to the accumulator format, fp_round)
//   -> STAGES pipeline registers (rtl/common/pe_pipe.sv)
//   -> accumulate (align, add, normalize/round: rtl/common/fp_term_acc.sv over fp_acc_add.sv,
//      one RNE rounding)
//      mode=tree (TREE_INPUTS = L > 0): one element = one adder-tree step of L products, the L
//      codes packed into in_a / in_w (lane i in bits [i*8, (i+1)*8) for 8-bit codes), decode and
//      multiply per lane; accumulate = rtl/common/fp_adder_tree.sv over the L exact products
//      and the accumulator (first ? +0 : acc): alignment in an ALIGN_BITS window, shifted-out
//      bits truncated (ROUND_SHIFTED=0) or rounded (1), exact sum, one RNE rounding
//   -> result register (the accumulator code, ACC_E/ACC_M IEEE-style, until out_ready; the
//      registers and the handshake: rtl/common/pe_result.sv).
// Handshake: valid/ready on the input and output; a held output stalls the whole pipe.
// in_first starts a new dot product (the accumulator restarts from +0), in_last ends it.
// The PE's power-of-two operand scales (its output stage) lie outside this datapath.
module fp8_mac #(
    parameter int A_E = 4,
    parameter int A_M = 3,
    parameter int A_BIAS = 7,
    parameter int A_CONV = 1,
    parameter int W_E = 4,
    parameter int W_M = 3,
    parameter int W_BIAS = 7,
    parameter int W_CONV = 1,
    parameter int ACC_E = 8,
    parameter int ACC_M = 23,
    parameter int PER_PRODUCT = 0,
    parameter int TREE_INPUTS = 0,    // 0: fused / per_product; L = 1..8: mode=tree, L lanes
    parameter int ALIGN_BITS = 27,    // mode=tree: the alignment window
    parameter int ROUND_SHIFTED = 0,  // mode=tree: round (1) or truncate (0) shifted-out bits
    parameter int STAGES = 1,
    parameter int LANES = (TREE_INPUTS > 0) ? TREE_INPUTS : 1,
    parameter int A_BITS = LANES * (1 + A_E + A_M),
    parameter int W_BITS = LANES * (1 + W_E + W_M),
    parameter int ACC_BITS = 1 + ACC_E + ACC_M
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
  localparam int XW = 12;                                    // term exponent width
  localparam int PW = A_M + W_M + 2;                         // exact product significand
  localparam int PTW = 4 + PW + XW;                          // product: nan, inf, zero, neg, sig, exp
  localparam int SIGW = (PER_PRODUCT != 0) ? ACC_M + 1 : PW;  // term significand (fused, per_product)
  localparam int TW = (TREE_INPUTS > 0) ? LANES * PTW : 4 + SIGW + XW;  // pipeline register width
  localparam int ACODE = 1 + A_E + A_M;                      // one operand code per lane
  localparam int WCODE = 1 + W_E + W_M;
  localparam int ACC_BIAS = (1 << (ACC_E - 1)) - 1;

  logic stall;

  // decode, multiply: one exact product per lane
  logic [LANES*PTW-1:0] prods;
  genvar li;
  generate
    for (li = 0; li < LANES; li = li + 1) begin : g_lane
      // decode
      wire [ACODE-1:0] ca = in_a[li*ACODE +: ACODE];
      wire [WCODE-1:0] cw = in_w[li*WCODE +: WCODE];
      wire           a_neg = ca[ACODE-1];
      wire [A_E-1:0] a_ef = ca[A_E+A_M-1:A_M];
      wire [A_M-1:0] a_f = ca[A_M-1:0];
      wire           a_nan = (A_CONV == 0) ? (a_ef == '1 && a_f != '0) : (A_CONV == 1) ? (a_ef == '1 && a_f == '1) : 1'b0;
      wire           a_inf = (A_CONV == 0) && a_ef == '1 && a_f == '0;
      wire [A_M:0]   a_sig = {a_ef != '0, a_f};
      wire           a_zero = (a_sig == '0);
      wire [A_E-1:0] a_ef1 = (a_ef == '0) ? A_E'(1) : a_ef;
      wire signed [XW-1:0] a_exp = XW'(a_ef1) - XW'(A_BIAS + A_M);  // weight of a_sig's lsb

      wire           w_neg = cw[WCODE-1];
      wire [W_E-1:0] w_ef = cw[W_E+W_M-1:W_M];
      wire [W_M-1:0] w_f = cw[W_M-1:0];
      wire           w_nan = (W_CONV == 0) ? (w_ef == '1 && w_f != '0) : (W_CONV == 1) ? (w_ef == '1 && w_f == '1) : 1'b0;
      wire           w_inf = (W_CONV == 0) && w_ef == '1 && w_f == '0;
      wire [W_M:0]   w_sig = {w_ef != '0, w_f};
      wire           w_zero = (w_sig == '0);
      wire [W_E-1:0] w_ef1 = (w_ef == '0) ? W_E'(1) : w_ef;
      wire signed [XW-1:0] w_exp = XW'(w_ef1) - XW'(W_BIAS + W_M);

      // multiply: the exact product (NaN for NaN or inf * 0, inf for inf, a signed zero)
      wire                 p_neg = a_neg ^ w_neg;
      wire                 p_nan = a_nan || w_nan || (a_inf && w_zero) || (w_inf && a_zero);
      wire                 p_inf = a_inf || w_inf;
      wire                 p_zero = a_zero || w_zero;
      wire [PW-1:0]        p_sig = PW'(a_sig) * PW'(w_sig);
      wire signed [XW-1:0] p_exp = a_exp + w_exp;
      assign prods[li*PTW +: PTW] = {p_nan, p_inf, p_zero, p_neg, p_sig, p_exp};
    end
  endgenerate

  // round (per_product): the product rounded to the accumulator format, decoded again
  logic [TW-1:0] term;
  generate
    if (TREE_INPUTS > 0) begin : g_tree_term
      assign term = prods;  // L exact products
    end else if (PER_PRODUCT != 0) begin : g_round
      logic [ACC_BITS-1:0] r_code;
      fp_round #(.E(ACC_E), .M(ACC_M), .SW(PW), .XW(XW)) prod_round (
          .t_nan(prods[PTW-1]), .t_inf(prods[PTW-2]), .t_zero(prods[PTW-3]), .t_neg(prods[PTW-4]),
          .t_sig(prods[XW+PW-1:XW]), .t_exp(prods[XW-1:0]), .t_sticky(1'b0), .code(r_code));
      wire [ACC_E-1:0] r_ef = r_code[ACC_E+ACC_M-1:ACC_M];
      wire [ACC_M-1:0] r_f = r_code[ACC_M-1:0];
      wire [ACC_M:0]   r_sig = {r_ef != '0, r_f};
      wire [ACC_E-1:0] r_ef1 = (r_ef == '0) ? ACC_E'(1) : r_ef;
      wire signed [XW-1:0] r_exp = XW'(r_ef1) - XW'(ACC_BIAS + ACC_M);
      assign term = {r_ef == '1 && r_f != '0, r_ef == '1 && r_f == '0, r_sig == '0, r_code[ACC_BITS-1], r_sig, r_exp};
    end else begin : g_exact
      assign term = prods;
    end
  endgenerate

  logic          m_valid, m_first, m_last;
  logic [TW-1:0] m_term;
  pe_pipe #(.STAGES(STAGES), .WIDTH(TW)) pipe (
      .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last), .d_term(term),
      .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));

  // accumulate: align, add, normalize/round (one rounding per product, or per tree step)
  logic [ACC_BITS-1:0] acc, acc_next;
  generate
    if (TREE_INPUTS > 0) begin : g_tree
      // the accumulator as the tree's last term: +0 on a dot product's first step
      localparam int SW = (PW > ACC_M + 1) ? PW : ACC_M + 1;
      localparam int QTW = 4 + SW + XW;
      wire [ACC_BITS-1:0] acc_base = m_first ? '0 : acc;
      wire [ACC_E-1:0]    c_ef = acc_base[ACC_E+ACC_M-1:ACC_M];
      wire [ACC_M-1:0]    c_f = acc_base[ACC_M-1:0];
      wire [ACC_M:0]      c_sig = {c_ef != '0, c_f};
      wire [ACC_E-1:0]    c_ef1 = (c_ef == '0) ? ACC_E'(1) : c_ef;
      wire signed [XW-1:0] c_exp = XW'(c_ef1) - XW'(ACC_BIAS + ACC_M);
      logic [(LANES+1)*QTW-1:0] tree_terms;
      genvar ti;
      for (ti = 0; ti < LANES; ti = ti + 1) begin : g_tree_in
        wire [PTW-1:0] q = m_term[ti*PTW +: PTW];
        assign tree_terms[ti*QTW +: QTW] = {q[PTW-1:PTW-4], SW'(q[XW+PW-1:XW]), q[XW-1:0]};
      end
      assign tree_terms[LANES*QTW +: QTW] = {c_ef == '1 && c_f != '0, c_ef == '1 && c_f == '0, c_sig == '0,
                                            acc_base[ACC_BITS-1], SW'(c_sig), c_exp};
      fp_adder_tree #(.N(LANES + 1), .SW(SW), .XW(XW), .ALIGN_BITS(ALIGN_BITS), .ROUND_SHIFTED(ROUND_SHIFTED),
                      .E(ACC_E), .M(ACC_M)) accumulate (.terms(tree_terms), .code(acc_next));
    end else begin : g_acc
      fp_term_acc #(.E(ACC_E), .M(ACC_M), .SW(SIGW), .XW(XW)) accumulate (.first(m_first), .acc, .term(m_term), .sum(acc_next));
    end
  endgenerate

  // accumulator register, result register, handshake
  pe_result #(.STATE_BITS(ACC_BITS), .OUT_BITS(ACC_BITS)) result_reg (
      .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next(acc_next), .result(acc_next),
      .state(acc), .out_valid, .out_ready, .out_acc);
endmodule
