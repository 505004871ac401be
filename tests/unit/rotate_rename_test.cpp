#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "rotate/rotate_groups.hpp"
#include "rotate_fixtures.hpp"

using namespace std::chrono_literals;
using Catch::Contains;
using namespace pm;
using namespace pm::test;

namespace {

LogGroupConfig rename_group(const ScratchDir& dir) {
  LogGroupConfig group = app_log_group(dir, pm::RotateMethod::Rename);
  group.keep = 10;
  group.reopen = pm::ReopenAction{pm::ReopenExec{{"reopen-logs"}}};
  return group;
}

RotationContext context_with(FakeReopener& reopener) { return test_context(&reopener); }

// Every line from 1 to `last` is in `text` exactly once, or with `at_least`
// at least once, and nothing else is.
void check_lines(const std::string& text, int last, bool at_least = false) {
  auto tally = tally_lines(text, last);
  INFO("lines 1 to " << last);
  CHECK(tally.missing == 0);
  CHECK(tally.other == 0);
  if (!at_least) CHECK(tally.repeated == 0);
}

// A writer that appends numbered lines to the file it opened, until told
// to reopen: what a service does with its log.
class FakeWriter {
 public:
  explicit FakeWriter(std::string path) : path_(std::move(path)) { reopen(); }
  void reopen() { fd_ = pm::UniqueFd(open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)); }
  void write_line() {
    std::string line = "line " + std::to_string(next_++) + "\n";
    REQUIRE(write(fd_.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  }
  int last() const { return next_ - 1; }
  void close() { fd_.reset(); }

 private:
  std::string path_;
  pm::UniqueFd fd_;
  int next_ = 1;
};

}  // namespace

TEST_CASE("rename shifts numbered files from the highest down and keeps every line once",
          "[rotate][rename]") {
  ScratchDir dir;
  FakeReopener reopener;
  RotationState state;
  auto group = rename_group(dir);
  for (int round = 0; round < 5; ++round) {
    write_file(dir / "app.log", numbered_lines(round * 100 + 1, round * 100 + 100));
    auto result = pm::rotate_groups({group}, context_with(reopener), state);
    INFO(report(result));
    REQUIRE_FALSE(result.failed());
    REQUIRE(result.groups[0].files.size() == 1);
    CHECK(result.groups[0].files[0].rotated_to == dir / "app.log.1");
  }
  CHECK(dir.names() ==
        std::vector<std::string>{"app.log", "app.log.1", "app.log.2", "app.log.3", "app.log.4", "app.log.5"});
  CHECK(read_file(dir / "app.log").empty());
  CHECK(read_file(dir / "app.log.5") == numbered_lines(1, 100));  // the oldest
  CHECK(read_file(dir / "app.log.1") == numbered_lines(401, 500));
  CHECK(reopener.calls == 5);
  check_lines(all_text(dir, "app.log"), 500);
  CHECK(state.live_since.at(dir / "app.log") == kTestNow);
}

TEST_CASE("the new live file gets the old file's mode and owner, or the configured ones",
          "[rotate][rename]") {
  ScratchDir dir;
  FakeReopener reopener;
  RotationState state;
  auto group = rename_group(dir);
  write_file(dir / "app.log", "line 1\n");
  REQUIRE(chmod((dir / "app.log").c_str(), 0604) == 0);
  REQUIRE_FALSE(pm::rotate_groups({group}, context_with(reopener), state).failed());
  struct stat info {};
  REQUIRE(stat((dir / "app.log").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0604);
  CHECK(info.st_uid == geteuid());

  group.create.mode = 0640;
  if (geteuid() == 0) {
    group.create.owner = "65534";
    group.create.group = "65534";
  }
  write_file(dir / "app.log", "line 2\n");
  auto result = pm::rotate_groups({group}, context_with(reopener), state);
  INFO(report(result));
  REQUIRE_FALSE(result.failed());
  REQUIRE(stat((dir / "app.log").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0640);
  if (geteuid() == 0) CHECK(info.st_uid == 65534);
}

TEST_CASE("every intermediate state of rename and compression keeps every line", "[rotate][rename]") {
  ScratchDir dir;
  FakeWriter writer(dir / "app.log");
  FakeReopener reopener;
  reopener.on_reopen = [&] { writer.reopen(); };
  RotationState state;
  auto group = rename_group(dir);
  group.compress = true;
  auto context = context_with(reopener);
  int steps = 0;
  // Before each step: the writer appends a line (to whichever file it still
  // has open), and every line written so far is in some file.
  context.before_step = [&](std::string_view step) -> std::expected<void, std::string> {
    ++steps;
    INFO("before step: " << step);
    writer.write_line();
    check_lines(all_text(dir, "app.log"), writer.last(), /*at_least=*/true);
    return {};
  };
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 50; ++i) writer.write_line();
    auto result = pm::rotate_groups({group}, context, state);
    INFO(report(result));
    REQUIRE_FALSE(result.failed());
  }
  writer.close();
  CHECK(steps >= 15);
  CHECK(dir.names() == std::vector<std::string>{"app.log", "app.log.1.gz", "app.log.2.gz", "app.log.3.gz"});
  check_lines(all_text(dir, "app.log"), writer.last());
}

TEST_CASE("a failure at any step loses nothing, and the next run completes", "[rotate][rename]") {
  auto run_failing_at = [](int failing_step) {
    ScratchDir dir;
    FakeReopener reopener;
    RotationState state;
    auto group = rename_group(dir);
    group.compress = true;
    group.keep = 1;
    write_file(dir / "app.log.1", numbered_lines(1, 100));
    write_file(dir / "app.log.2.gz.pm-partial", "left by a crash");
    write_file(dir / "app.log", numbered_lines(101, 200));
    auto context = context_with(reopener);
    FailingStep failure(failing_step);
    context.before_step = failure.hook();
    auto result = pm::rotate_groups({group}, context, state);
    INFO("failing step " << failing_step << ": " << failure.failed);
    INFO(report(result));
    CHECK(result.failed() == !failure.failed.empty());
    CHECK(access((dir / "app.log").c_str(), F_OK) == 0);
    // Lines 1-100 (the oldest generation) may be gone: keep = 1 removes
    // them once the rotation itself succeeded. Lines 101-200 are somewhere.
    std::string text = all_text(dir, "app.log");
    auto all = tally_lines(text, 200);  // repeated: a compression stopped before its removal
    CHECK(all.other == 0);
    CHECK((all.missing == 0 || (all.missing == 100 && tally_lines(text, 200, 101).missing == 0)));
    context.before_step = nullptr;
    for (int run = 0; run < 2; ++run) {
      write_file(dir / "app.log", read_file(dir / "app.log") + "line " + std::to_string(201 + run) + "\n");
      REQUIRE_FALSE(pm::rotate_groups({group}, context, state).failed());
    }
    CHECK(dir.names() == std::vector<std::string>{"app.log", "app.log.1.gz"});
    return failure.steps;
  };
  int steps = run_failing_at(0);
  REQUIRE(steps >= 6);
  for (int failing = 1; failing <= steps; ++failing) run_failing_at(failing);
}

TEST_CASE("an unwritable directory fails the group with the reason and leaves the log", "[rotate][rename]") {
  ScratchDir dir;
  write_file(dir / "app.log", numbered_lines(1, 10));
  // Root ignores permission bits; the immutable attribute stops root too.
  int flags = 0;
  pm::UniqueFd handle(open(dir.path().c_str(), O_RDONLY | O_DIRECTORY));
  bool immutable = false;
  if (ioctl(handle.get(), FS_IOC_GETFLAGS, &flags) == 0) {
    flags |= FS_IMMUTABLE_FL;
    immutable = ioctl(handle.get(), FS_IOC_SETFLAGS, &flags) == 0;
  }
  if (!immutable && geteuid() == 0) {
    WARN("skipped: cannot make a directory unwritable for root here (no immutable attribute)");
    return;
  }
  if (!immutable) REQUIRE(chmod(dir.path().c_str(), 0555) == 0);
  FakeReopener reopener;
  RotationState state;
  auto result = pm::rotate_groups({rename_group(dir)}, context_with(reopener), state);
  if (immutable) {
    flags &= ~FS_IMMUTABLE_FL;
    REQUIRE(ioctl(handle.get(), FS_IOC_SETFLAGS, &flags) == 0);
  } else {
    REQUIRE(chmod(dir.path().c_str(), 0700) == 0);
  }
  REQUIRE(result.failed());
  const auto& errors = result.groups[0].files.at(0).errors;
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Contains("cannot rename " + dir / "app.log" + " to " + dir / "app.log.1") &&
                            (Contains("Operation not permitted") || Contains("Permission denied")));
  CHECK(dir.names() == std::vector<std::string>{"app.log"});
  CHECK(read_file(dir / "app.log") == numbered_lines(1, 10));
  CHECK(reopener.calls == 0);
}

TEST_CASE("a failed reopen is the group's error, and the renamed file keeps its writer's lines",
          "[rotate][rename]") {
  ScratchDir dir;
  FakeWriter writer(dir / "app.log");
  for (int i = 0; i < 10; ++i) writer.write_line();
  FakeReopener reopener;
  reopener.error = "no such process";
  RotationState state;
  auto group = rename_group(dir);
  group.compress = true;
  auto result = pm::rotate_groups({group}, context_with(reopener), state);
  REQUIRE(result.failed());
  REQUIRE(result.groups[0].errors.size() == 1);
  CHECK_THAT(result.groups[0].errors[0],
             Contains("not told to reopen (reopen-logs): no such process; nothing is lost"));
  writer.write_line();  // the writer never reopened: its line goes to app.log.1
  writer.close();
  CHECK(dir.names() == std::vector<std::string>{"app.log", "app.log.1"});  // not compressed while held open
  check_lines(read_file(dir / "app.log.1"), 11);
  auto lines = pm::rotation_lines(result, false);
  CHECK(
      std::ranges::find(lines, "warning: " + dir / "app.log" + ": " + dir / "app.log.1" +
                                   ": still open by a process (a writer that has not reopened its log yet?); "
                                   "compressed by a later run") != lines.end());
}

TEST_CASE("a dry run reports the plan and touches nothing", "[rotate][rename]") {
  ScratchDir dir;
  write_file(dir / "app.log", numbered_lines(1, 10));
  write_file(dir / "app.log.1", numbered_lines(1, 10));
  write_file(dir / "app.log.2.gz", "old");
  FakeReopener reopener;
  RotationState state;
  auto group = rename_group(dir);
  group.keep = 2;
  group.compress = true;
  auto context = context_with(reopener);
  context.dry_run = true;
  auto result = pm::rotate_groups({group}, context, state);
  CHECK_FALSE(result.failed());
  CHECK(pm::rotation_lines(result, false) ==
        std::vector<std::string>{"would rotate " + dir / "app.log" + " -> " + dir / "app.log.1" + " (size " +
                                     std::to_string(numbered_lines(1, 10).size()) + "B reached max_size 1B)",
                                 "would compress " + dir / "app.log.2" + " -> " + dir / "app.log.2.gz",
                                 "would compress " + dir / "app.log.1" + " -> " + dir / "app.log.1.gz",
                                 "would remove " + dir / "app.log.3.gz", "would reopen: reopen-logs"});
  CHECK(dir.names() == std::vector<std::string>{"app.log", "app.log.1", "app.log.2.gz"});
  CHECK(reopener.calls == 0);
  CHECK(state.live_since.empty());
}

TEST_CASE("dated names get a time and a counter when a day has several rotations", "[rotate][rename]") {
  ScratchDir dir;
  FakeReopener reopener;
  RotationState state;
  auto group = rename_group(dir);
  group.naming = pm::RotatedNaming::Dated;
  for (int i = 1; i <= 3; ++i) {
    write_file(dir / "app.log", numbered_lines(i, i));
    REQUIRE_FALSE(pm::rotate_groups({group}, context_with(reopener), state).failed());
  }
  std::time_t seconds = pm::WallClock::to_time_t(kTestNow);
  std::tm local{};
  localtime_r(&seconds, &local);
  char day[16];
  char time[16];
  std::strftime(day, sizeof day, "%Y%m%d", &local);
  std::strftime(time, sizeof time, "%H%M%S", &local);
  std::string base = std::string("app.log-") + day;
  CHECK(dir.names() ==
        std::vector<std::string>{"app.log", base, base + "-" + time, base + "-" + time + "-2"});
  CHECK(read_file(dir / base) == "line 1\n");
  CHECK(read_file(dir / (base + "-" + time + "-2")) == "line 3\n");
}

TEST_CASE("retention removes only the group's own rotated files, oldest first", "[rotate][rename]") {
  ScratchDir dir;
  for (const char* name : {"app.log.1", "app.log.2.gz", "app.log.3.gz", "app.log.7", "app.log.bak",
                           "app.log-20261126", "other.log.9", "app.log.0"}) {
    write_file(dir / name, "x\n");
  }
  write_file(dir / "app.log", "line 1\n");
  FakeReopener reopener;
  RotationState state;
  auto group = rename_group(dir);
  group.keep = 2;
  auto result = pm::rotate_groups({group}, context_with(reopener), state);
  REQUIRE_FALSE(result.failed());
  CHECK(result.groups[0].files[0].removed ==
        std::vector<std::string>{dir / "app.log.8", dir / "app.log.4.gz", dir / "app.log.3.gz"});
  CHECK(dir.names() == std::vector<std::string>{"app.log", "app.log-20261126", "app.log.0", "app.log.1",
                                                "app.log.2", "app.log.bak", "other.log.9"});
}

TEST_CASE("a directory others can write to is refused unless allowed", "[rotate][rename]") {
  ScratchDir dir;
  write_file(dir / "app.log", "line 1\n");
  REQUIRE(chmod(dir.path().c_str(), 0777) == 0);
  FakeReopener reopener;
  RotationState state;
  auto group = rename_group(dir);
  auto refused = pm::rotate_groups({group}, context_with(reopener), state);
  REQUIRE(refused.failed());
  CHECK_THAT(refused.groups[0].files[0].errors.at(0), Contains("writable by everyone"));
  CHECK(dir.names() == std::vector<std::string>{"app.log"});
  group.allow_unsafe_dir = true;
  CHECK_FALSE(pm::rotate_groups({group}, context_with(reopener), state).failed());
  CHECK(dir.names() == std::vector<std::string>{"app.log", "app.log.1"});
}

TEST_CASE("max_age counts from the recorded last rotation", "[rotate][rename]") {
  ScratchDir dir;
  write_file(dir / "app.log", "line 1\n");
  FakeReopener reopener;
  RotationState state;
  auto group = rename_group(dir);
  group.max_size.reset();
  group.max_age = 24h;
  state.live_since[dir / "app.log"] = kTestNow - 23h;
  state.live_since[dir / "gone.log"] = kTestNow - 100h;
  auto early = pm::rotate_groups({group}, context_with(reopener), state);
  CHECK_FALSE(early.groups[0].files[0].rotated);
  CHECK(pm::rotation_lines(early, true) ==
        std::vector<std::string>{dir / "app.log" + ": not due: 23h of max_age 1d"});
  CHECK_FALSE(state.live_since.contains(dir / "gone.log"));  // no such file any more
  state.live_since[dir / "app.log"] = kTestNow - 25h;
  auto due = pm::rotate_groups({group}, context_with(reopener), state);
  CHECK(due.groups[0].files[0].rotated);
  CHECK(state.live_since.at(dir / "app.log") == kTestNow);
}
