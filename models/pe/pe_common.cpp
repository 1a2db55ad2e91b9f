#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/pe/int_lanes.hpp>
#include <arithsim/models/pe/pe.hpp>
#include <arithsim/models/units/multiplier.hpp>

namespace arithsim::pe {

ParamReader::ParamReader(const PeInfo& info, const Params& p) : info_(info) {
  for (const auto& pi : info.params) values_[pi.name] = pi.default_value;
  for (const auto& [k, v] : p) {
    if (!values_.count(k)) {
      std::string known;
      for (const auto& pi : info.params) known += (known.empty() ? "" : ", ") + pi.name;
      fail(fmt::format("unknown parameter '{}' (parameters: {})", k, known.empty() ? "none" : known));
    }
    values_[k] = v;
  }
}

void ParamReader::fail(const std::string& what) const { throw PeError(info_.name + ": " + what); }

std::string ParamReader::str(const std::string& key) const { return values_.at(key); }

int ParamReader::integer(const std::string& key, int lo, int hi) const {
  const std::string& v = values_.at(key);
  size_t pos = 0;
  int x = 0;
  try {
    x = std::stoi(v, &pos);
  } catch (...) {
    pos = 0;
  }
  if (pos == 0 || pos != v.size()) fail(fmt::format("bad value '{}' for {} (want an integer)", v, key));
  if (x < lo || x > hi) fail(fmt::format("{}={} out of range {}..{}", key, x, lo, hi));
  return x;
}

bool ParamReader::flag(const std::string& key) const {
  const std::string& v = values_.at(key);
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  fail(fmt::format("bad value '{}' for {} (want true or false)", v, key));
}

formats::ElementFormat ParamReader::format(const std::string& key) const {
  try {
    return formats::ElementFormat::parse(values_.at(key));
  } catch (const std::invalid_argument& e) {
    fail(fmt::format("{}: {}", key, e.what()));
  }
}

std::string ParamReader::resolved() const {
  std::string s;
  for (const auto& pi : info_.params) s += (s.empty() ? "" : " ") + pi.name + "=" + values_.at(pi.name);
  return s;
}

OperandError::OperandError(const std::string& pe, char side_, size_t index_, double value_, const std::string& format_,
                           const std::string& where)
    : PeError(fmt::format("{}: {} = {} is not a value of {} (scale=none takes exact values)", pe,
                          where.empty() ? fmt::format("{} element {}", side_ == 'a' ? "activation" : "weight", index_) : where,
                          float(value_), format_)),
      side(side_), index(index_), value(value_), format(format_) {}

ParamInfo OperandPolicies::param() const {
  std::string help = "operands: none (exact values of the input formats, else an error)";
  for (const auto& [name, what] : own) help += fmt::format(" | {} ({})", name, what);
  return {"scale", own.front().first, help};
}

void ProcessingElement::gemm(std::span<const Operand> rows, std::span<const Operand> cols, std::span<double> out) const {
  if (out.size() != rows.size() * cols.size())
    throw PeError(fmt::format("{}: gemm of {} rows by {} columns into {} outputs", info().name, rows.size(), cols.size(), out.size()));
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < cols.size(); ++j) out[i * cols.size() + j] = dot(rows[i], cols[j]);
}

bool gemm_shape_ok(std::span<const Operand> rows, std::span<const Operand> cols, std::span<const double> out) {
  if (rows.empty() || cols.empty() || out.size() != rows.size() * cols.size()) return false;
  const size_t k = rows[0].size();
  for (const auto* side : {&rows, &cols})
    for (const auto& x : *side)
      if (x.size() != k) return false;
  return true;
}

void ProcessingElement::read_operand_policy(const ParamReader& r, const OperandPolicies& p) {
  const std::string v = r.str("scale");
  std::string known = "none";
  for (const auto& [name, what] : p.own) {
    if (v == name) policy_ = v;
    known += ", " + name;
  }
  if (v == "none") policy_ = v;
  if (policy_.empty()) r.fail(fmt::format("scale '{}' is not one of {}", v, known));
}

Operand ProcessingElement::quantize(std::span<const float> x, char side) const {
  Operand o = side == 'a' ? scale_a(x) : scale_w(x);
  if (policy_ != "none") return o;
  // The layout (formats, groups) is the PE's; the values are the operands themselves.
  const formats::ElementFormat& f = *o.format;
  for (size_t i = 0; i < x.size(); ++i) {
    const uint32_t c = f.encode(double(x[i]));
    const double v = f.decode(c);
    if (!(v == double(x[i]) || (std::isnan(v) && std::isnan(x[i])))) throw OperandError(info().name, side, i, x[i], f.name());
    o.codes[i] = c;
  }
  std::fill(o.scales.begin(), o.scales.end(), 1.0);
  std::fill(o.zeros.begin(), o.zeros.end(), 0);
  return o;
}

namespace {
Operand make_operand(const formats::ElementFormat& f, size_t n) {
  Operand o;
  o.format = &f;
  o.codes.resize(n);
  o.group = std::max<size_t>(n, 1);
  return o;
}
}  // namespace

Operand quantize_pow2(const formats::ElementFormat& f, std::span<const float> x) {
  Operand o = make_operand(f, x.size());
  float amax = 0;
  for (float v : x)
    if (std::isfinite(v)) amax = std::max(amax, std::fabs(v));
  // amax lands in the binade 2^min(emax, 8): the element max for FP8 E4M3 (the MX rule),
  // and no higher for wide formats, so that products and sums stay far from overflow.
  const int X = amax == 0 ? 0 : formats::Unrounded::from_float(amax).exp - std::min(f.emax(), 8);
  formats::RoundingOptions sat;
  sat.overflow = formats::Overflow::Saturate;
  for (size_t i = 0; i < x.size(); ++i) {
    formats::Unrounded u = formats::Unrounded::from_float(x[i]);
    u.exp -= X;
    o.codes[i] = f.encode(u, sat);
  }
  o.scales = {std::ldexp(1.0, X)};
  return o;
}

Operand quantize_unscaled(const formats::ElementFormat& f, std::span<const float> x) {
  Operand o = make_operand(f, x.size());
  for (size_t i = 0; i < x.size(); ++i) o.codes[i] = f.encode(x[i]);
  o.scales = {1.0};
  return o;
}

Operand quantize_int_symmetric(const formats::ElementFormat& f, std::span<const float> x) {
  Operand o = make_operand(f, x.size());
  const auto* ic = f.codec<formats::IntCodec>();
  const double qmax = double(ic->spec().max_int());
  float amax = 0;
  for (float v : x)
    if (std::isfinite(v)) amax = std::max(amax, std::fabs(v));
  // The scale is a float32 (as a hardware dequantization register holds it).
  const double s = amax == 0 ? 1.0 : double(float(double(amax) / qmax));
  formats::RoundingOptions sat;
  sat.overflow = formats::Overflow::Saturate;
  for (size_t i = 0; i < x.size(); ++i) o.codes[i] = f.encode(double(x[i]) / s, sat);
  o.scales = {s};
  return o;
}

formats::BlockSpec int_group_spec(int bits, size_t group, bool zero_point) {
  return formats::parse_block(fmt::format("int{}_g{}{}", bits, group, zero_point ? ":asym" : ""));
}

Operand quantize_int_groups(const formats::BlockCodec& bc, const formats::ElementFormat& f, std::span<const float> x) {
  const auto q = bc.quantize(x, x.size());
  Operand o = make_operand(f, x.size());
  o.group = size_t(bc.spec().block);
  for (size_t i = 0; i < x.size(); ++i) o.codes[i] = q.codes[i];
  for (size_t g = 0; g < q.scales.size(); ++g) o.scales.push_back(bc.scale_value(q.scales[g]));
  if (bc.spec().zero_point) o.zeros.assign(q.zeros.begin(), q.zeros.end());
  return o;
}

LowBitOperands::LowBitOperands(const ParamReader& r, int weight_bits, bool zero_point, const std::string& activation_error)
    : bits_(weight_bits),
      group_(size_t(r.integer("group", 1, 1 << 20))),
      int8_(false),
      a_(r.format("a")),
      w_(formats::ElementFormat::parse(fmt::format("{}int{}", zero_point ? "u" : "", weight_bits))),
      wq_(int_group_spec(weight_bits, group_, zero_point)) {
  if (a_.name() == "int8") int8_ = true;
  else if (a_.name() != "float16") r.fail(fmt::format("a={} is not int8 or fp16{}", a_.name(), activation_error));
}

void LowBitOperands::check_k(const ParamReader& r, size_t k) const {
  if (k % group_) r.fail(fmt::format("group size {} does not divide K={}", group_, k));
}

void dequantize_group(units::FloatAccumulator& acc, const formats::Unrounded& group_sum, double scale) {
  const auto& f = acc.format();
  acc.add(f.decode_exact(f.encode(units::multiply(group_sum, formats::Unrounded::from_double(scale)))).unrounded());
}

double pow2_scaled_output(formats::Unrounded y, const Operand& a, const Operand& w, const formats::ElementFormat& out) {
  if (y.finite()) y.exp += std::ilogb(a.scales[0]) + std::ilogb(w.scales[0]);
  return out.decode(out.encode(y));
}

bool low_bit_int8_gemm(const LowBitOperands& ops, bool signed_weights, const formats::ElementFormat& acc_fmt,
                       const formats::ElementFormat& out_format, std::span<const Operand> rows, std::span<const Operand> cols,
                       std::span<double> out) {
  const size_t m = rows.size(), n = cols.size(), k = rows[0].size(), group = ops.group();
  const int abits = ops.activation_format().bits(), wbits = ops.weight_bits();
  // |a| <= 2^(abits-1), |q| < 2^wbits: a group's sum of products fits in int32 below this.
  if (double(group) * std::ldexp(1.0, abits - 1 + wbits) >= 0x1p31 || k % group) return false;
  const int sa = 32 - abits, sw = 32 - wbits;
  const size_t groups = k / group;
  std::vector<int32_t> a(m * k), panel(k * kIntPanel);
  std::vector<int64_t> asum(m * groups, 0), psum(groups * kIntPanel);
  for (size_t i = 0; i < m; ++i)
    for (size_t t = 0; t < k; ++t) {
      a[i * k + t] = int32_t(rows[i].codes[t] << sa) >> sa;
      asum[i * groups + t / group] += a[i * k + t];
    }
  // An FP32 accumulator is the host's float: each d * s_g is exact in double (31 x 11 bits)
  // and rounds once to float, the adds are float adds (FloatAccumulator(fp32) is the IEEE add,
  // units_test), and d * s_a is exact in double (24 x 24 bits) before its one rounding.
  const bool fp32 = acc_fmt.name() == "float32" && out_format.name() == "float32" && std::numeric_limits<float>::is_iec559;
  for (size_t j0 = 0; j0 < n; j0 += kIntPanel) {
    const size_t ln = std::min(kIntPanel, n - j0);
    std::fill(panel.begin(), panel.end(), 0);
    for (size_t l = 0; l < ln; ++l)
      for (size_t t = 0; t < k; ++t) {
        const uint32_t q = cols[j0 + l].codes[t];
        panel[t * kIntPanel + l] = signed_weights ? int32_t(q << sw) >> sw : int32_t(q);
      }
    for (size_t i = 0; i < m; ++i) {
      for (size_t g = 0; g < groups; ++g)
        int_lanes_wrap32(&a[i * k + g * group], &panel[g * group * kIntPanel], group, &psum[g * kIntPanel]);
      for (size_t l = 0; l < ln; ++l) {
        const Operand& w = cols[j0 + l];
        auto group_sum = [&](size_t g) {
          const int64_t p = int32_t(uint32_t(psum[g * kIntPanel + l]));  // the exact sum (the bound above)
          return p - int64_t(w.zero(g * group)) * asum[i * groups + g];
        };
        if (fp32) {
          float acc = 0.0f;
          for (size_t g = 0; g < groups; ++g) acc += float(double(group_sum(g)) * w.scale(g * group));
          out[i * n + j0 + l] = double(float(double(acc) * rows[i].scales[0]));
          continue;
        }
        units::FloatAccumulator acc(acc_fmt);
        for (size_t g = 0; g < groups; ++g) {
          const int64_t d = group_sum(g);
          dequantize_group(acc, formats::Unrounded::from_int(d < 0, uint64_t(d < 0 ? -d : d), 0), w.scale(g * group));
        }
        out[i * n + j0 + l] = scale_output(acc, rows[i].scales[0], out_format);
      }
    }
  }
  return true;
}

double scale_output(const units::FloatAccumulator& acc, double scale, const formats::ElementFormat& out) {
  const auto y = units::multiply(acc.format().decode_exact(acc.code()).unrounded(), formats::Unrounded::from_double(scale));
  return out.decode(out.encode(y));
}

}  // namespace arithsim::pe
