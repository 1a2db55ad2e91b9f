// XR-NPE RMMEC processing element: the cycle-level twin of models/cycle/rmmec_cycle.hpp
// (docs/pe/rmmec.md). One accepted element is one SIMD cycle of LANES products: lane i of
// in_a / in_w in bits [i*BITS, (i+1)*BITS).
// MODE: 0 fp4 (E2M1), 1 posit4_1, 2 posit8_0, 3 posit16_1. ACC_FP32: 0 quire, 1 fp32.
// Output format: OUT_POSIT 0: an IEEE-style float of OUT_E exponent and OUT_M mantissa bits
// (8/23: fp32, the default; 5/10 fp16; 8/7 bf16); 1: posit(OUT_N, OUT_ES) (OUT_N = 0 / OUT_ES
// < 0: the mode's own posit bits / es).
// Stages (same names as models/pe/rmmec.cpp and the cycle model):
//   decode (posit_decode per lane, or the E2M1 fields) -> exponent processing (scale add) ->
//   mantissa multiply (one SIGW x SIGW block per lane)                       [front]
//   -> STAGES pipeline registers (rtl/common/pe_pipe.sv)
//   -> align (each product onto the quire grid, LSB minpos^2) -> accumulate (quire register,
//      or the lanes' exact sum rounded into the FP32 register by fp_acc_add)
//   -> round (fp_round of the quire, or of the FP32 register, to the output float; with
//      OUT_POSIT posit_round to the output posit) -> encode (result register out_acc; the
//      registers and the handshake: rtl/common/pe_result.sv).
// A NaR operand makes the dot product's result the output float's canonical NaN (the PE's
// nar()), or NaR with OUT_POSIT.
// Handshake as every PE (rtl/common/pe_result.sv): a held output stalls the whole pipe.
module rmmec #(
    parameter int MODE = 2,
    parameter int LANES = 2,
    parameter int ACC_FP32 = 0,
    parameter int STAGES = 1,
    parameter int OUT_POSIT = 0,
    parameter int OUT_E = 8,
    parameter int OUT_M = 23,
    parameter int OUT_N = 0,
    parameter int OUT_ES = -1
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    in_valid,
    output logic                    in_ready,
    input  logic                    in_first,
    input  logic                    in_last,
    input  logic [LANES*(MODE == 3 ? 16 : MODE == 2 ? 8 : 4)-1:0] in_a,
    input  logic [LANES*(MODE == 3 ? 16 : MODE == 2 ? 8 : 4)-1:0] in_w,
    output logic                    out_valid,
    input  logic                    out_ready,
    output logic [(OUT_POSIT != 0 ? (OUT_N != 0 ? OUT_N : MODE == 3 ? 16 : MODE == 2 ? 8 : 4)
                   : 1 + OUT_E + OUT_M)-1:0] out_acc
);
  // Mode geometry
  localparam int BITS = MODE == 3 ? 16 : MODE == 2 ? 8 : 4;
  localparam int ES = (MODE == 1 || MODE == 3) ? 1 : 0;
  localparam int SIGW = MODE == 0 ? 2 : BITS - 2 - ES;  // significand incl. hidden bit
  localparam int MAXS = MODE == 0 ? 2 : (BITS - 2) << ES;  // fp4: max exponent; posit: maxpos scale
  localparam int EXP_MIN = MODE == 0 ? -1 : -MAXS - (SIGW - 1);  // operand value = sig * 2^exp
  localparam int EXP_MAX = MODE == 0 ? 1 : MAXS - (SIGW - 1);
  localparam int XW = 8;                                // operand exponent width (signed)
  localparam int QLSB = MODE == 0 ? -2 : -2 * MAXS;     // quire LSB: minpos^2
  localparam int QMSB = 2 * (MAXS + 1);                 // every product < 2^QMSB
  localparam int QW = QMSB - QLSB + 32;                 // 31 carry bits and the sign
  localparam int PLSB = 2 * EXP_MIN;                    // product grid before the align drop
  localparam int AW = QMSB - PLSB;                      // aligned product magnitude width
  localparam int DROP = QLSB - PLSB;                    // low bits of that grid, always zero
  localparam int PW = 2 * SIGW;                         // product significand
  localparam int SHR = 2 * (EXP_MAX - EXP_MIN);         // product shift range 0..SHR
  localparam int SHW = $clog2(SHR + 1);
  localparam int LW = 1 + PW + SHW;                     // one lane's term: neg, sig, shift
  localparam int TW = 1 + LANES * LW;                   // the term: NaR flag and the lanes
  localparam int PXW = XW + 1;                          // product exponent width
  localparam int CW = QMSB - QLSB + $clog2(LANES + 1) + 1;  // one cycle's lane sum (fp32 mode)
  localparam int ST_BITS = 1 + (ACC_FP32 != 0 ? 32 : QW);   // accumulate: {nar, quire or fp32 acc}
  localparam int PN = OUT_N != 0 ? OUT_N : BITS;             // output posit: bits
  localparam int PES = OUT_ES >= 0 ? OUT_ES : ES;            //   and es
  localparam int OW = OUT_POSIT != 0 ? PN : 1 + OUT_E + OUT_M;  // output code width

  logic stall;

  // ---- front: decode -> exponent processing -> mantissa multiply, per lane
  logic [TW-1:0] term;
  logic [LANES-1:0] lane_nar;
  genvar gl;
  generate
    for (gl = 0; gl < LANES; gl = gl + 1) begin : g_lane
      wire [BITS-1:0] ca = in_a[gl*BITS +: BITS];
      wire [BITS-1:0] cw = in_w[gl*BITS +: BITS];
      logic                 a_nar, a_zero, a_neg, w_nar, w_zero, w_neg;
      logic [SIGW-1:0]      a_sig, w_sig;
      logic signed [XW-1:0] a_exp, w_exp;
      // decode
      if (MODE == 0) begin : g_fp4  // E2M1: sig = {e != 0, m}, exp = max(e, 1) - 2
        assign a_nar = 1'b0;
        assign w_nar = 1'b0;
        assign a_neg = ca[3];
        assign w_neg = cw[3];
        assign a_sig = {ca[2:1] != 2'b00, ca[0]};
        assign w_sig = {cw[2:1] != 2'b00, cw[0]};
        assign a_zero = a_sig == '0;
        assign w_zero = w_sig == '0;
        assign a_exp = (ca[2:1] == 2'b00) ? -(XW'(1)) : XW'(ca[2:1]) - XW'(2);
        assign w_exp = (cw[2:1] == 2'b00) ? -(XW'(1)) : XW'(cw[2:1]) - XW'(2);
      end else begin : g_posit
        posit_decode #(.N(BITS), .ES(ES), .XW(XW)) dec_a (
            .code(ca), .nar(a_nar), .zero(a_zero), .neg(a_neg), .sig(a_sig), .exp(a_exp));
        posit_decode #(.N(BITS), .ES(ES), .XW(XW)) dec_w (
            .code(cw), .nar(w_nar), .zero(w_zero), .neg(w_neg), .sig(w_sig), .exp(w_exp));
      end
      // exponent processing: the product's shift onto the product grid (2^PLSB)
      wire signed [XW:0] p_exp = PXW'(a_exp) + PXW'(w_exp);
      wire [XW:0]        p_sh_wide = p_exp - PXW'(PLSB);
      wire [SHW-1:0]     p_sh = p_sh_wide[SHW-1:0];  // 0..SHR
      // mantissa multiply (lane block)
      wire [PW-1:0] p_sig = (a_zero || w_zero) ? '0 : PW'(a_sig) * PW'(w_sig);
      assign lane_nar[gl] = a_nar || w_nar;
      assign term[1 + gl*LW +: LW] = {a_neg ^ w_neg, p_sig, p_sh};
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused_sh = ^p_sh_wide[XW:SHW];
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
  assign term[0] = |lane_nar;

  // ---- pipeline registers
  logic          m_valid, m_first, m_last;
  logic [TW-1:0] m_term;
  pe_pipe #(.STAGES(STAGES), .WIDTH(TW)) pipe (
      .clk, .rst_n, .hold(stall), .d_valid(in_valid), .d_first(in_first), .d_last(in_last), .d_term(term),
      .q_valid(m_valid), .q_first(m_first), .q_last(m_last), .q_term(m_term));

  // ---- align: each lane's product as a signed quire-grid integer; lane_sum = their sum
  logic signed [QW-1:0] lane_sum;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [AW-1:0]        aligned;  // its DROP low bits are always zero (products are multiples of minpos^2)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [QW-1:0]        mag;
  integer l;
  always_comb begin
    lane_sum = '0;
    for (l = 0; l < LANES; l = l + 1) begin
      aligned  = AW'(m_term[1 + l*LW + SHW +: PW]) << m_term[1 + l*LW +: SHW];
      mag      = QW'(aligned[AW-1:DROP]);
      lane_sum = lane_sum + (m_term[1 + l*LW + SHW + PW] ? -$signed(mag) : $signed(mag));
    end
  end

  // ---- accumulate -> round -> encode
  logic [ST_BITS-1:0] state, state_next;
  logic               nar, nar_next;
  logic [OW-1:0]      result;
  assign nar = state[ST_BITS-1];
  assign nar_next = (m_first ? 1'b0 : nar) | m_term[0];
  generate
    if (ACC_FP32 == 0) begin : g_quire
      wire signed [QW-1:0] quire = state[QW-1:0];
      wire signed [QW-1:0] quire_next = (m_first ? '0 : quire) + lane_sum;
      wire [QW-1:0] q_mag = quire_next[QW-1] ? QW'(-quire_next) : QW'(quire_next);
      if (OUT_POSIT != 0) begin : g_posit_out
        // round: the quire once to the output posit (NaR -> NaR)
        posit_round #(.N(PN), .ES(PES), .SW(QW), .XW(16)) round (
            .t_nan(nar_next), .t_zero(1'b0), .t_neg(quire_next[QW-1]),
            .t_sig(q_mag), .t_exp(16'(QLSB)), .t_sticky(1'b0), .code(result));
      end else begin : g_float_out
        // round: the quire once to the output float
        fp_round #(.E(OUT_E), .M(OUT_M), .SW(QW), .XW(16)) round (
            .t_nan(nar_next), .t_inf(1'b0), .t_zero(1'b0), .t_neg(!nar_next && quire_next[QW-1]),
            .t_sig(q_mag), .t_exp(16'(QLSB)), .t_sticky(1'b0), .code(result));
      end
      assign state_next = {nar_next, quire_next};
    end else begin : g_fp32
      // the cycle's exact lane sum, rounded into the FP32 register (one rounding per cycle)
      wire signed [CW-1:0] csum = lane_sum[CW-1:0];
      wire [CW-1:0] c_mag = csum[CW-1] ? CW'(-csum) : CW'(csum);
      wire [31:0]   acc32 = state[31:0];
      logic [31:0]  acc32_next;
      fp_acc_add #(.E(8), .M(23), .SW(CW), .XW(16)) add (
          .acc(m_first ? 32'h0 : acc32), .t_nan(1'b0), .t_inf(1'b0), .t_zero(csum == '0), .t_neg(csum[CW-1]),
          .t_sig(c_mag), .t_exp(16'(QLSB)), .sum(acc32_next));
      if (OUT_POSIT != 0) begin : g_posit_out
        // round: the fp32 register's value once to the output posit (inf/NaN, NaR -> NaR)
        wire [7:0] be = acc32_next[30:23];
        wire [7:0] be_n = be == 8'h00 ? 8'h01 : be;  // subnormals: exponent of the normals' lsb
        posit_round #(.N(PN), .ES(PES), .SW(24), .XW(16)) round (
            .t_nan(nar_next || be == 8'hff), .t_zero(1'b0), .t_neg(acc32_next[31]),
            .t_sig({be != 8'h00, acc32_next[22:0]}), .t_exp(16'(be_n) - 16'(150)),
            .t_sticky(1'b0), .code(result));
      end else if (OUT_E == 8 && OUT_M == 23) begin : g_fp32_out
        assign result = nar_next ? 32'h7fc0_0000 : acc32_next;  // float32 encode(NaN)
      end else begin : g_float_out
        // round: the fp32 register's value once to the output float (NaR -> NaN)
        wire [7:0] be = acc32_next[30:23];
        wire [7:0] be_n = be == 8'h00 ? 8'h01 : be;
        wire       b_special = be == 8'hff;
        fp_round #(.E(OUT_E), .M(OUT_M), .SW(24), .XW(16)) round (
            .t_nan(nar_next || (b_special && acc32_next[22:0] != '0)), .t_inf(b_special && acc32_next[22:0] == '0),
            .t_zero(1'b0), .t_neg(!nar_next && acc32_next[31]), .t_sig({be != 8'h00, acc32_next[22:0]}),
            .t_exp(16'(be_n) - 16'(150)), .t_sticky(1'b0), .code(result));
      end
      assign state_next = {nar_next, acc32_next};
      /* verilator lint_off UNUSEDSIGNAL */
      wire unused_hi = ^lane_sum[QW-1:CW];
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate

  // accumulate registers (NaR flag, quire or fp32 accumulator), result register, handshake
  pe_result #(.STATE_BITS(ST_BITS), .OUT_BITS(OW)) result_reg (
      .clk, .rst_n, .stall, .in_ready, .q_valid(m_valid), .q_last(m_last), .state_next, .result,
      .state, .out_valid, .out_ready, .out_acc);
endmodule
