// Cycle-level R x C arrays composed from any PE's datapath, the twin of rtl/pe_array.sv.
//
// Dataflows (ws and is: models/cycle/stationary_array.hpp):
//   os   output-stationary systolic array: row i of A enters on the left delayed i edges (input
//        skew), column j of B (with its group scale / zero point) at the top delayed j edges;
//        A and the valid/first/last flags move right one PE per edge, B moves down. Each PE
//        keeps its dot product in its accumulator and latches it on the last element.
//   dot  dot-product tile (the tensor-core / LUT Tensor Core "elongated" tile): every PE of
//        row i sees A row i and every PE of column j sees B column j in the same edge
//        (broadcast, no skew); per edge the tile does R x C x lanes multiply-accumulates, where
//        lanes = elements per operand word of the PE (k activations of a LUT Tensor Core
//        table, the SIMD lanes of the RMMEC, 1 for the MACs).
// Each PE is the PE's StreamingPe (front -> `stages` registers -> accumulate -> result
// register) with out_ready tied high (results drain every edge), so a PE is a pure delay
// line into its accumulator: PE (i,j) accumulates at edge t the element the array received
// at edge t - d(i,j) - stages, with d = i + j (os) or 0 (dot). The model therefore keeps the
// array's input history and indexes it instead of moving every hop and pipeline register;
// only accumulators and result registers are per-PE state. Equal to the RTL cycle by cycle
// (tests/cosim/array_cosim_test.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <arithsim/models/cycle/int_mac_cycle.hpp>
#include <arithsim/models/cycle/pe_cycle.hpp>

namespace arithsim::cycle {

enum class Dataflow { OutputStationary, DotTile, WeightStationary, InputStationary };
// "os" | "dot" | "ws" | "is", std::invalid_argument otherwise
Dataflow parse_dataflow(const std::string& s);
// ws and is: the arrays of models/cycle/stationary_array.hpp (K on the rows)
inline bool is_stationary(Dataflow d) { return d == Dataflow::WeightStationary || d == Dataflow::InputStationary; }
const char* dataflow_name(Dataflow d);

struct ArrayIn {  // one edge of the array's inputs
  bool rst_n = true, in_valid = false, in_first = false, in_last = false;
  std::vector<uint64_t> a;      // rows words: element (word) k of each row of A
  std::vector<uint64_t> w;      // cols words: element (word) k of each column of B
  std::vector<uint64_t> scale;  // cols: group scale codes (group-dequantizing PEs; else empty)
  std::vector<uint64_t> zero;   // cols: group zero points (idem)
};

// The runtime view of an array of any PE.
class PeArrayModel {
 public:
  virtual ~PeArrayModel() = default;
  virtual int rows() const = 0;
  virtual int cols() const = 0;
  virtual Dataflow dataflow() const = 0;
  virtual int stages() const = 0;
  virtual const PePorts& ports() const = 0;
  // Edges from an element entering the array to the last PE's result register holding it:
  // (R-1) + (C-1) skew/hops (os) + stages + 1.
  int latency() const {
    return (dataflow() == Dataflow::OutputStationary ? rows() + cols() - 2 : 0) + stages() + 1;
  }
  virtual void tick(const ArrayIn& in) = 0;
  virtual bool out_valid(int i, int j) const = 0;
  virtual uint64_t out_acc(int i, int j) const = 0;
};

inline void check_array_shape(int rows, int cols) {
  if (rows < 1 || rows > 256 || cols < 1 || cols > 256)
    throw std::invalid_argument(fmt::format("array: rows and cols must be 1..256, got {}x{}", rows, cols));
}

template <class Datapath>
class PeArray final : public PeArrayModel {
 public:
  PeArray(Datapath dp, int stages, int rows, int cols, Dataflow df)
      : dp_(std::move(dp)), S_(size_t(stages)), R_(size_t(rows)), C_(size_t(cols)), df_(df) {
    check_array_shape(rows, cols);
    check_stages("array", stages);
    if (df != Dataflow::OutputStationary && df != Dataflow::DotTile)
      throw std::invalid_argument(fmt::format("array: a {} array is a stationary array (make_stationary_array)", dataflow_name(df)));
    L_ = (df == Dataflow::OutputStationary ? R_ + C_ : 1) + S_;
    hist_.resize(L_);
    for (auto& h : hist_) clear(h);
    acc_.assign(R_ * C_, dp_.zero());
    out_.assign(R_ * C_, 0);
    out_valid_.assign(R_ * C_, 0);
    if constexpr (kFastInt) fast_ = !dp_.p_.saturate && dp_.p_.acc_bits <= 32;
    if (fast_) reset_int();
  }

  int rows() const override { return int(R_); }
  int cols() const override { return int(C_); }
  Dataflow dataflow() const override { return df_; }
  int stages() const override { return int(S_); }
  const PePorts& ports() const override { return dp_.ports(); }
  bool out_valid(int i, int j) const override { return out_valid_[size_t(i) * C_ + size_t(j)] != 0; }
  uint64_t out_acc(int i, int j) const override {
    const size_t p = size_t(i) * C_ + size_t(j);
    if (fast_) return uint64_t(uint32_t(out32_[p])) & mask(int(dp_.ports().out_bits));
    return out_[p];
  }

  void tick(const ArrayIn& in) override {
    if (!in.rst_n) {
      for (auto& h : hist_) clear(h);
      acc_.assign(R_ * C_, dp_.zero());
      if (fast_) reset_int();
      std::fill(out_.begin(), out_.end(), 0);
      std::fill(out_valid_.begin(), out_valid_.end(), 0);
      t_ = 0;
      return;
    }
    if (fast_) {
      if constexpr (kFastInt) tick_int(in);
      ++t_;
      return;
    }
    // record this edge's inputs
    Edge& e = hist_[t_ % L_];
    e.valid = in.in_valid;
    e.first = in.in_first;
    e.last = in.in_last;
    if (in.in_valid) {  // copies into the ring's own storage (no allocation)
      std::copy_n(in.a.begin(), R_, e.a.begin());
      std::copy_n(in.w.begin(), C_, e.w.begin());
      if (!in.scale.empty()) std::copy_n(in.scale.begin(), C_, e.scale.begin());
      if (!in.zero.empty()) std::copy_n(in.zero.begin(), C_, e.zero.begin());
    }
    // every PE: accumulate the element of edge t - d(i,j) - S (front -> accumulate -> result)
    for (size_t i = 0; i < R_; ++i)
      for (size_t j = 0; j < C_; ++j) {
        const size_t d = (df_ == Dataflow::OutputStationary ? i + j : 0) + S_;
        const size_t p = i * C_ + j;
        if (t_ < d) {  // nothing has reached this PE since reset
          out_valid_[p] = 0;
          continue;
        }
        const Edge& h = hist_[(t_ - d) % L_];
        if (!h.valid) {
          out_valid_[p] = 0;
          continue;
        }
        PeIn pin;
        pin.in_a = h.a[i];
        pin.in_w = h.w[j];
        pin.in_scale = h.scale[j];
        pin.in_zero = h.zero[j];
        dp_.accumulate(acc_[p], dp_.front(pin), h.first);
        out_valid_[p] = h.last;
        if (h.last) out_[p] = dp_.result(acc_[p]);
      }
    ++t_;
  }

 private:
  static constexpr bool kFastInt = std::is_same_v<Datapath, IntMacDatapath>;
  struct Edge {
    bool valid = false, first = false, last = false;
    std::vector<uint64_t> a, w, scale, zero;
  };
  void clear(Edge& e) const {
    e.valid = e.first = e.last = false;
    e.a.assign(R_, 0);
    e.w.assign(C_, 0);
    e.scale.assign(C_, 0);
    e.zero.assign(C_, 0);
  }
  // The INT MAC with a wrapping accumulator of <= 32 bits: the same bits as
  // units::IntAccumulator in wrap mode, in 32-bit arithmetic, vectorized. The histories are
  // rings written backwards and twice (at q and q + L) so that PE (i,j), which reads index
  // q + d(i,j), finds one contiguous run per PE row; B is stored pre-skewed per column.
  void reset_int() {
    hist_a32_.assign(R_ * 2 * L_, 0);
    hist_f32_.assign(2 * L_, 0);
    hist_b32_.assign((2 * L_ + C_) * C_, 0);
    acc32_.assign(R_ * C_, 0);
    out32_.assign(R_ * C_, 0);
  }
  void tick_int(const ArrayIn& in) {
    const size_t q = L_ - 1 - t_ % L_;
    const int32_t flags = (in.in_valid ? 4 : 0) | (in.in_first ? 2 : 0) | (in.in_last ? 1 : 0);
    hist_f32_[q] = hist_f32_[q + L_] = flags;
    const int ab = dp_.p_.a_bits, wb = dp_.p_.w_bits;
    const bool os = df_ == Dataflow::OutputStationary;
    for (size_t i = 0; i < R_; ++i) hist_a32_[i * 2 * L_ + q] = hist_a32_[i * 2 * L_ + q + L_] = int32_t(sext(in.a[i], ab));
    for (size_t j = 0; j < C_; ++j) {
      const int32_t b = int32_t(sext(in.w[j], wb));
      const size_t sk = os ? j : 0;  // B pre-skewed: column j stored j rows later (os)
      hist_b32_[(q - sk + C_) * C_ + j] = hist_b32_[(q + L_ - sk + C_) * C_ + j] = b;
    }
    accumulate_int(q);  // history older than the reset is zero-filled: not valid
  }
  __attribute__((target_clones("avx2", "default"))) void accumulate_int(size_t q) {
    const int sh = 32 - dp_.p_.acc_bits;
    const bool os = df_ == Dataflow::OutputStationary;
    for (size_t i = 0; i < R_; ++i) {
      const size_t base = q + S_ + (os ? i : 0);  // PE (i,j) reads base + j (os) or base (dot)
      const int32_t* a = &hist_a32_[i * 2 * L_ + base];
      const int32_t* b = &hist_b32_[(base + C_) * C_];
      const int32_t* f = &hist_f32_[base];
      int32_t* acc = &acc32_[i * C_];
      int32_t* out = &out32_[i * C_];
      uint8_t* ov = &out_valid_[i * C_];
      if (os) {
        for (size_t j = 0; j < C_; ++j) mac(a[j], b[j], f[j], acc[j], out[j], ov[j], sh);
      } else {
        for (size_t j = 0; j < C_; ++j) mac(a[0], b[j], f[0], acc[j], out[j], ov[j], sh);
      }
    }
  }
  static inline void mac(int32_t a, int32_t b, int32_t f, int32_t& acc, int32_t& out, uint8_t& ov, int sh) {
    const uint32_t base = (f & 2) ? 0u : uint32_t(acc);
    const int32_t sum = int32_t((base + uint32_t(a * b)) << sh) >> sh;  // wrap to acc_bits
    const bool valid = (f & 4) != 0, last = (f & 5) == 5;
    acc = valid ? sum : acc;
    out = last ? sum : out;
    ov = last;
  }

  Datapath dp_;
  size_t S_, R_, C_, L_ = 0;
  Dataflow df_;
  uint64_t t_ = 0;  // edges since reset
  std::vector<Edge> hist_;
  std::vector<typename Datapath::Acc> acc_;
  std::vector<int32_t> hist_a32_, hist_f32_, hist_b32_, acc32_, out32_;
  std::vector<uint64_t> out_;
  std::vector<uint8_t> out_valid_;
  bool fast_ = false;
};

}  // namespace arithsim::cycle
