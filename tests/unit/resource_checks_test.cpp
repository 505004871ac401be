// The [resources] checks on a fake host: levels, the CPU sample kept in the
// state between runs, what cannot be measured, and the exit code they add to.
#include <map>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "core/cycle_result.hpp"
#include "resources/host_checks.hpp"
#include "state/state_document.hpp"
#include "test_data.hpp"

using namespace pm;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;

namespace {

// /proc files from a map; /proc/stat from a queue (each read takes the next);
// statvfs from a map; the waits it was asked for are counted.
class FakeHost : public HostSource {
 public:
  std::map<std::string, std::string> files;
  std::vector<std::string> stats;  // successive /proc/stat texts
  std::map<std::string, struct statvfs> filesystems;
  int cpus = 2;
  std::vector<Duration> waits;

  std::expected<std::string, std::string> read_proc(std::string_view name) override {
    if (name == "stat") {
      if (stats.empty()) return std::unexpected("cannot read /proc/stat: gone");
      std::string text = stats.front();
      stats.erase(stats.begin());
      return text;
    }
    auto file = files.find(std::string(name));
    if (file == files.end()) return std::unexpected(fmt::format("cannot read /proc/{}: absent", name));
    return file->second;
  }
  std::expected<struct statvfs, std::string> stat_filesystem(const std::string& path) override {
    auto found = filesystems.find(path);
    if (found == filesystems.end())
      return std::unexpected(fmt::format("statvfs {}: No such file or directory", path));
    return found->second;
  }
  int online_cpus() override { return cpus; }
  void wait(Duration pause) override { waits.push_back(pause); }
};

const WallTime kNow = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h;

std::string stat_text(std::uint64_t busy, std::uint64_t idle) {
  return fmt::format("cpu  {} 0 0 {} 0 0 0 0 0 0\nbtime 1700000000\n", busy, idle);
}

ResourceSettings cpu_only(double warn, double critical) {
  ResourceSettings settings;
  settings.cpu = Threshold{warn, critical};
  return settings;
}

}  // namespace

TEST_CASE("memory and load are judged against their levels", "[resources]") {
  FakeHost host;
  host.files["meminfo"] = "MemTotal: 1000 kB\nMemAvailable: 150 kB\n";  // 85% used
  host.files["loadavg"] = "3.00 2.00 1.00 1/100 42\n";                  // 1.5 per CPU
  ResourceSettings settings;
  settings.memory = Threshold{0.80, 0.90};
  settings.load = Threshold{std::nullopt, 1.5};
  nlohmann::json memory = nlohmann::json::object();
  auto checks = check_host(settings, host, memory, kNow);
  REQUIRE(checks.size() == 2);
  CHECK(checks[0].kind == ResourceKind::Memory);
  CHECK_THAT(*checks[0].value, WithinAbs(0.85, 1e-12));
  CHECK(checks[0].level == ResourceLevel::Warn);
  CHECK(checks[1].kind == ResourceKind::Load);
  CHECK_THAT(*checks[1].value, WithinAbs(1.5, 1e-12));
  CHECK(checks[1].level == ResourceLevel::Critical);  // reaching the level counts
  CHECK(resources_exit_code(checks) == 2);
  CHECK(memory.empty());  // only the CPU check keeps anything
}

TEST_CASE("a value below both levels is ok, and a level may be left out", "[resources]") {
  CHECK(judge(0.5, Threshold{0.8, 0.9}) == ResourceLevel::Ok);
  CHECK(judge(0.8, Threshold{0.8, 0.9}) == ResourceLevel::Warn);
  CHECK(judge(0.95, Threshold{0.8, std::nullopt}) == ResourceLevel::Warn);
  CHECK(judge(0.95, Threshold{std::nullopt, 0.9}) == ResourceLevel::Critical);
  CHECK(judge(0.85, Threshold{std::nullopt, 0.9}) == ResourceLevel::Ok);
}

TEST_CASE("cpu: the first run samples twice and leaves its counters for the next", "[resources][cpu]") {
  FakeHost host;
  host.stats = {stat_text(100, 900), stat_text(150, 950)};  // 50 of 100 ticks busy
  nlohmann::json memory = nlohmann::json::object();
  auto checks = check_host(cpu_only(0.4, 0.9), host, memory, kNow);
  REQUIRE(checks.size() == 1);
  CHECK_THAT(*checks[0].value, WithinAbs(0.5, 1e-12));
  CHECK(checks[0].level == ResourceLevel::Warn);
  CHECK(host.waits == std::vector<Duration>{kFirstCpuSample});
  CHECK(memory["cpu"]["busy"] == 150);
  CHECK(memory["cpu"]["total"] == 1100);

  SECTION("the next run takes the delta since then, with no wait") {
    host.stats = {stat_text(240, 960)};  // 90 of 100 ticks busy since the sample above
    auto next = check_host(cpu_only(0.4, 0.9), host, memory, kNow + 1min);
    CHECK(host.waits.size() == 1);
    CHECK_THAT(*next[0].value, WithinAbs(0.9, 1e-12));
    CHECK(next[0].level == ResourceLevel::Critical);
    CHECK(memory["cpu"]["busy"] == 240);
  }
  SECTION("through the state file's encoding") {
    StateDocument document;
    document.resources = memory;
    auto decoded = decode_state(encode_state(document, 1));
    REQUIRE(decoded);
    host.stats = {stat_text(240, 960)};
    auto next = check_host(cpu_only(0.4, 0.9), host, decoded->resources, kNow + 1min);
    CHECK(host.waits.size() == 1);
    CHECK_THAT(*next[0].value, WithinAbs(0.9, 1e-12));
  }
  SECTION("a sample older than an hour is not used") {
    host.stats = {stat_text(240, 960), stat_text(241, 1059)};
    auto next = check_host(cpu_only(0.4, 0.9), host, memory, kNow + kMaxCpuSampleAge + 1s);
    CHECK(host.waits.size() == 2);
    CHECK_THAT(*next[0].value, WithinAbs(0.01, 1e-12));
  }
  SECTION("after a reboot (counters went back) it samples afresh") {
    host.stats = {stat_text(10, 90), stat_text(20, 180)};
    auto next = check_host(cpu_only(0.4, 0.9), host, memory, kNow + 1min);
    CHECK(host.waits.size() == 2);
    CHECK_THAT(*next[0].value, WithinAbs(0.1, 1e-12));
  }
}

TEST_CASE("cpu: a malformed sample in the state is ignored, never trusted", "[resources][cpu]") {
  FakeHost host;
  host.stats = {stat_text(100, 900), stat_text(110, 990)};
  nlohmann::json memory = {{"cpu", {{"busy", "many"}, {"total", 5}, {"at", 0}}}};
  auto checks = check_host(cpu_only(0.5, 0.9), host, memory, kNow);
  CHECK(host.waits.size() == 1);
  CHECK_THAT(*checks[0].value, WithinAbs(0.1, 1e-12));
  CHECK(checks[0].level == ResourceLevel::Ok);
}

TEST_CASE("what cannot be measured is unknown, and counts as critical", "[resources]") {
  FakeHost host;  // no /proc files, no filesystems
  ResourceSettings settings;
  settings.memory = Threshold{0.8, std::nullopt};
  settings.cpu = Threshold{0.8, std::nullopt};
  settings.disks.push_back(DiskThreshold{"/data", Threshold{0.8, 0.9}});
  nlohmann::json memory = nlohmann::json::object();
  auto checks = check_host(settings, host, memory, kNow);
  REQUIRE(checks.size() == 4);
  for (const auto& check : checks) {
    CHECK(check.level == ResourceLevel::Unknown);
    CHECK_FALSE(check.value);
  }
  CHECK_THAT(checks[0].error, Contains("/proc/meminfo"));
  CHECK_THAT(checks[2].error, Contains("statvfs /data: No such file or directory"));
  CHECK(checks[2].kind == ResourceKind::Disk);
  CHECK(checks[3].kind == ResourceKind::Inodes);
  CHECK(resources_exit_code(checks) == 2);
}

TEST_CASE("disk: blocks and inodes per path, no inode check without inode counts", "[resources][disk]") {
  FakeHost host;
  struct statvfs var {};
  var.f_blocks = 100, var.f_bfree = 10, var.f_bavail = 10, var.f_files = 100, var.f_ffree = 95;
  struct statvfs btrfs {};
  btrfs.f_blocks = 100, btrfs.f_bfree = 50, btrfs.f_bavail = 50;
  host.filesystems = {{"/var", var}, {"/srv", btrfs}};
  ResourceSettings settings;
  settings.disks = {DiskThreshold{"/var", Threshold{0.8, 0.95}}, DiskThreshold{"/srv", Threshold{0.8, 0.95}}};
  nlohmann::json memory = nlohmann::json::object();
  auto checks = check_host(settings, host, memory, kNow);
  REQUIRE(checks.size() == 3);
  CHECK(check_name(checks[0]) == "disk /var");
  CHECK(checks[0].level == ResourceLevel::Warn);  // 90%
  CHECK(check_name(checks[1]) == "inodes /var");
  CHECK(checks[1].level == ResourceLevel::Ok);  // 5%
  CHECK(check_name(checks[2]) == "disk /srv");
}

TEST_CASE("resources add to the run's exit code: warn 1, critical 2", "[resources][exit]") {
  CycleResult cycle;
  Threshold levels{0.8, 0.9};
  cycle.resources = {measured(ResourceKind::Memory, "", 0.5, levels)};
  CHECK(cycle.exit_code() == 0);
  cycle.resources.push_back(measured(ResourceKind::Disk, "/", 0.85, levels));
  CHECK(cycle.exit_code() == 1);
  cycle.resources.push_back(measured(ResourceKind::Inodes, "/", 0.9, levels));
  CHECK(cycle.exit_code() == 2);
}
