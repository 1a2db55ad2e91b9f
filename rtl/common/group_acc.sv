// group_acc: the accumulate stage of the PEs with group-wise dequantized low-bit weights
// (MixPE, LUT Tensor Core), combinational; its registers are the PE's pe_result state
// {psum, asum, count, acc}. Per element (first restarts everything):
//   psum   the running sum of the PE's product term t_prod (MixPE: a*q, LUT Tensor Core: the
//          plane sum sum_b 2^b P_b of the cycle)
//   asum   the running sum of its activation term t_a
//   count  the group counter: the group ends at its CYCLES-th element
//   acc    the accumulator, format ACC_E/ACC_M
// At the group's end d = qsum - z*asum, where qsum = sum_i a_i q_i is what the PE derives
// from the running sums psum_sum / asum_sum (this element included), is dequantized into the
// accumulator (rtl/common/group_dequant.sv: acc = round(acc + round(d * s_g))) and psum,
// asum and count restart; otherwise acc keeps its value (+0 after first).
module group_acc #(
    parameter int P_BITS = 12,   // the product term (signed)
    parameter int PS_BITS = 20,  // psum
    parameter int A_BITS = 8,    // the activation term (signed)
    parameter int AS_BITS = 16,  // asum
    parameter int Z_BITS = 4,    // the zero point (unsigned)
    parameter int D_BITS = 22,   // d
    parameter int CYCLES = 128,  // elements per weight group
    parameter int ACC_E = 8,     // accumulator format: exponent, mantissa bits
    parameter int ACC_M = 23
) (
    input  logic                      first,
    input  logic signed [P_BITS-1:0]  t_prod,
    input  logic signed [A_BITS-1:0]  t_a,
    input  logic [15:0]               scale,
    input  logic [Z_BITS-1:0]         zero,
    input  logic [PS_BITS+AS_BITS+$clog2(CYCLES+1)+ACC_E+ACC_M:0] state,
    output logic signed [PS_BITS-1:0] psum_sum,
    output logic signed [AS_BITS-1:0] asum_sum,
    input  logic signed [D_BITS-1:0]  qsum,
    output logic [PS_BITS+AS_BITS+$clog2(CYCLES+1)+ACC_E+ACC_M:0] state_next,
    output logic [ACC_E+ACC_M:0]      acc_next
);
  localparam int CW = $clog2(CYCLES + 1);
  localparam int AW = 1 + ACC_E + ACC_M;

  wire signed [PS_BITS-1:0] psum = state[CW+AW+AS_BITS +: PS_BITS];
  wire signed [AS_BITS-1:0] asum = state[CW+AW +: AS_BITS];
  wire [CW-1:0]             count = state[AW +: CW];
  wire [AW-1:0]             acc = state[AW-1:0];

  assign psum_sum = (first ? '0 : psum) + PS_BITS'(t_prod);
  assign asum_sum = (first ? '0 : asum) + AS_BITS'(t_a);
  wire [CW-1:0]             count_sum = (first ? '0 : count) + CW'(1);
  wire                      group_end = (count_sum == CW'(CYCLES));
  wire signed [D_BITS-1:0]  d = qsum - D_BITS'($signed({1'b0, zero})) * D_BITS'(asum_sum);
  wire [AW-1:0]             acc_base = first ? '0 : acc;
  logic [AW-1:0]            acc_deq;
  group_dequant #(.DW(D_BITS), .E(ACC_E), .M(ACC_M)) dequantize (.acc(acc_base), .d, .scale, .sum(acc_deq));
  assign acc_next = group_end ? acc_deq : acc_base;
  wire signed [PS_BITS-1:0] psum_next = group_end ? '0 : psum_sum;
  wire signed [AS_BITS-1:0] asum_next = group_end ? '0 : asum_sum;
  wire [CW-1:0]             count_next = group_end ? '0 : count_sum;
  assign state_next = {psum_next, asum_next, count_next, acc_next};
endmodule
