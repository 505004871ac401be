// status, reset, pause and resume without a process: the rows status shows
// for a config and the histories of a state file, their table and JSON at a
// fixed time, and the names reset/pause/resume accept.
#include "cli/state_commands.hpp"

#include <catch2/catch.hpp>

#include "config/load_config.hpp"
#include "fake_clock.hpp"
#include "policy/restart_policy.hpp"

using namespace pm;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

using pm::test::kNoon;  // 2024-05-01 12:00:00 UTC

Config config_of(const std::string& text) {
  auto config = parse_config(text, "/etc/pm/config.toml");
  REQUIRE(config);
  return *config;
}

// api (pm2, budget 3 per 1h, grace 30s), web (none), and a Compose project.
Config sample_config() {
  return config_of(R"([[service]]
name = "api"
backend = "pm2"
restart_budget = "3 per 1h"

[[service]]
name = "web"
backend = "none"
[service.health]
url = "http://127.0.0.1:1/health"

[[service]]
name = "sar"
backend = "docker"
compose_project = "sar"
restart_budget = "2 per 10m"
)");
}

std::vector<std::string> names_of(const std::vector<StatusEntry>& entries) {
  std::vector<std::string> names;
  for (const auto& entry : entries) names.push_back(entry.name);
  return names;
}

// A line of the table: the one that starts with `name` and two spaces.
std::string row_of(const std::string& table, const std::string& name) {
  for (std::size_t at = 0; at < table.size();) {
    std::size_t end = table.find('\n', at);
    std::string line = table.substr(at, end - at);
    if (line.rfind(name + " ", 0) == 0) return line;
    at = end + 1;
  }
  FAIL("no row for " << name << " in\n" << table);
  return "";
}

}  // namespace

TEST_CASE("status rows: configured services in config order, then the state's other names", "[status]") {
  std::map<std::string, ServiceHistory> histories{{"worker", {}}, {"api", {}}, {"old-service", {}}};
  auto entries = status_entries(sample_config(), histories);
  // The Compose project itself is judged only through its members.
  CHECK(names_of(entries) == std::vector<std::string>{"api", "web", "old-service", "worker"});
  CHECK(entries[0].configured);
  CHECK(entries[0].backend == "pm2");
  CHECK(entries[0].history.has_value());
  CHECK_FALSE(entries[1].history.has_value());  // never judged
  CHECK_FALSE(entries[3].configured);
  // The only group's policy is the one its members get.
  REQUIRE(entries[3].policy.has_value());
  CHECK(entries[3].policy->budget.count == 2);

  histories["sar"] = {};  // a project that matched nothing is judged under its own name
  CHECK(names_of(status_entries(sample_config(), histories)) ==
        std::vector<std::string>{"api", "web", "sar", "old-service", "worker"});
}

TEST_CASE("status rows: groups with different policies leave a member's budget unknown", "[status]") {
  auto config = config_of(R"([[service]]
name = "sar"
backend = "docker"
compose_project = "sar"

[[service]]
name = "labelled"
backend = "docker"
label = "com.example.monitor=true"
restart_budget = "1 per 1h"
)");
  auto entries = status_entries(config, {{"worker", {}}});
  REQUIRE(entries.size() == 1);
  CHECK_FALSE(entries[0].policy.has_value());
  auto json = status_json(entries, config.path, "/state/x.state.json", 0, kNoon);
  CHECK(json["services"][0]["budget"].is_null());
  CHECK_THAT(render_status_table(entries, kNoon), Contains("not a [[service]] name"));
}

TEST_CASE("status table: restarts in the window, last restart, backoff, grace", "[status]") {
  ServiceHistory history;
  history.last_state = ServiceState::Unhealthy;
  history.consecutive_failures = 2;
  history.restart_times = {kNoon - 2h, kNoon - 50min, kNoon - 10s};  // the first left the 1h window
  history.last_restart = kNoon - 10s;
  history.next_restart_at = kNoon + 5min;
  history.last_seen = kNoon - 5s;
  auto entries = status_entries(sample_config(), {{"api", history}});

  std::string table = render_status_table(entries, kNoon);
  CHECK(table.rfind("SERVICE  STATE      FAILURES  RESTARTS", 0) == 0);
  std::string api = row_of(table, "api");
  CHECK_THAT(api, Contains("unhealthy") && Contains("  2  ") && Contains("2 of 3 per 1h") &&
                      Contains("11:59:50 UTC") && Contains("backing off: no restart before 12:05:00 UTC") &&
                      Contains("in grace until 12:00:20 UTC"));
  CHECK_THAT(row_of(table, "web"), Contains("unknown") && Contains("not judged by a run yet"));

  auto json = status_json(entries, "/etc/pm/config.toml", "/state/x.state.json", 0, kNoon);
  CHECK(json["schema_version"] == 1);
  CHECK(json["state_file"] == "/state/x.state.json");
  CHECK(json["now"] == "2024-05-01T12:00:00Z");
  CHECK(json["written_at"].is_null());
  const auto& row = json["services"][0];
  CHECK(row["name"] == "api");
  CHECK(row["configured"] == true);
  CHECK(row["state"] == "unhealthy");
  CHECK(row["consecutive_failures"] == 2);
  CHECK(row["restarts_in_window"] == 2);
  CHECK(row["budget"] == "3 per 1h");
  CHECK(row["last_restart"] == "2024-05-01T11:59:50Z");
  CHECK(row["next_restart_at"] == "2024-05-01T12:05:00Z");
  CHECK(row["grace_until"] == "2024-05-01T12:00:20Z");
  CHECK(row["last_seen"] == "2024-05-01T11:59:55Z");
  CHECK(row["paused"] == false);
  CHECK(row["gave_up"] == false);
  CHECK(json["services"][1]["last_restart"].is_null());
}

TEST_CASE("status: pauses, with and without an end, and one that has ended", "[status]") {
  auto until = pause_history({}, kNoon + 30min);
  auto open_ended = pause_history({}, std::nullopt);
  std::map<std::string, ServiceHistory> histories{{"api", until}, {"web", open_ended}};
  std::string table = render_status_table(status_entries(sample_config(), histories), kNoon);
  CHECK_THAT(row_of(table, "api"), Contains("paused until 12:30:00 UTC"));
  CHECK_THAT(row_of(table, "web"), Contains("paused until 'process-monitor resume web'"));

  // The next run lifts a pause whose end has passed: status does not show it.
  auto later = status_json(status_entries(sample_config(), histories), "c", "s", 0, kNoon + 1h);
  CHECK(later["services"][0]["paused"] == false);
  CHECK(later["services"][0]["paused_until"].is_null());
  CHECK(later["services"][1]["paused"] == true);
  CHECK(later["services"][1]["paused_until"].is_null());
}

TEST_CASE("status: a service that gave up, and after reset", "[status]") {
  ServiceHistory history;
  history.restart_times = {kNoon - 40min, kNoon - 20min, kNoon - 10min};
  history.last_restart = kNoon - 10min;
  history.gave_up = true;
  history.gave_up_at = kNoon - 5min;
  history.last_state = ServiceState::GaveUp;
  std::string table = render_status_table(status_entries(sample_config(), {{"api", history}}), kNoon);
  CHECK_THAT(row_of(table, "api"),
             Contains("gave-up") && Contains("3 of 3 per 1h") && Contains("gave up at 11:55:00 UTC") &&
                 Contains("restarts resume at 12:50:00 UTC") && Contains("'process-monitor reset api'"));
  auto json = status_json(status_entries(sample_config(), {{"api", history}}), "c", "s", 1714564800, kNoon);
  CHECK(json["written_at"] == "2024-05-01T12:00:00Z");
  CHECK(json["services"][0]["gave_up_at"] == "2024-05-01T11:55:00Z");
  CHECK(json["services"][0]["restarts_resume_at"] == "2024-05-01T12:50:00Z");

  auto reset =
      status_json(status_entries(sample_config(), {{"api", reset_history(history)}}), "c", "s", 0, kNoon);
  const auto& row = reset["services"][0];
  CHECK(row["gave_up"] == false);
  CHECK(row["restarts_in_window"] == 0);
  CHECK(row["last_restart"].is_null());
  CHECK(row["state"] == "unhealthy");
}

TEST_CASE("service names for reset, pause and resume: the config's and the state's", "[status]") {
  std::map<std::string, ServiceHistory> histories{{"worker", {}}};
  auto names = resolve_service_names({"worker", "api", "worker"}, sample_config(), histories);
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"worker", "api"});

  auto unknown = resolve_service_names({"api", "apu"}, sample_config(), histories);
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error(), Contains("no service apu in /etc/pm/config.toml or in its state") &&
                                  Contains("known: api, web, worker"));

  // A group's members are kept under their own names: its name alone changes nothing.
  auto group = resolve_service_names({"sar"}, sample_config(), histories);
  REQUIRE_FALSE(group);
  CHECK_THAT(group.error(), Contains("selects a group (compose:sar)") && Contains("known: api, web, worker"));
}
