// Independent exact reference of the AMD CDNA1-3 matrix-core instructions (MFMA) with fp32
// output, one instruction and one output element: d = sum_j a_j * b_j + c over the
// instruction's k products. For tests/tensor_core/amd_mfma_random_test.cpp.
//
// Written from the rule text only (docs/research/amd-matrix-cores.md, after Khattak, Mikaitis,
// Graziani, "Accurate Models of AMD Matrix Cores", and the decisions the test brief fixes where
// the sources leave something open), not from models/units: formats are decoded here from their
// bit fields, every value is an exact dyadic rational n * 2^x (tcref::Exact, a cpp_int n), and
// each rounding is done once from the exact value it rounds.
//
// Modes (every NaN result is kNanCode):
//  exact     (CDNA1 fp16 k=4, bf16 k=2; fp32 k=1 on every CDNA): specials (a NaN operand,
//            inf * 0, +inf and -inf both among the products and c -> NaN; else an inf -> it);
//            otherwise the exact sum of the products and c, one RNE to fp32 with subnormals.
//            An exact zero sum is -0 when every term is a zero and every one is negative,
//            else +0 (IEEE RNE).
//  pairwise  (CDNA2 fp16 k=4, bf16 k=2, bf16 _1k k=4): subnormal inputs and c are +0; every
//            operation is IEEE binary32 RNE (fl) followed by flushing a subnormal result to a
//            zero of its sign; p_j = fl(a_j b_j); t = fl(fl(p1+p2) + fl(p3+p4)) (k=4) or
//            fl(p1+p2) (k=2); d = fl(c + t).
//  late_rd   (CDNA3 fp16, bf16 k=8; xf32 k=4): "Algorithm 1": products truncated toward zero
//            to 24 fractional bits of e_max (denormalised product exponents e_a + e_b), c added
//            late with round-down (floor) steps; a product with |p| >= 2^128 is an infinity.
//  odd_even  (CDNA3 fp8 e4m3fnuz/e5m2fnuz, any mix, k=16): "Algorithm 2": the even and the odd
//            k indices are aligned and truncated separately, the group of smaller exponent is
//            floored onto the other's grid, then c as in late_rd with a 25-binade cutoff.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "block_fma_reference.hpp"

namespace arithsim::tcref_amd {

using tcref::cpp_int;
using tcref::Exact;
using tcref::Kind;
using tcref::Operand;

inline constexpr uint32_t kNanCode = 0xffc00000u;
inline constexpr uint32_t kPosInf = 0x7f800000u, kNegInf = 0xff800000u, kNegZero = 0x80000000u;

// ------------------------------------------------------------------ formats
// 1 sign bit, E exponent bits, M fraction bits, the given bias.
// fnuz: no infinities, no -0; the code sign-bit-only (0x80) is the one NaN; the all-ones
// exponent field is an ordinary binade. Otherwise IEEE (all-ones field: inf / NaN).
struct Fmt {
  int E = 8, M = 23, bias = 127;
  bool fnuz = false;
  const char* name = "";
  int bits() const { return 1 + E + M; }
  int emin() const { return 1 - bias; }
  int emax() const { return (fnuz ? (1 << E) - 1 : (1 << E) - 2) - bias; }
  uint32_t sign_bit() const { return uint32_t(1) << (E + M); }
  uint32_t mask() const { return bits() >= 32 ? 0xffffffffu : (uint32_t(1) << bits()) - 1u; }
};

inline const Fmt kFp16{5, 10, 15, false, "fp16"};
inline const Fmt kBf16{8, 7, 127, false, "bf16"};
inline const Fmt kFp32{8, 23, 127, false, "fp32"};
inline const Fmt kXf32{8, 10, 127, false, "xf32"};  // "e8m10" IEEE, 19-bit codes
inline const Fmt kE4m3fnuz{4, 3, 8, true, "e4m3fnuz"};
inline const Fmt kE5m2fnuz{5, 2, 16, true, "e5m2fnuz"};

inline std::optional<Fmt> fmt_by_name(const std::string& n) {
  for (const Fmt* f : {&kFp16, &kBf16, &kFp32, &kXf32, &kE4m3fnuz, &kE5m2fnuz})
    if (n == f->name) return *f;
  return std::nullopt;
}

// value = (-1)^neg * sig * 2^(sexp - M); sexp = field - bias (normal) or emin (subnormal).
inline Operand decode(const Fmt& f, uint32_t code) {
  if ((code & ~f.mask()) != 0) throw std::invalid_argument("tcref_amd: code wider than its format");
  Operand o;
  o.M = f.M;
  o.neg = (code >> (f.E + f.M)) & 1u;
  const uint32_t ef = (code >> f.M) & ((1u << f.E) - 1u);
  const uint32_t fr = code & ((1u << f.M) - 1u);
  if (f.fnuz) {
    if (code == f.sign_bit()) {
      o.kind = Kind::NaN;
      return o;
    }
  } else if (ef == (1u << f.E) - 1u) {
    o.kind = fr == 0 ? Kind::Inf : Kind::NaN;
    return o;
  }
  if (ef == 0 && fr == 0) {
    o.kind = Kind::Zero;
    return o;
  }
  o.kind = Kind::Finite;
  o.sig = ef == 0 ? fr : ((uint64_t(1) << f.M) | fr);
  o.sexp = ef == 0 ? f.emin() : int(ef) - f.bias;
  return o;
}

inline bool is_subnormal(const Operand& o) { return o.kind == Kind::Finite && o.sig < (uint64_t(1) << o.M); }

// The code of an exact value that f holds exactly (throws otherwise); zero: +0, or -0 when
// neg_zero (IEEE formats only).
inline uint32_t encode_exact(const Fmt& f, const Exact& v, bool neg_zero = false) {
  if (v.n == 0) return (neg_zero && !f.fnuz) ? f.sign_bit() : 0u;
  const bool neg = v.n < 0;
  const cpp_int mag = abs(v.n);
  const int p = tcref::ilog2(v);
  if (p > f.emax()) throw std::invalid_argument("tcref_amd: value beyond the format's range");
  const int se = std::max(p, f.emin());
  const int q = se - f.M;  // the quantum
  if (v.x < q && (mag & ((cpp_int(1) << (q - v.x)) - 1)) != 0)
    throw std::invalid_argument("tcref_amd: value not exact in the format");
  const cpp_int n = v.x >= q ? cpp_int(mag << (v.x - q)) : cpp_int(mag >> (q - v.x));
  const uint32_t sig = uint32_t(n);
  const uint32_t s = neg ? f.sign_bit() : 0u;
  if (p < f.emin()) return s | sig;  // subnormal
  return s | (uint32_t(se + f.bias) << f.M) | (sig - (uint32_t(1) << f.M));
}

// ------------------------------------------------------------------ exact helpers
// floor(v / 2^g) and trunc(v / 2^g) (toward zero) as integers.
inline cpp_int floor_pow2(const Exact& v, int g) {
  if (v.n == 0) return 0;
  if (v.x >= g) return v.n << (v.x - g);
  const unsigned sh = unsigned(g - v.x);
  if (v.n > 0) return v.n >> sh;
  const cpp_int m = -v.n;
  cpp_int q = m >> sh;
  if ((q << sh) != m) q += 1;
  return -q;
}
inline cpp_int trunc_pow2(const Exact& v, int g) {
  if (v.n == 0) return 0;
  if (v.x >= g) return v.n << (v.x - g);
  const unsigned sh = unsigned(g - v.x);
  if (v.n > 0) return v.n >> sh;
  const cpp_int m = -v.n;
  return -cpp_int(m >> sh);
}

// RNE to fp32 with subnormals, overflow to +-inf; a nonzero value that rounds to zero keeps
// its sign; an exact zero is +0.
inline uint32_t rne_fp32(const Exact& v) {
  if (v.n == 0) return 0u;
  return tcref::round_to(tcref::kFp32, v, tcref::Round::RNE);
}

// ------------------------------------------------------------------ modes and instructions
enum class Mode { Exact, Pairwise, LateRd, OddEven };

inline const char* mode_name(Mode m) {
  switch (m) {
    case Mode::Exact:
      return "exact";
    case Mode::Pairwise:
      return "pairwise";
    case Mode::LateRd:
      return "late_rd";
    case Mode::OddEven:
      return "odd_even";
  }
  return "?";
}

struct Instr {
  Fmt a = kFp16, b = kFp16;
  int k = 4;
  Mode mode = Mode::Exact;
  std::optional<int> cutoff;  // late c: c' = 0 when e_max - e_c > cutoff (odd_even: 25)
};

// The table of the GPUs and their instructions (out is fp32 everywhere).
struct TableRow {
  std::vector<std::string> gpus;
  std::string instr;
  std::vector<std::string> inputs;  // a and b: any two of these
  int k;
  Mode mode;
};

inline const std::vector<TableRow>& table() {
  static const std::vector<TableRow> t = {
      {{"mi100"}, "mfma", {"fp16"}, 4, Mode::Exact},
      {{"mi100"}, "mfma", {"bf16"}, 2, Mode::Exact},
      {{"mi100"}, "mfma", {"fp32"}, 1, Mode::Exact},
      {{"mi210", "mi250", "mi250x"}, "mfma", {"fp16"}, 4, Mode::Pairwise},
      {{"mi210", "mi250", "mi250x"}, "mfma", {"bf16"}, 2, Mode::Pairwise},
      {{"mi210", "mi250", "mi250x"}, "mfma_1k", {"bf16"}, 4, Mode::Pairwise},
      {{"mi210", "mi250", "mi250x"}, "mfma", {"fp32"}, 1, Mode::Exact},
      {{"mi300a", "mi300x"}, "mfma", {"fp16"}, 8, Mode::LateRd},
      {{"mi300a", "mi300x"}, "mfma", {"bf16"}, 8, Mode::LateRd},
      {{"mi300a", "mi300x"}, "mfma", {"xf32"}, 4, Mode::LateRd},
      {{"mi300a", "mi300x"}, "mfma", {"e4m3fnuz", "e5m2fnuz"}, 16, Mode::OddEven},
      {{"mi300a", "mi300x"}, "mfma", {"fp32"}, 1, Mode::Exact},
  };
  return t;
}

inline Instr make_instr(const Fmt& a, const Fmt& b, int k, Mode mode) {
  Instr s{a, b, k, mode, std::nullopt};
  if (mode == Mode::OddEven) s.cutoff = 25;
  return s;
}

// gpu / instr with inputs a, b and output out, or nullopt when the table has no such row.
inline std::optional<Instr> instr_for(const std::string& gpu, const std::string& instr, const std::string& a,
                                      const std::string& b, const std::string& out = "fp32") {
  if (out != "fp32") return std::nullopt;
  for (const auto& r : table()) {
    if (r.instr != instr || std::find(r.gpus.begin(), r.gpus.end(), gpu) == r.gpus.end()) continue;
    if (std::find(r.inputs.begin(), r.inputs.end(), a) == r.inputs.end()) continue;
    if (std::find(r.inputs.begin(), r.inputs.end(), b) == r.inputs.end()) continue;
    return make_instr(*fmt_by_name(a), *fmt_by_name(b), r.k, r.mode);
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ specials (exact, late_rd, odd_even)
// nullopt: no special; otherwise the result code. overflow_products: a finite product with
// |p| >= 2^128 counts as an infinity of its sign (late_rd).
inline std::optional<uint32_t> specials(const std::vector<Operand>& A, const std::vector<Operand>& B,
                                        const Operand& C, bool overflow_products) {
  bool nan = C.kind == Kind::NaN, pinf = false, ninf = false;
  if (C.kind == Kind::Inf) (C.neg ? ninf : pinf) = true;
  for (size_t j = 0; j < A.size(); ++j) {
    const Operand &x = A[j], &y = B[j];
    const bool neg = x.neg != y.neg;
    if (x.kind == Kind::NaN || y.kind == Kind::NaN) {
      nan = true;
    } else if (x.kind == Kind::Inf || y.kind == Kind::Inf) {
      if (x.kind == Kind::Zero || y.kind == Kind::Zero)
        nan = true;
      else
        (neg ? ninf : pinf) = true;
    } else if (overflow_products && x.kind == Kind::Finite && y.kind == Kind::Finite) {
      // |p| >= 2^128  <=>  floor(log2 |p|) >= 128
      const Exact p = tcref::mul(x.value(), y.value());
      if (tcref::ilog2(p) >= 128) (neg ? ninf : pinf) = true;
    }
  }
  if (nan || (pinf && ninf)) return kNanCode;
  if (pinf) return kPosInf;
  if (ninf) return kNegInf;
  return std::nullopt;
}

// ------------------------------------------------------------------ exact
inline uint32_t apply_exact(const std::vector<Operand>& A, const std::vector<Operand>& B, const Operand& C) {
  if (auto sp = specials(A, B, C, false)) return *sp;
  Exact sum;
  bool all_zero = true, all_neg = true;
  for (size_t j = 0; j < A.size(); ++j) {
    if (A[j].kind == Kind::Finite && B[j].kind == Kind::Finite) {
      sum = tcref::add(sum, tcref::mul(A[j].value(), B[j].value()));
      all_zero = false;
    } else {
      all_neg = all_neg && (A[j].neg != B[j].neg);  // a zero product: sign(a) xor sign(b)
    }
  }
  if (C.kind == Kind::Finite) {
    sum = tcref::add(sum, C.value());
    all_zero = false;
  } else {
    all_neg = all_neg && C.neg;
  }
  if (sum.n == 0) return (all_zero && all_neg) ? kNegZero : 0u;
  return rne_fp32(sum);
}

// ------------------------------------------------------------------ pairwise (CDNA2)
// An fp32 value in the pairwise datapath (finite values are normal fp32 numbers).
struct V {
  Kind kind = Kind::Zero;
  bool neg = false;
  Exact v;  // Finite only
};

// fl: RNE to binary32 of the exact nonzero x, then a subnormal result -> zero of its sign.
inline V fl(const Exact& x) {
  const uint32_t code = rne_fp32(x);
  const Operand o = decode(kFp32, code);
  if (o.kind == Kind::Inf) return V{Kind::Inf, o.neg, {}};
  if (o.kind == Kind::Zero || is_subnormal(o)) return V{Kind::Zero, x.n < 0, {}};
  return V{Kind::Finite, o.neg, o.value()};
}

// An input operand with FTZ (a subnormal is +0).
inline V ftz_input(const Operand& o) {
  if (o.kind == Kind::Finite && is_subnormal(o)) return V{};
  return V{o.kind, o.neg, o.value()};
}

inline V v_mul(const V& x, const V& y) {
  const bool neg = x.neg != y.neg;
  if (x.kind == Kind::NaN || y.kind == Kind::NaN) return V{Kind::NaN, false, {}};
  if (x.kind == Kind::Inf || y.kind == Kind::Inf) {
    if (x.kind == Kind::Zero || y.kind == Kind::Zero) return V{Kind::NaN, false, {}};
    return V{Kind::Inf, neg, {}};
  }
  if (x.kind == Kind::Zero || y.kind == Kind::Zero) return V{Kind::Zero, neg, {}};
  return fl(tcref::mul(x.v, y.v));
}

inline V v_add(const V& x, const V& y) {
  if (x.kind == Kind::NaN || y.kind == Kind::NaN) return V{Kind::NaN, false, {}};
  if (x.kind == Kind::Inf && y.kind == Kind::Inf) return x.neg == y.neg ? x : V{Kind::NaN, false, {}};
  if (x.kind == Kind::Inf) return x;
  if (y.kind == Kind::Inf) return y;
  if (x.kind == Kind::Zero && y.kind == Kind::Zero) return V{Kind::Zero, x.neg && y.neg, {}};
  if (x.kind == Kind::Zero) return y;  // y is already a normal fp32 value
  if (y.kind == Kind::Zero) return x;
  const Exact s = tcref::add(x.v, y.v);
  if (s.n == 0) return V{};  // x + (-x) = +0
  return fl(s);
}

inline uint32_t v_code(const V& x) {
  switch (x.kind) {
    case Kind::NaN:
      return kNanCode;
    case Kind::Inf:
      return x.neg ? kNegInf : kPosInf;
    case Kind::Zero:
      return x.neg ? kNegZero : 0u;
    case Kind::Finite:
      break;
  }
  return rne_fp32(x.v);  // exact: x is an fp32 value
}

inline uint32_t apply_pairwise(const std::vector<Operand>& A, const std::vector<Operand>& B, const Operand& C) {
  const size_t k = A.size();
  if (k != 2 && k != 4) throw std::invalid_argument("tcref_amd: pairwise needs k = 2 or 4");
  std::vector<V> p(k);
  for (size_t j = 0; j < k; ++j) p[j] = v_mul(ftz_input(A[j]), ftz_input(B[j]));
  V t = v_add(p[0], p[1]);
  if (k == 4) t = v_add(t, v_add(p[2], p[3]));
  return v_code(v_add(ftz_input(C), t));
}

// ------------------------------------------------------------------ late c (CDNA3)
// Merges c into the products' sum S * 2^g (e_max = g + 24), returns d.
inline uint32_t late_c(const cpp_int& S, int e_max, const Operand& C, std::optional<int> cutoff) {
  const int g = e_max - 24;
  // e_c: the stored exponent of c as fp32 (-126 for a zero or subnormal c)
  const int e_c = C.kind == Kind::Finite ? C.sexp : kFp32.emin();
  const Exact c = C.value();  // zero for a zero c
  Exact s_acc;
  if (e_max >= e_c) {
    cpp_int cq = floor_pow2(c, g);
    if (cutoff && e_max - e_c > *cutoff) cq = 0;
    s_acc = Exact{S + cq, g};
  } else {
    const int g2 = e_c - 32;
    const cpp_int s2 = floor_pow2(Exact{S, g}, g2);
    const Exact T = tcref::add(Exact{s2, g2}, c);
    if (T.n == 0) return 0u;
    const int e1 = std::max(tcref::ilog2(T), kFp32.emin());
    const int g3 = e1 - 31;
    s_acc = Exact{floor_pow2(T, g3), g3};
  }
  return rne_fp32(s_acc);  // exact zero -> +0
}

struct Product {
  Exact v;  // nonzero
  int e;    // e_a + e_b (stored exponents)
};

inline uint32_t apply_late_rd(const Instr& s, const std::vector<Operand>& A, const std::vector<Operand>& B,
                              const Operand& C, uint32_t c_code) {
  if (auto sp = specials(A, B, C, true)) return *sp;
  std::vector<Product> ps;
  for (size_t j = 0; j < A.size(); ++j)
    if (A[j].kind == Kind::Finite && B[j].kind == Kind::Finite)
      ps.push_back(Product{tcref::mul(A[j].value(), B[j].value()), A[j].sexp + B[j].sexp});
  if (ps.empty()) return c_code;
  int e_max = ps[0].e;
  for (const auto& p : ps) e_max = std::max(e_max, p.e);
  const int g = e_max - 24;
  cpp_int S = 0;
  for (const auto& p : ps) S += trunc_pow2(p.v, g);
  return late_c(S, e_max, C, s.cutoff);
}

inline uint32_t apply_odd_even(const Instr& s, const std::vector<Operand>& A, const std::vector<Operand>& B,
                               const Operand& C, uint32_t c_code) {
  if (auto sp = specials(A, B, C, false)) return *sp;  // fnuz products cannot overflow
  std::vector<Product> grp[2];
  for (size_t j = 0; j < A.size(); ++j)
    if (A[j].kind == Kind::Finite && B[j].kind == Kind::Finite)
      grp[j % 2].push_back(Product{tcref::mul(A[j].value(), B[j].value()), A[j].sexp + B[j].sexp});
  if (grp[0].empty() && grp[1].empty()) return c_code;
  std::optional<int> e_grp[2];
  cpp_int S_grp[2];
  for (int i = 0; i < 2; ++i) {
    if (grp[i].empty()) continue;
    int e = grp[i][0].e;
    for (const auto& p : grp[i]) e = std::max(e, p.e);
    e_grp[i] = e;
    for (const auto& p : grp[i]) S_grp[i] += trunc_pow2(p.v, e - 24);
  }
  int e_max = e_grp[0] ? *e_grp[0] : *e_grp[1];
  for (int i = 0; i < 2; ++i)
    if (e_grp[i]) e_max = std::max(e_max, *e_grp[i]);
  cpp_int S = 0;
  for (int i = 0; i < 2; ++i)
    if (e_grp[i]) S += floor_pow2(Exact{S_grp[i], *e_grp[i] - 24}, e_max - 24);
  return late_c(S, e_max, C, s.cutoff);
}

// ------------------------------------------------------------------ one instruction
// d = a . b + c; a, b: exactly k codes of s.a / s.b; c, d: fp32 bit patterns.
inline uint32_t apply(const Instr& s, std::span<const uint32_t> a, std::span<const uint32_t> b, uint32_t c) {
  if (int(a.size()) != s.k || int(b.size()) != s.k) throw std::invalid_argument("tcref_amd: need k codes");
  std::vector<Operand> A(s.k), B(s.k);
  for (int j = 0; j < s.k; ++j) {
    A[j] = decode(s.a, a[j]);
    B[j] = decode(s.b, b[j]);
  }
  const Operand C = decode(kFp32, c);
  switch (s.mode) {
    case Mode::Exact:
      return apply_exact(A, B, C);
    case Mode::Pairwise:
      return apply_pairwise(A, B, C);
    case Mode::LateRd:
      return apply_late_rd(s, A, B, C, c);
    case Mode::OddEven:
      return apply_odd_even(s, A, B, C, c);
  }
  throw std::logic_error("tcref_amd: mode");
}

// A K-long dot product as ceil(K / k) instructions in ascending k order, each one's d the
// next one's c (the last block padded with +0 codes).
inline uint32_t chain(const Instr& s, const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, uint32_t c) {
  if (a.size() != b.size()) throw std::invalid_argument("tcref_amd: a and b differ in length");
  uint32_t acc = c;
  for (size_t i = 0; i < a.size(); i += size_t(s.k)) {
    std::vector<uint32_t> ca(size_t(s.k), 0u), cb(size_t(s.k), 0u);
    for (size_t j = 0; j < size_t(s.k) && i + j < a.size(); ++j) ca[j] = a[i + j], cb[j] = b[i + j];
    acc = apply(s, ca, cb, acc);
  }
  return acc;
}

}  // namespace arithsim::tcref_amd
