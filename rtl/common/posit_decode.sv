// posit_decode: the decode stage of a posit(N, ES) code (2022 posit standard, es as a
// parameter; formats::PositCodec::fields): sign, regime by the length of the leading run of
// identical bits after the sign, ES exponent bits (bits cut off by a long regime are zero),
// fraction. value = (-1)^neg * sig * 2^exp, where sig = {1, fraction} holds the hidden bit and
// the F = N-3-ES fraction bits a code can carry (left-aligned, missing bits zero) and
// exp = k * 2^ES + e - F. zero and nar flag the two special codes (sig/exp are then don't-care).
module posit_decode #(
    parameter int N = 8,
    parameter int ES = 0,
    parameter int XW = 8  // width of exp (signed): must hold +-((N-2) * 2^ES + F)
) (
    input  logic [N-1:0]          code,
    output logic                  nar,
    output logic                  zero,
    output logic                  neg,
    output logic [N-3-ES:0]       sig,  // F+1 bits (N-3-ES >= 0 required)
    output logic signed [XW-1:0]  exp
);
  localparam int F = (N - 3 - ES > 0) ? N - 3 - ES : 0;  // fraction bits of the shortest regime
  localparam int RW = $clog2(N) + 1;                     // run-length width
  localparam int RESTW = N - 1 + ES + F;                 // bits after the run, zero padded

  /* verilator lint_off UNUSEDSIGNAL */
  logic [N-1:0]     mag;   // |code| (the sign bit of a non-NaR magnitude is zero)
  /* verilator lint_on UNUSEDSIGNAL */
  logic [N-2:0]     body;  // regime, exponent, fraction
  logic [RW-1:0]    run;   // length of the leading run of identical bits
  logic             done;
  logic [RESTW-1:0] rest;  // the bits after the run and its terminating bit, left-aligned
  logic signed [XW-1:0] k;
  integer i;
  always_comb begin
    nar  = code == {1'b1, {(N - 1){1'b0}}};
    zero = code == '0;
    neg  = code[N-1];
    mag  = neg ? -code : code;
    body = mag[N-2:0];
    // regime: leading-run count
    run  = '0;
    done = 1'b0;
    for (i = N - 2; i >= 0; i = i - 1) begin
      if (!done && body[i] == body[N-2]) run = run + RW'(1);
      else done = 1'b1;
    end
    k = body[N-2] ? XW'(run) - XW'(1) : -(XW'(run));
    rest = {body, {(ES + F){1'b0}}} << (run + RW'(1));
  end

  // exponent and fraction fields
  generate
    if (ES > 0) begin : g_es
      wire [ES-1:0] e = rest[RESTW-1 -: ES];
      assign exp = (k <<< ES) + XW'(e) - XW'(F);
    end else begin : g_no_es
      assign exp = k - XW'(F);
    end
    if (F > 0) begin : g_frac
      assign sig = {1'b1, rest[RESTW-1-ES -: F]};
    end else begin : g_no_frac
      assign sig = 1'b1;
    end
  endgenerate
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused_rest = ^rest;  // the low bits only pad the shift
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
