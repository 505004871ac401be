// The [resources] checks in every output: the text report's RESOURCE table,
// the JSON report (validated against schema/report-v1.schema.json), the
// Prometheus gauges and the Nagios line with its perfdata.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "report/json_report.hpp"
#include "report/nagios_line.hpp"
#include "report/prometheus_metrics.hpp"
#include "report/text_report.hpp"
#include "report_samples.hpp"
#include "schema_check.hpp"

using namespace pm;
using namespace pm::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const WallTime kFinished = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + 12h;

// memory 85% (warn at 80%), load 0.25 per CPU, disk / 91% (critical at 90%),
// inodes / 3%, and /data that statvfs refused.
CycleResult cycle_with_resources() {
  CycleResult cycle;
  cycle.services = {healthy_result("api")};
  cycle.elapsed = Duration{20};
  cycle.resources = {
      measured(ResourceKind::Memory, "", 0.85, Threshold{0.8, 0.9}),
      measured(ResourceKind::Load, "", 0.25, Threshold{1.5, 3.0}),
      measured(ResourceKind::Disk, "/", 0.91, Threshold{0.8, 0.9}),
      measured(ResourceKind::Inodes, "/", 0.03, Threshold{0.8, 0.9}),
      unmeasured(ResourceKind::Disk, "/data", "statvfs /data: No such file or directory",
                 Threshold{std::nullopt, 0.9}),
  };
  return cycle;
}

}  // namespace

TEST_CASE("text: one line per configured check below the services", "[report][resources]") {
  CHECK(render_text_report(cycle_with_resources()) ==
        "SERVICE  BACKEND  STATE   HEALTH  LATENCY  RESULT\n"
        "api      pm2      online  ok 200  4ms      ok\n"
        "\n"
        "RESOURCE    VALUE  WARN  CRITICAL  RESULT\n"
        "memory      85%    80%   90%       warn\n"
        "load        0.25   1.50  3.00      ok\n"
        "disk /      91%    80%   90%       critical\n"
        "inodes /    3%     80%   90%       ok\n"
        "disk /data  -      -     90%       unknown: statvfs /data: No such file or directory\n");
}

TEST_CASE("text: no resource table without a configured check", "[report][resources]") {
  CycleResult cycle;
  cycle.services = {healthy_result("api")};
  CHECK_THAT(render_text_report(cycle), !Contains("RESOURCE"));
  cycle.services.clear();
  cycle.resources = {measured(ResourceKind::Cpu, "", 0.5, Threshold{0.9, std::nullopt})};
  CHECK(render_text_report(cycle) ==
        "RESOURCE  VALUE  WARN  CRITICAL  RESULT\ncpu       50%    90%   -         ok\n");
}

TEST_CASE("json: the resources object, valid against the schema", "[report][resources][schema]") {
  const std::string document = render_json_report(cycle_with_resources(), false);
  auto check = check_against_schema(PM_TEST_DATA_DIR "/../..", "report-v1.schema.json", document);
  INFO(document << check.errors);
  CHECK(check.exit_code == 0);
  auto report = nlohmann::json::parse(document);
  CHECK(report["exit_code"] == 2);
  CHECK(report["resources"]["exit_code"] == 2);
  const auto& memory = report["resources"]["checks"][0];
  CHECK(memory["check"] == "memory");
  CHECK(memory["path"].is_null());
  CHECK(memory["unit"] == "ratio");
  CHECK(memory["value"] == 0.85);
  CHECK(memory["level"] == "warn");
  CHECK(report["resources"]["checks"][1]["unit"] == "load_per_cpu");
  const auto& data = report["resources"]["checks"][4];
  CHECK(data["value"].is_null());
  CHECK(data["warn"].is_null());
  CHECK(data["level"] == "unknown");
  CHECK(data["error"] == "statvfs /data: No such file or directory");

  CycleResult without;
  without.services = {healthy_result("api")};
  CHECK_FALSE(nlohmann::json::parse(render_json_report(without, false)).contains("resources"));
}

TEST_CASE("json: the schema rejects a resource check with an unknown level", "[report][resources][schema]") {
  auto report = nlohmann::json::parse(render_json_report(cycle_with_resources(), false));
  report["resources"]["checks"][0]["level"] = "warning";
  auto check = check_against_schema(PM_TEST_DATA_DIR "/../..", "report-v1.schema.json", report.dump());
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.errors, Contains("resources.checks[0].level"));
}

TEST_CASE("prometheus: a gauge per measured check, disks labelled by path", "[report][resources][metrics]") {
  CycleResult cycle = cycle_with_resources();
  cycle.resources.push_back(measured(ResourceKind::Cpu, "", 0.5, Threshold{0.9, std::nullopt}));
  cycle.resources.push_back(measured(ResourceKind::Disk, "/mnt/\"odd\"", 0.5, Threshold{0.9, std::nullopt}));
  const std::string text = render_prometheus_metrics(cycle, {}, kFinished);
  CHECK_THAT(text, Contains("# TYPE process_monitor_host_memory_used_ratio gauge\n"
                            "process_monitor_host_memory_used_ratio 0.85\n"));
  CHECK_THAT(text, Contains("\nprocess_monitor_host_load1_per_cpu 0.25\n"));
  CHECK_THAT(text, Contains("\nprocess_monitor_host_cpu_busy_ratio 0.5\n"));
  CHECK_THAT(text, Contains("\nprocess_monitor_disk_used_ratio{path=\"/\"} 0.91\n"
                            "process_monitor_disk_used_ratio{path=\"/mnt/\\\"odd\\\"\"} 0.5\n"));
  CHECK_THAT(text, Contains("\nprocess_monitor_disk_inodes_used_ratio{path=\"/\"} 0.03\n"));
  CHECK_THAT(text, !Contains("/data"));  // not measured: no sample
  CHECK_THAT(text, Contains("\nprocess_monitor_last_run_exit_code 2\n"));

  CycleResult without;
  CHECK_THAT(render_prometheus_metrics(without, {}, kFinished), !Contains("_ratio"));
}

TEST_CASE("nagios: resource problems in the status, every measured check in perfdata",
          "[report][resources][nagios]") {
  const std::string line = render_nagios_line(cycle_with_resources());
  CHECK_THAT(line, Contains("PROCESS-MONITOR CRITICAL - resources: memory 85% warn, disk / 91% critical, "
                            "disk /data unknown: statvfs /data: No such file or directory; 1 service OK | "));
  CHECK_THAT(line,
             Contains(" 'memory'=85%;80;90;0;100 'load1_per_cpu'=0.25;1.50;3.00;0 'disk /'=91%;80;90;0;100 "
                      "'inodes /'=3%;80;90;0;100 'services'=1;;;0"));

  CycleResult warn_only;
  warn_only.resources = {measured(ResourceKind::Memory, "", 0.85, Threshold{0.8, 0.9})};
  CHECK_THAT(render_nagios_line(warn_only),
             Contains("PROCESS-MONITOR WARNING - resources: memory 85% warn | "));
  CycleResult fine;
  fine.resources = {measured(ResourceKind::Memory, "", 0.5, Threshold{0.8, 0.9})};
  CHECK_THAT(render_nagios_line(fine), Contains("PROCESS-MONITOR OK - 1 resource check OK | "));
}
