#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "rotate/dir_safety.hpp"
#include "rotate/log_paths.hpp"
#include "rotate_fixtures.hpp"

using Catch::Contains;
using namespace pm;
using namespace pm::test;

namespace {

LogGroupConfig group_of(std::vector<std::string> paths) {
  LogGroupConfig group;
  group.paths = std::move(paths);
  group.max_size = 1;
  return group;
}

}  // namespace

TEST_CASE("globs match live files and never rotated, partial or non-regular ones", "[rotate][paths]") {
  ScratchDir dir;
  for (const char* name : {"a.log", "b.log", "a.log.1", "a.log.2.gz", "b.log-20261126", "c.log.gz",
                           "a.log.1.gz.pm-partial", "notes.txt", ".hidden.log"}) {
    write_file(dir / name, "x\n");
  }
  REQUIRE(mkdir((dir / "sub.log").c_str(), 0700) == 0);
  REQUIRE(mkfifo((dir / "pipe.log").c_str(), 0600) == 0);
  auto live = pm::find_live_files(group_of({dir / "*"}));
  CHECK(live.files == std::vector<std::string>{dir / "a.log", dir / "b.log", dir / "notes.txt"});
  CHECK(live.errors.empty());
  live = pm::find_live_files(group_of({dir / "*.log", dir / "a.log", dir / "b.*"}));
  CHECK(live.files == std::vector<std::string>{dir / "a.log", dir / "b.log"});  // each once
}

TEST_CASE("a path written out in full is taken as it is", "[rotate][paths]") {
  ScratchDir dir;
  write_file(dir / "app.log.1", "x\n");
  auto live = pm::find_live_files(group_of({dir / "app.log.1"}));
  CHECK(live.files == std::vector<std::string>{dir / "app.log.1"});
}

TEST_CASE("a symbolic link is refused, whether named or matched", "[rotate][paths]") {
  ScratchDir dir;
  write_file(dir / "real.log", "x\n");
  REQUIRE(symlink((dir / "real.log").c_str(), (dir / "link.log").c_str()) == 0);
  auto named = pm::find_live_files(group_of({dir / "link.log"}));
  CHECK(named.files.empty());
  REQUIRE(named.errors.size() == 1);
  CHECK_THAT(named.errors[0],
             Contains(dir / "link.log") && Contains("is a symbolic link, which rotation never follows"));
  auto matched = pm::find_live_files(group_of({dir / "*.log"}));
  CHECK(matched.files == std::vector<std::string>{dir / "real.log"});
  REQUIRE(matched.errors.size() == 1);
  CHECK_THAT(matched.errors[0], Contains("link.log (matched by"));
}

TEST_CASE("missing paths, empty globs and directories are errors unless missing_ok", "[rotate][paths]") {
  ScratchDir dir;
  auto group = group_of({dir / "gone.log", dir / "*.log", dir.path()});
  auto live = pm::find_live_files(group);
  REQUIRE(live.errors.size() == 3);
  CHECK_THAT(live.errors[0], Contains("gone.log does not exist (set missing_ok = true if that is normal)"));
  CHECK_THAT(live.errors[1], Contains("*.log matches no log file"));
  CHECK_THAT(live.errors[2], Contains("is a directory: give the log files in it"));
  group.missing_ok = true;
  live = pm::find_live_files(group);
  CHECK(live.errors.size() == 1);  // a directory is a mistake either way
  CHECK(live.notes.size() == 2);
}

TEST_CASE("directories others can write to are unsafe", "[rotate][safety]") {
  struct stat info {};
  info.st_uid = 0;
  info.st_gid = 0;
  info.st_mode = S_IFDIR | 0755;
  CHECK(pm::check_directory_safety("/var/log/app", info));
  info.st_mode = S_IFDIR | 0775;  // group root may write
  CHECK(pm::check_directory_safety("/var/log/app", info));
  info.st_gid = 4242;
  auto group_writable = pm::check_directory_safety("/var/log/app", info);
  REQUIRE_FALSE(group_writable);
  CHECK_THAT(group_writable.error(),
             Contains("refusing to rotate in /var/log/app") && Contains("mode 0775") && Contains("group") &&
                 Contains("logrotate's 'su' problem") && Contains("chmod o-w,g-w /var/log/app") &&
                 Contains("allow_unsafe_dir = true"));
  info.st_gid = 0;
  info.st_mode = S_IFDIR | 01777;  // even root's sticky /tmp
  auto everyone = pm::check_directory_safety("/tmp", info);
  REQUIRE_FALSE(everyone);
  CHECK_THAT(everyone.error(), Contains("writable by everyone"));
}
