// Input and output safety (models/io): which output paths arithsim may replace, all-or-nothing
// multi-file writes that restore a user's files, strict YAML loading, one-line escaping.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <arithsim/models/io/escape.hpp>
#include <arithsim/models/io/file_transaction.hpp>
#include <arithsim/models/io/output_paths.hpp>
#include <arithsim/models/io/scratch_dir.hpp>
#include <arithsim/models/io/yaml_document.hpp>

namespace {

namespace fs = std::filesystem;
using namespace arithsim;

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}
void write_all(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

class IoTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) /
           ("arithsim_io_" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    old_cwd_ = fs::current_path();
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::string refusal(const std::string& dir, const std::vector<std::string>& inputs = {}) {
    try {
      io::check_output_dir(dir, "--out", inputs);
    } catch (const io::OutputRefused& e) {
      return e.what();
    }
    return "";
  }
  std::set<std::string> listing() const {
    std::set<std::string> s;
    for (const auto& e : fs::directory_iterator(dir_)) s.insert(e.path().filename().string());
    return s;
  }
  fs::path dir_, old_cwd_;
};

TEST_F(IoTest, OutputDirectoryRules) {
  EXPECT_EQ(refusal((dir_ / "new").string()), "");  // absent: created later
  fs::create_directories(dir_ / "src");
  write_all(dir_ / "src" / "main.c", "int main() {}");
  EXPECT_NE(refusal((dir_ / "src").string()).find("not created by arithsim"), std::string::npos);
  write_all(dir_ / "notes.txt", "x");
  EXPECT_NE(refusal((dir_ / "notes.txt").string()).find("is not a directory"), std::string::npos);
  // A marked report may be replaced ...
  fs::create_directories(dir_ / "rep");
  io::write_output_marker(dir_ / "rep", "report");
  EXPECT_EQ(refusal((dir_ / "rep").string()), "");
  EXPECT_EQ(read_all(dir_ / "rep" / std::string(io::kOutputMarker)).rfind("arithsim report\n", 0), 0u);
  // ... but not when it holds an input, is the cwd or an ancestor of it, or is a link.
  write_all(dir_ / "rep" / "trace.yaml", "t");
  EXPECT_NE(refusal((dir_ / "rep").string(), {(dir_ / "rep" / "trace.yaml").string()}).find("holds the input"),
            std::string::npos);
  fs::create_directories(dir_ / "rep" / "sub");
  fs::current_path(dir_ / "rep" / "sub");
  EXPECT_NE(refusal("..").find("current directory or one of its ancestors"), std::string::npos);
  EXPECT_NE(refusal(".").find("current directory"), std::string::npos);
  fs::current_path(dir_);
  EXPECT_EQ(refusal("rep"), "");
  fs::create_directory_symlink(dir_ / "rep", dir_ / "link");
  EXPECT_NE(refusal((dir_ / "link").string()).find("symbolic link"), std::string::npos);
  EXPECT_NE(refusal("").find("empty"), std::string::npos);
  // Every refusal is one line naming the option and the path, escaped.
  const std::string odd = (dir_ / "odd\nname").string();
  fs::create_directories(odd);
  const std::string e = refusal(odd);
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_NE(e.find("odd\\nname"), std::string::npos) << e;
  EXPECT_EQ(e.rfind("--out: refusing to write '", 0), 0u) << e;
}

TEST_F(IoTest, OutputFileRules) {
  auto refused = [](const std::string& f, const std::vector<std::string>& in = {}) {
    try {
      io::check_output_file(f, "--out", in);
    } catch (const io::OutputRefused& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refused((dir_ / "new.npy").string()), "");
  write_all(dir_ / "old.npy", "x");
  EXPECT_EQ(refused((dir_ / "old.npy").string()), "");  // a file the user names is theirs to replace
  EXPECT_NE(refused((dir_ / "old.npy").string(), {(dir_ / "old.npy").string()}).find("is the input"), std::string::npos);
  fs::create_hard_link(dir_ / "old.npy", dir_ / "same.npy");
  EXPECT_NE(refused((dir_ / "same.npy").string(), {(dir_ / "old.npy").string()}).find("is the input"), std::string::npos);
  fs::create_directories(dir_ / "d");
  EXPECT_NE(refused((dir_ / "d").string()).find("is a directory"), std::string::npos);
  EXPECT_NE(refused("/dev/null").find("not a regular file"), std::string::npos);
  fs::create_symlink(dir_ / "nowhere", dir_ / "dangling");
  EXPECT_NE(refused((dir_ / "dangling").string()).find("dangling"), std::string::npos);
}

TEST_F(IoTest, FileTransactionAllOrNothing) {
  write_all(dir_ / "a.npy", "user's a");
  {
    io::FileTransaction tx;
    write_all(tx.stage((dir_ / "a.npy").string()), "new a");
    write_all(tx.stage((dir_ / "b.npy").string()), "new b");
    tx.commit();
  }
  EXPECT_EQ(read_all(dir_ / "a.npy"), "new a");
  EXPECT_EQ(read_all(dir_ / "b.npy"), "new b");
  EXPECT_EQ(listing(), (std::set<std::string>{"a.npy", "b.npy"}));  // no temporary or backup left

  // The second target cannot be replaced (a directory): the first keeps the user's content.
  write_all(dir_ / "a.npy", "user's a");
  fs::create_directories(dir_ / "c.npy" / "inside");
  {
    io::FileTransaction tx;
    write_all(tx.stage((dir_ / "a.npy").string()), "new a");
    write_all(tx.stage((dir_ / "c.npy").string()), "new c");
    EXPECT_THROW(tx.commit(), std::runtime_error);
  }
  EXPECT_EQ(read_all(dir_ / "a.npy"), "user's a");
  EXPECT_TRUE(fs::is_directory(dir_ / "c.npy" / "inside"));
  EXPECT_EQ(listing(), (std::set<std::string>{"a.npy", "b.npy", "c.npy"}));

  // A new file of a failed transaction is removed again; an uncommitted one leaves nothing.
  {
    io::FileTransaction tx;
    write_all(tx.stage((dir_ / "fresh.npy").string()), "x");
    write_all(tx.stage((dir_ / "c.npy").string()), "y");
    EXPECT_THROW(tx.commit(), std::runtime_error);
  }
  {
    io::FileTransaction tx;
    write_all(tx.stage((dir_ / "never.npy").string()), "x");
  }
  EXPECT_EQ(listing(), (std::set<std::string>{"a.npy", "b.npy", "c.npy"}));
}

std::string yaml_error(const std::string& text) {
  try {
    io::load_yaml(text, "f.yaml");
  } catch (const io::YamlError& e) {
    return e.what();
  }
  return "";
}

// A scratch directory is fresh, inside its parent, and gone with its contents afterwards,
// also when the step throws; an impossible parent is an error naming it.
TEST_F(IoTest, ScratchDirIsRemovedWithItsContents) {
  fs::path kept;
  try {
    io::ScratchDir a(dir_, ".plots"), b(dir_, ".plots");
    EXPECT_NE(a.path(), b.path());
    EXPECT_EQ(a.path().parent_path(), dir_);
    EXPECT_EQ(a.path().filename().string().rfind(".plots-", 0), 0u);
    fs::create_directories(a.path() / "sub");
    write_all(a.path() / "sub" / "x", "data");
    kept = a.path();
    throw std::runtime_error("step failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(fs::exists(kept));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 0);
  try {
    io::ScratchDir c(dir_ / "missing", "x");
    ADD_FAILURE() << "created under a missing parent";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing: cannot create a directory"), std::string::npos) << e.what();
  }
}

TEST(Yaml, StrictLoading) {
  EXPECT_EQ(yaml_error("a: 1\nb: {c: 2}\n"), "");
  EXPECT_EQ(yaml_error("a: 1\na: 2\n"), "f.yaml:2:1: duplicate key 'a'");
  EXPECT_EQ(yaml_error("x:\n  - {k: 1, k: 2}\n"), "f.yaml:2:12: duplicate key 'k'");
  EXPECT_EQ(yaml_error("a:\n  : 1\n"), "f.yaml:2:3: a mapping key is empty or not a plain name");  // null key
  EXPECT_EQ(yaml_error("? [k]\n: 1\n"), "f.yaml:1:3: a mapping key is empty or not a plain name");
  EXPECT_EQ(yaml_error("a: [1\n"), "f.yaml:2:1: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(yaml_error(std::string("\xff\xfe" "a\0:\0", 6)).rfind("f.yaml: not UTF-8 text (a UTF-16/32 byte-order mark", 0), 0u);
  EXPECT_EQ(yaml_error(std::string("a: 1\0", 5)), "f.yaml: not UTF-8 text (a NUL byte at offset 4: UTF-16 or binary data?)");
  EXPECT_EQ(yaml_error("a: \xc3\x28\n"), "f.yaml: not UTF-8 text (an invalid byte 0xc3 at offset 3)");
  EXPECT_EQ(yaml_error("a: caf\xc3\xa9\n"), "");  // UTF-8 is fine
  EXPECT_EQ(yaml_error("a: \xf0\x9f\x98\x80\n"), "");  // U+1F600
  EXPECT_EQ(yaml_error("a: \xc0\x80\n"), "f.yaml: not UTF-8 text (an invalid byte 0xc0 at offset 3)");      // overlong NUL
  EXPECT_EQ(yaml_error("a: \xe0\x80\x80\n"), "f.yaml: not UTF-8 text (an invalid byte 0xe0 at offset 3)");  // overlong
  EXPECT_EQ(yaml_error("a: \xed\xa0\x80\n"), "f.yaml: not UTF-8 text (an invalid byte 0xed at offset 3)");  // surrogate
  EXPECT_EQ(yaml_error("a: \xf4\x90\x80\x80\n"), "f.yaml: not UTF-8 text (an invalid byte 0xf4 at offset 3)");  // > U+10FFFF
  EXPECT_EQ(yaml_error("a: \xe2\x82"), "f.yaml: not UTF-8 text (an invalid byte 0xe2 at offset 3)");  // cut short
  // A key with a newline is escaped in the message.
  const std::string e = yaml_error("\"a\\nb\": 1\n\"a\\nb\": 2\n");
  EXPECT_EQ(e, "f.yaml:2:1: duplicate key 'a\\nb'");
}

TEST_F(IoTest, ReadTextFileErrorsNameTheFile) {
  auto err = [](const std::string& p) {
    try {
      io::read_text_file(p);
    } catch (const io::YamlError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err(dir_.string()), dir_.string() + ": is a directory, not a file");
  EXPECT_EQ(err((dir_ / "missing").string()), (dir_ / "missing").string() + ": cannot read (No such file or directory)");
  write_all(dir_ / "ok.yaml", "a: 1\n");
  EXPECT_EQ(io::read_text_file((dir_ / "ok.yaml").string()), "a: 1\n");
}

TEST(Escape, OneLine) {
  EXPECT_EQ(io::escape("a\nb\tc\\d\x01\x7f"), "a\\nb\\tc\\\\d\\x01\\x7f");
  EXPECT_EQ(io::escape(std::string(200, 'x'), 10), std::string(10, 'x') + "...");
  EXPECT_EQ(io::one_line("path\\to: bad\nline"), "path\\to: bad\\nline");  // backslashes kept
  EXPECT_EQ(io::escape("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes through
}

}  // namespace
