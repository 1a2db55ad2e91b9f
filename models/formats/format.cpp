#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/formats/vector_kernels.hpp>

#include <arithsim/models/io/escape.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

namespace arithsim::formats {
namespace {

using FC = FloatConvention;

MinifloatSpec mf(int e, int m, int bias, FC c) { return {e, m, bias, c}; }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

int to_int(std::string_view s, std::string_view what, std::string_view text) {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    throw std::invalid_argument(fmt::format("bad {} '{}' in format '{}'", what, s, text));
  return v;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Generic spellings: eXmY[:bias=B][:ieee|fn|finite|fnuz|ue][:clamp], [u]intN[:frac=F][:wrap][:sym],
// bipolarN, positN_ES / posit(N,ES).
ElementSpec parse_generic(std::string_view text) {
  const auto parts = split(text, ':');
  const std::string_view head = parts[0];
  if (head.size() >= 4 && head[0] == 'e' && head.find('m') != std::string_view::npos) {
    const size_t mpos = head.find('m');
    MinifloatSpec s;
    s.e = to_int(head.substr(1, mpos - 1), "exponent width", text);
    s.m = to_int(head.substr(mpos + 1), "mantissa width", text);
    if (s.e < 1 || s.e > 8) throw std::invalid_argument(fmt::format("exponent bits must be 1..8, got {} (format '{}')", s.e, text));
    s.bias = MinifloatSpec::default_bias(s.e);
    s.conv = FC::IEEE;
    for (size_t i = 1; i < parts.size(); ++i) {
      const auto p = parts[i];
      if (starts_with(p, "bias=")) s.bias = to_int(p.substr(5), "bias", text);
      else if (p == "ieee") s.conv = FC::IEEE;
      else if (p == "fn") s.conv = FC::FN;
      else if (p == "finite") s.conv = FC::Finite;
      else if (p == "fnuz") s.conv = FC::FNUZ;
      else if (p == "ue") s.conv = FC::UE;
      else if (p == "clamp") s.ue_clamp = true;
      else throw std::invalid_argument(fmt::format("unknown option '{}' in format '{}'", p, text));
    }
    if (s.conv == FC::IEEE && s.m == 0)
      throw std::invalid_argument(fmt::format("format '{}': ieee needs a mantissa bit; add :fn, :finite, :fnuz or :ue", text));
    if (s.ue_clamp && s.conv != FC::UE)
      throw std::invalid_argument(fmt::format("format '{}': clamp applies only to the ue convention (e8m0:ue:clamp)", text));
    return s;
  }
  if (starts_with(head, "int") || starts_with(head, "uint")) {
    IntSpec s;
    s.is_signed = head[0] == 'i';
    s.bits = to_int(head.substr(s.is_signed ? 3 : 4), "integer width", text);
    for (size_t i = 1; i < parts.size(); ++i) {
      const auto p = parts[i];
      if (starts_with(p, "frac=")) s.frac_bits = to_int(p.substr(5), "fraction bits", text);
      else if (p == "wrap") s.saturate = false;
      else if (p == "sat") s.saturate = true;
      else if (p == "sym") s.symmetric = true;
      else throw std::invalid_argument(fmt::format("unknown option '{}' in format '{}'", p, text));
    }
    return s;
  }
  if (starts_with(head, "bipolar") && parts.size() == 1)
    return BipolarSpec{to_int(head.substr(7), "bipolar width", text)};
  if (starts_with(head, "posit") && parts.size() == 1) {
    std::string_view rest = head.substr(5);
    char sep = '_';
    if (!rest.empty() && rest.front() == '(' && rest.back() == ')') {
      rest = rest.substr(1, rest.size() - 2);
      sep = ',';
    }
    const auto np = split(rest, sep);
    if (np.size() == 2) return PositSpec{to_int(np[0], "posit width", text), to_int(np[1], "posit es", text)};
    if (np.size() == 1 && sep == '_') return PositSpec{to_int(np[0], "posit width", text), 2};  // standard es=2
  }
  throw std::invalid_argument(fmt::format("unknown format '{}'", text));
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> p = {
      {"float8_e4m3fn", {"e4m3", "fp8_e4m3", "e4m3fn"}, mf(4, 3, 7, FC::FN), "OCP OFP8 v1.0 E4M3; ml_dtypes"},
      {"float8_e5m2", {"e5m2", "fp8_e5m2"}, mf(5, 2, 15, FC::IEEE), "OCP OFP8 v1.0 E5M2; ml_dtypes"},
      {"float8_e4m3fnuz", {"e4m3fnuz"}, mf(4, 3, 8, FC::FNUZ), "Graphcore/AMD FP8; ml_dtypes"},
      {"float8_e5m2fnuz", {"e5m2fnuz"}, mf(5, 2, 16, FC::FNUZ), "Graphcore/AMD FP8; ml_dtypes"},
      {"float8_e4m3b11fnuz", {"e4m3b11fnuz"}, mf(4, 3, 11, FC::FNUZ), "ml_dtypes (TPU)"},
      {"float8_e3m4", {}, mf(3, 4, 3, FC::IEEE), "ml_dtypes (IEEE-style)"},
      {"float8_e4m3", {"e4m3ieee"}, mf(4, 3, 7, FC::IEEE), "ml_dtypes (IEEE-style, max 240)"},
      {"float8_e8m0fnu", {"e8m0", "ue8m0"}, mf(8, 0, 127, FC::UE), "OCP MX v1.0 E8M0 scale; ml_dtypes"},
      {"float6_e2m3fn", {"fp6_e2m3", "e2m3"}, mf(2, 3, 1, FC::Finite), "OCP MX v1.0 FP6 E2M3; ml_dtypes"},
      {"float6_e3m2fn", {"fp6_e3m2", "e3m2", "fp6"}, mf(3, 2, 3, FC::Finite), "OCP MX v1.0 FP6 E3M2; ml_dtypes"},
      {"float4_e2m1fn", {"fp4", "e2m1", "fp4_e2m1"}, mf(2, 1, 1, FC::Finite), "OCP MX v1.0 FP4 E2M1; ml_dtypes"},
      {"float16", {"fp16", "half", "e5m10"}, mf(5, 10, 15, FC::IEEE), "IEEE 754 binary16"},
      {"bfloat16", {"bf16", "e8m7"}, mf(8, 7, 127, FC::IEEE), "bfloat16 (truncated binary32)"},
      {"float32", {"fp32", "e8m23"}, mf(8, 23, 127, FC::IEEE), "IEEE 754 binary32"},
      {"int8", {}, IntSpec{8, true, true, false, 0}, "two's complement"},
      {"int4", {}, IntSpec{4, true, true, false, 0}, "two's complement"},
      {"uint8", {}, IntSpec{8, false, true, false, 0}, "unsigned"},
      {"ternary", {"int1.58"}, IntSpec{2, true, true, true, 0}, "{-1,0,+1} as symmetric INT2 (BitNet b1.58)"},
      {"binary", {"bipolar1"}, BipolarSpec{1}, "{-1,+1}, code 1 = +1 (BNN)"},
      {"mxint8_element", {}, IntSpec{8, true, true, true, 6}, "OCP MX v1.0 INT8 element (value = int * 2^-6)"},
      {"posit4_1", {"posit(4,1)"}, PositSpec{4, 1}, "XR-NPE Posit4"},
      {"posit8_0", {"posit(8,0)"}, PositSpec{8, 0}, "XR-NPE Posit8"},
      {"posit16_1", {"posit(16,1)"}, PositSpec{16, 1}, "XR-NPE Posit16"},
      {"posit8", {"posit8_2", "posit(8,2)"}, PositSpec{8, 2}, "Posit Standard 2022"},
      {"posit16", {"posit16_2", "posit(16,2)"}, PositSpec{16, 2}, "Posit Standard 2022"},
      {"posit32", {"posit32_2", "posit(32,2)"}, PositSpec{32, 2}, "Posit Standard 2022"},
  };
  return p;
}

namespace {

ElementFormat parse_uncached(std::string_view text) {
  for (const auto& p : presets()) {
    if (text == p.name) return ElementFormat(p.spec, p.name);
    for (const auto& a : p.aliases)
      if (text == a) return ElementFormat(p.spec, p.name);
  }
  try {
    return ElementFormat(parse_generic(text), std::string(text));
  } catch (const std::invalid_argument& e) {  // the spec is echoed: keep the message one line
    throw std::invalid_argument(io::one_line(e.what()));
  }
}

}  // namespace

// Building a format decodes every code of a <= 16-bit format into its tables (65,536 decodes
// for fp16): parsed formats are kept, per spelling, and copied out (a sweep validates the same
// few formats for every point's config).
ElementFormat ElementFormat::parse(std::string_view text) {
  static std::mutex mu;
  static std::map<std::string, ElementFormat, std::less<>> parsed;
  {
    std::lock_guard lock(mu);
    if (const auto it = parsed.find(text); it != parsed.end()) return it->second;
  }
  ElementFormat f = parse_uncached(text);
  std::lock_guard lock(mu);
  if (parsed.size() < 4096) parsed.emplace(std::string(text), f);
  return f;
}

namespace {
template <class... F> struct overloaded : F... { using F::operator()...; };
template <class... F> overloaded(F...) -> overloaded<F...>;
bool on_bf16_grid(double b);
std::vector<double> rounding_boundaries(const ElementFormat& f);
}  // namespace

ElementFormat::ElementFormat(ElementSpec spec, std::string name)
    : name_(std::move(name)),
      spec_(spec),
      codec_(std::visit(
          overloaded{[](const MinifloatSpec& s) -> decltype(codec_) { return MinifloatCodec(s); },
                     [](const IntSpec& s) -> decltype(codec_) { return IntCodec(s); },
                     [](const BipolarSpec& s) -> decltype(codec_) { return BipolarCodec(s); },
                     [](const PositSpec& s) -> decltype(codec_) { return PositCodec(s); }},
          spec)) {
  if (name_.empty())
    name_ = std::visit([](const auto& s) { return s.to_string(); }, spec_);
  std::vector<float> f32, t8;
  if (bits() <= 16) {
    f32.resize(size_t(1) << bits());
    for (uint32_t c = 0; c < f32.size(); ++c) {
      const double v = decode(c);
      f32[c] = float(v);
      if (!std::isnan(v) && double(f32[c]) != v) {  // not exact in float: no table
        f32.clear();
        break;
      }
    }
  }
  if (bits() <= 8 && !f32.empty()) {
    t8.resize(256);
    for (size_t c = 0; c < 256; ++c) t8[c] = f32[c & (f32.size() - 1)];
  }
  table_f32_ = std::make_shared<const std::vector<float>>(std::move(f32));
  table8_ = std::make_shared<const std::vector<float>>(std::move(t8));
  if (bits() <= 8) {
    bf16_grid_ = true;
    for (double b : rounding_boundaries(*this)) bf16_grid_ = bf16_grid_ && on_bf16_grid(b);
  }
}

namespace {

bool on_bf16_grid(double b) {
  if (std::isnan(b)) return true;
  const float f = float(b);
  return double(f) == b && (std::bit_cast<uint32_t>(f) & 0xffffu) == 0;
}

// Every point where an encoder's result can change (see encode_table).
std::vector<double> rounding_boundaries(const ElementFormat& f) {
  std::vector<double> out;
  std::visit(overloaded{[&](const MinifloatCodec& c) {
                          std::vector<double> v;
                          for (uint32_t code = 0; code < (1u << c.bits()); ++code)
                            if (std::isfinite(c.decode(code))) v.push_back(c.decode(code));
                          std::sort(v.begin(), v.end());
                          for (size_t i = 0; i + 1 < v.size(); ++i) out.push_back((v[i] + v[i + 1]) / 2);
                          const double top = v.back(), ulp = v.size() > 1 ? top - v[v.size() - 2] : top;
                          out.push_back(top + ulp / 2);
                          out.push_back(-(top + ulp / 2));
                          out.insert(out.end(), v.begin(), v.end());
                        },
                        [&](const PositCodec& c) {
                          const PositCodec wide(PositSpec{c.spec().n + 1, c.spec().es});
                          for (uint32_t code = 0; code < (1u << wide.bits()); ++code) out.push_back(wide.decode(code));
                        },
                        [&](const IntCodec& c) {
                          for (int64_t k = 2 * c.spec().min_int() - 1; k <= 2 * c.spec().max_int() + 1; ++k)
                            out.push_back(std::ldexp(double(k), -c.spec().frac_bits - 1));
                        },
                        [&](const BipolarCodec& c) {
                          for (int64_t k = -(int64_t(1) << c.bits()); k <= (int64_t(1) << c.bits()); ++k) out.push_back(double(k));
                        }},
             f.codec_variant());
  return out;
}

template <class Out>
void encode_bulk(const auto& codec_variant, std::span<const float> in, std::span<Out> out, const RoundingOptions& o) {
  if (out.size() < in.size()) throw std::invalid_argument("encode: output shorter than input");
  std::visit(
      [&](const auto& c) {
        if constexpr (std::is_same_v<std::decay_t<decltype(c)>, PositCodec>) {
          if (o.mode == Rounding::NearestEven && !o.daz_in) {
            for (size_t i = 0; i < in.size(); ++i) out[i] = Out(c.encode_f32_rne(in[i]));
            return;
          }
        }
        if (o.mode == Rounding::NearestEven && !o.ftz) {
          // A local copy whose mode is a compile-time constant lets the rounding decision
          // fold into straight-line code in this hot loop.
          RoundingOptions rne;
          rne.overflow = o.overflow;
          rne.saturate_inf = o.saturate_inf;
          rne.daz_in = o.daz_in;
          for (size_t i = 0; i < in.size(); ++i) out[i] = Out(c.encode(Unrounded::from_float(in[i]), rne));
          return;
        }
        for (size_t i = 0; i < in.size(); ++i) out[i] = Out(c.encode(Unrounded::from_float(in[i]), o));
      },
      codec_variant);
}
// The vector kernels where they apply (RNE, a minifloat or posit they support); the
// lanes they leave (NaN, inf, overflow, posit zeros and float subnormals) go through the
// codec. Returns false when no kernel applies.
template <class Out>
bool encode_vector(const auto& codec_variant, std::span<const float> in, std::span<Out> out, const RoundingOptions& o) {
  if (o.mode != Rounding::NearestEven) return false;
  constexpr size_t kChunk = 4096;
  uint32_t exc[kChunk];
  auto run = [&](const auto& codec, auto kernel) {
    for (size_t i = 0; i < in.size(); i += kChunk) {
      const size_t n = std::min(kChunk, in.size() - i);
      const size_t ne = kernel(in.data() + i, n, out.data() + i, exc);
      for (size_t j = 0; j < ne; ++j) out[i + exc[j]] = Out(codec.encode(Unrounded::from_float(in[i + exc[j]]), o));
    }
    return true;
  };
  if (const auto* c = std::get_if<MinifloatCodec>(&codec_variant)) {
    const MinifloatSpec& s = c->spec();
    if (s.conv == FloatConvention::UE || !vec::MinifloatLanes::supported(s.m, s.bias) || c->bits() > int(8 * sizeof(Out)))
      return false;
    vec::MinifloatLanes p;
    p.m = s.m;
    p.bias = s.bias;
    p.max_mag = c->max_code();
    p.sign_bit = c->sign_bit();
    p.no_neg_zero = s.conv == FloatConvention::FNUZ;
    p.ftz = o.ftz;
    p.daz_in = o.daz_in;
    return run(*c, [&](const float* x, size_t n, Out* y, uint32_t* e) { return vec::encode_minifloat_rne(p, x, n, y, e); });
  }
  if (const auto* c = std::get_if<PositCodec>(&codec_variant)) {
    const PositSpec& s = c->spec();
    if (o.daz_in || !vec::PositLanes::supported(s.n, s.es) || s.n > int(8 * sizeof(Out))) return false;
    const vec::PositLanes p{s.n, s.es};
    return run(*c, [&](const float* x, size_t n, Out* y, uint32_t* e) { return vec::encode_posit_rne(p, x, n, y, e); });
  }
  return false;
}

template <class In>
void decode_bulk(const ElementFormat& f, const std::vector<float>& table, std::span<const In> in, std::span<float> out) {
  if (out.size() < in.size()) throw std::invalid_argument("decode: output shorter than input");
  if (!table.empty()) {
    const float* t = table.data();
    const size_t mask = table.size() - 1;
    for (size_t i = 0; i < in.size(); ++i) out[i] = t[in[i] & mask];
    return;
  }
  for (size_t i = 0; i < in.size(); ++i) out[i] = float(f.decode(in[i]));
}
}  // namespace

const uint8_t* ElementFormat::encode_table(const RoundingOptions& o) const {
  if (!bf16_grid_ || o.mode == Rounding::Stochastic) return nullptr;
  const uint32_t key = uint32_t(o.mode) | uint32_t(o.overflow) << 4 | uint32_t(o.ftz) << 8 | uint32_t(o.saturate_inf) << 9 |
                       uint32_t(o.daz_in) << 10;
  std::lock_guard<std::mutex> lock(cache_->mu);
  auto& t = cache_->tables[key];
  if (!t) {
    auto v = std::make_shared<std::vector<uint8_t>>(size_t(1) << 17);
    for (uint32_t hi = 0; hi < 0x10000; ++hi) {
      (*v)[hi << 1] = uint8_t(encode(std::bit_cast<float>(hi << 16), o));
      (*v)[(hi << 1) | 1] = uint8_t(encode(std::bit_cast<float>((hi << 16) | 0x8000u), o));
    }
    t = v;
  }
  return t->data();
}

void ElementFormat::encode(std::span<const float> in, std::span<uint8_t> out, const RoundingOptions& o) const {
  if (bits() > 8) throw std::invalid_argument(fmt::format("{} has {} bits: use 16-bit codes", name_, bits()));
  if (out.size() < in.size()) throw std::invalid_argument("encode: output shorter than input");
  if (encode_vector(codec_, in, out, o)) return;
  if (const uint8_t* t = encode_table(o)) {
    for (size_t i = 0; i < in.size(); ++i) out[i] = lookup(t, in[i]);
    return;
  }
  encode_bulk(codec_, in, out, o);
}
void ElementFormat::encode(std::span<const float> in, std::span<uint16_t> out, const RoundingOptions& o) const {
  if (bits() > 16) throw std::invalid_argument(fmt::format("{} has {} bits: too wide for 16-bit codes", name_, bits()));
  if (out.size() < in.size()) throw std::invalid_argument("encode: output shorter than input");
  if (encode_vector(codec_, in, out, o)) return;
  encode_bulk(codec_, in, out, o);
}
void ElementFormat::decode(std::span<const uint8_t> in, std::span<float> out) const {
  if (!table8_->empty()) {
    if (out.size() < in.size()) throw std::invalid_argument("decode: output shorter than input");
    return vec::decode8(table8_->data(), in.data(), out.data(), in.size());
  }
  decode_bulk(*this, *table_f32_, in, out);
}
void ElementFormat::decode(std::span<const uint16_t> in, std::span<float> out) const { decode_bulk(*this, *table_f32_, in, out); }

int ElementFormat::bits() const {
  return std::visit([](const auto& c) { return c.bits(); }, codec_);
}

double ElementFormat::decode(uint32_t code, bool daz) const {
  return std::visit(overloaded{[&](const MinifloatCodec& c) { return c.decode(code, daz); },
                               [&](const auto& c) { return c.decode(code); }},
                    codec_);
}

Decoded ElementFormat::decode_exact(uint32_t code, bool daz) const {
  using K = Unrounded::Kind;
  auto finite = [](bool neg, uint64_t mant, int exp) {
    return mant == 0 ? Decoded{K::Zero, neg, 0, 0} : Decoded{K::Finite, neg, exp, mant};
  };
  return std::visit(
      overloaded{[&](const MinifloatCodec& c) -> Decoded {
                   const auto& s = c.spec();
                   if (c.is_nan(code)) return {K::NaN, false, 0, 0};
                   if (s.conv == FC::UE) return {K::Finite, false, int(code) - s.bias, 1};
                   const bool neg = code & c.sign_bit();
                   if (c.is_inf(code)) return {K::Inf, neg, 0, 0};
                   const uint32_t mag = code & (c.sign_bit() - 1);
                   const uint32_t ef = mag >> s.m, frac = mag & ((1u << s.m) - 1);
                   if (ef == 0) return daz ? Decoded{K::Zero, neg, 0, 0} : finite(neg, frac, 1 - s.bias - s.m);
                   return finite(neg, frac | (1u << s.m), int(ef) - s.bias - s.m);
                 },
                 [&](const IntCodec& c) -> Decoded {
                   const int64_t v = c.to_int(code);
                   return finite(v < 0, uint64_t(v < 0 ? -v : v), -c.spec().frac_bits);
                 },
                 [&](const BipolarCodec& c) -> Decoded {
                   const int64_t v = 2 * int64_t(code) - ((int64_t(1) << c.bits()) - 1);
                   return finite(v < 0, uint64_t(v < 0 ? -v : v), 0);
                 },
                 [&](const PositCodec& c) -> Decoded {
                   if (code == c.nar()) return {K::NaN, false, 0, 0};
                   if ((code & ((uint64_t(1) << c.bits()) - 1)) == 0) return {K::Zero, false, 0, 0};
                   const auto f = c.fields(code);
                   return finite(f.neg, (uint64_t(1) << f.frac_bits) | f.frac, f.scale - f.frac_bits);
                 }},
      codec_);
}

uint32_t ElementFormat::encode(const Unrounded& u, const RoundingOptions& o) const {
  return std::visit([&](const auto& c) { return c.encode(u, o); }, codec_);
}

void ElementFormat::check(const RoundingOptions& o) const {
  if (auto* m = std::get_if<MinifloatSpec>(&spec_)) return m->check(o);
  check_finite_overflow(o, name_);
}

bool ElementFormat::is_nan(uint32_t code) const {
  if (auto* m = std::get_if<MinifloatCodec>(&codec_)) return m->is_nan(code);
  if (auto* p = std::get_if<PositCodec>(&codec_)) return code == p->nar();
  return false;
}

FormatInfo ElementFormat::info() const {
  FormatInfo f;
  f.name = name_;
  f.bits = bits();
  std::visit(
      overloaded{
          [&](const MinifloatCodec& c) {
            const auto& s = c.spec();
            f.kind = "minifloat";
            f.layout = s.has_sign() ? fmt::format("s1 e{} m{}", s.e, s.m) : fmt::format("e{} m{} (unsigned)", s.e, s.m);
            f.bias = s.bias;
            f.max = c.decode(c.max_code());
            f.min_normal = c.decode(c.min_normal_code());
            f.min_subnormal = s.conv == FC::UE || s.m == 0 ? f.min_normal : c.decode(1);
            const int w = (f.bits + 3) / 4;
            switch (s.conv) {
              case FC::IEEE: f.specials = fmt::format("inf=0x{:0{}x}; NaN=exp all-ones, mant!=0; -0", c.inf_code(false), w); break;
              case FC::FN: f.specials = fmt::format("NaN=0x{:0{}x},0x{:0{}x}; no inf; -0", c.nan_code(false), w, c.nan_code(true), w); break;
              case FC::Finite: f.specials = "no inf, no NaN; -0"; break;
              case FC::FNUZ: f.specials = fmt::format("NaN=0x{:0{}x}; no inf; no -0", c.nan_code(false), w); break;
              case FC::UE: f.specials = fmt::format("NaN=0x{:0{}x}; no zero, no sign", c.nan_code(false), w); break;
            }
          },
          [&](const IntCodec& c) {
            const auto& s = c.spec();
            f.kind = "int";
            f.layout = s.is_signed ? fmt::format("two's complement {}b", s.bits) : fmt::format("unsigned {}b", s.bits);
            if (s.frac_bits) f.layout += fmt::format(", x2^-{}", s.frac_bits);
            f.max = std::ldexp(double(s.max_int()), -s.frac_bits);
            f.min_normal = f.min_subnormal = std::ldexp(1.0, -s.frac_bits);
            f.specials = s.symmetric ? "none; most negative code unused" : (s.saturate ? "none; saturating" : "none; wrapping");
          },
          [&](const BipolarCodec& c) {
            f.kind = "bipolar";
            f.layout = fmt::format("level = 2*code - {}", (1u << c.bits()) - 1);
            f.max = c.decode((1u << c.bits()) - 1);
            f.min_normal = f.min_subnormal = 1.0;
            f.specials = "none; no zero";
          },
          [&](const PositCodec& c) {
            f.kind = "posit";
            f.layout = fmt::format("posit(n={}, es={})", c.spec().n, c.spec().es);
            f.max = c.decode(c.maxpos());
            f.min_normal = f.min_subnormal = c.decode(1);
            f.specials = fmt::format("NaR=0x{:0{}x}", c.nar(), (f.bits + 3) / 4);
          }},
      codec_);
  return f;
}

int ElementFormat::emax() const {
  const double mx = std::visit(
      overloaded{[](const MinifloatCodec& c) { return c.decode(c.max_code()); },
                 [](const IntCodec& c) { return std::ldexp(double(c.spec().max_int()), -c.spec().frac_bits); },
                 [](const BipolarCodec& c) { return c.decode((1u << c.bits()) - 1); },
                 [](const PositCodec& c) { return c.decode(c.maxpos()); }},
      codec_);
  return std::ilogb(mx);
}

}  // namespace arithsim::formats
