// fp_term_acc: the accumulate stage of the floating-point PEs whose front stage hands the
// pipeline one exact term per element (fp8_mac, lmul_pe): sum = round(base + term) with one
// RNE rounding (rtl/common/fp_acc_add.sv), base = +0 when the element starts a dot product
// (first), else the accumulator register acc (a code of the IEEE-style format E/M). The term
// comes packed as the pipeline registers carry it: {nan, inf, zero, neg, sig (SW bits),
// exp (XW bits, signed)}, value (-1)^neg * sig * 2^exp.
module fp_term_acc #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int SW = 32,
    parameter int XW = 12
) (
    input  logic                 first,
    input  logic [E+M:0]         acc,
    input  logic [4+SW+XW-1:0]   term,
    output logic [E+M:0]         sum
);
  localparam int TW = 4 + SW + XW;

  wire [E+M:0] acc_base = first ? '0 : acc;
  fp_acc_add #(.E(E), .M(M), .SW(SW), .XW(XW)) add (
      .acc(acc_base), .t_nan(term[TW-1]), .t_inf(term[TW-2]), .t_zero(term[TW-3]), .t_neg(term[TW-4]),
      .t_sig(term[XW+SW-1:XW]), .t_exp(term[XW-1:0]), .sum);
endmodule
