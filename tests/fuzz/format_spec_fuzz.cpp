// Harness: number format specs (models/formats/format.hpp ElementFormat::parse: presets,
// aliases, generic specs; models/formats/block.hpp parse_block: block formats and their
// options). Documented error: std::invalid_argument. A format that parses is used: its
// info, the decode of its first codes, encodes of a few values; a block format quantizes
// and dequantizes a small tensor. Its name must parse again to the same format.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/formats/format.hpp>
#include "tests/fuzz/fuzz_util.hpp"

namespace {

using namespace arithsim;

void use_element(const formats::ElementFormat& f) {
  const int bits = f.bits();
  // Open: info() and emax() of a 32-bit bipolar format shift a 32-bit 1 by 32 (UBSan;
  // format.cpp, BipolarCodec) (pending/format_spec/crash-bipolar32-info-shift).
  const bool wide_bipolar = fuzz::known_issue(f.codec<formats::BipolarCodec>() != nullptr && bits >= 32);
  if (!wide_bipolar) (void)f.info();
  fuzz::check(bits >= 1 && bits <= 64, "bits() out of range");
  const uint32_t codes = bits >= 8 ? 256u : (1u << bits);
  for (uint32_t c = 0; c < codes; ++c) (void)f.decode_exact(c), (void)f.decode(c);
  for (const double x : {0.0, -0.0, 1.0, -1.5, 3.14159, 1e-30, -1e30, 448.0, 465.0,
                         std::numeric_limits<double>::infinity(), std::nan("")})
    (void)f.decode(f.encode(x));
  if (!wide_bipolar) (void)f.emax();
}

void use_block(const formats::BlockSpec& s) {
  const formats::BlockCodec codec(s);
  std::vector<float> x(96);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(double(i)) * std::ldexp(1.0, int(i % 17) - 8));
  const auto q = codec.quantize(x, 48);
  fuzz::check(codec.dequantize(q).size() == x.size(), "dequantize size");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::text(data, size);
  try {
    const auto f = formats::ElementFormat::parse(text);
    use_element(f);
    try {
      const auto again = formats::ElementFormat::parse(f.name());
      const bool wide_bipolar = fuzz::known_issue(f.codec<formats::BipolarCodec>() != nullptr && f.bits() >= 32);
      fuzz::check(again.bits() == f.bits() && (wide_bipolar || again.info().layout == f.info().layout),
                  "name() parses to another format",
                  f.name());
    } catch (const std::invalid_argument& e) {
      fuzz::failure("name() of a parsed format does not parse", f.name() + ": " + e.what());
    }
  } catch (const std::invalid_argument& e) {
    fuzz::documented_error(e);
  }
  (void)formats::looks_like_block(text);
  try {
    use_block(formats::parse_block(text));
  } catch (const std::invalid_argument& e) {
    fuzz::documented_error(e);
  }
  return 0;
}
