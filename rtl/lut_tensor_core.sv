// LUT Tensor Core unit: the cycle-level twin of models/cycle/lut_tensor_core_cycle.hpp.
// K elements per cycle: in_a K INT8 activations (lane i in bits [i*A_BITS +: A_BITS]), in_w
// their K unsigned W_BITS weight codes (lane i in bits [i*W_BITS +: W_BITS]), in_scale /
// in_zero the FP16 scale code and zero point of the weight group (constant within a group;
// GROUP is a multiple of K, a group takes GROUP/K cycles).
// Stages (same names as the C++ models and docs/pe/lut_tensor_core.md):
//   precompute  the table of the K activations: T[idx] = sum_i (bit i of idx ? +a_i : -a_i),
//               2^K entries, or 2^(K-1) with SYMMETRIZE
//   lookup      one index per weight bit plane (bit b of the K weights); symmetrized: the
//               index's top bit selects the negated entry of the complement index
//   shift       plane shift-accumulate: sum_b 2^b P_b of this cycle, and the activation sum
//   pipeline    STAGES registers (rtl/common/pe_pipe.sv)
//   accumulate  planes, asum (integer registers) and the group counter (restarted by
//               in_first); at the group's last cycle d = (planes + (2^B-1)*asum)/2 - z*asum
//               -> dequantize (rtl/common/group_acc.sv over group_dequant.sv:
//               acc = round(acc + round(d * s_g)))
//   result      out_acc = the fp32 accumulator code (the registers and the handshake:
//               rtl/common/pe_result.sv)
// Handshake: valid/ready on the input and output; a held output stalls the whole pipe.
// FP16 activations (a=fp16) have a cycle model only, no RTL.
module lut_tensor_core #(
    parameter int A_BITS = 8,
    parameter int W_BITS = 2,
    parameter int K = 4,
    parameter int GROUP = 128,
    parameter int SYMMETRIZE = 1,
    parameter int STAGES = 1
) (
    input  logic                clk,
    input  logic                rst_n,
    input  logic                in_valid,
    output logic                in_ready,
    input  logic                in_first,
    input  logic                in_last,
    input  logic [K*A_BITS-1:0] in_a,
    input  logic [K*W_BITS-1:0] in_w,
    input  logic [15:0]         in_scale,
    input  logic [W_BITS-1:0]   in_zero,
    output logic                out_valid,
    input  logic                out_ready,
    output logic [31:0]         out_acc
);
  localparam int KB = $clog2(K) + 1;
  localparam int TE_BITS = A_BITS + KB;                 // a table entry: +-a_0 +- ... +- a_{K-1}
  localparam int NT = (SYMMETRIZE != 0) ? (1 << (K - 1)) : (1 << K);  // stored entries
  localparam int IW = (K > 1) ? K - 1 : 1;              // index width of a symmetrized table
  localparam int PL_BITS = TE_BITS + W_BITS + 1;        // sum_b 2^b P_b of one cycle
  localparam int AK_BITS = A_BITS + KB;                 // sum of the K activations
  localparam int CYCLES = GROUP / K;                    // cycles per weight group
  localparam int GB = $clog2(CYCLES) + 1;
  localparam int PS_BITS = PL_BITS + GB;                // planes over a group
  localparam int AS_BITS = AK_BITS + GB;                // asum over a group
  localparam int D_BITS = A_BITS + W_BITS + $clog2(GROUP) + 3;
  localparam int CW = $clog2(CYCLES + 1);
  localparam int ST_BITS = PS_BITS + AS_BITS + CW + 32;  // accumulate: {planes, asum, count, acc}
  localparam int T_BITS = PL_BITS + AK_BITS + 16 + W_BITS;

  logic stall;

  // precompute: the table of the K activations (packed: entry idx in [idx*TE_BITS +: TE_BITS])
  logic [NT*TE_BITS-1:0]     table_q;
  logic signed [TE_BITS-1:0] entry;
  logic signed [AK_BITS-1:0] asum_k;
  integer idx, i;
  always_comb begin
    table_q = '0;
    asum_k = '0;
    for (i = 0; i < K; i = i + 1) asum_k = asum_k + AK_BITS'($signed(in_a[i*A_BITS +: A_BITS]));
    for (idx = 0; idx < NT; idx = idx + 1) begin
      entry = '0;
      for (i = 0; i < K; i = i + 1)
        if (((idx >> i) & 1) != 0) entry = entry + TE_BITS'($signed(in_a[i*A_BITS +: A_BITS]));
        else entry = entry - TE_BITS'($signed(in_a[i*A_BITS +: A_BITS]));
      table_q[idx*TE_BITS +: TE_BITS] = entry;
    end
  end

  // lookup and plane shift-accumulate
  logic [K-1:0]              plane_idx;
  logic signed [TE_BITS-1:0] looked;
  logic signed [PL_BITS-1:0] planes_k;
  integer b;
  always_comb begin
    planes_k = '0;
    plane_idx = '0;
    looked = '0;
    for (b = 0; b < W_BITS; b = b + 1) begin
      for (i = 0; i < K; i = i + 1) plane_idx[i] = in_w[i*W_BITS + b];
      if (SYMMETRIZE != 0 && plane_idx[K-1])
        looked = -table_q[32'(IW'(~plane_idx)) * TE_BITS +: TE_BITS];
      else
        looked = table_q[32'(plane_idx) * TE_BITS +: TE_BITS];
      planes_k = planes_k + (PL_BITS'(looked) <<< b);
    end
  end

  // pipeline
  logic              m_valid, m_first, m_last;
  logic [T_BITS-1:0] m_term;
  pe_pipe #(.STAGES(STAGES), .WIDTH(T_BITS)) pipe (
      .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last),
      .d_term({planes_k, asum_k, in_scale, in_zero}),
      .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));
  wire signed [PL_BITS-1:0] m_planes = m_term[T_BITS-1 -: PL_BITS];
  wire signed [AK_BITS-1:0] m_asum   = m_term[16+W_BITS+AK_BITS-1 -: AK_BITS];
  wire [15:0]               m_scale  = m_term[16+W_BITS-1 -: 16];
  wire [W_BITS-1:0]         m_zero   = m_term[W_BITS-1:0];

  // accumulate: planes, asum, the group counter, the fp32 accumulator
  logic [ST_BITS-1:0]        state, state_next;
  logic signed [PS_BITS-1:0] planes_sum;
  logic signed [AS_BITS-1:0] asum_sum;
  logic [31:0]               acc_next;
  // 2 * sum_i a_i q_i = planes + (2^B - 1) * asum (even), qsum = that / 2
  wire signed [D_BITS:0]     qsum2 = (D_BITS+1)'(planes_sum)
                                   + (D_BITS+1)'($signed({1'b0, {W_BITS{1'b1}}})) * (D_BITS+1)'(asum_sum);
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [D_BITS:0]     qsum = qsum2 >>> 1;  // exact: qsum2 is even
  /* verilator lint_on UNUSEDSIGNAL */
  group_acc #(.P_BITS(PL_BITS), .PS_BITS(PS_BITS), .A_BITS(AK_BITS), .AS_BITS(AS_BITS), .Z_BITS(W_BITS),
              .D_BITS(D_BITS), .CYCLES(CYCLES)) accumulate (
      .first(m_first), .t_prod(m_planes), .t_a(m_asum), .scale(m_scale), .zero(m_zero), .state,
      .psum_sum(planes_sum), .asum_sum, .qsum(qsum[D_BITS-1:0]), .state_next, .acc_next);

  // accumulate registers, result register, handshake
  pe_result #(.STATE_BITS(ST_BITS), .OUT_BITS(32)) result_reg (
      .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next, .result(acc_next),
      .state, .out_valid, .out_ready, .out_acc);
endmodule
