#include <arithsim/models/tensor/npy.hpp>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace arithsim::tensor {
namespace {

// Text from the file, for a one-line message, escaped as io::escape does (models/io/escape.hpp;
// arithsim_tensor does not link arithsim_escape): control bytes as \n, \r, \t or \xNN, backslash
// doubled, at most 80 characters.
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 80)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == '\\') out += "\\\\";
    else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  if (s.size() > 80) out += "...";
  return out;
}

size_t descr_size(const std::string& d) {
  if (d == "<f4" || d == "<i4" || d == "<u4") return 4;
  if (d == "<f8") return 8;
  if (d == "<f2" || d == "<u2" || d == "<i2") return 2;
  if (d == "|i1" || d == "|u1" || d == "<i1" || d == "<u1" || d == "|b1") return 1;
  return 0;
}

double half_to_double(uint16_t h) {
  const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const double s = (h >> 15) ? -1.0 : 1.0;
  if (e == 0x1f) return m ? std::nan("") : s * HUGE_VAL;
  if (e == 0) return s * std::ldexp(double(m), -24);
  return s * std::ldexp(double(m | 0x400), e - 25);
}

// A tiny parser for the header's Python dict literal: {'descr': '<f4', 'fortran_order':
// False, 'shape': (2, 3), }
std::string dict_value(const std::string& h, const std::string& key, const std::string& path) {
  const auto k = h.find("'" + key + "'");
  if (k == std::string::npos) throw NpyError(fmt::format("{}: npy header has no '{}'", path, key));
  const auto colon = h.find(':', k);
  if (colon == std::string::npos) throw NpyError(fmt::format("{}: malformed npy header", path));
  size_t i = colon + 1;
  while (i < h.size() && h[i] == ' ') ++i;
  if (i >= h.size()) throw NpyError(fmt::format("{}: malformed npy header", path));
  if (h[i] == '\'') {
    const auto end = h.find('\'', i + 1);
    if (end == std::string::npos) throw NpyError(fmt::format("{}: malformed npy header", path));
    return h.substr(i + 1, end - i - 1);
  }
  if (h[i] == '(') {
    const auto end = h.find(')', i);
    if (end == std::string::npos) throw NpyError(fmt::format("{}: malformed npy header", path));
    return h.substr(i, end - i + 1);
  }
  size_t end = i;
  while (end < h.size() && h[end] != ',' && h[end] != '}') ++end;
  return h.substr(i, end - i);
}

}  // namespace

size_t NpyArray::item_size() const { return descr_size(descr); }

size_t NpyArray::size() const {
  size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<double> NpyArray::to_double(bool bf16_from_u2) const {
  const size_t n = size();
  std::vector<double> out(n);
  const uint8_t* p = data.data();
  for (size_t i = 0; i < n; ++i) {
    double v = 0;
    if (descr == "<f4") { float f; std::memcpy(&f, p + 4 * i, 4); v = f; }
    else if (descr == "<f8") { std::memcpy(&v, p + 8 * i, 8); }
    else if (descr == "<f2") { uint16_t h; std::memcpy(&h, p + 2 * i, 2); v = half_to_double(h); }
    else if (descr == "<u2") {
      uint16_t h; std::memcpy(&h, p + 2 * i, 2);
      if (bf16_from_u2) { uint32_t b = uint32_t(h) << 16; float f; std::memcpy(&f, &b, 4); v = f; }
      else v = h;
    }
    else if (descr == "<i2") { int16_t h; std::memcpy(&h, p + 2 * i, 2); v = h; }
    else if (descr == "<i4") { int32_t x; std::memcpy(&x, p + 4 * i, 4); v = x; }
    else if (descr == "<u4") { uint32_t x; std::memcpy(&x, p + 4 * i, 4); v = x; }
    else if (descr == "|i1" || descr == "<i1") v = int8_t(p[i]);
    else v = p[i];
    out[i] = v;
  }
  return out;
}

std::vector<float> NpyArray::to_float(bool bf16_from_u2) const {
  const auto d = to_double(bf16_from_u2);
  return std::vector<float>(d.begin(), d.end());
}

namespace {
template <class T>
NpyArray make(const std::vector<T>& v, std::vector<size_t> shape, const char* descr) {
  NpyArray a;
  a.descr = descr;
  a.shape = std::move(shape);
  if (a.size() != v.size()) throw std::invalid_argument("npy: shape does not match the data size");
  a.data.resize(v.size() * sizeof(T));
  std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}
}  // namespace

NpyArray NpyArray::from_float(const std::vector<float>& v, std::vector<size_t> s) { return make(v, std::move(s), "<f4"); }
NpyArray NpyArray::from_u8(const std::vector<uint8_t>& v, std::vector<size_t> s) { return make(v, std::move(s), "|u1"); }
NpyArray NpyArray::from_u16(const std::vector<uint16_t>& v, std::vector<size_t> s) { return make(v, std::move(s), "<u2"); }
NpyArray NpyArray::from_u32(const std::vector<uint32_t>& v, std::vector<size_t> s) { return make(v, std::move(s), "<u4"); }

namespace {

// An .npy file's bytes, from a file or from memory: read() fails at the end of the input;
// remaining() bounds every allocation by what the input can still deliver.
class FileSource {
 public:
  explicit FileSource(std::ifstream& f) : f_(f) {
    const auto here = f_.tellg();
    f_.seekg(0, std::ios::end);
    size_ = uint64_t(f_.tellg());
    f_.seekg(here);
  }
  bool read(void* dst, size_t n) {
    if (n > remaining()) return false;
    if (n && !f_.read(static_cast<char*>(dst), std::streamsize(n))) return false;
    pos_ += n;
    return true;
  }
  uint64_t remaining() const { return size_ - pos_; }

 private:
  std::ifstream& f_;
  uint64_t size_ = 0, pos_ = 0;
};

class MemorySource {
 public:
  explicit MemorySource(std::string_view b) : b_(b) {}
  bool read(void* dst, size_t n) {
    if (n > remaining()) return false;
    if (n) std::memcpy(dst, b_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  uint64_t remaining() const { return b_.size() - pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

// The shape tuple "(2, 3, 4)", "(5,)" or "()": decimal items separated by commas, one
// trailing comma allowed. The element count stays within kMaxElements and the rank within
// kMaxDims (checked item by item, before anything is allocated for the data).
std::vector<size_t> parse_shape(const std::string& shp, const std::string& path) {
  auto bad = [&] { return NpyError(fmt::format("{}: malformed shape '{}'", path, printable(shp))); };
  if (shp.size() < 2 || shp.front() != '(' || shp.back() != ')') throw bad();
  const std::string inner = shp.substr(1, shp.size() - 2);
  std::vector<std::string> items;
  std::stringstream ss(inner);
  for (std::string tok; std::getline(ss, tok, ',');) items.push_back(tok);
  if (!inner.empty() && inner.back() == ',') items.emplace_back();  // marks the trailing comma
  std::vector<size_t> shape;
  uint64_t count = 1;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string t = items[i];
    const auto b = t.find_first_not_of(' '), e = t.find_last_not_of(' ');
    t = b == std::string::npos ? "" : t.substr(b, e - b + 1);
    if (t.empty() && i + 1 == items.size() && i > 0) break;  // trailing comma
    if (t.empty() || t.size() > 19 || t.find_first_not_of("0123456789") != std::string::npos) throw bad();
    if (shape.size() == kNpyMaxDims)
      throw NpyError(fmt::format("{}: shape '{}' has more than {} dimensions", path, printable(shp), kNpyMaxDims));
    const uint64_t d = std::stoull(t);
    if (d != 0 && count > kNpyMaxElements / d)
      throw NpyError(fmt::format("{}: shape '{}' has more than 2^{} elements", path, printable(shp),
                                 std::countr_zero(kNpyMaxElements)));
    count *= d;
    shape.push_back(size_t(d));
  }
  return shape;
}

template <class Source>
NpyArray read_from(Source& src, const std::string& path) {
  char magic[8];
  if (!src.read(magic, 8)) throw NpyError(fmt::format("{}: truncated npy file (no header)", path));
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw NpyError(fmt::format("{}: not an npy file (bad magic)", path));
  const int major = uint8_t(magic[6]);
  uint32_t hlen = 0;
  if (major == 1) {
    uint8_t b[2];
    if (!src.read(b, 2)) throw NpyError(fmt::format("{}: truncated npy header", path));
    hlen = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    uint8_t b[4];
    if (!src.read(b, 4)) throw NpyError(fmt::format("{}: truncated npy header", path));
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  } else {
    throw NpyError(fmt::format("{}: unsupported npy version {}", path, major));
  }
  if (hlen > kNpyMaxHeader)
    throw NpyError(fmt::format("{}: npy header of {} bytes is larger than the limit of {} bytes", path, hlen,
                               kNpyMaxHeader));
  if (hlen > src.remaining())
    throw NpyError(fmt::format("{}: truncated npy header (the header length is {} bytes, the file holds {} more)",
                               path, hlen, src.remaining()));
  std::string h(hlen, '\0');
  if (!src.read(h.data(), hlen)) throw NpyError(fmt::format("{}: truncated npy header", path));
  NpyArray a;
  a.descr = dict_value(h, "descr", path);
  if (descr_size(a.descr) == 0)
    throw NpyError(fmt::format(
        "{}: unsupported dtype '{}' (want float32/64, float16, uint16 (bf16), int8/16/32, uint8/32)", path,
        printable(a.descr)));
  if (dict_value(h, "fortran_order", path).find("True") != std::string::npos)
    throw NpyError(fmt::format("{}: Fortran-order arrays are not supported", path));
  const std::string shp = dict_value(h, "shape", path);
  a.shape = parse_shape(shp, path);
  // At most kNpyMaxElements elements of at most 8 bytes: no overflow. The input must hold
  // the data before anything is allocated for it.
  const uint64_t bytes = uint64_t(a.size()) * a.item_size();
  if (src.remaining() < bytes)
    throw NpyError(fmt::format("{}: truncated npy data (expected {} bytes for shape {}, found {})", path, bytes,
                               printable(shp), src.remaining()));
  a.data.resize(size_t(bytes));
  if (!src.read(a.data.data(), size_t(bytes)))
    throw NpyError(fmt::format("{}: truncated npy data (expected {} bytes for shape {})", path, bytes, printable(shp)));
  return a;
}

}  // namespace

NpyArray read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw NpyError(fmt::format("{}: cannot open ({})", path, std::strerror(errno)));
  FileSource src(f);
  return read_from(src, path);
}

NpyArray parse_npy(std::string_view bytes, const std::string& name) {
  MemorySource src(bytes);
  return read_from(src, name);
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / fmt::format(".{}.tmp.XXXXXX", target.filename().string())).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot create a temporary file ({})", path, std::strerror(errno)));
  size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (w <= 0) {
      ::close(fd);
      std::remove(tmpl.c_str());
      throw std::runtime_error(fmt::format("{}: write failed ({})", path, std::strerror(errno)));
    }
    off += size_t(w);
  }
  ::fchmod(fd, 0644);
  if (::close(fd) != 0 || std::rename(tmpl.c_str(), path.c_str()) != 0) {
    std::remove(tmpl.c_str());
    throw std::runtime_error(fmt::format("{}: cannot write ({})", path, std::strerror(errno)));
  }
}

std::string npy_bytes(const NpyArray& a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += fmt::format("{}{}", a.shape[i], (a.shape.size() == 1 || i + 1 < a.shape.size()) ? "," : "");
  shape += ")";
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", a.descr, shape);
  // Pad so that the data starts on a 64-byte boundary (npy 1.0: 10-byte preamble).
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(dict.size() & 0xff);
  out += char((dict.size() >> 8) & 0xff);
  out += dict;
  out.append(reinterpret_cast<const char*>(a.data.data()), a.data.size());
  return out;
}

void write_npy(const std::string& path, const NpyArray& a) { write_file_atomic(path, npy_bytes(a)); }

}  // namespace arithsim::tensor
