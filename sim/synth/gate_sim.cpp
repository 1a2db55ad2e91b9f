#include "sim/synth/gate_sim.hpp"

#include <bit>
#include <cctype>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace arithsim::synth {
namespace {

// A liberty function compiled to reverse Polish notation over the cell's variable slots
// (its input pins, then the flip-flop's two state variables): >= 0 pushes a slot.
constexpr size_t kMaxSlots = 80;  // a cell's variables: its inputs and the two state variables
enum Op : int32_t { kNot = -1, kAnd = -2, kOr = -3, kXor = -4, kZero = -5, kOne = -6 };
using Code = std::vector<int32_t>;

// The evaluation stack depth a code needs (eval's stack holds 64; parse() checks).
size_t depth(const Code& c) {
  long d = 0, m = 0;
  for (const int32_t op : c) {
    d += op >= 0 || op == kZero || op == kOne ? 1 : op == kNot ? 0 : -1;
    m = std::max(m, d);
  }
  return size_t(m);
}

// Liberty's function syntax: ! and postfix ' (not), ^ (xor), & * or juxtaposition (and),
// | + (or), parentheses, 0 / 1; precedence in that order, highest first.
class FunctionParser {
 public:
  FunctionParser(const std::string& text, const std::vector<std::string>& vars) : t_(text), vars_(vars) {}
  Code parse() {
    Code c;
    parse_or(c);
    skip();
    if (i_ != t_.size()) fail("unexpected '" + t_.substr(i_, 1) + "'");
    if (depth(c) > 60) fail("too deep");
    return c;
  }

 private:
  void fail(const std::string& why) const { throw std::runtime_error(fmt::format("function \"{}\": {}", t_, why)); }
  void skip() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  bool starts_factor() {
    skip();
    if (i_ >= t_.size()) return false;
    const char c = t_[i_];
    return c == '!' || c == '(' || std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  }
  void parse_or(Code& c) {
    parse_and(c);
    for (skip(); i_ < t_.size() && (t_[i_] == '|' || t_[i_] == '+'); skip()) {
      ++i_;
      parse_and(c);
      c.push_back(kOr);
    }
  }
  void parse_and(Code& c) {
    parse_xor(c);
    for (;;) {
      skip();
      if (i_ < t_.size() && (t_[i_] == '&' || t_[i_] == '*')) {
        ++i_;
      } else if (!starts_factor()) {
        return;
      }
      parse_xor(c);
      c.push_back(kAnd);
    }
  }
  void parse_xor(Code& c) {
    parse_unary(c);
    for (skip(); i_ < t_.size() && t_[i_] == '^'; skip()) {
      ++i_;
      parse_unary(c);
      c.push_back(kXor);
    }
  }
  void parse_unary(Code& c) {
    skip();
    if (i_ >= t_.size()) fail("ends early");
    if (t_[i_] == '!') {
      ++i_;
      parse_unary(c);
      c.push_back(kNot);
      return;
    }
    if (t_[i_] == '(') {
      ++i_;
      parse_or(c);
      skip();
      if (i_ >= t_.size() || t_[i_] != ')') fail("missing ')'");
      ++i_;
    } else {
      const size_t b = i_;
      while (i_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '_')) ++i_;
      const std::string name = t_.substr(b, i_ - b);
      if (name.empty()) fail("expected a pin name");
      if (name == "0" || name == "1") {
        c.push_back(name == "0" ? kZero : kOne);
      } else {
        size_t k = 0;
        while (k < vars_.size() && vars_[k] != name) ++k;
        if (k == vars_.size()) fail("unknown pin '" + name + "'");
        c.push_back(int32_t(k));
      }
    }
    for (skip(); i_ < t_.size() && t_[i_] == '\''; skip()) {
      ++i_;
      c.push_back(kNot);
    }
  }
  const std::string& t_;
  const std::vector<std::string>& vars_;
  size_t i_ = 0;
};

uint64_t eval(const Code& code, const uint64_t* slots) {
  uint64_t stack[64];
  int sp = 0;
  for (const int32_t op : code) {
    switch (op) {
      case kNot: stack[sp - 1] = ~stack[sp - 1]; break;
      case kAnd: --sp, stack[sp - 1] &= stack[sp]; break;
      case kOr: --sp, stack[sp - 1] |= stack[sp]; break;
      case kXor: --sp, stack[sp - 1] ^= stack[sp]; break;
      case kZero: stack[sp++] = 0; break;
      case kOne: stack[sp++] = ~uint64_t(0); break;
      default: stack[sp++] = slots[op];
    }
  }
  return stack[0];
}

struct CellModel {
  std::vector<std::string> inputs, outputs;
  std::vector<Code> out_code;  // per output
  bool seq = false;
  Code next, clear, preset;    // seq only (empty: absent)
};

CellModel model_of(const LibertyCell& cell) {
  if (cell.other_state) throw std::runtime_error(fmt::format("cell '{}' is a latch or state table: not simulated", cell.name));
  CellModel m;
  for (const auto& p : cell.pins) {
    if (p.direction == "input") m.inputs.push_back(p.name);
    else if (p.direction == "output") m.outputs.push_back(p.name);
  }
  if (m.inputs.size() + 2 > kMaxSlots)
    throw std::runtime_error(fmt::format("cell '{}' has {} inputs (at most {} simulated)", cell.name, m.inputs.size(),
                                         kMaxSlots - 2));
  std::vector<std::string> vars = m.inputs;
  if (cell.ff) {
    m.seq = true;
    vars.push_back(cell.ff->state);
    vars.push_back(cell.ff->state_n.empty() ? "\x01" : cell.ff->state_n);
    const std::vector<std::string> ins = m.inputs;
    m.next = FunctionParser(cell.ff->next_state, ins).parse();
    if (!cell.ff->clear.empty()) m.clear = FunctionParser(cell.ff->clear, ins).parse();
    if (!cell.ff->preset.empty()) m.preset = FunctionParser(cell.ff->preset, ins).parse();
  }
  for (const auto& p : cell.pins)
    if (p.direction == "output") {
      if (p.function.empty()) throw std::runtime_error(fmt::format("cell '{}': output {} has no function", cell.name, p.name));
      m.out_code.push_back(FunctionParser(p.function, vars).parse());
    }
  return m;
}

// "in_a[3]" -> ("in_a", 3); "clk" -> ("clk", 0).
std::pair<std::string, int> port_bit(const std::string& name) {
  const size_t b = name.rfind('[');
  if (b == std::string::npos || name.back() != ']') return {name, 0};
  return {name.substr(0, b), std::stoi(name.substr(b + 1, name.size() - b - 2))};
}

}  // namespace

bool liberty_function_value(const std::string& function, const std::map<std::string, bool>& pins) {
  std::vector<std::string> vars;
  std::vector<uint64_t> slots;
  for (const auto& [name, v] : pins) vars.push_back(name), slots.push_back(v ? ~uint64_t(0) : 0);
  return eval(FunctionParser(function, vars).parse(), slots.data()) & 1;
}

struct GateNetlist {
  struct Inst {
    std::string name;
    const CellModel* model = nullptr;
    std::vector<int> in, out;  // nets per input / output pin (-1: unconnected output)
    std::vector<std::string> out_pins;
  };
  std::vector<CellModel> models;  // owned; insts point into it
  std::vector<Inst> comb;         // in evaluation order
  std::vector<Inst> seq;
  size_t nets = 2;                // 0: constant 0, 1: constant 1
  std::map<std::string, std::vector<int>> inputs, outputs;  // port base name -> net per bit
  std::map<std::string, std::string> registers;             // flip-flop instance -> its RTL register bit
};

std::string register_name(const GateNetlist& n, const std::string& instance) {
  const auto it = n.registers.find(instance);
  return it == n.registers.end() ? "" : it->second;
}

std::shared_ptr<const GateNetlist> read_gate_netlist(const std::string& json_path, const std::string& top,
                                                     const std::vector<Liberty>& libs) {
  auto fail = [&](const std::string& why) { throw std::runtime_error(fmt::format("{}: {}", json_path, why)); };
  std::ifstream in(json_path);
  if (!in) fail("cannot be read");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail(fmt::format("not yosys JSON ({})", e.what()));
  }
  if (!j.contains("modules") || !j["modules"].contains(top)) fail(fmt::format("no module '{}'", top));
  const auto& mod = j["modules"][top];
  auto n = std::make_shared<GateNetlist>();
  std::unordered_map<long, int> ids;
  auto net = [&](const nlohmann::json& bit) -> int {
    if (bit.is_string()) return bit.get<std::string>() == "1" ? 1 : 0;  // "0", "x", "z": 0
    const long id = bit.get<long>();
    const auto [it, fresh] = ids.emplace(id, int(n->nets));
    if (fresh) ++n->nets;
    return it->second;
  };
  for (const auto& [name, p] : mod.at("ports").items()) {
    const auto [base, bit] = port_bit(name);
    auto& v = (p.at("direction") == "input" ? n->inputs : n->outputs)[base];
    const auto& bits = p.at("bits");
    for (size_t k = 0; k < bits.size(); ++k) {
      const size_t at = size_t(bit) + k;
      if (v.size() <= at) v.resize(at + 1, 0);
      v[at] = net(bits[k]);
    }
  }
  std::map<std::string, size_t> model_of_type;
  std::vector<std::pair<std::string, const nlohmann::json*>> cells;
  for (const auto& [name, c] : mod.at("cells").items()) cells.emplace_back(name, &c);
  n->models.reserve(cells.size());  // pointers into it stay valid
  std::vector<GateNetlist::Inst> all;
  for (const auto& [name, c] : cells) {
    const std::string type = c->at("type").get<std::string>();
    if (!model_of_type.count(type)) {
      const LibertyCell* lc = nullptr;
      for (const auto& l : libs)
        if (!lc) lc = l.find(type);
      if (!lc) fail(fmt::format("cell '{}' of type '{}', which no given library has", name, type));
      try {
        n->models.push_back(model_of(*lc));
      } catch (const std::runtime_error& e) {
        fail(e.what());
      }
      model_of_type[type] = n->models.size() - 1;
    }
    GateNetlist::Inst inst;
    inst.name = name;
    inst.model = &n->models[model_of_type[type]];
    const auto& conn = c->at("connections");
    for (const auto& pin : inst.model->inputs) {
      if (!conn.contains(pin) || conn[pin].empty()) fail(fmt::format("cell '{}': input {} unconnected", name, pin));
      inst.in.push_back(net(conn[pin][0]));
    }
    for (const auto& pin : inst.model->outputs) {
      inst.out.push_back(conn.contains(pin) && !conn[pin].empty() ? net(conn[pin][0]) : -1);
      inst.out_pins.push_back(pin);
    }
    all.push_back(std::move(inst));
  }
  // Levelize the logic: a cell is evaluated after the cells driving its inputs.
  std::vector<int> driver(n->nets, -1);
  for (size_t i = 0; i < all.size(); ++i)
    if (!all[i].model->seq)
      for (const int o : all[i].out)
        if (o >= 0) driver[size_t(o)] = int(i);
  std::vector<int> pending(all.size(), 0);
  std::vector<std::vector<int>> users(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].model->seq) continue;
    for (const int x : all[i].in)
      if (driver[size_t(x)] >= 0) ++pending[i], users[size_t(driver[size_t(x)])].push_back(int(i));
  }
  std::vector<int> ready;
  for (size_t i = 0; i < all.size(); ++i)
    if (!all[i].model->seq && pending[i] == 0) ready.push_back(int(i));
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.back();
    ready.pop_back();
    order.push_back(i);
    for (const int u : users[size_t(i)])
      if (--pending[size_t(u)] == 0) ready.push_back(u);
  }
  size_t combinational = 0;
  for (const auto& c : all) combinational += !c.model->seq;
  if (order.size() != combinational) fail("a combinational loop");
  for (const int i : order) n->comb.push_back(all[size_t(i)]);
  // RTL names of the nets (yosys keeps the register names it flattened: `pipe.first`, `acc`).
  std::unordered_map<long, std::string> named;
  if (mod.contains("netnames"))
    for (const auto& [name, w] : mod["netnames"].items()) {
      if (w.value("hide_name", 1) != 0) continue;
      const auto& bits = w.at("bits");
      for (size_t k = 0; k < bits.size(); ++k)
        if (bits[k].is_number()) named.emplace(bits[k].get<long>(), bits.size() > 1 ? fmt::format("{}[{}]", name, k) : name);
    }
  std::unordered_map<int, std::string> net_name;
  for (const auto& [id, name] : named)
    if (const auto it = ids.find(id); it != ids.end()) net_name.emplace(it->second, name);
  for (auto& c : all)
    if (c.model->seq) {
      for (const int o : c.out)
        if (const auto it = net_name.find(o); o >= 0 && it != net_name.end() && !n->registers.count(c.name))
          n->registers[c.name] = it->second;
      n->seq.push_back(std::move(c));
    }
  return n;
}

GateRun simulate(const GateNetlist& n, const std::vector<std::vector<PortValues>>& lanes, size_t warmup) {
  if (lanes.empty() || lanes.size() > 64) throw std::invalid_argument("simulate: 1..64 lanes");
  const size_t cycles = lanes[0].size();
  for (const auto& l : lanes)
    if (l.size() != cycles) throw std::invalid_argument("simulate: lanes of unequal length");
  if (warmup >= cycles) throw std::invalid_argument("simulate: no cycle after the warm-up");
  std::vector<uint64_t> v(n.nets, 0), prev(n.nets, 0);
  std::vector<uint64_t> toggles(n.nets, 0);
  v[1] = prev[1] = ~uint64_t(0);
  std::vector<uint64_t> state(n.seq.size(), 0);
  uint64_t slots[kMaxSlots];
  auto load_inputs = [&](const GateNetlist::Inst& c) {  // the slot after the last: the first state variable
    size_t s = 0;
    for (const int x : c.in) slots[s++] = v[size_t(x)];
    return s;
  };
  auto outputs_of = [&](const GateNetlist::Inst& c) {
    for (size_t o = 0; o < c.out.size(); ++o)
      if (c.out[o] >= 0) v[size_t(c.out[o])] = eval(c.model->out_code[o], slots);
  };
  auto seq_outputs = [&] {
    for (size_t k = 0; k < n.seq.size(); ++k) {
      const size_t s = load_inputs(n.seq[k]);
      slots[s] = state[k];
      slots[s + 1] = ~state[k];
      outputs_of(n.seq[k]);
    }
  };
  auto settle = [&] {
    for (const auto& c : n.comb) {
      load_inputs(c);
      outputs_of(c);
    }
  };
  GateRun r;
  r.cycles = cycles - warmup;
  r.lanes = lanes.size();
  auto record_outputs = [&] {
    PortValues o;
    for (const auto& [port, bits] : n.outputs) {
      uint64_t x = 0;
      for (size_t b = 0; b < bits.size() && b < 64; ++b) x |= (v[size_t(bits[b])] & 1) << b;
      o[port] = x;
    }
    r.outputs.push_back(std::move(o));
  };
  seq_outputs();
  for (size_t t = 0; t < cycles; ++t) {
    for (const auto& [port, bits] : n.inputs) {
      for (const int x : bits)
        if (x >= 2) v[size_t(x)] = 0;
      for (size_t l = 0; l < lanes.size(); ++l) {
        const auto it = lanes[l][t].find(port);
        if (it == lanes[l][t].end()) continue;
        for (size_t b = 0; b < bits.size() && b < 64; ++b)
          if (bits[b] >= 2) v[size_t(bits[b])] |= ((it->second >> b) & 1) << l;
      }
    }
    settle();
    if (t > 0) record_outputs();  // after the previous edge, settled
    if (t >= warmup)
      for (size_t i = 2; i < n.nets; ++i) toggles[i] += uint64_t(std::popcount(v[i] ^ prev[i]));
    prev = v;
    // The clock edge: every flip-flop's next state from the settled values, then its outputs.
    for (size_t k = 0; k < n.seq.size(); ++k) {
      const auto& c = n.seq[k];
      load_inputs(c);
      uint64_t next = eval(c.model->next, slots);
      if (!c.model->preset.empty()) next |= eval(c.model->preset, slots);
      if (!c.model->clear.empty()) next &= ~eval(c.model->clear, slots);
      state[k] = next;
    }
    seq_outputs();
  }
  settle();
  record_outputs();
  const double samples = double(r.cycles) * double(r.lanes);
  double sum = 0;
  size_t pins = 0;
  // Every pin but those on the clock: the outputs' and the inputs' (OpenSTA prices a cell's
  // internal power from its input pins' activity, its switching power from its loads').
  std::vector<bool> clock(n.nets, false);
  if (const auto it = n.inputs.find("clk"); it != n.inputs.end())
    for (const int x : it->second) clock[size_t(x)] = true;
  for (const auto* group : {&n.comb, &n.seq})
    for (const auto& c : *group) {
      for (size_t o = 0; o < c.out.size(); ++o) {
        if (c.out[o] < 0) continue;
        const double a = double(toggles[size_t(c.out[o])]) / samples;
        r.pin_activity[c.name + "/" + c.out_pins[o]] = a;
        sum += a, ++pins;
      }
      for (size_t k = 0; k < c.in.size(); ++k)
        if (!clock[size_t(c.in[k])] && c.in[k] >= 2)
          r.pin_activity[c.name + "/" + c.model->inputs[k]] = double(toggles[size_t(c.in[k])]) / samples;
    }
  r.mean_activity = pins ? sum / double(pins) : 0;
  return r;
}

}  // namespace arithsim::synth
