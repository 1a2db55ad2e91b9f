// fp_acc_add: the accumulate stage shared by the floating-point PEs: sum = round(acc + term)
// with one rounding. acc is a code of the IEEE-style format E/M (bias 2^(E-1)-1; subnormals,
// inf and NaN decoded); the term is exact: (-1)^t_neg * t_sig * 2^t_exp, t_sig may have
// leading zeros, t_sig == 0 (or t_zero) is a zero of sign t_neg, t_nan / t_inf override.
// Bit-identical to units::FloatAccumulator::add(term) (units::add, then encode with RNE) for
// fp32 (E=8, M=23), fp16 (E=5, M=10) and bf16 (E=8, M=7): the sign of a zero sum is - only
// for -0 + -0 (x + (-x) = +0), inf - inf and NaN give the positive canonical NaN, finite sums
// beyond the range round to inf (tests/cosim/fp8_mac_cosim_test.cpp, FpBlocks.*).
// Datapath: decode -> align (both operands normalized to NW bits, the smaller shifted right
// into an NW+3-bit guard window, what falls out kept as a sticky lsb) -> add (magnitudes add
// or subtract, the larger minus the smaller) -> normalize/round (fp_round).
module fp_acc_add #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int SW = 32,
    parameter int XW = 16
) (
    input  logic [E+M:0]         acc,
    input  logic                 t_nan,
    input  logic                 t_inf,
    input  logic                 t_zero,
    input  logic                 t_neg,
    input  logic [SW-1:0]        t_sig,
    input  logic signed [XW-1:0] t_exp,
    output logic [E+M:0]         sum
);
  localparam int NW = (SW > M + 1) ? SW : M + 1;  // both significands normalized to NW bits
  localparam int G = NW + 3;                       // guard bits below the larger operand
  localparam int YW = NW + G;                      // alignment window
  localparam int RW = YW + 2;                      // sum: carry bit, window, sticky lsb
  localparam int IW = (XW > 12 ? XW : 12) + 2;    // internal exponent width (<= 32: XW <= 30)
  localparam int LW = $clog2(NW + 1);
  localparam int DW = $clog2(YW + 1);
  localparam int BIAS = (1 << (E - 1)) - 1;

  // decode the accumulator code
  wire         a_neg = acc[E+M];
  wire [E-1:0] a_ef = acc[E+M-1:M];
  wire [M-1:0] a_f = acc[M-1:0];
  wire         a_emax = (a_ef == '1);
  wire         a_nan = a_emax && (a_f != '0);
  wire         a_inf = a_emax && (a_f == '0);
  wire         a_zero = (a_ef == '0) && (a_f == '0);
  wire [M:0]   a_sig = {a_ef != '0, a_f};
  // weight of a_sig's lsb: max(ef, 1) - bias - M
  wire [E-1:0] a_ef1 = (a_ef == '0) ? E'(1) : a_ef;
  wire signed [IW-1:0] a_lsb = {{(IW - E){1'b0}}, a_ef1} - IW'(BIAS + M);

  wire          t_is_zero = t_zero || (t_sig == '0);
  wire [SW-1:0] t_sig_v = t_zero ? '0 : t_sig;

  // align: normalize both significands (msb at NW-1)
  logic [LW-1:0] la, lt;
  integer i;
  always_comb begin
    la = LW'(M + 1);
    for (i = 0; i <= M; i = i + 1)
      if (a_sig[i]) la = LW'(M - i);
    lt = LW'(SW);
    for (i = 0; i < SW; i = i + 1)
      if (t_sig_v[i]) lt = LW'(SW - 1 - i);
  end
  wire [NW-1:0] a_n = NW'(a_sig) << (LW'(NW - M - 1) + la);
  wire [NW-1:0] t_n = NW'(t_sig_v) << (LW'(NW - SW) + lt);
  wire signed [IW-1:0] a_e = a_lsb - IW'({1'b0, la}) - IW'(NW - M - 1);
  wire signed [IW-1:0] t_e = {{(IW - XW){t_exp[XW-1]}}, t_exp} - IW'({1'b0, lt}) - IW'(NW - SW);

  // x: the operand with the larger exponent (a zero is never x unless both are)
  wire                 term_x = a_zero || (!t_is_zero && t_e > a_e);
  wire [NW-1:0]        x_sig = term_x ? t_n : a_n;
  wire [NW-1:0]        y_sig = term_x ? a_n : t_n;
  wire                 x_neg = term_x ? t_neg : a_neg;
  wire                 y_neg = term_x ? a_neg : t_neg;
  wire signed [IW-1:0] x_e = term_x ? t_e : a_e;
  wire signed [IW-1:0] d = x_e - (term_x ? a_e : t_e);
  wire [DW-1:0]        dc = (d > IW'(YW)) ? DW'(YW) : DW'(d);
  wire [YW-1:0]        y_full = {y_sig, {G{1'b0}}};
  wire [YW-1:0]        y_al = y_full >> dc;
  wire                 y_lost = ((y_al << dc) != y_full);  // bits shifted out: a sticky lsb

  // add: magnitudes add, or the smaller is subtracted from the larger
  wire [RW-1:0] xx = {1'b0, x_sig, {G{1'b0}}, 1'b0};
  wire [RW-1:0] yy = {1'b0, y_al, y_lost};
  logic [RW-1:0] s;
  logic          s_neg;
  always_comb begin
    if (x_neg == y_neg) begin
      s = xx + yy;
      s_neg = x_neg;
    end else if (xx >= yy) begin
      s = xx - yy;
      s_neg = x_neg;
    end else begin
      s = yy - xx;
      s_neg = y_neg;
    end
  end

  // normalize/round, with the specials
  wire r_nan = a_nan || t_nan || (a_inf && t_inf && (a_neg != t_neg));
  wire r_inf = a_inf || t_inf;
  wire r_zero = a_zero && t_is_zero;
  wire r_neg = r_nan ? 1'b0
             : r_inf ? (a_inf ? a_neg : t_neg)
             : r_zero ? (a_neg && t_neg)
             : (s_neg && (s != '0));  // exact cancellation: +0
  fp_round #(.E(E), .M(M), .SW(RW), .XW(IW)) round (
      .t_nan(r_nan), .t_inf(r_inf), .t_zero(r_zero), .t_neg(r_neg),
      .t_sig(s), .t_exp(x_e - IW'(G + 1)), .t_sticky(1'b0), .code(sum));
endmodule
