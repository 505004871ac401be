// The --json report and status --json, rendered by the library from varied
// results, validated against schema/report-v1.schema.json and
// schema/status-v1.schema.json by tests/schema/validate.py. The negative
// cases prove the validator sees a removed or renamed field.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "fake_clock.hpp"
#include "report/json_report.hpp"
#include "report/status_report.hpp"
#include "report_samples.hpp"
#include "schema_check.hpp"

using namespace pm;
using namespace pm::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const std::string kRepoRoot = PM_TEST_DATA_DIR "/../..";

SchemaCheck check_report(const std::string& document) {
  return check_against_schema(kRepoRoot, "report-v1.schema.json", document);
}

SchemaCheck check_status(const std::string& document) {
  return check_against_schema(kRepoRoot, "status-v1.schema.json", document);
}

CycleResult cycle_of(std::vector<ServiceResult> services) {
  CycleResult cycle;
  cycle.services = std::move(services);
  cycle.elapsed = Duration{1734};
  return cycle;
}

using pm::test::kNoon;  // 2024-05-01 12:00:00 UTC

std::vector<StatusEntry> status_sample() {
  ServiceHistory restarted;
  restarted.consecutive_failures = 0;
  restarted.restart_times = {kNoon - 10min};
  restarted.last_restart = kNoon - 10min;
  restarted.next_restart_at = kNoon + 5min;
  restarted.last_state = ServiceState::Restarting;
  restarted.last_seen = kNoon - 1min;
  ServiceHistory gave_up = restarted;
  gave_up.gave_up = true;
  gave_up.gave_up_at = kNoon - 2min;
  gave_up.paused = true;
  gave_up.last_state = ServiceState::GaveUp;
  return {StatusEntry{"api", true, "pm2", RestartPolicy{}, restarted},
          StatusEntry{"web", true, "none", RestartPolicy{}, std::nullopt},
          StatusEntry{"sar-worker", false, "", std::nullopt, gave_up}};
}

}  // namespace

TEST_CASE("JSON reports of every kind of outcome are valid against the report schema", "[report][schema]") {
  auto mixed = cycle_of({healthy_result("api"), restarted_result("worker"), restart_failed_result("queue"),
                         unreachable_result("cron"), refused_probe_result("site")});
  mixed.deadline_reached = true;
  // Limits: memory over for its runs (restart), CPU not measured yet.
  ServiceResult limited = restarted_result("leaky");
  limited.sighting.status->usage = ResourceUse{700u << 20, std::nullopt, 12'000'000'000ULL};
  LimitReading memory{
      LimitResource::Memory, 700.0 * (1 << 20), 512.0 * (1 << 20), 3, 3, LimitAction::Restart, "", false};
  LimitReading cpu{LimitResource::Cpu, std::nullopt, 0.9, 0, 3, LimitAction::Warn, "first CPU sample", false};
  limited.limits = {memory, cpu};
  const std::pair<const char*, std::string> documents[] = {
      {"limits", render_json_report(cycle_of({limited, healthy_result("api")}), false)},
      {"mixed", render_json_report(mixed, false)},
      {"dry run", render_json_report(cycle_of({dry_run_result("api"), healthy_result("web")}), true)},
      {"all healthy", render_json_report(cycle_of({healthy_result("api")}), false)},
      {"no service", render_json_report(cycle_of({}), false)},
  };
  for (const auto& [name, document] : documents) {
    INFO(name << ":\n" << document);
    auto check = check_report(document);
    INFO(check.errors);
    CHECK(check.exit_code == 0);
  }
}

TEST_CASE("the report schema catches a removed, a renamed and a mistyped field", "[report][schema]") {
  auto report = nlohmann::ordered_json::parse(render_json_report(cycle_of({restarted_result("api")}), false));
  REQUIRE(check_report(report.dump()).exit_code == 0);

  auto removed = report;
  removed["services"][0]["probe"].erase("latency_ms");
  auto check = check_report(removed.dump());
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.errors, Contains("$.services[0].probe: 'latency_ms' is a required property"));

  auto renamed = report;
  renamed["exitCode"] = renamed["exit_code"];
  renamed.erase("exit_code");
  check = check_report(renamed.dump());
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.errors,
             Contains("'exit_code' is a required property") && Contains("'exitCode' was unexpected"));

  auto mistyped = report;
  mistyped["services"][0]["action"] = "reboot";
  check = check_report(mistyped.dump());
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.errors, Contains("$.services[0].action: 'reboot' is not one of"));
}

TEST_CASE("status --json and reset --json documents are valid against the status schema",
          "[status][schema]") {
  auto entries = status_sample();
  auto status = status_json(entries, "/etc/pm/config.toml", "/state/x.state.json", 0, kNoon);
  auto check = check_status(status.dump(2));
  INFO(status.dump(2) << "\n" << check.errors);
  CHECK(check.exit_code == 0);

  auto changed =
      status_json(entries, "/etc/pm/config.toml", "/state/x.state.json",
                  std::chrono::duration_cast<std::chrono::seconds>(kNoon.time_since_epoch()).count(), kNoon);
  changed["action"] = "reset";
  CHECK(check_status(changed.dump(2)).exit_code == 0);

  changed["services"][0].erase("restarts_in_window");
  check = check_status(changed.dump(2));
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.errors, Contains("$.services[0]: 'restarts_in_window' is a required property"));
}
