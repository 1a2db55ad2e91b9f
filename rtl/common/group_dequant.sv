// group_dequant: the dequantize stage of the low-bit-weight PEs (MixPE, LUT Tensor Core),
// once per weight group: sum = round_acc(acc + round_acc(d * s_g)), the twin of
// pe::dequantize_group (models/pe/pe_common.cpp). d is the group's exact signed integer sum
// sum_i a_i (q_i - z); s_g the group scale as an FP16 code (subnormals, inf, NaN).
// Datapath: decode the scale -> multiply (|d| * scale significand, exact) -> round (fp_round
// to the accumulator format E/M) -> decode the rounded term -> accumulate (fp_acc_add).
module group_dequant #(
    parameter int DW = 32,  // width of the signed group sum d (DW + 11 <= 64)
    parameter int E = 8,    // accumulator format: E exponent bits, M mantissa bits
    parameter int M = 23
) (
    input  logic [E+M:0]         acc,
    input  logic signed [DW-1:0] d,
    input  logic [15:0]          scale,
    output logic [E+M:0]         sum
);
  localparam int PW = DW + 11;  // |d| * scale significand
  localparam int BIAS = (1 << (E - 1)) - 1;

  // decode the FP16 scale
  wire [4:0]  s_e = scale[14:10];
  wire [9:0]  s_m = scale[9:0];
  wire        s_nan = (s_e == 5'h1f) && (s_m != '0);
  wire        s_inf = (s_e == 5'h1f) && (s_m == '0);
  wire [10:0] s_sig = {s_e != '0, s_m};
  wire signed [15:0] s_exp = 16'($signed({1'b0, (s_e == '0) ? 5'd1 : s_e})) - 16'sd25;  // - bias - 10

  // multiply: exact product of the magnitudes; zero when d or the scale is zero
  wire          d_neg = d[DW-1];
  wire [DW-1:0] d_mag = d_neg ? DW'(-d) : DW'(d);
  wire [PW-1:0] p_sig = PW'(d_mag) * PW'(s_sig);
  wire          p_neg = d_neg ^ scale[15];
  wire          d_zero = (d == '0);
  wire          p_nan = s_nan || (s_inf && d_zero);  // NaN * x, inf * 0
  wire          p_inf = s_inf && !d_zero;

  // round to the accumulator format
  logic [E+M:0] r_code;
  fp_round #(.E(E), .M(M), .SW(64), .XW(16)) round (
      .t_nan(p_nan), .t_inf(p_inf), .t_zero(1'b0), .t_neg(p_neg), .t_sig(64'(p_sig)), .t_exp(s_exp),
      .t_sticky(1'b0), .code(r_code));

  // decode the rounded term and accumulate: one more rounding
  wire [E-1:0] r_e = r_code[E+M-1:M];
  wire [M-1:0] r_m = r_code[M-1:0];
  wire         r_special = (r_e == '1);
  wire signed [15:0] r_exp = 16'($signed({1'b0, (r_e == '0) ? E'(1) : r_e})) - 16'(BIAS + M);
  fp_acc_add #(.E(E), .M(M), .SW(32), .XW(16)) accumulate (
      .acc(acc), .t_nan(r_special && (r_m != '0)), .t_inf(r_special && (r_m == '0)),
      .t_zero((r_e == '0) && (r_m == '0)), .t_neg(r_code[E+M]), .t_sig(32'({r_e != '0, r_m})), .t_exp(r_exp),
      .sum(sum));
endmodule
