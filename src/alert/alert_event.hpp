#pragma once
// One change of a service's state worth telling someone about. The caller
// builds these from the policy's events (PolicyEvent, whose to_string() names
// are the kinds below) and from the restarts it made; the alert code only
// delivers them (alert_sender.hpp). A run that changes nothing has no events,
// so nothing is sent: alerts are about state changes, never about states.
#include <array>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policy/wall_time.hpp"

namespace pm {

// The kinds an event can have; channels subscribe to them by these names.
inline constexpr std::string_view kAlertBecameUnhealthy = "became-unhealthy";
inline constexpr std::string_view kAlertRestarted = "restarted";
inline constexpr std::string_view kAlertRecovered = "recovered";
inline constexpr std::string_view kAlertGaveUp = "gave-up";
inline constexpr std::string_view kAlertResumed = "resumed";
inline constexpr std::array<std::string_view, 5> kAlertKinds{kAlertBecameUnhealthy, kAlertRestarted,
                                                             kAlertRecovered, kAlertGaveUp, kAlertResumed};

struct AlertEvent {
  std::string kind;     // one of kAlertKinds
  std::string service;  // the [[service]] name
  std::string backend;  // "pm2", "docker", "systemd", "none"
  std::string reason;   // why, for people: "5 restarts in 1h", "status 503 not in 200-399"
  std::string host;     // where the monitor runs: local_host_name()
  WallTime time;        // when it happened
};

// This machine's name (gethostname), or "unknown-host" when it has none.
std::string local_host_name();

// The event as JSON, schema version 1. Fields are only ever added within a
// version; a rename or removal bumps schema_version.
//   {"schema_version": 1, "event": "gave-up", "service": "api", "backend": "pm2",
//    "reason": "5 restarts in 1h", "host": "web-1", "time": "2024-05-01T12:01:30Z"}
// `time` is RFC 3339 in UTC, whole seconds.
nlohmann::json to_json(const AlertEvent& event);

// One line for chat: "process-monitor on web-1: api gave up: 5 restarts in 1h".
// Without a reason the line ends after the verb; line breaks in the reason
// become spaces, so the line stays one line.
std::string summary_line(const AlertEvent& event);

// RFC 3339 in UTC, whole seconds: "2024-05-01T12:01:30Z".
std::string format_rfc3339_utc(WallTime time);

}  // namespace pm
