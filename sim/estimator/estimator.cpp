#include "sim/estimator/estimator.hpp"
#include "sim/synth/synth_cost.hpp"

#include <arithsim/models/threads/parallel_for.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <future>
#include <optional>
#include <random>
#include <set>

#include <fmt/format.h>

#include <arithsim/models/cycle/array_gemm.hpp>
#include <arithsim/models/cycle/registry.hpp>
#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/tensor/npy.hpp>
#include "sim/gemm/gemm_driver.hpp"

namespace arithsim::estimator {

using traces::Op;
using traces::OpKind;

namespace {

int64_t weight_group(const Op& op, const pe::FormatFacts& w) { return op.group > 0 ? op.group : w.block ? w.block_size : 0; }

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// A stable hash for seeds, so that the same inputs give the same samples on every run.
uint64_t fnv(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string describe(const std::optional<traces::ValueStats>& s, const char* def) {
  if (!s) return def;
  if (!s->npy.empty()) return "npy:" + s->npy;
  std::string r = s->distribution + "(";
  bool first = true;
  for (const auto& [k, v] : s->params) r += fmt::format("{}{}={}", first ? "" : ",", k, v), first = false;
  return r + ")";
}

// Values drawn from the op's statistics (defaults: weights N(0, 0.02), activations N(0, 1)).
std::vector<float> draw(const std::optional<traces::ValueStats>& s, double default_std, size_t count, uint64_t seed,
                        const std::string& base_dir) {
  std::mt19937_64 g(seed);
  std::vector<float> x(count);
  if (s && !s->npy.empty()) {
    const auto path = std::filesystem::path(base_dir) / s->npy;
    const auto vals = tensor::read_npy(path.string()).to_double();
    if (vals.empty()) throw ConfigError(fmt::format("{}: empty value sample", path.string()));
    std::uniform_int_distribution<size_t> pick(0, vals.size() - 1);
    for (auto& v : x) v = float(vals[pick(g)]);
    return x;
  }
  const std::string d = s ? s->distribution : "normal";
  auto p = [&](const char* k, double def) {
    if (!s) return def;
    const auto it = s->params.find(k);
    return it == s->params.end() ? def : it->second;
  };
  if (d == "normal") {
    std::normal_distribution<double> n(p("mean", 0), p("std", default_std));
    for (auto& v : x) v = float(n(g));
  } else if (d == "uniform") {
    std::uniform_real_distribution<double> u(p("low", -1), p("high", 1));
    for (auto& v : x) v = float(u(g));
  } else if (d == "laplace") {
    std::exponential_distribution<double> e(1.0);
    std::bernoulli_distribution b(0.5);
    for (auto& v : x) v = float(p("loc", 0) + (b(g) ? 1 : -1) * e(g) * p("scale", 1));
  } else if (d == "student_t") {
    std::student_t_distribution<double> t(p("df", 4));
    for (auto& v : x) v = float(t(g) * p("scale", 1));
  } else {
    throw ConfigError(fmt::format("unknown value distribution '{}'", d));
  }
  return x;
}

// Quantizes rows of length k to a trace format and back (what the stored tensor holds):
// block formats by their codec; element formats with a symmetric max-abs scale per group
// along the row (group 0: per row); 16-bit-and-wider minifloats are plain casts.
void fake_quantize(std::vector<float>& x, size_t rows, size_t k, const std::string& fmt_name, int64_t group) {
  if (formats::looks_like_block(fmt_name)) {
    auto spec = formats::parse_block(fmt_name);
    if (group > 0) spec.block = int(group);
    const formats::BlockCodec codec(spec);
    const auto d = codec.dequantize(codec.quantize(x, k));
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(d[i]);
    return;
  }
  const auto f = formats::ElementFormat::parse(fmt_name);
  const auto info = f.info();
  if (info.kind == "minifloat" && info.bits >= 16) {
    for (auto& v : x) v = float(f.decode(f.encode(double(v))));
    return;
  }
  const size_t g = group > 0 ? size_t(group) : k;
  for (size_t r = 0; r < rows; ++r)
    for (size_t s = 0; s < k; s += g) {
      const size_t e = std::min(k, s + g);
      double amax = 0;
      for (size_t i = s; i < e; ++i) amax = std::max(amax, std::fabs(double(x[r * k + i])));
      if (amax == 0) continue;
      const double scale = amax / info.max;
      for (size_t i = s; i < e; ++i) x[r * k + i] = float(f.decode(f.encode(double(x[r * k + i]) / scale)) * scale);
    }
}

std::vector<float> transpose(const std::vector<float>& x, size_t rows, size_t cols) {
  std::vector<float> t(x.size());
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) t[j * rows + i] = x[i * cols + j];
  return t;
}

// Sampled operands of an op in their trace formats: A (m x k) and B (k x n, row-major).
struct Sample {
  size_t m = 0, n = 0, k = 0;
  std::vector<float> a, b;            // as stored (fake-quantized)
  std::vector<double> exact;          // m x n: products of the unquantized values
};

Sample sample_op(const Op& op, size_t m, size_t n, size_t k, const std::string& base_dir, bool with_exact) {
  Sample s{m, n, k, {}, {}, {}};
  const uint64_t seed = fnv(fmt::format("{}|{}|{}|{}|{}", describe(op.activation_stats, "a"),
                                        describe(op.weight_stats, "w"), k, op.activation_format, op.weight_format));
  const bool b_is_weight = op.kind != OpKind::BatchedGemm;
  const auto a0 = draw(op.activation_stats, 1.0, m * k, seed, base_dir);
  const auto bt0 = draw(op.weight_stats, b_is_weight ? 0.02 : 1.0, n * k, seed ^ 0x9e3779b97f4a7c15ull, base_dir);
  if (with_exact) {
    s.exact.assign(m * n, 0.0);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) {
        double acc = 0;
        for (size_t t = 0; t < k; ++t) acc += double(a0[i * k + t]) * double(bt0[j * k + t]);
        s.exact[i * n + j] = acc;
      }
  }
  s.a = a0;
  fake_quantize(s.a, m, k, op.activation_format, 0);
  auto bt = bt0;
  fake_quantize(bt, n, k, op.weight_format, weight_group(op, pe::format_facts(op.weight_format)));
  s.b = transpose(bt, n, k);
  return s;
}

pe::Params bare(pe::Params p) {
  p.erase("stages");
  return p;
}

std::string params_text(const pe::Params& p) {
  std::string s;
  for (const auto& [k, v] : p) s += fmt::format("{}{}={}", s.empty() ? "" : " ", k, v);
  return s;
}

const char* kActivityHow = "measured: the PE's cycle model on the op's sampled values";

}  // namespace

const std::array<Actions::Named, 10>& Actions::all() {
  static const std::array<Named, 10> a = {{{"busy_pe_cycles", "PE-cycles with a MAC word", &Actions::busy_pe_cycles},
                                           {"idle_pe_cycles", "idle PE-cycles", &Actions::idle_pe_cycles},
                                           {"array_cycles", "array cycles (interconnect, shared tables)", &Actions::array_cycles},
                                           {"dequant_weights", "weights dequantized on load", &Actions::dequant_weights},
                                           {"vector_ops", "vector-unit operations", &Actions::vector_ops},
                                           {"a_buffer_bytes", "A buffer bytes (written + read)", &Actions::a_buffer_bytes},
                                           {"w_buffer_bytes", "W buffer bytes (written + read)", &Actions::w_buffer_bytes},
                                           {"o_buffer_bytes", "output buffer bytes (written + read)", &Actions::o_buffer_bytes},
                                           {"dram_bytes", "DRAM bytes", &Actions::dram_bytes},
                                           {"leakage_s", "seconds of leakage", &Actions::leakage_s}}};
  return a;
}

Actions& Actions::operator+=(const Actions& o) {
  for (const Named& n : all()) {
    (this->*n.member).count += (o.*n.member).count;
    (this->*n.member).energy_pj += (o.*n.member).energy_pj;
  }
  return *this;
}

Energy& Energy::operator+=(const Energy& o) {
  compute += o.compute, dequant += o.dequant, buffers += o.buffers, dram += o.dram, leakage += o.leakage;
  return *this;
}

GemmShape gemm_shape(const Op& op) {
  switch (op.kind) {
    case OpKind::Gemm: return {uint64_t(op.m), uint64_t(op.n), uint64_t(op.k), 1};
    case OpKind::BatchedGemm: return {uint64_t(op.m), uint64_t(op.n), uint64_t(op.k), uint64_t(op.batch)};
    case OpKind::Conv2d:
      return {uint64_t(op.conv.n * op.conv.p() * op.conv.q()), uint64_t(op.conv.k),
              uint64_t(op.conv.c * op.conv.r * op.conv.s), 1};
    case OpKind::Elementwise: return {uint64_t(op.m), uint64_t(op.n), 0, uint64_t(op.batch)};
  }
  return {};
}

OpMapping map_op(const PeChoice& pe, const Op& op) {
  if (op.kind == OpKind::Elementwise) return {bare(pe.params), 1, false, "", ""};
  pe::OperandRequest q;
  q.op = op.name;
  q.w = pe::format_facts(op.weight_format);
  q.a = pe::format_facts(op.activation_format);
  q.group = weight_group(op, q.w);
  q.k = gemm_shape(op).k;
  q.sparsity = op.sparsity;
  try {
    return pe::plan_operands(pe.name, bare(pe.params), q);
  } catch (const pe::PeError& e) {
    throw ConfigError(e.what());
  }
}

GemmCycles gemm_cycles(const AcceleratorConfig& c, const PeChoice& pe, const GemmShape& g, int passes) {
  GemmCycles r;
  const int lanes = cycle::lanes(pe.name, bare(pe.params));
  const auto model = cycle::make_pe_cycle(pe.name, pe.params);
  const int stages = model->stages();
  r.kw = ceil_div(g.k, uint64_t(lanes)) * uint64_t(passes);
  const auto df = cycle::parse_dataflow(c.dataflow);
  const uint64_t R = uint64_t(c.rows), C = uint64_t(c.cols);
  // batch GEMMs back to back: os / dot: each is ceil(M/R) row tiles, so they stack as padded
  // rows; ws / is: each has its own stationary operand, so they stack as padded columns (N for
  // ws, M for is) of the same streamed vectors.
  uint64_t m = g.m, n = g.n;
  if (df == cycle::Dataflow::WeightStationary) {
    if (g.batch > 1) n = g.batch * ceil_div(g.n, C) * C;
    r.tiles = ceil_div(r.kw, R) * ceil_div(n, C);
  } else if (df == cycle::Dataflow::InputStationary) {
    if (g.batch > 1) m = g.batch * ceil_div(g.m, C) * C;
    r.tiles = ceil_div(r.kw, R) * ceil_div(m, C);
  } else {
    if (g.batch > 1) m = g.batch * ceil_div(g.m, R) * R;
    r.tiles = ceil_div(m, R) * ceil_div(g.n, C);
  }
  r.cycles = cycle::array_gemm_cycles(c.rows, c.cols, df, stages, size_t(m), size_t(n), size_t(r.kw));
  r.utilization = double(g.batch * g.m * g.n * r.kw) / (double(c.rows) * c.cols * double(r.cycles));
  return r;
}

// ---------------------------------------------------------------------------------------

struct ArrayInfo {
  cost::ArrayCost cost;
  double fmax_hz = 0;
  std::string fmax_limit;  // the slowest path, in words
  double array_area_um2 = 0, array_leak_uw = 0;  // without array_cost's own buffers
  int lanes = 1;
};

// Each entry is computed once: the first estimator to need a key claims it and computes it,
// any other that needs it meanwhile waits for that value instead of computing it again (two
// threads on points of one PE). Values are copied out. A computation that throws stores its
// exception, which every later get rethrows: entries are pure functions of their keys, so the
// error is the same whichever thread computed it.
struct EstimatorCaches {
  template <class V>
  struct Map {
    // A claim on a missing key: fulfil it with set() or fail(). One dropped unfulfilled (an
    // exception between claim and set, not from the computation) releases the key for a
    // later estimate, and its waiters get that note rather than blocking.
    struct Claim {
      Map* map = nullptr;
      std::string key;
      std::shared_ptr<std::promise<V>> promise;
      bool done = false;
      Claim() = default;
      Claim(Claim&& o) noexcept : map(o.map), key(std::move(o.key)), promise(std::move(o.promise)), done(o.done) { o.done = true; }
      Claim& operator=(Claim&&) = delete;
      void set(V v) {
        promise->set_value(std::move(v));
        done = true;
      }
      void fail(std::exception_ptr e) {
        promise->set_exception(std::move(e));
        done = true;
      }
      ~Claim() {
        if (done || !promise) return;
        promise->set_exception(std::make_exception_ptr(std::runtime_error("estimator cache: measurement abandoned")));
        std::lock_guard lock(map->mu);
        map->m.erase(key);
      }
    };
    // A claim when nobody holds or computes `k`; empty when it is cached or being computed.
    std::optional<Claim> claim(const std::string& k) {
      std::lock_guard lock(mu);
      if (m.count(k)) return std::nullopt;
      Claim c;
      c.map = this, c.key = k, c.promise = std::make_shared<std::promise<V>>();
      m.emplace(k, c.promise->get_future().share());
      return c;
    }
    // The value of `k`, waiting for it when another estimator computes it; computed here (by
    // `f`) when nobody has.
    template <class F>
    V get(const std::string& k, F&& f) {
      std::shared_future<V> fut;
      {
        std::lock_guard lock(mu);
        const auto it = m.find(k);
        if (it != m.end()) fut = it->second;
      }
      if (fut.valid()) return fut.get();
      auto c = claim(k);
      if (!c) return get(k, std::forward<F>(f));  // claimed meanwhile by another
      try {
        V v = f();
        c->set(v);
        return v;
      } catch (...) {
        c->fail(std::current_exception());
        throw;
      }
    }
    std::mutex mu;
    std::map<std::string, std::shared_future<V>> m;
  };
  Map<cost::PeCost> pe_costs;            // per PE x params x node
  Map<ArrayInfo> arrays;                 // per PE x params x rows x cols x dataflow x node
  Map<cost::ActivityFactors> activity;   // per PE x sampled distributions
  Map<std::pair<double, std::string>> accuracy;  // per PE params x shape x formats x stats
};

std::shared_ptr<Estimator::Caches> Estimator::new_caches() { return std::make_shared<Caches>(); }

Estimator::Estimator(AcceleratorConfig config, cost::ComponentLibrary lib)
    : Estimator(std::move(config), new_caches(), std::move(lib)) {}

Estimator::Estimator(AcceleratorConfig config, std::shared_ptr<Caches> caches, cost::ComponentLibrary lib)
    : ppa_database_(synth::default_ppa_database()), config_(std::move(config)), lib_(std::move(lib)),
      caches_(std::move(caches)) {
  if (!caches_) throw std::invalid_argument("Estimator: null caches");
  validate(config_);
}
Estimator::~Estimator() = default;

namespace {

// Switching activity from the PE's cycle model fed with the op's sampled operands, quantized
// by the PE as the hardware holds them (a row of A, a column of B, their group scales).
cost::ActivityFactors sampled_activity(const PeChoice& pe, const Op& op, const std::string& base_dir) {
  const auto bp = bare(pe.params);
  const auto model = cycle::make_pe_cycle(pe.name, pe.params);
  const auto pem = pe::make_pe(pe.name, bp);
  const int lanes = cycle::lanes(pe.name, bp);
  const size_t gw = std::max<size_t>(1, cycle::words_per_group(pe.name, bp));
  const size_t dot_words = gw * ceil_div(256 / size_t(lanes), gw);
  const size_t k = dot_words * size_t(lanes), rows = 4, cols = 4;
  // Operands in the op's formats, then as this PE holds them.
  const Sample s = sample_op(op, rows, cols, k, base_dir, false);
  const auto bt = transpose(s.b, k, cols);
  std::vector<pe::Operand> qa, qw;
  for (size_t i = 0; i < rows; ++i) qa.push_back(pem->quantize_a(std::span(s.a).subspan(i * k, k)));
  for (size_t j = 0; j < cols; ++j) qw.push_back(pem->quantize_w(std::span(bt).subspan(j * k, k)));
  const auto ports = model->ports();
  const int abits = ports.a_bits / lanes, wbits = ports.w_bits / lanes;
  const auto fp16 = formats::ElementFormat::parse("float16");
  auto operands = [&](size_t t) -> std::pair<const pe::Operand&, const pe::Operand&> {
    const size_t dot = t / dot_words;
    return {qa[dot % rows], qw[(dot / rows) % cols]};
  };
  const cycle::Activity act = cost::measure_stream(
      *model, 4096, dot_words, gw,
      [&](size_t t) {  // the group's scale and zero point, as the weight operand holds them
        const auto& w = operands(t).second;
        const size_t e = (t % dot_words) * size_t(lanes);
        return cost::CodePair{ports.scale_bits ? fp16.encode(w.scale(e)) : 0,
                              ports.zero_bits ? uint64_t(w.zero(e)) & cycle::mask(ports.zero_bits) : 0};
      },
      [&](size_t t) {  // a row of A and a column of B, lanes packed
        const auto [a, w] = operands(t);
        uint64_t wa = 0, ww = 0;
        for (int l = 0; l < lanes; ++l) {
          const size_t e = (t % dot_words) * size_t(lanes) + size_t(l);
          wa |= (uint64_t(a.codes[e]) & cycle::mask(abits)) << (l * abits);
          ww |= (uint64_t(w.codes[e]) & cycle::mask(wbits)) << (l * wbits);
        }
        return cost::CodePair{wa, ww};
      });
  return cost::activity_factors(act, kActivityHow);
}

// The op's sampled activity, or where its values cannot be sampled (an unreadable .npy, a
// format the PE cannot hold) that of random codes, saying why.
cost::ActivityFactors op_activity(const PeChoice& pe, const Op& op, const std::string& base_dir) {
  try {
    return sampled_activity(pe, op, base_dir);
  } catch (const std::exception& ex) {
    return cost::activity_factors(cost::measure_activity(pe.name, pe.params, cost::OperandSpec{}),
                                  fmt::format("random codes (sampled values not usable: {})", ex.what()));
  }
}

// Everything sampled_activity depends on: the PE and its parameters, the op's value
// statistics (and where its .npy files are), formats, weight group and kind.
std::string activity_key(const PeChoice& pe, const Op& op, const std::string& base_dir) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", pe.name, params_text(pe.params), describe(op.activation_stats, "a"),
                     describe(op.weight_stats, "w"), op.activation_format, op.weight_format, op.group,
                     op.kind == OpKind::BatchedGemm, base_dir);
}

// One op's accuracy measurement: the PE (or its proxy) on a sampled slice of M <= 4 rows,
// N <= 16 columns and the full K, keyed by everything that determines it.
struct AccuracyJob {
  std::string key, pe_name;
  pe::Params params;
  const Op* op = nullptr;
  size_t m = 0, n = 0, k = 0;
  bool proxy = false;
};

AccuracyJob accuracy_job(const PeChoice& pe, const Op& op, const OpMapping& mp, const std::string& base_dir) {
  const GemmShape g = gemm_shape(op);
  AccuracyJob j;
  j.pe_name = mp.proxy_pe.empty() ? pe.name : mp.proxy_pe;
  j.params = mp.params;
  j.op = &op;
  j.m = size_t(std::min<uint64_t>(g.m, 4)), j.n = size_t(std::min<uint64_t>(g.n, 16)), j.k = size_t(g.k);
  j.proxy = !mp.proxy_pe.empty();
  j.key = fmt::format("{}|{}|{}x{}x{}|{}|{}|{}|{}|{}|{}|{}", j.pe_name, params_text(j.params), j.m, j.n, j.k,
                      op.activation_format, op.weight_format, op.group, describe(op.activation_stats, "a"),
                      describe(op.weight_stats, "w"), op.kind == OpKind::BatchedGemm, base_dir);
  return j;
}

// SQNR of the PE's GEMM on the slice against the FP64 product of the unquantized samples.
std::pair<double, std::string> measure_accuracy(const AccuracyJob& j, const std::string& base_dir) {
  try {
    const auto pem = pe::make_pe(j.pe_name, j.params);
    const Sample s = sample_op(*j.op, j.m, j.n, j.k, base_dir, true);
    const auto res = sim::run_gemm(*pem, s.a, s.b, j.m, j.n, j.k);
    double sig = 0, err = 0;
    for (size_t i = 0; i < s.exact.size(); ++i) {
      sig += s.exact[i] * s.exact[i];
      const double d = double(res.c[i]) - s.exact[i];
      err += std::isfinite(d) ? d * d : 1e300;
    }
    const double sqnr = err > 0 ? std::min(300.0, 10 * std::log10(sig / err)) : 300.0;
    return {sqnr, fmt::format("{} {}{}, {}x{}x{} sample", j.pe_name, params_text(j.params),
                              j.proxy ? " (proxy: bit-sliced passes are exact)" : "", j.m, j.n, j.k)};
  } catch (const std::exception& ex) {
    return {std::numeric_limits<double>::quiet_NaN(), fmt::format("not measured: {}", ex.what())};
  }
}

}  // namespace

void Estimator::set_threads(size_t threads) { threads_ = threads::check_threads(threads); }

// The sampled measurements of a trace on a PE (activities and accuracies not cached yet),
// distinct ones once, on up to threads_ threads; each is a pure function of its key, so the
// caches hold the same values for any thread count.
void Estimator::measure_samples(const traces::Trace& trace, const PeChoice& pe, const std::string& base_dir) {
  using ActivityClaim = EstimatorCaches::Map<cost::ActivityFactors>::Claim;
  using AccuracyClaim = EstimatorCaches::Map<std::pair<double, std::string>>::Claim;
  std::vector<std::pair<ActivityClaim, const Op*>> activities;
  std::vector<std::pair<AccuracyClaim, AccuracyJob>> accuracies;
  for (const Op& op : trace.ops) {
    if (op.kind == OpKind::Elementwise) continue;
    if (auto c = caches_->activity.claim(activity_key(pe, op, base_dir))) activities.emplace_back(std::move(*c), &op);
    AccuracyJob aj = accuracy_job(pe, op, map_op(pe, op), base_dir);
    if (auto c = caches_->accuracy.claim(aj.key)) accuracies.emplace_back(std::move(*c), std::move(aj));
  }
  std::vector<cost::ActivityFactors> act(activities.size());
  std::vector<std::pair<double, std::string>> acc(accuracies.size());
  std::vector<std::exception_ptr> failed(activities.size() + accuracies.size());  // each claim its own outcome
  threads::parallel_for(activities.size() + accuracies.size(), threads_, [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) {
      try {
        if (i < activities.size()) act[i] = op_activity(pe, *activities[i].second, base_dir);
        else acc[i - activities.size()] = measure_accuracy(accuracies[i - activities.size()].second, base_dir);
      } catch (...) {
        failed[i] = std::current_exception();
      }
    }
  });
  for (size_t i = 0; i < activities.size(); ++i)
    failed[i] ? activities[i].first.fail(failed[i]) : activities[i].first.set(std::move(act[i]));
  for (size_t i = 0; i < accuracies.size(); ++i) {
    const auto& f = failed[activities.size() + i];
    f ? accuracies[i].first.fail(f) : accuracies[i].first.set(std::move(acc[i]));
  }
}

cost::ActivityFactors workload_activity(const PeChoice& pe, const traces::Trace& trace, const std::string& base_dir) {
  std::map<std::string, cost::ActivityFactors> seen;  // per distinct operand statistics and formats
  double macs = 0, input = 0, acc = 0, pipe = 0, out = 0;
  for (const Op& op : trace.ops) {
    if (op.kind == OpKind::Elementwise) continue;
    const std::string key = describe(op.activation_stats, "a") + "|" + describe(op.weight_stats, "w") + "|" +
                            op.activation_format + "|" + op.weight_format;
    auto it = seen.find(key);
    if (it == seen.end()) it = seen.emplace(key, op_activity(pe, op, base_dir)).first;
    const double w = op.effective_macs();
    macs += w;
    input += w * it->second.input;
    acc += w * it->second.acc;
    pipe += w * it->second.pipe_or_input();
    out += w * it->second.out_or_acc();
  }
  if (seen.empty()) throw std::invalid_argument("the trace has no GEMM or conv op to measure activity on");
  if (!(macs > 0)) {
    const auto& f = seen.begin()->second;
    macs = 1, input = f.input, acc = f.acc, pipe = f.pipe_or_input(), out = f.out_or_acc();
  }
  return {input / macs, acc / macs,
          fmt::format("measured: the PE's cycle model on the sampled values of {} {} ({} distinct operand "
                      "statistics, MAC-weighted)",
                      trace.model, trace.phase, seen.size()),
          pipe / macs, out / macs};
}

PeEstimate Estimator::estimate(const traces::Trace& trace, const PeChoice& pe, const Progress& progress,
                               const std::string& base_dir) {
  const AcceleratorConfig& c = config_;
  // cost: synth:LIB prices the PE from its synthesis onto LIB, and the rest at LIB's node.
  const synth::CostSource source = synth::resolve_cost_source(c.cost, c.node);
  const bool synthesized = source.cells.has_value();
  const cost::ComponentFit* fit = source.fit;
  const std::string& node_name = source.node;
  const auto& node = lib_.technology().node(std::string_view(node_name));
  PeEstimate r;
  r.pe = pe;
  r.config = c;
  r.config.node = node_name;  // the node the estimate is at (synth:LIB: the library's)
  r.model = trace.model;
  r.phase = trace.phase;
  const auto bp = bare(pe.params);
  for (const Op& op : trace.ops) map_op(pe, op);  // every op runs on this PE, or one error before any work
  measure_samples(trace, pe, base_dir);

  // The array (PEs + interconnect), priced once per PE; its own default buffers are replaced
  // by the configured ones.
  const std::string array_key =
      fmt::format("{}|{}|{}x{}|{}|{}|{}", pe.name, params_text(pe.params), c.rows, c.cols, c.dataflow, node_name, c.cost);
  const ArrayInfo ai = caches_->arrays.get(array_key, [&] {
    ArrayInfo ai;
    cost::ArrayOptions ao;
    ao.rows = c.rows, ao.cols = c.cols, ao.dataflow = c.dataflow;
    const cost::PeCost priced =
        caches_->pe_costs.get(fmt::format("{}|{}|{}|{}", pe.name, params_text(pe.params), node_name, c.cost),
                              [&] { return synth::price_pe(source, lib_, pe.name, pe.params, ppa_database_); });
    ai.cost = cost::array_cost(lib_, pe.name, pe.params, node, ao, priced);
    ai.array_area_um2 = ai.cost.area_um2, ai.array_leak_uw = ai.cost.leakage_uw;
    for (const auto& p : ai.cost.parts)
      if (p.stage == "buffer") ai.array_area_um2 -= p.area_um2(), ai.array_leak_uw -= p.leakage_uw();
    ai.lanes = cycle::lanes(pe.name, bp);
    const auto& pc = ai.cost.pe;
    ai.fmax_hz = 1e12 / ai.cost.clock_ps;
    ai.fmax_limit = !pc.synthesized.empty()
                        ? fmt::format("{} critical path {:.0f} ps (OpenSTA, synthesized onto {})", pe.name, pc.clock_ps,
                                      source.cells->name)
                    : pc.critical == "front"
                        ? fmt::format("{} front {:.0f} ps over {} stage(s) + register {:.0f} ps", pe.name,
                                      pc.front_delay_ps, pc.stages, pc.register_delay_ps)
                        : fmt::format("{} accumulate loop {:.0f} ps + register {:.0f} ps", pe.name, pc.loop_delay_ps,
                                      pc.register_delay_ps);
    return ai;
  });

  // Buffers: an SRAM of 64-bit words per buffer; energy per bit accessed, area, leakage.
  struct Buf { double pj_per_bit, area_um2, leak_uw, delay_ps; };
  auto buffer = [&](double kb) {
    const cost::Cost s = lib_.component("sram", std::vector<double>{kb * 1024 * 8 / 64, 64}, node);
    return Buf{s.energy_pj / 64, s.area_um2, s.leakage_uw, s.delay_ps};
  };
  const Buf ba = buffer(c.a_buffer_kb), bw = buffer(c.w_buffer_kb), bo = buffer(c.o_buffer_kb);
  // The clock: the PE's critical path (cost model) and each buffer's SRAM access feeding the
  // array each cycle, plus a register; auto takes the slowest, an explicit clock must not exceed it.
  r.fmax_hz = ai.fmax_hz, r.clock_limit = ai.fmax_limit;
  const double reg_ps = ai.cost.pe.register_delay_ps;
  for (const auto& [what, b] : {std::pair{"A", ba}, {"W", bw}, {"O", bo}}) {
    const double f = 1e12 / (b.delay_ps + reg_ps);
    if (f < r.fmax_hz)
      r.fmax_hz = f, r.clock_limit = fmt::format("{} buffer SRAM access {:.0f} ps + register {:.0f} ps", what, b.delay_ps, reg_ps);
  }
  if (c.clock_hz > r.fmax_hz * (1 + 1e-9))
    throw ConfigError(fmt::format("clock {} GHz (clock_ghz, --clock) is above the modelled fmax of '{}' at {} nm, {:.3f} GHz ({}); use "
                                  "clock_ghz: auto or at most {:.3f}{}",
                                  c.clock_hz / 1e9, pe.label, node.name, r.fmax_hz / 1e9, r.clock_limit, r.fmax_hz / 1e9,
                                  r.clock_limit == ai.fmax_limit && ai.cost.pe.critical == "front"
                                      ? ", or more front pipeline stages (PE parameter stages)" : ""));
  const double clock = c.clock_hz > 0 ? c.clock_hz : r.fmax_hz;
  r.clock_hz = clock;
  const cost::Cost fma = lib_.component("fp_fma", std::vector<double>{8, 7}, node);          // vector unit: BF16 FMA
  const cost::Cost fmul16 = lib_.component("fp_multiplier", std::vector<double>{5, 10}, node);  // dequantizer
  const double leak_uw = ai.array_leak_uw + ba.leak_uw + bw.leak_uw + bo.leak_uw;
  const double R = c.rows, C = c.cols;
  bool any_dequant = false;
  double noise_weighted = 0, sqnr_macs = 0;
  uint64_t gemm_cycles_total = 0, gemm_macs_total = 0;
  bool activity_set = false;

  mapper::Hardware hw;
  hw.rows = c.rows, hw.cols = c.cols, hw.dataflow = cycle::parse_dataflow(c.dataflow);
  hw.stages = cycle::make_pe_cycle(pe.name, pe.params)->stages();
  hw.scalesim_cycles = c.cycles == "scalesim";
  hw.a_buffer_bytes = c.a_buffer_kb * 1024, hw.w_buffer_bytes = c.w_buffer_kb * 1024, hw.o_buffer_bytes = c.o_buffer_kb * 1024;
  hw.clock_hz = clock, hw.dram_bytes_per_s = c.dram_gbps * 1e9;
  hw.dram_pj_per_byte = 8 * c.dram_pj_per_bit;
  hw.a_pj_per_byte = 8 * ba.pj_per_bit, hw.w_pj_per_byte = 8 * bw.pj_per_bit, hw.o_pj_per_byte = 8 * bo.pj_per_bit;
  hw.leakage_w = leak_uw * 1e-6;
  std::map<std::string, mapper::Choice> mappings;  // per GEMM shape and formats

  for (size_t oi = 0; oi < trace.ops.size(); ++oi) {
    const Op& op = trace.ops[oi];
    OpEstimate e;
    e.name = op.name;
    e.kind = std::string(traces::to_string(op.kind));
    e.macs = op.macs();
    e.gemm = gemm_shape(op);
    e.instances = uint64_t(op.repeat);
    e.a_format = op.activation_format;
    e.c_format = op.output_format;
    e.accuracy_how = "-";
    e.sqnr_db = std::numeric_limits<double>::quiet_NaN();
    if (op.kind == OpKind::Elementwise) {
      // Vector work: `ops` BF16 FMA-class operations per element on `lanes` lanes.
      static const std::map<std::string, double> per_element = {
          {"add", 1}, {"mul", 1}, {"rmsnorm", 4}, {"layernorm", 6}, {"softmax", 5}, {"silu_mul", 6},
          {"gelu", 8}, {"rope", 3}, {"relu", 1}};
      const auto f = per_element.find(op.function);
      const double ops_per = f == per_element.end() ? 2 : f->second;
      const double elems = double(op.c_elements());
      const double inputs = double(op.a_elements());
      e.cycles = uint64_t(std::ceil((inputs + elems * (ops_per - 1)) / c.lanes_for_vector()));
      e.utilization = 0;
      e.traffic.dram_a = op.a_bytes(), e.traffic.dram_c = op.c_bytes();
      e.traffic.sram_a = 2 * op.a_bytes(), e.traffic.sram_c = 2 * op.c_bytes();
      e.energy.compute = (inputs + elems * (ops_per - 1)) * fma.energy_pj;
      e.actions.vector_ops = {inputs + elems * (ops_per - 1), e.energy.compute};
      e.w_format = "-";
      e.note = fmt::format("vector unit: {} lanes, {} BF16 FMA-class ops per element ({})", c.lanes_for_vector(), ops_per,
                           op.function.empty() ? "unnamed function" : op.function);
    } else {
      const OpMapping mp = map_op(pe, op);
      e.w_format = op.b_format_label();
      e.passes = mp.passes;
      e.lanes = ai.lanes;
      e.note = mp.note;
      // The mapper: the op's loop nest (searched by the objective, or the config's fixed
      // one), its cycles, traffic per tensor and level, and time with transfers overlapped.
      const GemmShape& g = e.gemm;
      const double abits = traces::bits_per_element(op.activation_format, 0);
      const double bbits = traces::bits_per_element(op.weight_format, op.group);
      mapper::Problem mpb;
      mpb.m = g.m, mpb.n = g.n, mpb.k = g.k, mpb.batch = g.batch;
      mpb.a_bits = abits, mpb.b_bits = bbits, mpb.c_bits = traces::bits_per_element(op.output_format, 0);
      mpb.lanes = ai.lanes, mpb.passes = mp.passes;
      mpb.k_granule = std::max<uint64_t>(uint64_t(ai.lanes), op.group > 0 ? uint64_t(op.group) : 1);
      const std::string mkey = fmt::format("{}x{}x{}x{}|{}|{}|{}|{}|{}|{}", g.m, g.n, g.k, g.batch, mpb.a_bits, mpb.b_bits,
                                           mpb.c_bits, mpb.lanes, mpb.passes, mpb.k_granule);
      auto mit = mappings.find(mkey);
      if (mit == mappings.end()) {
        try {
          mit = mappings.emplace(mkey, c.fixed_mapping ? mapper::fixed(mpb, hw, c.mapping)
                                                       : mapper::search(mpb, hw, c.objective)).first;
        } catch (const mapper::NoFit& nf) {
          throw ConfigError(fmt::format("{}: op '{}' ({}x{}x{}): {}", c.fixed_mapping ? "mapping.fixed" : "buffers_kb",
                                        io::escape(op.name), g.m, g.n, g.k, nf.what()));
        }
      }
      const mapper::Choice& ch = mit->second;
      const double rep = double(op.repeat);
      e.mapping = mapper::compact(ch.nest);
      e.loop_nest = mapper::loop_nest_text(mpb, hw, ch.nest);
      e.candidates = ch.candidates;
      e.kw = ceil_div(g.k, uint64_t(ai.lanes)) * uint64_t(mp.passes);
      e.tiles = ch.eval.array_tiles * g.batch;
      e.cycles = ch.eval.cycles * uint64_t(op.repeat);
      e.utilization = double(g.batch * g.m * g.n * e.kw) / (R * C * double(ch.eval.cycles));
      gemm_cycles_total += e.cycles;
      gemm_macs_total += e.macs;
      e.traffic.a_rereads = int(ch.eval.a_reps), e.traffic.w_rereads = int(ch.eval.w_reps);
      e.traffic.c_visits = int(ch.eval.c_reps);
      e.traffic.dram_a = ch.eval.dram_a * rep, e.traffic.dram_w = ch.eval.dram_w * rep, e.traffic.dram_c = ch.eval.dram_c * rep;
      e.traffic.sram_a = ch.eval.sram_a * rep, e.traffic.sram_w = ch.eval.sram_w * rep, e.traffic.sram_c = ch.eval.sram_c * rep;
      e.compute_s = ch.eval.compute_s * rep, e.dram_s = ch.eval.dram_s * rep, e.time_s = ch.eval.time_s * rep;
      const double w_reads = (ch.eval.sram_w - ch.eval.dram_w) * rep * 8 / bbits;  // weight elements into the array
      // Compute: the array's dynamic energy per busy cycle at the measured activity.
      const std::string akey = activity_key(pe, op, base_dir);
      const cost::ActivityFactors act = caches_->activity.get(akey, [&] { return op_activity(pe, op, base_dir); });
      if (!activity_set) r.activity = act, activity_set = true;
      const cost::ArrayEnergy ae = cost::evaluate(ai.cost, act, clock);
      // PE energy per action: a busy PE-cycle pays the PE's dynamic energy at the measured
      // activity; an idle one (utilization < 1: edge tiles, short K, M = 1) pays only its
      // registers' clock energy when the datapath is gated (the default), else the same.
      const double pe_cycles = R * C * double(e.cycles);
      e.busy_pe_cycles = std::min(pe_cycles, e.utilization * pe_cycles);
      e.idle_pe_cycles = pe_cycles - e.busy_pe_cycles;
      const double busy_pj = ae.pe_pj / (R * C), idle_pj = c.idle_gating ? ai.cost.pe.e_clock : busy_pj;
      e.actions.busy_pe_cycles = {e.busy_pe_cycles, e.busy_pe_cycles * busy_pj};
      e.actions.idle_pe_cycles = {e.idle_pe_cycles, e.idle_pe_cycles * idle_pj};
      e.actions.array_cycles = {double(e.cycles), double(e.cycles) * (ae.interconnect_pj + ae.table_pj)};
      e.energy.compute = e.actions.busy_pe_cycles.energy_pj + e.actions.idle_pe_cycles.energy_pj +
                         e.actions.array_cycles.energy_pj;
      if (mp.dequant_on_load) {
        any_dequant = true;
        e.energy.dequant = w_reads * 2 * fmul16.energy_pj;
        e.energy.compute += e.energy.dequant;
        e.actions.dequant_weights = {w_reads, e.energy.dequant};
      }
      // Accuracy on a sampled slice (M <= 4 rows, N <= 16 columns, the full K).
      const AccuracyJob aj = accuracy_job(pe, op, mp, base_dir);
      const auto q = caches_->accuracy.get(aj.key, [&] { return measure_accuracy(aj, base_dir); });
      e.sqnr_db = q.first;
      e.accuracy_how = q.second;
      if (std::isfinite(e.sqnr_db)) {
        noise_weighted += double(e.macs) * std::pow(10.0, -e.sqnr_db / 10);
        sqnr_macs += double(e.macs);
      }
    }
    e.actions.a_buffer_bytes = {e.traffic.sram_a, 8 * e.traffic.sram_a * ba.pj_per_bit};
    e.actions.w_buffer_bytes = {e.traffic.sram_w, 8 * e.traffic.sram_w * bw.pj_per_bit};
    e.actions.o_buffer_bytes = {e.traffic.sram_c, 8 * e.traffic.sram_c * bo.pj_per_bit};
    e.energy.buffers = e.actions.a_buffer_bytes.energy_pj + e.actions.w_buffer_bytes.energy_pj +
                       e.actions.o_buffer_bytes.energy_pj;
    e.energy.dram = 8 * e.traffic.dram() * c.dram_pj_per_bit;
    e.actions.dram_bytes = {e.traffic.dram(), e.energy.dram};
    if (op.kind == OpKind::Elementwise) {  // GEMMs: the mapper's time (transfers overlapped, fill and drain)
      e.compute_s = double(e.cycles) / clock;
      e.dram_s = e.traffic.dram() / (c.dram_gbps * 1e9);
      e.time_s = std::max(e.compute_s, e.dram_s);
    }
    e.bound = e.compute_s >= e.dram_s ? "compute" : "memory";
    e.energy.leakage = leak_uw * e.time_s * 1e6;  // uW x s = 1e-6 J = 1e6 pJ
    e.actions.leakage_s = {e.time_s, e.energy.leakage};
    r.macs += e.macs;
    r.cycles += e.cycles;
    r.time_s += e.time_s;
    r.compute_s += e.compute_s;
    r.dram_s += e.dram_s;
    r.energy += e.energy;
    r.actions += e.actions;
    r.ops.push_back(std::move(e));
    if (progress) progress(double(oi + 1) / double(trace.ops.size()));
  }
  r.utilization = gemm_cycles_total ? double(gemm_macs_total) / (R * C * ai.lanes * double(gemm_cycles_total)) : 0;
  r.sqnr_db = sqnr_macs > 0 && noise_weighted > 0 ? -10 * std::log10(noise_weighted / sqnr_macs)
                                                  : std::numeric_limits<double>::quiet_NaN();
  r.bound = r.dram_s > r.compute_s ? "memory" : "compute";
  r.area_array_um2 = ai.array_area_um2;
  r.area_buffers_um2 = ba.area_um2 + bw.area_um2 + bo.area_um2;
  r.area_dequant_um2 = any_dequant ? 2 * C * fmul16.area_um2 : 0;
  r.area_um2 = r.area_array_um2 + r.area_buffers_um2 + r.area_dequant_um2;
  r.sources = {
      c.cycles == "scalesim"
          ? fmt::format("cycles: SCALE-Sim v2-compatible count (T + R + C - 2 per fold, folds not overlapped, zero-latency "
                        "MACs), {}x{} {} array (array.cycles: scalesim)", c.rows, c.cols, c.dataflow)
          : fmt::format("cycles: closed form array_gemm_cycles (models/cycle/array_gemm.hpp), {}x{} {} array; tested equal to "
                        "the cycle-level array simulation", c.rows, c.cols, c.dataflow),
      synthesized
          ? fmt::format("PE area, energy and clock: {} (PPA database {}); its dynamic energy scaled to the workload's "
                        "activity {}; the array's interconnect: cost model (cost/array_cost) at {} nm ({})",
                        ai.cost.pe.synthesized, ppa_database_.string(), r.activity.how, node.name, node.source)
          : fmt::format("compute energy and array area: cost model (cost/pe_cost, cost/array_cost; component library "
                        "cost/library/components.yaml, Horowitz ISSCC 2014 at 45 nm) scaled to {} nm ({}){}, activity {}",
                        node.name, node.source,
                        fit ? fmt::format("; the PE's components fitted to synthesis on {} (cost/library/fitted.yaml: {})",
                                          fit->library, fit->source)
                            : std::string(),
                        r.activity.how),
      fmt::format("buffers: component 'sram' (Horowitz ISSCC 2014 8 KB / 32 KB / 1 MB points, 64-bit words) at {} nm: "
                  "A {} KB {:.3f} pJ/bit, W {} KB {:.3f} pJ/bit, O {} KB {:.3f} pJ/bit",
                  node.name, c.a_buffer_kb, ba.pj_per_bit, c.w_buffer_kb, bw.pj_per_bit, c.o_buffer_kb, bo.pj_per_bit),
      fmt::format("DRAM: {} pJ/bit, {} GB/s ({})", c.dram_pj_per_bit, c.dram_gbps, c.dram_source),
      fmt::format("vector unit: component 'fp_fma' E8M7 at {} nm, {:.3f} pJ per op; dequantizer: 2 x 'fp_multiplier' "
                  "E5M10 at {} nm, {:.3f} pJ each", node.name, fma.energy_pj, node.name, fmul16.energy_pj),
      fmt::format("leakage: library leakage of the array and buffers at {} nm ({:.1f} uW) x runtime", node.name, leak_uw),
      "SQNR: bit-accurate PE models (models/pe, sim/gemm run_gemm) on sampled values against the FP64 product of the "
      "unquantized samples"};
  return r;
}

std::vector<PeEstimate> Estimator::estimate_all(const traces::Trace& trace, const Progress& progress,
                                                const std::string& base_dir) {
  std::vector<PeEstimate> out;
  const size_t n = config_.pes.size();
  for (size_t i = 0; i < n; ++i) {
    Progress p;
    if (progress) p = [&, i](double f) { progress((double(i) + f) / double(n)); };
    out.push_back(estimate(trace, config_.pes[i], p, base_dir));
  }
  return out;
}

}  // namespace arithsim::estimator
