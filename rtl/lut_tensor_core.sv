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
//               acc = round(acc + round(d * s_g)), in the accumulator format ACC_E/ACC_M)
//   result      out_acc = the accumulator code (the registers and the handshake:
//               rtl/common/pe_result.sv)
// Handshake: valid/ready on the input and output; a held output stalls the whole pipe.
// FP16 activations (A_FP16 = 1, A_BITS = 16): precompute adds the K decoded activations
// (+-a_i, one rounding per add, rtl/common/fp_acc_add.sv) into entries of the table format
// (TABLE_E/TABLE_M, fp16 by default); lookup passes W_BITS entry codes (the negation of a
// symmetrized lookup flips the sign bit) down the pipeline with the activation codes;
// accumulate holds the per-plane sums P_b and asum as accumulator codes (FloatAccumulators: asum +=
// a_0, ..., a_{K-1}; P_b += lookup_b); at the group's last cycle total = sum_b 2^b P_b +
// asum * ((2^B-1) - 2z) (one rounding per add, the product exact) and v = total/2 is
// dequantized (rtl/common/fp_group_acc.sv).
module lut_tensor_core #(
    parameter int A_BITS = 8,
    parameter int A_FP16 = 0,
    parameter int TABLE_E = 5,  // FP16 activations: the table format (IEEE-style, fp16 default)
    parameter int TABLE_M = 10,
    parameter int W_BITS = 2,
    parameter int K = 4,
    parameter int GROUP = 128,
    parameter int SYMMETRIZE = 1,
    parameter int ACC_E = 8,   // accumulator (and group sum) format: IEEE-style, fp32 default
    parameter int ACC_M = 23,
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
    output logic [ACC_E+ACC_M:0] out_acc
);
  localparam int AW = 1 + ACC_E + ACC_M;  // accumulator code
  localparam int AS = ACC_M + 1;          // its significand
  localparam int CYCLES = GROUP / K;                    // cycles per weight group
  localparam int CW = $clog2(CYCLES + 1);
  localparam int NT = (SYMMETRIZE != 0) ? (1 << (K - 1)) : (1 << K);  // stored entries
  localparam int IW = (K > 1) ? K - 1 : 1;              // index width of a symmetrized table

  logic stall;
  logic m_valid, m_last;

  if (A_FP16 == 0) begin : g_int8
    localparam int KB = $clog2(K) + 1;
    localparam int TE_BITS = A_BITS + KB;                 // a table entry: +-a_0 +- ... +- a_{K-1}
    localparam int PL_BITS = TE_BITS + W_BITS + 1;        // sum_b 2^b P_b of one cycle
    localparam int AK_BITS = A_BITS + KB;                 // sum of the K activations
    localparam int GB = $clog2(CYCLES) + 1;
    localparam int PS_BITS = PL_BITS + GB;                // planes over a group
    localparam int AS_BITS = AK_BITS + GB;                // asum over a group
    localparam int D_BITS = A_BITS + W_BITS + $clog2(GROUP) + 3;
    localparam int ST_BITS = PS_BITS + AS_BITS + CW + AW;  // accumulate: {planes, asum, count, acc}
    localparam int T_BITS = PL_BITS + AK_BITS + 16 + W_BITS;

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
    logic              m_first;
    logic [T_BITS-1:0] m_term;
    pe_pipe #(.STAGES(STAGES), .WIDTH(T_BITS)) pipe (
        .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last),
        .d_term({planes_k, asum_k, in_scale, in_zero}),
        .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));
    wire signed [PL_BITS-1:0] m_planes = m_term[T_BITS-1 -: PL_BITS];
    wire signed [AK_BITS-1:0] m_asum   = m_term[16+W_BITS+AK_BITS-1 -: AK_BITS];
    wire [15:0]               m_scale  = m_term[16+W_BITS-1 -: 16];
    wire [W_BITS-1:0]         m_zero   = m_term[W_BITS-1:0];

    // accumulate: planes, asum, the group counter, the accumulator
    logic [ST_BITS-1:0]        state, state_next;
    logic signed [PS_BITS-1:0] planes_sum;
    logic signed [AS_BITS-1:0] asum_sum;
    logic [AW-1:0]             acc_next;
    // 2 * sum_i a_i q_i = planes + (2^B - 1) * asum (even), qsum = that / 2
    wire signed [D_BITS:0]     qsum2 = (D_BITS+1)'(planes_sum)
                                     + (D_BITS+1)'($signed({1'b0, {W_BITS{1'b1}}})) * (D_BITS+1)'(asum_sum);
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [D_BITS:0]     qsum = qsum2 >>> 1;  // exact: qsum2 is even
    /* verilator lint_on UNUSEDSIGNAL */
    group_acc #(.P_BITS(PL_BITS), .PS_BITS(PS_BITS), .A_BITS(AK_BITS), .AS_BITS(AS_BITS), .Z_BITS(W_BITS),
                .D_BITS(D_BITS), .CYCLES(CYCLES), .ACC_E(ACC_E), .ACC_M(ACC_M)) accumulate (
        .first(m_first), .t_prod(m_planes), .t_a(m_asum), .scale(m_scale), .zero(m_zero), .state,
        .psum_sum(planes_sum), .asum_sum, .qsum(qsum[D_BITS-1:0]), .state_next, .acc_next);

    // accumulate registers, result register, handshake
    pe_result #(.STATE_BITS(ST_BITS), .OUT_BITS(AW)) result_reg (
        .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next, .result(acc_next),
        .state, .out_valid, .out_ready, .out_acc);
  end else begin : g_fp16
    localparam int TE = TABLE_E;  // table format: TE exponent bits,
    localparam int TM = TABLE_M;  // TM mantissa bits
    localparam int TB = TE + TM + 1;
    localparam int T_BITS = K * 16 + W_BITS * TB + 16 + W_BITS;
    localparam int ST_BITS = W_BITS * AW + AW + CW + AW;  // accumulate: {P_b..., asum, count, acc}

    // precompute: decode the K activations, T[idx] = (+-a_0) + ... + (+-a_{K-1}) in the table format
    logic [K-1:0]        x_nan, x_inf, x_zero, x_neg;
    logic [K*11-1:0]     x_sig;
    logic [K*16-1:0]     x_exp;
    for (genvar i = 0; i < K; i = i + 1) begin : g_decode
      fp_decode #(.E(5), .M(10), .XW(16)) decode_a (
          .code(in_a[i*16 +: 16]), .nan(x_nan[i]), .inf(x_inf[i]), .zero(x_zero[i]), .neg(x_neg[i]),
          .sig(x_sig[i*11 +: 11]), .exp(x_exp[i*16 +: 16]));
    end
    logic [NT*TB-1:0] table_q;
    for (genvar idx = 0; idx < NT; idx = idx + 1) begin : g_entry
      logic [(K+1)*TB-1:0] ch /* verilator split_var */;  // the entry after the adds of a_0..a_{i-1}
      assign ch[TB-1:0] = '0;
      for (genvar i = 0; i < K; i = i + 1) begin : g_add
        fp_acc_add #(.E(TE), .M(TM), .SW(11), .XW(16)) add (
            .acc(ch[i*TB +: TB]), .t_nan(x_nan[i]), .t_inf(x_inf[i]), .t_zero(x_zero[i]),
            .t_neg(x_neg[i] ^ (((idx >> i) & 1) == 0)), .t_sig(x_sig[i*11 +: 11]), .t_exp(x_exp[i*16 +: 16]),
            .sum(ch[(i+1)*TB +: TB]));
      end
      assign table_q[idx*TB +: TB] = ch[K*TB +: TB];
    end

    // lookup: one entry per weight bit plane
    logic [W_BITS*TB-1:0] looked;
    for (genvar b = 0; b < W_BITS; b = b + 1) begin : g_lookup
      logic [K-1:0] plane_idx;
      for (genvar i = 0; i < K; i = i + 1) begin : g_idx
        assign plane_idx[i] = in_w[i*W_BITS + b];
      end
      if (SYMMETRIZE != 0) begin : g_sym
        assign looked[b*TB +: TB] = plane_idx[K-1]
            ? (table_q[32'(IW'(~plane_idx)) * TB +: TB] ^ {1'b1, {(TB - 1){1'b0}}})  // negated: sign flip
            : table_q[32'(IW'(plane_idx)) * TB +: TB];
      end else begin : g_full
        assign looked[b*TB +: TB] = table_q[32'(plane_idx) * TB +: TB];
      end
    end

    // pipeline
    logic              m_first;
    logic [T_BITS-1:0] m_term;
    pe_pipe #(.STAGES(STAGES), .WIDTH(T_BITS)) pipe (
        .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last),
        .d_term({in_a, looked, in_scale, in_zero}),
        .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));
    wire [K*16-1:0]      m_a      = m_term[T_BITS-1 -: K*16];
    wire [W_BITS*TB-1:0] m_looked = m_term[16+W_BITS+W_BITS*TB-1 -: W_BITS*TB];
    wire [15:0]          m_scale  = m_term[16+W_BITS-1 -: 16];
    wire [W_BITS-1:0]    m_zero   = m_term[W_BITS-1:0];

    // accumulate: asum += a_0, ..., a_{K-1}; P_b += lookup_b (one rounding per add)
    logic [ST_BITS-1:0] state, state_next;
    wire [CW-1:0] count = state[AW +: CW];
    wire [AW-1:0] acc = state[AW-1:0];
    logic [(K+1)*AW-1:0] as_ch /* verilator split_var */;
    assign as_ch[AW-1:0] = m_first ? AW'(0) : state[CW+AW +: AW];
    for (genvar i = 0; i < K; i = i + 1) begin : g_asum
      logic        a_nan, a_inf, a_zero, a_neg;
      logic [10:0] a_sig;
      logic signed [15:0] a_exp;
      fp_decode #(.E(5), .M(10), .XW(16)) decode_a (
          .code(m_a[i*16 +: 16]), .nan(a_nan), .inf(a_inf), .zero(a_zero), .neg(a_neg), .sig(a_sig), .exp(a_exp));
      fp_acc_add #(.E(ACC_E), .M(ACC_M), .SW(11), .XW(16)) add_asum (
          .acc(as_ch[i*AW +: AW]), .t_nan(a_nan), .t_inf(a_inf), .t_zero(a_zero), .t_neg(a_neg), .t_sig(a_sig),
          .t_exp(a_exp), .sum(as_ch[(i+1)*AW +: AW]));
    end
    logic [W_BITS*AW-1:0]   plane_sum;
    logic [(W_BITS+1)*AW-1:0] total /* verilator split_var */;  // sum_b 2^b P_b over planes 0..b-1
    assign total[AW-1:0] = '0;
    for (genvar b = 0; b < W_BITS; b = b + 1) begin : g_plane
      logic        l_nan, l_inf, l_zero, l_neg;
      logic [TM:0] l_sig;
      logic signed [15:0] l_exp;
      fp_decode #(.E(TE), .M(TM), .XW(16)) decode_l (
          .code(m_looked[b*TB +: TB]), .nan(l_nan), .inf(l_inf), .zero(l_zero), .neg(l_neg), .sig(l_sig),
          .exp(l_exp));
      fp_acc_add #(.E(ACC_E), .M(ACC_M), .SW(TM + 1), .XW(16)) add_plane (
          .acc(m_first ? AW'(0) : state[CW+2*AW+b*AW +: AW]), .t_nan(l_nan), .t_inf(l_inf), .t_zero(l_zero),
          .t_neg(l_neg), .t_sig(l_sig), .t_exp(l_exp), .sum(plane_sum[b*AW +: AW]));
      // the group's end: total += 2^b P_b (shift)
      logic        p_nan, p_inf, p_zero, p_neg;
      logic [AS-1:0] p_sig;
      logic signed [15:0] p_exp;
      fp_decode #(.E(ACC_E), .M(ACC_M), .XW(16)) decode_p (
          .code(plane_sum[b*AW +: AW]), .nan(p_nan), .inf(p_inf), .zero(p_zero), .neg(p_neg), .sig(p_sig), .exp(p_exp));
      fp_acc_add #(.E(ACC_E), .M(ACC_M), .SW(AS), .XW(16)) add_total (
          .acc(total[b*AW +: AW]), .t_nan(p_nan), .t_inf(p_inf), .t_zero(p_zero), .t_neg(p_neg), .t_sig(p_sig),
          .t_exp(p_exp + 16'(b)), .sum(total[(b+1)*AW +: AW]));
    end
    // total += asum * ((2^B - 1) - 2z), the product exact; v = total / 2
    logic        s_nan, s_inf, s_zero, s_neg;
    logic [AS-1:0] s_sig;
    logic signed [15:0] s_exp;
    fp_decode #(.E(ACC_E), .M(ACC_M), .XW(16)) decode_asum (
        .code(as_ch[K*AW +: AW]), .nan(s_nan), .inf(s_inf), .zero(s_zero), .neg(s_neg), .sig(s_sig), .exp(s_exp));
    wire signed [W_BITS+1:0] cz = (W_BITS+2)'({W_BITS{1'b1}}) - (W_BITS+2)'({m_zero, 1'b0});
    wire                     cz_neg = cz[W_BITS+1];
    wire [W_BITS+1:0]        cz_mag = cz_neg ? -cz : cz;
    logic [AW-1:0] v;
    fp_acc_add #(.E(ACC_E), .M(ACC_M), .SW(AS + 2 + W_BITS), .XW(16)) add_za (
        .acc(total[W_BITS*AW +: AW]), .t_nan(s_nan), .t_inf(s_inf), .t_zero(s_zero), .t_neg(s_neg ^ cz_neg),
        .t_sig((AS + 2 + W_BITS)'(s_sig) * (AS + 2 + W_BITS)'(cz_mag)), .t_exp(s_exp), .sum(v));
    logic          group_end;
    logic [CW-1:0] count_next;
    logic [AW-1:0] acc_next;
    fp_group_acc #(.CYCLES(CYCLES), .VSHIFT(-1), .E(ACC_E), .M(ACC_M)) dequantize (
        .first(m_first), .count, .acc, .v, .scale(m_scale), .group_end, .count_next, .acc_next);
    assign state_next = {group_end ? '0 : plane_sum, group_end ? AW'(0) : as_ch[K*AW +: AW], count_next, acc_next};

    // accumulate registers, result register, handshake
    pe_result #(.STATE_BITS(ST_BITS), .OUT_BITS(AW)) result_reg (
        .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next, .result(acc_next),
        .state, .out_valid, .out_ready, .out_acc);
  end
endmodule
