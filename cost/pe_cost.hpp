// The cost of a processing element from its datapath stages: every PE of the cycle models
// (int_mac, fp8_mac, lmul_pe, mixpe, lut_tensor_core, rmmec) lists its stages (decode,
// multiply, align, accumulate, normalize, round, dequantize, precompute, lookup, shift, quire,
// encode, ...) as components of the one component library, at the widths of its configuration
// (the cycle parameters), plus its pipeline, accumulator and result registers. Area, energy per
// cycle / per MAC, leakage, per-stage delay and a clock estimate follow; dynamic energy scales
// with the switching activity measured by running the PE's cycle model. docs/cost.md.
//
//   const auto lib = ComponentLibrary::builtin();
//   PeCost c = pe_cost(lib, "fp8_mac", {{"acc", "fp16"}}, lib.technology().node(28));
//   PeEnergy e = evaluate(c, activity_factors(measure_activity("fp8_mac", {}, OperandSpec{})), 1e9);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <arithsim/cost/component_library.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>
#include <arithsim/models/pe/pe.hpp>

namespace arithsim::cost {

// Where a part sits: the combinational front (decode -> multiply, or table precompute ->
// lookup), the pipeline registers, the accumulate loop (accumulate, dequantize, quire) and the
// output (round/encode into the result register). The clock is set by the slowest of
// front / stages (retiming over the pipeline registers assumed) and loop + output.
enum class Segment { Front, Pipeline, Loop, Output };
const char* segment_name(Segment s);

// Which measured switching activity scales a part's dynamic energy: the operand words (the
// front's logic), the pipeline registers, the accumulator (loop logic and registers, the
// output's rounding) or the result register.
enum class Toggle { Input, Pipe, Acc, Out };

struct PePart {
  std::string stage;      // house stage name: decode, multiply, align, accumulate, ...
  std::string part;       // what it is within the stage: "significand multiplier"
  std::string component;  // the library component pricing it
  std::vector<double> widths;  // its widths (the component's params, in order)
  std::vector<std::string> params;  // the names of those widths
  std::string via;        // the composite it was taken from (fp_adder, ...), or empty
  std::vector<double> via_widths;
  std::vector<std::string> via_params;
  double count = 1;       // instances (lanes, table entries, adders of a tree)
  double rate = 1;        // operations per PE cycle (1/group cycles: dequantize; 1/dot: result)
  double depth = 1;       // instances in series on the path (adder tree levels)
  bool parallel = false;  // beside the previous part of its stage (delay: max), not after it
  bool clocked = false;   // a register: part of its energy is the clock (PeCostOptions::clock_share)
  Segment segment = Segment::Front;
  Toggle toggle = Toggle::Input;
  Cost unit;              // one instance at the node, with its source

  double area_um2() const { return unit.area_um2 * count; }
  double leakage_uw() const { return unit.leakage_uw * count; }
  double energy_ref_pj() const { return unit.energy_pj * count * rate; }  // per PE cycle, reference activity
  double delay_ps() const { return unit.delay_ps * depth; }
};

struct PeCostOptions {
  // The activity at which the library's energies hold: uniformly random operands toggle each
  // bit with probability 1/2 between consecutive operations (the condition of Horowitz's
  // per-operation energies, an assumption: the table does not state its data).
  double reference_activity = 0.5;
  // Share of a register's energy that is its clock (paid every clocked cycle, whatever the
  // data); the rest scales with the data's activity. Assumed.
  double clock_share = 0.5;
  // Elements per dot product: the result register loads once per dot product.
  double dot_length = 256;
};

// Activity factors (mean fraction of bits toggling per operation) at the operands, the
// accumulator, and optionally the pipeline and result registers (unset: the operands' and
// the accumulator's); the reference values reproduce the library's energies.
struct ActivityFactors {
  double input = 0.5, acc = 0.5;
  std::string how = "reference";  // what they come from
  std::optional<double> pipe, out;
  double pipe_or_input() const { return pipe.value_or(input); }
  double out_or_acc() const { return out.value_or(acc); }
};

struct StageSummary {
  std::string stage;
  Segment segment = Segment::Front;
  double area_um2 = 0, energy_pj = 0, leakage_uw = 0, delay_ps = 0;  // energy: per PE cycle
};

struct PeCost {
  std::string pe;
  pe::Params params;
  Node node;
  PeCostOptions options;
  int stages = 1;             // front pipeline registers
  double macs_per_cycle = 1;  // lanes / k elements per operand word
  double dot_cycles = 256;    // cycles per dot product
  std::vector<PePart> parts;
  // Totals (area, leakage; energy per PE cycle at the reference activity).
  double area_um2 = 0, leakage_uw = 0, energy_ref_pj = 0;
  // Delays: each segment's logic, the register overhead, the clock estimate.
  double front_delay_ps = 0, loop_delay_ps = 0, register_delay_ps = 0, clock_ps = 0;
  std::string critical;       // "front" or "loop"
  // The energy per cycle split by what scales it (precomputed for evaluate()):
  // E = e_input * a_in/ref + e_pipe * a_pipe/ref + e_acc * a_acc/ref + e_out * a_out/ref + e_clock.
  double e_input = 0, e_pipe = 0, e_acc = 0, e_out = 0, e_clock = 0;
  // Empty: priced by this model. Else the synthesis its parts come from (sim/synth/synth_cost:
  // the netlist's cells, OpenSTA's critical path and power), in words.
  std::string synthesized;

  double fmax_hz() const { return clock_ps > 0 ? 1e12 / clock_ps : 0; }
};

// One part priced from the library at `node` (its unit cost, parameter names; a "register"
// is clocked). What the PE and the array costs build their part lists from.
PePart priced_part(const ComponentLibrary& lib, const Node& node, std::string stage, std::string part,
                   std::string component, std::vector<double> widths, Segment seg, Toggle tog, double count = 1);

// PEs with a cost model (the cycle models' PEs).
std::vector<std::string> costed_pes();

// The PE's parts priced at `node`. Throws pe::PeError / std::invalid_argument for a bad PE or
// parameter, LibraryError for a library problem.
PeCost pe_cost(const ComponentLibrary& lib, const std::string& pe, const pe::Params& params, const Node& node,
               const PeCostOptions& options = {});

struct PeEnergy {
  double freq_hz = 0;
  double dynamic_pj = 0;   // per PE cycle
  double leakage_pj = 0;   // per PE cycle (leakage power / frequency)
  double total_pj = 0;     // per PE cycle
  double pj_per_mac = 0;   // total per multiply-accumulate
  double power_mw = 0;     // at freq_hz, the PE busy every cycle
};

// Recomputes the totals (area, leakage, reference energy) and the fast-path energy split from
// c.parts, after parts were added or removed (array_cost moves LUT precompute out of the PE).
void retotal(PeCost& c);

// The analytical fast path: O(1) from the precomputed split.
PeEnergy evaluate(const PeCost& c, const ActivityFactors& a, double freq_hz);
// A part's dynamic energy per PE cycle at that activity.
double part_energy_pj(const PeCost& c, const PePart& p, const ActivityFactors& a);
// Per stage (in order of first appearance): area, activity-scaled energy, leakage, delay.
std::vector<StageSummary> stage_breakdown(const PeCost& c, const ActivityFactors& a);

// Operand distributions for measured activity: uniformly random codes (non-finite codes
// excluded), all-zero codes, or random with each lane zero with probability p ("sparse:p").
struct OperandSpec {
  enum class Kind { Random, Zeros, Sparse } kind = Kind::Random;
  double zero_fraction = 0;  // Sparse
  uint64_t seed = 1;
  size_t cycles = 4096;      // PE cycles simulated
  double dot_length = 256;   // elements per dot product (rounded up to whole weight groups)
};
// "random" | "zeros" | "sparse:P" (0 <= P <= 1); std::invalid_argument otherwise.
OperandSpec parse_operand_spec(const std::string& s);
std::string to_string(const OperandSpec& s);

// Runs the PE's cycle model on operands from `spec` and returns its measured activity.
cycle::Activity measure_activity(const std::string& pe, const pe::Params& params, const OperandSpec& spec);

// Streams `cycles` elements into `model` (reset first, activity recording on) and returns its
// activity: dot products of `dot_words` words (in_first / in_last), weight groups of
// `group_words` words. At each group's first element group(t) gives the {in_scale, in_zero}
// codes (called first), then element(t) the {in_a, in_w} words of element t. The group scale /
// zero point are constant within a group and feed only the dequantize stage, so their (few)
// toggles are taken out of the operand activity. What measure_activity and the estimator's
// sampled activity share.
using CodePair = std::pair<uint64_t, uint64_t>;
cycle::Activity measure_stream(cycle::PeCycleModel& model, size_t cycles, size_t dot_words, size_t group_words,
                               const std::function<CodePair(size_t)>& group,
                               const std::function<CodePair(size_t)>& element);
ActivityFactors activity_factors(const cycle::Activity& a, const std::string& how = "measured");

// Spearman's rank correlation of two equally long samples (ties get their mean rank; the
// Pearson correlation of the ranks). std::invalid_argument for fewer than 2 values or unequal
// lengths; NaN when one sample is constant. Used for the calibration against synthesis.
double spearman_rank_correlation(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace arithsim::cost
