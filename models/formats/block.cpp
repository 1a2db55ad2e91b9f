#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/threads/parallel_for.hpp>

#include <arithsim/models/io/escape.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <charconv>
#include <limits>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {
namespace {
// Elements scaled on the stack per bulk-encode call.
constexpr size_t kStackBlock = 256;

// The largest magnitude of the finite inputs, as the largest magnitude bit pattern (the same
// order as the values for non-negative floats), and whether any input is NaN or inf. No
// branch, so it vectorizes; built for AVX-512 and AVX2 too.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
[[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#endif
float finite_amax(const float* x, size_t n, bool& special) {
  int32_t amax_bits = 0, special_bits = 0;
  for (size_t i = 0; i < n; ++i) {
    const int32_t a = std::bit_cast<int32_t>(x[i]) & 0x7fffffff;
    const int32_t inf_or_nan = int32_t(a >= 0x7f800000);
    special_bits |= inf_or_nan;
    amax_bits = std::max(amax_bits, inf_or_nan ? 0 : a);
  }
  special = special_bits != 0;
  return std::bit_cast<float>(amax_bits);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

int parse_int(std::string_view s, std::string_view what, std::string_view text) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    throw std::invalid_argument(fmt::format("bad {} '{}' in format '{}'", what, s, text));
  return v;
}

// floor(log2(|x|)) from the exponent bits, never from a floating log2 (see docs/formats.md).
int floor_log2(float a) { return Unrounded::from_float(a).exp; }

// Minifloat options that belong to a `:scale=F` spec written inside a block spec.
bool is_minifloat_option(std::string_view p) {
  return starts_with(p, "bias=") || p == "ieee" || p == "fn" || p == "finite" || p == "fnuz" || p == "ue" ||
         p == "clamp";
}

const char* default_scale(BlockKind k) {
  switch (k) {
    case BlockKind::MX: return "float8_e8m0fnu";
    case BlockKind::NVFP4: return "float8_e4m3fn";
    case BlockKind::GroupInt: return "float16";
    case BlockKind::BFP: break;
  }
  return "";
}

}  // namespace

bool looks_like_block(std::string_view t) {
  return starts_with(t, "mx") || starts_with(t, "nvfp4") || starts_with(t, "bfp") ||
         (starts_with(t, "int") && t.find("_g") != std::string_view::npos) ||
         t.find(":group=") != std::string_view::npos;
}

const std::vector<BlockPreset>& block_presets() {
  static const std::vector<BlockPreset> p = {
      {"mxfp8", {"mxfp8_e4m3"}, "X = floor(log2 amax) - 8; NaN/inf block: scale NaN", "OCP MX v1.0"},
      {"mxfp8_e5m2", {}, "X = floor(log2 amax) - 15", "OCP MX v1.0"},
      {"mxfp6_e2m3", {"mxfp6"}, "X = floor(log2 amax) - 2", "OCP MX v1.0"},
      {"mxfp6_e3m2", {}, "X = floor(log2 amax) - 4", "OCP MX v1.0"},
      {"mxfp4", {"mxfp4_e2m1"}, "X = floor(log2 amax) - 2", "OCP MX v1.0"},
      {"mxint8", {}, "k * 2^-6, k in [-127, 127] (:min=-128 adds -2)", "OCP MX v1.0"},
      {"nvfp4", {}, "s = E4M3(amax/6) >= 2^-6; :tensor_scale adds an FP32 scale", "NVIDIA NVFP4 (Blackwell)"},
      {"int4_g128", {}, "symmetric: s = FP16(amax/7); any intB_gG", "GPTQ / AWQ"},
      {"int4_g128:asym", {}, "asymmetric: uint4 codes and a 4-bit zero point per group", "GPTQ / AWQ"},
      {"bfp4", {}, "MSFP12: sign-magnitude, shared 8-bit exponent", "MSFP (Darvish Rouhani et al. 2020)"},
      {"bfp8", {}, "MSFP16: sign-magnitude, shared 8-bit exponent", "MSFP (Darvish Rouhani et al. 2020)"},
  };
  return p;
}

namespace {
BlockSpec parse_block_spec(std::string_view text);
}

BlockSpec parse_block(std::string_view text) {
  try {
    return parse_block_spec(text);
  } catch (const std::invalid_argument& e) {  // the spec is echoed: keep the message one line
    throw std::invalid_argument(io::one_line(e.what()));
  }
}

namespace {
BlockSpec parse_block_spec(std::string_view text) {
  std::vector<std::string_view> parts;
  for (size_t start = 0, i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == ':') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  const std::string_view head = parts[0];
  BlockSpec s;
  s.name = std::string(text);
  auto elem = [](const char* n) { return ElementFormat::parse(n); };
  if (head == "mxfp8" || head == "mxfp8_e4m3") { s.kind = BlockKind::MX; s.elem = elem("float8_e4m3fn"); }
  else if (head == "mxfp8_e5m2") { s.kind = BlockKind::MX; s.elem = elem("float8_e5m2"); }
  else if (head == "mxfp6" || head == "mxfp6_e2m3") { s.kind = BlockKind::MX; s.elem = elem("float6_e2m3fn"); }
  else if (head == "mxfp6_e3m2") { s.kind = BlockKind::MX; s.elem = elem("float6_e3m2fn"); }
  else if (head == "mxfp4" || head == "mxfp4_e2m1") { s.kind = BlockKind::MX; s.elem = elem("float4_e2m1fn"); }
  else if (head == "mxint8") { s.kind = BlockKind::MX; s.elem = elem("mxint8_element"); }
  else if (head == "nvfp4") { s.kind = BlockKind::NVFP4; s.elem = elem("float4_e2m1fn"); s.block = 16; }
  else if (starts_with(head, "bfp")) {
    s.kind = BlockKind::BFP;
    s.block = 16;
    const int bits = parse_int(head.substr(3), "BFP element width", text);
    if (bits < 2 || bits > 8) throw std::invalid_argument(fmt::format("BFP element width must be 2..8 bits (sign + magnitude), got {} in '{}'", bits, text));
    s.elem = ElementFormat(IntSpec{bits, true, true, true, 0});
  } else if (starts_with(head, "int") && (head.find("_g") != std::string_view::npos ||
                                          text.find(":group=") != std::string_view::npos)) {
    // intB_gG, or intB:group=G.
    s.kind = BlockKind::GroupInt;
    const size_t g = head.find("_g");
    const int bits = parse_int(head.substr(3, g == std::string_view::npos ? g : g - 3), "integer width", text);
    if (bits < 1 || bits > 8) throw std::invalid_argument(fmt::format("group-wise INT width must be 1..8 bits, got {} in '{}'", bits, text));
    // Signed elements for the symmetric form; with :asym they are unsigned (set below).
    s.elem = ElementFormat(IntSpec{bits, bits > 1, true, false, 0});
    if (g != std::string_view::npos) s.block = parse_int(head.substr(g + 2), "group size", text);
  } else {
    throw std::invalid_argument(fmt::format("unknown format '{}'", text));
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    const auto p = parts[i];
    if (starts_with(p, "block=") || starts_with(p, "group=")) s.block = parse_int(p.substr(6), "block size", text);
    else if (starts_with(p, "scale=")) {
      s.scale = std::string(p.substr(6));
      while (i + 1 < parts.size() && is_minifloat_option(parts[i + 1])) {
        s.scale.push_back(':');
        s.scale.append(parts[++i]);
      }
      if (s.scale.empty()) throw std::invalid_argument(fmt::format("empty scale format in format '{}'", text));
    }
    else if (p == "asym" && s.kind == BlockKind::GroupInt) s.zero_point = true;
    else if (p == "sym" && s.kind == BlockKind::GroupInt) s.zero_point = false;
    else if (p == "tensor_scale" && s.kind == BlockKind::NVFP4) s.tensor_scale = true;
    else if (starts_with(p, "min_scale=") && s.kind == BlockKind::NVFP4) {
      const std::string v(p.substr(10));
      char* end = nullptr;
      s.min_scale = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || !(s.min_scale >= 0))
        throw std::invalid_argument(fmt::format("bad min_scale '{}' in format '{}'", v, text));
    } else if (p == "scale_round=up" && s.kind == BlockKind::NVFP4) s.scale_round_up = true;
    else if (p == "scale_round=rne" && s.kind == BlockKind::NVFP4) s.scale_round_up = false;
    else if (p == "specials=element" && s.kind == BlockKind::MX) s.mx_specials = BlockSpec::MxSpecials::Element;
    else if (p == "specials=scale_nan" && s.kind == BlockKind::MX) s.mx_specials = BlockSpec::MxSpecials::ScaleNaN;
    else if ((p == "min=-128" || p == "min=-127") && head == "mxint8")
      // OCP MX v1.0 INT8 elements are 8-bit two's complement times 2^-6 (-2 .. 1 63/64); the
      // default leaves -128 (-2.0) unused, a symmetric range; min=-128 allows it.
      s.elem = p == "min=-128" ? ElementFormat(IntSpec{8, true, true, false, 6}) : elem("mxint8_element");
    else if (starts_with(p, "exp_bits=") && s.kind == BlockKind::BFP) s.exp_bits = parse_int(p.substr(9), "exponent width", text);
    else throw std::invalid_argument(fmt::format("unknown option '{}' in format '{}'", p, text));
  }
  if (s.kind == BlockKind::GroupInt) {
    const int bits = s.elem.bits();
    if (bits == 1 && !s.zero_point)
      throw std::invalid_argument(fmt::format("1-bit group quantization needs a zero point (:asym) in '{}'", text));
    if (s.zero_point) s.elem = ElementFormat(IntSpec{bits, false, true, false, 0});
  }
  if (s.block < 1 || s.block > (1 << 20))
    throw std::invalid_argument(fmt::format("block size must be 1..1048576, got {} in '{}'", s.block, text));
  if (s.exp_bits < 2 || s.exp_bits > 8)
    throw std::invalid_argument(fmt::format("BFP exponent width must be 2..8, got {} in '{}'", s.exp_bits, text));
  block_scale_format(s);  // a scale that makes no sense for the kind fails here, with the spec
  return s;
}
}  // namespace

ElementFormat block_scale_format(const BlockSpec& s) {
  if (s.kind == BlockKind::BFP) {
    if (!s.scale.empty())
      throw std::invalid_argument(fmt::format(
          "a BFP scale is its shared exponent: set its width with :exp_bits=, not :scale= (format '{}')", s.name));
    return ElementFormat(IntSpec{s.exp_bits, false, true, false, 0});
  }
  const std::string name = s.scale.empty() ? default_scale(s.kind) : s.scale;
  ElementFormat f = [&] {
    try {
      return ElementFormat::parse(name);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("bad scale format in format '{}': {}", s.name, e.what()));
    }
  }();
  const auto* m = std::get_if<MinifloatSpec>(&f.spec());
  if (!m || f.bits() > 16) {
    if (s.kind == BlockKind::MX)
      throw std::invalid_argument(fmt::format(
          "MX scales are powers of two 2^X: scale format '{}' must be a minifloat of at most 16 bits (e8m0, "
          "e5m0:ue, bf16, ...) in format '{}'", name, s.name));
    throw std::invalid_argument(fmt::format(
        "scale format '{}' must be a minifloat of at most 16 bits (e4m3, fp16, bf16, e8m0, ...) in format '{}'", name,
        s.name));
  }
  // Every kind scales by values of the scale format; one without a positive finite power of
  // two (e1m0:fn holds only 0 and NaN) has no scale to offer (a fuzz input crashed here).
  bool power_of_two = false;
  for (uint32_t c = 0; c < (uint32_t(1) << f.bits()) && !power_of_two; ++c) {
    const double v = f.decode(c);
    int e = 0;
    power_of_two = v > 0 && std::isfinite(v) && std::frexp(v, &e) == 0.5;
  }
  if (!power_of_two)
    throw std::invalid_argument(
        fmt::format("scale format '{}' holds no positive power of two (format '{}')", name, s.name));
  if (s.kind == BlockKind::MX && s.mx_specials == BlockSpec::MxSpecials::ScaleNaN && !m->has_nan())
    throw std::invalid_argument(fmt::format(
        "scale format '{}' has no NaN for blocks holding NaN or inf; add :specials=element (format '{}')", name, s.name));
  return f;
}

BlockCodec::BlockCodec(BlockSpec spec) : s_(std::move(spec)), scale_fmt_(block_scale_format(s_)) {
  if (s_.kind == BlockKind::BFP) return;
  const auto& mc = *scale_fmt_.codec<MinifloatCodec>();
  scale_nan_ = mc.spec().has_nan() ? mc.nan_code(false) : 0;
  // The powers of two the scale holds exactly: a contiguous run for every minifloat (from
  // its smallest subnormal, or 2^-bias for ue, to 2^floor(log2 max)).
  std::map<int, uint32_t> pow2;
  for (uint32_t c = 0; c < (1u << mc.bits()); ++c) {
    const double v = mc.decode(c);
    int e;
    if (v > 0 && std::isfinite(v) && std::frexp(v, &e) == 0.5) pow2.emplace(e - 1, c);
  }
  x_min_ = pow2.begin()->first;
  x_max_ = pow2.rbegin()->first;
  for (int X = x_min_; X <= x_max_; ++X) x_code_.push_back(pow2.at(X));
}

double BlockCodec::scale_value(uint32_t sc) const {
  switch (s_.kind) {
    case BlockKind::MX: return scale_fmt_.decode(sc);
    case BlockKind::NVFP4:
    case BlockKind::GroupInt: return scale_fmt_.decode(sc);
    case BlockKind::BFP: return std::ldexp(1.0, int(sc) - ((1 << (s_.exp_bits - 1)) - 1));
  }
  return 0;
}

uint32_t BlockCodec::quantize_block(std::span<const float> x, std::span<uint8_t> codes, uint8_t* zero,
                                    float tensor_scale, const RoundingOptions& o) const {
  RoundingOptions eo = o;  // elements always saturate (the MX spec's conversion rule)
  eo.overflow = Overflow::Saturate;
  eo.saturate_inf = true;
  // DAZ on input applies to the block's inputs (before amax and scaling), not to the scaled
  // elements: flushed inputs are zeros of their sign.
  eo.daz_in = false;
  std::vector<float> flushed;
  if (o.daz_in) {
    flushed.assign(x.begin(), x.end());
    for (float& v : flushed)
      if (v != 0.0f && std::fabs(v) < std::numeric_limits<float>::min()) v = std::copysign(0.0f, v);
    x = flushed;
  }
  bool special = false;
  const float amax = finite_amax(x.data(), x.size(), special);
  switch (s_.kind) {
    case BlockKind::MX: {
      if (special && s_.mx_specials == BlockSpec::MxSpecials::ScaleNaN) {
        std::fill(codes.begin(), codes.end(), uint8_t(0));
        return scale_nan_;
      }
      // Shared exponent X = floor(log2(amax)) - emax_elem, clamped to the powers of two the
      // scale format holds (E8M0: -127..127).
      int X = amax == 0.0f ? x_min_ : floor_log2(amax) - s_.elem.emax();
      X = std::clamp(X, x_min_, x_max_);
      // Fast path: the product x * 2^-X is exact whenever it is a normal float (or x is
      // zero/special), and then the element table gives the exact encoding. It needs 2^-X
      // to be a float (always so for E8M0).
      // Fast path: the product x * 2^-X is exact whenever it is a normal float (or x is
      // zero/special), and then the element format's bulk encode (vector kernels, or the
      // table) gives the exact encoding; the other elements take the exact path.
      const bool fast = X >= -127 && X <= 149;
      const float p = fast ? std::ldexp(1.0f, -X) : 0.0f;
      auto exact = [&](size_t i) {
        Unrounded u = Unrounded::from_float(x[i]);
        u.exp -= X;  // exact division by the power-of-two scale
        return uint8_t(s_.elem.encode(u, eo));
      };
      float y[kStackBlock];
      for (size_t i0 = 0; i0 < x.size(); i0 += kStackBlock) {
        const size_t n = std::min(kStackBlock, x.size() - i0);
        if (!fast) {
          for (size_t i = i0; i < i0 + n; ++i) codes[i] = exact(i);
          continue;
        }
        for (size_t i = 0; i < n; ++i) y[i] = x[i0 + i] * p;
        s_.elem.encode(std::span<const float>(y, n), codes.subspan(i0, n), eo);
        for (size_t i = 0; i < n; ++i)  // a subnormal product lost bits: redo it exactly
          if ((std::bit_cast<uint32_t>(y[i]) & 0x7f800000u) == 0 && x[i0 + i] != 0.0f) codes[i0 + i] = exact(i0 + i);
      }
      return x_code_[size_t(X - x_min_)];
    }
    case BlockKind::NVFP4: {
      if (special) throw std::invalid_argument("nvfp4: input contains NaN or inf");
      RoundingOptions so;  // the scale is rounded RNE (or up), saturating to 448
      so.overflow = Overflow::Saturate;
      so.mode = s_.scale_round_up ? Rounding::Up : Rounding::NearestEven;
      uint32_t sc = scale_fmt_.encode(quotient(double(amax), 6.0 * double(tensor_scale)), so);
      double s = scale_fmt_.decode(sc);
      if (s < s_.min_scale) {
        sc = scale_fmt_.encode(s_.min_scale, so);
        s = scale_fmt_.decode(sc);
      }
      // s * g is exact in double (<= 16 + 24 significant bits); quotient() rounds as the
      // exact x / (s * g) (see docs/formats.md).
      const double d = s * double(tensor_scale);
      // Fast path: a float quotient that is not on the bfloat16 grid lies strictly inside
      // the same rounding cell as the exact quotient (no grid point can sit between them),
      // so the element table applies; quotients on the grid take the exact path.
      // The bulk encode of the float quotients gives each one's encoding (vector kernels or
      // the table); those on the grid are then redone exactly.
      if (d == 0) {
        std::fill(codes.begin(), codes.end(), uint8_t(0));
        return sc;
      }
      const bool grid = s_.elem.has_bf16_grid() && eo.mode != Rounding::Stochastic;
      float qf[kStackBlock];
      for (size_t i0 = 0; i0 < x.size(); i0 += kStackBlock) {
        const size_t n = std::min(kStackBlock, x.size() - i0);
        for (size_t i = 0; i < n; ++i) qf[i] = float(double(x[i0 + i]) / d);
        if (grid) s_.elem.encode(std::span<const float>(qf, n), codes.subspan(i0, n), eo);
        for (size_t i = 0; i < n; ++i)
          if (!grid || (std::bit_cast<uint32_t>(qf[i]) & 0xffffu) == 0)
            codes[i0 + i] = uint8_t(s_.elem.encode(quotient(double(x[i0 + i]), d), eo));
      }
      return sc;
    }
    case BlockKind::GroupInt: {
      if (special) throw std::invalid_argument(fmt::format("{}: input contains NaN or inf", s_.name));
      const auto& is = std::get<IntSpec>(s_.elem.spec());
      const int b = is.bits;
      const uint32_t mask = (1u << b) - 1;
      RoundingOptions so;
      so.overflow = Overflow::Saturate;
      if (!s_.zero_point) {
        const int qmax = (1 << (b - 1)) - 1;
        const uint32_t sc = scale_fmt_.encode(quotient(double(amax), qmax), so);
        const double s = scale_fmt_.decode(sc);
        for (size_t i = 0; i < x.size(); ++i)
          codes[i] = s == 0 ? 0 : uint8_t(s_.elem.encode(quotient(double(x[i]), s), eo) & mask);
        if (zero) *zero = 0;
        return sc;
      }
      float mn = 0.0f, mx = 0.0f;  // the range always includes 0, so 0 is exact
      for (float v : x) { mn = std::min(mn, v); mx = std::max(mx, v); }
      const int qmax = (1 << b) - 1;
      const uint32_t sc = scale_fmt_.encode(quotient(double(mx) - double(mn), qmax), so);
      const double s = scale_fmt_.decode(sc);
      if (s == 0) {
        std::fill(codes.begin(), codes.end(), uint8_t(0));
        if (zero) *zero = 0;
        return sc;
      }
      const int64_t z = std::clamp<int64_t>(wide_.to_int(wide_.encode(quotient(-double(mn), s), so)), 0, qmax);
      for (size_t i = 0; i < x.size(); ++i) {
        const int64_t q = wide_.to_int(wide_.encode(quotient(double(x[i]), s), eo)) + z;
        codes[i] = uint8_t(std::clamp<int64_t>(q, 0, qmax));
      }
      if (zero) *zero = uint8_t(z);
      return sc;
    }
    case BlockKind::BFP: {
      if (special) throw std::invalid_argument(fmt::format("{}: input contains NaN or inf", s_.name));
      const auto& is = std::get<IntSpec>(s_.elem.spec());
      const int m = is.bits - 1;  // magnitude bits
      const int ebias = (1 << (s_.exp_bits - 1)) - 1;
      int E = amax == 0.0f ? -ebias : floor_log2(amax);
      E = std::clamp(E, -ebias, ebias + 1);
      const IntCodec& ic = *s_.elem.codec<IntCodec>();
      for (size_t i = 0; i < x.size(); ++i) {
        Unrounded u = Unrounded::from_float(x[i]);
        u.exp -= E - m + 1;  // elements are integers in units of 2^(E-m+1)
        const int64_t v = ic.to_int(ic.encode(u, eo));
        codes[i] = uint8_t((v < 0 ? (1u << m) : 0u) | uint32_t(v < 0 ? -v : v));  // sign-magnitude
      }
      return uint32_t(E + ebias);
    }
  }
  return 0;
}

double BlockCodec::dequantize_element(uint8_t code, uint32_t sc, uint8_t zero, float tensor_scale) const {
  switch (s_.kind) {
    case BlockKind::MX:
      if (scale_fmt_.is_nan(sc)) return std::numeric_limits<double>::quiet_NaN();
      return s_.elem.decode(code) * scale_value(sc);
    case BlockKind::NVFP4:
      return s_.elem.decode(code) * scale_value(sc) * double(tensor_scale);
    case BlockKind::GroupInt:
      if (s_.zero_point) return (double(code) - double(zero)) * scale_value(sc);
      return s_.elem.decode(code) * scale_value(sc);
    case BlockKind::BFP: {
      const int m = s_.elem.bits() - 1;
      const double mag = double(code & ((1u << m) - 1));
      return ((code >> m) & 1 ? -mag : mag) * std::ldexp(scale_value(sc), 1 - m);
    }
  }
  return 0;
}

Quantized BlockCodec::quantize(std::span<const float> x, size_t row_len, const RoundingOptions& o, size_t threads) const {
  threads::check_threads(threads);
  if (row_len == 0 || x.size() % row_len)
    throw std::invalid_argument(fmt::format("tensor of {} elements is not made of rows of {}", x.size(), row_len));
  Quantized q;
  q.row_len = row_len;
  q.rows = x.size() / row_len;
  q.blocks_per_row = (row_len + size_t(s_.block) - 1) / size_t(s_.block);
  q.codes.resize(x.size());
  q.scales.resize(q.rows * q.blocks_per_row);
  if (s_.kind == BlockKind::GroupInt && s_.zero_point) q.zeros.resize(q.scales.size());
  if (s_.kind == BlockKind::NVFP4 && s_.tensor_scale) {
    float amax = 0.0f;
    for (float v : x) amax = std::max(amax, std::fabs(v));
    q.tensor_scale = amax == 0.0f ? 1.0f : float(double(amax) / (448.0 * 6.0));
  }
  // Blocks are independent, so any number of threads gives the same codes; stochastic
  // rounding draws from one sequence in block order and stays on one thread.
  if (o.mode == Rounding::Stochastic) threads = 1;
  threads::parallel_for(q.scales.size(), threads, [&](size_t lo, size_t hi) {
    for (size_t bi = lo; bi < hi; ++bi) {
      const size_t r = bi / q.blocks_per_row, b = bi % q.blocks_per_row;
      const size_t start = r * row_len + b * size_t(s_.block);
      const size_t len = std::min(size_t(s_.block), row_len - b * size_t(s_.block));
      q.scales[bi] = quantize_block(x.subspan(start, len), std::span(q.codes).subspan(start, len),
                                    q.zeros.empty() ? nullptr : &q.zeros[bi], q.tensor_scale, o);
    }
  });
  return q;
}

std::vector<double> BlockCodec::dequantize(const Quantized& q) const {
  std::vector<double> out(q.codes.size());
  for (size_t r = 0; r < q.rows; ++r)
    for (size_t c = 0; c < q.row_len; ++c) {
      const size_t bi = r * q.blocks_per_row + c / size_t(s_.block);
      const size_t i = r * q.row_len + c;
      out[i] = dequantize_element(q.codes[i], q.scales[bi], q.zeros.empty() ? 0 : q.zeros[bi], q.tensor_scale);
    }
  return out;
}

}  // namespace arithsim::formats
