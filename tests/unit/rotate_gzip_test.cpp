#include <fcntl.h>
#include <unistd.h>

#include <random>

#include <catch2/catch.hpp>

#include "rotate/compress_rotated.hpp"
#include "rotate/gzip_stream.hpp"
#include "rotate_fixtures.hpp"

using Catch::Contains;
using namespace pm;
using namespace pm::test;

namespace {

// Several chunks of the copy buffer, compressible and not.
std::string sample_text() {
  std::string text = numbered_lines(1, 60000);
  std::mt19937 random(42);
  for (int i = 0; i < 300000; ++i) text += static_cast<char>(random() & 0xff);
  return text;
}

pm::UniqueFd open_read(const std::string& path) { return pm::UniqueFd(open(path.c_str(), O_RDONLY)); }

pm::RotatedFile rotated(const std::string& name) {
  return *pm::parse_rotated_name("app.log", name, pm::RotatedNaming::Numbered);
}

}  // namespace

TEST_CASE("gzip output decompresses with zlib to the original bytes", "[rotate][gzip]") {
  ScratchDir dir;
  for (const std::string& text : {std::string(), std::string("one line\n"), sample_text()}) {
    write_file(dir / "in", text);
    auto in = open_read(dir / "in");
    pm::UniqueFd out(open((dir / "out.gz").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    REQUIRE(pm::gzip_file(in.get(), out.get(), Deadline::never(), "in", "out.gz"));
    out.reset();
    CHECK(read_log(dir / "out.gz") == text);
    if (text.size() > 1000000) CHECK(read_file(dir / "out.gz").size() < text.size());
  }
}

TEST_CASE("gzip_matches tells equal data from different data", "[rotate][gzip]") {
  ScratchDir dir;
  std::string text = sample_text();
  write_file(dir / "plain", text);
  {
    auto in = open_read(dir / "plain");
    pm::UniqueFd out(open((dir / "plain.gz").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
    REQUIRE(pm::gzip_file(in.get(), out.get(), Deadline::never(), "plain", "plain.gz"));
  }
  auto matches = [&] {
    auto gz = open_read(dir / "plain.gz");
    auto plain = open_read(dir / "plain");
    return pm::gzip_matches(gz.get(), plain.get(), Deadline::never(), "plain.gz", "plain");
  };
  CHECK(matches().value());
  write_file(dir / "plain", text + "x");  // longer
  CHECK_FALSE(matches().value());
  write_file(dir / "plain", text.substr(0, text.size() - 1));  // shorter
  CHECK_FALSE(matches().value());
  text[123456] ^= 1;
  write_file(dir / "plain", text);
  CHECK_FALSE(matches().value());
  write_file(dir / "plain.gz", "not gzip at all");
  CHECK_THAT(matches().error(), Contains("is not valid gzip data"));
}

TEST_CASE("a passed deadline stops compression and leaves no partial file", "[rotate][gzip]") {
  ScratchDir dir;
  write_file(dir / "app.log.2", "x\n");
  auto log_dir = pm::LogDirectory::open(dir.path(), nullptr);
  REQUIRE(log_dir);
  auto result = pm::compress_rotated(*log_dir, rotated("app.log.2"), Deadline(Deadline::Clock::now()));
  REQUIRE_FALSE(result);
  CHECK_THAT(result.error(), Contains("deadline passed"));
  CHECK(dir.names() == std::vector<std::string>{"app.log.2"});
}

TEST_CASE("compressing a rotated file replaces it by its .gz", "[rotate][gzip]") {
  ScratchDir dir;
  std::string text = sample_text();
  write_file(dir / "app.log.2", text);
  auto log_dir = pm::LogDirectory::open(dir.path(), nullptr);
  REQUIRE(log_dir);
  auto result = pm::compress_rotated(*log_dir, rotated("app.log.2"), Deadline::never());
  REQUIRE(result);
  CHECK(result->compressed);
  CHECK(dir.names() == std::vector<std::string>{"app.log.2.gz"});
  CHECK(read_log(dir / "app.log.2.gz") == text);
}

TEST_CASE("a rotated file a writer still holds open is not compressed", "[rotate][gzip]") {
  ScratchDir dir;
  write_file(dir / "app.log.1", "line 1\n");
  pm::UniqueFd writer(open((dir / "app.log.1").c_str(), O_WRONLY | O_APPEND));
  auto log_dir = pm::LogDirectory::open(dir.path(), nullptr);
  REQUIRE(log_dir);
  auto held = pm::compress_rotated(*log_dir, rotated("app.log.1"), Deadline::never());
  REQUIRE(held);
  CHECK_FALSE(held->compressed);
  CHECK_THAT(held->note, Contains("still open by a process"));
  CHECK(dir.names() == std::vector<std::string>{"app.log.1"});
  // The writer's late line lands in the file, which is compressed once it is closed.
  REQUIRE(write(writer.get(), "line 2\n", 7) == 7);
  writer.reset();
  auto closed = pm::compress_rotated(*log_dir, rotated("app.log.1"), Deadline::never());
  REQUIRE(closed);
  CHECK(closed->compressed);
  CHECK(read_log(dir / "app.log.1.gz") == "line 1\nline 2\n");
}

TEST_CASE("an interrupted compression is finished, or both files are kept when they differ",
          "[rotate][gzip]") {
  ScratchDir dir;
  std::string text = numbered_lines(1, 1000);
  write_file(dir / "app.log.3", text);
  auto log_dir = pm::LogDirectory::open(dir.path(), nullptr);
  REQUIRE(log_dir);
  REQUIRE(pm::compress_rotated(*log_dir, rotated("app.log.3"), Deadline::never()));
  write_file(dir / "app.log.3", text);  // as if the run had stopped before removing it
  auto finished = pm::compress_rotated(*log_dir, rotated("app.log.3"), Deadline::never());
  REQUIRE(finished);
  CHECK(finished->note == "finished an interrupted compression");
  CHECK(dir.names() == std::vector<std::string>{"app.log.3.gz"});

  write_file(dir / "app.log.3", text + "line 1001\n");
  auto differ = pm::compress_rotated(*log_dir, rotated("app.log.3"), Deadline::never());
  REQUIRE_FALSE(differ);
  CHECK_THAT(differ.error(), Contains("hold different data; left both"));
  CHECK(dir.names() == std::vector<std::string>{"app.log.3", "app.log.3.gz"});
}
