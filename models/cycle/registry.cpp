#include <arithsim/models/cycle/registry.hpp>

#include <fmt/format.h>

#include <functional>

#include <arithsim/models/cycle/fp8_mac_cycle.hpp>
#include <arithsim/models/cycle/int_mac_cycle.hpp>
#include <arithsim/models/cycle/lmul_pe_cycle.hpp>
#include <arithsim/models/cycle/lut_tensor_core_cycle.hpp>
#include <arithsim/models/cycle/mixpe_cycle.hpp>
#include <arithsim/models/cycle/rmmec_cycle.hpp>

namespace arithsim::cycle {

Dataflow parse_dataflow(const std::string& s) {
  if (s == "os") return Dataflow::OutputStationary;
  if (s == "dot") return Dataflow::DotTile;
  if (s == "ws") return Dataflow::WeightStationary;
  if (s == "is") return Dataflow::InputStationary;
  throw std::invalid_argument(fmt::format(
      "array: dataflow '{}' is not os (output-stationary systolic), ws (weight-stationary), is (input-stationary) "
      "or dot (dot-product tile)",
      s));
}

const char* dataflow_name(Dataflow d) {
  switch (d) {
    case Dataflow::OutputStationary: return "os";
    case Dataflow::DotTile: return "dot";
    case Dataflow::WeightStationary: return "ws";
    case Dataflow::InputStationary: return "is";
  }
  return "?";
}

IntMacParams int_mac_cycle_params(const pe::Params& params) {
  pe::Params pe_params = params;
  pe_params.erase("stages");
  (void)pe::make_pe("int_mac", pe_params);  // validates the PE's own parameters
  IntMacParams p;
  auto width = [&](const char* key) {
    const auto it = params.find(key);
    if (it == params.end()) return 8;
    const auto f = formats::ElementFormat::parse(it->second);
    return f.bits();
  };
  p.a_bits = width("a");
  p.w_bits = width("w");
  if (auto it = params.find("acc_bits"); it != params.end()) p.acc_bits = std::stoi(it->second);
  if (auto it = params.find("saturate"); it != params.end())
    p.saturate = it->second == "true" || it->second == "1" || it->second == "yes";
  if (auto it = params.find("stages"); it != params.end()) {
    try {
      p.stages = std::stoi(it->second);
    } catch (const std::exception&) {
      throw pe::PeError(fmt::format("int_mac: bad value '{}' for stages", it->second));
    }
  }
  try {
    p.validate();
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(e.what());
  }
  return p;
}

std::map<std::string, std::string> int_mac_rtl_parameters(const IntMacParams& p) {
  return {{"A_BITS", std::to_string(p.a_bits)},
          {"W_BITS", std::to_string(p.w_bits)},
          {"ACC_BITS", std::to_string(p.acc_bits)},
          {"SATURATE", p.saturate ? "1" : "0"},
          {"STAGES", std::to_string(p.stages)}};
}

namespace {

// One entry per PE: builds the cycle model and the array over its datapath.
struct Entry {
  std::string pe;
  std::function<std::unique_ptr<PeCycleModel>(const pe::Params&)> cycle;
  std::function<std::unique_ptr<PeArrayModel>(const pe::Params&, int, int, Dataflow)> array;
  std::function<std::unique_ptr<StationaryArrayModel>(const pe::Params&, int, int, Dataflow)> stationary;
  std::function<std::map<std::string, std::string>(const pe::Params&)> rtl;
  std::function<int(const pe::Params&)> lanes;
  std::function<size_t(const pe::Params&)> words_per_group;
};

// Model: the PE's StreamingPe class; cp: its parameter mapping; rtl: its RTL parameters.
template <class Model, class CP, class Rtl>
Entry entry(std::string name, CP cp, Rtl rtl, std::function<int(const pe::Params&)> lanes,
            std::function<size_t(const pe::Params&)> words_per_group) {
  Entry e;
  e.pe = std::move(name);
  e.cycle = [cp](const pe::Params& p) -> std::unique_ptr<PeCycleModel> { return std::make_unique<Model>(cp(p)); };
  e.array = [cp](const pe::Params& p, int r, int c, Dataflow df) -> std::unique_ptr<PeArrayModel> {
    Model m(cp(p));
    return std::make_unique<PeArray<std::decay_t<decltype(m.datapath())>>>(m.datapath(), m.stages(), r, c, df);
  };
  e.stationary = [cp](const pe::Params& p, int r, int c, Dataflow df) -> std::unique_ptr<StationaryArrayModel> {
    Model m(cp(p));
    return std::make_unique<StationaryArray<std::decay_t<decltype(m.datapath())>>>(m.datapath(), m.stages(), r, c, df);
  };
  e.rtl = [cp, rtl](const pe::Params& p) { return rtl(cp(p)); };
  e.lanes = std::move(lanes);
  e.words_per_group = std::move(words_per_group);
  return e;
}

size_t one(const pe::Params&) { return 1; }
int one_lane(const pe::Params&) { return 1; }

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      entry<IntMacCycle>("int_mac", int_mac_cycle_params, int_mac_rtl_parameters, one_lane, one),
      entry<Fp8MacCycle>("fp8_mac", fp8_mac_cycle_params, fp8_mac_rtl_parameters,
                         [](const pe::Params& p) { return fp8_mac_cycle_params(p).lanes(); }, one),
      entry<LMulPeCycle>("lmul_pe", lmul_pe_cycle_params, lmul_pe_rtl_parameters, one_lane, one),
      entry<MixPeCycle>("mixpe", mixpe_cycle_params, mixpe_rtl_parameters, one_lane,
                        [](const pe::Params& p) { return size_t(mixpe_cycle_params(p).group); }),
      entry<LutTensorCoreCycle>("lut_tensor_core", lut_tensor_core_cycle_params, lut_tensor_core_rtl_parameters,
                                [](const pe::Params& p) { return lut_tensor_core_cycle_params(p).k; },
                                [](const pe::Params& p) {
                                  const auto c = lut_tensor_core_cycle_params(p);
                                  return size_t(c.group / c.k);
                                }),
      entry<RmmecCycle>("rmmec", rmmec_cycle_params, rmmec_rtl_parameters,
                        [](const pe::Params& p) { return rmmec_cycle_params(p).lanes_used(); }, one),
  };
  return e;
}

const Entry& find(const std::string& pe) {
  std::string names;
  for (const auto& e : entries()) {
    if (e.pe == pe) return e;
    names += (names.empty() ? "" : ", ") + e.pe;
  }
  throw pe::PeError(fmt::format("no cycle-level model for PE '{}' (available: {})", pe, names));
}

}  // namespace

std::vector<std::string> cycle_pes() {
  std::vector<std::string> v;
  for (const auto& e : entries()) v.push_back(e.pe);
  return v;
}

namespace {
// Parameter errors of the cycle models are std::invalid_argument: report them as PeError.
template <class F>
auto as_pe_error(F&& f) {
  try {
    return f();
  } catch (const pe::PeError&) {
    throw;
  } catch (const std::invalid_argument& x) {
    throw pe::PeError(x.what());
  }
}
}  // namespace

std::unique_ptr<PeCycleModel> make_pe_cycle(const std::string& pe, const pe::Params& params) {
  return as_pe_error([&] { return find(pe).cycle(params); });
}

std::unique_ptr<PeArrayModel> make_pe_array(const std::string& pe, const pe::Params& params, int rows, int cols,
                                            Dataflow dataflow) {
  return as_pe_error([&] { return find(pe).array(params, rows, cols, dataflow); });
}

std::unique_ptr<StationaryArrayModel> make_stationary_array(const std::string& pe, const pe::Params& params, int rows,
                                                            int cols, Dataflow dataflow) {
  return as_pe_error([&] { return find(pe).stationary(params, rows, cols, dataflow); });
}

ArrayGemmResult simulate_array_gemm(const std::string& pe, const pe::Params& params, int rows, int cols,
                                    Dataflow dataflow, const ArrayGemmProblem& p) {
  if (is_stationary(dataflow))
    return make_stationary_array(pe, params, rows, cols, dataflow)->run(p);
  const auto array = make_pe_array(pe, params, rows, cols, dataflow);
  return run_array_gemm(*array, p);
}

std::map<std::string, std::string> rtl_parameters(const std::string& pe, const pe::Params& params) {
  return as_pe_error([&] { return find(pe).rtl(params); });
}

std::map<std::string, std::string> array_rtl_parameters(const std::string& pe, const pe::Params& params, int rows,
                                                        int cols, Dataflow dataflow) {
  static const std::map<std::string, std::string> prefix = {{"int_mac", "INT"}, {"fp8_mac", "FP8"},
                                                            {"lmul_pe", "LMUL"}, {"mixpe", "MIX"},
                                                            {"lut_tensor_core", "LUT"}, {"rmmec", "RM"}};
  const auto rtl = rtl_parameters(pe, params);  // throws for an unknown PE or a set without RTL
  if (rows < 1 || rows > 64 || cols < 1 || cols > 64)
    throw pe::PeError(fmt::format("{}: an RTL array must be 1..64 x 1..64, got {}x{}", pe, rows, cols));
  if (dataflow != Dataflow::OutputStationary && dataflow != Dataflow::DotTile)
    throw pe::PeError(fmt::format("{}: rtl/pe_array.sv has no dataflow '{}' (os and dot only; ws and is are C++ models "
                                  "without RTL yet)", pe, dataflow_name(dataflow)));
  const auto model = make_pe_cycle(pe, params);
  const PePorts& ports = model->ports();
  std::map<std::string, std::string> r = {{"PE", fmt::format("\"{}\"", pe)},
                                          {"R", std::to_string(rows)},
                                          {"C", std::to_string(cols)},
                                          {"DATAFLOW", dataflow == Dataflow::DotTile ? "1" : "0"},
                                          {"A_BITS", std::to_string(ports.a_bits)},
                                          {"W_BITS", std::to_string(ports.w_bits)},
                                          {"ZERO_BITS", std::to_string(std::max(1, ports.zero_bits))},
                                          {"OUT_BITS", std::to_string(ports.out_bits)},
                                          {"STAGES", std::to_string(model->stages())}};
  for (const auto& [k, v] : rtl)
    if (k != "STAGES") r[prefix.at(pe) + "_" + k] = v;
  return r;
}

int lanes(const std::string& pe, const pe::Params& params) {
  return as_pe_error([&] { return find(pe).lanes(params); });
}

}  // namespace arithsim::cycle

namespace arithsim::cycle {
size_t words_per_group(const std::string& pe, const pe::Params& params) {
  return as_pe_error([&] { return find(pe).words_per_group(params); });
}
}  // namespace arithsim::cycle
