// NumPy .npy tensors (format version 1.0/2.0/3.0, little endian, C order):
// float32, float64, float16, bfloat16 (stored as uint16), int8, uint8, int16, int32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace arithsim::tensor {

// Thrown for malformed or unsupported files; the message names the file and the problem.
struct NpyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  std::string descr;          // numpy dtype string, e.g. "<f4"
  std::vector<size_t> shape;  // empty = scalar
  std::vector<uint8_t> data;  // raw little-endian elements, C order

  size_t size() const;
  size_t item_size() const;
  // Values as doubles (exact for every supported type). "<u2" is read as bfloat16 bit
  // patterns when bf16_from_u2 is set, else as unsigned 16-bit integers.
  std::vector<double> to_double(bool bf16_from_u2 = false) const;
  std::vector<float> to_float(bool bf16_from_u2 = false) const;  // rounds float64 RNE

  static NpyArray from_float(const std::vector<float>& v, std::vector<size_t> shape);
  static NpyArray from_u8(const std::vector<uint8_t>& v, std::vector<size_t> shape);
  static NpyArray from_u16(const std::vector<uint16_t>& v, std::vector<size_t> shape);
  static NpyArray from_u32(const std::vector<uint32_t>& v, std::vector<size_t> shape);
};

// Limits of the reader (NpyError naming the limit beyond them): the header dict's length,
// the rank, and the element count (checked dimension by dimension, so the byte count cannot
// overflow; the data must also be present in the file before anything is allocated for it).
inline constexpr uint32_t kNpyMaxHeader = 1u << 20;
inline constexpr size_t kNpyMaxDims = 64;
inline constexpr uint64_t kNpyMaxElements = uint64_t(1) << 48;

NpyArray read_npy(const std::string& path);
// The same from the file's bytes; `name` names it in messages.
NpyArray parse_npy(std::string_view bytes, const std::string& name);
// The bytes of `a` as an .npy file (format 1.0, data on a 64-byte boundary).
std::string npy_bytes(const NpyArray& a);
// Writes npy_bytes(a) to a temporary file in the same directory, then renames it over `path`.
void write_npy(const std::string& path, const NpyArray& a);

// Replaces `path` atomically with `bytes` (temp file + rename); no partial file on error.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace arithsim::tensor
