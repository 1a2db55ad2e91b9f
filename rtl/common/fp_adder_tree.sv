// fp_adder_tree: the multi-operand fused adder tree of tensor-core-style dot-product units
// (units::AdderTree, models/units/adder_tree.hpp): N exact terms summed with one rounding.
// Each term comes packed as {nan, inf, zero, neg, sig (SW bits), exp (XW bits, signed)}, value
// (-1)^neg * sig * 2^exp (sig may have leading zeros; sig == 0 or zero: a zero of sign neg).
//   align  every nonzero finite term is aligned to the largest leading-bit exponent emax in a
//          window of ALIGN_BITS bits (window lsb weighs 2^(emax - ALIGN_BITS + 1)); the bits
//          shifted past the window are truncated (ROUND_SHIFTED = 0) or rounded to nearest
//          even per term (ROUND_SHIFTED = 1)
//   add    the aligned integers are summed exactly (signed)
//   normalize/round  the sum is rounded once to the IEEE-style format E/M (fp_round: RNE,
//          subnormals, overflow to inf)
// Specials as units::AdderTree: any NaN or +inf with -inf -> the positive canonical NaN;
// otherwise an inf gives an inf; no nonzero finite term -> a zero, negative only if every term
// is a negative zero; an exact zero sum -> +0.
module fp_adder_tree #(
    parameter int N = 2,
    parameter int SW = 8,
    parameter int XW = 12,
    parameter int ALIGN_BITS = 27,
    parameter int ROUND_SHIFTED = 0,
    parameter int E = 8,
    parameter int M = 23,
    parameter int TW = 4 + SW + XW
) (
    input  logic [N*TW-1:0] terms,
    output logic [E+M:0]    code
);
  localparam int IW = XW + 8;                    // internal exponent width
  localparam int LW = $clog2(SW + 1);            // leading-zero count width
  localparam int AW = ALIGN_BITS + 1;            // an aligned term (+1: the rounding carry)
  localparam int HW = $clog2(SW + 2) + 1;        // right-shift amount width (<= SW + 1)
  localparam int LSW = $clog2(ALIGN_BITS + 1);   // left-shift amount width (< ALIGN_BITS)
  localparam int SUMW = AW + $clog2(N + 1) + 1;  // the signed sum
  localparam int MAGW = SUMW - 1;                // its magnitude
  localparam int LFW = SW + AW;                  // a left-shifted term

  // per term: fields, leading-bit exponent
  logic [N-1:0]      t_nan, t_inf, t_neg, t_fin;
  logic [N*SW-1:0]   t_sig;
  logic [N*IW-1:0]   t_exp, t_emsb;
  genvar gi;
  generate
    for (gi = 0; gi < N; gi = gi + 1) begin : g_term
      wire [TW-1:0]        t = terms[gi*TW +: TW];
      wire [SW-1:0]        sig = t[XW+SW-1:XW];
      wire signed [XW-1:0] ex = t[XW-1:0];
      logic [LW-1:0]       lz;
      integer k;
      always_comb begin
        lz = LW'(SW);
        for (k = 0; k < SW; k = k + 1)
          if (sig[k]) lz = LW'(SW - 1 - k);
      end
      assign t_nan[gi] = t[TW-1];
      assign t_inf[gi] = t[TW-2] && !t[TW-1];
      assign t_neg[gi] = t[TW-4];
      assign t_fin[gi] = !t[TW-1] && !t[TW-2] && !t[TW-3] && (sig != '0);
      assign t_sig[gi*SW +: SW] = sig;
      assign t_exp[gi*IW +: IW] = {{(IW - XW){ex[XW-1]}}, ex};
      assign t_emsb[gi*IW +: IW] = {{(IW - XW){ex[XW-1]}}, ex} + IW'(SW - 1) - IW'({1'b0, lz});
    end
  endgenerate

  // align: the largest leading-bit exponent of the nonzero finite terms
  logic signed [IW-1:0] emax;
  logic                 any;
  integer i;
  always_comb begin
    emax = '0;
    any = 1'b0;
    for (i = 0; i < N; i = i + 1)
      if (t_fin[i] && (!any || $signed(t_emsb[i*IW +: IW]) > emax)) begin
        emax = t_emsb[i*IW +: IW];
        any = 1'b1;
      end
  end
  wire signed [IW-1:0] lsb = emax - IW'(ALIGN_BITS - 1);  // weight of the window's lsb

  // align: each term in window units (shifted left onto the window, or right with the bits
  // past the window truncated or rounded), then add: the exact signed sum
  logic [N*AW-1:0] t_al;
  generate
    for (gi = 0; gi < N; gi = gi + 1) begin : g_align
      wire [SW-1:0]        sig = t_sig[gi*SW +: SW];
      wire signed [IW-1:0] d = lsb - $signed(t_exp[gi*IW +: IW]);  // right shift (> 0) or left (<= 0)
      wire [HW-1:0]        dr = (d > IW'(SW + 1)) ? HW'(SW + 1) : HW'(d);
      wire [LSW-1:0]       dl = LSW'(-d);                            // < ALIGN_BITS for a finite term
      /* verilator lint_off UNUSEDSIGNAL */
      wire [2*SW:0]        wide = {sig, {(SW + 1){1'b0}}} >> dr;
      wire [LFW-1:0]       left = LFW'(sig) << dl;                  // fits AW bits: term <= 2^emax
      wire [SW-1:0]        kept = wide[2*SW:SW+1];              // bits above AW are zero
      /* verilator lint_on UNUSEDSIGNAL */
      wire                 rbit = wide[SW];
      wire                 sticky = (wide[SW-1:0] != '0);
      wire                 up = (ROUND_SHIFTED != 0) && rbit && (sticky || kept[0]);
      wire [AW-1:0]        v = !t_fin[gi] ? '0 : (d > 0) ? AW'(kept) + AW'(up) : left[AW-1:0];
      assign t_al[gi*AW +: AW] = v;
    end
  endgenerate

  logic signed [SUMW-1:0] s;
  always_comb begin
    s = '0;
    for (i = 0; i < N; i = i + 1)
      if (t_neg[i]) s = s - $signed({{(SUMW - AW){1'b0}}, t_al[i*AW +: AW]});
      else s = s + $signed({{(SUMW - AW){1'b0}}, t_al[i*AW +: AW]});
  end
  wire            s_neg = s[SUMW-1];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [SUMW-1:0] s_abs = s_neg ? -s : s;  // < 2^MAGW
  /* verilator lint_on UNUSEDSIGNAL */
  wire [MAGW-1:0] mag = s_abs[MAGW-1:0];

  // normalize/round, with the specials
  wire pinf = |(t_inf & ~t_neg);
  wire ninf = |(t_inf & t_neg);
  wire r_nan = (|t_nan) || (pinf && ninf);
  wire r_inf = pinf || ninf;
  wire r_neg = r_nan ? 1'b0 : r_inf ? ninf : !any ? (&t_neg) : s_neg;  // exact zero sum: s_neg = 0
  fp_round #(.E(E), .M(M), .SW(MAGW), .XW(IW)) round (
      .t_nan(r_nan), .t_inf(r_inf), .t_zero(!any), .t_neg(r_neg), .t_sig(mag), .t_exp(lsb),
      .t_sticky(1'b0), .code);
endmodule
