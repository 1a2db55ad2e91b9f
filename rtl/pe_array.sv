// R x C array of any PE: the twin of models/cycle/pe_array.hpp.
//   DATAFLOW 0 (os): output-stationary systolic array. Row i of A (with the valid/first/last
//     flags) enters delayed i edges by the input skew, column j of B (with its group scale and
//     zero point) delayed j edges; A and the flags move right one PE per edge (hop registers),
//     B moves down. PE (i,j) therefore sees the array's inputs of edge t - i - j.
//   DATAFLOW 1 (dot): dot-product tile: row i of A is broadcast to every PE of row i, column j
//     of B to every PE of column j, in the same edge.
// Every cell is the PE's own module (rtl/<PE>.sv) with out_ready tied high: results leave the
// PE's result register (out_valid[i*C+j], out_acc) the edge after they are latched. The cells
// get STAGES and the port widths; their other parameters keep the PE module's defaults (its
// default configuration, e.g. fp8_mac E4M3 x E4M3 -> FP32, rmmec Posit(8,0) x 2 lanes).
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
    parameter int STAGES = 1
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
  localparam int WB = W_BITS + SCALE_BITS + ZERO_BITS;  // what travels down a column

  // The inputs as they reach each PE.
  logic [A_BITS-1:0] a_at [R][C];
  logic [2:0]        f_at [R][C];  // {valid, first, last}
  logic [WB-1:0]     b_at [R][C];  // {zero, scale, w}

  if (DATAFLOW == 1) begin : dot_tile
    for (genvar i = 0; i < R; i++) begin : row
      for (genvar j = 0; j < C; j++) begin : col
        assign a_at[i][j] = in_a[i*A_BITS +: A_BITS];
        assign f_at[i][j] = {in_valid, in_first, in_last};
        assign b_at[i][j] = {in_zero[j*ZERO_BITS +: ZERO_BITS], in_scale[j*SCALE_BITS +: SCALE_BITS], in_w[j*W_BITS +: W_BITS]};
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
    always_ff @(posedge clk) begin
      if (!rst_n) begin
        for (int i = 0; i < R; i++)
          for (int d = 0; d < R; d++) begin
            a_skew[i][d] <= '0;
            f_skew[i][d] <= '0;
          end
        for (int j = 0; j < C; j++)
          for (int d = 0; d < C; d++) b_skew[j][d] <= '0;
        for (int i = 0; i < R; i++)
          for (int j = 0; j < C; j++) begin
            a_hop[i][j] <= '0;
            f_hop[i][j] <= '0;
            b_hop[i][j] <= '0;
          end
      end else begin
        for (int i = 0; i < R; i++) begin
          a_skew[i][0] <= in_a[i*A_BITS +: A_BITS];
          f_skew[i][0] <= {in_valid, in_first, in_last};
          for (int d = 1; d < R; d++) begin
            a_skew[i][d] <= a_skew[i][d-1];
            f_skew[i][d] <= f_skew[i][d-1];
          end
        end
        for (int j = 0; j < C; j++) begin
          b_skew[j][0] <= {in_zero[j*ZERO_BITS +: ZERO_BITS], in_scale[j*SCALE_BITS +: SCALE_BITS], in_w[j*W_BITS +: W_BITS]};
          for (int d = 1; d < C; d++) b_skew[j][d] <= b_skew[j][d-1];
        end
        for (int i = 0; i < R; i++)
          for (int j = 0; j < C; j++) begin
            a_hop[i][j] <= a_at[i][j];
            f_hop[i][j] <= f_at[i][j];
            b_hop[i][j] <= b_at[i][j];
          end
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
          assign b_at[i][j] = {in_zero[ZERO_BITS-1:0], in_scale[SCALE_BITS-1:0], in_w[W_BITS-1:0]};
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
        int_mac #(.A_BITS(A_BITS), .W_BITS(W_BITS), .ACC_BITS(OUT_BITS), .STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "fp8_mac") begin : g_fp8_mac
        fp8_mac #(.STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "lmul_pe") begin : g_lmul_pe
        lmul_pe #(.STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "mixpe") begin : g_mixpe
        mixpe #(.STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .in_scale(b[W_BITS +: 16]), .in_zero(b[W_BITS+SCALE_BITS +: W_BITS]),
            .out_valid(out_valid[i*C+j]), .out_ready(1'b1), .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "lut_tensor_core") begin : g_lut_tensor_core
        lut_tensor_core #(.STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .in_scale(b[W_BITS +: 16]), .in_zero(b[W_BITS+SCALE_BITS +: 2]),
            .out_valid(out_valid[i*C+j]), .out_ready(1'b1), .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end else if (PE == "rmmec") begin : g_rmmec
        rmmec #(.STAGES(STAGES)) u (
            .clk, .rst_n, .in_valid(f_at[i][j][2]), .in_ready, .in_first(f_at[i][j][1]), .in_last(f_at[i][j][0]),
            .in_a(a_at[i][j]), .in_w(b[W_BITS-1:0]), .out_valid(out_valid[i*C+j]), .out_ready(1'b1),
            .out_acc(out_acc[(i*C+j)*OUT_BITS +: OUT_BITS]));
      end
    end
  end
  /* verilator lint_on WIDTH */
endmodule
