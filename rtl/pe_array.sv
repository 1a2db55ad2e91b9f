// R x C array of any PE: the twin of models/cycle/pe_array.hpp.
//   DATAFLOW 0 (os): output-stationary systolic array. Row i of A (with the valid/first/last
//     flags) enters delayed i edges by the input skew, column j of B (with its group scale and
//     zero point) delayed j edges; A and the flags move right one PE per edge (hop registers),
//     B moves down. PE (i,j) therefore sees the array's inputs of edge t - i - j.
//   DATAFLOW 1 (dot): dot-product tile: row i of A is broadcast to every PE of row i, column j
//     of B to every PE of column j, in the same edge.
// Every cell is the PE's own module (rtl/<PE>.sv) with out_ready tied high: results leave the
// PE's result register (out_valid[i*C+j], out_acc) the edge after they are latched. The cells
// get STAGES and their PE's parameters, passed through with a prefix per PE (INT_, FP8_, LMUL_,
// MIX_, LUT_, RM_ + the PE module's parameter name; defaults: the PE module's defaults). The
// array's port widths (A_BITS, W_BITS, ZERO_BITS, OUT_BITS) must be the cells' word widths
// (models/cycle/registry.hpp array_rtl_parameters computes both).
module pe_array #(
    parameter PE = "int_mac",  // untyped: yosys 0.23 has no `string` parameters
    parameter int R = 4,
    parameter int C = 4,
    parameter int DATAFLOW = 0,
    parameter int A_BITS = 8,
    parameter int W_BITS = 8,
    parameter int SCALE_BITS = 16,
    parameter int ZERO_BITS = 8,
    parameter int OUT_BITS = 32,
    parameter int STAGES = 1,
    // The cells' parameters (those of the other PEs are unused)
    /* verilator lint_off UNUSEDPARAM */
    // int_mac
    parameter int INT_A_BITS = 8, INT_W_BITS = 8, INT_ACC_BITS = 32, INT_SATURATE = 0,
    // fp8_mac
    parameter int FP8_A_E = 4, FP8_A_M = 3, FP8_A_BIAS = 7, FP8_A_CONV = 1,
    parameter int FP8_W_E = 4, FP8_W_M = 3, FP8_W_BIAS = 7, FP8_W_CONV = 1,
    parameter int FP8_ACC_E = 8, FP8_ACC_M = 23, FP8_PER_PRODUCT = 0, FP8_TREE_INPUTS = 0,
    parameter int FP8_ALIGN_BITS = 27, FP8_ROUND_SHIFTED = 0,
    // lmul_pe
    parameter int LMUL_E = 8, LMUL_M = 7, LMUL_BIAS = 127, LMUL_CONV = 0, LMUL_VARIANT = 0,
    parameter int LMUL_ACC_E = 8, LMUL_ACC_M = 23,
    // mixpe
    parameter int MIX_A_BITS = 8, MIX_A_FP16 = 0, MIX_W_BITS = 4, MIX_ZERO_POINT = 1, MIX_GROUP = 128,
    parameter int MIX_ACC_E = 8, MIX_ACC_M = 23,
    // lut_tensor_core
    parameter int LUT_A_BITS = 8, LUT_A_FP16 = 0, LUT_TABLE_E = 5, LUT_TABLE_M = 10, LUT_W_BITS = 2, LUT_K = 4,
    parameter int LUT_GROUP = 128, LUT_SYMMETRIZE = 1, LUT_ACC_E = 8, LUT_ACC_M = 23,
    // rmmec
    parameter int RM_MODE = 2, RM_LANES = 2, RM_ACC_FP32 = 0, RM_OUT_POSIT = 0, RM_OUT_E = 8, RM_OUT_M = 23,
    parameter int RM_OUT_N = 0, RM_OUT_ES = -1
    /* verilator lint_on UNUSEDPARAM */
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    in_valid,
    input  logic                    in_first,
    input  logic                    in_last,
    input  logic [R*A_BITS-1:0]     in_a,      // word k of each row of A
    input  logic [C*W_BITS-1:0]     in_w,      // word k of each column of B
    /* verilator lint_off UNUSEDSIGNAL */
    input  logic [C*SCALE_BITS-1:0] in_scale,  // group scale code of each column (group PEs)
    input  logic [C*ZERO_BITS-1:0]  in_zero,   // group zero point of each column (group PEs)
    /* verilator lint_on UNUSEDSIGNAL */
    output logic [R*C-1:0]          out_valid,
    output logic [R*C*OUT_BITS-1:0] out_acc
);
  // What travels down a column: the weight word, and for the PEs that take group scales
  // (mixpe, lut_tensor_core) the group's scale code and zero point; the others carry no
  // fields they do not use.
  /* verilator lint_off WIDTH */
  localparam bit GROUPED = PE == "mixpe" || PE == "lut_tensor_core";
  /* verilator lint_on WIDTH */
  localparam int WB = GROUPED ? W_BITS + SCALE_BITS + ZERO_BITS : W_BITS;
  logic [C*WB-1:0] col_in;  // column j's word as it enters the array
  for (genvar j = 0; j < C; j++) begin : column_word
    if (GROUPED) begin : grouped
      assign col_in[j*WB +: WB] = {in_zero[j*ZERO_BITS +: ZERO_BITS], in_scale[j*SCALE_BITS +: SCALE_BITS], in_w[j*W_BITS +: W_BITS]};
    end else begin : plain
      assign col_in[j*WB +: WB] = in_w[j*W_BITS +: W_BITS];
    end
  end

  // The inputs as they reach each PE.
  logic [A_BITS-1:0] a_at [R][C];
  logic [2:0]        f_at [R][C];  // {valid, first, last}
  logic [WB-1:0]     b_at [R][C];  // {zero, scale, w}

  if (DATAFLOW == 1) begin : dot_tile
    for (genvar i = 0; i < R; i++) begin : row
      for (genvar j = 0; j < C; j++) begin : col
        assign a_at[i][j] = in_a[i*A_BITS +: A_BITS];
        assign f_at[i][j] = {in_valid, in_first, in_last};
        assign b_at[i][j] = col_in[j*WB +: WB];
      end
    end
  end else begin : systolic_os
    // input skew: row i delayed i edges, column j delayed j edges
    logic [A_BITS-1:0] a_skew [R][R];
    logic [2:0]        f_skew [R][R];
    logic [WB-1:0]     b_skew [C][C];
    // hop registers: what PE (i,j) passes right (A, flags) and down (B)
    logic [A_BITS-1:0] a_hop [R][C];
    logic [2:0]        f_hop [R][C];
    logic [WB-1:0]     b_hop [R][C];
    // One always_ff per register, in generate loops that elaborate at any size: procedural
    // for-loops of non-blocking array writes above the unroll limit of Debian's 5.006
    // release are its BLKLOOPINIT error (32x32 failed so).
    for (genvar i = 0; i < R; i++) begin : skew_a
      for (genvar d = 0; d < R; d++) begin : stage
        if (d == 0) begin : first
          always_ff @(posedge clk)
            if (!rst_n) {a_skew[i][d], f_skew[i][d]} <= '0;
            else {a_skew[i][d], f_skew[i][d]} <= {in_a[i*A_BITS +: A_BITS], in_valid, in_first, in_last};
        end else begin : next
          always_ff @(posedge clk)
            if (!rst_n) {a_skew[i][d], f_skew[i][d]} <= '0;
            else {a_skew[i][d], f_skew[i][d]} <= {a_skew[i][d-1], f_skew[i][d-1]};
        end
      end
    end
    for (genvar j = 0; j < C; j++) begin : skew_b
      for (genvar d = 0; d < C; d++) begin : stage
        if (d == 0) begin : first
          always_ff @(posedge clk)
            if (!rst_n) b_skew[j][d] <= '0;
            else b_skew[j][d] <= col_in[j*WB +: WB];
        end else begin : next
          always_ff @(posedge clk)
            if (!rst_n) b_skew[j][d] <= '0;
            else b_skew[j][d] <= b_skew[j][d-1];
        end
      end
    end
    for (genvar i = 0; i < R; i++) begin : hop_row
      for (genvar j = 0; j < C; j++) begin : hop_col
        always_ff @(posedge clk)
          if (!rst_n) {a_hop[i][j], f_hop[i][j], b_hop[i][j]} <= '0;
          else {a_hop[i][j], f_hop[i][j], b_hop[i][j]} <= {a_at[i][j], f_at[i][j], b_at[i][j]};
      end
    end
    for (genvar i = 0; i < R; i++) begin : row
      for (genvar j = 0; j < C; j++) begin : col
        if (j == 0 && i == 0) begin : corner
          assign a_at[i][j] = in_a[A_BITS-1:0];
          assign f_at[i][j] = {in_valid, in_first, in_last};
        end else if (j == 0) begin : left_edge
          assign a_at[i][j] = a_skew[i][i-1];
          assign f_at[i][j] = f_skew[i][i-1];
        end else begin : from_left
          assign a_at[i][j] = a_hop[i][j-1];
          assign f_at[i][j] = f_hop[i][j-1];
        end
        if (i == 0 && j == 0) begin : corner_b
          assign b_at[i][j] = col_in[WB-1:0];
        end else if (i == 0) begin : top_edge
          assign b_at[i][j] = b_skew[j][j-1];
        end else begin : from_top
          assign b_at[i][j] = b_hop[i-1][j];
        end
      end
    end
  end

  // The cells: the PE's own RTL. (PE is compared with names of other lengths: WIDTH is waived.)
  /* verilator lint_off WIDTH */
  for (genvar i = 0; i < R; i++) begin : pe_row
    for (genvar j = 0; j < C; j++) begin : pe_col
      /* verilator lint_off UNUSEDSIGNAL */
      logic in_ready;  // always high: out_ready is tied high, nothing stalls
      logic [WB-1:0] b;
      /* verilator lint_on UNUSEDSIGNAL */
      assign b = b_at[i][j];
      if (PE == "int_mac") begin : g_int_mac
        int_mac #(.A_BITS(INT_A_BITS), .W_BITS(INT_W_BITS), .ACC_BITS(INT_ACC_BITS), .SATURATE(INT_SATURATE),
                  .STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "fp8_mac") begin : g_fp8_mac
        fp8_mac #(.A_E(FP8_A_E), .A_M(FP8_A_M), .A_BIAS(FP8_A_BIAS), .A_CONV(FP8_A_CONV), .W_E(FP8_W_E),
                  .W_M(FP8_W_M), .W_BIAS(FP8_W_BIAS), .W_CONV(FP8_W_CONV), .ACC_E(FP8_ACC_E), .ACC_M(FP8_ACC_M),
                  .PER_PRODUCT(FP8_PER_PRODUCT), .TREE_INPUTS(FP8_TREE_INPUTS), .ALIGN_BITS(FP8_ALIGN_BITS),
                  .ROUND_SHIFTED(FP8_ROUND_SHIFTED), .STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "lmul_pe") begin : g_lmul_pe
        lmul_pe #(.E(LMUL_E), .M(LMUL_M), .BIAS(LMUL_BIAS), .CONV(LMUL_CONV), .VARIANT(LMUL_VARIANT),
                  .ACC_E(LMUL_ACC_E), .ACC_M(LMUL_ACC_M), .STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "mixpe") begin : g_mixpe
        mixpe #(.A_BITS(MIX_A_BITS), .A_FP16(MIX_A_FP16), .W_BITS(MIX_W_BITS), .ZERO_POINT(MIX_ZERO_POINT),
                .GROUP(MIX_GROUP), .ACC_E(MIX_ACC_E), .ACC_M(MIX_ACC_M), .STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .in_scale(b[W_BITS +: 16]),
            .in_zero(b[W_BITS+SCALE_BITS +: MIX_W_BITS]),
            .out_valid(out_valid[i*C+j]), .out_ready(1'b1), .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "lut_tensor_core") begin : g_lut_tensor_core
        lut_tensor_core #(.A_BITS(LUT_A_BITS), .A_FP16(LUT_A_FP16), .TABLE_E(LUT_TABLE_E), .TABLE_M(LUT_TABLE_M),
                          .W_BITS(LUT_W_BITS), .K(LUT_K), .GROUP(LUT_GROUP), .SYMMETRIZE(LUT_SYMMETRIZE),
                          .ACC_E(LUT_ACC_E), .ACC_M(LUT_ACC_M), .STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .in_scale(b[W_BITS +: 16]),
            .in_zero(b[W_BITS+SCALE_BITS +: LUT_W_BITS]),
            .out_valid(out_valid[i*C+j]), .out_ready(1'b1), .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "rmmec") begin : g_rmmec
        rmmec #(.MODE(RM_MODE), .LANES(RM_LANES), .ACC_FP32(RM_ACC_FP32), .OUT_POSIT(RM_OUT_POSIT), .OUT_E(RM_OUT_E),
                .OUT_M(RM_OUT_M), .OUT_N(RM_OUT_N), .OUT_ES(RM_OUT_ES), .STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end
    end
  end
  /* verilator lint_on WIDTH */
endmodule
