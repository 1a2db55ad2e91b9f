// Output-stationary systolic array of integer MAC cells: the cycle-level twin of
// models/cycle/systolic_os.hpp. Row i of A enters on the left, delayed i cycles by the input
// skew; column j of B enters at the top, delayed j cycles; A (with its valid/first/last
// flags) moves right one PE per cycle, B moves down. PE (i,j) multiplies the pair that meets
// there (multiply), adds it to its accumulator (accumulate; in_first restarts it) and, on the
// last element, latches the dot product into its result register (out_c, out_valid).
module systolic_os #(
    parameter int R = 4,
    parameter int C = 4,
    parameter int A_BITS = 8,
    parameter int W_BITS = 8,
    parameter int ACC_BITS = 32
) (
    input  logic                          clk,
    input  logic                          rst_n,
    input  logic                          in_valid,
    input  logic                          in_first,
    input  logic                          in_last,
    input  logic [R*A_BITS-1:0]           in_a,   // element k of each row of A
    input  logic [C*W_BITS-1:0]           in_b,   // element k of each column of B
    output logic [R*C-1:0]                out_valid,
    output logic [R*C*ACC_BITS-1:0]       out_c
);
  localparam int P_BITS = A_BITS + W_BITS;

  // Skew: row i delayed i cycles (data and flags), column j delayed j cycles.
  logic [A_BITS-1:0] a_skew [R][R];
  logic [2:0]        f_skew [R][R];  // {valid, first, last}
  logic [W_BITS-1:0] b_skew [C][C];
  // Values entering PE (i,j) from the left / top, and the registers passing them on.
  logic [A_BITS-1:0] a_reg [R][C];
  logic [2:0]        f_reg [R][C];
  logic [W_BITS-1:0] b_reg [R][C];
  logic signed [ACC_BITS-1:0] acc [R][C];

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      for (int i = 0; i < R; i++)
        for (int d = 0; d < R; d++) begin
          a_skew[i][d] <= '0;
          f_skew[i][d] <= '0;
        end
      for (int j = 0; j < C; j++)
        for (int d = 0; d < C; d++) b_skew[j][d] <= '0;
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
        b_skew[j][0] <= in_b[j*W_BITS +: W_BITS];
        for (int d = 1; d < C; d++) b_skew[j][d] <= b_skew[j][d-1];
      end
    end
  end

  for (genvar i = 0; i < R; i++) begin : row
    for (genvar j = 0; j < C; j++) begin : col
      logic [A_BITS-1:0] a_in;
      logic [2:0]        f_in;
      logic [W_BITS-1:0] b_in;
      if (j == 0) begin : left_edge
        if (i == 0) begin : corner
          assign a_in = in_a[A_BITS-1:0];
          assign f_in = {in_valid, in_first, in_last};
        end else begin : skewed
          assign a_in = a_skew[i][i-1];
          assign f_in = f_skew[i][i-1];
        end
      end else begin : from_left
        assign a_in = a_reg[i][j-1];
        assign f_in = f_reg[i][j-1];
      end
      if (i == 0) begin : top_edge
        if (j == 0) begin : corner
          assign b_in = in_b[W_BITS-1:0];
        end else begin : skewed
          assign b_in = b_skew[j][j-1];
        end
      end else begin : from_top
        assign b_in = b_reg[i-1][j];
      end
      // multiply -> accumulate
      wire signed [P_BITS-1:0]   prod = P_BITS'($signed(a_in)) * P_BITS'($signed(b_in));
      wire signed [ACC_BITS-1:0] sum = (f_in[1] ? '0 : acc[i][j]) + ACC_BITS'(prod);
      always_ff @(posedge clk) begin
        if (!rst_n) begin
          a_reg[i][j] <= '0;
          f_reg[i][j] <= '0;
          b_reg[i][j] <= '0;
          acc[i][j] <= '0;
          out_valid[i*C+j] <= 1'b0;
          out_c[(i*C+j)*ACC_BITS +: ACC_BITS] <= '0;
        end else begin
          a_reg[i][j] <= a_in;
          f_reg[i][j] <= f_in;
          b_reg[i][j] <= b_in;
          out_valid[i*C+j] <= f_in[2] && f_in[0];
          if (f_in[2]) begin
            acc[i][j] <= sum;
            if (f_in[0]) out_c[(i*C+j)*ACC_BITS +: ACC_BITS] <= sum;
          end
        end
      end
    end
  end
endmodule
