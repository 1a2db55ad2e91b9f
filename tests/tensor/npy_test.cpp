// .npy reader/writer: round trips, hand-made files per the NumPy format spec
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html), errors and the
// atomic file replacement.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include <arithsim/models/tensor/npy.hpp>

namespace {

namespace fs = std::filesystem;
using arithsim::tensor::NpyArray;
using arithsim::tensor::NpyError;
using arithsim::tensor::read_npy;
using arithsim::tensor::write_file_atomic;
using arithsim::tensor::write_npy;

// A fresh directory per test, removed afterwards.
class NpyTest : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(testing::TempDir()) /
           (std::string("arithsim_npy_") + info->test_suite_name() + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::set<std::string> listing() const {
    std::set<std::string> s;
    for (const auto& e : fs::directory_iterator(dir_)) s.insert(e.path().filename().string());
    return s;
  }
  fs::path dir_;
};

std::string read_all(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void write_all(const std::string& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(f.good()) << p;
}

template <class T>
std::string le_bytes(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(s.data(), v.data(), s.size());  // the test host is little endian (x86/ARM)
  return s;
}

// An .npy file built by hand per the spec: magic, version, header length (u16 for 1.0,
// u32 for 2.0/3.0), the dict padded with spaces and a final '\n' so that the data starts
// on a 64-byte boundary, then the data.
std::string make_npy(const std::string& dict, const std::string& data, int major = 1) {
  const size_t pre = major == 1 ? 10 : 12;
  std::string h = dict;
  const size_t total = pre + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(0);
  const uint32_t n = uint32_t(h.size());
  out += char(n & 0xff);
  out += char((n >> 8) & 0xff);
  if (major != 1) {
    out += char((n >> 16) & 0xff);
    out += char((n >> 24) & 0xff);
  }
  return out + h + data;
}

std::string dict(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

template <class F>
void expect_npy_error(F&& f, const std::string& path, const std::string& also = "") {
  try {
    f();
    ADD_FAILURE() << "no NpyError for " << path;
  } catch (const NpyError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << "message does not name the file: " << m;
    if (!also.empty()) {
      EXPECT_NE(m.find(also), std::string::npos) << "message lacks '" << also << "': " << m;
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected NpyError for " << path << ", got another exception: " << e.what();
  }
}

const std::vector<std::vector<size_t>> kShapes = {{}, {5}, {2, 3, 4}};

size_t count(const std::vector<size_t>& shape) {
  size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// Header facts of a file written by write_npy, checked against the spec.
void check_header(const std::string& bytes, const std::string& descr, const std::vector<size_t>& shape,
                  size_t data_bytes) {
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(int(uint8_t(bytes[6])), 1);
  EXPECT_EQ(int(uint8_t(bytes[7])), 0);
  const size_t hlen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
  EXPECT_EQ((10 + hlen) % 64, 0u) << "data must start on a 64-byte boundary";
  ASSERT_EQ(bytes.size(), 10 + hlen + data_bytes);
  const std::string h = bytes.substr(10, hlen);
  EXPECT_EQ(h.back(), '\n');
  std::string compact;
  for (char c : h)
    if (c != ' ' && c != '\n') compact += c;
  EXPECT_NE(compact.find("'descr':'" + descr + "'"), std::string::npos) << h;
  EXPECT_NE(compact.find("'fortran_order':False"), std::string::npos) << h;
  // A Python tuple literal: () for a scalar, (5,) for one dimension (the comma matters).
  std::string tuple = "(";
  for (size_t i = 0; i < shape.size(); ++i) tuple += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  tuple += ")";
  EXPECT_NE(compact.find("'shape':" + tuple), std::string::npos) << "want shape " << tuple << " in " << h;
}

// ---------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------

TEST_F(NpyTest, RoundTripFloat32) {
  for (const auto& shape : kShapes) {
    std::vector<float> v(count(shape));
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(i) * 0.375f - 3.0f;
    if (v.size() > 3) {
      v[1] = std::numeric_limits<float>::infinity();
      v[2] = -0.0f;
      v[3] = std::numeric_limits<float>::denorm_min();
    }
    const std::string p = path("f32_" + std::to_string(shape.size()) + ".npy");
    write_npy(p, NpyArray::from_float(v, shape));
    const std::string bytes = read_all(p);
    check_header(bytes, "<f4", shape, v.size() * 4);
    const NpyArray a = read_npy(p);
    EXPECT_EQ(a.descr, "<f4");
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.size(), v.size());
    EXPECT_EQ(a.item_size(), 4u);
    ASSERT_EQ(a.data.size(), v.size() * 4);
    EXPECT_EQ(0, std::memcmp(a.data.data(), v.data(), a.data.size()));
  }
}

TEST_F(NpyTest, RoundTripUnsigned) {
  for (const auto& shape : kShapes) {
    const size_t n = count(shape);
    std::vector<uint8_t> u8(n);
    std::vector<uint16_t> u16(n);
    std::vector<uint32_t> u32(n);
    for (size_t i = 0; i < n; ++i) {
      u8[i] = uint8_t(255 - 7 * i);
      u16[i] = uint16_t(0xfff0 + i * 4099);
      u32[i] = uint32_t(0xfffffff0u - i * 0x01010101u);
    }
    const std::string tag = std::to_string(shape.size());
    struct Case {
      std::string file, descr;
      NpyArray a;
      size_t item;
      std::string raw;
    };
    const std::vector<Case> cases = {
        {path("u8_" + tag + ".npy"), "|u1", NpyArray::from_u8(u8, shape), 1, le_bytes(u8)},
        {path("u16_" + tag + ".npy"), "<u2", NpyArray::from_u16(u16, shape), 2, le_bytes(u16)},
        {path("u32_" + tag + ".npy"), "<u4", NpyArray::from_u32(u32, shape), 4, le_bytes(u32)},
    };
    for (const auto& c : cases) {
      SCOPED_TRACE(c.file);
      write_npy(c.file, c.a);
      check_header(read_all(c.file), c.descr, shape, n * c.item);
      const NpyArray b = read_npy(c.file);
      EXPECT_EQ(b.descr, c.descr);
      EXPECT_EQ(b.shape, shape);
      EXPECT_EQ(b.item_size(), c.item);
      EXPECT_EQ(std::string(b.data.begin(), b.data.end()), c.raw);
    }
  }
}

TEST_F(NpyTest, FromRejectsShapeMismatch) {
  EXPECT_THROW(NpyArray::from_float({1.0f, 2.0f, 3.0f}, {2, 2}), std::invalid_argument);
  EXPECT_THROW(NpyArray::from_u8({1, 2}, {}), std::invalid_argument);
}

// Values come back through to_double / to_float, not just the raw bytes.
TEST_F(NpyTest, RoundTripValuesToDouble) {
  const std::vector<float> f = {1.5f, -2.25f, 0.0f, 3.0e38f, -1.0e-40f};
  write_npy(path("f.npy"), NpyArray::from_float(f, {5}));
  const auto d = read_npy(path("f.npy")).to_double();
  ASSERT_EQ(d.size(), f.size());
  for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(d[i], double(f[i])) << "element " << i;
  const auto back = read_npy(path("f.npy")).to_float();
  ASSERT_EQ(back.size(), f.size());
  for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(back[i], f[i]) << "element " << i;

  const std::vector<uint8_t> u8 = {0, 1, 200, 255};
  write_npy(path("u8.npy"), NpyArray::from_u8(u8, {2, 2}));
  EXPECT_EQ(read_npy(path("u8.npy")).to_double(), (std::vector<double>{0, 1, 200, 255}));

  const std::vector<uint32_t> u32 = {0, 4294967295u, 16777217u};
  write_npy(path("u32.npy"), NpyArray::from_u32(u32, {3}));
  EXPECT_EQ(read_npy(path("u32.npy")).to_double(), (std::vector<double>{0, 4294967295.0, 16777217.0}));

  // A scalar (shape ()) holds one element.
  write_npy(path("s.npy"), NpyArray::from_float({42.5f}, {}));
  const auto s = read_npy(path("s.npy"));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.to_double(), std::vector<double>{42.5});
}

TEST_F(NpyTest, U2AsBfloat16OrAsInteger) {
  const std::vector<uint16_t> bits = {0x3f80, 0xc000, 0x7f80, 0xff80, 0x0001, 0x4049, 0x8000, 0x7fc0};
  write_npy(path("bf16.npy"), NpyArray::from_u16(bits, {bits.size()}));
  const NpyArray a = read_npy(path("bf16.npy"));
  const auto bf = a.to_double(/*bf16_from_u2=*/true);
  ASSERT_EQ(bf.size(), bits.size());
  EXPECT_EQ(bf[0], 1.0);
  EXPECT_EQ(bf[1], -2.0);
  EXPECT_EQ(bf[2], HUGE_VAL);
  EXPECT_EQ(bf[3], -HUGE_VAL);
  EXPECT_EQ(bf[4], std::ldexp(1.0, -133));  // smallest bfloat16 subnormal
  EXPECT_EQ(bf[5], 3.140625);
  EXPECT_EQ(bf[6], 0.0);
  EXPECT_TRUE(std::signbit(bf[6]));
  EXPECT_TRUE(std::isnan(bf[7]));
  const auto bff = a.to_float(true);
  ASSERT_EQ(bff.size(), bits.size());
  EXPECT_EQ(bff[0], 1.0f);
  EXPECT_EQ(bff[5], 3.140625f);
  const auto ints = a.to_double(/*bf16_from_u2=*/false);
  ASSERT_EQ(ints.size(), bits.size());
  for (size_t i = 0; i < bits.size(); ++i) EXPECT_EQ(ints[i], double(bits[i])) << "element " << i;
}

// ---------------------------------------------------------------------------------------
// Hand-made files of every supported dtype
// ---------------------------------------------------------------------------------------

TEST_F(NpyTest, HandMadeFloat64) {
  const std::vector<double> v = {1.5, -0.25, 1e300, 5e-324, -HUGE_VAL, 0.1};
  write_all(path("f8.npy"), make_npy(dict("<f8", "(2, 3)"), le_bytes(v)));
  const NpyArray a = read_npy(path("f8.npy"));
  EXPECT_EQ(a.descr, "<f8");
  EXPECT_EQ(a.shape, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(a.item_size(), 8u);
  EXPECT_EQ(a.to_double(), v);
  // to_float rounds to nearest even: 1 + 2^-24 is the midpoint of 1 and 1 + 2^-23.
  const std::vector<double> w = {1.0 + std::ldexp(1.0, -24), 1.0 + 3 * std::ldexp(1.0, -24), 1e300};
  write_all(path("f8b.npy"), make_npy(dict("<f8", "(3,)"), le_bytes(w)));
  const auto f = read_npy(path("f8b.npy")).to_float();
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0], 1.0f);
  EXPECT_EQ(f[1], 1.0f + std::ldexp(1.0f, -22));
  EXPECT_EQ(f[2], HUGE_VALF);
}

TEST_F(NpyTest, HandMadeFloat16) {
  const std::vector<uint16_t> h = {0x3c00, 0x7c00, 0xfc00, 0x0001, 0x7bff, 0xc000, 0x7e00, 0x8000, 0x0400, 0x3555};
  write_all(path("f2.npy"), make_npy(dict("<f2", "(10,)"), le_bytes(h)));
  const NpyArray a = read_npy(path("f2.npy"));
  EXPECT_EQ(a.descr, "<f2");
  EXPECT_EQ(a.item_size(), 2u);
  const auto d = a.to_double();
  ASSERT_EQ(d.size(), h.size());
  EXPECT_EQ(d[0], 1.0);
  EXPECT_EQ(d[1], HUGE_VAL);
  EXPECT_EQ(d[2], -HUGE_VAL);
  EXPECT_EQ(d[3], std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(d[4], 65504.0);               // largest finite
  EXPECT_EQ(d[5], -2.0);
  EXPECT_TRUE(std::isnan(d[6]));
  EXPECT_EQ(d[7], 0.0);
  EXPECT_TRUE(std::signbit(d[7]));
  EXPECT_EQ(d[8], std::ldexp(1.0, -14));  // smallest normal
  EXPECT_EQ(d[9], 1365.0 / 4096.0);       // 0x3555 = 1.0101010101b * 2^-2
}

TEST_F(NpyTest, HandMadeIntegers) {
  const std::vector<int8_t> i1 = {-128, -1, 0, 127};
  write_all(path("i1.npy"), make_npy(dict("|i1", "(4,)"), le_bytes(i1)));
  const NpyArray a = read_npy(path("i1.npy"));
  EXPECT_EQ(a.descr, "|i1");
  EXPECT_EQ(a.item_size(), 1u);
  EXPECT_EQ(a.to_double(), (std::vector<double>{-128, -1, 0, 127}));

  const std::vector<int32_t> i4 = {std::numeric_limits<int32_t>::min(), -1, 7, std::numeric_limits<int32_t>::max()};
  write_all(path("i4.npy"), make_npy(dict("<i4", "(2, 2)"), le_bytes(i4)));
  const NpyArray b = read_npy(path("i4.npy"));
  EXPECT_EQ(b.descr, "<i4");
  EXPECT_EQ(b.shape, (std::vector<size_t>{2, 2}));
  EXPECT_EQ(b.to_double(), (std::vector<double>{-2147483648.0, -1, 7, 2147483647.0}));

  const std::vector<int16_t> i2 = {-32768, -2, 32767};
  write_all(path("i2.npy"), make_npy(dict("<i2", "(3,)"), le_bytes(i2)));
  EXPECT_EQ(read_npy(path("i2.npy")).to_double(), (std::vector<double>{-32768, -2, 32767}));

  const std::vector<uint8_t> u1 = {0, 128, 255};
  write_all(path("u1.npy"), make_npy(dict("|u1", "(3,)"), le_bytes(u1)));
  EXPECT_EQ(read_npy(path("u1.npy")).to_double(), (std::vector<double>{0, 128, 255}));
}

TEST_F(NpyTest, HandMadeVersion2And3Headers) {
  const std::vector<float> v = {0.5f, -8.0f, 3.0f};
  for (int major : {2, 3}) {
    const std::string p = path(major == 2 ? "v2.npy" : "v3.npy");
    const std::string bytes = make_npy(dict("<f4", "(3,)"), le_bytes(v), major);
    ASSERT_EQ(bytes.size() % 64, 12u);  // 12-byte preamble + header is a multiple of 64
    write_all(p, bytes);
    const NpyArray a = read_npy(p);
    EXPECT_EQ(a.descr, "<f4");
    EXPECT_EQ(a.shape, std::vector<size_t>{3});
    EXPECT_EQ(a.to_double(), (std::vector<double>{0.5, -8.0, 3.0}));
  }
}

// numpy writes the keys sorted, but any order is a valid dict; spaces vary too.
TEST_F(NpyTest, HandMadeKeyOrderAndScalar) {
  const std::vector<float> v = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
  write_all(path("order.npy"),
            make_npy("{'shape': (3,2), 'fortran_order': False, 'descr': '<f4'}", le_bytes(v)));
  const NpyArray a = read_npy(path("order.npy"));
  EXPECT_EQ(a.descr, "<f4");
  EXPECT_EQ(a.shape, (std::vector<size_t>{3, 2}));
  EXPECT_EQ(a.to_double(), (std::vector<double>{1, 2, 3, 4, 5, 6}));

  const std::vector<double> s = {-7.5};
  write_all(path("scalar.npy"), make_npy(dict("<f8", "()"), le_bytes(s)));
  const NpyArray b = read_npy(path("scalar.npy"));
  EXPECT_TRUE(b.shape.empty());
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.to_double(), s);

  write_all(path("empty.npy"), make_npy(dict("<f4", "(0, 3)"), ""));
  const NpyArray c = read_npy(path("empty.npy"));
  EXPECT_EQ(c.shape, (std::vector<size_t>{0, 3}));
  EXPECT_EQ(c.size(), 0u);
  EXPECT_TRUE(c.to_double().empty());
}

// ---------------------------------------------------------------------------------------
// Errors: NpyError naming the file
// ---------------------------------------------------------------------------------------

TEST_F(NpyTest, ErrorMissingFile) {
  const std::string p = path("does_not_exist.npy");
  expect_npy_error([&] { read_npy(p); }, p);
}

TEST_F(NpyTest, ErrorBadMagic) {
  std::string bytes = make_npy(dict("<f4", "(1,)"), le_bytes(std::vector<float>{1.0f}));
  bytes[1] = 'X';
  write_all(path("magic.npy"), bytes);
  expect_npy_error([&] { read_npy(path("magic.npy")); }, path("magic.npy"), "magic");
  write_all(path("text.npy"), "hello, this is not an npy file at all\n");
  expect_npy_error([&] { read_npy(path("text.npy")); }, path("text.npy"));
  write_all(path("short.npy"), "\x93NUM");
  expect_npy_error([&] { read_npy(path("short.npy")); }, path("short.npy"));
  write_all(path("zero.npy"), "");
  expect_npy_error([&] { read_npy(path("zero.npy")); }, path("zero.npy"));
}

TEST_F(NpyTest, ErrorTruncatedHeader) {
  const std::string full = make_npy(dict("<f4", "(4,)"), le_bytes(std::vector<float>{1, 2, 3, 4}));
  write_all(path("h1.npy"), full.substr(0, 40));  // cut inside the header dict
  expect_npy_error([&] { read_npy(path("h1.npy")); }, path("h1.npy"), "truncated");
  write_all(path("h2.npy"), full.substr(0, 9));  // cut inside the header length
  expect_npy_error([&] { read_npy(path("h2.npy")); }, path("h2.npy"), "truncated");
  const std::string v2 = make_npy(dict("<f4", "(4,)"), le_bytes(std::vector<float>{1, 2, 3, 4}), 2);
  write_all(path("h3.npy"), v2.substr(0, 11));
  expect_npy_error([&] { read_npy(path("h3.npy")); }, path("h3.npy"), "truncated");
}

TEST_F(NpyTest, ErrorTruncatedData) {
  const std::vector<float> v(24, 1.25f);
  const std::string full = make_npy(dict("<f4", "(2, 3, 4)"), le_bytes(v));
  write_all(path("d.npy"), full.substr(0, full.size() - 1));  // one byte short
  expect_npy_error([&] { read_npy(path("d.npy")); }, path("d.npy"), "truncated");
  write_all(path("d0.npy"), full.substr(0, 64));  // header only
  expect_npy_error([&] { read_npy(path("d0.npy")); }, path("d0.npy"), "truncated");
}

// A shape whose byte count does not fit in size_t cannot match the data that follows; it
// must be rejected, not wrap around to a small (or zero) size and be accepted.
TEST_F(NpyTest, ErrorShapeOverflowingSize) {
  const std::string data = le_bytes(std::vector<float>{1, 2, 3, 4});
  const std::string p = path("wrap.npy");
  write_all(p, make_npy(dict("<f4", "(4611686018427387904, 4)"), data));  // 2^62 * 4 elements * 4 bytes
  expect_npy_error([&] { read_npy(p); }, p);
}

// Each dimension is a non-negative decimal integer; a Python tuple has no empty items.
TEST_F(NpyTest, ErrorShapeItemsAreStrict) {
  const std::string data = le_bytes(std::vector<float>{1, 2, 3, 4});
  int k = 0;
  for (const std::string s : {"(-1,)", "(2.5, 2)", "(2 x, 2)", "(2,, 2)", "(,)"}) {
    SCOPED_TRACE(s);
    const std::string p = path("item" + std::to_string(k++) + ".npy");
    write_all(p, make_npy(dict("<f4", s), data));
    expect_npy_error([&] { read_npy(p); }, p);
  }
}

TEST_F(NpyTest, ErrorUnsupportedDtype) {
  const std::string data(16, '\0');
  for (const std::string d : {"<c8", ">f4", "<U4", "|O", "<f16"}) {
    SCOPED_TRACE(d);
    const std::string p = path("dt.npy");
    write_all(p, make_npy(dict(d, "(2,)"), data));
    expect_npy_error([&] { read_npy(p); }, p, d);
  }
}

TEST_F(NpyTest, ErrorFortranOrder) {
  const std::string p = path("fortran.npy");
  write_all(p, make_npy(dict("<f4", "(2, 2)", "True"), le_bytes(std::vector<float>{1, 2, 3, 4})));
  expect_npy_error([&] { read_npy(p); }, p, "ortran");
}

TEST_F(NpyTest, ErrorMalformedShape) {
  const std::string data = le_bytes(std::vector<float>{1, 2, 3, 4});
  int k = 0;
  for (const std::string s : {"(2, x)", "[2, 2]", "(2, 2", "4", "(x,)"}) {
    SCOPED_TRACE(s);
    const std::string p = path("shape" + std::to_string(k++) + ".npy");
    write_all(p, make_npy(dict("<f4", s), data));
    expect_npy_error([&] { read_npy(p); }, p);
  }
  // Missing keys.
  write_all(path("noshape.npy"), make_npy("{'descr': '<f4', 'fortran_order': False, }", data));
  expect_npy_error([&] { read_npy(path("noshape.npy")); }, path("noshape.npy"), "shape");
  write_all(path("nodescr.npy"), make_npy("{'fortran_order': False, 'shape': (4,), }", data));
  expect_npy_error([&] { read_npy(path("nodescr.npy")); }, path("nodescr.npy"), "descr");
}

TEST_F(NpyTest, ErrorUnsupportedVersion) {
  std::string bytes = make_npy(dict("<f4", "(1,)"), le_bytes(std::vector<float>{1.0f}));
  bytes[6] = char(9);
  write_all(path("v9.npy"), bytes);
  expect_npy_error([&] { read_npy(path("v9.npy")); }, path("v9.npy"), "version");
}

// ---------------------------------------------------------------------------------------
// Atomic writes
// ---------------------------------------------------------------------------------------

TEST_F(NpyTest, WriteFileAtomicLeavesNoTempFile) {
  const std::string p = path("out.bin");
  const std::string bytes = std::string("abc\0def", 7) + std::string(100000, 'x');
  write_file_atomic(p, bytes);
  EXPECT_EQ(read_all(p), bytes);
  EXPECT_EQ(listing(), std::set<std::string>{"out.bin"});
  write_file_atomic(p, "");
  EXPECT_TRUE(fs::exists(p));
  EXPECT_EQ(fs::file_size(p), 0u);
  EXPECT_EQ(listing(), std::set<std::string>{"out.bin"});
}

TEST_F(NpyTest, WriteFileAtomicReplacesExistingFile) {
  const std::string p = path("out.bin");
  write_all(p, std::string(5000, 'o'));
  write_file_atomic(p, "new");
  EXPECT_EQ(read_all(p), "new");
  EXPECT_EQ(listing(), std::set<std::string>{"out.bin"});
  // write_npy goes through the same path.
  write_npy(p, NpyArray::from_u8({9, 8, 7}, {3}));
  const NpyArray a = read_npy(p);
  EXPECT_EQ(a.descr, "|u1");
  EXPECT_EQ(std::vector<uint8_t>(a.data.begin(), a.data.end()), (std::vector<uint8_t>{9, 8, 7}));
  EXPECT_EQ(listing(), std::set<std::string>{"out.bin"});
}

TEST_F(NpyTest, WriteIntoMissingDirectoryThrowsAndCreatesNothing) {
  const fs::path missing = dir_ / "no_such_dir";
  const std::string p = (missing / "out.npy").string();
  EXPECT_ANY_THROW(write_file_atomic(p, "data"));
  EXPECT_ANY_THROW(write_npy(p, NpyArray::from_float({1.0f}, {1})));
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_TRUE(listing().empty());
  try {
    write_file_atomic(p, "data");
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << "message should name the file: " << e.what();
  }
}

}  // namespace
