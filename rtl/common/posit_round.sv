// posit_round: the round -> encode stage to a posit(N, ES) code (2022 posit standard, es as a
// parameter; formats::PositCodec::encode with round to nearest even). Rounds the exact term
// (-1)^t_neg * t_sig * 2^t_exp (t_sticky: nonzero bits below t_sig's lsb) on the encoding:
// the regime, ES exponent bits and fraction are laid out as one bit string and rounded once to
// the N-1 bits after the sign, ties to an even pattern. Never rounds to zero or NaR: magnitudes
// clamp to [minpos, maxpos]. t_sig may have leading zeros; t_sig == 0 (or t_zero) is the zero
// code 0 (posits have one zero); t_nan (NaN or inf) is NaR (100...0). Bit-identical to
// formats::ElementFormat::encode of the same value (tests/cosim/rmmec_cosim_test.cpp,
// PositRound.*).
// Datapath: normalize (leading-zero count, shift; scale = the msb's exponent) -> regime
// (k = scale >> ES, the run laid out by an arithmetic shift of {regime bit, its complement,
// exponent, fraction}) -> round (RNE on the N-1 kept bits, clamp) -> encode (two's complement).
module posit_round #(
    parameter int N = 8,
    parameter int ES = 0,
    parameter int SW = 64,  // >= 2
    parameter int XW = 16
) (
    input  logic                 t_nan,
    input  logic                 t_zero,
    input  logic                 t_neg,
    input  logic [SW-1:0]        t_sig,
    input  logic signed [XW-1:0] t_exp,
    input  logic                 t_sticky,
    output logic [N-1:0]         code
);
  localparam int MAXS = (N - 2) << ES;                 // maxpos = 2^MAXS, minpos = 2^-MAXS
  localparam int FK = (N - 2 - ES > 1) ? N - 2 - ES : 1;  // fraction bits that can reach the round bit
  localparam int FXW = SW - 1 + FK;                    // fraction, zero padded to >= FK bits
  localparam int YW = 2 + ES + FK;                     // regime bit, its complement, exponent, fraction
  localparam int RMAX = N - 3;                         // the run's extra regime bits: |k| - (k < 0) <= N-3
  localparam int PW = YW + RMAX + 1;                   // the pattern after the run (one zero pad bit)
  localparam int LW = $clog2(SW + 1);                  // leading-zero count width
  localparam int IW = (XW > 12 ? XW : 12) + 2;         // scale width
  localparam int RW = $clog2(N + 1);                   // run shift width
  localparam logic [N-2:0] MAXPOS = {(N - 1){1'b1}};
  localparam logic [N-2:0] MINPOS = (N - 1)'(1);

  // normalize: count t_sig's leading zeros, shift its msb to bit SW-1
  logic [LW-1:0] lz;
  integer i;
  always_comb begin
    lz = LW'(SW);
    for (i = 0; i < SW; i = i + 1)
      if (t_sig[i]) lz = LW'(SW - 1 - i);
  end
  wire              sig_zero = (t_sig == '0);
  /* verilator lint_off UNUSEDSIGNAL */
  wire [SW-1:0]     n_sig = t_sig << lz;  // bit SW-1 is the hidden one
  /* verilator lint_on UNUSEDSIGNAL */
  wire [FXW-1:0]    fext = {n_sig[SW-2:0], {FK{1'b0}}};
  wire [FK-1:0]     frac = fext[FXW-1 -: FK];
  wire              f_sticky = fext[FXW-FK-1:0] != '0;
  // the msb's exponent: value in [2^scale, 2^(scale+1))
  wire signed [IW-1:0] scale = {{(IW - XW){t_exp[XW-1]}}, t_exp} + IW'(SW - 1) - IW'({1'b0, lz});

  // regime: k = floor(scale / 2^ES), exponent e = scale mod 2^ES; k >= 0: k+1 ones and a
  // zero, k < 0: -k zeros and a one; the run of r = k >= 0 ? k : -k-1 extra regime bits is
  // shifted in from the left
  wire signed [IW-1:0] k = scale >>> ES;
  wire                 kneg = k[IW-1];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [IW-1:0]        r_wide = kneg ? ~k : k;  // in range: 0..RMAX
  /* verilator lint_on UNUSEDSIGNAL */
  wire [RW-1:0]        r = r_wide[RW-1:0];
  logic [YW-1:0] y;
  generate
    if (ES > 0) begin : g_es
      assign y = {!kneg, kneg, scale[ES-1:0], frac};
    end else begin : g_no_es
      assign y = {!kneg, kneg, frac};
    end
  endgenerate
  wire signed [PW-1:0] pat = $signed({y, {(RMAX + 1){1'b0}}}) >>> r;

  // round: the N-1 bits after the sign, to nearest even on the pattern
  wire [N-2:0] kept0 = pat[PW-1 -: N-1];
  wire         rbit = pat[PW-N];
  wire         sticky = (pat[PW-N-1:0] != '0) || f_sticky || t_sticky;
  wire         up = rbit && (sticky || kept0[0]);
  wire [N-1:0] kept1 = {1'b0, kept0} + N'(up);
  logic [N-2:0] kept;
  always_comb begin
    if (scale >= IW'(MAXS)) kept = MAXPOS;          // at or beyond maxpos: clamp, never NaR
    else if (scale < -IW'(MAXS)) kept = MINPOS;     // below minpos: clamp, never zero
    else if (kept1[N-1]) kept = MAXPOS;             // rounded up to NaR's pattern
    else if (kept1[N-2:0] == '0) kept = MINPOS;     // (cannot happen: the regime's end fits)
    else kept = kept1[N-2:0];
  end

  // encode
  always_comb begin
    if (t_nan) code = {1'b1, {(N - 1){1'b0}}};
    else if (t_zero || sig_zero) code = '0;
    else if (t_neg) code = -{1'b0, kept};
    else code = {1'b0, kept};
  end
endmodule
