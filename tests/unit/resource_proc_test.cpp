// The /proc parsers on files recorded on a real host (tests/data/proc) and on
// broken ones; the disk share from statvfs numbers.
#include <catch2/catch.hpp>

#include "resources/disk_usage.hpp"
#include "resources/proc_files.hpp"
#include "test_data.hpp"

using namespace pm;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using pm::test::read_test_data;

TEST_CASE("meminfo: MemTotal and MemAvailable of a real file", "[resources][proc]") {
  auto info = parse_meminfo(read_test_data("proc/meminfo"));
  REQUIRE(info);
  CHECK(info->total_kib == 24684084);
  CHECK(info->available_kib == 22834016);
  CHECK_THAT(info->used_ratio(), WithinAbs(1 - 22834016.0 / 24684084.0, 1e-12));
}

TEST_CASE("meminfo: a missing MemAvailable or a garbage value is an error, never 0%", "[resources][proc]") {
  auto old_kernel = parse_meminfo(read_test_data("proc/meminfo-no-memavailable"));
  REQUIRE_FALSE(old_kernel);
  CHECK_THAT(old_kernel.error(), Contains("no MemAvailable"));
  auto garbage = parse_meminfo(read_test_data("proc/meminfo-garbage"));
  REQUIRE_FALSE(garbage);
  CHECK_THAT(garbage.error(), Contains("MemTotal is not a number of kB"));
  CHECK_FALSE(parse_meminfo(""));
  CHECK_FALSE(parse_meminfo("MemTotal: 0 kB\nMemAvailable: 0 kB\n"));
}

TEST_CASE("meminfo: more available than total (a racing read) is 0% used, not negative",
          "[resources][proc]") {
  auto info = parse_meminfo("MemTotal: 100 kB\nMemAvailable: 120 kB");
  REQUIRE(info);
  CHECK(info->used_ratio() == 0.0);
}

TEST_CASE("loadavg: the 1-minute load of a real file, and garbage is an error", "[resources][proc]") {
  auto load = parse_loadavg(read_test_data("proc/loadavg"));
  REQUIRE(load);
  CHECK_THAT(*load, WithinAbs(4.68, 1e-9));
  auto garbage = parse_loadavg(read_test_data("proc/loadavg-garbage"));
  REQUIRE_FALSE(garbage);
  CHECK_THAT(garbage.error(), Contains("'load' is not a number"));
  CHECK_FALSE(parse_loadavg(""));
  CHECK_FALSE(parse_loadavg("-1.0 0 0 1/1 1\n"));
}

TEST_CASE("stat: the aggregate cpu line and btime of a real file", "[resources][proc]") {
  auto times = parse_proc_stat(read_test_data("proc/stat"));
  REQUIRE(times);
  // cpu  2114662 0 317373 807140 4730 0 1522 1043 0 0
  CHECK(times->busy == 2114662 + 317373 + 1522 + 1043);
  CHECK(times->total == times->busy + 807140 + 4730);
  CHECK(times->boot_time == 1795682447);
}

TEST_CASE("stat: the busy share between two real samples", "[resources][proc]") {
  auto earlier = parse_proc_stat(read_test_data("proc/stat"));
  auto later = parse_proc_stat(read_test_data("proc/stat-1s-later"));
  REQUIRE(earlier);
  REQUIRE(later);
  // Recorded while both CPUs were busy: not one idle or iowait tick in between.
  CHECK(cpu_busy_ratio(*earlier, *later) == 1.0);
  CHECK_FALSE(cpu_busy_ratio(*later, *earlier));    // counters going back: another boot
  CHECK_FALSE(cpu_busy_ratio(*earlier, *earlier));  // no tick: no share
}

TEST_CASE("stat: a share between samples, and none across a reboot", "[resources][proc]") {
  CpuTimes earlier{100, 400, 1000};
  CpuTimes later{130, 500, 1000};
  CHECK_THAT(*cpu_busy_ratio(earlier, later), WithinAbs(0.3, 1e-12));
  later.boot_time = 2000;
  CHECK_FALSE(cpu_busy_ratio(earlier, later));
}

TEST_CASE("stat: a short or garbled cpu line is an error", "[resources][proc]") {
  auto short_line = parse_proc_stat(read_test_data("proc/stat-short-cpu-line"));
  REQUIRE_FALSE(short_line);
  CHECK_THAT(short_line.error(), Contains("fewer than 4 counters"));
  auto garbled = parse_proc_stat("cpu  1 2 x 4\n");
  REQUIRE_FALSE(garbled);
  CHECK_THAT(garbled.error(), Contains("cpu counter 3 is not a number"));
  CHECK_FALSE(parse_proc_stat("cpu0 1 2 3 4\nintr 5\n"));  // only per-CPU lines: no aggregate
  // A kernel with only the first four counters: iowait and the rest count as 0.
  auto four = parse_proc_stat("cpu 10 0 5 85\n");
  REQUIRE(four);
  CHECK(four->busy == 15);
  CHECK(four->total == 100);
  CHECK_FALSE(four->boot_time);
}

TEST_CASE("disk: blocks used as df's Use%, inodes used, no inode count", "[resources][disk]") {
  struct statvfs stats {};
  stats.f_blocks = 1000;
  stats.f_bfree = 150;   // 850 used
  stats.f_bavail = 100;  // 50 reserved for root
  stats.f_files = 200;
  stats.f_ffree = 50;
  DiskUsage usage = disk_usage(stats);
  CHECK_THAT(usage.blocks_used, WithinAbs(850.0 / 950.0, 1e-12));
  REQUIRE(usage.inodes_used);
  CHECK_THAT(*usage.inodes_used, WithinAbs(0.75, 1e-12));
  stats.f_bavail = 0;  // only root's reserve left: full for everyone else
  CHECK(disk_usage(stats).blocks_used == 1.0);
  stats.f_files = 0;  // btrfs: no inode count
  CHECK_FALSE(disk_usage(stats).inodes_used);
  const struct statvfs empty {};  // a pseudo filesystem: no blocks at all
  CHECK(disk_usage(empty).blocks_used == 0.0);
}
