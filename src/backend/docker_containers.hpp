#pragma once
// Parsing of Docker Engine API answers about containers (API 1.24 to 1.41):
// the list (GET /containers/json?all=1) and inspect (GET
// /containers/{id}/json). Only the fields process-monitor needs are kept;
// Config.Env (which may hold secrets) is never stored.
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "backend/unit_status.hpp"

namespace pm {

// One entry of the container list.
struct ContainerSummary {
  std::string id;                             // full id
  std::string name;                           // first name, without the leading '/'
  std::string state;                          // created, restarting, running, removing, paused, exited, dead
  std::string status_text;                    // "Up 2 seconds (unhealthy)", "Exited (3) 2 seconds ago"
  std::map<std::string, std::string> labels;  // may be empty
};

// The value of the label `key` of `container`, "" when it has none.
std::string container_label(const ContainerSummary& container, std::string_view key);

// Unexpected: not a JSON array, or an entry without Id, Names or State;
// the message says which entry and what is missing.
std::expected<std::vector<ContainerSummary>, std::string> parse_container_list(std::string_view body);

// The Docker healthcheck state as the list's Status text shows it:
// "healthy", "unhealthy", "starting" ("(health: starting)"), or "" when the
// container has no healthcheck (or is not running).
std::string health_from_status_text(std::string_view status_text);

// What inspect adds.
struct ContainerDetail {
  std::string id;
  std::string name;    // without the leading '/'
  std::string status;  // State.Status
  int pid = 0;         // State.Pid, 0 when not running
  int exit_code = 0;   // State.ExitCode
  bool oom_killed = false;
  std::string error;               // State.Error
  std::string health;              // State.Health.Status, "" without a healthcheck
  int failing_streak = 0;          // State.Health.FailingStreak
  std::string last_health_output;  // Output of the newest State.Health.Log entry, trimmed, <= 200 chars
  int last_health_exit_code = 0;
  long restart_count = 0;  // RestartCount
  std::string started_at;  // State.StartedAt
};

// Unexpected: not a JSON object, or without Id / State.Status.
std::expected<ContainerDetail, std::string> parse_container_inspect(std::string_view body);

// Docker's State word -> neutral state:
//   running -> Running, restarting -> Starting (the engine is restarting
//   it: never restarted on top), removing -> Stopping, paused, exited and
//   created -> Stopped, dead (and anything unknown) -> Failed.
UnitState docker_state_to_unit_state(std::string_view state);

}  // namespace pm
