// Workload traces: generator MAC counts against closed forms written here from the published
// hyperparameters (not from the generator code), parameter counts against the published
// totals, save/load round trips, and one-line errors for malformed traces.
#include <gtest/gtest.h>

#include <regex>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "traces/generators.hpp"
#include <arithsim/models/tensor/npy.hpp>
#include "traces/trace.hpp"

namespace {

namespace fs = std::filesystem;
using namespace arithsim::traces;

// ---------------------------------------------------------------------------------------
// Closed forms
// ---------------------------------------------------------------------------------------

struct Llm {
  uint64_t d, layers, heads, kv_heads, ffn, vocab;
  int ffn_mats;  // 3: SwiGLU (gate, up, down), 2: fc1 + fc2
};
const Llm kL2_7{4096, 32, 32, 32, 11008, 32000, 3};
const Llm kL2_13{5120, 40, 40, 40, 13824, 32000, 3};
const Llm kL2_70{8192, 80, 64, 8, 28672, 32000, 3};
const Llm kL3_8{4096, 32, 32, 8, 14336, 128256, 3};
const Llm kBitnet{3200, 26, 32, 32, 8640, 32002, 3};
const Llm kOpt{4096, 32, 32, 32, 16384, 50272, 2};

// Weights of one decoder layer: Q and O are d x d, K and V are d x (kv_heads * head_dim).
uint64_t layer_weights(const Llm& m) {
  const uint64_t kv_dim = m.kv_heads * (m.d / m.heads);
  return 2 * m.d * m.d + 2 * m.d * kv_dim + m.ffn_mats * m.d * m.ffn;
}
// Decode: every weight once per token; attention QK^T and PV over L cached positions per head.
uint64_t llm_decode_macs(const Llm& m, uint64_t batch, uint64_t kv) {
  const uint64_t attn = 2 * m.heads * kv * (m.d / m.heads);
  return m.layers * batch * (layer_weights(m) + attn) + batch * m.d * m.vocab;
}
// Prefill of S tokens: weights once per token, attention S x S per head (causal mask not
// exploited), logits for the last position only.
uint64_t llm_prefill_macs(const Llm& m, uint64_t batch, uint64_t s) {
  const uint64_t attn = 2 * m.heads * s * s * (m.d / m.heads);
  return m.layers * batch * (s * layer_weights(m) + attn) + batch * m.d * m.vocab;
}

uint64_t conv_macs(uint64_t out_hw, uint64_t cin, uint64_t cout, uint64_t r) { return out_hw * cin * cout * r * r; }

// ViT: T = (224/16)^2 + 1 tokens; patch embedding, 12 blocks (QKV, proj, MLP, attention), head.
uint64_t vit_macs(uint64_t d, uint64_t mlp, uint64_t batch) {
  const uint64_t t = 14 * 14 + 1;
  const uint64_t block = t * (4 * d * d + 2 * d * mlp) + 2 * t * t * d;
  return batch * (196 * (3 * 16 * 16) * d + 12 * block + d * 1000);
}

// ResNet-50 (torchvision v1.5) stage by stage: feature map sizes 56, 28, 14, 7.
uint64_t resnet50_macs() {
  uint64_t macs = conv_macs(112 * 112, 3, 64, 7);
  const uint64_t blocks[4] = {3, 4, 6, 3}, size[4] = {56, 28, 14, 7};
  uint64_t in = 64;
  for (int s = 0; s < 4; ++s) {
    const uint64_t w = 64u << s, out = 4 * w, hw = size[s] * size[s], in_hw = s == 0 ? hw : 4 * hw;
    for (uint64_t b = 0; b < blocks[s]; ++b) {
      const uint64_t cin = b == 0 ? in : out;
      macs += conv_macs(b == 0 ? in_hw : hw, cin, w, 1);  // 1x1 reduce at the input resolution
      macs += conv_macs(hw, w, w, 3);                     // 3x3 (strided in the first block)
      macs += conv_macs(hw, w, out, 1);                   // 1x1 expand
      if (b == 0) macs += conv_macs(hw, cin, out, 1);     // projection shortcut
    }
    in = out;
  }
  return macs + 2048 * 1000;
}

// ResNet-18, CIFAR-10 variant: 3x3 stem at 32x32, no max pool, stages at 32, 16, 8, 4, fc to 10.
uint64_t resnet18_cifar_macs() {
  uint64_t macs = conv_macs(32 * 32, 3, 64, 3);
  const uint64_t size[4] = {32, 16, 8, 4};
  for (int s = 0; s < 4; ++s) {
    const uint64_t w = 64u << s, hw = size[s] * size[s], cin = s == 0 ? 64 : w / 2;
    macs += conv_macs(hw, cin, w, 3) + 3 * conv_macs(hw, w, w, 3);
    if (s > 0) macs += conv_macs(hw, cin, w, 1);
  }
  return macs + 512 * 10;
}

// SuperPoint on 240 x 320: shared encoder (pools after stages 1-3), detector and descriptor heads.
uint64_t superpoint_macs() {
  const uint64_t hw1 = 240 * 320, hw2 = hw1 / 4, hw3 = hw1 / 16, hw4 = hw1 / 64;
  uint64_t macs = conv_macs(hw1, 1, 64, 3) + conv_macs(hw1, 64, 64, 3);
  macs += 2 * conv_macs(hw2, 64, 64, 3);
  macs += conv_macs(hw3, 64, 128, 3) + conv_macs(hw3, 128, 128, 3);
  macs += 2 * conv_macs(hw4, 128, 128, 3);
  macs += conv_macs(hw4, 128, 256, 3) + conv_macs(hw4, 256, 65, 1);
  macs += conv_macs(hw4, 128, 256, 3) + conv_macs(hw4, 256, 256, 1);
  return macs;
}

// MPIIGaze LeNet: 36x60 -> conv5 (32x56x20) -> pool -> conv5 (12x24x50) -> pool (6x12x50) ->
// fc 500 -> [500 + 2 head pose] -> 2.
uint64_t gaze_macs() {
  return conv_macs(32 * 56, 1, 20, 5) + conv_macs(12 * 24, 20, 50, 5) + 3600 * 500 + 502 * 2;
}

GenOptions decode(int64_t batch, int64_t kv) {
  GenOptions o;
  o.phase = "decode", o.batch = batch, o.kv = kv;
  return o;
}
GenOptions prefill(int64_t batch, int64_t seq) {
  GenOptions o;
  o.phase = "prefill", o.batch = batch, o.seq = seq;
  return o;
}

TEST(TraceGenerators, LlmMacsMatchClosedForms) {
  const std::pair<const char*, const Llm*> models[] = {{"llama2-7b", &kL2_7},   {"llama2-13b", &kL2_13},
                                                       {"llama2-70b", &kL2_70}, {"llama3-8b", &kL3_8},
                                                       {"bitnet-b1.58-3b", &kBitnet}, {"opt-6.7b", &kOpt}};
  for (const auto& [name, m] : models) {
    SCOPED_TRACE(name);
    for (auto [b, l] : {std::pair<int64_t, int64_t>{1, 1024}, {8, 4096}, {3, 1}})
      EXPECT_EQ(generate(name, decode(b, l)).macs(), llm_decode_macs(*m, b, l));
    for (auto [b, s] : {std::pair<int64_t, int64_t>{1, 2048}, {2, 512}, {1, 1}})
      EXPECT_EQ(generate(name, prefill(b, s)).macs(), llm_prefill_macs(*m, b, s));
  }
}

TEST(TraceGenerators, LlmDefaultsAreDecodeB1L1024W4A8G128) {
  const Trace t = generate("llama2-7b");
  EXPECT_EQ(t.phase, "decode");
  EXPECT_EQ(t.macs(), llm_decode_macs(kL2_7, 1, 1024));
  EXPECT_EQ(t.defaults.weight_format, "int4");
  EXPECT_EQ(t.defaults.activation_format, "int8");
  EXPECT_EQ(t.defaults.group, 128);
  for (const auto& op : t.ops) {
    if (op.kind == OpKind::Gemm) {
      EXPECT_EQ(op.b_format_label(), "int4/g128") << op.name;
    }
  }
  // int4 + one FP16 scale per 128 weights: 4.125 bits per weight.
  const Op* q = nullptr;
  for (const auto& op : t.ops) if (op.name == "layer.q_proj") q = &op;
  ASSERT_NE(q, nullptr);
  EXPECT_DOUBLE_EQ(q->b_bytes(), 32.0 * 4096 * 4096 * 4.125 / 8);
  EXPECT_DOUBLE_EQ(q->a_bytes(), 32.0 * 4096);  // int8, one token, 32 layers
  EXPECT_DOUBLE_EQ(q->c_bytes(), 32.0 * 4096 * 2);
}

TEST(TraceGenerators, GqaKvCacheCountedPerKvHead) {
  // LLaMA-2-70B decode: the K cache read per layer is B * kv_heads * L * head_dim elements.
  const Trace t = generate("llama2-70b", decode(2, 1000));
  int found = 0;
  for (const auto& op : t.ops) {
    if (op.name != "layer.attn_score") continue;
    ++found;
    EXPECT_EQ(op.b_elements(), uint64_t(80) * 2 * 8 * 1000 * 128);
    EXPECT_EQ(op.macs(), uint64_t(80) * 2 * 64 * 1000 * 128);
  }
  EXPECT_EQ(found, 1);
}

TEST(TraceGenerators, VisionAndXrMacsMatchClosedForms) {
  for (int64_t b : {1, 4}) {
    GenOptions o;
    o.batch = b;
    EXPECT_EQ(generate("vit-b16", o).macs(), vit_macs(768, 3072, b));
    EXPECT_EQ(generate("deit-s", o).macs(), vit_macs(384, 1536, b));
    EXPECT_EQ(generate("resnet50", o).macs(), b * resnet50_macs());
    EXPECT_EQ(generate("xr-classifier", o).macs(), b * resnet18_cifar_macs());
    EXPECT_EQ(generate("xr-vio", o).macs(), b * superpoint_macs());
    EXPECT_EQ(generate("xr-gaze", o).macs(), b * gaze_macs());
    EXPECT_EQ(generate("xr-perception", o).macs(), b * (resnet18_cifar_macs() + superpoint_macs() + gaze_macs()));
  }
  // Published compute: ViT-B/16 17.6 GMACs, DeiT-S 4.6 (DeiT Table 1, "FLOPs" = MACs),
  // ResNet-50 4.09 GMACs (torchvision), CIFAR ResNet-18 0.56 GMACs; within 1 %.
  EXPECT_NEAR(double(generate("vit-b16").macs()), 17.6e9, 0.01 * 17.6e9);
  EXPECT_NEAR(double(generate("deit-s").macs()), 4.6e9, 0.01 * 4.6e9);
  EXPECT_NEAR(double(generate("resnet50").macs()), 4.09e9, 0.01 * 4.09e9);
  EXPECT_NEAR(double(generate("xr-classifier").macs()), 0.556e9, 0.01 * 0.556e9);
}

TEST(TraceGenerators, ResNet50ConvShapes) {
  const Trace t = generate("resnet50");
  size_t convs = 0;
  for (const auto& op : t.ops)
    if (op.kind == OpKind::Conv2d) convs += op.repeat;
  EXPECT_EQ(convs, 53u);  // 1 + 16 blocks x 3 + 4 projections
  const auto& c1 = t.ops.front();
  EXPECT_EQ(c1.name, "conv1");
  EXPECT_EQ(c1.conv, (ConvShape{1, 224, 224, 3, 64, 7, 7, 2, 3}));
  EXPECT_EQ(c1.conv.p(), 112);
}

// Parameter totals: the traces' weights (gemm / conv2d B operands) plus what is not a
// matmul (embedding tables, norms, biases), against the published totals.
TEST(TraceGenerators, ParameterCountsMatchPublishedTotals) {
  auto llama_total = [](const char* name, const Llm& m) {
    // + token embedding (untied) + 2 RMSNorm vectors per layer + the final norm.
    return generate(name).parameter_count() + m.vocab * m.d + (2 * m.layers + 1) * m.d;
  };
  // Exact totals of the released checkpoints (Hugging Face safetensors metadata).
  EXPECT_EQ(llama_total("llama2-7b", kL2_7), 6738415616u);
  EXPECT_EQ(llama_total("llama2-13b", kL2_13), 13015864320u);
  EXPECT_EQ(llama_total("llama2-70b", kL2_70), 68976648192u);
  EXPECT_EQ(llama_total("llama3-8b", kL3_8), 8030261248u);
  // BitNet b1.58 3B (1bitLLM reproduction): 3.32B on its model card, i.e. one V x D matrix.
  const double bitnet = double(generate("bitnet-b1.58-3b").parameter_count() + (2 * 26 + 1) * 3200);
  EXPECT_NEAR(bitnet, 3.32e9, 0.005 * 3.32e9);
  // OPT-6.7B: LM head tied to the embedding; + 2050 learned positions; 6.7B within 1 %.
  const double opt = double(generate("opt-6.7b").parameter_count() + 2050 * 4096);
  EXPECT_NEAR(opt, 6.7e9, 0.01 * 6.7e9);
  // Vision: ViT-B/16 86M, DeiT-S 22M (their Table 1), ResNet-50 25.6M, CIFAR ResNet-18 11.17M.
  EXPECT_NEAR(double(generate("vit-b16").parameter_count()), 86e6, 0.01 * 86e6);
  EXPECT_NEAR(double(generate("deit-s").parameter_count()), 22e6, 0.01 * 22e6);
  EXPECT_NEAR(double(generate("resnet50").parameter_count()), 25.557e6, 0.005 * 25.557e6);
  EXPECT_NEAR(double(generate("xr-classifier").parameter_count()), 11.17e6, 0.005 * 11.17e6);
  // Weight counts do not depend on phase or batch.
  EXPECT_EQ(generate("llama2-7b", prefill(4, 100)).parameter_count(), generate("llama2-7b").parameter_count());
}

TEST(TraceGenerators, OptionsAreValidated) {
  EXPECT_THROW(generate("gpt-5"), std::invalid_argument);
  GenOptions o;
  o.seq = 10;
  EXPECT_THROW(generate("resnet50", o), std::invalid_argument);  // --seq on a CNN
  EXPECT_THROW(generate("llama2-7b", o), std::invalid_argument);  // --seq with decode
  o = {};
  o.w = "int3x";
  EXPECT_THROW(generate("llama2-7b", o), std::invalid_argument);
  o = {};
  o.phase = "train";
  EXPECT_THROW(generate("llama2-7b", o), std::invalid_argument);
  o = {};
  o.w = "mxfp4", o.group = 32;
  EXPECT_EQ(generate("llama2-7b", o).ops[1].b_format_label(), "mxfp4/g32");
  EXPECT_DOUBLE_EQ(bits_per_element("mxfp4", 32), 4.25);  // E2M1 + E8M0 per 32
  EXPECT_DOUBLE_EQ(bits_per_element("nvfp4"), 4.5);       // E2M1 + E4M3 per 16
  EXPECT_DOUBLE_EQ(bits_per_element("ternary"), 2.0);
  EXPECT_EQ(generators().size(), 13u);
}

// ---------------------------------------------------------------------------------------
// Round trip
// ---------------------------------------------------------------------------------------

fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("arithsim_trace_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(TraceFile, RoundTripEveryGenerator) {
  const fs::path d = temp_dir();
  for (const auto& g : generators()) {
    SCOPED_TRACE(g.name);
    const Trace t = generate(g.name);
    for (const char* ext : {".yaml", ".json"}) {
      const std::string p = (d / (g.name + ext)).string();
      save_trace(t, p);
      EXPECT_EQ(load_trace(p), t);
    }
  }
  fs::remove_all(d);
}

TEST(TraceFile, RoundTripEveryField) {
  const fs::path d = temp_dir();
  arithsim::tensor::write_npy((d / "x.npy").string(), arithsim::tensor::NpyArray::from_float({0.5f, -1.0f}, {2}));
  Trace t;
  t.model = "custom \"model\": a";
  t.phase = "forward";
  t.parameters = {{"alpha", 0.1}, {"big", 123456789012.0}, {"odd key", -3}};
  t.defaults.weight_format = "e4m3";
  t.defaults.activation_format = "int8";
  t.defaults.output_format = "bf16";
  Op g;
  g.name = "g", g.kind = OpKind::Gemm, g.m = 3, g.n = 5, g.k = 7, g.repeat = 2;
  g.weight_format = "int4_g128:asym", g.group = 64, g.sparsity = 0.375;
  g.activation_format = "posit(8,0)", g.output_format = "e4m3";
  g.weight_stats = ValueStats{"normal", {{"mean", 0}, {"std", 0.02}}, ""};
  g.activation_stats = ValueStats{"", {}, "x.npy"};
  Op b;
  b.name = "b", b.kind = OpKind::BatchedGemm, b.batch = 4, b.m = 1, b.n = 2, b.k = 3;
  b.weight_format = "e4m3", b.activation_format = "int8", b.output_format = "bf16";
  b.activation_stats = ValueStats{"student_t", {{"df", 3}, {"scale", 1.5}}, ""};
  Op c;
  c.name = "c", c.kind = OpKind::Conv2d, c.conv = {2, 9, 11, 3, 8, 3, 5, 2, 1};
  c.weight_format = "mxfp8", c.activation_format = "int8", c.output_format = "bf16";
  Op e;
  e.name = "e", e.kind = OpKind::Elementwise, e.batch = 2, e.m = 3, e.n = 4, e.inputs = 2, e.function = "add";
  e.activation_format = "bf16", e.output_format = "int8";
  t.ops = {g, b, c, e};
  for (const char* ext : {".yaml", ".json"}) {
    const std::string p = (d / (std::string("t") + ext)).string();
    save_trace(t, p);
    EXPECT_EQ(load_trace(p), t) << ext;
  }
  fs::remove_all(d);
}

// ---------------------------------------------------------------------------------------
// Malformed traces: one line naming the file, the op and the field
// ---------------------------------------------------------------------------------------

const char* kGood = R"(version: 1
model: tiny
phase: decode
defaults: {weight_format: int4, activation_format: int8, output_format: bf16, group: 128}
ops:
  - {name: layer0.q_proj, kind: gemm, m: 1, n: 4096, k: 4096}
  - {name: attn, kind: batched_gemm, batch: 32, m: 1, n: 1024, k: 128, weight_format: int8, group: 0}
)";

std::string error_of(const std::string& text, const std::string& file = "llama.yaml") {
  try {
    parse_trace(text, file);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(TraceFile, GoodTraceLoads) {
  const Trace t = parse_trace(kGood, "llama.yaml");
  ASSERT_EQ(t.ops.size(), 2u);
  EXPECT_EQ(t.ops[0].group, 128);
  EXPECT_EQ(t.ops[1].group, 0);
  EXPECT_EQ(t.macs(), 4096u * 4096 + 32u * 1024 * 128);
}

TEST(TraceFile, MalformedTracesNameFileOpAndField) {
  const std::string g = kGood;
  EXPECT_EQ(error_of(replace(g, "k: 4096}", "k: -4}")),
            "llama.yaml: op 'layer0.q_proj': field 'k' must be a positive integer");
  EXPECT_EQ(error_of(replace(g, "k: 4096}", "k: four}")),
            "llama.yaml: op 'layer0.q_proj': field 'k' must be a positive integer");
  EXPECT_EQ(error_of(replace(g, "k: 4096}", "k: 12.5}")),
            "llama.yaml: op 'layer0.q_proj': field 'k' must be a positive integer");
  EXPECT_EQ(error_of(replace(g, ", k: 4096}", "}")), "llama.yaml: op 'layer0.q_proj': missing field 'k'");
  EXPECT_EQ(error_of(replace(g, "kind: gemm", "kind: matmul")),
            "llama.yaml: op 'layer0.q_proj': field 'kind' must be one of gemm, batched_gemm, conv2d, elementwise "
            "(got 'matmul')");
  EXPECT_EQ(error_of(replace(g, "weight_format: int8", "weight_format: int3x")),
            "llama.yaml: op 'attn': field 'weight_format': unknown format 'int3x'");
  EXPECT_EQ(error_of(replace(g, "m: 1, n: 4096", "m: 1, kk: 3, n: 4096")),
            "llama.yaml: op 'layer0.q_proj': unknown field 'kk' for kind gemm");
  EXPECT_EQ(error_of(replace(g, "batch: 32, ", "")), "llama.yaml: op 'attn': missing field 'batch'");
  EXPECT_EQ(error_of(replace(g, "group: 0}", "group: 0, sparsity: 1.5}")),
            "llama.yaml: op 'attn': field 'sparsity' must be in [0, 1)");
  EXPECT_EQ(error_of(replace(g, "{name: attn,", "{name: layer0.q_proj,")),
            "llama.yaml: op 'layer0.q_proj': duplicate op name");
  EXPECT_EQ(error_of(replace(g, "{name: layer0.q_proj, ", "{")), "llama.yaml: op #1: missing field 'name'");
  EXPECT_EQ(error_of(replace(g, "group: 0}", "group: 0, weight_stats: {distribution: normal, mean: 0}}")),
            "llama.yaml: op 'attn': field 'weight_stats': missing field 'std' of distribution normal");
  EXPECT_EQ(error_of(replace(g, "group: 0}", "group: 0, weight_stats: {distribution: cauchy}}")),
            "llama.yaml: op 'attn': field 'weight_stats': field 'distribution' must be one of normal, uniform, "
            "laplace, student_t (got 'cauchy')");
  EXPECT_EQ(error_of(replace(g, "group: 0}", "group: 0, activation_stats: {npy: missing.npy}}")),
            "llama.yaml: op 'attn': field 'activation_stats': field 'npy': file 'missing.npy' not found");
  // Top level.
  EXPECT_EQ(error_of(replace(g, "version: 1", "version: 2")),
            "llama.yaml: unsupported version 2 (this arithsim reads version 1)");
  EXPECT_EQ(error_of(replace(g, "version: 1\n", "")), "llama.yaml: missing field 'version'");
  EXPECT_EQ(error_of(replace(g, "model: tiny\n", "")), "llama.yaml: missing field 'model'");
  EXPECT_EQ(error_of(replace(g, "phase: decode", "phase: [decode]")),
            "llama.yaml: field 'phase' must be a non-empty string");
  EXPECT_EQ(error_of(replace(g, "activation_format: int8, ", "")),
            "llama.yaml: op 'layer0.q_proj': missing field 'activation_format' (and no default in 'defaults')");
  EXPECT_EQ(error_of(replace(g, "ops:", "opz:")), "llama.yaml: unknown field 'opz'");
  EXPECT_EQ(error_of(""), "llama.yaml: empty trace");
  // Conv2d whose filter exceeds the padded input.
  EXPECT_EQ(error_of(g + "  - {name: c, kind: conv2d, n: 1, h: 2, w: 2, c: 1, k: 1, r: 5, s: 5, pad: 1}\n"),
            "llama.yaml: op 'c': filter 5x5 larger than the padded input 4x4");
}

TEST(TraceFile, TruncatedFilesAreRejected) {
  // A saved trace cut at every line boundary and mid-line: it never loads silently wrong —
  // either it is rejected with a message naming the file, or it is a valid prefix whose
  // ops are a prefix of the original's.
  const Trace full = generate("deit-s");
  const std::string text = to_yaml(full);
  size_t rejected = 0;
  for (size_t cut = 0; cut < text.size(); cut += 7) {
    const std::string part = text.substr(0, cut);
    try {
      const Trace t = parse_trace(part, "cut.yaml");
      ASSERT_LE(t.ops.size(), full.ops.size());
      for (size_t i = 0; i < t.ops.size(); ++i) EXPECT_EQ(t.ops[i], full.ops[i]) << "cut at " << cut;
    } catch (const TraceError& e) {
      ++rejected;
      EXPECT_EQ(std::string(e.what()).rfind("cut.yaml:", 0), 0u) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(rejected, 0u);
  // Cut inside an op's flow mapping: a YAML syntax error with its line.
  const auto at = text.find("name: layer.qkv");
  EXPECT_TRUE(std::regex_search(error_of(text.substr(0, at + 8), "cut.yaml"), std::regex("^cut\\.yaml:[0-9]+:[0-9]+: YAML syntax error")));
}

// Parameter names are names: one over 64 bytes or with control bytes is refused at
// parse time (it once parsed, then to_yaml wrote a key YAML cannot read back).
TEST(TraceFile, ParameterNamesAreNames) {
  const std::string head = "version: 1\nmodel: m\nphase: decode\nparameters:\n  ";
  const std::string ops = "\ndefaults: {weight_format: int8, activation_format: int8, output_format: int8}\n"
                          "ops:\n  - {name: a, kind: gemm, m: 1, n: 1, k: 1}\n";
  EXPECT_NO_THROW(parse_trace(head + "head_dim.v-2: 128" + ops, "t.yaml"));
  EXPECT_NO_THROW(parse_trace(head + "\"odd key\": 128" + ops, "t.yaml"));
  for (const std::string& bad : {std::string(100, 'h'), std::string("\"he\\u0013ad\""), std::string(65, 'x')}) {
    const std::string e = error_of(head + bad + ": 128" + ops, "t.yaml");
    EXPECT_NE(e.find("t.yaml: parameters: '"), std::string::npos) << e;
    EXPECT_NE(e.find("is not a parameter name"), std::string::npos) << e;
    EXPECT_LT(e.size(), 300u) << e;
  }
}

TEST(TraceFile, SamplesLoad) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(ARITHSIM_TRACE_SAMPLES)) {
    if (e.path().extension() != ".yaml") continue;
    SCOPED_TRACE(e.path().string());
    const Trace t = load_trace(e.path().string());
    EXPECT_GT(t.ops.size(), 0u);
    ++n;
  }
  EXPECT_GE(n, 2u);
  // The generated sample is what the generator writes today.
  EXPECT_EQ(load_trace(std::string(ARITHSIM_TRACE_SAMPLES) + "/llama2-7b-decode.yaml"), generate("llama2-7b"));
  const Trace ex = load_trace(std::string(ARITHSIM_TRACE_SAMPLES) + "/example.yaml");
  EXPECT_EQ(ex.ops[1].sparsity, 0.5);
  EXPECT_DOUBLE_EQ(ex.ops[1].effective_macs(), 2.0 * 4 * 3072 * 1024 * 0.5);
  EXPECT_EQ(ex.ops[3].b_format_label(), "mxfp4/g32");
  EXPECT_EQ(ex.ops[4].conv.p(), 112);
}

TEST(TraceFile, MissingFile) {
  try {
    load_trace("/nonexistent/t.yaml");
    FAIL();
  } catch (const TraceError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/t.yaml: cannot read (No such file or directory)");
  }
}

TEST(TraceFile, SummaryBytesByFormat) {
  const Trace t = parse_trace(kGood, "t.yaml");
  const Summary s = summarize(t);
  EXPECT_EQ(s.ops, 2u);
  EXPECT_DOUBLE_EQ(s.bytes_by_format.at("int4/g128"), 4096.0 * 4096 * 4.125 / 8);
  // int8: q_proj input 4096 + attn A (32 x 128) + attn B (32 x 128 x 1024).
  EXPECT_DOUBLE_EQ(s.bytes_by_format.at("int8"), 4096.0 + 32 * 128 + 32.0 * 128 * 1024);
  EXPECT_DOUBLE_EQ(s.bytes_by_format.at("bf16"), 2.0 * (4096 + 32 * 1024));
}

}  // namespace
