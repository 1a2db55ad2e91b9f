#include <arithsim/models/units/mma_gemm.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

// The lane helpers pass 64-byte vectors by value, and are always inlined (below), so the ABI
// note GCC gives for the builds without AVX-512 does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace arithsim::units {
namespace {

// 16 outputs of one row side by side. GCC's vector types lower to the widest SIMD the clone
// runs on (AVX-512, AVX2, SSE2); the arithmetic is the same integer arithmetic on each.
constexpr int kLanes = 16;
using vi = int32_t __attribute__((vector_size(4 * kLanes)));
using vu = uint32_t __attribute__((vector_size(4 * kLanes)));
using vul = uint64_t __attribute__((vector_size(8 * kLanes)));
using vd = double __attribute__((vector_size(8 * kLanes)));

// The alignment exponent of a zero operand: below every real one (|e| < 2^12), so a zero
// product never sets a block's exponent, and sums of two of them still fit in 32 bits.
constexpr int32_t kZeroAlign = -(1 << 24);
// A block's exponent starts here when the preset has no floor (every real one is above it).
constexpr int32_t kNoAlign = -(1 << 20);

// Always inlined: a 64-byte vector passed to or returned from a function compiled for the
// default target goes through memory, one from an AVX-512 clone through registers, so a call
// between the two would disagree on where the vector is (GCC's -Wpsabi note).
[[gnu::always_inline]] inline vi vmax(vi a, vi b) { return a > b ? a : b; }
[[gnu::always_inline]] inline vi vmin(vi a, vi b) { return a < b ? a : b; }
[[gnu::always_inline]] inline vi splat(int32_t x) { return vi{} + x; }

// The block FMA's parameters as the lanes use them.
struct LaneDatapath {
  int F = 0;           // fraction bits of the alignment grid
  int L = 0, R = 0;    // a product's significand on the grid: (mant << L) >> (emax - e + R)
  int floor_e = 0;     // the block exponent's floor
  int blockm = 0, block_emin = 0, block_emax = 0;
  bool rne = false;    // block results RNE (else RZ)
  size_t k = 0;        // products per instruction
  size_t block = 0;    // products per block
  // Where element q of an instruction is held: the operands are stored block by block
  // (block b's products at b * block ...), so interleaved blocks read contiguous memory.
  std::vector<size_t> slot;
};

// The operands of a run of k codes, decoded once: significand, alignment exponent and sign
// mask (0 or -1), in LaneDatapath::slot order. The lanes' side holds 16 columns per element.
struct RowOperands {
  std::vector<int32_t> mant, align, sign;
};
struct PanelOperands {
  std::vector<vi> mant, align, sign;
};

// The accumulator of 16 outputs between blocks: the block result as significand, LSB
// weight, alignment exponent (kZeroAlign for a zero) and sign mask; `bad` marks the lanes
// whose output the lanes cannot give (an overflowed block: infinity, which mma_dot decides).
struct Carry {
  vu mant{};
  vi lsb{}, align{}, neg{}, bad{};
};

// One block FMA of 16 outputs over the products at [j, j + n) and the carried addend:
// multiply -> align -> add -> normalize -> cut, as MmaInstruction::apply's fast path does
// for one output. N > 0: the block size as a constant (the loops unroll).
template <int N>
[[gnu::always_inline]] inline void block_lanes(const LaneDatapath& P, const RowOperands& a, const PanelOperands& b,
                                               size_t j, size_t n, Carry& c) {
  if constexpr (N > 0) n = size_t(N);
  const vi v0 = splat(0), v31 = splat(31);
  const int32_t* ae = a.align.data() + j;
  const vi* be = b.align.data() + j;
  // align: the block's exponent over the products and the carried addend
  vi emax = vmax(splat(P.floor_e), c.align);
  for (size_t q = 0; q < n; ++q) emax = vmax(emax, be[q] + ae[q]);
  // add: every term cut toward zero onto the grid 2^(emax - F); positive and negative
  // magnitudes summed apart, each below 2^32 (mma_gemm_lanes checks the bound)
  const vi grid = emax - P.F;
  const vi sh = c.lsb - grid;  // <= F for a nonzero addend
  const vu cterm = (c.mant << vmin(vmax(sh, v0), v31)) >> vmin(vmax(-sh, v0), v31);
  vu pos = cterm & ~vu(c.neg), neg = cterm & vu(c.neg);
  const vi base = emax + P.R;
  const int32_t *am = a.mant.data() + j, *as = a.sign.data() + j;
  const vi *bm = b.mant.data() + j, *bs = b.sign.data() + j;
  for (size_t q = 0; q < n; ++q) {
    const vu prod = vu(bm[q] * am[q]) << P.L;
    const vu mag = prod >> vu(vmin(base - (be[q] + ae[q]), v31));
    const vu s = vu(bs[q] ^ as[q]);
    pos += mag & ~s;
    neg += mag & s;
  }
  // normalize: the sum's sign, magnitude and leading bit (read off its double, exact)
  const vi ge = vi(pos >= neg);
  const vu mag = ge ? pos - neg : neg - pos;
  const vi nz = vi(mag != 0);
  const vi sign = ~ge & nz;  // a zero sum is +0
  const vd md = __builtin_convertvector(mag, vd);
  const vi top = __builtin_convertvector((vul(md) >> 52), vi) - 1023;
  const vi exp = grid + top;
  c.bad |= nz & (exp > P.block_emax);
  // cut to the block result: LSB at the leading bit's binade, not below the minimum
  vi lsb = vmax(exp, splat(P.block_emin)) - P.blockm;
  const vi cut = lsb - grid;
  vu mant;
  if (!P.rne) {  // RZ: a shift (32-bit; a cut of 32 or more leaves nothing)
    mant = vu(cut < 32) & ((mag << vu(vmin(vmax(-cut, v0), v31))) >> vu(vmin(vmax(cut, v0), v31)));
  } else {
    const vul m64 = __builtin_convertvector(mag, vul);
    const vul left = __builtin_convertvector(vmin(vmax(-cut, v0), splat(63)), vul);
    const vul right = __builtin_convertvector(vmin(vmax(cut, v0), splat(63)), vul);
    vul m = (m64 << left) >> right;
    const vul one = vul{} + 1;
    const vul rest = m64 & ((one << right) - 1), half = (one << right) >> 1;
    const vul up = vul(right > 0) & (vul(rest > half) | (vul(rest == half) & vul((m & 1) != 0)));
    m += up & 1;
    const vul over = vul(m == (vul{} + (uint64_t{2} << P.blockm)));  // carried into the next binade
    m = (m & ~over) | ((m >> 1) & over);
    lsb += __builtin_convertvector(over & 1, vi);
    c.bad |= __builtin_convertvector(up != 0, vi) & (lsb + P.blockm > P.block_emax);
    mant = __builtin_convertvector(m, vu);
  }
  c.mant = mant;
  c.lsb = lsb;
  c.align = mant == 0 ? splat(kZeroAlign) : lsb + P.blockm;
  c.neg = sign;
}

template <int N>
[[gnu::always_inline]] inline void blocks_lanes(const LaneDatapath& P, const RowOperands& a, const PanelOperands& b,
                                                size_t lo, size_t hi, Carry& c) {
  for (size_t j = lo; j < hi; j += P.block) block_lanes<N>(P, a, b, j, P.block, c);
}

// The instructions over elements [lo, hi) (whole instructions: the operands are padded with
// zeros to a multiple of k) for one row against a panel of 16 columns, block after block.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
[[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#endif
void run_lanes(const LaneDatapath& P, const RowOperands& a, const PanelOperands& b, size_t lo, size_t hi, Carry& c) {
  switch (P.block) {  // the presets' block sizes, unrolled
    case 4: return blocks_lanes<4>(P, a, b, lo, hi, c);
    case 8: return blocks_lanes<8>(P, a, b, lo, hi, c);
    case 16: return blocks_lanes<16>(P, a, b, lo, hi, c);
    case 32: return blocks_lanes<32>(P, a, b, lo, hi, c);
    default: return blocks_lanes<0>(P, a, b, lo, hi, c);
  }
}

LaneDatapath lane_datapath(const MmaInstruction& mma) {
  const auto& s = mma.spec();
  const auto dp = mma.aligned_datapath();
  LaneDatapath P;
  P.F = s.fma.fraction_bits;
  P.L = std::max(0, P.F - dp.am - dp.bm);
  P.R = std::max(0, dp.am + dp.bm - P.F);
  P.floor_e = std::max(s.fma.exp_floor, kNoAlign);
  P.blockm = dp.blockm;
  P.block_emin = dp.block_emin;
  P.block_emax = dp.block_emax;
  P.rne = s.block_rounding == formats::Rounding::NearestEven;
  P.k = size_t(s.k);
  P.block = size_t(s.block);
  const int blocks = s.k / s.block, run = s.interleave ? s.interleave : s.block;
  P.slot.resize(P.k);
  size_t at = 0;
  for (int blk = 0; blk < blocks; ++blk)  // block blk holds the runs r with r mod blocks == blk
    for (int r = blk; r * run < s.k; r += blocks)
      for (int j = r * run; j < (r + 1) * run; ++j) P.slot[size_t(j)] = at++;
  return P;
}

// An operand for the lanes: significand, alignment exponent and sign mask; a zero, NaN or
// infinity reads as zero (`special` says which outputs mma_dot must give instead).
struct LaneOperand {
  int32_t mant = 0, align = kZeroAlign, sign = 0;
  bool special = false;
};
LaneOperand lane_operand(const MmaInstruction::OperandBits& x) {
  LaneOperand o;
  const bool fin = x.cls == MmaInstruction::kFinite;
  o.special = x.cls != MmaInstruction::kFinite && x.cls != MmaInstruction::kZero;
  o.mant = fin ? int32_t(x.mant) : 0;
  o.align = fin ? int32_t(x.align) : kZeroAlign;
  o.sign = x.neg ? -1 : 0;
  return o;
}

// One side's codes as lane operands, decoded once per GEMM: formats of <= 8 bits through a
// table of every code (the instruction's own decoding), IEEE formats of 9..16 bits from
// their fields (a 65,536-entry table would cost more to fill than the GEMM's decoding),
// anything else one code at a time.
class SideDecoder {
 public:
  SideDecoder(const MmaInstruction& mma, bool a_side) : mma_(mma), a_(a_side) {
    const auto& f = a_side ? mma.spec().a : mma.spec().b;
    const auto* mf = f.codec<formats::MinifloatCodec>();
    if (f.bits() <= 8) {
      mask_ = (uint32_t{1} << f.bits()) - 1;
      for (uint32_t c = 0; c <= mask_; ++c) table_.push_back(lane_operand(bits(c)));
    } else if (f.bits() <= 16 && mf && mf->spec().conv == formats::FloatConvention::IEEE && !mma.spec().operand_format &&
               !mma.spec().ftz) {
      fields_ = true;
      m_ = mf->spec().m;
      e_ = mf->spec().e;
      bias_ = mf->spec().bias;
    }
  }
  // codes[0 .. n) into the operand arrays at slot(t) * stride (LaneDatapath::slot, whole
  // instructions of k); returns whether any is NaN or infinite. One loop per way of
  // decoding, the arrays as plain pointers (stores through them cannot move them).
  bool decode(const uint32_t* codes, size_t n, const LaneDatapath& P, size_t stride, int32_t* mant, int32_t* align,
              int32_t* sign) const {
    bool special = false;
    auto each = [&](auto&& one) {
      for (size_t t0 = 0; t0 < n; t0 += P.k)
        for (size_t q = 0; q < P.k && t0 + q < n; ++q) {
          const LaneOperand o = one(codes[t0 + q]);
          const size_t at = (t0 + P.slot[q]) * stride;
          mant[at] = o.mant;
          align[at] = o.align;
          sign[at] = o.sign;
          special |= o.special;
        }
    };
    if (!table_.empty()) each([&](uint32_t c) { return table_[c & mask_]; });
    else if (fields_) each([&](uint32_t c) { return field(c); });
    else each([&](uint32_t c) { return lane_operand(bits(c)); });
    return special;
  }

 private:
  // An IEEE code from its fields (branch-free: the loops over codes vectorize).
  LaneOperand field(uint32_t code) const {
    LaneOperand o;
    const uint32_t frac = code & ((uint32_t{1} << m_) - 1), ef = (code >> m_) & ((uint32_t{1} << e_) - 1);
    const bool top = ef == (uint32_t{1} << e_) - 1;  // NaN or infinity
    const uint32_t mant = top ? 0 : frac | (uint32_t(ef != 0) << m_);
    o.sign = -int32_t((code >> (m_ + e_)) & 1);
    o.special = top;
    o.mant = int32_t(mant);
    o.align = mant ? (ef ? int32_t(ef) : 1) - bias_ : kZeroAlign;  // a subnormal aligns at the minimum exponent
    return o;
  }
  MmaInstruction::OperandBits bits(uint32_t c) const { return a_ ? mma_.operand_a(c) : mma_.operand_b(c); }
  const MmaInstruction& mma_;
  bool a_;
  uint32_t mask_ = 0;
  std::vector<LaneOperand> table_;
  bool fields_ = false;
  int m_ = 0, e_ = 0, bias_ = 0;
};

// The code of a lane's block result in `out` (an IEEE format holding it exactly), assembled
// from its fields; `ieee` is false when `out` is not IEEE (then MmaInstruction::code does it).
struct OutEncoder {
  bool ieee = false;
  int m = 0, e = 0, bias = 0;
  explicit OutEncoder(const formats::ElementFormat& out) {
    const auto* mf = out.codec<formats::MinifloatCodec>();
    ieee = mf && mf->spec().conv == formats::FloatConvention::IEEE;
    if (ieee) m = mf->spec().m, e = mf->spec().e, bias = mf->spec().bias;
  }
  uint32_t operator()(bool neg, uint64_t mant, int lsb) const {
    const uint32_t sign = uint32_t(neg) << (e + m);
    if (mant == 0) return sign;
    const int width = int(std::bit_width(mant)), top = lsb + width - 1, emin = 1 - bias;
    if (top < emin) return sign | uint32_t(mant << (lsb - (emin - m)));  // subnormal: the LSB at emin - m or above
    const uint32_t frac = uint32_t((mant << (m - (width - 1))) & ((uint64_t{1} << m) - 1));
    return sign | (uint32_t(top + bias) << m) | frac;
  }
};

}  // namespace

bool mma_gemm_lanes(const MmaInstruction& mma) {
  const auto& s = mma.spec();
  const auto dp = mma.aligned_datapath();
  if (!dp.lanes || s.block > 64 || s.fma.fraction_bits > 29 || dp.am + dp.bm + 2 > 31 || dp.blockm > 30) return false;
  const auto* out = s.out.codec<formats::MinifloatCodec>();
  if (!out || out->spec().m > 30) return false;
  // Each sum of magnitudes below 2^32: `block` products of at most (2^(am+1) - 1) *
  // (2^(bm+1) - 1) on the grid, and the addend below 2^(F + 1).
  const int F = s.fma.fraction_bits, L = std::max(0, F - dp.am - dp.bm), R = std::max(0, dp.am + dp.bm - F);
  const uint64_t prod = ((uint64_t{2} << dp.am) - 1) * ((uint64_t{2} << dp.bm) - 1);
  const uint64_t bound = uint64_t(s.block) * ((prod << L) >> R) + (uint64_t{1} << (F + 1));
  return bound < (uint64_t{1} << 32);
}

void mma_gemm(const MmaInstruction& mma, const MmaSchedule& sched, std::span<const uint32_t> a,
              std::span<const uint32_t> bt, size_t m, size_t n, size_t K, std::span<const uint32_t> c,
              std::span<uint32_t> d) {
  if (a.size() != m * K || bt.size() != n * K || d.size() != m * n || (c.size() != 1 && c.size() != m * n))
    throw std::invalid_argument(fmt::format("mma_gemm: {} codes of A, {} of B, {} of C, {} of D for {}x{}x{}", a.size(),
                                            bt.size(), c.size(), d.size(), m, n, K));
  auto c_of = [&](size_t i, size_t j) { return c.size() == 1 ? c[0] : c[i * n + j]; };
  auto scalar = [&](size_t i, size_t j) { return mma_dot(mma, sched, a.subspan(i * K, K), bt.subspan(j * K, K), c_of(i, j)); };
  if (!mma_gemm_lanes(mma)) {
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) d[i * n + j] = scalar(i, j);
    return;
  }
  const LaneDatapath P = lane_datapath(mma);
  const size_t Kp = (K + P.k - 1) / P.k * P.k;  // whole instructions: zeros past K
  // The seeds of the lanes' chains (accumulator codes) as their carry.
  auto seed_carry = [&](const std::array<uint32_t, kLanes>& codes) {
    Carry cr;
    for (int q = 0; q < kLanes; ++q) {
      const MmaInstruction::Value v = mma.value(codes[size_t(q)]);
      cr.neg[q] = v.d.neg ? -1 : 0;
      if (v.d.kind == formats::Unrounded::Kind::Finite) {
        const BlockTerm t = addend_term(v.d, v.m);
        cr.mant[q] = uint32_t(t.mant);
        cr.lsb[q] = t.lsb;
        cr.align[q] = t.align_exp;
      } else {
        cr.align[q] = kZeroAlign;
        if (v.d.kind != formats::Unrounded::Kind::Zero) cr.bad[q] = -1;  // NaN or infinite: mma_dot decides
      }
    }
    return cr;
  };
  constexpr size_t kRowBlock = 64;  // rows decoded together; a panel is decoded once per block of rows
  const SideDecoder dec_a(mma, true), dec_b(mma, false);
  const OutEncoder enc(mma.spec().out);
  // A schedule of one chain over K from c with nothing after it: the chain's code is the output.
  const bool one_chain = sched.promote == 0 && sched.split_k == 1 && sched.c_in_accumulator && !sched.c_in_register &&
                         sched.alpha == 1.0f && !sched.d;
  const uint32_t zero = mma.spec().out.encode(0.0);
  std::vector<RowOperands> rows(std::min(m, kRowBlock));
  for (auto& r : rows) r.mant.assign(Kp, 0), r.align.assign(Kp, kZeroAlign), r.sign.assign(Kp, 0);
  std::vector<char> row_special(rows.size());
  PanelOperands panel;  // zeros past K (and in the lanes past n)
  panel.mant.assign(Kp, vi{});
  panel.align.assign(Kp, splat(kZeroAlign));
  panel.sign.assign(Kp, vi{});
  struct Segment {
    std::array<uint32_t, kLanes> code;
    std::array<bool, kLanes> bad;
  };
  // The lanes' results after a chain over [lo, hi) from `seed`.
  auto run = [&](size_t r, size_t lo, size_t hi, const std::array<uint32_t, kLanes>& seeds) {
    Carry cr = seed_carry(seeds);
    run_lanes(P, rows[r], panel, lo, std::min(Kp, (hi + P.k - 1) / P.k * P.k), cr);
    Segment sg;
    for (int q = 0; q < kLanes; ++q) {
      sg.bad[size_t(q)] = cr.bad[q] != 0;
      const bool neg = cr.neg[q] != 0;
      const uint64_t mant = uint64_t(cr.mant[q]);
      if (lo >= hi) {
        sg.code[size_t(q)] = seeds[size_t(q)];  // no instruction: the seed as it is
      } else if (enc.ieee) {
        sg.code[size_t(q)] = enc(neg, mant, cr.lsb[q]);
      } else {
        const formats::Decoded dv{mant ? formats::Unrounded::Kind::Finite : formats::Unrounded::Kind::Zero, neg,
                                  mant ? cr.lsb[q] : 0, mant};
        sg.code[size_t(q)] = mma.code({dv, P.blockm});
      }
    }
    return sg;
  };
  std::vector<Segment> segments;
  for (size_t i0 = 0; i0 < m; i0 += kRowBlock) {
    const size_t rn = std::min(kRowBlock, m - i0);
    for (size_t r = 0; r < rn; ++r)
      row_special[r] = dec_a.decode(&a[(i0 + r) * K], K, P, 1, rows[r].mant.data(), rows[r].align.data(), rows[r].sign.data());
    for (size_t j0 = 0; j0 < n; j0 += kLanes) {
      const size_t ln = std::min<size_t>(kLanes, n - j0);
      std::array<bool, kLanes> col_special{};
      if (ln < kLanes)
        for (size_t t = 0; t < Kp; ++t) {
          panel.mant[t] = vi{};
          panel.align[t] = splat(kZeroAlign);
          panel.sign[t] = vi{};
        }
      // Lane l of element t is the int32 at t * 16 + l (vector element access through the
      // arrays' memory: a vector of 16 int32 is 16 consecutive int32).
      for (size_t l = 0; l < ln; ++l)
        col_special[l] = dec_b.decode(&bt[(j0 + l) * K], K, P, kLanes, reinterpret_cast<int32_t*>(panel.mant.data()) + l,
                                      reinterpret_cast<int32_t*>(panel.align.data()) + l,
                                      reinterpret_cast<int32_t*>(panel.sign.data()) + l);
      for (size_t r = 0; r < rn; ++r) {
        const size_t i = i0 + r;
        std::array<uint32_t, kLanes> cs, zeros;
        zeros.fill(zero);
        for (size_t l = 0; l < kLanes; ++l) cs[l] = l < ln ? c_of(i, j0 + l) : zero;
        if (one_chain) {
          const Segment sg = run(r, 0, K, cs);
          for (size_t l = 0; l < ln; ++l)
            d[i * n + j0 + l] = row_special[r] || col_special[l] || sg.bad[l] ? scalar(i, j0 + l) : sg.code[l];
          continue;
        }
        segments.clear();
        for (size_t l = 0; l < ln; ++l) {
          const size_t j = j0 + l;
          if (row_special[r] || col_special[l]) {
            d[i * n + j] = scalar(i, j);
            continue;
          }
          // The schedule's n-th chain is the same range for every output, and starts from
          // the output's c (the first chain, when c enters the accumulator) or from +0: the
          // first lane to ask runs it on all 16.
          size_t call = 0;
          bool bad = false;
          const uint32_t out = mma_schedule_dot(mma, sched, K, cs[l], [&](size_t lo, size_t hi, uint32_t) {
            if (call == segments.size()) segments.push_back(run(r, lo, hi, call == 0 && sched.c_in_accumulator ? cs : zeros));
            const Segment& sg = segments[call++];
            bad = bad || sg.bad[l];
            return sg.code[l];
          });
          d[i * n + j] = bad ? scalar(i, j) : out;
        }
      }
    }
  }
}

}  // namespace arithsim::units
