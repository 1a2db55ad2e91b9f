// Harness: .npy files (models/tensor/npy.hpp parse_npy: the reader of read_npy on bytes).
// Documented error: tensor::NpyError. Properties: the data is exactly the shape's bytes,
// values convert, and npy_bytes writes a file that parses to the same array.
#include <cstddef>
#include <cstdint>

#include <arithsim/models/tensor/npy.hpp>
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arithsim;
  tensor::NpyArray a;
  try {
    a = tensor::parse_npy(fuzz::text(data, size), "fuzz.npy");
  } catch (const tensor::NpyError& e) {
    fuzz::documented_error(e);
    return 0;
  }
  fuzz::check(a.item_size() > 0 && a.data.size() == a.size() * a.item_size(), "data size is not shape x item size");
  fuzz::check(a.data.size() <= size, "more data than input");
  fuzz::check(a.to_double().size() == a.size() && a.to_double(true).size() == a.size(), "to_double size");
  fuzz::check(a.to_float().size() == a.size(), "to_float size");
  const std::string out = tensor::npy_bytes(a);
  tensor::NpyArray back;
  try {
    back = tensor::parse_npy(out, "back.npy");
  } catch (const tensor::NpyError& e) {
    fuzz::failure("npy_bytes output does not parse", e.what());
  }
  fuzz::check(back.descr == a.descr && back.shape == a.shape && back.data == a.data, "npy_bytes round trip");
  return 0;
}
