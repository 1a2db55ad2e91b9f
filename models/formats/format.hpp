// One element format of any kind, by name: the registry of named presets (ml_dtypes names
// and short aliases) and the generic spec syntax, over the per-kind codecs.
#pragma once

#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <arithsim/models/formats/integer.hpp>
#include <arithsim/models/formats/minifloat.hpp>
#include <arithsim/models/formats/posit.hpp>

namespace arithsim::formats {

using ElementSpec = std::variant<MinifloatSpec, IntSpec, BipolarSpec, PositSpec>;

// Facts about a format for `arithsim format list` and reports.
struct FormatInfo {
  std::string name;      // name as registered (or the spec as given)
  std::string kind;      // minifloat | int | bipolar | posit
  std::string layout;    // e.g. "s1 e4 m3"
  int bits = 0;
  int bias = 0;          // minifloats only
  double max = 0;        // largest finite value
  double min_normal = 0; // smallest positive normal (posits: minpos; ints: resolution)
  double min_subnormal = 0;
  std::string specials;  // e.g. "NaN=0x7f,0xff; no inf"
};

// An operand decoded exactly: value = (-1)^neg * mant * 2^exp with an integer mant,
// or a special (kind Zero, Inf or NaN). This is what arithmetic units consume.
struct Decoded {
  Unrounded::Kind kind = Unrounded::Kind::Zero;
  bool neg = false;
  int exp = 0;
  uint64_t mant = 0;
  Unrounded unrounded() const {
    if (kind != Unrounded::Kind::Finite) return {kind, neg, false, 0, 0};
    return Unrounded::from_int(neg, mant, exp);
  }
};

class ElementFormat {
 public:
  // Accepts preset names (float8_e4m3fn), aliases (e4m3, fp4, bf16, int4, posit16_1 ...)
  // and generic specs (e3m4, e5m2:bias=15:ieee, int8:wrap, posit(8,0)). Throws
  // std::invalid_argument("unknown format 'x'") or a message naming the bad field.
  static ElementFormat parse(std::string_view text);
  explicit ElementFormat(ElementSpec spec, std::string name = "");

  const std::string& name() const { return name_; }
  const ElementSpec& spec() const { return spec_; }
  int bits() const;
  FormatInfo info() const;

  double decode(uint32_t code, bool daz = false) const;
  Decoded decode_exact(uint32_t code, bool daz = false) const;
  uint32_t encode(const Unrounded& u, const RoundingOptions& o = {}) const;
  uint32_t encode(double x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_double(x), o); }
  uint32_t encode(float x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_float(x), o); }
  // Bulk paths: one dispatch per call, then a tight loop over the codec (table lookups
  // for decode of formats of <= 16 bits).
  void encode(std::span<const float> in, std::span<uint8_t> out, const RoundingOptions& o = {}) const;
  void encode(std::span<const float> in, std::span<uint16_t> out, const RoundingOptions& o = {}) const;
  void decode(std::span<const uint8_t> in, std::span<float> out) const;
  void decode(std::span<const uint16_t> in, std::span<float> out) const;
  // Fast encode of float32 for formats of <= 8 bits and deterministic rounding: a table of
  // 2^17 codes indexed by the top 16 bits of the float and whether its low 16 bits are
  // nonzero. Valid because every rounding boundary of such a format (its values, the
  // midpoints between them, posit pattern midpoints) lies on the bfloat16 grid, so all
  // floats strictly between two bfloat16 neighbours encode alike; checked when built.
  // Returns nullptr where that does not hold or the mode is stochastic.
  const uint8_t* encode_table(const RoundingOptions& o) const;
  // Whether encode_table exists for deterministic modes (without building it).
  bool has_bf16_grid() const { return bf16_grid_; }
  static uint8_t lookup(const uint8_t* table, float x) {
    const uint32_t b = std::bit_cast<uint32_t>(x);
    return table[((b >> 16) << 1) | ((b & 0xffffu) != 0)];
  }
  // Throws std::invalid_argument when the options do not apply to this format.
  void check(const RoundingOptions& o) const;
  bool is_nan(uint32_t code) const;
  // Largest power-of-two exponent of the format's max finite value (MX's emax_elem).
  int emax() const;

  template <class T> const T* codec() const { return std::get_if<T>(&codec_); }
  const auto& codec_variant() const { return codec_; }
  // Every code's value as float, for formats of <= 16 bits whose values are all floats
  // (empty otherwise).
  const std::vector<float>& table() const { return *table_f32_; }

 private:
  std::string name_;
  ElementSpec spec_;
  std::variant<MinifloatCodec, IntCodec, BipolarCodec, PositCodec> codec_;
  // Shared, immutable once built: copying a format copies no table.
  std::shared_ptr<const std::vector<float>> table_f32_;  // every code's value as float (<= 16 bits, where exact)
  std::shared_ptr<const std::vector<float>> table8_;     // the same for 8-bit codes, repeated to 256 entries (<= 8 bits)
  bool bf16_grid_ = false;        // every rounding boundary is a bfloat16 value
  struct TableCache {
    std::mutex mu;
    std::map<uint32_t, std::shared_ptr<const std::vector<uint8_t>>> tables;
  };
  std::shared_ptr<TableCache> cache_ = std::make_shared<TableCache>();
};

struct Preset {
  std::string name;
  std::vector<std::string> aliases;
  ElementSpec spec;
  std::string source;  // where its definition comes from
};
const std::vector<Preset>& presets();

}  // namespace arithsim::formats
