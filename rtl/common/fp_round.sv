// fp_round: the normalize/round stage shared by the floating-point PEs. Rounds the exact term
// (-1)^t_neg * t_sig * 2^t_exp (t_sticky: nonzero bits below t_sig's lsb) to an IEEE-style
// binary format with E exponent and M mantissa bits (bias 2^(E-1)-1, subnormals, +-inf, the
// canonical quiet NaN that formats::ElementFormat::encode(NaN) produces for the format: the
// sign of t_neg, exponent all ones, mantissa msb), round to nearest even, overflow to inf.
// t_sig may have leading zeros; t_sig == 0 (or t_zero) is a zero of sign t_neg; t_nan and
// t_inf override. Bit-identical to formats::MinifloatCodec::encode (RNE, default overflow)
// of the same value (tests/cosim/fp8_mac_cosim_test.cpp, FpBlocks.*).
// Datapath: normalize (leading-zero count, shift) -> round (subnormal shift, RNE) -> encode.
module fp_round #(
    parameter int E = 8,
    parameter int M = 23,
    parameter int SW = 64,
    parameter int XW = 16
) (
    input  logic                 t_nan,
    input  logic                 t_inf,
    input  logic                 t_zero,
    input  logic                 t_neg,
    input  logic [SW-1:0]        t_sig,
    input  logic signed [XW-1:0] t_exp,
    input  logic                 t_sticky,
    output logic [E+M:0]         code
);
  localparam int NW = (SW > M + 1) ? SW : M + 2;  // normalized width: >= M+2 (one round bit)
  localparam int LW = $clog2(SW + 1);             // leading-zero count width
  localparam int IW = (XW > 12 ? XW : 12) + 2;    // internal exponent width (<= 32: XW <= 30)
  localparam int MW = IW + M + 2;                  // magnitude before the overflow check
  localparam int SHW = $clog2(NW + 2);             // right-shift amount width
  localparam int BIAS = (1 << (E - 1)) - 1;
  localparam logic [E+M-1:0] INF_MAG = {{E{1'b1}}, {M{1'b0}}};
  localparam logic [E+M-1:0] NAN_MAG = {{E{1'b1}}, 1'b1, {(M - 1){1'b0}}};
  localparam logic signed [MW-1:0] MAX_MAG = MW'({1'b0, INF_MAG}) - MW'(1);

  // normalize: count t_sig's leading zeros, shift its msb to bit NW-1
  logic [LW-1:0] lz;
  integer i;
  always_comb begin
    lz = LW'(SW);
    for (i = 0; i < SW; i = i + 1)
      if (t_sig[i]) lz = LW'(SW - 1 - i);
  end
  wire              sig_zero = (t_sig == '0);
  wire [NW-1:0]     n_sig = NW'(t_sig) << (SHW'(NW - SW) + SHW'(lz));
  // biased exponent of the msb: value = 1.f * 2^(be - BIAS)
  wire signed [IW-1:0] be = {{(IW - XW){t_exp[XW-1]}}, t_exp} + IW'(SW - 1 + BIAS) - IW'({1'b0, lz});

  // round: keep M+1 bits (fewer below the normal range), round to nearest even
  logic [SHW-1:0]      rs;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*NW:0]       shifted;  // bits above kept are zero: rs >= NW - 1 - M
  /* verilator lint_on UNUSEDSIGNAL */
  logic [M:0]          kept;
  logic                rbit, sticky, up;
  logic signed [MW-1:0] mag;
  always_comb begin
    if (be >= IW'(1)) rs = SHW'(NW - 1 - M);
    else if (be <= -IW'(M + 1)) rs = SHW'(NW + 1);  // 1 - be >= M + 2: nothing is kept
    else rs = SHW'(NW - M) - SHW'(be);                 // NW - 1 - M + (1 - be)
    shifted = {n_sig, {(NW + 1){1'b0}}} >> rs;
    kept    = shifted[NW+M+1:NW+1];
    rbit    = shifted[NW];
    sticky  = (shifted[NW-1:0] != '0) || t_sticky;
    up      = rbit && (sticky || kept[0]);
    mag     = MW'(kept) + MW'(up);
    if (be >= IW'(1)) mag = mag + ({{(MW - IW){be[IW-1]}}, be - IW'(1)} <<< M);
  end

  // encode
  always_comb begin
    if (t_nan) code = {t_neg, NAN_MAG};
    else if (t_inf) code = {t_neg, INF_MAG};
    else if (t_zero || sig_zero) code = {t_neg, {(E + M){1'b0}}};
    else if (mag > MAX_MAG) code = {t_neg, INF_MAG};
    else code = {t_neg, mag[E+M-1:0]};
  end
endmodule
