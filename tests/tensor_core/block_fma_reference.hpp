// Independent exact reference of the GPU tensor-core block FMA (one matrix instruction, one
// output element) and of the GEMM level above it (chaining along K, FP32 promotion,
// split-K, the alpha/beta epilogue), for tests/tensor_core/block_fma_test.cpp.
//
// Written from the rule text only (not from models/units/*.cpp): formats are decoded here
// from their bit fields, every value is an exact dyadic rational n * 2^x held in a
// boost::multiprecision::cpp_int (the values of these formats and all their sums are
// dyadic, so this is exact rational arithmetic without the gcd cost of cpp_rational), and
// each rounding is done once from the exact value.
//
// The rule (d = sum_j a_j * b_j + c):
//  1. Specials over all k products and c: a NaN operand, inf * 0, or both +inf and -inf
//     among the products and c -> nan_code; otherwise an inf -> that signed inf of `out`.
//  2. Product j goes to block ((j / run) mod nblocks), run = interleave or block; blocks are
//     processed in order; block 0's addend is c (placement first) or nothing, block i > 0's
//     addend is the rounded result of block i - 1.
//  3. One block: terms = the nonzero products and the nonzero addend; alignment exponent of
//     a product = s_a + s_b (stored exponents), of the addend its stored exponent in its own
//     format; e = max(...), e = max(e, exp_floor); q = 2^(e - F); each term is cut to a
//     multiple of q (toward zero, or floor); the exact sum S is rounded once to
//     block_result (rtz | rne, subnormals, overflow to inf); S = 0 -> +0.
//  4. d = the last block's result; late c: d = RNE_out(last + c).
// Beyond that rule text: operand_format (a preset field: FP8 on the FP16 datapath). The
// multipliers take each input in that format, so a product's alignment exponent is the sum
// of the operands' stored exponents *in operand_format* (an e4m3 subnormal is an fp16
// normal: its stored exponent is floor(log2 |x|) there, not 1 - 7).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

namespace arithsim::tcref {

using boost::multiprecision::cpp_int;

// ------------------------------------------------------------------ formats
// An IEEE-style minifloat: 1 sign bit, E exponent bits, M fraction bits, bias 2^(E-1) - 1.
// fn: the OCP "fn" convention (no infinities; the only NaN is S.1..1.1..1).
struct Fmt {
  int E = 8, M = 23;
  bool fn = false;
  const char* name = "";
  int bias() const { return (1 << (E - 1)) - 1; }
  int bits() const { return 1 + E + M; }
  int emin() const { return 1 - bias(); }
  int emax() const { return fn ? (1 << E) - 1 - bias() : (1 << E) - 2 - bias(); }
  uint32_t sign_bit() const { return uint32_t(1) << (E + M); }
  uint32_t inf_code(bool neg) const {
    if (fn) throw std::logic_error("tcref: format without infinity");
    return (neg ? sign_bit() : 0u) | (uint32_t((1 << E) - 1) << M);
  }
};

inline const Fmt kFp16{5, 10, false, "fp16"};
inline const Fmt kBf16{8, 7, false, "bf16"};
inline const Fmt kTf32{8, 10, false, "tf32"};
inline const Fmt kFp32{8, 23, false, "fp32"};
inline const Fmt kE8m13{8, 13, false, "e8m13"};
inline const Fmt kE5m2{5, 2, false, "e5m2"};
inline const Fmt kE4m3{4, 3, true, "e4m3"};

// The reference's own name table (preset type names and the format names they stand for).
inline std::optional<Fmt> fmt_by_name(const std::string& n) {
  if (n == "fp16" || n == "float16") return kFp16;
  if (n == "bf16" || n == "bfloat16") return kBf16;
  if (n == "tf32" || n == "e8m10:ieee" || n == "e8m10") return kTf32;
  if (n == "fp32" || n == "float32") return kFp32;
  if (n == "e8m13" || n == "e8m13:ieee") return kE8m13;
  if (n == "e5m2" || n == "float8_e5m2") return kE5m2;
  if (n == "e4m3" || n == "float8_e4m3fn" || n == "e4m3fn") return kE4m3;
  return std::nullopt;
}

// ------------------------------------------------------------------ exact values
// value = n * 2^x (n signed; n == 0 is zero, its sign kept elsewhere).
struct Exact {
  cpp_int n = 0;
  int x = 0;
};

inline bool is_zero(const Exact& v) { return v.n == 0; }

inline Exact add(const Exact& a, const Exact& b) {
  if (a.n == 0) return b;
  if (b.n == 0) return a;
  const int x = std::min(a.x, b.x);
  Exact r;
  r.n = (a.n << (a.x - x)) + (b.n << (b.x - x));
  r.x = x;
  return r;
}

inline Exact mul(const Exact& a, const Exact& b) { return Exact{a.n * b.n, a.x + b.x}; }

// floor(log2 |v|), v != 0.
inline int ilog2(const Exact& v) {
  const cpp_int m = abs(v.n);
  return int(boost::multiprecision::msb(m)) + v.x;
}

// Exact value of a double / float (finite).
inline Exact exact_of(double d) {
  if (d == 0) return {};
  int ex = 0;
  const double f = std::frexp(d, &ex);  // d = f * 2^ex, 0.5 <= |f| < 1
  const int64_t n = int64_t(std::ldexp(f, 53));
  return Exact{cpp_int(n), ex - 53};
}

// ------------------------------------------------------------------ decode
enum class Kind { Zero, Finite, Inf, NaN };

// A decoded code: value = (-1)^neg * sig * 2^(sexp - M); sexp is the stored exponent
// (normal: field - bias; subnormal: 1 - bias).
struct Operand {
  Kind kind = Kind::Zero;
  bool neg = false;
  uint64_t sig = 0;
  int sexp = 0;
  int M = 0;
  Exact value() const {
    if (kind != Kind::Finite) return {};
    cpp_int n = sig;
    if (neg) n = -n;
    return Exact{n, sexp - M};
  }
};

inline Operand decode(const Fmt& f, uint32_t code) {
  if (f.bits() < 32 && (code >> f.bits()) != 0) throw std::invalid_argument("tcref: code wider than its format");
  Operand o;
  o.M = f.M;
  o.neg = (code >> (f.E + f.M)) & 1u;
  const uint32_t ef = (code >> f.M) & ((1u << f.E) - 1u);
  const uint32_t fr = code & ((1u << f.M) - 1u);
  const uint32_t ones_e = (1u << f.E) - 1u, ones_f = (1u << f.M) - 1u;
  if (f.fn) {
    if (ef == ones_e && fr == ones_f) {
      o.kind = Kind::NaN;
      return o;
    }
  } else if (ef == ones_e) {
    o.kind = fr == 0 ? Kind::Inf : Kind::NaN;
    return o;
  }
  if (ef == 0) {
    if (fr == 0) {
      o.kind = Kind::Zero;
      return o;
    }
    o.kind = Kind::Finite;
    o.sig = fr;
    o.sexp = 1 - f.bias();
    return o;
  }
  o.kind = Kind::Finite;
  o.sig = (uint64_t(1) << f.M) | fr;
  o.sexp = int(ef) - f.bias();
  return o;
}

// ------------------------------------------------------------------ round / encode
enum class Round { RTZ, RNE };

// Rounds the exact nonzero value v once to IEEE format f (subnormals with the fixed quantum
// 2^(emin - M); a result beyond the largest finite value is infinity, also under RTZ, where
// only |v| >= 2^(emax + 1) gets there). A nonzero value that rounds to zero keeps its sign.
// saturate_rtz: NOT the rule; a diagnostic variant in which an RTZ overflow gives the largest
// finite value (IEEE 754's RTZ overflow) instead of infinity.
inline uint32_t round_to(const Fmt& f, const Exact& v, Round mode, bool saturate_rtz = false) {
  if (f.fn) throw std::logic_error("tcref: rounding to an fn format is not needed here");
  if (v.n == 0) return 0u;
  const bool neg = v.n < 0;
  const cpp_int mag = abs(v.n);
  const int p = int(boost::multiprecision::msb(mag)) + v.x;  // floor(log2 |v|)
  const int ex = std::max(p, f.emin());
  int qe = ex - f.M;  // the quantum of the binade (or of the subnormals)
  cpp_int n;
  if (v.x >= qe) {
    n = mag << (v.x - qe);
  } else {
    const unsigned sh = unsigned(qe - v.x);
    n = mag >> sh;
    if (mode == Round::RNE) {
      const cpp_int rem = mag - (n << sh);
      const cpp_int half = cpp_int(1) << (sh - 1);
      if (rem > half || (rem == half && (n & 1) != 0)) n += 1;
    }
  }
  const cpp_int one_m = cpp_int(1) << f.M;
  if (n == (one_m << 1)) {  // carried into the next binade
    n >>= 1;
    qe += 1;
  }
  const uint32_t s = neg ? f.sign_bit() : 0u;
  if (n == 0) return s;
  if (n >= one_m) {
    const int e = qe + f.M;
    if (e > f.emax()) return (saturate_rtz && mode == Round::RTZ) ? f.inf_code(neg) - 1u : f.inf_code(neg);
    const uint32_t fr = uint32_t(n - one_m);
    return s | (uint32_t(e + f.bias()) << f.M) | fr;
  }
  // subnormal: qe == emin - M
  return s | uint32_t(n);
}

// An exact value with its zero sign, and a code of `f` for it (RNE; used where the value is
// already representable or where one RNE rounding is the rule).
struct Signed {
  Exact v;
  bool neg_zero = false;  // meaningful when v is zero
};

inline uint32_t encode_rne(const Fmt& f, const Signed& s) {
  if (s.v.n == 0) return s.neg_zero ? f.sign_bit() : 0u;
  return round_to(f, s.v, Round::RNE);
}

// ------------------------------------------------------------------ one instruction
struct Spec {
  Fmt a = kFp16, b = kFp16, out = kFp32, block_result = kFp32;
  int k = 16, block = 16, interleave = 0;
  int F = 24;
  std::optional<int> exp_floor;
  bool cut_floor = false;   // false: toward zero (sign-magnitude); true: floor
  Round block_rounding = Round::RTZ;
  bool c_late = false;
  uint32_t nan_code = 0x7fffffff;
  bool saturate_rtz = false;  // NOT the rule: the diagnostic variant of round_to
  std::optional<Fmt> operand_format;  // the format the multipliers take a and b in
};

// The stored exponent of a finite nonzero value in format f (which must hold it exactly).
inline int stored_exp_in(const Fmt& f, const Exact& v) {
  const int p = ilog2(v);
  const int se = std::max(p, f.emin());
  if (p > f.emax() || v.x < se - f.M) throw std::invalid_argument("tcref: value not in the operand format");
  return se;
}

struct Term {
  Exact v;    // nonzero
  int align;  // alignment exponent
};

// One block FMA: the code of the block's result in s.block_result.
inline uint32_t block_fma(const Spec& s, const std::vector<Term>& terms) {
  if (terms.empty()) return 0u;  // +0
  int e = terms[0].align;
  for (const auto& t : terms) e = std::max(e, t.align);
  if (s.exp_floor) e = std::max(e, *s.exp_floor);
  const int qx = e - s.F;  // q = 2^qx
  cpp_int sum = 0;         // S = sum * q
  for (const auto& t : terms) {
    if (t.v.x >= qx) {
      sum += t.v.n << (t.v.x - qx);
      continue;
    }
    const unsigned sh = unsigned(qx - t.v.x);
    const bool neg = t.v.n < 0;
    const cpp_int mag = abs(t.v.n);
    cpp_int m = mag >> sh;  // floor(|t| / q)
    if (!neg) {
      sum += m;
    } else if (!s.cut_floor) {
      sum -= m;  // toward zero
    } else {
      if ((m << sh) != mag) m += 1;  // floor(t / q) = -ceil(|t| / q)
      sum -= m;
    }
  }
  if (sum == 0) return 0u;  // +0
  return round_to(s.block_result, Exact{sum, qx}, s.block_rounding, s.saturate_rtz);
}

// d = a . b + c as a code of s.out. a, b: up to k codes (the rest are +0); c: a code of out.
inline uint32_t apply(const Spec& s, const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, uint32_t c) {
  if (s.k <= 0 || s.block <= 0 || s.k % s.block != 0) throw std::invalid_argument("tcref: bad k/block");
  if (int(a.size()) > s.k || int(b.size()) > s.k) throw std::invalid_argument("tcref: too many codes");
  std::vector<Operand> A(s.k), B(s.k);
  for (int j = 0; j < s.k; ++j) {
    A[j] = decode(s.a, j < int(a.size()) ? a[j] : 0u);
    B[j] = decode(s.b, j < int(b.size()) ? b[j] : 0u);
  }
  const Operand C = decode(s.out, c);

  // 1. specials
  bool nan = C.kind == Kind::NaN, pinf = false, ninf = false;
  if (C.kind == Kind::Inf) (C.neg ? ninf : pinf) = true;
  for (int j = 0; j < s.k; ++j) {
    if (A[j].kind == Kind::NaN || B[j].kind == Kind::NaN) {
      nan = true;
    } else if (A[j].kind == Kind::Inf || B[j].kind == Kind::Inf) {
      if (A[j].kind == Kind::Zero || B[j].kind == Kind::Zero)
        nan = true;
      else
        ((A[j].neg != B[j].neg) ? ninf : pinf) = true;
    }
  }
  if (nan || (pinf && ninf)) return s.nan_code;
  if (pinf) return s.out.inf_code(false);
  if (ninf) return s.out.inf_code(true);

  // 2. blocks
  const int nblocks = s.k / s.block;
  const int run = s.interleave ? s.interleave : s.block;
  std::vector<std::vector<int>> members(nblocks);
  for (int j = 0; j < s.k; ++j) members[(j / run) % nblocks].push_back(j);

  std::optional<Term> addend;
  if (!s.c_late && C.kind == Kind::Finite) addend = Term{C.value(), C.sexp};
  uint32_t res = 0;  // the last block's result, a code of block_result
  for (int bi = 0; bi < nblocks; ++bi) {
    std::vector<Term> terms;
    for (int j : members[bi]) {
      if (A[j].kind != Kind::Finite || B[j].kind != Kind::Finite) continue;  // zero product
      const Exact va = A[j].value(), vb = B[j].value();
      const int align = s.operand_format ? stored_exp_in(*s.operand_format, va) + stored_exp_in(*s.operand_format, vb)
                                         : A[j].sexp + B[j].sexp;
      terms.push_back(Term{mul(va, vb), align});
    }
    if (addend) terms.push_back(*addend);
    res = block_fma(s, terms);
    const Operand R = decode(s.block_result, res);
    if (R.kind == Kind::Inf) return s.out.inf_code(R.neg);
    addend.reset();
    if (R.kind == Kind::Finite) addend = Term{R.value(), R.sexp};
  }

  // 4. d
  const Operand R = decode(s.block_result, res);
  const Signed last{R.value(), R.kind == Kind::Zero && R.neg};
  if (!s.c_late) return encode_rne(s.out, last);  // exact: block_result lies inside out
  if (R.kind == Kind::Zero && C.kind == Kind::Zero) return (R.neg && C.neg) ? s.out.sign_bit() : 0u;
  const Exact sum = add(R.value(), C.value());
  if (sum.n == 0) return 0u;
  return round_to(s.out, sum, Round::RNE);
}

// ------------------------------------------------------------------ the GEMM level
struct Schedule {
  size_t promote = 0;
  size_t split_k = 1;
  bool c_in_accumulator = true;
  // Beyond the brief's rule text (from models/units/mma_schedule.hpp's comments): with
  // c_in_accumulator false, c_in_register makes c the start of the first part's FP32
  // promotion register (without promotion: RNE_fp32(c + the part's chain)) instead of an
  // epilogue term; and beta * c is an epilogue term only when c enters there, so with c in
  // the accumulator or the register the epilogue is y = RNE_fp32(alpha * acc).
  bool c_in_register = false;
  float alpha = 1.0f, beta = 1.0f;
  std::optional<Fmt> d;  // default: the instruction's out
};

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Exact value (with zero sign) of a finite code of f; throws on inf / NaN.
inline Signed value_of(const Fmt& f, uint32_t code) {
  const Operand o = decode(f, code);
  if (o.kind == Kind::Inf || o.kind == Kind::NaN) throw std::domain_error("tcref: special value at the GEMM level");
  return Signed{o.value(), o.kind == Kind::Zero && o.neg};
}

// RNE(x + y) in fp32 with IEEE zero signs, x, y finite fp32 values.
inline Signed fp32_add(const Signed& x, const Signed& y, bool* overflow) {
  if (x.v.n == 0 && y.v.n == 0) return Signed{{}, x.neg_zero && y.neg_zero};
  const Exact s = add(x.v, y.v);
  if (s.n == 0) return Signed{};
  const uint32_t code = round_to(kFp32, s, Round::RNE);
  const Operand o = decode(kFp32, code);
  if (o.kind == Kind::Inf) *overflow = true;
  return Signed{o.value(), o.kind == Kind::Zero && o.neg};
}

// One chain of instructions over elements [lo, hi) of a and b, starting from the code c0
// of the accumulator format; returns the accumulator code.
inline uint32_t chain(const Spec& s, const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, size_t lo, size_t hi,
                      uint32_t c0) {
  uint32_t acc = c0;
  for (size_t i = lo; i < hi; i += size_t(s.k)) {
    const size_t e = std::min(hi, i + size_t(s.k));
    const std::vector<uint32_t> ca(a.begin() + i, a.begin() + e), cb(b.begin() + i, b.begin() + e);
    acc = apply(s, ca, cb, acc);
  }
  return acc;
}

// d = a . b + c for one output element over K = a.size() elements. Finite values only
// (throws std::domain_error when an inf or NaN appears on the way).
inline uint32_t mma_dot(const Spec& s, const Schedule& sch, const std::vector<uint32_t>& a,
                        const std::vector<uint32_t>& b, uint32_t c) {
  const size_t K = a.size(), k = size_t(s.k);
  const size_t chunks = (K + k - 1) / k;
  const size_t S = std::max<size_t>(sch.split_k, 1);
  const size_t per = (chunks + S - 1) / S;  // chunks per part
  bool ovf = false;
  Signed total;
  for (size_t p = 0; p < S; ++p) {
    const size_t lo = std::min(K, p * per * k), hi = std::min(K, (p + 1) * per * k);
    const bool first = p == 0;
    const uint32_t c0 = (first && sch.c_in_accumulator) ? c : 0u;
    Signed part;
    const bool c_reg = first && !sch.c_in_accumulator && sch.c_in_register;
    if (lo == hi) {
      part = value_of(s.out, c0);  // an empty part
      if (c_reg) part = fp32_add(value_of(s.out, c), part, &ovf);
    } else if (sch.promote == 0) {
      part = value_of(s.out, chain(s, a, b, lo, hi, c0));
      if (c_reg) part = fp32_add(value_of(s.out, c), part, &ovf);
    } else {
      // every `promote` elements the chain restarts from +0; each chain's result is added
      // to the fp32 register (starting at +0) with one RNE add
      Signed reg;  // +0, or c
      if (c_reg) reg = value_of(s.out, c);
      for (size_t g = lo; g < hi; g += sch.promote) {
        const uint32_t r = chain(s, a, b, g, std::min(hi, g + sch.promote), g == lo ? c0 : 0u);
        reg = fp32_add(reg, value_of(s.out, r), &ovf);
      }
      part = reg;
    }
    total = first ? part : fp32_add(total, part, &ovf);
  }
  Signed y = total;
  if (!sch.c_in_accumulator || sch.alpha != 1.0f) {
    const Signed al = value_of(kFp32, float_bits(sch.alpha)), be = value_of(kFp32, float_bits(sch.beta));
    const bool c_in_epilogue = !sch.c_in_accumulator && !sch.c_in_register;
    // alpha * acc exact
    const Exact m = mul(al.v, total.v);
    Signed am;
    if (m.n == 0)
      am = Signed{{}, (al.v.n < 0 || (al.v.n == 0 && al.neg_zero)) != (total.v.n < 0 || (total.v.n == 0 && total.neg_zero))};
    else
      am = Signed{m, false};
    if (!c_in_epilogue) {
      y = am.v.n == 0 ? am : value_of(kFp32, round_to(kFp32, am.v, Round::RNE));  // RNE_fp32(alpha * acc)
    } else {
      // RNE_fp32(beta * c)
      const Signed cv = value_of(s.out, c);
      Signed bc;
      const Exact bm = mul(be.v, cv.v);
      if (bm.n == 0) {
        bc = Signed{{}, (be.v.n < 0 || (be.v.n == 0 && be.neg_zero)) != (cv.v.n < 0 || (cv.v.n == 0 && cv.neg_zero))};
      } else {
        const uint32_t code = round_to(kFp32, bm, Round::RNE);
        const Operand o = decode(kFp32, code);
        if (o.kind == Kind::Inf) ovf = true;
        bc = Signed{o.value(), o.kind == Kind::Zero && o.neg};
      }
      y = fp32_add(am, bc, &ovf);  // RNE_fp32(alpha * acc + RNE_fp32(beta * c))
    }
  }
  if (ovf) throw std::domain_error("tcref: fp32 overflow at the GEMM level");
  return encode_rne(sch.d ? *sch.d : s.out, y);
}

}  // namespace arithsim::tcref
