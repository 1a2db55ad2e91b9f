// arithsim trace list | gen MODEL [...] | show FILE [--format text|csv|json]
#include <cmath>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <arithsim/models/io/output_paths.hpp>
#include "sim/cli/common.hpp"
#include "traces/generators.hpp"
#include "traces/trace.hpp"

namespace arithsim::cli {
namespace {

struct GenArgs {
  std::string model, phase, w, a, o, out;
  int64_t seq = 0, batch = 1, kv = 0, group = -1;
};

void cmd_list() {
  fmt::print("{:<16} {:<7} {:<9} {:<9} {:<5} {:>5}  {}\n", "model", "family", "weights", "acts", "out", "group",
             "description");
  for (const auto& g : traces::generators())
    fmt::print("{:<16} {:<7} {:<9} {:<9} {:<5} {:>5}  {}\n", g.name, g.family, g.w, g.a, g.o, g.group,
               g.description);
  fmt::print("\nsources: docs/traces.md\n");
}

void cmd_gen(const GenArgs& a) {
  traces::GenOptions o;
  o.phase = a.phase, o.seq = a.seq, o.batch = a.batch, o.kv = a.kv, o.w = a.w, o.a = a.a, o.o = a.o;
  o.group = a.group;
  traces::Trace t;
  try {
    t = traces::generate(a.model, o);
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    throw UsageError(what, what.find(a.model) == std::string::npos ? a.model : "");
  }
  // What is written must read back: the reader's limits (every count within 2^62) apply.
  const std::string yaml = traces::to_yaml(t);
  try {
    traces::parse_trace(yaml, "generated trace");
  } catch (const traces::TraceError& e) {
    throw UsageError(fmt::format("{} with these options: {}", a.model, e.what()), "--seq/--batch/--kv");
  }
  if (a.out.empty() || a.out == "-") {
    fmt::print("{}", yaml);
    return;
  }
  io::check_output_file(a.out, "--out");
  try {
    traces::save_trace(t, a.out);
  } catch (const std::exception& e) {
    throw RuntimeError(e.what(), "--out");
  }
  const auto s = traces::summarize(t);
  fmt::print(stderr, "{}: {} ops, {:.4g} MACs, {:.4g} parameters\n", a.out, s.ops, double(s.macs),
             double(s.parameters));
}

std::string si(double v) {
  const char* unit[] = {"", "k", "M", "G", "T", "P", "E"};
  int i = 0;
  while (std::abs(v) >= 1000 && i < 6) v /= 1000, ++i;
  return i ? fmt::format("{:.3f} {}", v, unit[i]) : fmt::format("{:.0f}", v);
}

std::string shape(const traces::Op& op) {
  switch (op.kind) {
    case traces::OpKind::Gemm: return fmt::format("M={} N={} K={}", op.m, op.n, op.k);
    case traces::OpKind::BatchedGemm: return fmt::format("B={} M={} N={} K={}", op.batch, op.m, op.n, op.k);
    case traces::OpKind::Conv2d: {
      const auto& c = op.conv;
      return fmt::format("N={} H={} W={} C={} K={} R={} S={} /{} p{}", c.n, c.h, c.w, c.c, c.k, c.r, c.s, c.stride,
                         c.pad);
    }
    case traces::OpKind::Elementwise:
      return fmt::format("{}{}x{}{}", op.batch > 1 ? fmt::format("{}x", op.batch) : "", op.m, op.n,
                         op.inputs > 1 ? fmt::format(" x{} in", op.inputs) : "");
  }
  return "";
}

void cmd_show(const std::string& file, const std::string& format) {
  if (format != "text" && format != "csv" && format != "json")
    throw UsageError("--format must be text, csv or json", format);
  traces::Trace t;
  try {
    t = traces::load_trace(file);
  } catch (const traces::TraceError& e) {
    throw RuntimeError(e.what(), "");
  }
  const auto s = traces::summarize(t);
  if (format == "json") {
    nlohmann::ordered_json j;
    j["model"] = t.model;
    j["phase"] = t.phase;
    j["parameters"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : t.parameters)
      j["parameters"][k] = v == std::floor(v) && std::fabs(v) < 0x1p53 ? nlohmann::ordered_json(int64_t(v))
                                                                        : nlohmann::ordered_json(v);
    j["ops"] = nlohmann::ordered_json::array();
    for (const auto& op : t.ops)
      j["ops"].push_back({{"name", op.name},
                          {"kind", std::string(traces::to_string(op.kind))},
                          {"shape", shape(op)},
                          {"repeat", op.repeat},
                          {"macs", op.macs()},
                          {"weight_format", op.kind == traces::OpKind::Elementwise ? "" : op.b_format_label()},
                          {"activation_format", op.activation_format},
                          {"output_format", op.output_format},
                          {"weight_bytes", op.b_bytes()},
                          {"activation_bytes", op.a_bytes()},
                          {"output_bytes", op.c_bytes()}});
    j["total"] = {{"ops", s.ops},
                  {"macs", s.macs},
                  {"effective_macs", s.effective_macs},
                  {"parameters", s.parameters},
                  {"weight_bytes", s.weight_bytes},
                  {"activation_bytes", s.activation_bytes},
                  {"output_bytes", s.output_bytes},
                  {"macs_by_kind", s.macs_by_kind},
                  {"bytes_by_format", s.bytes_by_format}};
    fmt::print("{}\n", j.dump(2));
    return;
  }
  if (format == "csv") {
    fmt::print("name,kind,shape,repeat,macs,weight_format,activation_format,output_format,weight_bytes,"
               "activation_bytes,output_bytes\n");
    for (const auto& op : t.ops)
      fmt::print("{},{},\"{}\",{},{},{},{},{},{},{},{}\n", op.name, traces::to_string(op.kind), shape(op), op.repeat,
                 op.macs(), op.kind == traces::OpKind::Elementwise ? "" : op.b_format_label(), op.activation_format,
                 op.output_format, op.b_bytes(), op.a_bytes(), op.c_bytes());
    return;
  }
  fmt::print("{} ({}), trace version {}\n", t.model, t.phase, t.version);
  std::string params;
  for (const auto& [k, v] : t.parameters) params += fmt::format("{}{}={}", params.empty() ? "" : " ", k, v);
  if (!params.empty()) fmt::print("{}\n", params);
  fmt::print("\n{:<28} {:<12} {:<44} {:>4} {:>13} {:>13} {:>13}  {}\n", "op", "kind", "shape", "rep", "MACs",
             "W bytes", "A bytes", "W / A / out");
  for (const auto& op : t.ops)
    fmt::print("{:<28} {:<12} {:<44} {:>4} {:>13} {:>13} {:>13}  {} / {} / {}\n", op.name, traces::to_string(op.kind),
               shape(op), op.repeat, si(double(op.macs())), si(op.b_bytes()), si(op.a_bytes()),
               op.kind == traces::OpKind::Elementwise ? "-" : op.b_format_label(), op.activation_format,
               op.output_format);
  fmt::print("\nops: {}    MACs: {} ({:.6g})", s.ops, si(double(s.macs)), double(s.macs));
  if (s.effective_macs != double(s.macs)) fmt::print("    effective MACs (sparsity): {}", si(s.effective_macs));
  fmt::print("    parameters: {}\n", si(double(s.parameters)));
  for (const auto& [k, v] : s.macs_by_kind) fmt::print("  MACs {:<14} {:>13}\n", k, si(double(v)));
  fmt::print("bytes: weights {}B, activations {}B, outputs {}B\n", si(s.weight_bytes), si(s.activation_bytes),
             si(s.output_bytes));
  for (const auto& [k, v] : s.bytes_by_format) fmt::print("  bytes {:<18} {:>13}B\n", k, si(v));
}

}  // namespace

void add_trace_commands(CLI::App& app) {
  auto* tr = app.add_subcommand("trace", "workload traces: list the generators, generate a trace, summarize one");
  tr->require_subcommand(1);
  auto* list = tr->add_subcommand("list", "the built-in workload generators with their default formats");
  list->callback([] { cmd_list(); });

  static GenArgs g;
  auto* gen = tr->add_subcommand("gen", "generate a trace from a built-in model (arithsim trace list)");
  gen->add_option("model", g.model, "model name (llama2-7b, resnet50, xr-perception ...)")->required();
  gen->add_option("--phase", g.phase, "LLMs: prefill or decode (default decode)");
  const int64_t big = int64_t(1) << 24;
  add_integer<int64_t>(*gen, "--seq", g.seq, "prefill: sequence length S (default 2048)", 1, big)->default_str("2048");
  add_integer<int64_t>(*gen, "--batch", g.batch, "batch: sequences or images (default 1)", 1, big);
  add_integer<int64_t>(*gen, "--kv", g.kv, "decode: KV-cache length L (default 1024)", 1, big)->default_str("1024");
  gen->add_option("--w", g.w, "weight format (default: the model's, e.g. int4 for LLMs)");
  gen->add_option("--a", g.a, "activation format (default: the model's, e.g. int8)");
  gen->add_option("--o", g.o, "output format (default bf16)");
  add_integer<int64_t>(*gen, "--group", g.group, "weight group size (0: none; default: the model's, 128 for LLMs)", 0,
                       traces::kMaxGroup)
      ->default_str("the model's");
  gen->add_option("--out", g.out, "trace file (.yaml, or .json), written atomically; default: stdout");
  gen->callback([] { cmd_gen(g); });

  static std::string show_file, show_format = "text";
  auto* show = tr->add_subcommand("show", "summarize a trace: ops, MACs, bytes by format");
  show->add_option("file", show_file, "trace file (.yaml or .json)")->required();
  show->add_option("--format", show_format, "text, csv or json (default text)");
  show->callback([] { cmd_show(show_file, show_format); });
}

}  // namespace arithsim::cli
