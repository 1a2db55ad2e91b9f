#include "traces/generators.hpp"

#include <functional>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::traces {

namespace {

// ---------------------------------------------------------------------------------------
// Published hyperparameters (docs/traces.md cites each)
// ---------------------------------------------------------------------------------------

struct LlmSpec {
  int64_t hidden, layers, heads, kv_heads, ffn, vocab;
  bool gated;                 // SwiGLU FFN (gate, up, down) vs two-matrix FFN (fc1, fc2)
  const char* norm;           // rmsnorm / layernorm
  const char* act;            // silu_mul / relu
  bool tied_lm_head = false;  // LM head shares the embedding matrix
  bool fp_lm_head = false;    // LM head kept in bf16 whatever --w says (BitNet)
};

struct VitSpec {
  int64_t hidden, layers, heads, mlp, patch, image, classes;
};

const LlmSpec kLlama2_7b{4096, 32, 32, 32, 11008, 32000, true, "rmsnorm", "silu_mul"};
const LlmSpec kLlama2_13b{5120, 40, 40, 40, 13824, 32000, true, "rmsnorm", "silu_mul"};
const LlmSpec kLlama2_70b{8192, 80, 64, 8, 28672, 32000, true, "rmsnorm", "silu_mul"};
const LlmSpec kLlama3_8b{4096, 32, 32, 8, 14336, 128256, true, "rmsnorm", "silu_mul"};
const LlmSpec kBitnet3b{3200, 26, 32, 32, 8640, 32002, true, "rmsnorm", "silu_mul", false, true};
const LlmSpec kOpt6_7b{4096, 32, 32, 32, 16384, 50272, false, "layernorm", "relu", true};
const VitSpec kVitB16{768, 12, 12, 3072, 16, 224, 1000};
const VitSpec kDeitS{384, 12, 6, 1536, 16, 224, 1000};

// Builds a trace: ops take the trace defaults (gemm weights/activations/outputs) unless set.
struct Builder {
  Trace t;
  std::string prefix;
  Op& add(Op op) {
    op.name = prefix + op.name;
    if (op.weight_format.empty() && op.kind != OpKind::Elementwise) op.weight_format = t.defaults.weight_format;
    if (op.activation_format.empty()) op.activation_format = t.defaults.activation_format;
    if (op.output_format.empty()) op.output_format = t.defaults.output_format;
    if (op.group < 0) op.group = op.kind == OpKind::Elementwise ? 0 : t.defaults.group;
    t.ops.push_back(std::move(op));
    return t.ops.back();
  }
  Op& gemm(std::string name, int64_t m, int64_t n, int64_t k, int64_t repeat = 1) {
    Op op;
    op.name = std::move(name), op.kind = OpKind::Gemm, op.m = m, op.n = n, op.k = k, op.repeat = repeat;
    op.group = -1;
    return add(std::move(op));
  }
  // Both operands are activations: B (K^T or V) in the activation format, no group.
  Op& bgemm(std::string name, int64_t batch, int64_t m, int64_t n, int64_t k, int64_t repeat = 1) {
    Op op;
    op.name = std::move(name), op.kind = OpKind::BatchedGemm, op.batch = batch, op.m = m, op.n = n, op.k = k;
    op.repeat = repeat, op.weight_format = t.defaults.activation_format, op.group = 0;
    return add(std::move(op));
  }
  // Elementwise ops read and write the output format (the residual stream) unless their
  // result feeds a matmul (`quantized_out`: written in the activation format).
  Op& elem(std::string name, std::string function, int64_t batch, int64_t m, int64_t n, int64_t inputs,
           int64_t repeat, bool quantized_out) {
    Op op;
    op.name = std::move(name), op.kind = OpKind::Elementwise, op.function = std::move(function);
    op.batch = batch, op.m = m, op.n = n, op.inputs = inputs, op.repeat = repeat, op.group = 0;
    op.activation_format = t.defaults.output_format;
    op.output_format = quantized_out ? t.defaults.activation_format : t.defaults.output_format;
    return add(std::move(op));
  }
  // Conv2d (NHWC input n x h x w x c, k filters r x r), returning the output size.
  std::pair<int64_t, int64_t> conv(std::string name, int64_t n, int64_t h, int64_t w, int64_t c, int64_t k,
                                   int64_t r, int64_t stride, int64_t pad, int64_t repeat = 1) {
    Op op;
    op.name = std::move(name), op.kind = OpKind::Conv2d, op.repeat = repeat, op.group = -1;
    op.conv = ConvShape{n, h, w, c, k, r, r, stride, pad};
    const auto pq = std::make_pair(op.conv.p(), op.conv.q());
    add(std::move(op));
    return pq;
  }
};

void set_params(Trace& t, std::initializer_list<std::pair<const char*, int64_t>> kv) {
  t.parameters.clear();
  for (const auto& [k, v] : kv) t.parameters[k] = double(v);
}

void set_defaults(Builder& b, const GeneratorInfo& g, const GenOptions& o) {
  b.t.defaults.weight_format = o.w.empty() ? g.w : o.w;
  b.t.defaults.activation_format = o.a.empty() ? g.a : o.a;
  b.t.defaults.output_format = o.o.empty() ? g.o : o.o;
  b.t.defaults.group = o.group >= 0 ? o.group : g.group;
}

// ---------------------------------------------------------------------------------------
// Decoder-only LLMs
// ---------------------------------------------------------------------------------------

void llm(Builder& b, const LlmSpec& s, const GenOptions& o) {
  const bool decode = b.t.phase == "decode";
  const int64_t B = o.batch, S = o.seq ? o.seq : 2048, L = o.kv ? o.kv : 1024;
  const int64_t D = s.hidden, H = s.heads, Hkv = s.kv_heads, dh = D / H, g = H / Hkv, F = s.ffn, R = s.layers;
  const int64_t M = decode ? B : B * S;  // tokens through the projections
  const int64_t q = decode ? 1 : S;      // query positions per sequence
  const int64_t kv = decode ? L : S;     // key positions attended to
  set_params(b.t, {{"hidden", D}, {"layers", R}, {"heads", H}, {"kv_heads", Hkv}, {"head_dim", dh}, {"ffn", F},
                   {"vocab", s.vocab}, {"batch", B}, {decode ? "kv_len" : "seq", decode ? L : S}});

  b.elem("layer.attn_norm", s.norm, 1, M, D, 1, R, true);
  b.gemm("layer.q_proj", M, H * dh, D, R);
  b.gemm("layer.k_proj", M, Hkv * dh, D, R);
  b.gemm("layer.v_proj", M, Hkv * dh, D, R);
  if (std::string(s.norm) == "rmsnorm") b.elem("layer.rope", "rope", 1, M, (H + Hkv) * dh, 1, R, true);
  // Grouped-query attention: the g = H / Hkv query heads sharing a KV head are stacked in
  // M, so B (the K or V cache) is counted once per KV head.
  b.bgemm("layer.attn_score", B * Hkv, g * q, kv, dh, R);
  b.elem("layer.softmax", "softmax", B * H, q, kv, 1, R, true);
  b.bgemm("layer.attn_context", B * Hkv, g * q, dh, kv, R);
  b.gemm("layer.o_proj", M, D, H * dh, R);
  b.elem("layer.attn_residual", "add", 1, M, D, 2, R, false);
  b.elem("layer.ffn_norm", s.norm, 1, M, D, 1, R, true);
  if (s.gated) {
    b.gemm("layer.gate_proj", M, F, D, R);
    b.gemm("layer.up_proj", M, F, D, R);
    b.elem("layer.swiglu", s.act, 1, M, F, 2, R, true);
    b.gemm("layer.down_proj", M, D, F, R);
  } else {
    b.gemm("layer.fc1", M, F, D, R);
    b.elem("layer.act", s.act, 1, M, F, 1, R, true);
    b.gemm("layer.fc2", M, D, F, R);
  }
  b.elem("layer.ffn_residual", "add", 1, M, D, 2, R, false);
  // Logits of the last position of each sequence only (what generation needs).
  b.elem("final_norm", s.norm, 1, B, D, 1, 1, !s.fp_lm_head);
  Op& head = b.gemm("lm_head", B, s.vocab, D);
  if (s.fp_lm_head) head.weight_format = head.activation_format = "bf16", head.group = 0;
}

// ---------------------------------------------------------------------------------------
// Vision transformers
// ---------------------------------------------------------------------------------------

void vit(Builder& b, const VitSpec& s, const GenOptions& o) {
  const int64_t B = o.batch, D = s.hidden, H = s.heads, dh = D / H, R = s.layers;
  const int64_t grid = s.image / s.patch, T = grid * grid + 1;  // patches + [class] token
  const int64_t M = B * T;
  set_params(b.t, {{"hidden", D}, {"layers", R}, {"heads", H}, {"mlp", s.mlp}, {"patch", s.patch},
                   {"image", s.image}, {"tokens", T}, {"classes", s.classes}, {"batch", B}});
  b.conv("patch_embed", B, s.image, s.image, 3, D, s.patch, s.patch, 0);
  b.elem("layer.ln1", "layernorm", 1, M, D, 1, R, true);
  b.gemm("layer.qkv", M, 3 * D, D, R);
  b.bgemm("layer.attn_score", B * H, T, T, dh, R);
  b.elem("layer.softmax", "softmax", B * H, T, T, 1, R, true);
  b.bgemm("layer.attn_context", B * H, T, dh, T, R);
  b.gemm("layer.proj", M, D, D, R);
  b.elem("layer.attn_residual", "add", 1, M, D, 2, R, false);
  b.elem("layer.ln2", "layernorm", 1, M, D, 1, R, true);
  b.gemm("layer.fc1", M, s.mlp, D, R);
  b.elem("layer.gelu", "gelu", 1, M, s.mlp, 1, R, true);
  b.gemm("layer.fc2", M, D, s.mlp, R);
  b.elem("layer.mlp_residual", "add", 1, M, D, 2, R, false);
  b.elem("final_norm", "layernorm", 1, B, D, 1, 1, true);  // the [class] token feeds the head
  b.gemm("head", B, s.classes, D);
}

// ---------------------------------------------------------------------------------------
// CNNs: ReLU and batch norm are folded into the convolutions; pooling is left out.
// ---------------------------------------------------------------------------------------

// ResNet (torchvision layout, v1.5: the stride sits on the 3x3 convolution). Identical
// blocks after the first of a stage are one op with repeat = blocks - 1.
// `cifar`: the CIFAR-10 variant (32 x 32 input, 3x3 stride-1 stem, no max pool, 10 classes).
void resnet(Builder& b, const std::vector<int64_t>& blocks, bool bottleneck, const GenOptions& o, bool cifar = false) {
  const int64_t B = o.batch, image = cifar ? 32 : 224, classes = cifar ? 10 : 1000;
  set_params(b.t, {{"image", image}, {"classes", classes}, {"batch", B}, {"depth", bottleneck ? 50 : 18}});
  auto [h, w] = cifar ? b.conv("conv1", B, 32, 32, 3, 64, 3, 1, 1) : b.conv("conv1", B, 224, 224, 3, 64, 7, 2, 3);
  if (!cifar) h = (h + 2 - 3) / 2 + 1, w = (w + 2 - 3) / 2 + 1;  // 3x3/2 max pool
  int64_t c = 64;
  const int64_t expansion = bottleneck ? 4 : 1;
  for (size_t st = 0; st < blocks.size(); ++st) {
    const int64_t width = 64 << st, out = width * expansion, stride = st == 0 ? 1 : 2;
    for (int first = 1; first >= 0; --first) {
      const int64_t rep = first ? 1 : blocks[st] - 1;
      if (rep == 0) continue;
      const std::string name =
          first        ? fmt::format("layer{}.0.", st + 1)
          : rep == 1   ? fmt::format("layer{}.1.", st + 1)
                       : fmt::format("layer{}.1-{}.", st + 1, blocks[st] - 1);
      const int64_t s = first ? stride : 1, in = first ? c : out;
      int64_t ho, wo;
      if (bottleneck) {
        b.conv(name + "conv1", B, h, w, in, width, 1, 1, 0, rep);
        std::tie(ho, wo) = b.conv(name + "conv2", B, h, w, width, width, 3, s, 1, rep);
        b.conv(name + "conv3", B, ho, wo, width, out, 1, 1, 0, rep);
      } else {
        std::tie(ho, wo) = b.conv(name + "conv1", B, h, w, in, width, 3, s, 1, rep);
        b.conv(name + "conv2", B, ho, wo, width, width, 3, 1, 1, rep);
      }
      if (first && (s != 1 || in != out)) b.conv(name + "downsample", B, h, w, in, out, 1, s, 0);
      b.elem(name + "residual", "add_relu", 1, B * ho * wo, out, 2, rep, true);
      h = ho, w = wo;
    }
    c = out;
  }
  b.gemm("fc", B, classes, c);  // after global average pooling
}

// VIO feature network stand-in: SuperPoint (DeTone et al. 2018), 240 x 320 grayscale.
void superpoint(Builder& b, const GenOptions& o) {
  const int64_t B = o.batch;
  set_params(b.t, {{"image_h", 240}, {"image_w", 320}, {"batch", B}});
  int64_t h = 240, w = 320, c = 1;
  const int64_t widths[4] = {64, 64, 128, 128};
  for (int i = 0; i < 4; ++i) {
    b.conv(fmt::format("conv{}a", i + 1), B, h, w, c, widths[i], 3, 1, 1);
    b.conv(fmt::format("conv{}b", i + 1), B, h, w, widths[i], widths[i], 3, 1, 1);
    c = widths[i];
    if (i < 3) h /= 2, w /= 2;  // 2x2 max pool
  }
  b.conv("convPa", B, h, w, c, 256, 3, 1, 1);  // interest-point head: 65 = 8x8 cells + dustbin
  b.conv("convPb", B, h, w, 256, 65, 1, 1, 0);
  b.conv("convDa", B, h, w, c, 256, 3, 1, 1);  // descriptor head
  b.conv("convDb", B, h, w, 256, 256, 1, 1, 0);
}

// Eye-gaze CNN stand-in: the LeNet-style GazeNet of MPIIGaze (Zhang et al. 2015): a 36 x 60
// grayscale eye image, conv 5x5 x20, pool, conv 5x5 x50, pool, fc 500, and the 2-D gaze
// regressed from those 500 features with the 2 head-pose angles appended.
void gaze(Builder& b, const GenOptions& o) {
  const int64_t B = o.batch;
  set_params(b.t, {{"image_h", 36}, {"image_w", 60}, {"batch", B}});
  auto [h1, w1] = b.conv("conv1", B, 36, 60, 1, 20, 5, 1, 0);
  auto [h2, w2] = b.conv("conv2", B, h1 / 2, w1 / 2, 20, 50, 5, 1, 0);
  b.gemm("fc1", B, 500, 50 * (h2 / 2) * (w2 / 2));
  b.gemm("fc2", B, 2, 500 + 2);
}

// ---------------------------------------------------------------------------------------
// The table of generators
// ---------------------------------------------------------------------------------------

using Build = std::function<void(Builder&, const GenOptions&)>;
struct Entry {
  GeneratorInfo info;
  Build build;
};

const std::vector<Entry>& entries() {
  auto L = [](const LlmSpec& s) { return Build([&s](Builder& b, const GenOptions& o) { llm(b, s, o); }); };
  auto V = [](const VitSpec& s) { return Build([&s](Builder& b, const GenOptions& o) { vit(b, s, o); }); };
  const Build xr_set = [](Builder& b, const GenOptions& o) {
    b.prefix = "vio.";
    superpoint(b, o);
    b.prefix = "gaze.";
    gaze(b, o);
    b.prefix = "cls.";
    resnet(b, {2, 2, 2, 2}, false, o, true);
    b.prefix.clear();
    set_params(b.t, {{"batch", o.batch}});
  };
  static const std::vector<Entry> e = {
      {{"llama2-7b", "llm", "LLaMA-2 7B: d 4096, 32 layers, 32 heads, FFN 11008 (SwiGLU), vocab 32000",
        "Touvron et al. 2023, arXiv 2307.09288; meta-llama/Llama-2-7b-hf config.json", "int4", "int8", "bf16", 128},
       L(kLlama2_7b)},
      {{"llama2-13b", "llm", "LLaMA-2 13B: d 5120, 40 layers, 40 heads, FFN 13824, vocab 32000",
        "Touvron et al. 2023, arXiv 2307.09288; meta-llama/Llama-2-13b-hf config.json", "int4", "int8", "bf16", 128},
       L(kLlama2_13b)},
      {{"llama2-70b", "llm", "LLaMA-2 70B: d 8192, 80 layers, 64 heads, 8 KV heads (GQA), FFN 28672, vocab 32000",
        "Touvron et al. 2023, arXiv 2307.09288; meta-llama/Llama-2-70b-hf config.json", "int4", "int8", "bf16", 128},
       L(kLlama2_70b)},
      {{"llama3-8b", "llm", "LLaMA-3 8B: d 4096, 32 layers, 32 heads, 8 KV heads (GQA), FFN 14336, vocab 128256",
        "Llama 3 model card / Grattafiori et al. 2024, arXiv 2407.21783; meta-llama/Meta-Llama-3-8B config.json",
        "int4", "int8", "bf16", 128},
       L(kLlama3_8b)},
      {{"bitnet-b1.58-3b", "llm",
        "BitNet b1.58 3B: LLaMA-like, d 3200, 26 layers, 32 heads, FFN 8640, vocab 32002; ternary weights, "
        "bf16 LM head",
        "Ma et al. 2024, arXiv 2402.17764; 1bitLLM/bitnet_b1_58-3B config.json", "ternary", "int8", "bf16", 0},
       L(kBitnet3b)},
      {{"opt-6.7b", "llm", "OPT-6.7B: d 4096, 32 layers, 32 heads, FFN 16384 (ReLU), vocab 50272, tied LM head",
        "Zhang et al. 2022, arXiv 2205.01068 (Table 1); facebook/opt-6.7b config.json", "int4", "int8", "bf16", 128},
       L(kOpt6_7b)},
      {{"vit-b16", "vit", "ViT-B/16 at 224x224: d 768, 12 layers, 12 heads, MLP 3072, 197 tokens",
        "Dosovitskiy et al. 2021, arXiv 2010.11929 (Table 1)", "int8", "int8", "bf16", 0},
       V(kVitB16)},
      {{"deit-s", "vit", "DeiT-S at 224x224: d 384, 12 layers, 6 heads, MLP 1536, 197 tokens",
        "Touvron et al. 2021, arXiv 2012.12877 (Table 1)", "int8", "int8", "bf16", 0},
       V(kDeitS)},
      {{"resnet50", "cnn", "ResNet-50 at 224x224 (torchvision v1.5: stride on the 3x3 conv), 53 convs + fc",
        "He et al. 2016, arXiv 1512.03385 (Table 1); torchvision resnet50", "int8", "int8", "bf16", 0},
       [](Builder& b, const GenOptions& o) { resnet(b, {3, 4, 6, 3}, true, o); }},
      {{"xr-vio", "xr", "XR VIO feature network (stand-in: SuperPoint encoder + heads, 240x320 grayscale)",
        "DeTone et al. 2018, arXiv 1712.07629; magicleap/SuperPointPretrainedNetwork", "posit8_0", "posit8_0",
        "bf16", 0},
       [](Builder& b, const GenOptions& o) { superpoint(b, o); }},
      {{"xr-gaze", "xr", "XR eye-gaze CNN (stand-in: MPIIGaze GazeNet/LeNet, 36x60 eye image)",
        "Zhang et al. 2015, arXiv 1504.02863 (Sec. 4)", "posit8_0", "posit8_0", "bf16", 0},
       [](Builder& b, const GenOptions& o) { gaze(b, o); }},
      {{"xr-classifier", "xr", "XR object classifier: ResNet-18, CIFAR-10 variant (32x32, 10 classes)",
        "He et al. 2016, arXiv 1512.03385; the XR-NPE repository's Resnet/ (resnet18_cifar)", "posit8_0",
        "posit8_0", "bf16", 0},
       [](Builder& b, const GenOptions& o) { resnet(b, {2, 2, 2, 2}, false, o, true); }},
      {{"xr-perception", "xr", "XR perception set: xr-vio + xr-gaze + xr-classifier (ops prefixed vio., gaze., cls.)",
        "XR-NPE workloads (Chaudhari et al. 2025, arXiv 2508.13049); stand-ins as above", "posit8_0", "posit8_0",
        "bf16", 0},
       xr_set},
  };
  return e;
}

}  // namespace

const std::vector<GeneratorInfo>& generators() {
  static const std::vector<GeneratorInfo> v = [] {
    std::vector<GeneratorInfo> r;
    for (const auto& e : entries()) r.push_back(e.info);
    return r;
  }();
  return v;
}

Trace generate(std::string_view model, const GenOptions& o) {
  const Entry* entry = nullptr;
  for (const auto& e : entries())
    if (e.info.name == model) entry = &e;
  if (!entry) {
    std::string names;
    for (const auto& e : entries()) names += (names.empty() ? "" : ", ") + e.info.name;
    throw std::invalid_argument("unknown model '" + std::string(model) + "' (one of " + names + ")");
  }
  const bool is_llm = entry->info.family == "llm";
  Builder b;
  b.t.model = entry->info.name;
  b.t.phase = o.phase.empty() ? (is_llm ? "decode" : "forward") : o.phase;
  if (is_llm && b.t.phase != "prefill" && b.t.phase != "decode")
    throw std::invalid_argument("--phase must be prefill or decode for " + entry->info.name);
  if (!is_llm && b.t.phase != "forward")
    throw std::invalid_argument("--phase applies to LLM generators (" + entry->info.name + " has one phase, forward)");
  if (!is_llm && (o.seq || o.kv)) throw std::invalid_argument(std::string(o.seq ? "--seq" : "--kv") +
                                                              " applies to LLM generators");
  if (is_llm && b.t.phase == "decode" && o.seq) throw std::invalid_argument("--seq applies to --phase prefill");
  if (is_llm && b.t.phase == "prefill" && o.kv) throw std::invalid_argument("--kv applies to --phase decode");
  auto check_count = [](int64_t v, const char* what) {
    if (v < 0 || v > (int64_t(1) << 24)) throw std::invalid_argument(std::string(what) + " must be 1..16777216");
  };
  check_count(o.seq, "--seq"), check_count(o.kv, "--kv");
  if (o.batch < 1 || o.batch > (int64_t(1) << 24)) throw std::invalid_argument("--batch must be 1..16777216");
  if (o.group > (int64_t(1) << 20)) throw std::invalid_argument("--group must be 0..1048576");
  for (const auto& [f, opt] : {std::pair{o.w, "--w"}, {o.a, "--a"}, {o.o, "--o"}}) {
    if (f.empty()) continue;
    try {
      check_format(f);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(opt) + ": " + e.what());
    }
  }
  set_defaults(b, entry->info, o);
  // A group on a block weight format becomes its block size: it must make a valid format.
  try {
    bits_per_element(b.t.defaults.weight_format, b.t.defaults.group);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("--group: ") + e.what());
  }
  entry->build(b, o);
  return std::move(b.t);
}

}  // namespace arithsim::traces
