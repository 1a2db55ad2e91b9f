// Independent reference for the PE models (tests only).
//
// Nothing here reuses the library's arithmetic (formats::Unrounded, units::*, the codecs'
// rounding). Operand codes are decoded to doubles with formats::ElementFormat::decode (an
// exact decode, proven by the format tests); from there on every value is held EXACTLY:
//   Num      an extended real: NaN, +-inf, +-0, or (-1)^neg * mag * 2^exp with an arbitrary
//            precision odd integer mag (boost::multiprecision::cpp_int). Add and multiply are
//            exact integer operations; IEEE sign rules for zeros and specials are spelled out.
//   round()  rounds a Num to an IEEE-style binary format (precision p, exponent range
//            emin..emax, with inf) by round-to-nearest-even: the binade is the position of
//            the leading bit, the kept part is an integer division, the remainder is
//            compared with one half, ties go to the even neighbour; subnormals use the
//            fixed quantum 2^(emin-p+1); a result that reaches 2^(emax+1) is inf.
//   round_rational()  the same rounding written a second way, on cpp_rational, used to
//            cross-check round() (with the host's float / _Float16 conversions as a third
//            opinion) in the reference self-test.
// The per-PE references (ref_int_mac, ref_fp8_mac, ref_lmul_pe, ref_mixpe, ref_lut) follow
// the algorithms and rounding points documented in the header comments of models/pe/*.cpp
// and docs/pe/*.md, with every step computed in Num and rounded by round().
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>
#include <gtest/gtest.h>

#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/pe/pe.hpp>

namespace arithsim::peref {

namespace mp = boost::multiprecision;
using Int = mp::cpp_int;
using Rat = mp::cpp_rational;

// ---------------------------------------------------------------------------------------
// Exact extended reals.

struct Num {
  enum Kind { Zero, Fin, Inf, NaN };
  Kind kind = Zero;
  bool neg = false;
  Int mag;  // Fin: odd and > 0
  int exp = 0;

  static Num zero(bool n = false) {
    Num x;
    x.neg = n;
    return x;
  }
  static Num inf(bool n) {
    Num x;
    x.kind = Inf;
    x.neg = n;
    return x;
  }
  static Num nan() {
    Num x;
    x.kind = NaN;
    return x;
  }
  // m * 2^e with the sign n (m may be any integer; a negative m flips the sign).
  static Num fin(bool n, Int m, int e) {
    if (m == 0) return zero(n);
    if (m < 0) {
      m = -m;
      n = !n;
    }
    const unsigned s = mp::lsb(m);
    Num x;
    x.kind = Fin;
    x.neg = n;
    x.mag = m >> s;
    x.exp = e + int(s);
    return x;
  }
  static Num of_int(int64_t v) { return v == 0 ? zero(false) : fin(v < 0, Int(v < 0 ? -Int(v) : Int(v)), 0); }
  static Num of_int(const Int& v) { return v == 0 ? zero(false) : fin(false, v, 0); }
  static Num of_double(double d) {
    if (std::isnan(d)) return nan();
    const bool n = std::signbit(d);
    if (std::isinf(d)) return inf(n);
    if (d == 0) return zero(n);
    int e = 0;
    const double f = std::frexp(std::fabs(d), &e);  // [0.5, 1)
    const auto m = uint64_t(std::ldexp(f, 53));     // exact: <= 53 significant bits
    return fin(n, Int(m), e - 53);
  }
  // A cpp_rational whose denominator is a power of two (every value here is one).
  static Num of_rat(const Rat& r) {
    if (r == 0) return zero(false);
    const Int num = mp::numerator(r), den = mp::denominator(r);
    const unsigned s = mp::msb(den);
    if (den != (Int(1) << s)) throw std::logic_error("peref: not a dyadic rational");
    return fin(false, num, -int(s));
  }

  bool is_nan() const { return kind == NaN; }
  bool finite_nonzero() const { return kind == Fin; }
  // floor(log2 |x|) of a finite nonzero value.
  int ilog2() const { return int(mp::msb(mag)) + exp; }
  Rat rat() const {
    if (kind != Fin) throw std::logic_error("peref: rat() of a non-finite or zero value");
    const Int m = neg ? Int(-mag) : mag;
    if (exp >= 0) return Rat(Int(m << exp));
    return Rat(m, Int(Int(1) << -exp));
  }
  // Exact conversion; throws if the value is not a double.
  double to_double() const {
    switch (kind) {
      case NaN: return std::numeric_limits<double>::quiet_NaN();
      case Inf: return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      case Zero: return neg ? -0.0 : 0.0;
      case Fin: break;
    }
    if (mp::msb(mag) >= 53) throw std::logic_error("peref: value has more than 53 bits");
    const double d = std::ldexp(mag.convert_to<double>(), exp) * (neg ? -1.0 : 1.0);
    if (!(of_double(d) == *this)) throw std::logic_error("peref: value is not a double: " + str());
    return d;
  }
  bool operator==(const Num& o) const {
    if (kind != o.kind) return false;
    if (kind == NaN) return true;
    if (neg != o.neg) return false;
    return kind != Fin || (exp == o.exp && mag == o.mag);
  }
  std::string str() const {
    std::ostringstream s;
    switch (kind) {
      case NaN: return "nan";
      case Inf: return neg ? "-inf" : "inf";
      case Zero: return neg ? "-0" : "+0";
      case Fin: s << (neg ? "-" : "") << mag << "*2^" << exp;
    }
    return s.str();
  }
};

inline Num neg(Num x) {
  x.neg = !x.neg;
  return x;
}

inline Num ldexp(Num x, int k) {
  if (x.kind == Num::Fin) x.exp += k;
  return x;
}

// Exact a + b with IEEE special-value rules (round-to-nearest: an exact zero sum is +0,
// -0 + -0 = -0).
inline Num add(const Num& a, const Num& b) {
  if (a.kind == Num::NaN || b.kind == Num::NaN) return Num::nan();
  if (a.kind == Num::Inf && b.kind == Num::Inf) return a.neg == b.neg ? a : Num::nan();
  if (a.kind == Num::Inf) return a;
  if (b.kind == Num::Inf) return b;
  if (a.kind == Num::Zero && b.kind == Num::Zero) return Num::zero(a.neg && b.neg);
  if (a.kind == Num::Zero) return b;
  if (b.kind == Num::Zero) return a;
  const int e = std::min(a.exp, b.exp);
  const Int A = a.mag << (a.exp - e), B = b.mag << (b.exp - e);
  const Int s = (a.neg ? Int(-A) : A) + (b.neg ? Int(-B) : B);
  if (s == 0) return Num::zero(false);
  return Num::fin(false, s, e);
}

// Exact a * b with IEEE special-value rules.
inline Num mul(const Num& a, const Num& b) {
  const bool n = a.neg != b.neg;
  if (a.kind == Num::NaN || b.kind == Num::NaN) return Num::nan();
  if (a.kind == Num::Inf || b.kind == Num::Inf) {
    if (a.kind == Num::Zero || b.kind == Num::Zero) return Num::nan();
    return Num::inf(n);
  }
  if (a.kind == Num::Zero || b.kind == Num::Zero) return Num::zero(n);
  return Num::fin(n, Int(a.mag * b.mag), a.exp + b.exp);
}

// -1, 0, +1 for finite (zero or nonzero) values.
inline int cmp(const Num& a, const Num& b) {
  const Num d = add(a, neg(b));
  if (d.kind == Num::Zero) return 0;
  return d.neg ? -1 : 1;
}

// ---------------------------------------------------------------------------------------
// Rounding to IEEE-style binary formats, round to nearest, ties to even.

struct FloatFmt {
  int p;      // significand bits, the leading one included
  int emin;   // exponent of the smallest normal
  int emax;   // exponent of the largest finite binade
  const char* name;
};
inline constexpr FloatFmt kFp32{24, -126, 127, "fp32"};
inline constexpr FloatFmt kFp16{11, -14, 15, "fp16"};
inline constexpr FloatFmt kBf16{8, -126, 127, "bf16"};

inline Num round(const Num& x, const FloatFmt& f) {
  if (x.kind != Num::Fin) return x;
  const int E = x.ilog2();
  const int q = std::max(E, f.emin) - (f.p - 1);  // weight of the last kept bit
  Num r;
  if (x.exp >= q) {
    r = x;  // already on the grid
  } else {
    const unsigned sh = unsigned(q - x.exp);
    Int kept = x.mag >> sh;
    const Int rem = x.mag - (kept << sh);
    const Int half = Int(1) << (sh - 1);
    if (rem > half || (rem == half && mp::bit_test(kept, 0))) ++kept;
    if (kept == 0) return Num::zero(x.neg);  // underflow keeps the sign
    r = Num::fin(x.neg, kept, q);
  }
  if (r.ilog2() > f.emax) return Num::inf(x.neg);
  return r;
}

// The same rounding done on rationals: binade by comparison with powers of two, scaled
// floor by integer division, remainder against 1/2. Used only to check round().
inline Rat pow2(int k) { return k >= 0 ? Rat(Int(Int(1) << k)) : Rat(Int(1), Int(Int(1) << -k)); }
inline Num round_rational(const Rat& v, const FloatFmt& f) {
  if (v == 0) return Num::zero(false);
  const bool n = v < 0;
  const Rat a = n ? Rat(-v) : v;
  int E = int(mp::msb(mp::numerator(a))) - int(mp::msb(mp::denominator(a)));
  while (a >= pow2(E + 1)) ++E;
  while (a < pow2(E)) --E;
  const int q = std::max(E, f.emin) - (f.p - 1);
  const Rat s = a / pow2(q);
  Int fl = mp::numerator(s) / mp::denominator(s);
  const Rat frac = s - Rat(fl);
  if (frac > Rat(1, 2) || (frac == Rat(1, 2) && fl % 2 == 1)) ++fl;
  if (fl == 0) return Num::zero(n);
  if (Rat(fl) * pow2(q) >= pow2(f.emax + 1)) return Num::inf(n);
  Num r = Num::of_rat(Rat(fl) * pow2(q));
  r.neg = n;
  return r;
}

// ---------------------------------------------------------------------------------------
// Operands and small utilities.

inline Num val(const formats::ElementFormat& f, uint32_t code) { return Num::of_double(f.decode(code)); }
inline int64_t ival(const formats::ElementFormat& f, uint32_t code) {
  const double d = f.decode(code);
  if (d != std::floor(d)) throw std::logic_error("peref: not an integer code");
  return int64_t(d);
}

inline pe::Operand make_operand(const formats::ElementFormat& f, std::vector<uint32_t> codes, std::vector<double> scales,
                                size_t group = 0, std::vector<int32_t> zeros = {}) {
  pe::Operand o;
  o.format = &f;
  o.codes = std::move(codes);
  o.group = group ? group : std::max<size_t>(o.codes.size(), 1);
  o.scales = std::move(scales);
  o.zeros = std::move(zeros);
  return o;
}

// Bitwise equality of doubles (so +0 and -0 differ); every NaN equals every NaN.
inline bool same(double x, double y) {
  return (std::isnan(x) && std::isnan(y)) || std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y);
}
inline std::string show(double x) {
  char b[64];
  std::snprintf(b, sizeof b, "%a (%.17g)", x, x);
  return b;
}

// Deterministic, cheap random numbers (splitmix64), seedable per index.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
  uint64_t operator()() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return (*this)() % n; }
  int range(int lo, int hi) { return lo + int(below(uint64_t(hi - lo + 1))); }  // inclusive
  bool chance(int percent) { return below(100) < uint64_t(percent); }
  double unit() { return double((*this)() >> 11) * 0x1p-53; }
  double normal() {  // Box-Muller
    const double u = (double((*this)() >> 11) + 1) * 0x1p-53, v = unit();
    return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
};

// A positive float32 scale: mostly moderate, sometimes at the extremes of float32 (so that
// outputs overflow or become subnormal).
inline double rand_f32_scale(Rng& r) {
  const double m = 1 + double(r.below(1u << 23)) * 0x1p-23;
  if (r.chance(3)) return double(float(std::ldexp(m, r.range(-149, 127))));
  return std::ldexp(m, r.range(-24, 4));
}
// A positive finite fp16 value (a weight-group scale), mostly normal.
inline double rand_f16_scale(Rng& r, const formats::ElementFormat& fp16) {
  if (r.chance(5)) return fp16.decode(uint32_t(r.range(1, 0x7bff)));  // anything finite
  return fp16.decode(uint32_t(r.range(0x1400, 0x3c00)));            // 2^-10 .. 1
}
inline double rand_pow2(Rng& r, int lo, int hi) { return std::ldexp(1.0, r.range(lo, hi)); }

// ---------------------------------------------------------------------------------------
// Failure collection and a two-thread loop for the exhaustive sweeps.

struct Failures {
  std::mutex mu;
  std::atomic<size_t> count{0};
  std::vector<std::string> first;
  void add(const std::string& m) {
    if (count.fetch_add(1) < 8) {
      std::lock_guard<std::mutex> l(mu);
      first.push_back(m);
    }
  }
  std::string report() const {
    std::string s = std::to_string(count.load()) + " mismatches; first ones:";
    for (const auto& m : first) s += "\n  " + m;
    return s;
  }
};

// body(begin, end) over [0, n), split into contiguous ranges on up to two threads.
template <class F>
void parallel_for(size_t n, F&& body) {
  const size_t threads = std::min<size_t>(2, std::max(1u, std::thread::hardware_concurrency()));
  if (threads < 2 || n < 1024) {
    body(size_t(0), n);
    return;
  }
  std::vector<std::thread> ts;
  std::exception_ptr err;
  std::mutex mu;
  for (size_t t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      try {
        body(n * t / threads, n * (t + 1) / threads);
      } catch (...) {
        std::lock_guard<std::mutex> l(mu);
        err = std::current_exception();
      }
    });
  for (auto& t : ts) t.join();
  if (err) std::rethrow_exception(err);
}

// `per_config` random dot products for each of `configs` configurations, on up to two
// threads, each from its own deterministic Rng; one(cfg, rng) returns "" on a match, else
// the failure message. Returns the number of dots run.
template <class F>
size_t random_sweep(size_t configs, size_t per_config, uint64_t seed, Failures& f, F&& one) {
  parallel_for(configs * per_config, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      Rng r(seed * 1000003 + i);
      const std::string msg = one(i / per_config, r);
      if (!msg.empty()) f.add(msg);
    }
  });
  return configs * per_config;
}

// Random dot products run by the random tests, per PE (printed at the end by gemm_driver_test).
inline std::atomic<size_t>& random_dots(int pe) {
  static std::atomic<size_t> c[5];
  return c[pe];
}
enum PeId { kIntMac = 0, kFp8Mac = 1, kMixPe = 2, kLut = 3, kLMul = 4 };

// ---------------------------------------------------------------------------------------
// int_mac: acc = wrap_or_saturate(acc + qa*qw) per element in an acc_bits register,
// out = RN_fp32(acc * s_a * s_w).

inline double ref_int_mac(const pe::Operand& a, const pe::Operand& w, int acc_bits, bool saturate) {
  const Int mod = Int(1) << acc_bits, lo = -(Int(1) << (acc_bits - 1)), hi = (Int(1) << (acc_bits - 1)) - 1;
  Int acc = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    acc += Int(ival(*a.format, a.codes[i])) * Int(ival(*w.format, w.codes[i]));
    if (acc < lo || acc > hi) {
      if (saturate) {
        acc = acc < lo ? lo : hi;
      } else {
        Int r = (acc - lo) % mod;  // C remainder: the sign of the dividend
        if (r < 0) r += mod;
        acc = r + lo;
      }
    }
  }
  const Num y = mul(Num::of_int(acc), mul(Num::of_double(a.scales[0]), Num::of_double(w.scales[0])));
  return round(y, kFp32).to_double();
}

// ---------------------------------------------------------------------------------------
// fp8_mac.

struct Fp8Cfg {
  std::string mode = "fused";  // fused | per_product | tree
  FloatFmt acc = kFp32;
  int tree_inputs = 16;
  int align_bits = 27;
  bool round_shifted = false;
};

// The adder tree: every finite term aligned to a window of align_bits bits ending at the
// leading bit of the largest term, bits below the window truncated toward zero (or rounded
// to nearest even) per term, the aligned integers summed exactly.
inline Num tree_sum(const std::vector<Num>& terms, int align_bits, bool round_shifted) {
  bool nan = false, pinf = false, ninf = false, any = false;
  int emax = 0;
  for (const auto& t : terms) {
    if (t.kind == Num::NaN) nan = true;
    if (t.kind == Num::Inf) (t.neg ? ninf : pinf) = true;
    if (t.kind == Num::Fin) {
      emax = any ? std::max(emax, t.ilog2()) : t.ilog2();
      any = true;
    }
  }
  if (nan || (pinf && ninf)) return Num::nan();
  if (pinf || ninf) return Num::inf(ninf);
  if (!any) {
    bool all_neg = !terms.empty();
    for (const auto& t : terms) all_neg = all_neg && t.neg;
    return Num::zero(all_neg);
  }
  const int lsb = emax - align_bits + 1;
  Int sum = 0;
  for (const auto& t : terms) {
    if (t.kind != Num::Fin) continue;
    Int v;
    if (t.exp >= lsb) {
      v = t.mag << (t.exp - lsb);
    } else {
      const unsigned sh = unsigned(lsb - t.exp);
      v = t.mag >> sh;
      if (round_shifted) {
        const Int rem = t.mag - (v << sh), half = Int(1) << (sh - 1);
        if (rem > half || (rem == half && mp::bit_test(v, 0))) ++v;
      }
    }
    sum += t.neg ? Int(-v) : v;
  }
  return sum == 0 ? Num::zero(false) : Num::fin(false, sum, lsb);
}

inline double ref_fp8_mac(const pe::Operand& a, const pe::Operand& w, const Fp8Cfg& c) {
  Num acc = Num::zero(false);
  const size_t k = a.size();
  if (c.mode == "tree") {
    for (size_t base = 0; base < k; base += size_t(c.tree_inputs)) {
      std::vector<Num> terms;
      for (size_t i = base; i < std::min(k, base + size_t(c.tree_inputs)); ++i)
        terms.push_back(mul(val(*a.format, a.codes[i]), val(*w.format, w.codes[i])));
      terms.push_back(acc);
      acc = round(tree_sum(terms, c.align_bits, c.round_shifted), c.acc);
    }
  } else {
    for (size_t i = 0; i < k; ++i) {
      Num p = mul(val(*a.format, a.codes[i]), val(*w.format, w.codes[i]));
      if (c.mode == "per_product") p = round(p, c.acc);
      acc = round(add(acc, p), c.acc);
    }
  }
  const Num y = mul(acc, mul(Num::of_double(a.scales[0]), Num::of_double(w.scales[0])));
  return round(y, kFp32).to_double();
}

// ---------------------------------------------------------------------------------------
// lmul_pe: L-Mul products from the decoded fields, FP32 (acc) accumulation, output scaled by
// the power-of-two operand scales.

// x = (1 + xm) 2^xe, y = (1 + ym) 2^ye (normal operands), s = xm + ym + 2^-l(m), e = xe + ye:
//   formula:  (1 + s) 2^e                       (the paper's equation)
//   hardware: the exponent|mantissa field add: the integer part c = floor(s) of the
//             mantissa sum carries into the exponent, the fraction stays:
//             (1 + s - c) 2^(e + c), i.e. (1 + s) 2^e for s < 1, s 2^(e+1) for 1 <= s < 2,
//             (s - 1) 2^(e+2) for s >= 2 (the double carry, m >= 5; docs/pe/lmul_pe.md §7).
//   single_carry: s 2^(e+1) for every s >= 1 (the variant before the double carry was
//             modelled; used only to count where the two differ).
// Zero and subnormal operands are flushed to (signed) zero, then IEEE rules for inf/NaN.
enum class LMulVar { Formula, Hardware, SingleCarry };
inline int lmul_l(int m) { return m <= 3 ? m : m == 4 ? 3 : 4; }  // l(m) of the paper

inline Num ref_lmul(const formats::ElementFormat& f, int m, double min_normal, uint32_t ca, uint32_t cb, LMulVar v) {
  const double x = f.decode(ca), y = f.decode(cb);
  auto flushed = [&](double t) { return std::isfinite(t) && std::fabs(t) < min_normal; };
  Num X = flushed(x) ? Num::zero(std::signbit(x)) : Num::of_double(x);
  Num Y = flushed(y) ? Num::zero(std::signbit(y)) : Num::of_double(y);
  if (X.kind != Num::Fin || Y.kind != Num::Fin) return mul(X, Y);
  const bool n = X.neg != Y.neg;
  const int xe = X.ilog2(), ye = Y.ilog2();
  X.neg = Y.neg = false;
  const Num one = Num::of_int(int64_t(1)), two = Num::of_int(int64_t(2));
  const Num xm = add(ldexp(X, -xe), neg(one)), ym = add(ldexp(Y, -ye), neg(one));
  const Num s = add(add(xm, ym), ldexp(one, -lmul_l(m)));
  Num r;
  if (v == LMulVar::Formula || cmp(s, one) < 0) r = ldexp(add(one, s), xe + ye);
  else if (v == LMulVar::SingleCarry || cmp(s, two) < 0) r = ldexp(s, xe + ye + 1);
  else r = ldexp(add(s, neg(one)), xe + ye + 2);
  r.neg = n;
  return r;
}

struct LMulCfg {
  const formats::ElementFormat* fmt;
  int m;
  LMulVar variant = LMulVar::Hardware;
  FloatFmt acc = kFp32;
};

inline double ref_lmul_pe(const pe::Operand& a, const pe::Operand& w, const LMulCfg& c) {
  const double mn = c.fmt->info().min_normal;
  Num acc = Num::zero(false);
  for (size_t i = 0; i < a.size(); ++i) acc = round(add(acc, ref_lmul(*c.fmt, c.m, mn, a.codes[i], w.codes[i], c.variant)), c.acc);
  const Num y = mul(acc, mul(Num::of_double(a.scales[0]), Num::of_double(w.scales[0])));
  return round(y, kFp32).to_double();
}

// ---------------------------------------------------------------------------------------
// mixpe: per weight group, d = sum a_i (q_i - z) (exact, INT8 activations) or the FP16
// shift&add with rounding per add; out_g = RN_acc(d * s_g); acc = RN_acc(acc + out_g);
// output RN_fp32(acc * s_a).

struct MixCfg {
  int wbits = 4;
  bool zero_point = true;
  bool fp16_act = false;
  FloatFmt acc = kFp32;
  size_t group = 128;
};

inline double ref_mixpe(const pe::Operand& a, const pe::Operand& w, const MixCfg& c) {
  Num acc = Num::zero(false);
  const bool sgn = !c.zero_point;  // signed B-bit weights without a zero point
  for (size_t g0 = 0; g0 < a.size(); g0 += c.group) {
    const Num s = Num::of_double(w.scales[g0 / c.group]);
    const int64_t z = w.zeros.empty() ? 0 : w.zeros[g0 / c.group];
    Num v;
    if (!c.fp16_act) {
      Int d = 0;
      for (size_t i = g0; i < g0 + c.group; ++i) d += Int(ival(*a.format, a.codes[i])) * (Int(ival(*w.format, w.codes[i])) - z);
      v = Num::fin(false, d, 0);  // +0 when d = 0
    } else {
      // element-major: for each element, asum += a_i; for each set bit b, psum += +-a_i 2^b
      Num psum = Num::zero(false), asum = Num::zero(false);
      for (size_t i = g0; i < g0 + c.group; ++i) {
        const Num x = val(*a.format, a.codes[i]);
        asum = round(add(asum, x), c.acc);
        for (int b = 0; b < c.wbits; ++b) {
          if (!((w.codes[i] >> b) & 1)) continue;
          Num t = ldexp(x, b);
          if (sgn && b == c.wbits - 1) t = neg(t);  // the top plane of a two's complement code
          psum = round(add(psum, t), c.acc);
        }
      }
      const Num za = round(mul(Num::of_int(z), asum), c.acc);
      v = round(add(psum, neg(za)), c.acc);
    }
    acc = round(add(acc, round(mul(v, s), c.acc)), c.acc);
  }
  return round(mul(acc, Num::of_double(a.scales[0])), kFp32).to_double();
}

// ---------------------------------------------------------------------------------------
// lut_tensor_core: see models/pe/lut_tensor_core.cpp. INT8 activations: the group sum is
// exactly sum a_i (q_i - z). FP16 activations, in the source's order: per k-block the
// table entries T[idx] = sum_i (bit i ? a_i : -a_i) added in i order, rounded per add to
// `table` (the symmetrized table stores idx < 2^(k-1) and reads -T[~idx] for the rest);
// asum and the plane sums P_b rounded per add to `acc`; then total = sum_b 2^b P_b
// (b ascending, rounded per add), total = RN(total + (2^B - 1 - 2z) * asum), group sum =
// total / 2; out_g = RN_acc(gs * s_g), acc = RN_acc(acc + out_g), output RN_fp32(acc s_a).

struct LutCfg {
  int wbits = 2;
  size_t k = 4;
  size_t group = 128;
  bool symmetrize = true;
  bool fp16_act = false;
  FloatFmt table = kFp16;
  FloatFmt acc = kFp32;
};

inline double ref_lut(const pe::Operand& a, const pe::Operand& w, const LutCfg& c) {
  Num acc = Num::zero(false);
  const size_t full = size_t(1) << c.k, half = full / 2;
  for (size_t g0 = 0; g0 < a.size(); g0 += c.group) {
    const Num s = Num::of_double(w.scales[g0 / c.group]);
    const int64_t z = w.zeros.empty() ? 0 : w.zeros[g0 / c.group];
    Num gs;
    if (!c.fp16_act) {
      Int d = 0;
      for (size_t i = g0; i < g0 + c.group; ++i) d += Int(ival(*a.format, a.codes[i])) * (Int(int64_t(w.codes[i])) - z);
      gs = d == 0 ? Num::zero(false) : Num::fin(false, d, 0);
    } else {
      std::vector<Num> plane(size_t(c.wbits), Num::zero(false));
      Num asum = Num::zero(false);
      std::vector<Num> T(c.symmetrize ? half : full);
      for (size_t j = g0; j < g0 + c.group; j += c.k) {
        for (size_t idx = 0; idx < T.size(); ++idx) {
          Num t = Num::zero(false);
          for (size_t i = 0; i < c.k; ++i) {
            const Num x = val(*a.format, a.codes[j + i]);
            t = round(add(t, ((idx >> i) & 1) ? x : neg(x)), c.table);
          }
          T[idx] = t;
        }
        for (size_t i = 0; i < c.k; ++i) asum = round(add(asum, val(*a.format, a.codes[j + i])), c.acc);
        for (int b = 0; b < c.wbits; ++b) {
          size_t idx = 0;
          for (size_t i = 0; i < c.k; ++i) idx |= size_t((w.codes[j + i] >> b) & 1) << i;
          const Num e = (!c.symmetrize || idx < half) ? T[idx] : neg(T[(full - 1) ^ idx]);
          plane[size_t(b)] = round(add(plane[size_t(b)], e), c.acc);
        }
      }
      Num total = Num::zero(false);
      for (int b = 0; b < c.wbits; ++b) total = round(add(total, ldexp(plane[size_t(b)], b)), c.acc);
      const int64_t cz = ((int64_t(1) << c.wbits) - 1) - 2 * z;
      total = round(add(total, mul(asum, Num::of_int(cz))), c.acc);
      gs = ldexp(total, -1);
    }
    acc = round(add(acc, round(mul(gs, s), c.acc)), c.acc);
  }
  return round(mul(acc, Num::of_double(a.scales[0])), kFp32).to_double();
}

}  // namespace arithsim::peref

// ---------------------------------------------------------------------------------------
// Test helpers shared by the PE tests.

namespace arithsim::peref {

// make_pe(name, params) must throw PeError whose message contains `needle` and, for a known
// PE, starts with "name: ".
inline ::testing::AssertionResult throws_pe_error(const std::string& name, const pe::Params& params,
                                                  const std::string& needle, bool prefixed = true) {
  try {
    auto p = pe::make_pe(name, params);
    return ::testing::AssertionFailure() << name << ": no exception (config " << p->config() << ")";
  } catch (const pe::PeError& e) {
    const std::string m = e.what();
    if (m.find(needle) == std::string::npos)
      return ::testing::AssertionFailure() << "message '" << m << "' lacks '" << needle << "'";
    if (prefixed && m.rfind(name + ": ", 0) != 0)
      return ::testing::AssertionFailure() << "message '" << m << "' does not start with '" << name << ": '";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "not a PeError: " << e.what();
  }
}

}  // namespace arithsim::peref
