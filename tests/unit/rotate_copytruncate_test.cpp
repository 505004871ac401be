// copytruncate where this machine's filesystems allow each path: the
// collapse path needs ext4 or xfs (the scratch directory's filesystem,
// $TMPDIR or /tmp), the fallback path a filesystem without collapse (tmpfs
// at /dev/shm), the full-disk test a small tmpfs mounted by root. A test
// whose filesystem is missing says so with a warning.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "rotate/rotate_groups.hpp"
#include "rotate_fixtures.hpp"

using namespace std::chrono_literals;
using Catch::Contains;
using namespace pm;
using namespace pm::test;

namespace {

std::uint64_t block_size(const std::string& dir) {
  struct statfs info {};
  REQUIRE(statfs(dir.c_str(), &info) == 0);
  return static_cast<std::uint64_t>(info.f_bsize);
}

// Whether the filesystem of `dir` can collapse a range of a file.
bool can_collapse(const std::string& dir) {
  std::string path = dir + "/collapse-probe";
  pm::UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600));
  REQUIRE(fd);
  std::string data(block_size(dir) * 2 + 1, 'x');
  REQUIRE(write(fd.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  bool collapsed = fallocate(fd.get(), FALLOC_FL_COLLAPSE_RANGE, 0, static_cast<off_t>(block_size(dir))) == 0;
  unlink(path.c_str());
  return collapsed;
}

LogGroupConfig copytruncate_group(const ScratchDir& dir) {
  return app_log_group(dir, pm::RotateMethod::CopyTruncate);
}

RotationContext context() { return test_context(); }

// Appends numbered lines to `path` with O_APPEND as fast as it can, one
// write(2) per line, until stopped.
class AppendingWriter {
 public:
  explicit AppendingWriter(const std::string& path)
      : fd_(open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)), thread_([this] { run(); }) {}
  ~AppendingWriter() { stop(); }
  // Stops the writer; returns the number of its last line.
  int stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    return written_;
  }

 private:
  void run() {
    while (!stopping_) {
      std::string line = "line " + std::to_string(written_ + 1) + "\n";
      if (write(fd_.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) return;
      ++written_;
    }
  }

  pm::UniqueFd fd_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> written_{0};
  std::thread thread_;  // last: starts once the rest is ready
};

// Waits until the file has at least `size` bytes (the writer is running).
void wait_for_size(const std::string& path, std::uint64_t size) {
  for (int i = 0; i < 10000; ++i) {
    struct stat info {};
    if (stat(path.c_str(), &info) == 0 && static_cast<std::uint64_t>(info.st_size) >= size) return;
    std::this_thread::sleep_for(1ms);
  }
  FAIL("the writer wrote nothing for 10 seconds");
}

// Rotates `rounds` times while a writer appends; returns its last line.
int rotate_under_writer(const ScratchDir& dir, const LogGroupConfig& group, int rounds,
                        std::vector<pm::RotationResult>& results) {
  write_file(dir / "app.log", "");
  AppendingWriter writer(dir / "app.log");
  RotationState state;
  std::uint64_t size = 0;
  while (static_cast<int>(results.size()) < rounds) {
    size += 3 * block_size(dir.path());
    wait_for_size(dir / "app.log", size);
    auto result = pm::rotate_groups({group}, context(), state);
    INFO(report(result));
    REQUIRE_FALSE(result.failed());
    // Not rotated: no line ended on a block boundary yet; wait for more.
    if (!result.groups[0].files[0].rotated) continue;
    results.push_back(std::move(result));
    size = 0;
  }
  return writer.stop();
}

// Unmounts on destruction.
struct TmpfsMount {
  std::string path;
  bool mounted = false;
  TmpfsMount(std::string where, const char* options) : path(std::move(where)) {
    mounted = mount("tmpfs", path.c_str(), "tmpfs", 0, options) == 0;
  }
  ~TmpfsMount() {
    if (mounted) umount2(path.c_str(), MNT_DETACH);
  }
};

}  // namespace

TEST_CASE("copytruncate with collapse keeps every line of a concurrent writer exactly once",
          "[rotate][copytruncate]") {
  ScratchDir dir;
  if (!can_collapse(dir.path())) {
    WARN("skipped: the filesystem of " << dir.path()
                                       << " has no FALLOC_FL_COLLAPSE_RANGE (use ext4 or xfs as TMPDIR)");
    return;
  }
  auto group = copytruncate_group(dir);
  group.compress = true;
  std::vector<pm::RotationResult> results;
  int last = rotate_under_writer(dir, group, 20, results);
  for (const auto& result : results) CHECK(result.groups[0].files[0].notes.empty());  // no loss warning
  auto tally = tally_lines(all_text(dir, "app.log"), last);
  INFO("the writer wrote " << last << " lines");
  CHECK(tally.missing == 0);
  CHECK(tally.repeated == 0);
  CHECK(tally.other == 0);          // no torn or NUL-filled line
  CHECK(dir.names().size() == 21);  // app.log and 20 rotated files
}

TEST_CASE("copytruncate cuts at the last line end on a block boundary", "[rotate][copytruncate]") {
  ScratchDir dir;
  if (!can_collapse(dir.path())) {
    WARN("skipped: the filesystem of " << dir.path() << " has no FALLOC_FL_COLLAPSE_RANGE");
    return;
  }
  std::uint64_t block = block_size(dir.path());
  std::string text = numbered_lines(1, 20000);  // lines of 7 to 12 bytes
  REQUIRE(text.size() > 2 * block);
  write_file(dir / "app.log", text);
  RotationState state;
  auto result = pm::rotate_groups({copytruncate_group(dir)}, context(), state);
  REQUIRE_FALSE(result.failed());
  std::uint64_t moved = (text.size() - 1) / block * block;
  while (moved > 0 && text[moved - 1] != '\n') moved -= block;
  REQUIRE(moved > 0);
  CHECK(read_file(dir / "app.log.1") == text.substr(0, moved));
  CHECK(read_file(dir / "app.log") == text.substr(moved));
  // A line end on the only boundary, which is the end: a collapse may not
  // reach the end of the file, so nothing can be cut yet.
  std::string one_block = std::string(block - 1, 'x') + "\n";
  write_file(dir / "app.log", one_block);
  auto small = pm::rotate_groups({copytruncate_group(dir)}, context(), state);
  CHECK_FALSE(small.groups[0].files[0].rotated);
  CHECK_THAT(small.groups[0].files[0].reason, Contains("no line ends on a filesystem block boundary yet"));
  // Once a line ends on a boundary, that is where it is cut.
  write_file(dir / "app.log", one_block + "partial line, not yet ended");
  auto cut = pm::rotate_groups({copytruncate_group(dir)}, context(), state);
  CHECK(cut.groups[0].files[0].rotated);
  CHECK(read_file(dir / "app.log.1") == one_block);
  CHECK(read_file(dir / "app.log") == "partial line, not yet ended");
}

TEST_CASE("a failure at any copytruncate step loses nothing", "[rotate][copytruncate]") {
  auto run_failing_at = [](int failing_step) {
    ScratchDir dir;
    auto group = copytruncate_group(dir);
    group.compress = true;
    write_file(dir / "app.log", fixed_width_lines(1, 3000));
    auto ctx = context();
    FailingStep failure(failing_step);
    ctx.before_step = failure.hook();
    RotationState state;
    auto result = pm::rotate_groups({group}, ctx, state);
    INFO("failing step " << failing_step << ": " << failure.failed << "\n" << report(result));
    CHECK(result.failed() == !failure.failed.empty());
    auto tally = tally_lines(all_text(dir, "app.log"), 3000);
    CHECK(tally.missing == 0);
    CHECK(tally.other == 0);
    // Compression stopped between its rename and its removal keeps both
    // files; the next run finishes it.
    ctx.before_step = nullptr;
    ctx.force = true;
    REQUIRE_FALSE(pm::rotate_groups({group}, ctx, state).failed());
    tally = tally_lines(all_text(dir, "app.log"), 3000);
    CHECK(tally.missing == 0);
    CHECK(tally.repeated == 0);
    CHECK(tally.other == 0);
    return failure.steps;
  };
  int steps = run_failing_at(0);
  REQUIRE(steps >= 4);
  for (int failing = 1; failing <= steps; ++failing) run_failing_at(failing);
}

TEST_CASE("without collapse, copytruncate truncates and warns that lines may be lost",
          "[rotate][copytruncate]") {
  if (access("/dev/shm", W_OK) != 0) {
    WARN("skipped: no /dev/shm to test a filesystem without collapse");
    return;
  }
  ScratchDir dir("/dev/shm");
  if (can_collapse(dir.path())) {
    WARN("skipped: /dev/shm can collapse ranges here");
    return;
  }
  // No writer: nothing is lost or repeated.
  std::string text = fixed_width_lines(1, 3000);
  write_file(dir / "app.log", text);
  RotationState state;
  auto quiet = pm::rotate_groups({copytruncate_group(dir)}, context(), state);
  REQUIRE_FALSE(quiet.failed());
  CHECK(read_file(dir / "app.log.1") == text);
  CHECK(read_file(dir / "app.log").empty());
  REQUIRE(quiet.groups[0].files[0].notes.size() == 1);
  CHECK_THAT(
      quiet.groups[0].files[0].notes[0],
      Contains(
          "cannot remove the copied part of a file (fallocate COLLAPSE_RANGE: Operation not supported)") &&
          Contains("lines written between the end of the copy and the truncate are lost"));

  // A concurrent writer: lines may be lost in the window between the end of
  // the copy and the truncate (that is the documented loss), and the last
  // line copied may be cut short (the writer was halfway through it: reads
  // do not wait for writes). None may be repeated.
  ScratchDir busy("/dev/shm");
  std::vector<pm::RotationResult> results;
  int last = rotate_under_writer(busy, copytruncate_group(busy), 20, results);
  auto tally = tally_lines(all_text(busy, "app.log"), last);
  CHECK(tally.repeated == 0);
  CHECK(tally.other <= 20);
  WARN("copytruncate without collapse lost " << tally.missing << " of " << last
                                             << " lines over 20 rotations (" << tally.other << " cut short)");
}

TEST_CASE("a full filesystem fails the group with the reason and leaves the logs whole",
          "[rotate][copytruncate]") {
  ScratchDir dir;
  REQUIRE(mkdir((dir / "small").c_str(), 0700) == 0);
  TmpfsMount small(dir / "small", "size=64k,mode=0700");
  if (!small.mounted) {
    WARN("skipped: mounting a small tmpfs needs root");
    return;
  }
  std::string live = small.path + "/app.log";
  std::mt19937 random(7);
  std::string noise;
  for (int i = 1; i <= 40 * 1024; ++i) {  // incompressible lines of 256 bytes
    char byte = static_cast<char>(random() & 0xff);
    noise += i % 256 == 0 ? '\n' : (byte == '\n' ? ' ' : byte);
  }
  write_file(live, noise);

  LogGroupConfig copying;
  copying.paths = {live};
  copying.max_size = 1;
  copying.method = pm::RotateMethod::CopyTruncate;
  RotationState state;
  auto copied = pm::rotate_groups({copying}, context(), state);
  REQUIRE(copied.failed());
  CHECK_THAT(copied.groups[0].files[0].errors.at(0),
             Contains("No space left on device") && Contains(small.path));
  CHECK(read_file(live) == noise);
  CHECK(std::filesystem::directory_iterator(small.path) != std::filesystem::directory_iterator());
  CHECK(std::distance(std::filesystem::directory_iterator(small.path),
                      std::filesystem::directory_iterator()) == 1);

  // Rename needs no space; compressing random text does, and fails cleanly.
  LogGroupConfig renaming = copying;
  renaming.method = pm::RotateMethod::Rename;
  renaming.compress = true;
  auto renamed = pm::rotate_groups({renaming}, context(), state);
  INFO(report(renamed));
  REQUIRE(renamed.failed());
  CHECK_THAT(renamed.groups[0].files[0].errors.at(0), Contains("No space left on device"));
  CHECK(read_file(small.path + "/app.log.1") == noise);
  CHECK(read_file(live).empty());
  CHECK(std::distance(std::filesystem::directory_iterator(small.path),
                      std::filesystem::directory_iterator()) == 2);
}
