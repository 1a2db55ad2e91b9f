// fp_group_acc: the group end of the PEs with group-wise dequantized low-bit weights and FP16
// activations (MixPE, LUT Tensor Core with a=fp16), combinational; the twin of the cycle
// models' FP16 path. The group sums themselves (FloatAccumulators in the accumulator format)
// stay in the PE.
//   count   the group counter (restarted by first): the group ends at its CYCLES-th element
//   acc     the accumulator, format E/M (+0 after first)
// At the group's end the group sum v (a code of the accumulator format, times 2^VSHIFT
// exactly) is dequantized into the accumulator, the twin of pe::dequantize_group: multiply
// (v * s_g exact, the FP16 scale decoded) -> round (fp_round to E/M) -> accumulate
// (fp_acc_add: acc = round(acc + term)); otherwise acc keeps its value.
module fp_group_acc #(
    parameter int CYCLES = 128,
    parameter int VSHIFT = 0,
    parameter int E = 8,  // accumulator format: E exponent bits, M mantissa bits
    parameter int M = 23
) (
    input  logic                          first,
    input  logic [$clog2(CYCLES+1)-1:0]   count,
    input  logic [E+M:0]                  acc,
    input  logic [E+M:0]                  v,
    input  logic [15:0]                   scale,
    output logic                          group_end,
    output logic [$clog2(CYCLES+1)-1:0]   count_next,
    output logic [E+M:0]                  acc_next
);
  localparam int CW = $clog2(CYCLES + 1);
  localparam int AW = 1 + E + M;

  wire [CW-1:0] count_sum = (first ? '0 : count) + CW'(1);
  assign group_end = (count_sum == CW'(CYCLES));
  assign count_next = group_end ? '0 : count_sum;
  wire [AW-1:0] acc_base = first ? '0 : acc;

  // decode the group sum and the scale
  logic        v_nan, v_inf, v_zero, v_neg, s_nan, s_inf, s_zero, s_neg;
  logic [M:0]  v_sig;
  logic [10:0] s_sig;
  logic signed [15:0] v_exp, s_exp;
  fp_decode #(.E(E), .M(M), .XW(16)) decode_v (
      .code(v), .nan(v_nan), .inf(v_inf), .zero(v_zero), .neg(v_neg), .sig(v_sig), .exp(v_exp));
  fp_decode #(.E(5), .M(10), .XW(16)) decode_s (
      .code(scale), .nan(s_nan), .inf(s_inf), .zero(s_zero), .neg(s_neg), .sig(s_sig), .exp(s_exp));

  // multiply: exact; NaN * x, inf * 0 -> NaN
  wire [M+11:0] p_sig = (M+12)'(v_sig) * (M+12)'(s_sig);
  wire        p_nan = v_nan || s_nan || (v_inf && s_zero) || (s_inf && v_zero);
  wire        p_inf = v_inf || s_inf;
  logic [AW-1:0] r_code;
  fp_round #(.E(E), .M(M), .SW(M + 12), .XW(16)) round (
      .t_nan(p_nan), .t_inf(p_inf), .t_zero(v_zero || s_zero), .t_neg(v_neg ^ s_neg), .t_sig(p_sig),
      .t_exp(v_exp + s_exp + 16'(VSHIFT)), .t_sticky(1'b0), .code(r_code));

  // accumulate: one more rounding
  logic        r_nan, r_inf, r_zero, r_neg;
  logic [M:0]  r_sig;
  logic signed [15:0] r_exp;
  fp_decode #(.E(E), .M(M), .XW(16)) decode_r (
      .code(r_code), .nan(r_nan), .inf(r_inf), .zero(r_zero), .neg(r_neg), .sig(r_sig), .exp(r_exp));
  logic [AW-1:0] acc_deq;
  fp_acc_add #(.E(E), .M(M), .SW(M + 1), .XW(16)) accumulate (
      .acc(acc_base), .t_nan(r_nan), .t_inf(r_inf), .t_zero(r_zero), .t_neg(r_neg), .t_sig(r_sig), .t_exp(r_exp),
      .sum(acc_deq));
  assign acc_next = group_end ? acc_deq : acc_base;
endmodule
