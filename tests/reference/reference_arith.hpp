// Independent reference for arithmetic on the arithsim number formats, for tests.
//
// Every operator is "the exact rational result, rounded once to the format".  The exact
// result is computed with Boost.Multiprecision rationals; the single rounding is delegated
// to the existing double encoders of tests/reference/reference_formats.hpp, without ever
// rounding the rational to a double first (that would be a double rounding):
//
//   Every value of these formats and every rounding boundary (midpoints between adjacent
//   minifloat values, the tie point above max; for posits the posit(n+1, es) value between
//   adjacent posit(n, es) codes) is exactly a double, and ref::encode / ref::posit_encode_rne
//   decide only by comparing their input with those points.  So a rational r rounds exactly
//   like any double lying in the same place relative to the sorted boundary points: r itself
//   when r is a boundary point, otherwise a double strictly inside the same open interval.
//
// Nothing here uses arithsim's codecs (models/): values come from ref::decode /
// ref::posit_decode (integer significand * 2^k from the definitions), rounding from
// ref::encode / ref::posit_encode_rne.
//
// Supported: minifloats of <= 16 bits of every convention except E8M0 (rejected with
// std::invalid_argument), posits with 2 <= n <= 16 and the es range of posit_encode_rne
// (0 <= es <= 4; the brief only needs es <= 3).
//
// Special values (minifloats) follow IEEE 754, and the special result is then encoded as
// ref::encode encodes that double (so a format without inf gets whatever ref::encode gives
// for inf: NaN or saturation).  Every NaN result, propagated or produced by an invalid
// operation, is ref::encode(f, +quiet NaN).  Exact zero results take the IEEE 754
// round-to-nearest sign (x + (-x) = +0, (-0) + (-0) = -0, products/quotients: sign xor) and
// are encoded as ref::encode(f, +-0.0) (FNUZ: the single zero).
// Posits: NaR operand -> NaR, x / 0 -> NaR (0 / 0 too), exact zero -> code 0.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/reference/reference_formats.hpp"

namespace arithsim::ref {

enum class Op { Add, Sub, Mul, Div };
using Rational = boost::multiprecision::cpp_rational;

// Exact rational value of a finite double: v = mant * 2^e with a 53-bit integer mant
// (frexp normalises subnormals too, so the scaling by 2^53 is exact).
inline Rational exact(double v) {
  using boost::multiprecision::cpp_int;
  if (!std::isfinite(v)) detail::fail("exact() needs a finite double");
  if (v == 0.0) return Rational(0);
  int e = 0;
  const double fr = std::frexp(std::fabs(v), &e);                      // |v| = fr * 2^e, fr in [0.5, 1)
  const auto mant = static_cast<int64_t>(std::ldexp(fr, 53));          // exact, < 2^53
  e -= 53;
  cpp_int num = mant;
  cpp_int den = 1;
  if (e >= 0) num <<= e;
  else den <<= -e;
  Rational r(num, den);
  return std::signbit(v) ? Rational(-r) : r;
}

namespace detail {

// Sorted rounding boundary points of one format, as doubles and as the same exact rationals.
struct Boundaries {
  std::vector<double> d;    // strictly increasing
  std::vector<Rational> q;  // q[i] == exact(d[i])
};

inline std::unique_ptr<Boundaries> make_boundaries(std::vector<double> pts) {
  std::sort(pts.begin(), pts.end());
  auto b = std::make_unique<Boundaries>();
  for (size_t i = 0; i < pts.size(); ++i) {
    if (!std::isfinite(pts[i])) fail("boundary point not finite");
    if (i && !(pts[i] > pts[i - 1])) fail("boundary points not strictly increasing");
    b->d.push_back(pts[i]);
    b->q.push_back(exact(pts[i]));
  }
  if (b->d.empty()) fail("no boundary points");
  return b;
}

// Minifloat boundaries: every finite value (incl. 0 and +-max), every midpoint between
// adjacent values, and +-tie_above_max -- exactly the points ref::encode compares with
// under RNE.  The table must be symmetric (ref::encode decides overflow on |x|).
inline const Boundaries& mf_boundaries(const Minifloat& f) {
  if (is_e8m0(f)) fail("reference_arith: E8M0 formats are not supported");
  const MfTable& t = table_for(f);  // validates, requires <= 16 bits
  static std::mutex mu;
  static std::map<std::tuple<int, int, int, int>, std::unique_ptr<Boundaries>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{f.e, f.m, f.bias, static_cast<int>(f.conv)}];
  if (!slot) {
    if (t.vals.front() != -t.vals.back()) fail("minifloat table not symmetric");
    std::vector<double> pts(t.vals.begin(), t.vals.end());
    pts.insert(pts.end(), t.mids.begin(), t.mids.end());
    pts.push_back(t.tie_above_max);
    pts.push_back(-t.tie_above_max);
    slot = make_boundaries(std::move(pts));
  }
  return *slot;
}

inline void validate_posit_arith(int n, int es) {
  validate_posit(n, es, 32);
  if (n > 16) fail("reference_arith: posits of at most 16 bits");
}

// Positive posit boundaries: the values of codes 1 .. maxcode (minpos .. maxpos) and the
// posit(n+1, es) points between adjacent codes -- exactly what posit_encode_rne compares
// |x| with (it is symmetric: a negative x gets the two's complement of |x|'s code).
inline const Boundaries& posit_boundaries(int n, int es) {
  validate_posit_arith(n, es);
  const PositTable& t = posit_table(n, es);
  static std::mutex mu;
  static std::map<std::pair<int, int>, std::unique_ptr<Boundaries>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{n, es}];
  if (!slot) {
    const size_t maxcode = t.vals.size() - 1;
    std::vector<double> pts;
    for (size_t c = 1; c <= maxcode; ++c) pts.push_back(t.vals[c]);
    for (size_t c = 1; c < maxcode; ++c) pts.push_back(t.mids[c]);  // between c and c+1
    slot = make_boundaries(std::move(pts));
  }
  return *slot;
}

// A double that ref's encoders treat exactly like r: r itself if r is a boundary point, else
// a double strictly inside the open interval of the boundary partition that holds r.
// Beyond the last point: 2 * last (first: 2 * first for a negative first point, half of it
// for a positive one -- only the posit table, whose points are all > 0, has that case).
inline double representative(const Boundaries& b, const Rational& r) {
  const auto it = std::lower_bound(b.q.begin(), b.q.end(), r);  // first q[i] >= r
  const size_t i = static_cast<size_t>(it - b.q.begin());
  if (i < b.q.size() && b.q[i] == r) return b.d[i];
  double rep;
  if (i == b.q.size()) {
    rep = b.d.back() > 0 ? 2 * b.d.back() : b.d.back() / 2;
    if (!std::isfinite(rep) || !(rep > b.d.back())) fail("no representative above the last boundary");
  } else if (i == 0) {
    rep = b.d.front() > 0 ? b.d.front() / 2 : 2 * b.d.front();
    if (!std::isfinite(rep) || !(rep < b.d.front())) fail("no representative below the first boundary");
  } else {
    const double lo = b.d[i - 1], hi = b.d[i];
    rep = lo / 2 + hi / 2;  // no overflow; exactness not needed, only lo < rep < hi
    if (!(lo < rep && rep < hi)) fail("no double strictly between two boundary points");
  }
  return rep;
}

}  // namespace detail

// Round an exact rational once to the minifloat f: RNE with the format's default overflow
// rule, as ref::encode(f, x, Mode::RNE, Ovf::DEFAULT) rounds a double x holding that value.
// neg_zero: the sign of an exact zero r (a nonzero r that underflows to zero keeps r's sign).
inline uint32_t round_rational(const Minifloat& f, const Rational& r, bool neg_zero = false) {
  const detail::Boundaries& b = detail::mf_boundaries(f);
  if (r == 0) return encode(f, neg_zero ? -0.0 : 0.0, Mode::RNE, Ovf::DEFAULT);
  return encode(f, detail::representative(b, r), Mode::RNE, Ovf::DEFAULT);
}

// Round an exact rational once to posit(n, es) as posit_encode_rne rounds a double: RNE on
// the encoding, clamped to [minpos, maxpos] in magnitude (never 0 or NaR for r != 0).
// r == 0 gives code 0.
inline uint32_t posit_round_rational(int n, int es, const Rational& r) {
  const detail::Boundaries& b = detail::posit_boundaries(n, es);
  if (r == 0) return 0;
  const bool neg = r < 0;
  const double rep = detail::representative(b, neg ? Rational(-r) : r);
  return posit_encode_rne(n, es, neg ? -rep : rep);
}

// a op b for two codes of the minifloat f: IEEE 754 special cases, else exact then rounded once.
inline uint32_t arith(const Minifloat& f, Op op, uint32_t a, uint32_t b) {
  detail::mf_boundaries(f);  // rejects E8M0 / > 16 bits before anything else
  const double qnan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const double x = decode(f, a);
  double y = decode(f, b);  // decode checks the code range
  if (std::isnan(x) || std::isnan(y)) return encode(f, qnan);
  if (op == Op::Sub) {  // x - y = x + (-y); negating a double is exact and flips -0
    y = -y;
    op = Op::Add;
  }
  const bool sx = std::signbit(x), sy = std::signbit(y), sxor = sx != sy;
  const auto signed_inf = [&](bool neg) { return encode(f, neg ? -inf : inf); };
  switch (op) {
    case Op::Add:
    case Op::Sub:  // (rewritten as Add above)
      if (std::isinf(x) || std::isinf(y)) {
        if (std::isinf(x) && std::isinf(y) && sx != sy) return encode(f, qnan);  // inf - inf
        return signed_inf(std::isinf(x) ? sx : sy);
      }
      // Exact zero sum: -0 only for (-0) + (-0) (IEEE 754 6.3, round to nearest); two
      // negative operands summing to exactly 0 must both be -0.
      return round_rational(f, exact(x) + exact(y), sx && sy);
    case Op::Mul:
      if (std::isinf(x) || std::isinf(y)) {
        if (x == 0.0 || y == 0.0) return encode(f, qnan);  // 0 * inf
        return signed_inf(sxor);
      }
      return round_rational(f, exact(x) * exact(y), sxor);
    case Op::Div:
      if (std::isinf(x)) {
        if (std::isinf(y)) return encode(f, qnan);  // inf / inf
        return signed_inf(sxor);                    // inf / finite (also / 0): exact inf
      }
      if (std::isinf(y)) return encode(f, sxor ? -0.0 : 0.0);  // finite / inf
      if (y == 0.0) {
        if (x == 0.0) return encode(f, qnan);  // 0 / 0
        return signed_inf(sxor);               // division by zero
      }
      return round_rational(f, exact(x) / exact(y), sxor);
  }
  detail::fail("bad Op");
}

// a op b for two posit(n, es) codes: NaR in -> NaR, x / 0 -> NaR, exact zero -> 0, else
// exact then rounded once.
inline uint32_t posit_arith(int n, int es, Op op, uint32_t a, uint32_t b) {
  detail::validate_posit_arith(n, es);
  const uint32_t nar = 1u << (n - 1);
  if ((a >> n) || (b >> n)) detail::fail("posit code out of range");
  if (a == nar || b == nar) return nar;
  const Rational x = exact(posit_decode(n, es, a)), y = exact(posit_decode(n, es, b));
  Rational r;
  switch (op) {
    case Op::Add: r = x + y; break;
    case Op::Sub: r = x - y; break;
    case Op::Mul: r = x * y; break;
    case Op::Div:
      if (y == 0) return nar;
      r = x / y;
      break;
  }
  if (r == 0) return 0;
  return posit_round_rational(n, es, r);
}

}  // namespace arithsim::ref
