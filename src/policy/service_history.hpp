#pragma once
// What the restart policy remembers about one service between runs: plain
// data that the state file stores and loads back unchanged. Only
// restart_policy.hpp's functions change it (and core/policy_gate.cpp its
// `limits`, with resources/service_limits.hpp's check_limits); a default-constructed history is
// a service never seen before.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "policy/wall_time.hpp"
#include "resources/service_limits.hpp"
#include "util/duration.hpp"

namespace pm {

// The service's state as last reported, so that alerts fire on changes only.
// A pause is not a state: the state an incident had when the service was
// paused is kept, so that it still ends with its Recovered event.
enum class ServiceState {
  Unknown,     // never judged yet
  Healthy,     // fine
  Unhealthy,   // failing, confirmed, and not restarted right now (grace, backoff)
  Restarting,  // a restart was decided in the last run
  GaveUp,      // failing with the restart budget used up
};

std::string_view to_string(ServiceState state);  // "unknown", "healthy", ..., "gave-up"
std::optional<ServiceState> service_state_from_string(std::string_view text);

struct ServiceHistory {
  int consecutive_failures = 0;         // failed runs in a row (not counted: grace, starting, paused)
  std::vector<WallTime> restart_times;  // oldest first; only those within the budget window
  std::optional<WallTime> last_restart;
  // Every restart decided since the state file began (`reset` keeps it): the
  // metrics' process_monitor_service_restarts_total counter.
  std::uint64_t restarts_total = 0;
  Duration backoff{0};                      // the current wait before jitter; 0 = no restart to back off from
  std::optional<WallTime> next_restart_at;  // no restart before (jitter included)
  std::optional<WallTime> healthy_since;    // fine in every run since
  bool gave_up = false;
  std::optional<WallTime> gave_up_at;
  bool paused = false;                   // `process-monitor pause`
  std::optional<WallTime> paused_until;  // absent while paused: until `process-monitor resume`
  ServiceState last_state = ServiceState::Unknown;
  std::optional<WallTime> last_seen;  // the latest `now` the policy was given: tells a clock step backwards
  LimitMemory limits;                 // runs over the resource limits; the last CPU sample

  bool operator==(const ServiceHistory&) const = default;
};

}  // namespace pm
