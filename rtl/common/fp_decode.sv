// fp_decode: an IEEE-style code of E exponent and M mantissa bits (bias 2^(E-1)-1,
// subnormals, inf, NaN) as the exact term the floating-point blocks take (fp_acc_add,
// fp_round): (-1)^neg * sig * 2^exp with sig = {hidden bit, mantissa} and
// exp = max(biased exponent, 1) - bias - M; nan / inf / zero flag the specials.
module fp_decode #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int XW = 16
) (
    input  logic [E+M:0]         code,
    output logic                 nan,
    output logic                 inf,
    output logic                 zero,
    output logic                 neg,
    output logic [M:0]           sig,
    output logic signed [XW-1:0] exp
);
  localparam int BIAS = (1 << (E - 1)) - 1;
  wire [E-1:0] ef = code[E+M-1:M];
  wire [M-1:0] f = code[M-1:0];
  assign nan = (ef == '1) && (f != '0);
  assign inf = (ef == '1) && (f == '0);
  assign zero = (ef == '0) && (f == '0);
  assign neg = code[E+M];
  assign sig = {ef != '0, f};
  assign exp = XW'($signed({1'b0, (ef == '0) ? E'(1) : ef})) - XW'(BIAS + M);
endmodule
