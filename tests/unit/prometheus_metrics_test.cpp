// --metrics-file: the Prometheus text rendering of a run (names, escaping,
// every sample of an example) and the atomic write, including one that fails.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <boost/filesystem.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "captured_log.hpp"
#include "report/metrics_file.hpp"
#include "report/prometheus_metrics.hpp"
#include "report_samples.hpp"

using namespace pm;
using namespace pm::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
namespace fs = boost::filesystem;

namespace {

// 2024-05-01 12:00:00.250 UTC.
const WallTime kFinished = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h + 250ms;

// api healthy; worker restarted (2 restarts in its 1 h window, 1 older);
// queue could not be restarted and gave up; cron's engine unreachable;
// site is probe-only and refused the connection.
struct Sample {
  CycleResult cycle;
  std::map<std::string, ServiceHistory> histories;

  Sample() {
    cycle.services = {healthy_result("api"), restarted_result("worker"), restart_failed_result("queue"),
                      unreachable_result("cron"), refused_probe_result("site")};
    cycle.elapsed = Duration{2345};
    histories["worker"].restart_times = {kFinished - 2h, kFinished - 30min, kFinished - 1s};
    histories["queue"].restart_times = {kFinished - 5min};
    histories["queue"].gave_up = true;
    histories["worker"].restarts_total = 17;
    histories["queue"].restarts_total = 1;
    // api: PM2's own numbers; worker: a CPU limit's share from systemd-style CPU time.
    cycle.services[0].sighting.status->usage = ResourceUse{52'428'800, 0.25, std::nullopt};
    cycle.services[1].sighting.status->usage = ResourceUse{std::nullopt, std::nullopt, 12'500'000'000};
    LimitReading cpu;
    cpu.resource = LimitResource::Cpu;
    cpu.value = 0.5;
    cpu.limit = 0.9;
    cycle.services[1].limits = {cpu};
  }
};

// "name{labels}" -> value, for every sample line.
std::map<std::string, std::string> samples_of(const std::string& text) {
  std::map<std::string, std::string> samples;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    samples[line.substr(0, space)] = line.substr(space + 1);
  }
  return samples;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct ScratchDir {
  fs::path path = fs::temp_directory_path() / fs::unique_path("pm-metrics-test-%%%%-%%%%");
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
  }
};

}  // namespace

TEST_CASE("metrics: every sample of an example run", "[report][metrics]") {
  Sample sample;
  auto samples = samples_of(render_prometheus_metrics(sample.cycle, sample.histories, kFinished));
  const std::map<std::string, std::string> expected{
      // cron (engine unreachable) and site (backend none) have no engine to say whether they run.
      {R"(process_monitor_service_up{service="api",backend="pm2"})", "1"},
      {R"(process_monitor_service_up{service="worker",backend="pm2"})", "1"},
      {R"(process_monitor_service_up{service="queue",backend="pm2"})", "0"},
      {R"(process_monitor_service_healthy{service="api",backend="pm2"})", "1"},
      {R"(process_monitor_service_healthy{service="worker",backend="pm2"})", "1"},
      {R"(process_monitor_service_healthy{service="queue",backend="pm2"})", "0"},
      {R"(process_monitor_service_healthy{service="cron",backend="pm2"})", "0"},
      {R"(process_monitor_service_healthy{service="site",backend="none"})", "0"},
      {R"(process_monitor_probe_duration_seconds{service="api",backend="pm2"})", "0.004"},
      {R"(process_monitor_probe_duration_seconds{service="worker",backend="pm2"})", "0.012"},
      {R"(process_monitor_probe_duration_seconds{service="site",backend="none"})", "0.001"},
      // site's probe got no HTTP answer: no status code.
      {R"(process_monitor_probe_status_code{service="api",backend="pm2"})", "200"},
      {R"(process_monitor_probe_status_code{service="worker",backend="pm2"})", "503"},
      {R"(process_monitor_service_restarts_in_window{service="api",backend="pm2"})", "0"},
      {R"(process_monitor_service_restarts_in_window{service="worker",backend="pm2"})", "2"},
      {R"(process_monitor_service_restarts_in_window{service="queue",backend="pm2"})", "1"},
      {R"(process_monitor_service_restarts_in_window{service="cron",backend="pm2"})", "0"},
      {R"(process_monitor_service_restarts_in_window{service="site",backend="none"})", "0"},
      {R"(process_monitor_service_restarts_total{service="api",backend="pm2"})", "0"},
      {R"(process_monitor_service_restarts_total{service="worker",backend="pm2"})", "17"},
      {R"(process_monitor_service_restarts_total{service="queue",backend="pm2"})", "1"},
      {R"(process_monitor_service_restarts_total{service="cron",backend="pm2"})", "0"},
      {R"(process_monitor_service_restarts_total{service="site",backend="none"})", "0"},
      // Usage only where the engine reported it: PM2's share for api, a CPU limit's for worker.
      {R"(process_monitor_service_memory_bytes{service="api",backend="pm2"})", "52428800"},
      {R"(process_monitor_service_cpu_ratio{service="api",backend="pm2"})", "0.25"},
      {R"(process_monitor_service_cpu_ratio{service="worker",backend="pm2"})", "0.5"},
      {R"(process_monitor_service_cpu_seconds_total{service="worker",backend="pm2"})", "12.5"},
      {R"(process_monitor_service_gave_up{service="api",backend="pm2"})", "0"},
      {R"(process_monitor_service_gave_up{service="worker",backend="pm2"})", "0"},
      {R"(process_monitor_service_gave_up{service="queue",backend="pm2"})", "1"},
      {R"(process_monitor_service_gave_up{service="cron",backend="pm2"})", "0"},
      {R"(process_monitor_service_gave_up{service="site",backend="none"})", "0"},
      {"process_monitor_last_run_timestamp_seconds", "1714564800.25"},
      {"process_monitor_last_run_duration_seconds", "2.345"},
      {"process_monitor_last_run_exit_code", "2"},
  };
  for (const auto& [series, value] : expected) {
    INFO(series);
    REQUIRE(samples.contains(series));
    CHECK(samples.at(series) == value);
  }
  for (const auto& [series, value] : samples) {
    INFO("unexpected sample " << series << " " << value);
    CHECK(expected.contains(series));
  }
}

TEST_CASE("metrics: names follow the Prometheus conventions, each family with HELP and TYPE",
          "[report][metrics]") {
  Sample sample;
  std::string text = render_prometheus_metrics(sample.cycle, sample.histories, kFinished);
  const std::regex help(R"(# HELP (process_monitor_[a-z_]+) \S.*)");
  const std::regex type(R"(# TYPE (process_monitor_[a-z_]+) (gauge|counter))");
  const std::regex sample_line(
      R"((process_monitor_[a-z_]+)(\{service="[^"]*",backend="[^"]*"\})? -?[0-9.]+)");
  std::istringstream lines(text);
  std::string family;  // the name of the last TYPE line
  std::set<std::string> families;
  std::smatch match;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    if (std::regex_match(line, match, help)) {
      const std::string name = match[1];
      CHECK_FALSE(families.contains(name));  // a family's lines stay together
      families.insert(name);
      REQUIRE(std::getline(lines, line));
      REQUIRE(std::regex_match(line, match, type));
      CHECK(match[1] == name);
      family = name;
      // Counters and only counters end in _total; durations and times are in seconds.
      CHECK(name.ends_with("_total") == (match[2] == "counter"));
      if (name.find("duration") != std::string::npos || name.find("timestamp") != std::string::npos)
        CHECK(name.ends_with("_seconds"));
    } else {
      REQUIRE(std::regex_match(line, match, sample_line));
      CHECK(match[1] == family);
    }
  }
  CHECK(families.size() == 13);
  CHECK(text.ends_with("\n"));
}

TEST_CASE("metrics: label values escape backslash, double quote and newline", "[report][metrics]") {
  CHECK(escape_label_value("plain-name_1.x") == "plain-name_1.x");
  CHECK(escape_label_value(R"(a\b"c)"
                           "\nd") == R"(a\\b\"c\nd)");
  CycleResult cycle;
  cycle.services = {healthy_result("say \"hi\"\\\n")};
  std::string text = render_prometheus_metrics(cycle, {}, kFinished);
  CHECK_THAT(text, Contains(R"(process_monitor_service_up{service="say \"hi\"\\\n",backend="pm2"} 1)"));
  // No raw newline inside a sample line: every line is a comment or starts with the prefix.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    CHECK((line[0] == '#' || line.starts_with("process_monitor_")));
}

TEST_CASE("metrics file: replaced atomically, readable by another user, no temporary file left",
          "[report][metrics]") {
  ScratchDir dir;
  const std::string path = dir.file("process_monitor.prom");
  std::ofstream(path) << "old\n";
  Sample sample;
  REQUIRE(publish_metrics_file(path, sample.cycle, sample.histories, kFinished));
  CHECK(read_file(path) == render_prometheus_metrics(sample.cycle, sample.histories, kFinished));
  CHECK(dir.entries() == 1);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((info.st_mode & 0777) == (0644 & ~mask));
}

// That the run's exit code stays what the cycle made it is checked with the
// real binary (tests/integration/pm2_integration_test.cpp).
TEST_CASE("metrics file: a failed write is logged with the path and the cause", "[report][metrics]") {
  ScratchDir dir;
  std::ofstream(dir.file("plain")) << "";
  Sample sample;

  const std::string in_a_file = dir.file("plain/process_monitor.prom");
  auto written = write_metrics_file(in_a_file, "x 1\n");
  REQUIRE_FALSE(written);
  CHECK(written.error() == "cannot write the metrics file " + in_a_file +
                               ": Not a directory while creating a temporary file in " + dir.file("plain"));

  const std::string in_no_dir = dir.file("missing/process_monitor.prom");
  CapturedLog log;
  CHECK_FALSE(publish_metrics_file(in_no_dir, sample.cycle, sample.histories, kFinished));
  CHECK(log.text() == "error: cannot write the metrics file " + in_no_dir +
                          ": No such file or directory while creating a temporary file in " +
                          dir.file("missing") + "\n");
  CHECK(dir.entries() == 1);
}
