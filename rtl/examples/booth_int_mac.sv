// A user's own INT8 MAC, written independently of arithsim's rtl/int_mac.sv: a radix-4
// Booth multiplier (4 partial products of the 8-bit weight's recoded digits) feeding an
// accumulator. It keeps arithsim's PE ports and handshake (docs/cosim.md, "Your own RTL"),
// so the co-simulation harness checks it, cycle by cycle, against arithsim's int_mac model:
// tests/cosim/user_rtl_example_test.cpp.
module booth_int_mac #(
    parameter int BUG_DIGIT = 0  // 1: a deliberate recoding bug, for the harness's own test
) (
    input  logic        clk,
    input  logic        rst_n,
    input  logic        in_valid,
    output logic        in_ready,
    input  logic        in_first,
    input  logic        in_last,
    input  logic [7:0]  in_a,
    input  logic [7:0]  in_w,
    output logic        out_valid,
    input  logic        out_ready,
    output logic [31:0] out_acc
);
  wire stall = out_valid && !out_ready;
  assign in_ready = !stall;

  // Radix-4 Booth: digit d_k = -2 w[2k+1] + w[2k] + w[2k-1] in {-2..2} (w[-1] = 0), k = 0..3,
  // product = sum d_k a 4^k (the top digit carries the weight's sign bit).
  logic signed [15:0] pp [4];
  logic        [8:0]  wext;
  logic signed [15:0] product;
  always_comb begin
    wext = {in_w, 1'b0};  // with the implicit w[-1] = 0
    product = '0;
    for (int k = 0; k < 4; k++) begin
      case (wext[2*k +: 3])
        3'b001, 3'b010: pp[k] = 16'($signed(in_a));
        3'b011:         pp[k] = BUG_DIGIT != 0 ? 16'($signed(in_a)) : 16'($signed(in_a)) <<< 1;
        3'b100:         pp[k] = -(16'($signed(in_a)) <<< 1);
        3'b101, 3'b110: pp[k] = -16'($signed(in_a));
        default:        pp[k] = '0;
      endcase
      product = product + (pp[k] <<< (2 * k));
    end
  end

  // One pipeline register, then the accumulator and the result register.
  logic               p_valid, p_first, p_last;
  logic signed [15:0] p_prod;
  logic signed [31:0] acc;
  wire  signed [31:0] acc_next = (p_first ? 32'sd0 : acc) + 32'($signed(p_prod));

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      p_valid <= 1'b0;
      p_first <= 1'b0;
      p_last <= 1'b0;
      p_prod <= '0;
      acc <= '0;
      out_valid <= 1'b0;
      out_acc <= '0;
    end else if (!stall) begin
      p_valid <= in_valid;
      if (in_valid) begin
        p_first <= in_first;
        p_last <= in_last;
        p_prod <= product;
      end
      if (p_valid) acc <= acc_next;
      if (p_valid && p_last) begin
        out_valid <= 1'b1;
        out_acc <= acc_next;
      end else if (out_valid) begin
        out_valid <= 1'b0;
      end
    end
  end
endmodule
