#include <bit>
#include "sim/gemm/gemm_driver.hpp"
#include <arithsim/models/threads/parallel_for.hpp>

#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include <arithsim/models/formats/quire.hpp>
#include <arithsim/models/tensor/error_stats.hpp>

namespace arithsim::sim {

namespace {

// The exact dot product of two dequantized operands, rounded once to `out`; `exact` gets it
// rounded to double (for relative errors).
double correctly_rounded(const pe::Operand& a, const pe::Operand& w, const formats::ElementFormat& out, double& exact) {
  // Every operand value is a double, so every product is a multiple of 2^-2148 and below
  // 2^2048: a quire of that range holds any sum of up to 2^60 of them exactly.
  formats::Quire q(-2 * 1074 - 2 * 52, 2 * 2098 + 2 * 52 + 64);
  bool nan = false, pinf = false, ninf = false;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = a.value(i), y = w.value(i);
    if (!std::isfinite(x) || !std::isfinite(y)) {
      // IEEE rules: NaN or inf*0 is NaN; otherwise an infinite product of its sign.
      if (std::isnan(x) || std::isnan(y) || x == 0 || y == 0) nan = true;
      else ((x < 0) != (y < 0) ? ninf : pinf) = true;
      continue;
    }
    const auto ux = formats::Unrounded::from_double(x), uy = formats::Unrounded::from_double(y);
    if (!ux.finite() || !uy.finite()) continue;
    q.add(ux.neg != uy.neg, (unsigned __int128)(ux.sig >> 11) * (uy.sig >> 11), ux.exp - 52 + uy.exp - 52);
  }
  if (nan || (pinf && ninf)) return exact = std::numeric_limits<double>::quiet_NaN();
  if (pinf || ninf) return exact = out.decode(out.encode(ninf ? -HUGE_VAL : HUGE_VAL));
  // To double for the relative error (within an ulp of double: plenty for a statistic).
  const formats::Unrounded u = q.value();
  exact = u.finite() ? (u.neg ? -1 : 1) * std::ldexp(double(u.sig), u.exp - 63) : 0.0;
  return out.decode(out.encode(q.value()));
}

// Distance in ulps of `out` between two of its values, through the codes' order (a float
// format's codes, sign-magnitude, ordered as integers); SIZE_MAX when either is not finite.
size_t ulp_distance(double x, double y, const formats::ElementFormat& out) {
  if (!std::isfinite(x) || !std::isfinite(y)) return (x == y || (std::isnan(x) && std::isnan(y))) ? 0 : SIZE_MAX;
  const uint32_t sign = uint32_t{1} << (out.bits() - 1);
  auto ord = [&](double v) {
    const uint32_t c = out.encode(v);
    return (c & sign) ? -int64_t(c & (sign - 1)) : int64_t(c & (sign - 1));
  };
  const int64_t d = ord(x) - ord(y);
  return size_t(d < 0 ? -d : d);
}

}  // namespace

std::string ulp_bucket_label(size_t b, size_t buckets) {
  if (b == 0) return "0";
  if (b == 1) return "1";
  const uint64_t lo = uint64_t{1} << (b - 1);
  if (b + 1 == buckets) return fmt::format("{}+", lo);
  return fmt::format("{}-{}", lo, 2 * lo - 1);
}

GemmResult run_gemm(const pe::ProcessingElement& pe, std::span<const float> a, std::span<const float> b, size_t m,
                    size_t n, size_t k, size_t threads) {
  try {
    threads::check_threads(threads);
  } catch (const std::invalid_argument& e) {
    throw pe::PeError(fmt::format("gemm: {}", e.what()));
  }
  if (a.size() != m * k || b.size() != k * n)
    throw pe::PeError(fmt::format("gemm: A has {} values for {}x{}, B has {} values for {}x{}", a.size(), m, k, b.size(), k, n));
  if (m == 0 || n == 0 || k == 0) throw pe::PeError("gemm: M, N and K must be positive");
  pe.check_k(k);
  std::vector<pe::Operand> rows, cols;
  std::vector<float> col(k);
  size_t i = 0, j = 0;
  try {
    for (; i < m; ++i) rows.push_back(pe.quantize_a(a.subspan(i * k, k)));
    for (; j < n; ++j) {
      for (size_t t = 0; t < k; ++t) col[t] = b[t * n + j];
      cols.push_back(pe.quantize_w(col));
    }
  } catch (const pe::OperandError& e) {
    const std::string at = e.side == 'a' ? fmt::format("A[{}, {}]", i, e.index) : fmt::format("B[{}, {}]", e.index, j);
    throw pe::OperandError(pe.info().name, e.side, e.index, e.value, e.format, at);
  }
  GemmResult r;
  r.stats.operands = pe.exact_operands()
                         ? fmt::format("exact values of {} x {} (scale=none)", rows[0].format->name(), cols[0].format->name())
                         : fmt::format("{} x {} as the PE scaled them (scale={})", rows[0].format->name(),
                                       cols[0].format->name(), pe.operand_policy());
  r.c.resize(m * n);
  // Threads cost tens of microseconds to start: a small GEMM keeps one per 2^18 MACs.
  threads = std::min(threads, std::max<size_t>(1, size_t(double(m) * double(n) * double(k) / double(1 << 18))));
  r.stats.threads = threads;
  const auto t0 = std::chrono::steady_clock::now();
  {
    std::vector<double> c(m * n);
    threads::parallel_for(m, threads, [&](size_t lo, size_t hi) {  // rows of C per thread
      pe.gemm(std::span(rows).subspan(lo, hi - lo), cols, std::span(c).subspan(lo * n, (hi - lo) * n));
    });
    for (size_t i = 0; i < m * n; ++i) r.c[i] = float(c[i]);
  }
  r.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<double> ref(m * n), out(m * n);
  size_t exact = 0, rel_n = 0, rel_exact_n = 0;
  double rel = 0, rel_exact = 0, err2 = 0, ref2 = 0;
  const bool ulps = pe.output_format().codec<formats::MinifloatCodec>() != nullptr;
  if (ulps) r.stats.ulp_histogram.assign(kUlpBuckets, 0);
  // The references of every output (the costly part: an exact dot each), rows per thread;
  // then the statistics over them in output order, the same for any thread count.
  std::vector<double> exact_cr(m * n), exact_x(m * n);
  threads::parallel_for(m, threads, [&](size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i)
      for (size_t j = 0; j < n; ++j) {
        double s = 0;
        for (size_t t = 0; t < k; ++t) s += double(a[i * k + t]) * double(b[t * n + j]);
        ref[i * n + j] = s;
        exact_cr[i * n + j] = correctly_rounded(rows[i], cols[j], pe.output_format(), exact_x[i * n + j]);
      }
  });
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      const double s = ref[i * n + j];
      out[i * n + j] = r.c[i * n + j];
      const double x = exact_x[i * n + j], cr = exact_cr[i * n + j];
      const double c = out[i * n + j];
      exact += (cr == c) || (std::isnan(cr) && std::isnan(c));
      if (x != 0 && std::isfinite(x) && std::isfinite(c)) {
        const double e = std::fabs(c - x) / std::fabs(x);
        r.stats.max_rel_vs_exact = std::max(r.stats.max_rel_vs_exact, e);
        rel_exact += e;
        ++rel_exact_n;
      }
      if (std::isfinite(x) && std::isfinite(c)) {
        err2 += (c - x) * (c - x);
        ref2 += x * x;
      }
      if (ulps) {
        const size_t d = ulp_distance(c, cr, pe.output_format());
        const size_t b = d == 0 ? 0 : d == SIZE_MAX ? kUlpBuckets - 1 : std::min<size_t>(kUlpBuckets - 1, size_t(std::bit_width(d)));
        ++r.stats.ulp_histogram[b];
      }
      if (s != 0 && std::isfinite(out[i * n + j])) {
        rel += std::fabs(out[i * n + j] - s) / std::fabs(s);
        ++rel_n;
      }
    }
  const auto e = tensor::error_stats(ref, out);
  r.stats.m = m;
  r.stats.n = n;
  r.stats.k = k;
  r.stats.max_abs = e.max_abs;
  r.stats.sqnr_db = e.sqnr_db;
  r.stats.mean_rel = rel_n ? rel / double(rel_n) : 0;
  r.stats.exact_match_rate = double(exact) / double(m * n);
  r.stats.mean_rel_vs_exact = rel_exact_n ? rel_exact / double(rel_exact_n) : 0;
  r.stats.norm_rel_vs_exact = ref2 > 0 ? std::sqrt(err2 / ref2) : 0;
  r.stats.nonfinite = e.nonfinite;
  return r;
}

}  // namespace arithsim::sim
