// One element format of any kind, by name: the registry of named presets (ml_dtypes names
// and short aliases) and the generic spec syntax, over the per-kind codecs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/formats/integer.hpp"
#include "models/formats/minifloat.hpp"
#include "models/formats/posit.hpp"

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
  uint32_t encode(const Unrounded& u, const RoundingOptions& o = {}) const;
  uint32_t encode(double x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_double(x), o); }
  uint32_t encode(float x, const RoundingOptions& o = {}) const { return encode(Unrounded::from_float(x), o); }
  // Throws std::invalid_argument when the options do not apply to this format.
  void check(const RoundingOptions& o) const;
  bool is_nan(uint32_t code) const;
  // Largest power-of-two exponent of the format's max finite value (MX's emax_elem).
  int emax() const;

  template <class T> const T* codec() const { return std::get_if<T>(&codec_); }

 private:
  std::string name_;
  ElementSpec spec_;
  std::variant<MinifloatCodec, IntCodec, BipolarCodec, PositCodec> codec_;
};

struct Preset {
  std::string name;
  std::vector<std::string> aliases;
  ElementSpec spec;
  std::string source;  // where its definition comes from
};
const std::vector<Preset>& presets();

}  // namespace arithsim::formats
