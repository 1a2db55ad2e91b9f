#include <arithsim/models/formats/vector_kernels.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ARITHSIM_X86_KERNELS 1
#include <immintrin.h>
// GCC 12's AVX-512 headers start masked builtins from _mm512_undefined_epi32(), which
// -Wmaybe-uninitialized reports once they are inlined into code built for x86-64-v4.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace arithsim::formats::vec {

std::string_view to_string(Isa i) {
  switch (i) {
    case Isa::Portable: return "portable";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

std::optional<Isa> parse_isa(std::string_view s) {
  if (s == "portable") return Isa::Portable;
  if (s == "avx2") return Isa::Avx2;
  if (s == "avx512") return Isa::Avx512;
  return std::nullopt;
}

Isa detected_isa() {
#ifdef ARITHSIM_X86_KERNELS
  static const Isa isa = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return Isa::Avx512;
    if (__builtin_cpu_supports("x86-64-v3")) return Isa::Avx2;
    return Isa::Portable;
  }();
  return isa;
#else
  return Isa::Portable;
#endif
}

namespace {

// -1: no cap set by a test; otherwise the Isa value.
std::atomic<int> g_test_cap{-1};

std::optional<Isa> env_cap() {
  static const std::optional<Isa> cap = []() -> std::optional<Isa> {
    const char* v = std::getenv("ARITHSIM_SIMD");
    if (!v || !*v) return std::nullopt;
    return parse_isa(v);
  }();
  return cap;
}

bool has_vbmi() {
#ifdef ARITHSIM_X86_KERNELS
  static const bool v = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vbmi") != 0;
  }();
  return v;
#else
  return false;
#endif
}

}  // namespace

Isa active_isa() {
  Isa i = detected_isa();
  if (const int t = g_test_cap.load(std::memory_order_relaxed); t >= 0) return std::min(i, Isa(t));
  if (const auto c = env_cap()) i = std::min(i, *c);
  return i;
}

void set_isa_cap(std::optional<Isa> cap) { g_test_cap.store(cap ? int(*cap) : -1, std::memory_order_relaxed); }

std::string active_isa_note() {
  const char* v = std::getenv("ARITHSIM_SIMD");
  if (v && *v && !parse_isa(v))
    return std::string("arithsim: note: ARITHSIM_SIMD='") + std::string(v).substr(0, 40) +
           "' is not portable|avx2|avx512; ignored";
  const Isa d = detected_isa(), a = active_isa();
  if (d == Isa::Portable)
    return "arithsim: note: this CPU has no AVX2; the portable kernels run (bit-identical results, slower)";
  if (a < d)
    return std::string("arithsim: note: ARITHSIM_SIMD=") + std::string(to_string(a)) + ": the format library's " +
           std::string(to_string(a)) + " kernels run, not the CPU's " + std::string(to_string(d)) +
           " ones (the GEMM kernels still pick by CPU)";
  return "";
}

bool MinifloatLanes::supported(int m, int bias) {
  const int emin = 1 - bias;
  return m >= 0 && m <= 22 && emin >= -126 && emin - m + 23 >= -126 && emin - m + 23 <= 127;
}

namespace {

#define ARITHSIM_INLINE [[gnu::always_inline]] inline

// ---- minifloat encode --------------------------------------------------------------------
// The constants of one format, shared by the scalar lane (the portable kernel, and the tails
// of the vector ones) and the vector kernels, which compute the same lane 16 or 8 at a time.
struct MinifloatConsts {
  uint32_t sh, round_half, rebias, min_normal, magic_bits, max_mag, sign_bit, ftz_limit, daz_limit;
  float magic;
  bool signed_zero;  // a zero result keeps its sign (not FNUZ)
  explicit MinifloatConsts(const MinifloatLanes& p) {
    const int emin = 1 - p.bias;
    sh = uint32_t(23 - p.m);
    round_half = (1u << (22 - p.m)) - 1;
    rebias = uint32_t(127 - p.bias) << p.m;
    // Powers of two as bit patterns (both normal floats where supported() holds).
    min_normal = uint32_t(emin + 127) << 23;
    magic_bits = uint32_t(emin - p.m + 23 + 127) << 23;
    magic = std::bit_cast<float>(magic_bits);
    max_mag = p.max_mag;
    sign_bit = p.sign_bit;
    ftz_limit = p.ftz ? (1u << p.m) : 0u;
    daz_limit = p.daz_in ? 0x00800000u : 0u;
    signed_zero = !p.no_neg_zero;
  }
};

// One lane. Every value compared is below 2^31 (the vector kernels use signed compares).
ARITHSIM_INLINE uint32_t lane(const MinifloatConsts& c, float x, bool& bad) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  const uint32_t a = u & 0x7fffffffu;
  // Normal result: round the pattern to m mantissa bits (carries move into the exponent).
  const uint32_t nm = ((a + c.round_half + ((a >> c.sh) & 1u)) >> c.sh) - c.rebias;
  // Subnormal result: the float adder rounds a + magic at the format's subnormal step.
  const uint32_t sm = std::bit_cast<uint32_t>(std::bit_cast<float>(a) + c.magic) - c.magic_bits;
  uint32_t mag = a < c.min_normal ? sm : nm;
  if (a < c.daz_limit || mag < c.ftz_limit) mag = 0;
  bad = a >= 0x7f800000u || mag > c.max_mag;  // NaN, inf, overflow: the codec's
  const bool neg = (u >> 31) && (mag != 0 || c.signed_zero);
  return (neg ? c.sign_bit : 0u) | mag;
}

// ---- posit encode -------------------------------------------------------------------------
struct PositConsts {
  int es, maxs, K, W;
  uint32_t emask, nar, mask;
  explicit PositConsts(const PositLanes& p)
      : es(p.es), maxs((p.n - 2) << p.es), K(p.n - 1), W(p.es + 23), emask((1u << p.es) - 1),
        nar(1u << (p.n - 1)), mask((1u << p.n) - 1) {}
};

// One lane: regime, exponent bits and fraction laid out as one string of n-1 bits after the
// sign and rounded once, as PositCodec::encode does.
ARITHSIM_INLINE uint32_t lane(const PositConsts& c, float x, bool& bad) {
  const uint32_t u = std::bit_cast<uint32_t>(x);
  const uint32_t ef = (u >> 23) & 0xffu;
  bad = ef == 0 || ef == 0xff;  // zero, float subnormal, inf, NaN: the codec's
  const int e = int(ef) - 127;
  const int ec = std::clamp(e, -c.maxs, c.maxs - 1);  // keeps the shifts in range
  const int k = ec >> c.es;                            // floor division
  const uint32_t eb = uint32_t(ec) & c.emask;
  // Regime of L bits: k+1 ones and a zero, or -k zeros and a one.
  const int L = k >= 0 ? k + 2 : 1 - k;
  const uint32_t reg = k >= 0 ? (2u << (k + 1)) - 2u : 1u;
  const uint32_t body = (eb << 23) | (u & 0x7fffffu);  // exponent bits, then the fraction
  const int s = c.W - c.K + L;                          // body bits that fall off (>= 1)
  const uint32_t kept = (reg << (c.K - L)) | (body >> s);
  const uint32_t rbit = (body >> (s - 1)) & 1u;
  const uint32_t sticky = (body & ((1u << (s - 1)) - 1u)) != 0 ? 1u : 0u;
  uint32_t k1 = kept + (rbit & (sticky | (kept & 1u)));
  k1 = std::min(k1, c.nar - 1);
  k1 = e >= c.maxs ? c.nar - 1 : e < -c.maxs ? 1u : k1;
  return (u >> 31) ? (0u - k1) & c.mask : k1;
}

// Lanes [i, n) one at a time: the portable kernel, and the tails of the AVX2 ones.
template <class Consts, class Out>
size_t scalar_lanes(const Consts& c, const float* in, size_t i, size_t n, Out* out, uint32_t* exc, size_t ne) {
  for (; i < n; ++i) {
    bool bad;
    out[i] = Out(lane(c, in[i], bad));
    if (bad) exc[ne++] = uint32_t(i);
  }
  return ne;
}

ARITHSIM_INLINE void decode8_loop(const float* table, const uint8_t* in, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = table[in[i]];
}

#ifdef ARITHSIM_X86_KERNELS
#define ARITHSIM_V4 __attribute__((target("arch=x86-64-v4")))
#define ARITHSIM_V3 __attribute__((target("arch=x86-64-v3")))

// The indices of the set bits of `bits` (lane l = element i + l) appended to the exception list.
ARITHSIM_INLINE size_t push_lanes(uint64_t bits, size_t i, uint32_t* exc, size_t ne) {
  for (; bits; bits &= bits - 1) exc[ne++] = uint32_t(i + size_t(std::countr_zero(bits)));
  return ne;
}

// ---- AVX-512: 16 lanes, compares into mask registers --------------------------------------
// 64 lanes per step: four 16-lane codes packed to bytes or half-words (packs work within
// 128-bit lanes; one permute restores the order).
template <class Out>
ARITHSIM_V4 ARITHSIM_INLINE void store64(Out* out, __m512i c0, __m512i c1, __m512i c2, __m512i c3) {
  const __m512i p01 = _mm512_packus_epi32(c0, c1), p23 = _mm512_packus_epi32(c2, c3);
  if constexpr (sizeof(Out) == 1) {
    const __m512i b = _mm512_packus_epi16(p01, p23);
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    _mm512_storeu_si512(out, _mm512_permutexvar_epi32(order, b));
  } else {
    const __m512i order = _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7);
    _mm512_storeu_si512(out, _mm512_permutexvar_epi64(order, p01));
    _mm512_storeu_si512(out + 32, _mm512_permutexvar_epi64(order, p23));
  }
}

struct MinifloatAvx512 {
  __m512i abs, one, rh, rebias, min_normal, magic_bits, max_mag, sign, ftz, daz, inf, zero_cmp;
  __m512 magic;
  __m128i sh;
  ARITHSIM_V4 explicit MinifloatAvx512(const MinifloatConsts& c)
      : abs(_mm512_set1_epi32(0x7fffffff)), one(_mm512_set1_epi32(1)), rh(_mm512_set1_epi32(int(c.round_half))),
        rebias(_mm512_set1_epi32(int(c.rebias))), min_normal(_mm512_set1_epi32(int(c.min_normal))),
        magic_bits(_mm512_set1_epi32(int(c.magic_bits))), max_mag(_mm512_set1_epi32(int(c.max_mag))),
        sign(_mm512_set1_epi32(int(c.sign_bit))), ftz(_mm512_set1_epi32(int(c.ftz_limit))),
        daz(_mm512_set1_epi32(int(c.daz_limit))), inf(_mm512_set1_epi32(0x7f800000)),
        // A negative zero keeps its sign unless FNUZ: compare with a value no lane has (-1).
        zero_cmp(_mm512_set1_epi32(c.signed_zero ? -1 : 0)), magic(_mm512_set1_ps(c.magic)),
        sh(_mm_cvtsi32_si128(int(c.sh))) {}
  ARITHSIM_V4 ARITHSIM_INLINE __m512i lanes(__m512i u, __mmask16& bad) const {
    const __m512i a = _mm512_and_si512(u, abs);
    const __m512i lsb = _mm512_and_si512(_mm512_srl_epi32(a, sh), one);
    const __m512i nm = _mm512_sub_epi32(_mm512_srl_epi32(_mm512_add_epi32(_mm512_add_epi32(a, rh), lsb), sh), rebias);
    const __m512i sm = _mm512_sub_epi32(_mm512_castps_si512(_mm512_add_ps(_mm512_castsi512_ps(a), magic)), magic_bits);
    __m512i mag = _mm512_mask_blend_epi32(_mm512_cmplt_epi32_mask(a, min_normal), nm, sm);
    const __mmask16 z = _mm512_cmplt_epi32_mask(a, daz) | _mm512_cmplt_epi32_mask(mag, ftz);
    mag = _mm512_maskz_mov_epi32(__mmask16(~z), mag);
    bad = _mm512_cmpge_epi32_mask(a, inf) | _mm512_cmpgt_epi32_mask(mag, max_mag);
    const __mmask16 neg = _mm512_mask_cmpneq_epi32_mask(_mm512_movepi32_mask(u), mag, zero_cmp);
    return _mm512_mask_or_epi32(mag, neg, mag, sign);
  }
};

struct PositAvx512 {
  __m512i ff, b127, one, two, frac, zero, lo, hi, maxs, emask, maxpos, wk, kk, mask;
  __m128i es;
  ARITHSIM_V4 explicit PositAvx512(const PositConsts& c)
      : ff(_mm512_set1_epi32(0xff)), b127(_mm512_set1_epi32(127)), one(_mm512_set1_epi32(1)), two(_mm512_set1_epi32(2)),
        frac(_mm512_set1_epi32(0x7fffff)), zero(_mm512_setzero_si512()), lo(_mm512_set1_epi32(-c.maxs)),
        hi(_mm512_set1_epi32(c.maxs - 1)), maxs(_mm512_set1_epi32(c.maxs)), emask(_mm512_set1_epi32(int(c.emask))),
        maxpos(_mm512_set1_epi32(int(c.nar - 1))), wk(_mm512_set1_epi32(c.W - c.K)), kk(_mm512_set1_epi32(c.K)),
        mask(_mm512_set1_epi32(int(c.mask))), es(_mm_cvtsi32_si128(c.es)) {}
  ARITHSIM_V4 ARITHSIM_INLINE __m512i lanes(__m512i u, __mmask16& bad) const {
    const __m512i ef = _mm512_and_si512(_mm512_srli_epi32(u, 23), ff);
    bad = _mm512_cmpeq_epi32_mask(ef, zero) | _mm512_cmpeq_epi32_mask(ef, ff);
    const __m512i e = _mm512_sub_epi32(ef, b127);
    const __m512i ec = _mm512_min_epi32(_mm512_max_epi32(e, lo), hi);
    const __m512i k = _mm512_sra_epi32(ec, es);
    const __mmask16 kpos = _mm512_cmpge_epi32_mask(k, zero);
    const __m512i eb = _mm512_and_si512(ec, emask);
    const __m512i L = _mm512_mask_blend_epi32(kpos, _mm512_sub_epi32(one, k), _mm512_add_epi32(k, two));
    const __m512i reg = _mm512_mask_blend_epi32(
        kpos, one, _mm512_sub_epi32(_mm512_sllv_epi32(two, _mm512_maskz_add_epi32(kpos, k, one)), two));
    const __m512i body = _mm512_or_si512(_mm512_slli_epi32(eb, 23), _mm512_and_si512(u, frac));
    const __m512i s = _mm512_add_epi32(wk, L);
    const __m512i s1 = _mm512_sub_epi32(s, one);
    const __m512i kept = _mm512_or_si512(_mm512_sllv_epi32(reg, _mm512_sub_epi32(kk, L)), _mm512_srlv_epi32(body, s));
    const __m512i rbit = _mm512_and_si512(_mm512_srlv_epi32(body, s1), one);
    const __mmask16 sticky = _mm512_test_epi32_mask(body, _mm512_sub_epi32(_mm512_sllv_epi32(one, s1), one));
    const __m512i odd = _mm512_mask_mov_epi32(_mm512_and_si512(kept, one), sticky, one);
    __m512i k1 = _mm512_min_epu32(_mm512_add_epi32(kept, _mm512_and_si512(rbit, odd)), maxpos);
    k1 = _mm512_mask_mov_epi32(k1, _mm512_cmpge_epi32_mask(e, maxs), maxpos);
    k1 = _mm512_mask_mov_epi32(k1, _mm512_cmplt_epi32_mask(e, lo), one);
    return _mm512_mask_and_epi32(k1, _mm512_movepi32_mask(u), _mm512_sub_epi32(zero, k1), mask);
  }
};

// 64 lanes per step, then 16, then the last < 16 under a lane mask (masked loads do not
// touch memory past n).
template <class Lanes, class Consts, class Out>
ARITHSIM_V4 size_t run_avx512(const Consts& c, const float* in, size_t n, Out* out, uint32_t* exc) {
  const Lanes v(c);
  size_t ne = 0, i = 0;
  for (; i + 64 <= n; i += 64) {
    __mmask16 b0, b1, b2, b3;
    const __m512i c0 = v.lanes(_mm512_loadu_si512(in + i), b0), c1 = v.lanes(_mm512_loadu_si512(in + i + 16), b1);
    const __m512i c2 = v.lanes(_mm512_loadu_si512(in + i + 32), b2), c3 = v.lanes(_mm512_loadu_si512(in + i + 48), b3);
    store64(out + i, c0, c1, c2, c3);
    ne = push_lanes(uint64_t(b0) | uint64_t(b1) << 16 | uint64_t(b2) << 32 | uint64_t(b3) << 48, i, exc, ne);
  }
  for (; i < n; i += 16) {
    const __mmask16 live = n - i >= 16 ? __mmask16(0xffff) : __mmask16((1u << (n - i)) - 1);
    __mmask16 bad;
    const __m512i code = v.lanes(_mm512_maskz_loadu_epi32(live, in + i), bad);
    if constexpr (sizeof(Out) == 1) _mm512_mask_cvtepi32_storeu_epi8(out + i, live, code);
    else _mm512_mask_cvtepi32_storeu_epi16(out + i, live, code);
    ne = push_lanes(bad & live, i, exc, ne);
  }
  return ne;
}

template <class Out>
ARITHSIM_V4 size_t minifloat_avx512(const MinifloatLanes& p, const float* in, size_t n, Out* out, uint32_t* exc) {
  return run_avx512<MinifloatAvx512>(MinifloatConsts(p), in, n, out, exc);
}

template <class Out>
ARITHSIM_V4 size_t posit_avx512(const PositLanes& p, const float* in, size_t n, Out* out, uint32_t* exc) {
  return run_avx512<PositAvx512>(PositConsts(p), in, n, out, exc);
}

// ---- AVX2: 8 lanes, compares as all-ones lanes (signed: every value is below 2^31) --------
ARITHSIM_V3 ARITHSIM_INLINE void store8(uint8_t* out, __m256i code) {
  // Lane bytes 0, 4, 8, 12 of each 128-bit half, then the halves side by side.
  const __m256i b = _mm256_shuffle_epi8(code, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                                 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
  const uint64_t v = uint64_t(uint32_t(_mm256_extract_epi32(b, 0))) | uint64_t(uint32_t(_mm256_extract_epi32(b, 4))) << 32;
  std::memcpy(out, &v, 8);
}
ARITHSIM_V3 ARITHSIM_INLINE void store8(uint16_t* out, __m256i code) {
  const __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(code), _mm256_extracti128_si256(code, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), w);
}
ARITHSIM_V3 ARITHSIM_INLINE __m256i sel(__m256i m, __m256i a, __m256i b) { return _mm256_blendv_epi8(b, a, m); }
ARITHSIM_V3 ARITHSIM_INLINE __m256i lt(__m256i a, __m256i b) { return _mm256_cmpgt_epi32(b, a); }

struct MinifloatAvx2 {
  __m256i abs, one, rh, rebias, min_normal, magic_bits, max_mag, sign, ftz, daz, inf_m1, zero, not_signed_zero;
  __m256 magic;
  __m128i sh;
  ARITHSIM_V3 explicit MinifloatAvx2(const MinifloatConsts& c)
      : abs(_mm256_set1_epi32(0x7fffffff)), one(_mm256_set1_epi32(1)), rh(_mm256_set1_epi32(int(c.round_half))),
        rebias(_mm256_set1_epi32(int(c.rebias))), min_normal(_mm256_set1_epi32(int(c.min_normal))),
        magic_bits(_mm256_set1_epi32(int(c.magic_bits))), max_mag(_mm256_set1_epi32(int(c.max_mag))),
        sign(_mm256_set1_epi32(int(c.sign_bit))), ftz(_mm256_set1_epi32(int(c.ftz_limit))),
        daz(_mm256_set1_epi32(int(c.daz_limit))), inf_m1(_mm256_set1_epi32(0x7f7fffff)), zero(_mm256_setzero_si256()),
        not_signed_zero(_mm256_set1_epi32(c.signed_zero ? 0 : -1)), magic(_mm256_set1_ps(c.magic)),
        sh(_mm_cvtsi32_si128(int(c.sh))) {}
  ARITHSIM_V3 ARITHSIM_INLINE __m256i lanes(__m256i u, __m256i& bad) const {
    const __m256i a = _mm256_and_si256(u, abs);
    const __m256i lsb = _mm256_and_si256(_mm256_srl_epi32(a, sh), one);
    const __m256i nm = _mm256_sub_epi32(_mm256_srl_epi32(_mm256_add_epi32(_mm256_add_epi32(a, rh), lsb), sh), rebias);
    const __m256i sm = _mm256_sub_epi32(_mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(a), magic)), magic_bits);
    __m256i mag = sel(lt(a, min_normal), sm, nm);
    mag = _mm256_andnot_si256(_mm256_or_si256(lt(a, daz), lt(mag, ftz)), mag);
    bad = _mm256_or_si256(_mm256_cmpgt_epi32(a, inf_m1), _mm256_cmpgt_epi32(mag, max_mag));
    // Negative lanes keep the sign, unless the result is zero and the format is FNUZ.
    const __m256i zero_unsigned = _mm256_and_si256(_mm256_cmpeq_epi32(mag, zero), not_signed_zero);
    const __m256i neg = _mm256_andnot_si256(zero_unsigned, _mm256_srai_epi32(u, 31));
    return _mm256_or_si256(mag, _mm256_and_si256(neg, sign));
  }
};

struct PositAvx2 {
  __m256i ff, b127, one, two, frac, zero, lo, hi, maxs, emask, maxpos, wk, kk, mask, minus_one;
  __m128i es;
  ARITHSIM_V3 explicit PositAvx2(const PositConsts& c)
      : ff(_mm256_set1_epi32(0xff)), b127(_mm256_set1_epi32(127)), one(_mm256_set1_epi32(1)), two(_mm256_set1_epi32(2)),
        frac(_mm256_set1_epi32(0x7fffff)), zero(_mm256_setzero_si256()), lo(_mm256_set1_epi32(-c.maxs)),
        hi(_mm256_set1_epi32(c.maxs - 1)), maxs(_mm256_set1_epi32(c.maxs)), emask(_mm256_set1_epi32(int(c.emask))),
        maxpos(_mm256_set1_epi32(int(c.nar - 1))), wk(_mm256_set1_epi32(c.W - c.K)), kk(_mm256_set1_epi32(c.K)),
        mask(_mm256_set1_epi32(int(c.mask))), minus_one(_mm256_set1_epi32(-1)), es(_mm_cvtsi32_si128(c.es)) {}
  ARITHSIM_V3 ARITHSIM_INLINE __m256i lanes(__m256i u, __m256i& bad) const {
    const __m256i ef = _mm256_and_si256(_mm256_srli_epi32(u, 23), ff);
    bad = _mm256_or_si256(_mm256_cmpeq_epi32(ef, zero), _mm256_cmpeq_epi32(ef, ff));
    const __m256i e = _mm256_sub_epi32(ef, b127);
    const __m256i ec = _mm256_min_epi32(_mm256_max_epi32(e, lo), hi);
    const __m256i k = _mm256_sra_epi32(ec, es);
    const __m256i kpos = _mm256_cmpgt_epi32(k, minus_one);
    const __m256i eb = _mm256_and_si256(ec, emask);
    const __m256i L = sel(kpos, _mm256_add_epi32(k, two), _mm256_sub_epi32(one, k));
    const __m256i reg = sel(kpos, _mm256_sub_epi32(_mm256_sllv_epi32(two, _mm256_and_si256(kpos, _mm256_add_epi32(k, one))), two), one);
    const __m256i body = _mm256_or_si256(_mm256_slli_epi32(eb, 23), _mm256_and_si256(u, frac));
    const __m256i s = _mm256_add_epi32(wk, L);
    const __m256i s1 = _mm256_sub_epi32(s, one);
    const __m256i kept = _mm256_or_si256(_mm256_sllv_epi32(reg, _mm256_sub_epi32(kk, L)), _mm256_srlv_epi32(body, s));
    const __m256i rbit = _mm256_and_si256(_mm256_srlv_epi32(body, s1), one);
    const __m256i below = _mm256_and_si256(body, _mm256_sub_epi32(_mm256_sllv_epi32(one, s1), one));
    const __m256i sticky = _mm256_andnot_si256(_mm256_cmpeq_epi32(below, zero), one);
    const __m256i odd = _mm256_or_si256(_mm256_and_si256(kept, one), sticky);
    __m256i k1 = _mm256_min_epu32(_mm256_add_epi32(kept, _mm256_and_si256(rbit, odd)), maxpos);
    k1 = sel(_mm256_cmpgt_epi32(maxs, e), k1, maxpos);
    k1 = sel(lt(e, lo), one, k1);
    return sel(_mm256_srai_epi32(u, 31), _mm256_and_si256(_mm256_sub_epi32(zero, k1), mask), k1);
  }
};

// 8 lanes per step, the last < 8 one at a time.
template <class Lanes, class Consts, class Out>
ARITHSIM_V3 size_t run_avx2(const Consts& c, const float* in, size_t n, Out* out, uint32_t* exc) {
  const Lanes v(c);
  size_t ne = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i bad;
    store8(out + i, v.lanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i)), bad));
    if (const int m = _mm256_movemask_ps(_mm256_castsi256_ps(bad))) ne = push_lanes(uint32_t(m), i, exc, ne);
  }
  return scalar_lanes(c, in, i, n, out, exc, ne);
}

template <class Out>
ARITHSIM_V3 size_t minifloat_avx2(const MinifloatLanes& p, const float* in, size_t n, Out* out, uint32_t* exc) {
  return run_avx2<MinifloatAvx2>(MinifloatConsts(p), in, n, out, exc);
}

template <class Out>
ARITHSIM_V3 size_t posit_avx2(const PositLanes& p, const float* in, size_t n, Out* out, uint32_t* exc) {
  return run_avx2<PositAvx2>(PositConsts(p), in, n, out, exc);
}

// 64 codes at a time: each of the table's four byte planes (256 bytes = four registers) is
// looked up with two two-register byte permutes, chosen by the code's top bit; the planes
// are then interleaved back into floats.
__attribute__((target("arch=x86-64-v4,avx512vbmi"))) void decode8_vbmi(const float* table, const uint8_t* in,
                                                                       float* out, size_t n) {
  alignas(64) uint8_t planes[4][256];
  for (int b = 0; b < 4; ++b)
    for (int c = 0; c < 256; ++c) planes[b][c] = uint8_t(std::bit_cast<uint32_t>(table[c]) >> (8 * b));
  __m512i pl[4][4];
  for (int b = 0; b < 4; ++b)
    for (int q = 0; q < 4; ++q) pl[b][q] = _mm512_load_si512(&planes[b][64 * q]);
  const __m512i lo_pairs = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi_pairs = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  const __m512i lo_half = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11), hi_half = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i x = _mm512_loadu_si512(in + i);
    const __mmask64 hi = _mm512_movepi8_mask(x);
    __m512i p[4];
    for (int b = 0; b < 4; ++b) {
      const __m512i lo = _mm512_permutex2var_epi8(pl[b][0], x, pl[b][1]);
      const __m512i up = _mm512_permutex2var_epi8(pl[b][2], x, pl[b][3]);
      p[b] = _mm512_mask_mov_epi8(lo, hi, up);
    }
    // Within each 128-bit lane L: o0 holds codes 16L+0..3, o1 4..7, o2 8..11, o3 12..15.
    const __m512i a = _mm512_unpacklo_epi8(p[0], p[1]), b = _mm512_unpackhi_epi8(p[0], p[1]);
    const __m512i c = _mm512_unpacklo_epi8(p[2], p[3]), d = _mm512_unpackhi_epi8(p[2], p[3]);
    const __m512i o0 = _mm512_unpacklo_epi16(a, c), o1 = _mm512_unpackhi_epi16(a, c);
    const __m512i o2 = _mm512_unpacklo_epi16(b, d), o3 = _mm512_unpackhi_epi16(b, d);
    // 4x4 transpose of 128-bit lanes (pairs of 64-bit elements).
    const __m512i u = _mm512_permutex2var_epi64(o0, lo_pairs, o1), v = _mm512_permutex2var_epi64(o2, lo_pairs, o3);
    const __m512i w = _mm512_permutex2var_epi64(o0, hi_pairs, o1), z = _mm512_permutex2var_epi64(o2, hi_pairs, o3);
    _mm512_storeu_si512(out + i, _mm512_permutex2var_epi64(u, lo_half, v));
    _mm512_storeu_si512(out + i + 16, _mm512_permutex2var_epi64(u, hi_half, v));
    _mm512_storeu_si512(out + i + 32, _mm512_permutex2var_epi64(w, lo_half, z));
    _mm512_storeu_si512(out + i + 48, _mm512_permutex2var_epi64(w, hi_half, z));
  }
  decode8_loop(table, in + i, out + i, n - i);
}

ARITHSIM_V3 void decode8_avx2(const float* table, const uint8_t* in, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i idx = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + i)));
    _mm256_storeu_ps(out + i, _mm256_i32gather_ps(table, idx, 4));
  }
  decode8_loop(table, in + i, out + i, n - i);
}
#endif

template <class Out, class P>
size_t encode_dispatch(const P& p, const float* in, size_t n, Out* out, uint32_t* exc) {
  constexpr bool minifloat = std::is_same_v<P, MinifloatLanes>;
#ifdef ARITHSIM_X86_KERNELS
  switch (active_isa()) {
    case Isa::Avx512:
      if constexpr (minifloat) return minifloat_avx512(p, in, n, out, exc);
      else return posit_avx512(p, in, n, out, exc);
    case Isa::Avx2:
      if constexpr (minifloat) return minifloat_avx2(p, in, n, out, exc);
      else return posit_avx2(p, in, n, out, exc);
    case Isa::Portable: break;
  }
#endif
  if constexpr (minifloat) return scalar_lanes(MinifloatConsts(p), in, 0, n, out, exc, 0);
  else return scalar_lanes(PositConsts(p), in, 0, n, out, exc, 0);
}

}  // namespace

size_t encode_minifloat_rne(const MinifloatLanes& p, const float* in, size_t n, uint8_t* out, uint32_t* exc) {
  return encode_dispatch(p, in, n, out, exc);
}
size_t encode_minifloat_rne(const MinifloatLanes& p, const float* in, size_t n, uint16_t* out, uint32_t* exc) {
  return encode_dispatch(p, in, n, out, exc);
}
size_t encode_posit_rne(const PositLanes& p, const float* in, size_t n, uint8_t* out, uint32_t* exc) {
  return encode_dispatch(p, in, n, out, exc);
}
size_t encode_posit_rne(const PositLanes& p, const float* in, size_t n, uint16_t* out, uint32_t* exc) {
  return encode_dispatch(p, in, n, out, exc);
}

void decode8(const float* table, const uint8_t* in, float* out, size_t n) {
#ifdef ARITHSIM_X86_KERNELS
  const Isa i = active_isa();
  if (i == Isa::Avx512 && has_vbmi()) return decode8_vbmi(table, in, out, n);
  if (i >= Isa::Avx2) return decode8_avx2(table, in, out, n);
#endif
  decode8_loop(table, in, out, n);
}

}  // namespace arithsim::formats::vec
