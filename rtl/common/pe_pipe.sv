// The front pipeline every PE shares (models/cycle/pe_cycle.hpp, StreamingPe): STAGES
// registers between the front stage (decode -> multiply) and the accumulate stage, carrying
// the element's valid/first/last flags and the front stage's term. Like the C++ model, the
// first register loads flags and term only with a valid element, later registers copy their
// predecessor, and every register holds while `hold` (the stall) is high.
module pe_pipe #(
    parameter int STAGES = 1,
    parameter int WIDTH = 16
) (
    input  logic             clk,
    input  logic             rst_n,
    input  logic             hold,
    input  logic             d_valid,
    input  logic             d_first,
    input  logic             d_last,
    input  logic [WIDTH-1:0] d_term,
    output logic             q_valid,
    output logic             q_first,
    output logic             q_last,
    output logic [WIDTH-1:0] q_term
);
  logic             valid[STAGES], first[STAGES], last[STAGES];
  logic [WIDTH-1:0] term [STAGES];

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      for (int s = 0; s < STAGES; s++) begin
        valid[s] <= 1'b0;
        first[s] <= 1'b0;
        last[s]  <= 1'b0;
        term[s]  <= '0;
      end
    end else if (!hold) begin
      valid[0] <= d_valid;
      if (d_valid) begin
        first[0] <= d_first;
        last[0]  <= d_last;
        term[0]  <= d_term;
      end
      for (int s = 1; s < STAGES; s++) begin
        valid[s] <= valid[s-1];
        first[s] <= first[s-1];
        last[s]  <= last[s-1];
        term[s]  <= term[s-1];
      end
    end
  end

  assign q_valid = valid[STAGES-1];
  assign q_first = first[STAGES-1];
  assign q_last  = last[STAGES-1];
  assign q_term  = term[STAGES-1];
endmodule
