// The arithsim binary as users and scripts call it: output, exit codes, the error
// convention (one line "arithsim: error: <what> (<input>)"; exit 2 for usage errors, 1 for
// runtime errors) and atomic outputs. Expected values come from the independent reference
// in tests/reference or from the format specifications, never from the code under test.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define ARITHSIM_TEST_HAVE_JSON 1
#else
#define ARITHSIM_TEST_HAVE_JSON 0
#endif

#include <arithsim/models/formats/block.hpp>
#include <arithsim/models/formats/format.hpp>
#include <arithsim/models/tensor/npy.hpp>
#include "tests/reference/reference_formats.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace ref = arithsim::ref;
using arithsim::tensor::NpyArray;

// ---------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------

struct Result {
  int code = -1;  // exit status, or 128 + signal
  std::string out, err;
};

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(f.good()) << p;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::string line;
  std::istringstream in(s);
  while (std::getline(in, line)) v.push_back(line);
  return v;
}

std::vector<std::string> words_of(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  std::string w;
  while (in >> w) v.push_back(w);
  return v;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

double parse_double(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end) ADD_FAILURE() << "not a number: '" << s << "'";
  return v;
}

// Hex text of a double that strtod reads back exactly.
std::string hex(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%a", v);
  return b;
}
std::string dec17(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

class Cli : public testing::Test {
 protected:
  void SetUp() override {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(testing::TempDir()) / (std::string("arithsim_cli_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "io");
    fs::create_directories(dir_ / "work");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Runs arithsim with `args`, stdin fed from a file holding `input`, in directory `cwd`
  // (default: the test's own).
  Result run(const std::vector<std::string>& args, const std::string& input = "", const fs::path& cwd = {}) {
    const int n = counter_++;
    const fs::path in = dir_ / "io" / ("stdin" + std::to_string(n));
    const fs::path out = dir_ / "io" / ("stdout" + std::to_string(n));
    const fs::path err = dir_ / "io" / ("stderr" + std::to_string(n));
    write_all(in, input);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
    std::vector<std::string> storage = {ARITHSIM_BIN};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    Result r;
    const int rc = posix_spawn(&pid, ARITHSIM_BIN, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      ADD_FAILURE() << "cannot start " << ARITHSIM_BIN << ": " << std::strerror(rc);
      return r;
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = read_all(out);
    r.err = read_all(err);
    fs::remove(in);
    fs::remove(out);
    fs::remove(err);
    return r;
  }

  fs::path work(const std::string& name) const { return dir_ / "work" / name; }
  std::set<std::string> work_listing() const {
    std::set<std::string> s;
    for (const auto& e : fs::directory_iterator(dir_ / "work")) s.insert(e.path().filename().string());
    return s;
  }

  fs::path dir_;
  int counter_ = 0;
};

// A path quoted for /bin/sh.
std::string fmt_cmd(const std::string& path) {
  std::string q = "'";
  for (char c : path) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Starts argv[0] (a path) with stdin from /dev/null and stdout, stderr to /dev/null; its pid.
pid_t spawn_quiet(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& x : args) argv.push_back(x.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

// Waits for pid; its wait status.
int wait_for(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

std::string show(const std::vector<std::string>& args) {
  std::string s = "arithsim";
  for (const auto& a : args) s += " " + a;
  return s;
}

// The error convention: exit `code`, nothing on stdout, exactly one stderr line
// "arithsim: error: ..." containing each of `needles`. With `input_suffix`, the line ends in
// " (<input>)".
void expect_error(const Result& r, int code, const std::vector<std::string>& needles = {}, bool input_suffix = true) {
  EXPECT_EQ(r.code, code) << "stderr: " << r.err;
  EXPECT_EQ(r.out, "") << "no output on error";
  const auto ls = lines_of(r.err);
  ASSERT_EQ(ls.size(), 1u) << "want exactly one stderr line, got: " << r.err;
  EXPECT_EQ(ls[0].rfind("arithsim: error: ", 0), 0u) << ls[0];
  if (input_suffix) {
    EXPECT_TRUE(std::regex_search(ls[0], std::regex(R"(^arithsim: error: .+ \(.+\)$)"))) << ls[0];
  }
  for (const auto& n : needles) EXPECT_TRUE(contains(ls[0], n)) << "stderr lacks '" << n << "': " << ls[0];
}

// ---------------------------------------------------------------------------------------
// Help, version, missing subcommands
// ---------------------------------------------------------------------------------------

TEST_F(Cli, HelpOnEveryCommand) {
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> cmds = {
      {{}, {"version", "format", "quantize", "run", "--version"}},
      {{"version"}, {}},
      {{"format"}, {"list", "table", "encode", "decode"}},
      {{"format", "list"}, {"--json"}},
      {{"format", "table"}, {"FORMAT", "--csv"}},
      {{"format", "encode"}, {"FORMAT", "--rounding", "--overflow", "--seed", "--sr-bits", "--ftz", "--daz"}},
      {{"format", "decode"}, {"FORMAT", "--daz"}},
      {{"quantize"}, {"--format", "--block", "--in", "--out", "--dequant", "--json", "--rounding", "--threads"}},
      {{"run"}, {}},
  };
  for (const auto& [cmd, mentions] : cmds) {
    for (const char* flag : {"--help", "-h"}) {
      auto args = cmd;
      args.push_back(flag);
      SCOPED_TRACE(show(args));
      const Result r = run(args);
      EXPECT_EQ(r.code, 0) << r.err;
      std::string usage = "Usage: arithsim";
      for (const auto& c : cmd) usage += " " + c;
      EXPECT_TRUE(contains(r.out, usage)) << r.out;
      for (const auto& m : mentions) EXPECT_TRUE(contains(r.out, m)) << "help lacks " << m << ":\n" << r.out;
    }
  }
}

TEST_F(Cli, Version) {
  const Result a = run({"--version"});
  EXPECT_EQ(a.code, 0) << a.err;
  EXPECT_TRUE(std::regex_match(a.out, std::regex("arithsim [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << a.out;
  const Result b = run({"version"});
  EXPECT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(b.out, a.out);
  EXPECT_EQ(b.err, "");
}

TEST_F(Cli, MissingOrUnknownSubcommandIsUsageError) {
  expect_error(run({}), 2, {}, false);
  expect_error(run({"format"}), 2, {}, false);
  expect_error(run({"bogus"}), 2, {}, false);
  expect_error(run({"format", "bogus"}), 2, {}, false);
  expect_error(run({"format", "list", "--bogus"}), 2, {"--bogus"}, false);
  expect_error(run({"format", "table"}), 2, {"FORMAT"}, false);       // required positional
  expect_error(run({"quantize", "--format", "e4m3"}), 2, {"--in"}, false);  // required options
}

// ---------------------------------------------------------------------------------------
// format list
// ---------------------------------------------------------------------------------------

TEST_F(Cli, FormatListNamesEveryPreset) {
  const Result r = run({"format", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::set<std::string> first_words;
  for (const auto& l : lines_of(r.out)) {
    const auto w = words_of(l);
    if (!w.empty()) first_words.insert(w[0]);
  }
  for (const char* n : {"float8_e4m3fn", "float8_e5m2", "float4_e2m1fn", "float6_e2m3fn", "float16", "bfloat16",
                        "float32", "posit16_1", "posit8_0", "int8", "float8_e8m0fnu"})
    EXPECT_TRUE(first_words.count(n)) << n << " missing from\n" << r.out;
  for (const auto& p : arithsim::formats::presets()) EXPECT_TRUE(first_words.count(p.name)) << p.name;
  // The e4m3fn row shows its max, 448 (OCP OFP8).
  for (const auto& l : lines_of(r.out))
    if (l.rfind("float8_e4m3fn ", 0) == 0) {
      const auto w = words_of(l);
      EXPECT_NE(std::find(w.begin(), w.end(), "448"), w.end()) << l;
    }
}

TEST_F(Cli, FormatListJson) {
  const Result r = run({"format", "list", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
#if ARITHSIM_TEST_HAVE_JSON
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  ASSERT_TRUE(j.is_array());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& e : j) {
    ASSERT_TRUE(e.contains("name")) << e.dump();
    by_name[e["name"].get<std::string>()] = e;
  }
  size_t blocks = 0;
  for (const auto& e : j) blocks += e.value("kind", "") == "block";
  EXPECT_EQ(by_name.size(), arithsim::formats::presets().size() + blocks);
  EXPECT_EQ(blocks, arithsim::formats::block_presets().size());
  ASSERT_TRUE(by_name.count("mxfp4"));
  EXPECT_EQ(by_name["mxfp4"]["scale"].get<std::string>(), "float8_e8m0fnu");
  EXPECT_EQ(by_name["mxfp4"]["bits_per_element"].get<double>(), 4.25);
  for (const auto& p : arithsim::formats::presets()) EXPECT_TRUE(by_name.count(p.name)) << p.name;
  ASSERT_TRUE(by_name.count("float8_e4m3fn"));
  EXPECT_EQ(by_name["float8_e4m3fn"]["max"].get<double>(), 448.0);
  EXPECT_EQ(by_name["float8_e4m3fn"]["bits"].get<int>(), 8);
  const auto al = by_name["float8_e4m3fn"]["aliases"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(al.begin(), al.end(), "e4m3"), al.end());
  // Largest finite values from the reference / the specifications.
  const std::vector<std::pair<std::string, double>> maxes = {
      {"float8_e5m2", 57344.0},
      {"float4_e2m1fn", 6.0},
      {"float6_e2m3fn", 7.5},
      {"float6_e3m2fn", 28.0},
      {"float16", 65504.0},
      {"float8_e4m3fnuz", 240.0},
      {"float8_e4m3", 240.0},
      {"bfloat16", ref::decode(ref::bfloat16, 0x7f7f)},
  };
  for (const auto& [name, mx] : maxes) {
    ASSERT_TRUE(by_name.count(name)) << name;
    EXPECT_EQ(by_name[name]["max"].get<double>(), mx) << name;
  }
  EXPECT_EQ(by_name["float4_e2m1fn"]["bits"].get<int>(), 4);
  EXPECT_EQ(by_name["posit16_1"]["bits"].get<int>(), 16);
  EXPECT_EQ(by_name["float8_e4m3fn"]["min_subnormal"].get<double>(), std::ldexp(1.0, -9));
#else
  // No JSON library: check the essentials textually.
  EXPECT_EQ(r.out.find_first_not_of(" \n"), r.out.find('['));
  EXPECT_TRUE(contains(r.out, "\"name\": \"float8_e4m3fn\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"max\": 448")) << r.out;
#endif
}

// ---------------------------------------------------------------------------------------
// format table
// ---------------------------------------------------------------------------------------

struct RefFormat {
  std::string cli;  // name given to arithsim
  ref::Minifloat f;
};

const std::vector<RefFormat>& minifloats() {
  static const std::vector<RefFormat> v = {
      {"e4m3", ref::float8_e4m3fn},
      {"e5m2", ref::float8_e5m2},
      {"e4m3fnuz", ref::float8_e4m3fnuz},
      {"e5m2fnuz", ref::float8_e5m2fnuz},
      {"e4m3b11fnuz", ref::float8_e4m3b11fnuz},
      {"float8_e3m4", ref::float8_e3m4},
      {"float8_e4m3", ref::float8_e4m3},
      {"e8m0", ref::float8_e8m0fnu},
      {"fp6_e2m3", ref::float6_e2m3fn},
      {"fp6_e3m2", ref::float6_e3m2fn},
      {"fp4", ref::float4_e2m1fn},
      {"fp16", ref::float16},
      {"bf16", ref::bfloat16},
  };
  return v;
}

// "hexfloat decimal" (or CSV fields) of one code against the reference value.
void check_value_text(const std::string& hexf, const std::string& decf, double want, const std::string& where) {
  if (std::isnan(want)) {
    EXPECT_EQ(hexf, "nan") << where;
    EXPECT_EQ(decf, "nan") << where;
    return;
  }
  const double h = parse_double(hexf), d = parse_double(decf);
  EXPECT_EQ(d, want) << where << ": decimal " << decf;
  EXPECT_EQ(h, want) << where << ": hexfloat " << hexf;
  EXPECT_EQ(std::signbit(d), std::signbit(want)) << where << ": sign of " << decf;
  if (!std::isinf(want)) {
    EXPECT_TRUE(hexf.find("0x") == 0 || hexf.find("-0x") == 0) << where << ": " << hexf;
  }
}

TEST_F(Cli, FormatTableFp4) {
  const Result r = run({"format", "table", "fp4"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ls = lines_of(r.out);
  ASSERT_EQ(ls.size(), 16u) << r.out;
  const std::vector<double> spec = {0, 0.5, 1, 1.5, 2, 3, 4, 6};  // OCP MX FP4 E2M1
  for (uint32_t i = 0; i < 16; ++i) {
    const auto w = words_of(ls[i]);
    ASSERT_EQ(w.size(), 3u) << ls[i];
    EXPECT_EQ(std::strtoul(w[0].c_str(), nullptr, 16), i) << ls[i];
    EXPECT_EQ(w[0].rfind("0x", 0), 0u) << ls[i];
    const double want = ref::decode(ref::float4_e2m1fn, i);
    EXPECT_EQ(want, (i & 8 ? -1 : 1) * spec[i & 7]);
    check_value_text(w[1], w[2], want, ls[i]);
  }
}

TEST_F(Cli, FormatTableCsv) {
  const Result r = run({"format", "table", "fp4", "--csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ls = lines_of(r.out);
  ASSERT_EQ(ls.size(), 17u) << r.out;
  EXPECT_EQ(ls[0], "code,hexfloat,value");
  for (uint32_t i = 0; i < 16; ++i) {
    const std::string& l = ls[i + 1];
    const auto c1 = l.find(','), c2 = l.rfind(',');
    ASSERT_TRUE(c1 != std::string::npos && c2 != c1) << l;
    EXPECT_EQ(std::strtoul(l.substr(0, c1).c_str(), nullptr, 16), i) << l;
    check_value_text(l.substr(c1 + 1, c2 - c1 - 1), l.substr(c2 + 1), ref::decode(ref::float4_e2m1fn, i), l);
  }
}

// Every code of every <= 16-bit minifloat (including the NaN/inf encodings).
TEST_F(Cli, FormatTableAllMinifloatsMatchReference) {
  for (const auto& rf : minifloats()) {
    SCOPED_TRACE(rf.cli);
    const Result r = run({"format", "table", rf.cli});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto ls = lines_of(r.out);
    const uint32_t n = 1u << ref::bits(rf.f);
    ASSERT_EQ(ls.size(), n);
    int bad = 0;
    for (uint32_t c = 0; c < n && bad < 10; ++c) {
      const auto w = words_of(ls[c]);
      if (w.size() != 3) {
        ADD_FAILURE() << ls[c];
        ++bad;
        continue;
      }
      const double want = ref::decode(rf.f, c);
      const double got = std::isnan(want) ? 0 : std::strtod(w[2].c_str(), nullptr);
      const bool ok = std::strtoul(w[0].c_str(), nullptr, 16) == c &&
                      (std::isnan(want) ? w[1] == "nan" && w[2] == "nan"
                                        : got == want && std::signbit(got) == std::signbit(want) &&
                                              std::strtod(w[1].c_str(), nullptr) == want);
      if (!ok) {
        ++bad;
        ADD_FAILURE() << rf.cli << " code " << c << ": got '" << ls[c] << "', want " << want;
      }
    }
  }
}

TEST_F(Cli, FormatTableErrors) {
  expect_error(run({"format", "table", "float32"}), 2, {"float32", "(FORMAT)"});
  expect_error(run({"format", "table", "bogus_format"}), 2, {"bogus_format", "(FORMAT)"});
}

// ---------------------------------------------------------------------------------------
// format encode
// ---------------------------------------------------------------------------------------

struct Input {
  std::string text;
  double value;
};

double f32_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// Inputs in every accepted spelling, with their values stated independently.
std::vector<Input> fixed_inputs() {
  const double inf = HUGE_VAL, nan = std::numeric_limits<double>::quiet_NaN();
  return {
      {"0", 0.0}, {"-0", -0.0}, {"1", 1.0}, {"-1", -1.0}, {"0.1", 0.1}, {"-0.3", -0.3}, {"1e-3", 1e-3},
      {"1e-10", 1e-10}, {"-1e-10", -1e-10}, {"1e10", 1e10}, {"-1e10", -1e10}, {"3.4e38", 3.4e38}, {"1e300", 1e300},
      {"0x1.8p+3", 12.0}, {"-0x1.1p-7", -0x1.1p-7}, {"0x1.fffffep+127", 0x1.fffffep+127}, {"0X1P-2", 0.25},
      {"f32:0x40490fdb", f32_bits(0x40490fdb)}, {"f32:0x7f800000", inf}, {"f32:0xff800000", -inf},
      {"f32:0x00000001", f32_bits(1)}, {"f32:0x80000000", -0.0}, {"f32:0x3f800001", f32_bits(0x3f800001)},
      {"f32:0x7fc00000", nan}, {"nan", nan}, {"-nan", -nan}, {"inf", inf}, {"-inf", -inf}, {"448", 448},
      {"464", 464}, {"465", 465}, {"-465", -465}, {"57344", 57344}, {"61440", 61440}, {"61441", 61441},
      {"65504", 65504}, {"65520", 65520}, {"-65520", -65520}, {"6", 6}, {"7", 7}, {"-7", -7}, {"0.25", 0.25},
      {"0.75", 0.75}, {"2.5", 2.5}, {"5", 5}, {"-5", -5}, {"1.0625", 1.0625}, {"1e5", 1e5}, {" 1.5 ", 1.5},
      {"5.960464477539063e-08", 5.960464477539063e-08}, {"2.9802322387695312e-08", 2.9802322387695312e-08},
  };
}

// Values, midpoints and just-off-midpoints of the format itself, and values past its max.
std::vector<Input> format_inputs(const ref::Minifloat& f) {
  std::vector<double> vals;
  const uint32_t n = 1u << ref::bits(f);
  for (uint32_t c = 0; c < n; ++c) {
    if (ref::is_nan_code(f, c)) continue;
    const double v = ref::decode(f, c);
    if (std::isfinite(v)) vals.push_back(v);
  }
  std::sort(vals.begin(), vals.end());
  vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
  std::vector<double> xs;
  const size_t step = vals.size() > 1024 ? 61 : 1;  // sample the 16-bit formats
  for (size_t i = 0; i + 1 < vals.size(); ++i) {
    const bool edge = i < 12 || i + 12 > vals.size() || (vals[i] <= 0 && vals[i + 1] >= 0) ||
                      (vals[i] < 0 && vals[i + 1] >= 0) || std::fabs(vals[i]) < 4 * std::fabs(vals[1] - vals[0]);
    if (!edge && i % step) continue;
    const double mid = (vals[i] + vals[i + 1]) / 2;
    xs.insert(xs.end(), {vals[i], mid, std::nextafter(mid, -HUGE_VAL), std::nextafter(mid, HUGE_VAL),
                         (3 * vals[i] + vals[i + 1]) / 4});
  }
  const double mx = vals.back(), ulp = vals.back() - vals[vals.size() - 2];
  for (double s : {1.0, -1.0})
    for (double v : {mx, mx + ulp / 4, mx + ulp / 2, std::nextafter(mx + ulp / 2, HUGE_VAL), mx + ulp, 2 * mx, 1e300})
      xs.push_back(s * v);
  std::vector<Input> in;
  for (size_t i = 0; i < xs.size(); ++i) in.push_back({i % 2 ? dec17(xs[i]) : hex(xs[i]), xs[i]});
  return in;
}

const std::vector<std::pair<std::string, ref::Mode>> kModes = {
    {"rne", ref::Mode::RNE}, {"rtz", ref::Mode::RTZ}, {"up", ref::Mode::UP}, {"down", ref::Mode::DOWN},
    {"away", ref::Mode::AWAY}};
const std::vector<std::pair<std::string, ref::Ovf>> kOverflows = {
    {"default", ref::Ovf::DEFAULT}, {"saturate", ref::Ovf::SATURATE}, {"inf", ref::Ovf::INF}, {"nan", ref::Ovf::NAN_}};

bool has_inf(const ref::Minifloat& f) { return f.conv == ref::Conv::IEEE; }
bool has_nan(const ref::Minifloat& f) { return f.conv != ref::Conv::FN_NONAN; }

TEST_F(Cli, FormatEncodeMatchesReference) {
  for (const auto& rf : minifloats()) {
    std::vector<Input> in = fixed_inputs();
    if (rf.f.conv == ref::Conv::E8M0) {
      // E8M0 is unsigned with no zero: keep the positive finite inputs and NaN.
      std::erase_if(in, [](const Input& x) { return !(std::isnan(x.value) || (x.value > 0 && std::isfinite(x.value))); });
    }
    const auto own = format_inputs(rf.f);
    if (rf.f.conv == ref::Conv::E8M0) {
      for (const auto& x : own)
        if (x.value > 0) in.push_back(x);
    } else {
      in.insert(in.end(), own.begin(), own.end());
    }
    std::string stdin_text;
    for (const auto& x : in) stdin_text += x.text + "\n";
    for (const auto& [mname, mode] : kModes) {
      for (const auto& [oname, ovf] : kOverflows) {
        const std::vector<std::string> args = {"format", "encode", rf.cli, "--rounding", mname, "--overflow", oname};
        SCOPED_TRACE(show(args));
        const Result r = run(args, stdin_text);
        if ((ovf == ref::Ovf::INF && !has_inf(rf.f)) || (ovf == ref::Ovf::NAN_ && !has_nan(rf.f))) {
          expect_error(r, 2, {"(--overflow)"});
          continue;
        }
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.err, "");
        const auto ls = lines_of(r.out);
        ASSERT_EQ(ls.size(), in.size());
        int bad = 0;
        for (size_t i = 0; i < in.size(); ++i) {
          const uint32_t want = ref::encode(rf.f, in[i].value, mode, ovf);
          char* end = nullptr;
          const unsigned long got = std::strtoul(ls[i].c_str(), &end, 16);
          if (ls[i].rfind("0x", 0) != 0 || *end || got != want) {
            if (++bad <= 8)
              ADD_FAILURE() << show(args) << ": input '" << in[i].text << "' (" << hex(in[i].value) << "): got "
                            << ls[i] << ", want 0x" << std::hex << want << std::dec;
          }
        }
        EXPECT_EQ(bad, 0) << bad << " of " << in.size() << " codes differ";
      }
    }
  }
}

// Values from the specifications (OCP OFP8 E4M3: max 448, 464 ties to 448, 465 is NaN).
TEST_F(Cli, FormatEncodeSpecValues) {
  const Result r = run({"format", "encode", "e4m3"}, "448\n464\n465\n-465\n0x1p-9\n1\nnan\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out), (std::vector<std::string>{"0x7e", "0x7e", "0x7f", "0xff", "0x01", "0x38", "0x7f"}));
  const Result s = run({"format", "encode", "fp4"}, "0\n0.5\n1\n1.5\n2\n3\n4\n6\n-6\n");
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(lines_of(s.out), (std::vector<std::string>{"0x0", "0x1", "0x2", "0x3", "0x4", "0x5", "0x6", "0x7", "0xf"}));
  const Result t = run({"format", "encode", "bf16"}, "1\n-2\ninf\n");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(lines_of(t.out), (std::vector<std::string>{"0x3f80", "0xc000", "0x7f80"}));
}

// --ftz flushes results that would be subnormal to a zero of the same sign.
TEST_F(Cli, FormatEncodeFtz) {
  const std::string in = "0x1p-9\n-0x1.8p-8\n0x1.cp-7\n0x1p-6\n1\n";
  const Result plain = run({"format", "encode", "e4m3"}, in);
  ASSERT_EQ(plain.code, 0) << plain.err;
  std::vector<std::string> want_plain;
  for (double v : {0x1p-9, -0x1.8p-8, 0x1.cp-7, 0x1p-6, 1.0}) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%02x", ref::encode(ref::float8_e4m3fn, v));
    want_plain.push_back(b);
  }
  EXPECT_EQ(lines_of(plain.out), want_plain);
  const Result ftz = run({"format", "encode", "e4m3", "--ftz"}, in);
  ASSERT_EQ(ftz.code, 0) << ftz.err;
  EXPECT_EQ(lines_of(ftz.out), (std::vector<std::string>{"0x00", "0x80", "0x00", want_plain[3], want_plain[4]}));
}

TEST_F(Cli, FormatEncodeStochastic) {
  // 1 + 1/32 lies a quarter ulp above 1 in e4m3 (ulp 1/8): SR picks 1 (0x38) or 1.125 (0x39),
  // the latter with probability 1/4; an exact value is never changed.
  std::string in;
  const int n = 2000;
  for (int i = 0; i < n; ++i) in += (i % 2 ? "-1.03125\n" : "1.03125\n");
  in += "1\n";
  const std::vector<std::string> base = {"format", "encode", "e4m3", "--rounding", "stochastic"};
  auto with_seed = [&](const std::string& seed) {
    auto a = base;
    a.insert(a.end(), {"--seed", seed});
    return a;
  };
  const Result a = run(with_seed("7"), in), b = run(with_seed("7"), in), c = run(with_seed("8"), in);
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(a.out, b.out) << "same seed, same output";
  EXPECT_NE(a.out, c.out) << "different seeds, different output";
  for (const Result* r : {&a, &c}) {
    const auto ls = lines_of(r->out);
    ASSERT_EQ(ls.size(), size_t(n + 1));
    const uint32_t lo = ref::encode(ref::float8_e4m3fn, 1.03125, ref::Mode::DOWN);
    const uint32_t hi = ref::encode(ref::float8_e4m3fn, 1.03125, ref::Mode::UP);
    int up = 0, bad = 0;
    for (int i = 0; i < n; ++i) {
      const uint32_t code = uint32_t(std::strtoul(ls[i].c_str(), nullptr, 16));
      const uint32_t sign = i % 2 ? 0x80 : 0;
      if (code == (hi | sign)) ++up;
      else if (code != (lo | sign)) ++bad;
    }
    EXPECT_EQ(bad, 0) << "SR must pick one of the two neighbours";
    EXPECT_GT(up, n * 0.17);
    EXPECT_LT(up, n * 0.33);
    EXPECT_EQ(ls[n], "0x38") << "exact values are not changed by SR";
  }
  expect_error(run({"format", "encode", "e4m3", "--rounding", "stochastic", "--sr-bits", "0"}, "1\n"), 2, {"--sr-bits"});
  expect_error(run({"format", "encode", "e4m3", "--rounding", "stochastic", "--sr-bits", "64"}, "1\n"), 2, {"--sr-bits"});
}

TEST_F(Cli, FormatEncodeMalformedLines) {
  expect_error(run({"format", "encode", "e4m3"}, "1\n2\nabc\n4\n"), 1, {"stdin line 3", "abc"});
  expect_error(run({"format", "encode", "e4m3"}, "1\n\n3\n"), 1, {"stdin line 2"});
  expect_error(run({"format", "encode", "e4m3"}, "1.5x\n"), 1, {"stdin line 1"});
  expect_error(run({"format", "encode", "bf16"}, "1\nf32:0x123456789\n"), 1, {"stdin line 2"});
  expect_error(run({"format", "encode", "bf16"}, "f32:40490fdb\n"), 1, {"stdin line 1"});
  expect_error(run({"format", "encode", "bf16"}, "1\n2\n3\n4\nf32:\n"), 1, {"stdin line 5"});
}

TEST_F(Cli, FormatEncodeUsageErrors) {
  expect_error(run({"format", "encode", "bogus"}, "1\n"), 2, {"bogus", "(FORMAT)"});
  expect_error(run({"format", "encode", "e4m3", "--overflow", "inf"}, "1\n"), 2, {"(--overflow)"});
  expect_error(run({"format", "encode", "fp4", "--overflow", "nan"}, "1\n"), 2, {"(--overflow)"});
  expect_error(run({"format", "encode", "e4m3", "--overflow", "bogus"}, "1\n"), 2, {"bogus", "(--overflow)"});
  expect_error(run({"format", "encode", "e4m3", "--rounding", "bogus"}, "1\n"), 2, {"bogus", "(--rounding)"});
  expect_error(run({"format", "encode", "e4m3", "--seed", "abc"}, "1\n"), 2, {}, false);
  expect_error(run({"format", "encode", "e4m3", "--bogus"}, "1\n"), 2, {"--bogus"}, false);
}

// ---------------------------------------------------------------------------------------
// format decode
// ---------------------------------------------------------------------------------------

TEST_F(Cli, FormatDecodeMatchesReference) {
  for (const auto& rf : minifloats()) {
    SCOPED_TRACE(rf.cli);
    const uint32_t n = 1u << ref::bits(rf.f);
    std::string in;
    for (uint32_t c = 0; c < n; ++c) {
      char b[16];
      std::snprintf(b, sizeof b, c % 3 == 0 ? "0x%x\n" : c % 3 == 1 ? "0x%04x\n" : "0X%X\n", c);
      in += b;
    }
    const Result r = run({"format", "decode", rf.cli}, in);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto ls = lines_of(r.out);
    ASSERT_EQ(ls.size(), n);
    int bad = 0;
    for (uint32_t c = 0; c < n && bad < 10; ++c) {
      const auto w = words_of(ls[c]);
      const double want = ref::decode(rf.f, c);
      bool ok = w.size() == 2;
      if (ok && std::isnan(want)) ok = w[0] == "nan" && w[1] == "nan";
      else if (ok) {
        const double h = std::strtod(w[0].c_str(), nullptr), d = std::strtod(w[1].c_str(), nullptr);
        ok = h == want && d == want && std::signbit(d) == std::signbit(want) && std::signbit(h) == std::signbit(want);
      }
      if (!ok) {
        ++bad;
        ADD_FAILURE() << rf.cli << " code 0x" << std::hex << c << std::dec << ": got '" << ls[c] << "', want " << want;
      }
    }
  }
}

TEST_F(Cli, FormatDecodeSpecials) {
  const Result r = run({"format", "decode", "e5m2"}, "0x7c\n0xfc\n0x7e\n0x3c\n0x7b\n");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ls = lines_of(r.out);
  ASSERT_EQ(ls.size(), 5u);
  EXPECT_EQ(ls[0], "inf inf");
  EXPECT_EQ(ls[1], "-inf -inf");
  EXPECT_EQ(ls[2], "nan nan");
  EXPECT_EQ(words_of(ls[3]).at(1), "1");
  EXPECT_EQ(words_of(ls[4]).at(1), "57344");
  const Result e = run({"format", "decode", "e4m3"}, "0x7e\n0x7f\n0xff\n");
  ASSERT_EQ(e.code, 0) << e.err;
  const auto el = lines_of(e.out);
  ASSERT_EQ(el.size(), 3u);
  EXPECT_EQ(words_of(el[0]).at(1), "448");
  EXPECT_EQ(el[1], "nan nan");
  EXPECT_EQ(el[2], "nan nan");
}

TEST_F(Cli, FormatDecodeDaz) {
  const Result r = run({"format", "decode", "e4m3", "--daz"}, "0x01\n0x07\n0x08\n0x38\n");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ls = lines_of(r.out);
  ASSERT_EQ(ls.size(), 4u);
  EXPECT_EQ(parse_double(words_of(ls[0]).at(1)), 0.0);
  EXPECT_EQ(parse_double(words_of(ls[1]).at(1)), 0.0);
  EXPECT_EQ(parse_double(words_of(ls[2]).at(1)), std::ldexp(1.0, -6));
  EXPECT_EQ(parse_double(words_of(ls[3]).at(1)), 1.0);
  const Result plain = run({"format", "decode", "e4m3"}, "0x01\n");
  ASSERT_EQ(plain.code, 0);
  EXPECT_EQ(parse_double(words_of(plain.out).at(1)), ref::decode(ref::float8_e4m3fn, 1));
}

TEST_F(Cli, FormatDecodeErrors) {
  expect_error(run({"format", "decode", "e4m3"}, "0x00\n0x100\n"), 1, {"stdin line 2", "0x100"});
  expect_error(run({"format", "decode", "fp4"}, "0x1\n0x2\n0x10\n"), 1, {"stdin line 3"});
  expect_error(run({"format", "decode", "bf16"}, "0x10000\n"), 1, {"stdin line 1"});
  expect_error(run({"format", "decode", "e4m3"}, "zz\n"), 1, {"stdin line 1", "zz"});
  expect_error(run({"format", "decode", "e4m3"}, "0x3f\n12\n"), 1, {"stdin line 2"});
  expect_error(run({"format", "decode", "e4m3"}, "0x\n"), 1, {"stdin line 1"});
  expect_error(run({"format", "decode", "e4m3"}, "0x1g\n"), 1, {"stdin line 1"});
  expect_error(run({"format", "decode", "e4m3"}, "0x1\n\n"), 1, {"stdin line 2"});
  expect_error(run({"format", "decode", "bogus"}, "0x1\n"), 2, {"bogus", "(FORMAT)"});
}

// ---------------------------------------------------------------------------------------
// quantize
// ---------------------------------------------------------------------------------------

// Deterministic float32 test tensor of shape {4, 64}: spans many binades and signs, with
// ties, values past e4m3's max (464 ties to max, 465 overflows) and one tiny value.
std::vector<float> test_tensor() {
  std::vector<float> x(4 * 64);
  for (size_t i = 0; i < x.size(); ++i) {
    const double m = 1.0 + double((i * 37) % 64) / 64.0;
    const int e = int(i % 13) - 7;
    x[i] = float((i % 3 == 1 ? -1.0 : 1.0) * std::ldexp(m, e));
  }
  x[5] = 1.0625f;  // e4m3 tie between 1 and 1.125
  x[6] = 464.0f;
  x[7] = 1e-5f;
  x[8] = -0.0f;
  x[9] = 3.1415927f;
  return x;
}

struct Stats {
  double mse = 0, sqnr_db = 0;
  size_t nonfinite = 0;
};

// error_stats' documented definition: non-finite outputs of finite inputs are counted
// and left out; SQNR = 10 log10(sum x^2 / sum err^2).
Stats stats_of(const std::vector<float>& x, const std::vector<double>& y) {
  Stats s;
  double sig = 0, err = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(y[i])) {
      ++s.nonfinite;
      continue;
    }
    sig += double(x[i]) * x[i];
    err += (y[i] - x[i]) * (y[i] - x[i]);
  }
  s.mse = err / double(x.size() - s.nonfinite);
  s.sqnr_db = 10 * std::log10(sig / err);
  return s;
}

double stat_line(const std::string& out, const std::string& key) {
  for (const auto& l : lines_of(out))
    if (l.rfind(key, 0) == 0) return parse_double(words_of(l.substr(key.size())).at(0));
  ADD_FAILURE() << "no '" << key << "' line in:\n" << out;
  return std::nan("");
}

TEST_F(Cli, QuantizeElementCodes) {
  const auto x = test_tensor();
  const std::string in = work("x.npy").string(), out = work("y.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(x, {4, 64}));
  const Result r = run({"quantize", "--format", "e4m3", "--in", in, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  const NpyArray y = arithsim::tensor::read_npy(out);
  EXPECT_EQ(y.descr, "|u1");
  EXPECT_EQ(y.shape, (std::vector<size_t>{4, 64}));
  ASSERT_EQ(y.data.size(), x.size());
  std::vector<double> deq(x.size());
  int bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const uint32_t want = ref::encode(ref::float8_e4m3fn, x[i]);
    deq[i] = ref::decode(ref::float8_e4m3fn, want);
    if (y.data[i] != want && ++bad <= 8)
      ADD_FAILURE() << "element " << i << " = " << x[i] << ": code " << int(y.data[i]) << ", want " << want;
  }
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(int(y.data[6]), 0x7e) << "464 -> 0x7e (OCP OFP8)";
  const Stats s = stats_of(x, deq);
  EXPECT_TRUE(contains(r.out, "MSE:")) << r.out;
  EXPECT_TRUE(contains(r.out, "SQNR:")) << r.out;
  EXPECT_NEAR(stat_line(r.out, "MSE:"), s.mse, 1e-5 * s.mse);
  EXPECT_NEAR(stat_line(r.out, "SQNR:"), s.sqnr_db, 2e-3);
  EXPECT_EQ(stat_line(r.out, "elements:"), 256.0);
  EXPECT_EQ(work_listing(), (std::set<std::string>{"x.npy", "y.npy"})) << "no temporary files left";
}

// Threads and kernel levels change nothing: the same files for --threads 1 and 3, and with
// the portable kernels forced (ARITHSIM_SIMD=portable, which also prints its one-line note).
TEST_F(Cli, QuantizeThreadsAndKernelLevelsGiveTheSameFiles) {
  std::vector<float> x(3 * 100000 + 17);
  std::mt19937 g(5);
  std::normal_distribution<float> d(0, 30);
  for (auto& v : x) v = d(g);
  x[100] = 1e9f;
  x[200] = -0.0f;
  const std::string in = work("x.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(x, {x.size()}));
  auto bytes = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  for (const char* format : {"e4m3", "posit16_1", "mxfp4", "nvfp4"}) {
    std::vector<std::string> outs;
    for (const char* threads : {"1", "3"}) {
      const std::string out = work(std::string(format) + "_" + threads + ".npy").string();
      const Result r = run({"quantize", "--format", format, "--threads", threads, "--in", in, "--out", out});
      ASSERT_EQ(r.code, 0) << r.err;
      outs.push_back(out);
    }
    EXPECT_EQ(bytes(outs[0]), bytes(outs[1])) << format;
    ::setenv("ARITHSIM_SIMD", "portable", 1);
    const std::string out = work(std::string(format) + "_portable.npy").string();
    const Result r = run({"quantize", "--format", format, "--in", in, "--out", out});
    ::unsetenv("ARITHSIM_SIMD");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "arithsim: note: ARITHSIM_SIMD=portable")) << r.err;
    EXPECT_EQ(bytes(outs[0]), bytes(out)) << format;
  }
  for (const char* bad : {"0", "100000", "-1", "two"})
    expect_error(run({"quantize", "--format", "e4m3", "--threads", bad, "--in", in, "--out", work("t.npy").string()}), 2,
                 {"--threads"}, false);
}

TEST_F(Cli, QuantizeElementOverflowAndWideFormats) {
  const std::vector<float> x = {465.0f, -1000.0f, 1.0f, 0.3f};
  const std::string in = work("x.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(x, {4}));
  const Result r = run({"quantize", "--format", "e4m3", "--in", in, "--out", work("y.npy").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const NpyArray y = arithsim::tensor::read_npy(work("y.npy").string());
  ASSERT_EQ(y.data.size(), 4u);
  EXPECT_EQ(int(y.data[0]), 0x7f);
  EXPECT_EQ(int(y.data[1]), 0xff);
  EXPECT_EQ(int(y.data[2]), 0x38);
  EXPECT_EQ(int(y.data[3]), ref::encode(ref::float8_e4m3fn, 0.3f));
  EXPECT_TRUE(contains(r.out, "non-finite outputs: 2")) << r.out;
  // Saturating overflow policy.
  const Result s = run({"quantize", "--format", "e4m3", "--overflow", "saturate", "--in", in, "--out", work("s.npy").string()});
  ASSERT_EQ(s.code, 0) << s.err;
  const NpyArray ys = arithsim::tensor::read_npy(work("s.npy").string());
  ASSERT_EQ(ys.data.size(), 4u);
  EXPECT_EQ(int(ys.data[0]), 0x7e);
  EXPECT_EQ(int(ys.data[1]), 0xfe);
  // A 16-bit format gives uint16 codes.
  const Result b = run({"quantize", "--format", "bf16", "--in", in, "--out", work("b.npy").string()});
  ASSERT_EQ(b.code, 0) << b.err;
  const NpyArray yb = arithsim::tensor::read_npy(work("b.npy").string());
  EXPECT_EQ(yb.descr, "<u2");
  ASSERT_EQ(yb.data.size(), 8u);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(uint32_t(yb.data[2 * i] | (yb.data[2 * i + 1] << 8)), ref::encode(ref::bfloat16, x[i])) << i;
}

TEST_F(Cli, QuantizeDequant) {
  const auto x = test_tensor();
  const std::string in = work("x.npy").string(), out = work("y.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(x, {4, 64}));
  const Result r = run({"quantize", "--format", "e4m3", "--dequant", "--in", in, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  const NpyArray y = arithsim::tensor::read_npy(out);
  EXPECT_EQ(y.descr, "<f4");
  EXPECT_EQ(y.shape, (std::vector<size_t>{4, 64}));
  ASSERT_EQ(y.data.size(), x.size() * 4);
  int bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    float got;
    std::memcpy(&got, y.data.data() + 4 * i, 4);
    const double want = ref::decode(ref::float8_e4m3fn, ref::encode(ref::float8_e4m3fn, x[i]));
    const bool ok = std::isnan(want) ? std::isnan(got) : double(got) == want && std::signbit(got) == std::signbit(want);
    if (!ok && ++bad <= 8) ADD_FAILURE() << "element " << i << " = " << x[i] << ": got " << got << ", want " << want;
  }
  EXPECT_EQ(bad, 0);
}

// uint16 input tensors are bfloat16 bit patterns (the input's documented dtypes).
TEST_F(Cli, QuantizeBfloat16Input) {
  const std::vector<uint16_t> bits = {0x3f80, 0xc000, 0x4049, 0x43e0, 0x3c00, 0xbe80};
  const std::string in = work("bf.npy").string(), out = work("y.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_u16(bits, {2, 3}));
  const Result r = run({"quantize", "--format", "e4m3", "--in", in, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  const NpyArray y = arithsim::tensor::read_npy(out);
  EXPECT_EQ(y.shape, (std::vector<size_t>{2, 3}));
  ASSERT_EQ(y.data.size(), bits.size());
  for (size_t i = 0; i < bits.size(); ++i) {
    const double v = f32_bits(uint32_t(bits[i]) << 16);  // bfloat16 = the top half of a binary32
    EXPECT_EQ(int(y.data[i]), int(ref::encode(ref::float8_e4m3fn, v))) << "bf16 0x" << std::hex << bits[i];
  }
  EXPECT_EQ(int(y.data[3]), 0x7e) << "bf16 0x43e0 = 448 = e4m3 0x7e";
}

// OCP MX v1.0: per block of 32, X = floor(log2(amax)) - emax_elem (2 for FP4), scale code
// X + 127 (E8M0), elements = x / 2^X rounded to nearest even, saturating.
void check_mx_fp4(const std::vector<float>& x, size_t rows, size_t cols, int block, const NpyArray& codes,
                  const NpyArray& scales) {
  const size_t bpr = (cols + block - 1) / block;
  EXPECT_EQ(codes.descr, "|u1");
  EXPECT_EQ(codes.shape, (std::vector<size_t>{rows, cols}));
  EXPECT_EQ(scales.descr, "<u2");
  EXPECT_EQ(scales.shape, (std::vector<size_t>{rows, bpr}));
  ASSERT_EQ(codes.data.size(), rows * cols);
  ASSERT_EQ(scales.data.size(), rows * bpr * 2);
  int bad = 0;
  for (size_t r = 0; r < rows; ++r)
    for (size_t b = 0; b < bpr; ++b) {
      double amax = 0;
      for (size_t j = b * block; j < std::min(cols, (b + 1) * block); ++j) amax = std::max(amax, std::fabs(double(x[r * cols + j])));
      int e2;
      std::frexp(amax, &e2);
      const int X = e2 - 1 - 2;
      const uint32_t sc = scales.data[2 * (r * bpr + b)] | (scales.data[2 * (r * bpr + b) + 1] << 8);
      EXPECT_EQ(sc, uint32_t(X + 127)) << "row " << r << " block " << b << " amax " << amax;
      for (size_t j = b * block; j < std::min(cols, (b + 1) * block); ++j) {
        const uint32_t want = ref::encode(ref::float4_e2m1fn, std::ldexp(double(x[r * cols + j]), -X), ref::Mode::RNE, ref::Ovf::SATURATE);
        if (codes.data[r * cols + j] != want && ++bad <= 8)
          ADD_FAILURE() << "element (" << r << "," << j << ") = " << x[r * cols + j] << ": code "
                        << int(codes.data[r * cols + j]) << ", want " << want;
      }
    }
  EXPECT_EQ(bad, 0);
}

TEST_F(Cli, QuantizeBlockMxfp4) {
  auto x = test_tensor();
  x[7] = 0.75f;  // keep every block's amax a normal float well inside E8M0's range
  const std::string in = work("x.npy").string(), out = work("q.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(x, {4, 64}));
  const Result r = run({"quantize", "--format", "mxfp4", "--in", in, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(work("q.scales.npy")));
  EXPECT_EQ(work_listing(), (std::set<std::string>{"x.npy", "q.npy", "q.scales.npy"}));
  check_mx_fp4(x, 4, 64, 32, arithsim::tensor::read_npy(out), arithsim::tensor::read_npy(work("q.scales.npy").string()));
  EXPECT_TRUE(contains(r.out, "mxfp4")) << r.out;
  EXPECT_TRUE(contains(r.out, "MSE:")) << r.out;
  EXPECT_TRUE(contains(r.out, "SQNR:")) << r.out;

  // --block overrides the block size.
  const Result r16 = run({"quantize", "--format", "mxfp4", "--block", "16", "--in", in, "--out", work("q16.npy").string()});
  ASSERT_EQ(r16.code, 0) << r16.err;
  check_mx_fp4(x, 4, 64, 16, arithsim::tensor::read_npy(work("q16.npy").string()),
               arithsim::tensor::read_npy(work("q16.scales.npy").string()));
}

TEST_F(Cli, QuantizeJson) {
  const auto x = test_tensor();
  const std::string in = work("x.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(x, {4, 64}));
  const Result r = run({"quantize", "--format", "e4m3", "--json", "--in", in, "--out", work("y.npy").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<double> deq(x.size());
  for (size_t i = 0; i < x.size(); ++i) deq[i] = ref::decode(ref::float8_e4m3fn, ref::encode(ref::float8_e4m3fn, x[i]));
  const Stats s = stats_of(x, deq);
#if ARITHSIM_TEST_HAVE_JSON
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  ASSERT_TRUE(j.contains("sqnr_db")) << r.out;
  ASSERT_TRUE(j["sqnr_db"].is_number()) << r.out;
  EXPECT_NEAR(j["sqnr_db"].get<double>(), s.sqnr_db, 1e-9);
  EXPECT_NEAR(j["mse"].get<double>(), s.mse, 1e-12 * s.mse + 1e-300);
  EXPECT_EQ(j["elements"].get<int>(), 256);
  EXPECT_EQ(j["nonfinite"].get<int>(), 0);
  EXPECT_EQ(j["format"].get<std::string>(), "float8_e4m3fn");
#else
  EXPECT_TRUE(contains(r.out, "\"sqnr_db\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"elements\": 256")) << r.out;
#endif
  // An exact quantization has SQNR +inf, written as the string "inf".
  const std::string in2 = work("exact.npy").string();
  arithsim::tensor::write_npy(in2, NpyArray::from_float({1.0f, -2.0f, 448.0f, 0.5f}, {2, 2}));
  const Result e = run({"quantize", "--format", "e4m3", "--json", "--in", in2, "--out", work("e.npy").string()});
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_TRUE(contains(e.out, "\"sqnr_db\": \"inf\"")) << e.out;
}

TEST_F(Cli, QuantizeUsageErrorsWriteNothing) {
  const std::string in = work("x.npy").string(), out = work("y.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(test_tensor(), {4, 64}));
  expect_error(run({"quantize", "--format", "e4m3", "--block", "16", "--in", in, "--out", out}), 2, {"(--block)"});
  expect_error(run({"quantize", "--format", "bogus", "--in", in, "--out", out}), 2, {"bogus", "(--format)"});
  expect_error(run({"quantize", "--format", "mxbogus", "--in", in, "--out", out}), 2, {"mxbogus", "(--format)"});
  expect_error(run({"quantize", "--format", "mxfp4", "--block=-1", "--in", in, "--out", out}), 2, {"(--block)"});
  expect_error(run({"quantize", "--format", "e4m3", "--overflow", "inf", "--in", in, "--out", out}), 2, {"(--overflow)"});
  expect_error(run({"quantize", "--format", "e4m3", "--rounding", "bogus", "--in", in, "--out", out}), 2, {"(--rounding)"});
  EXPECT_EQ(work_listing(), std::set<std::string>{"x.npy"});
}

TEST_F(Cli, QuantizeTruncatedInputWritesNothing) {
  const std::string in = work("x.npy").string(), out = work("y.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(test_tensor(), {4, 64}));
  const auto size = fs::file_size(in);
  fs::resize_file(in, size - 512);  // cut in the middle of the 1024 data bytes
  for (const char* f : {"e4m3", "mxfp4"}) {
    SCOPED_TRACE(f);
    expect_error(run({"quantize", "--format", f, "--in", in, "--out", out}), 1, {in, "(--in)"});
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(work_listing(), std::set<std::string>{"x.npy"});
  }
  // Also when the output exists already: it is left as it was.
  write_all(out, "previous");
  expect_error(run({"quantize", "--format", "e4m3", "--in", in, "--out", out}), 1, {in});
  EXPECT_EQ(read_all(out), "previous");
}

TEST_F(Cli, QuantizeMissingOrMalformedInput) {
  const std::string missing = work("missing.npy").string(), out = work("y.npy").string();
  expect_error(run({"quantize", "--format", "e4m3", "--in", missing, "--out", out}), 1, {missing});
  EXPECT_TRUE(work_listing().empty());
  const std::string text = work("text.npy").string();
  write_all(text, "not an npy file\n");
  expect_error(run({"quantize", "--format", "e4m3", "--in", text, "--out", out}), 1, {text});
  EXPECT_EQ(work_listing(), std::set<std::string>{"text.npy"});
  // A block format needs at least one axis.
  const std::string scalar = work("scalar.npy").string();
  arithsim::tensor::write_npy(scalar, NpyArray::from_float({1.5f}, {}));
  expect_error(run({"quantize", "--format", "mxfp4", "--in", scalar, "--out", out}), 1, {"(--in)"});
  // NVFP4 has no rule for NaN/inf inputs.
  const std::string withnan = work("nan.npy").string();
  arithsim::tensor::write_npy(withnan, NpyArray::from_float({1.0f, std::nanf(""), 2.0f, 3.0f}, {1, 4}));
  expect_error(run({"quantize", "--format", "nvfp4", "--in", withnan, "--out", out}), 1, {"(--in)"});
  EXPECT_EQ(work_listing(), (std::set<std::string>{"text.npy", "scalar.npy", "nan.npy"}));
}

// A block format writes two files; when the second cannot be written, neither may remain.
TEST_F(Cli, QuantizeBlockOutputsAllOrNothing) {
  const std::string in = work("x.npy").string();
  arithsim::tensor::write_npy(in, NpyArray::from_float(test_tensor(), {4, 64}));
  fs::create_directories(work("q.npy"));  // the codes file cannot replace a directory
  const Result r = run({"quantize", "--format", "mxfp4", "--in", in, "--out", work("q.npy").string()});
  expect_error(r, 2, {"is a directory", "--out: refusing"}, false);
  EXPECT_FALSE(fs::exists(work("q.scales.npy"))) << "scales file left behind after a failed quantize";
  // Output into a directory that does not exist.
  const std::string nodir = (dir_ / "work" / "no_such_dir" / "y.npy").string();
  const Result e = run({"quantize", "--format", "e4m3", "--in", in, "--out", nodir});
  expect_error(e, 2, {nodir, "does not exist"}, false);
  EXPECT_FALSE(fs::exists(dir_ / "work" / "no_such_dir"));
  // A side file that cannot be written: the user's existing codes file keeps its content.
  write_all(work("u.npy"), "the user's own file");
  fs::create_directories(work("u.scales.npy"));
  expect_error(run({"quantize", "--format", "mxfp4", "--in", in, "--out", work("u.npy").string()}), 2,
               {"u.scales.npy", "is a directory"}, false);
  EXPECT_EQ(read_all(work("u.npy")), "the user's own file");
  // Written over the input: refused, the input intact.
  const std::string before = read_all(in);
  expect_error(run({"quantize", "--format", "e4m3", "--in", in, "--out", in}), 2, {"is the input"}, false);
  EXPECT_EQ(read_all(in), before);
  // Existing outputs of an earlier run are replaced together, with no temporary file left.
  ASSERT_EQ(run({"quantize", "--format", "int4_g128:asym", "--in", in, "--out", work("g.npy").string()}).code, 0);
  write_all(work("g.npy"), "stale");
  ASSERT_EQ(run({"quantize", "--format", "int4_g128:asym", "--in", in, "--out", work("g.npy").string()}).code, 0);
  EXPECT_NE(read_all(work("g.npy")), "stale");
  for (const auto& f : work_listing()) EXPECT_NE(f[0], '.') << "temporary file left: " << f;
}

// ---------------------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------------------

// The default job: one row per PE with every column (more `run` tests at the end of the file).
TEST_F(Cli, RunPrintsTable) {
  const Result r = run({"run", "--out", work("out").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::map<std::string, std::vector<std::string>> rows;
  for (const auto& l : lines_of(r.out)) {
    const auto w = words_of(l);
    if (w.size() == 13) rows[w[0]] = w;
  }
  for (const char* pe : {"int_mac", "fp8_mac", "mixpe", "lut_tensor_core", "rmmec", "lmul_pe"}) {
    ASSERT_TRUE(rows.count(pe)) << pe << " missing from\n" << r.out;
    const auto& w = rows[pe];
    EXPECT_GT(parse_double(w[1]), 0) << pe;  // clock GHz
    EXPECT_GT(parse_double(w[2]), 0) << pe;  // cycles
    // energy = compute + buffers + DRAM + leakage (printed to 3 decimals)
    EXPECT_NEAR(parse_double(w[4]),
                parse_double(w[5]) + parse_double(w[6]) + parse_double(w[7]) + parse_double(w[8]), 0.003) << pe;
    EXPECT_TRUE(w[12] == "memory" || w[12] == "compute") << pe;
  }
}

// The README's table is the output of `arithsim run`, not typed: scripts/readme_run_table.sh
// writes it; this fails when the model changed and the README was not regenerated.
TEST_F(Cli, ReadmeTableIsTheRunOutput) {
  const Result r = run({"run", "--out", work("out").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream f(std::string(ARITHSIM_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(f) << "README.md";
  std::vector<std::string> readme;
  bool in = false;
  for (std::string l; std::getline(f, l);) {
    if (contains(l, "arithsim run table: begin")) in = true;
    else if (contains(l, "arithsim run table: end")) in = false;
    else if (in && l != "```") readme.push_back(l);
  }
  std::vector<std::string> table;
  const auto out = lines_of(r.out);
  for (size_t i = 1; i < out.size() && !out[i].empty(); ++i) table.push_back(out[i]);
  ASSERT_FALSE(table.empty()) << r.out;
  EXPECT_EQ(readme, table) << "README.md's run table is stale: run scripts/readme_run_table.sh";
}

// The README's example-sweep front is the sweep's report table, and its plot the sweep's.
TEST_F(Cli, ReadmeSweepFrontIsTheSweepOutput) {
  const std::string src = ARITHSIM_SOURCE_DIR;
  const Result r = run({"sweep", src + "/sweeps/pe-by-array.yaml", "--out", work("sweep").string(), "--progress", "never"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto table_rows = [](std::istream& in, const std::string& begin, const std::string& end) {
    std::vector<std::string> rows;
    bool on = false;
    for (std::string l; std::getline(in, l);) {
      if (contains(l, begin)) on = true;
      else if (on && (contains(l, end) || (l.empty() && !rows.empty()))) break;
      else if (on && !l.empty() && l[0] == '|') rows.push_back(l);
    }
    return rows;
  };
  std::ifstream readme(src + "/README.md"), report(work("sweep") / "report.md");
  const auto want = table_rows(report, "## Pareto front", "## Plots");
  ASSERT_GT(want.size(), 2u);
  EXPECT_EQ(table_rows(readme, "arithsim sweep front: begin", "arithsim sweep front: end"), want)
      << "README.md's sweep front is stale: run scripts/readme_run_table.sh";
  EXPECT_EQ(read_all(src + "/docs/img/pe-by-array-energy-vs-latency.svg"),
            read_all(work("sweep") / "plots" / "energy_mj-vs-latency_ms.svg"))
      << "docs/img/pe-by-array-energy-vs-latency.svg is stale: run scripts/readme_run_table.sh";
}

// --daz only exists where codes are decoded: encode rejects it instead of ignoring it.
// --daz on encode: float32-subnormal inputs are zeros of their sign (bf16 0x0080 = 2^-126 is
// the smallest normal and stays).
TEST_F(Cli, EncodeDazFlushesSubnormalInputs) {
  const Result r = run({"format", "encode", "bf16", "--daz"}, "0x1p-127\n-0x1p-130\n0x1p-126\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out), (std::vector<std::string>{"0x0000", "0x8000", "0x0080"}));
  const Result n = run({"format", "encode", "bf16"}, "0x1p-127\n");  // without: the subnormal code
  EXPECT_EQ(lines_of(n.out), (std::vector<std::string>{"0x0040"}));
}

// --- pe list / gemm ------------------------------------------------------------------

TEST_F(Cli, PeListNamesEveryModelWithParameters) {
  const Result r = run({"pe", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* pe : {"int_mac", "fp8_mac", "mixpe", "lut_tensor_core", "lmul_pe"}) EXPECT_TRUE(contains(r.out, pe)) << pe;
  EXPECT_TRUE(contains(r.out, "group")) << r.out;
  const Result j = run({"pe", "list", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_TRUE(contains(j.out, "\"params\"")) << j.out;
}

TEST_F(Cli, GemmRandomOperandsPrintsErrorStatistics) {
  const Result r = run({"gemm", "--pe", "int_mac", "--m", "4", "--n", "5", "--k", "64", "--seed", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "SQNR")) << r.out;
  // INT accumulation without overflow is exact: every output is the correctly rounded dot.
  EXPECT_TRUE(contains(r.out, "exact match 1.0000")) << r.out;
  const Result j = run({"gemm", "--pe", "fp8_mac", "--param", "mode=tree", "--m", "3", "--n", "3", "--k", "40", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_TRUE(contains(j.out, "\"exact_match_rate\"")) << j.out;
  EXPECT_TRUE(contains(j.out, "mode=tree")) << j.out;
  // Same seed, same output; the distribution is stated.
  auto stats = [&](uint64_t seed) {  // everything but the timing line
    const auto out = run({"gemm", "--pe", "mixpe", "--k", "128", "--m", "2", "--n", "2", "--seed", std::to_string(seed)}).out;
    return out.substr(0, out.find("emulation:"));
  };
  EXPECT_EQ(stats(9), stats(9));
  EXPECT_NE(stats(9), stats(10));
  // The same statistics on 1 and 3 threads; the thread count is stated.
  const auto t1 = run({"gemm", "--pe", "fp8_mac", "--m", "6", "--n", "64", "--k", "2048", "--threads", "1"}).out;
  const auto t3 = run({"gemm", "--pe", "fp8_mac", "--m", "6", "--n", "64", "--k", "2048", "--threads", "3"}).out;
  EXPECT_EQ(t1.substr(0, t1.find("emulation:")), t3.substr(0, t3.find("emulation:")));
  EXPECT_TRUE(contains(t3, "on 3 threads")) << t3;
}

TEST_F(Cli, GemmFromNpyWritesC) {
  std::vector<float> a(2 * 8), b(8 * 3);
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(int(i % 7) - 3);
  for (size_t i = 0; i < b.size(); ++i) b[i] = float(int(i % 5) - 2);
  const std::string pa = work("a.npy").string(), pb = work("b.npy").string(), pc = work("c.npy").string();
  arithsim::tensor::write_npy(pa, NpyArray::from_float(a, {2, 8}));
  arithsim::tensor::write_npy(pb, NpyArray::from_float(b, {8, 3}));
  const Result r = run({"gemm", "--pe", "int_mac", "--a", pa, "--b", pb, "--out", pc});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto c = arithsim::tensor::read_npy(pc).to_double();
  ASSERT_EQ(c.size(), 6u);
  // Small integers quantize exactly to INT8 here (amax 3 and 2 map to 127 with exact scales
  // only when the scale is exact); compare against the exact integer product within the
  // quantization error bound instead: |C - A*B| <= K * (max|a| * s_w/2 + max|b| * s_a/2).
  for (size_t i = 0; i < 2; ++i)
    for (size_t j = 0; j < 3; ++j) {
      double s = 0;
      for (size_t t = 0; t < 8; ++t) s += a[i * 8 + t] * b[t * 3 + j];
      EXPECT_NEAR(c[i * 3 + j], s, 8 * (3 * (2.0 / 127) / 2 + 2 * (3.0 / 127) / 2) + 1e-3);
    }
}

TEST_F(Cli, GemmErrorsAreOneLineWithExitCodes) {
  Result r = run({"gemm", "--pe", "nope"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown PE 'nope'")) << r.err;
  r = run({"gemm", "--pe", "mixpe", "--param", "group=100", "--k", "4096", "--m", "1", "--n", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "MixPE") || contains(r.err, "mixpe")) << r.err;
  EXPECT_TRUE(contains(r.err, "group size 100 does not divide K=4096")) << r.err;
  r = run({"gemm", "--pe", "lut_tensor_core", "--param", "a=e4m3"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "a=float8_e4m3fn is not int8 or fp16")) << r.err;
  r = run({"gemm", "--pe", "int_mac", "--param", "bogus=1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown parameter 'bogus'")) << r.err;
  r = run({"gemm", "--pe", "int_mac", "--param", "novalue"});
  EXPECT_EQ(r.code, 2);
  r = run({"gemm", "--pe", "int_mac", "--a", work("missing.npy").string(), "--b", work("missing.npy").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "missing.npy")) << r.err;
  for (const auto& res : {r}) EXPECT_EQ(lines_of(res.err).size(), 1u) << res.err;
}

// --- tensor_core: presets, exact operands, errors ---------------------------------------

TEST_F(Cli, TensorCorePresetsTableInTheDocsIsCurrent) {
  const Result r = run({"pe", "presets", "tensor_core", "--format", "markdown"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string doc = read_all(fs::path(ARITHSIM_SOURCE_DIR) / "docs/pe/tensor_core.md");
  const std::string begin = "<!-- presets:tensor_core -->\n", end = "<!-- /presets:tensor_core -->";
  const size_t b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), r.out) << "run scripts/tensor_core_docs.sh";
  EXPECT_TRUE(contains(r.out, "| h100, h200 | wgmma | e4m3, e5m2 | fp32 | 32 | 32 | - | aligned | 13 | -133 | e8m13 rtz |")) << r.out;
  const Result j = run({"pe", "presets", "tensor_core", "--format", "json"});
  ASSERT_EQ(j.code, 0) << j.err;
  EXPECT_TRUE(contains(j.out, "\"source\"")) << j.out;
  const Result c = run({"pe", "presets", "tensor_core", "--format", "csv"});
  EXPECT_EQ(lines_of(c.out).size(), lines_of(r.out).size() - 1) << c.out;  // header, no separator row
  const Result none = run({"pe", "presets", "int_mac"});
  EXPECT_EQ(none.code, 2);
  EXPECT_TRUE(contains(none.err, "PE 'int_mac' has no presets")) << none.err;
}

TEST_F(Cli, TensorCoreGemmTakesExactOperandsAndNamesBadOnes) {
  // A = [1 .. 32] / 8 and B = 1: the dot is 66 exactly, which every rule returns; the V100
  // row chains 8 instructions of k = 4.
  std::vector<float> a(32), b(32, 1.0f);
  for (size_t i = 0; i < 32; ++i) a[i] = float(i + 1) / 8;
  const std::string pa = work("tc_a.npy").string(), pb = work("tc_b.npy").string(), pc = work("tc_c.npy").string();
  arithsim::tensor::write_npy(pa, NpyArray::from_float(a, {1, 32}));
  arithsim::tensor::write_npy(pb, NpyArray::from_float(b, {32, 1}));
  Result r = run({"gemm", "--pe", "tensor_core", "--param", "gpu=v100", "--param", "scale=none", "--a", pa, "--b", pb,
                  "--out", pc, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(arithsim::tensor::read_npy(pc).to_double(), std::vector<double>{66.0});
  EXPECT_TRUE(contains(r.out, "\"exact_match_rate\": 1.0")) << r.out;
  // 1/3 is no fp16 value: scale=none refuses it, naming the operand and the index.
  a[5] = 1.0f / 3;
  arithsim::tensor::write_npy(pa, NpyArray::from_float(a, {1, 32}));
  r = run({"gemm", "--pe", "tensor_core", "--param", "gpu=v100", "--param", "scale=none", "--a", pa, "--b", pb});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "A[0, 5] = 0.33333334 is not a value of float16")) << r.err;
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  // --codes: integer arrays are codes of the input formats. E4M3 0x47 is 3.75 (the code
  // the PE's own scaling saturated) and 0xb8 is -1; B = 1.0 (0x38): D = 3.75 - 1 = 2.75.
  const std::string ka = work("tc_codes_a.npy").string(), kb = work("tc_codes_b.npy").string();
  arithsim::tensor::write_npy(ka, NpyArray::from_u8({0x47, 0xb8}, {1, 2}));
  arithsim::tensor::write_npy(kb, NpyArray::from_u8({0x38, 0x38}, {2, 1}));
  for (const char* pe : {"tensor_core", "fp8_mac"}) {
    std::vector<std::string> args = {"gemm", "--pe", pe, "--codes", "--a", ka, "--b", kb, "--out", pc, "--json"};
    if (std::string(pe) == "tensor_core") args.insert(args.end(), {"--param", "in=e4m3", "--param", "instr=wgmma"});
    r = run(args);
    ASSERT_EQ(r.code, 0) << pe << ": " << r.err;
    EXPECT_EQ(arithsim::tensor::read_npy(pc).to_double(), std::vector<double>{2.75}) << pe;
    EXPECT_TRUE(contains(r.out, "\"operands\": \"exact values of float8_e4m3fn x float8_e4m3fn (scale=none)\"")) << r.out;
  }
  r = run({"gemm", "--pe", "fp8_mac", "--codes", "--param", "scale=pow2", "--a", ka, "--b", kb});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--codes takes the operands as they are (scale=none), not scale=pow2")) << r.err;
  arithsim::tensor::write_npy(work("tc_codes_a16.npy").string(), NpyArray::from_u16({0x3f, 0x100}, {1, 2}));
  r = run({"gemm", "--pe", "fp8_mac", "--codes", "--a", work("tc_codes_a16.npy").string(), "--b", kb});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "element [0, 1] = 256 is not a 8-bit code of float8_e4m3fn")) << r.err;
  arithsim::tensor::write_npy(work("tc_codes_af.npy").string(), NpyArray::from_float({1.0f, 2.0f}, {1, 2}));
  r = run({"gemm", "--pe", "fp8_mac", "--codes", "--a", work("tc_codes_af.npy").string(), "--b", kb});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "--codes wants an integer array of float8_e4m3fn codes, got dtype '<f4'")) << r.err;
  // Unknown GPU, instruction or type: one line that lists what the presets have.
  r = run({"gemm", "--pe", "tensor_core", "--param", "gpu=p100"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown gpu 'p100'") && contains(r.err, "v100, t4, a100") && contains(r.err, "mi300x")) << r.err;
  r = run({"gemm", "--pe", "tensor_core", "--param", "gpu=a100", "--param", "instr=wgmma"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "gpu a100 has no instruction 'wgmma'") && contains(r.err, "mma.sync, wmma")) << r.err;
  r = run({"gemm", "--pe", "tensor_core", "--param", "gpu=v100", "--param", "in=bf16"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "v100 mma.sync does not take a=bf16 b=bf16 out=fp32") && contains(r.err, "fp16 -> fp32")) << r.err;
  for (const char* bad : {"promote=100", "split_k=0", "scale=maybe", "alpha=x", "d=nope"}) {
    r = run({"gemm", "--pe", "tensor_core", "--param", "in=e4m3", "--param", "instr=wgmma", "--param", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_EQ(lines_of(r.err).size(), 1u) << bad << r.err;
  }
  // A user's presets file: its rows replace the built-in ones; its errors name it.
  const fs::path user = work("my_presets.yaml");
  write_all(user, "formats: {fp16: float16, fp32: float32}\npresets:\n  - {gpu: [mygpu], instr: [mma], in: [fp16], out: fp32,"
                  " k: 4, block: 4, fraction_bits: 30, source: mine}\n");
  arithsim::tensor::write_npy(pa, NpyArray::from_float(std::vector<float>(32, 0.5f), {1, 32}));
  r = run({"gemm", "--pe", "tensor_core", "--param", "presets=" + user.string(), "--param", "gpu=mygpu", "--param",
           "instr=mma", "--a", pa, "--b", pb, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  write_all(user, "formats: {fp16: float16}\npresets:\n  - {gpu: [g], instr: [i], in: [fp16], out: fp32, k: 4, source: s}\n");
  r = run({"gemm", "--pe", "tensor_core", "--param", "presets=" + user.string(), "--param", "gpu=g"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, user.string()) && contains(r.err, "type 'fp32' is not in formats")) << r.err;
}

TEST_F(Cli, CosimEveryPeFromTheCommandLine) {
  for (const char* pe : {"int_mac", "fp8_mac", "lmul_pe", "mixpe", "lut_tensor_core", "rmmec"}) {
    const Result r = run({"cosim", pe, "--cycles", "3000", "--seed", "4"});
    EXPECT_EQ(r.code, 0) << pe << r.err;
    EXPECT_TRUE(contains(r.out, "PASS: 3000 cycles compared on every port")) << pe << r.out;
  }
  const Result w = run({"cosim", "fp8_mac", "--param", "w=e5m2", "--param", "a=e4m3", "--cycles", "10"});
  EXPECT_EQ(w.code, 2);  // no Verilated model for that set: the message lists the built ones
  EXPECT_EQ(lines_of(w.err).size(), 1u) << w.err;
  const Result u = run({"cosim", "no_such_pe"});
  EXPECT_EQ(u.code, 2);
  EXPECT_TRUE(contains(u.err, "no RTL for PE 'no_such_pe'")) << u.err;
  const Result z = run({"cosim", "int_mac", "--cycles", "0"});
  EXPECT_EQ(z.code, 2);
}

TEST_F(Cli, SynthScriptAndErrors) {
  Result r = run({"synth", "mixpe", "--script"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "chparam -set GROUP 128 mixpe")) << r.out;
  EXPECT_TRUE(contains(r.out, "synth -top mixpe -flatten")) << r.out;
  r = run({"synth", "int_mac", "--array", "4x8", "--dataflow", "dot", "--script"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "chparam -set C 8 pe_array")) << r.out;
  EXPECT_TRUE(contains(r.out, "chparam -set DATAFLOW 1 pe_array")) << r.out;
  r = run({"synth", "int_mac", "--array", "4by4"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "'4by4' is not RxC")) << r.err;
  r = run({"synth", "int_mac", "--array", "2x2", "--dataflow", "ws"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "dataflow 'ws'")) << r.err;
  r = run({"synth", "mixpe", "--param", "acc=bf16", "--script"});  // any IEEE-style accumulator
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "chparam -set ACC_M 7 mixpe")) << r.out;
  r = run({"synth", "rmmec", "--param", "out=fp4"});  // E2M1: no RTL rounder
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "out=fp4")) << r.err;
}

// PE costs from synthesis (issue #12): `cost --cost synth:sky130` synthesizes once into the
// PPA database; `synth --liberty` finds the same entry; with yosys and OpenSTA off the PATH
// the same commands and `run --cost synth:sky130` still work, from the database alone.
TEST_F(Cli, CostFromSynthesisIsReusedWithoutTheTools) {
  const std::string db = work("ppa.json").string();
  const std::vector<std::string> cost = {"cost", "int_mac", "--cost", "synth:sky130", "--ppa-db", db, "--format", "json"};
  const std::vector<std::string> estimate = {"run", "--pe", "int_mac", "--cost", "synth:sky130", "--ppa-db", db,
                                             "--no-report", "--json"};
  const Result c1 = run(cost);
  ASSERT_EQ(c1.code, 0) << c1.err;
  const auto j = nlohmann::json::parse(c1.out);
  EXPECT_EQ(j["node_nm"], 130);
  EXPECT_GT(j["area_um2"].get<double>(), 1000);
  EXPECT_TRUE(contains(j["parts"][0]["source"].get<std::string>(), "synthesized by Yosys")) << c1.out;
  const Result s = run({"synth", "int_mac", "--liberty", std::string(ARITHSIM_PDK_DIR) + "/sky130hd_tt.lib.gz", "--ppa-db",
                        db, "--json"});
  ASSERT_EQ(s.code, 0) << s.err;
  const auto sj = nlohmann::json::parse(s.out);
  EXPECT_EQ(sj["ppa_database"]["reused"], true) << s.out;
  EXPECT_DOUBLE_EQ(sj["area_um2"].get<double>(), j["area_um2"].get<double>());
  const Result e1 = run(estimate);
  ASSERT_EQ(e1.code, 0) << e1.err;
  EXPECT_TRUE(contains(e1.out, "synth:sky130")) << e1.out;
  const std::string path = std::getenv("PATH");
  ::setenv("PATH", work("no-tools").c_str(), 1);
  const Result c2 = run(cost), e2 = run(estimate);
  ::setenv("PATH", path.c_str(), 1);
  EXPECT_EQ(c2.code, 0) << c2.err;
  EXPECT_EQ(c2.out, c1.out);
  EXPECT_EQ(e2.code, 0) << e2.err;
  EXPECT_EQ(e2.out, e1.out);
}

// The model fitted to synthesis (`--cost fitted:asap7`): at the library's node, with the fit
// named in every part's source, and near the synthesized area of the configuration it was
// fitted on (docs/cost.md residual table: mixpe on ASAP7, 489.5 um2 synthesized).
TEST_F(Cli, CostFromTheFittedModel) {
  const Result r = run({"cost", "mixpe", "--cost", "fitted:asap7", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["node_nm"], 7);
  EXPECT_NEAR(j["area_um2"].get<double>(), 489.5, 0.15 * 489.5);
  EXPECT_TRUE(contains(j["parts"][0]["source"].get<std::string>(), "fitted to synthesis on asap7")) << r.out;
  const Result e = run({"run", "--pe", "mixpe", "--cost", "fitted:sky130", "--no-report"});
  ASSERT_EQ(e.code, 0) << e.err;
}

// The cost source as a sweep axis (sweeps/cost-source.yaml): every point evaluated, the
// synthesized points at the libraries' clocks (slower than the model's 28 nm), and the PPA
// database holding one entry per library afterwards.
TEST_F(Cli, SweepOverTheCostSource) {
  const std::string db = work("ppa.json").string();
  const Result r = run({"sweep", std::string(ARITHSIM_SOURCE_DIR) + "/sweeps/cost-source.yaml", "--out",
                        work("cs").string(), "--ppa-db", db, "--progress", "never"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = lines_of(read_all(work("cs") / "points.csv"));
  ASSERT_EQ(rows.size(), 13u);
  std::map<std::string, int> by_cost;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(contains(rows[i], ",ok,")) << rows[i];
    for (const char* c : {",analytical,", ",synth:sky130,", ",synth:asap7,"})
      if (contains(rows[i], c)) ++by_cost[c];
  }
  EXPECT_EQ(by_cost[",analytical,"], 4);
  EXPECT_EQ(by_cost[",synth:sky130,"], 4);
  EXPECT_EQ(by_cost[",synth:asap7,"], 4);
  const auto j = nlohmann::json::parse(read_all(db));
  EXPECT_EQ(j["entries"].size(), 2u);
}

// ---------------------------------------------------------------------------------------
// run: the estimator's main job (issue #6)
// ---------------------------------------------------------------------------------------

TEST_F(Cli, RunWritesReportFilesAtomically) {
  const fs::path out = work("report");
  ASSERT_EQ(run({"run", "--out", out.string(), "--pe", "int_mac"}).code, 0);  // an earlier report
  write_all(out / "stale.txt", "old");
  const Result r = run({"run", "--out", out.string(), "--pe", "mixpe", "--pe", "int_mac", "--latex"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* f : {"report.md", "results.csv", "results.json", "table.tex", ".arithsim-output"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  for (const char* f : {"energy_breakdown", "area", "latency_per_layer", "accuracy_vs_energy", "roofline"})
    for (const char* ext : {".png", ".svg"}) EXPECT_TRUE(fs::exists(out / "plots" / (std::string(f) + ext))) << f << ext;
  EXPECT_FALSE(fs::exists(out / "stale.txt"));  // the old report was replaced whole
  EXPECT_EQ(work_listing(), std::set<std::string>{"report"});  // no temporary directory left
  EXPECT_TRUE(contains(r.out, "\\toprule")) << r.out;
  EXPECT_TRUE(contains(read_all(out / "report.md"), "28 nm")) << "every estimate names its node";
}

// Interrupted (SIGINT) in the middle of a run: exit 130, the previous report untouched, no
// partial report and no temporary directory left. The signal is sent once the run reports its
// first step (`--progress always` on a pipe), so the interrupt lands inside the estimate
// whatever the machine's speed.
TEST_F(Cli, RunInterruptedLeavesNoPartialReport) {
  const fs::path trace = work("l70.yaml"), out = work("report");
  ASSERT_EQ(run({"trace", "gen", "llama2-70b", "--phase", "prefill", "--seq", "8192", "--out", trace.string()}).code, 0);
  ASSERT_EQ(run({"run", "--pe", "int_mac", "--out", out.string()}).code, 0);  // the previous report
  write_all(out / "old.txt", "previous report");
  std::set<std::string> before;
  for (const auto& e : fs::directory_iterator(out)) before.insert(e.path().filename().string());
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  std::vector<std::string> args = {ARITHSIM_BIN, "run", "--trace", trace.string(), "--out", out.string(), "--progress", "always"};
  std::vector<char*> argv;
  for (auto& x : args) argv.push_back(x.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  std::string err;
  char c;
  while (!contains(err, "[") && read(pipefd[0], &c, 1) == 1) err += c;  // the first progress step
  ASSERT_TRUE(contains(err, "[")) << "no progress output: " << err;
  kill(pid, SIGINT);
  const int st = wait_for(pid);
  close(pipefd[0]);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 128 + SIGINT);
  EXPECT_EQ(work_listing(), (std::set<std::string>{"l70.yaml", "report"}));  // no temporary directory
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(out)) left.insert(e.path().filename().string());
  EXPECT_EQ(left, before);
  EXPECT_EQ(read_all(out / "old.txt"), "previous report");
}

// The progress bar: drawn on a terminal (a pseudo-terminal from util-linux `script`) with
// `--progress always`, never into a file with the default `auto`, never with `never`. (`auto`
// on a terminal waits a second: not asserted, it depends on the machine's speed.)
TEST_F(Cli, RunProgressBarModes) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "no /usr/bin/script (util-linux) for a pseudo-terminal";
  const fs::path trace = work("l7.yaml"), tty = work("tty.out");
  ASSERT_EQ(run({"trace", "gen", "llama2-7b", "--phase", "prefill", "--seq", "512", "--out", trace.string()}).code, 0);
  const Result r = run({"run", "--trace", trace.string(), "--no-report"});  // stderr: a file
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const Result a = run({"run", "--trace", trace.string(), "--no-report", "--progress", "always", "--pe", "int_mac"});
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_TRUE(contains(a.err, "[#")) << a.err.substr(0, 300);
  for (const char* mode : {"always", "never"}) {
    const std::string cmd = fmt_cmd(ARITHSIM_BIN) + " run --trace " + fmt_cmd(trace.string()) +
                            " --no-report --progress " + mode + " >/dev/null";
    const pid_t pid = spawn_quiet({"/usr/bin/script", "-qec", cmd, tty.string()});
    ASSERT_GT(pid, 0);
    const int st = wait_for(pid);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    const std::string out = read_all(tty);
    EXPECT_EQ(contains(out, "[#"), std::string(mode) == "always") << mode << ": " << out.substr(0, 300);
  }
  expect_error(run({"run", "--progress", "sometimes", "--no-report"}), 2, {"unknown progress mode 'sometimes'"});
}

TEST_F(Cli, RunJsonIsParseableAndReportsAreByteIdentical) {
  // Also across thread counts: the sampled measurements run in parallel (--threads).
  const Result a = run({"run", "--out", work("a").string(), "--pe", "lut_tensor_core", "--json", "--threads", "1"});
  const Result b = run({"run", "--out", work("b").string(), "--pe", "lut_tensor_core", "--json", "--threads", "3"});
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
#if ARITHSIM_TEST_HAVE_JSON
  const auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j["pes"].size(), 1u);
  EXPECT_GT(j["pes"][0]["energy_pj"]["total"].get<double>(), 0);
#endif
  for (const auto& e : fs::recursive_directory_iterator(work("a"))) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), work("a"));
    EXPECT_EQ(read_all(e.path()), read_all(work("b") / rel)) << rel;
  }
}

TEST_F(Cli, RunErrors) {
  write_all(work("bad.yaml"), "array: {rows: 0}\n");
  Result r = run({"run", "--config", work("bad.yaml").string(), "--out", work("o").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "array.rows")) << r.err;
  write_all(work("t.yaml"), "version: 1\nmodel: x\nphase: forward\nops:\n  - {name: fc, kind: gemm, m: 4, n: 64, k: 64, "
                            "weight_format: e4m3, activation_format: int8, output_format: bf16}\n");
  write_all(work("lut.yaml"), "pe: {name: lut_tensor_core, params: {w: int2}}\n");
  r = run({"run", "--trace", work("t.yaml").string(), "--config", work("lut.yaml").string(), "--out", work("o").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "lut_tensor_core: weights must be int1..int4")) << r.err;
  EXPECT_TRUE(contains(r.err, "(trace op 'fc' asks for e4m3)")) << r.err;
  // Structured sparsity (2:4) is never silently ignored: no PE model skips zero weights.
  write_all(work("sparse.yaml"), "version: 1\nmodel: x\nphase: forward\nops:\n  - {name: fc, kind: gemm, m: 4, n: 64, "
                                 "k: 64, weight_format: int4, activation_format: int8, output_format: bf16, sparsity: 0.5}\n");
  r = run({"run", "--trace", work("sparse.yaml").string(), "--out", work("o").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "does not exploit sparse weights (trace op 'fc' has sparsity 0.5)")) << r.err;
  EXPECT_FALSE(fs::exists(work("o"))) << "no report on error";
  write_all(work("broken.yaml"), "version: 1\nmodel: x\nphase: forward\nops:\n  - {name: fc, kind: gemm, m: 4}\n");
  r = run({"run", "--trace", work("broken.yaml").string(), "--out", work("o").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "missing field")) << r.err;
  expect_error(run({"run", "--threads", "0", "--out", work("o").string()}), 2, {"--threads"}, false);
  r = run({"run", "--pe", "tpu", "--out", work("o").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown PE 'tpu'")) << r.err;
  EXPECT_FALSE(fs::exists(work("o")));
  // A clock above the modelled fmax names both numbers; nothing is written.
  r = run({"run", "--pe", "mixpe", "--clock", "1", "--out", work("o").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "clock 1 GHz (clock_ghz, --clock) is above the modelled fmax of 'mixpe' at 28 nm, 0.701 GHz"))
      << r.err;
  EXPECT_FALSE(fs::exists(work("o")));
  write_all(work("clk.yaml"), "pe: {name: mixpe}\nclock_ghz: 0.9\n");
  r = run({"run", "--config", work("clk.yaml").string(), "--out", work("o").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "0.9 GHz")) << r.err;
  EXPECT_FALSE(fs::exists(work("o")));
  expect_error(run({"run", "--clock", "fast", "--out", work("o").string()}), 2, {"--clock", "'fast'"}, false);
  write_all(work("clk.yaml"), "clock_ghz: [1]\n");
  expect_error(run({"run", "--config", work("clk.yaml").string(), "--out", work("o").string()}), 1,
               {"clk.yaml", "clock_ghz", "'auto'"}, false);
}

// A fixed mapping reproduces a given design: the report carries the config's loop nest for
// every GEMM op, evaluated once (1 candidate), and the searched one is never worse by its
// objective (latency here, to the search's 0.1 % tie window).
TEST_F(Cli, RunFixedMappingIsReproducedAndNeverBeatsTheSearch) {
  write_all(work("fixed.yaml"), "pe: int_mac\nclock_ghz: 1\nmapping: {fixed: {rows: m, order: nmk, tile: {m: 32, n: 64, k: 2048}}}\n");
  write_all(work("searched.yaml"), "pe: int_mac\nclock_ghz: 1\n");
  const Result f = run({"run", "--config", work("fixed.yaml").string(), "--json", "--no-report"});
  const Result s = run({"run", "--config", work("searched.yaml").string(), "--json", "--no-report"});
  ASSERT_EQ(f.code, 0) << f.err;
  ASSERT_EQ(s.code, 0) << s.err;
  const auto jf = nlohmann::json::parse(f.out)["pes"][0], js = nlohmann::json::parse(s.out)["pes"][0];
  ASSERT_EQ(jf["ops"].size(), js["ops"].size());
  int gemms = 0;
  for (size_t i = 0; i < jf["ops"].size(); ++i) {
    const auto &of = jf["ops"][i], &os = js["ops"][i];
    if (of["mapping"].is_null()) continue;
    ++gemms;
    const uint64_t m = of["m"], n = of["n"], k = of["k"];
    EXPECT_EQ(of["mapping"]["nest"], "rows=m order=nmk tile=" + std::to_string(std::min<uint64_t>(m, 32)) + "x" +
                                         std::to_string(std::min<uint64_t>(n, 64)) + "x" + std::to_string(std::min<uint64_t>(k, 2048)))
        << of["name"];
    EXPECT_EQ(of["mapping"]["candidates"], 1);
    EXPECT_EQ(of["mapping"]["how"], "fixed (config mapping.fixed)");
    EXPECT_GT(os["mapping"]["candidates"].get<uint64_t>(), 100u);
    // within the 0.1 % inside which the search takes the lower energy
    EXPECT_LE(os["time_s"].get<double>(), of["time_s"].get<double>() * (1 + 1e-3)) << of["name"];
    EXPECT_NE(os["mapping"]["loop_nest"].get<std::string>().find("parallel-for"), std::string::npos);
  }
  EXPECT_GT(gemms, 5);
}

// The clock: auto runs each PE at its modelled fmax (the slower of its critical path and the
// buffers' SRAM access), an explicit one below it is taken as given and scales compute time.
TEST_F(Cli, RunClockAutoIsTheFmaxAndExplicitClocksScaleComputeTime) {
  Result a = run({"run", "--json", "--no-report"});
  ASSERT_EQ(a.code, 0) << a.err;
  const auto ja = nlohmann::json::parse(a.out);
  for (const auto& p : ja["pes"]) {
    EXPECT_EQ(p["accelerator"]["clock"], "auto") << p["pe"];
    EXPECT_DOUBLE_EQ(p["accelerator"]["clock_hz"].get<double>(), p["accelerator"]["fmax_hz"].get<double>()) << p["pe"];
    EXPECT_FALSE(p["accelerator"]["clock_limit"].get<std::string>().empty());
  }
  // mixpe: its FP32 accumulate loop sets 0.701 GHz (arithsim cost mixpe --node 28).
  const auto& mix = ja["pes"][2];
  ASSERT_EQ(mix["pe"], "mixpe");
  EXPECT_NEAR(mix["accelerator"]["fmax_hz"].get<double>(), 0.7007e9, 1e6);
  EXPECT_TRUE(contains(mix["accelerator"]["clock_limit"].get<std::string>(), "accumulate loop"));
  Result h = run({"run", "--json", "--no-report", "--pe", "mixpe", "--clock", "0.35"});
  ASSERT_EQ(h.code, 0) << h.err;
  const auto jh = nlohmann::json::parse(h.out)["pes"][0];
  EXPECT_EQ(jh["accelerator"]["clock"], "config");
  EXPECT_DOUBLE_EQ(jh["accelerator"]["clock_hz"].get<double>(), 0.35e9);
  EXPECT_EQ(jh["cycles"], mix["cycles"]);
  EXPECT_NEAR(jh["compute_s"].get<double>(), mix["compute_s"].get<double>() * 0.7007e9 / 0.35e9,
              1e-3 * jh["compute_s"].get<double>());
}

TEST_F(Cli, TraceGenShowRoundTripAndErrors) {
  const auto out = work("l7.yaml");
  Result r = run({"trace", "gen", "llama2-7b", "--phase", "decode", "--batch", "1", "--kv", "1024", "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(out));
  r = run({"trace", "show", out.string(), "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\"model\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "llama2-7b")) << r.out;
  r = run({"trace", "list"});
  EXPECT_EQ(r.code, 0);
  for (const char* m : {"llama2-70b", "bitnet-b1.58-3b", "resnet50", "xr-gaze"}) EXPECT_TRUE(contains(r.out, m)) << m;
  r = run({"trace", "gen", "nope"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown model 'nope'")) << r.err;
  write_all(work("bad.yaml"), "version: 1\nmodel: x\nops:\n  - name: a\n    kind: gemm\n    m: 1\n    n: -4\n");
  r = run({"trace", "show", work("bad.yaml").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(lines_of(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "bad.yaml")) << r.err;
  r = run({"trace", "show", work("missing.yaml").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "missing.yaml")) << r.err;
}

// ---------------------------------------------------------------------------------------
// cost: formats, activity sources (distribution, file, workload), errors
// ---------------------------------------------------------------------------------------

#if ARITHSIM_TEST_HAVE_JSON
TEST_F(Cli, CostJsonPartsSumAndEveryNumberHasASource) {
  const Result r = run({"cost", "fp8_mac", "--node", "28", "--freq", "1GHz", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  double area = 0, energy = 0;
  for (const auto& p : j["parts"]) {
    area += p["area_um2"].get<double>();
    energy += p["energy_pj"].get<double>();
    EXPECT_FALSE(p["source"].get<std::string>().empty()) << p.dump();
  }
  EXPECT_NEAR(area, j["area_um2"].get<double>(), 1e-9 * area);
  EXPECT_NEAR(energy, j["dynamic_pj_per_cycle"].get<double>(), 1e-9 * energy);
  EXPECT_EQ(j["node_nm"].get<double>(), 28);
  EXPECT_EQ(j["freq_hz"].get<double>(), 1e9);
  // the CSV lists the same parts, each with its source
  const Result c = run({"cost", "fp8_mac", "--node", "28", "--format", "csv"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(lines_of(c.out).size(), j["parts"].size() + 2);  // header + parts + total
}

// Dynamic energy is linear in the two activity factors (E = e_in a_in + e_acc a_acc + clock):
// checked through activity files, which set the factors exactly.
TEST_F(Cli, CostActivityFileIsLinearAndChecked) {
  auto energy = [&](double in, double acc) {
    const auto f = work("act.yaml");
    write_all(f, "version: 1\npe: mixpe\ninput: " + dec17(in) + "\nacc: " + dec17(acc) + "\nsource: test\n");
    const Result r = run({"cost", "mixpe", "--activity", f.string(), "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_TRUE(contains(j["activity"]["data"].get<std::string>(), "test"));
    return j["dynamic_pj_per_cycle"].get<double>();
  };
  const double e00 = energy(0, 0), e10 = energy(1, 0), e01 = energy(0, 1), e11 = energy(1, 1);
  EXPECT_GT(e00, 0);  // the clock share of the registers
  EXPECT_LT(e00, e10);
  EXPECT_LT(e00, e01);
  EXPECT_NEAR(e10 + e01 - e00, e11, 1e-9 * e11);
  EXPECT_NEAR(energy(0.25, 0.5), e00 + 0.25 * (e10 - e00) + 0.5 * (e01 - e00), 1e-9 * e11);
}

TEST_F(Cli, CostWorkloadActivityRoundTripsThroughAFile) {
  const auto f = work("w.yaml");
  const Result w = run({"cost", "int_mac", "--workload", "default", "--activity-out", f.string(), "--format", "json"});
  ASSERT_EQ(w.code, 0) << w.err;
  ASSERT_TRUE(fs::exists(f));
  const auto jw = nlohmann::json::parse(w.out);
  EXPECT_TRUE(contains(jw["activity"]["data"].get<std::string>(), "llama2-7b decode")) << jw["activity"].dump();
  const Result r = run({"cost", "int_mac", "--activity", f.string(), "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto jr = nlohmann::json::parse(r.out);
  EXPECT_EQ(jr["activity"]["input"].get<double>(), jw["activity"]["input"].get<double>());
  EXPECT_EQ(jr["activity"]["acc"].get<double>(), jw["activity"]["acc"].get<double>());
  EXPECT_EQ(jr["dynamic_pj_per_cycle"].get<double>(), jw["dynamic_pj_per_cycle"].get<double>());
  // a workload of real values toggles fewer bits than uniformly random codes
  const Result rnd = run({"cost", "int_mac", "--format", "json"});
  ASSERT_EQ(rnd.code, 0) << rnd.err;
  EXPECT_LT(jw["dynamic_pj_per_cycle"].get<double>(), nlohmann::json::parse(rnd.out)["dynamic_pj_per_cycle"].get<double>());
  // a generator name and a trace file work the same way
  EXPECT_EQ(run({"cost", "rmmec", "--workload", "xr-gaze"}).code, 0);
  const auto t = work("t.yaml");
  ASSERT_EQ(run({"trace", "gen", "deit-s", "--out", t.string()}).code, 0);
  EXPECT_EQ(run({"cost", "lut_tensor_core", "--workload", t.string()}).code, 0);
}
#endif

TEST_F(Cli, CostErrors) {
  write_all(work("bad.yaml"), "input: 1.5\nacc: 0.1\n");
  expect_error(run({"cost", "int_mac", "--activity", work("bad.yaml").string()}), 1, {"bad.yaml", "'input'", "0..1"},
               false);
  write_all(work("typo.yaml"), "input: 0.1\naccu: 0.1\n");
  expect_error(run({"cost", "int_mac", "--activity", work("typo.yaml").string()}), 1, {"unknown field 'accu'"}, false);
  write_all(work("other.yaml"), "pe: fp8_mac\ninput: 0.1\nacc: 0.1\n");
  expect_error(run({"cost", "int_mac", "--activity", work("other.yaml").string()}), 1, {"fp8_mac", "int_mac"});
  expect_error(run({"cost", "int_mac", "--activity", work("missing.yaml").string()}), 2,
               {"missing.yaml", "neither random, zeros, sparse:P nor an activity file"});
  expect_error(run({"cost", "int_mac", "--activity", "sparce:0.5"}), 2, {"sparce:0.5"});  // a typo, not a file
  expect_error(run({"cost", "int_mac", "--activity", "sparse:2"}), 2, {"sparse"});
  expect_error(run({"cost", "int_mac", "--workload", "gpt5"}), 2, {"gpt5", "trace generator"});
  expect_error(run({"cost", "int_mac", "--workload", "default", "--activity", "zeros"}), 2, {"not both"});
  expect_error(run({"cost", "tpu"}), 2, {"tpu"});
  expect_error(run({"cost", "int_mac", "--node", "3"}), 2, {"3"});
  expect_error(run({"cost", "int_mac", "--freq", "fast"}), 2, {"frequency"});
  expect_error(run({"cost", "int_mac", "--format", "xml"}), 2, {"xml"});
  // no output file on error, whichever input is wrong
  expect_error(run({"cost", "int_mac", "--workload", "gpt5", "--activity-out", work("o.yaml").string()}), 2);
  expect_error(run({"cost", "int_mac", "--freq", "fast", "--activity-out", work("o.yaml").string(), "--accelergy-out",
                    work("a.yaml").string()}),
               2);
  EXPECT_FALSE(fs::exists(work("o.yaml")));
  EXPECT_FALSE(fs::exists(work("a.yaml")));
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Hostile but realistic input: arithsim never replaces what it did not create, never
// crashes, hangs or wraps numbers, and never succeeds silently on bad input.
// ---------------------------------------------------------------------------------------

// One bad input: runs it, checks the error convention (exit `code`, one stderr line holding
// each needle) and, when ARITHSIM_BAD_INPUT_TABLE names a file, appends the row that
// docs/bad-input.md is generated from (scripts/gen_bad_input_table.sh): what, the command,
// the exit code and the message arithsim printed, temporary paths written as $DIR.
class BadInput : public Cli {
 protected:
  Result bad(const std::string& what, const std::vector<std::string>& args, int code,
             const std::vector<std::string>& needles, const fs::path& cwd = {}) {
    const Result r = run(args, "", cwd);
    expect_error(r, code, needles, false);
    if (const char* table = std::getenv("ARITHSIM_BAD_INPUT_TABLE")) {
      auto clean = [&](std::string t) {
        const std::string d = dir_.string() + "/work/";
        for (size_t at; (at = t.find(d)) != std::string::npos;) t.replace(at, d.size(), "");
        for (size_t at; (at = t.find(dir_.string())) != std::string::npos;) t.replace(at, dir_.string().size(), "$DIR");
        for (size_t at = 0; (at = t.find('|', at)) != std::string::npos; at += 2) t.replace(at, 1, "\\|");
        std::string o;
        for (char c : t) o += (c == '\n' ? std::string("\\n") : std::string(1, c));
        return o;
      };
      std::string cmd = "arithsim";
      for (const auto& a : args) cmd += " " + (a.find_first_of(" \n\x01") == std::string::npos ? a : "'" + a + "'");
      std::string msg = r.err;
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      std::ofstream(table, std::ios::app) << "| " << what << " | `" << clean(cmd) << "` | " << r.code << " | `"
                                          << clean(msg) << "` |\n";
    }
    return r;
  }
};

TEST_F(BadInput, RunNeverReplacesWhatItDidNotCreate) {
  fs::create_directories(work("src"));
  write_all(work("src") / "main.c", "int main() { return 0; }\n");
  write_all(work("notes.txt"), "my notes\n");
  const std::vector<std::array<std::string, 3>> cases = {
      {"report over a user's directory", "src", "not created by arithsim"},
      {"report over a regular file", "notes.txt", "is not a directory"},
      {"report over the current directory", ".", "the current directory or one of its ancestors"},
      {"report over the parent directory", "..", "the current directory or one of its ancestors"},
      {"report over the root directory", "/", "the current directory or one of its ancestors"},
  };
  for (const auto& [what, out, why] : cases) {
    SCOPED_TRACE(out);
    bad(what, {"run", "--pe", "int_mac", "--out", out}, 2, {"--out: refusing to write '" + out + "'", why}, work(""));
  }
  EXPECT_EQ(read_all(work("src") / "main.c"), "int main() { return 0; }\n");
  EXPECT_EQ(read_all(work("notes.txt")), "my notes\n");
  EXPECT_EQ(work_listing(), (std::set<std::string>{"src", "notes.txt"}));
  // A report directory that holds the run's own trace is not replaced either, even marked.
  ASSERT_EQ(run({"run", "--pe", "int_mac", "--out", work("rep").string()}).code, 0);
  ASSERT_EQ(run({"trace", "gen", "llama2-7b", "--out", (work("rep") / "t.yaml").string()}).code, 0);
  bad("report over a directory holding an input",
      {"run", "--pe", "int_mac", "--trace", (work("rep") / "t.yaml").string(), "--out", work("rep").string()}, 2,
      {"holds the input"});
  EXPECT_TRUE(fs::exists(work("rep") / "t.yaml"));
  // A symbolic link to a directory is not followed into.
  fs::create_directory_symlink(work("src"), work("link"));
  bad("report over a symbolic link", {"run", "--pe", "int_mac", "--out", work("link").string()}, 2, {"symbolic link"});
  EXPECT_TRUE(fs::exists(work("src") / "main.c"));
  // Other writers: outputs over inputs or directories.
  arithsim::tensor::write_npy(work("x.npy").string(), NpyArray::from_float({1.0f, 2.0f}, {1, 2}));
  bad("quantize output over its input", {"quantize", "--format", "e4m3", "--in", work("x.npy").string(), "--out",
      work("x.npy").string()}, 2, {"is the input"});
  bad("gemm output over a directory", {"gemm", "--pe", "int_mac", "--m", "2", "--n", "2", "--k", "2", "--out",
      work("src").string()}, 2, {"is a directory"});
  bad("activity file over a directory", {"cost", "int_mac", "--activity-out", work("src").string()}, 2, {"is a directory"});
  bad("trace into a missing directory", {"trace", "gen", "llama2-7b", "--out", work("nope/t.yaml").string()}, 2,
      {"does not exist"});
}

TEST_F(BadInput, IntegerOptionsNeitherWrapNorSaturate) {
  const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> cases = {
      {"dimension above 2^32", {"gemm", "--pe", "int_mac", "--m", "4611686018427387904", "--n", "4", "--k", "4"}, "(--m)"},
      {"dimension above 2^63", {"gemm", "--pe", "int_mac", "--m", "9223372036854775808", "--n", "4", "--k", "4"}, "(--m)"},
      {"M*N*K above 2^32", {"gemm", "--pe", "int_mac", "--m", "65536", "--n", "65536", "--k", "2"}, "exceeds 2^32"},
      {"negative unsigned value", {"gemm", "--pe", "int_mac", "--seed", "-1"}, "negative values are not allowed"},
      {"not an integer", {"gemm", "--pe", "int_mac", "--m", "1e3"}, "'1e3' is not an integer"},
      {"leading space", {"gemm", "--pe", "int_mac", "--m", " 4"}, "is not an integer"},
      {"zero threads", {"gemm", "--pe", "int_mac", "--threads", "0"}, "(--threads)"},
      {"threads beyond the limit", {"gemm", "--pe", "int_mac", "--threads", "1025"}, "(--threads)"},
      {"negative cycle count", {"cosim", "int_mac", "--cycles", "-1"}, "(--cycles)"},
      {"cycle count above 2^64", {"cosim", "int_mac", "--cycles", "99999999999999999999"}, "(--cycles)"},
      {"zero cycles", {"cosim", "int_mac", "--cycles", "0"}, "(--cycles)"},
      {"negative group", {"trace", "gen", "llama2-7b", "--group", "-2"}, "(--group)"},
      {"zero sequence length", {"trace", "gen", "llama2-7b", "--seq", "0"}, "(--seq)"},
      {"shape whose counts overflow",
       {"trace", "gen", "llama2-7b", "--phase", "prefill", "--seq", "16777216", "--batch", "16777216"}, "above the limit"},
      {"empty array", {"synth", "int_mac", "--array", "0x0"}, "(--array rows)"},
      {"negative array side", {"synth", "int_mac", "--array", "4x-4"}, "(--array columns)"},
      {"array side beyond the limit", {"cost", "int_mac", "--array", "99999999999x2"}, "(--array rows)"},
      {"out-of-range rounding bits", {"format", "encode", "e4m3", "--sr-bits", "64"}, "(--sr-bits)"},
      {"block size above 2^20", {"quantize", "--format", "mxfp4", "--block", "4294967297", "--in", "x.npy", "--out", "y.npy"},
       "(--block)"},
  };
  for (const auto& [what, args, needle] : cases) {
    SCOPED_TRACE(show(args));
    bad(what, args, 2, {needle});
  }
  EXPECT_TRUE(work_listing().empty());
}

TEST_F(BadInput, BadInputIsAnErrorNotASilentSuccess) {
  // --config naming a directory, an unreadable file, UTF-16 text, duplicate keys.
  bad("config that is a directory", {"run", "--config", work("").string(), "--no-report"}, 1, {"is a directory"});
  bad("config that does not exist", {"run", "--config", work("missing.yaml").string(), "--no-report"}, 1, {"cannot read"});
  write_all(work("u16.yaml"), std::string("\xff\xfe" "n\0a\0m\0e\0:\0 \0x\0", 16));
  bad("config in UTF-16", {"run", "--config", work("u16.yaml").string(), "--no-report"}, 1, {"not UTF-8 text"});
  write_all(work("dup.yaml"), "array: {rows: 8}\narray: {rows: 16}\n");
  bad("duplicate YAML key", {"run", "--config", work("dup.yaml").string(), "--no-report"}, 1,
      {"dup.yaml:2:1: duplicate key 'array'"});
  // The mapping and the clock: a fixed loop nest whose tile does not fit, a malformed one,
  // an unknown objective, buffers too small for any tile, a clock above the fmax.
  write_all(work("map.yaml"), "pe: int_mac\nmapping: {fixed: {rows: m, order: nmk, tile: {m: 32, n: 4096, k: 4096}}}\n");
  bad("fixed mapping whose tile does not fit", {"run", "--config", work("map.yaml").string(), "--out", work("o").string()}, 1,
      {"mapping.fixed: op 'layer.q_proj' (1x4096x4096): W tile 4096x4096 x 4.125 bits", "half of the weights buffer"});
  EXPECT_FALSE(fs::exists(work("o")));
  write_all(work("ws.yaml"), "array: {dataflow: ws}\nmapping: {fixed: {rows: m}}\n");
  bad("fixed mapping with M on the rows of a weight-stationary array", {"run", "--config", work("ws.yaml").string(), "--no-report"},
      1, {"field 'mapping.fixed.rows' must be k on a ws array"});
  write_all(work("ws.yaml"), "array: {dataflow: rs}\n");
  bad("dataflow arithsim does not have", {"run", "--config", work("ws.yaml").string(), "--no-report"}, 1,
      {"field 'array.dataflow' must be os, ws, is or dot (got 'rs')"});
  bad("liberty file that does not exist", {"synth", "int_mac", "--liberty", work("none.lib").string()}, 1,
      {"none.lib: no such liberty file"});
  bad("unknown PE cost source", {"run", "--cost", "synthesis", "--no-report"}, 2,
      {"--cost", "expected analytical, fitted:LIB", "got 'synthesis'"});
  bad("synthesis cost on a liberty file that does not exist", {"cost", "int_mac", "--cost", "synth:" + work("none.lib").string()},
      2, {"none.lib: no such liberty file"});
  write_all(work("bad-ppa.json"), "{\"format\": \"arithsim-ppa\", \"version\": 9, \"entries\": {}}\n");
  bad("PPA database of another version",
      {"cost", "int_mac", "--cost", "synth:sky130", "--ppa-db", work("bad-ppa.json").string()}, 1,
      {"bad-ppa.json: PPA database version 9, this arithsim reads version 1"});
  bad("fitted model of a library without a fit", {"cost", "int_mac", "--cost", "fitted:gf180"}, 2,
      {"no fitted model for library 'gf180' (fitted: sky130, asap7)"});
  write_all(work("cost.yaml"), "cost: fast\n");
  bad("config cost that is neither analytical nor synth:LIB", {"run", "--config", work("cost.yaml").string(), "--no-report"},
      1, {"field 'cost' must be analytical, fitted:LIB", "got 'fast'"});
  bad("synthesis clock without a liberty file", {"synth", "int_mac", "--clock", "2"}, 2,
      {"--clock and --activity need --liberty"});
  bad("RTL array of a dataflow without RTL", {"synth", "int_mac", "--array", "2x2", "--dataflow", "ws"}, 2,
      {"rtl/pe_array.sv has no dataflow 'ws'"});
  write_all(work("map.yaml"), "mapping: {fixed: {order: mmk}}\n");
  bad("fixed mapping with a bad loop order", {"run", "--config", work("map.yaml").string(), "--no-report"}, 1,
      {"map.yaml: field 'mapping.fixed.order' must be the loops m, n, k outer to inner", "'mmk'"});
  write_all(work("map.yaml"), "mapping: {objective: speed}\n");
  bad("unknown mapping objective", {"run", "--config", work("map.yaml").string(), "--no-report"}, 1,
      {"field 'mapping.objective' must be latency, energy or edp (got 'speed')"});
  bad("unknown --objective", {"run", "--objective", "speed", "--no-report"}, 2, {"--objective", "'speed'"});
  write_all(work("map.yaml"), "pe: int_mac\nbuffers_kb: {activations: 0.125, weights: 0.125, outputs: 0.125}\n");
  bad("buffers too small for any tile", {"run", "--config", work("map.yaml").string(), "--no-report"}, 1,
      {"buffers_kb: op 'layer.q_proj' (1x4096x4096): no tiling fits the buffers"});
  bad("clock above the modelled fmax", {"run", "--pe", "mixpe", "--clock", "1", "--no-report"}, 1,
      {"is above the modelled fmax of 'mixpe' at 28 nm, 0.701 GHz"});
  // A waveform that cannot be written is refused before the run.
  bad("waveform into a missing directory", {"cosim", "int_mac", "--cycles", "10", "--wave", "no/such/w.fst"}, 2,
      {"does not exist", "--wave: refusing"});
  // Trace statistics and groups out of range.
  auto trace_with = [&](const std::string& op_extra, const std::string& wf = "int4") {
    write_all(work("t.yaml"), "version: 1\nmodel: x\nphase: forward\nops:\n  - {name: fc, kind: gemm, m: 4, n: 64, k: 64, "
                              "weight_format: " + wf + ", activation_format: int8, output_format: bf16" +
                                  op_extra + "}\n");
    return std::vector<std::string>{"trace", "show", work("t.yaml").string()};
  };
  const std::vector<std::array<std::string, 3>> cases = {
      {"negative standard deviation", ", weight_stats: {distribution: normal, mean: 0, std: -1}",
       "'std' of distribution normal must be positive"},
      {"negative degrees of freedom", ", weight_stats: {distribution: student_t, df: -3, scale: 1}",
       "'df' of distribution student_t must be positive"},
      {"negative scale", ", weight_stats: {distribution: laplace, loc: 0, scale: -1}",
       "'scale' of distribution laplace must be positive"},
      {"empty uniform range", ", weight_stats: {distribution: uniform, low: 2, high: 1}", "'low' must be below 'high'"},
      {"value sample that is not an .npy", ", weight_stats: {npy: garbage.npy}", "garbage.npy"},
      {"group of 2^31", ", group: 2147483648", "'group' must be at most 16777216"},
      {"group of 2^40", ", group: 1099511627776", "'group' must be at most 16777216"},
      {"duplicate op field", ", m: 8", "duplicate key 'm'"},
  };
  write_all(work("garbage.npy"), "\x93NUMPY garbage");
  for (const auto& [what, extra, needle] : cases) {
    SCOPED_TRACE(extra);
    bad(what, trace_with(extra), 1, {needle});
  }
  // The same trace through run and cost --workload fails the same way (no SIGFPE).
  bad("block-format group of 2^32", trace_with(", group: 4294967296", "mxfp4"), 1, {"'group' must be at most 16777216"});
  bad("block-format group of 2^32 (run)", {"run", "--trace", work("t.yaml").string(), "--no-report"}, 1,
      {"'group' must be at most"});
  bad("block-format group of 2^32 (cost)", {"cost", "int_mac", "--workload", work("t.yaml").string()}, 1,
      {"'group' must be at most"});
}

TEST_F(BadInput, EchoedInputStaysOneLine) {
  bad("newline and control byte in a format name", {"format", "table", "e4m3\nsecond line\x01"}, 2,
      {"e4m3\\nsecond line\\x01"});
  bad("newline in a parameter", {"gemm", "--pe", "int_mac", "--param", "bad\nkey"}, 2, {"bad\\nkey"});
  write_all(work("t.yaml"), "version: 1\nmodel: x\nphase: forward\n\"odd\\nfield\": 1\nops: []\n");
  bad("newline in a YAML key", {"trace", "show", work("t.yaml").string()}, 1, {"unknown field 'odd\\nfield'"});
}

// ---------------------------------------------------------------------------------------
// arithsim sweep (issue #15): killed with SIGKILL at several moments and resumed, the
// outputs equal an uninterrupted run's byte for byte; bad input is one line, nothing written.
// ---------------------------------------------------------------------------------------

TEST_F(Cli, SweepKilledAnywhereResumesToTheSameOutputs) {
  const fs::path sweep = work("s.yaml");
  write_all(sweep, "version: 1\nname: kill\naxes:\n  pe: [int_mac, fp8_mac]\n  array.rows: [4, 8, 16, 32, 64]\n"
                   "  array.cols: [8, 16, 32, 64]\n  workload: [{generator: llama2-7b, phase: decode, kv: 128}]\n");
  const Result ref = run({"sweep", sweep.string(), "--out", work("ref").string(), "--jobs", "1"});
  ASSERT_EQ(ref.code, 0) << ref.err;
  EXPECT_TRUE(contains(ref.out, "40 points")) << ref.out;
  auto outputs = [&](const fs::path& d) {
    std::string s;
    for (const char* f : {"points.csv", "front.csv", "points.json", "report.md"}) s += read_all(d / f) + "\n--\n";
    return s;
  };
  const std::string want = outputs(work("ref"));
  auto journal_lines = [](const fs::path& j) {
    std::ifstream f(j);
    return size_t(std::count(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>(), '\n'));
  };
  for (const size_t kill_at : {size_t(1), size_t(6), size_t(25)}) {
    const fs::path out = work("k" + std::to_string(kill_at));
    const pid_t pid = spawn_quiet({ARITHSIM_BIN, "sweep", sweep.string(), "--out", out.string(), "--jobs", "2"});
    ASSERT_GT(pid, 0);
    const auto t0 = std::chrono::steady_clock::now();
    while (journal_lines(out / "journal.jsonl") < kill_at && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
      usleep(500);
    kill(pid, SIGKILL);
    wait_for(pid);
    EXPECT_FALSE(fs::exists(out / "points.csv")) << "killed at " << kill_at << " journal lines, yet finished";
    const Result r = run({"sweep", sweep.string(), "--out", out.string(), "--resume"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(outputs(out), want) << "killed at " << kill_at;
  }
  // Rerunning a finished sweep evaluates nothing; shards merged equal it too.
  const Result again = run({"sweep", sweep.string(), "--out", work("ref").string()});
  EXPECT_TRUE(contains(again.out, "40 from the journal, 0 evaluated")) << again.out;
  ASSERT_EQ(run({"sweep", sweep.string(), "--out", work("s0").string(), "--shard", "0/2"}).code, 0);
  ASSERT_EQ(run({"sweep", sweep.string(), "--out", work("s1").string(), "--shard", "1/2"}).code, 0);
  const Result m = run({"sweep", "merge", sweep.string(), work("s0").string(), work("s1").string(), "--out", work("m").string()});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(outputs(work("m")), want);
}

TEST_F(BadInput, SweepIsOneLineAndWritesNothing) {
  const fs::path sweep = work("s.yaml"), out = work("o");
  write_all(sweep, "version: 1\naxes: {array.rows: [4, -1]}\n");
  bad("sweep axis value the config refuses", {"sweep", sweep.string(), "--out", out.string()}, 1, {"s.yaml", "point", "array.rows"});
  EXPECT_FALSE(fs::exists(out));
  write_all(sweep, "version: 1\naxes: {bogus: [1]}\n");
  bad("sweep axis that is no config field", {"sweep", sweep.string(), "--out", out.string()}, 1, {"unknown axis 'bogus'"});
  write_all(sweep, "version: 1\naxes: {pe: [int_mac], array.rows: [4]}\nobjectives: [min speed]\n");
  bad("sweep objective on an unknown metric", {"sweep", sweep.string(), "--out", out.string()}, 1, {"objectives[0]", "speed"});
  write_all(sweep, "version: 1\naxes: {pe: [int_mac], array.rows: [4]}\n");
  bad("sweep shard index out of range", {"sweep", sweep.string(), "--out", out.string(), "--shard", "2/2"}, 2, {"--shard"});
  bad("sweep progress mode", {"sweep", sweep.string(), "--out", out.string(), "--progress", "sometimes"}, 2, {"progress"});
  write_all(sweep, "version: 1\naxes: {pe: [int_mac], array.rows: [4, 8]}\nstrategy: {kind: adaptive, samples: 4, budget: 2}\n");
  bad("sweep adaptive budget below its samples", {"sweep", sweep.string(), "--out", out.string()}, 1, {"strategy.budget"});
  write_all(sweep, "version: 1\naxes: {pe: [int_mac], array.rows: [4, 8]}\nstrategy: {kind: adaptive, samples: 1}\n");
  bad("sweep adaptive search split into shards", {"sweep", sweep.string(), "--out", out.string(), "--shard", "0/2"}, 1,
      {"--shard", "adaptive"});
  EXPECT_FALSE(fs::exists(out));
  write_all(sweep, "version: 1\naxes: {pe: [int_mac], array.rows: [4]}\n");
  bad("sweep file that does not exist", {"sweep", work("none.yaml").string()}, 1, {"none.yaml"});
  bad("sweep without a sweep file", {"sweep"}, 2, {"sweep file"});
  bad("sweep merge of a directory without a journal", {"sweep", "merge", sweep.string(), work("nodir").string(), "--out", out.string()},
      1, {"nodir"});
  EXPECT_FALSE(fs::exists(out));
  // A report directory of `arithsim run` is not a sweep directory.
  ASSERT_EQ(run({"run", "--pe", "int_mac", "--out", work("report").string()}).code, 0);
  bad("sweep into a run report's directory", {"sweep", sweep.string(), "--out", work("report").string()}, 2, {"not a sweep"});
}
