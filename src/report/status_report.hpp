#pragma once
// What `process-monitor status` shows: the rows of the state, as a table or
// as JSON. Pure rendering: the rows come in, text comes out.
//
// status --json (and reset/pause/resume --json, which add "action" and list
// the named services after the change), schema version 1
// (schema/status-v1.schema.json):
// { "schema_version": 1, "config_file": "...", "state_file": "...",
//   "now": TIME, "written_at": TIME | null (the last save; null: none yet),
//   "services": [{
//     "name", "configured": bool (false: a member of a Docker label or Compose
//       group, which is kept under its own name, or a service no longer configured),
//     "backend": "pm2" | ... | null (not configured),
//     "state": "healthy|unhealthy|restarting|gave-up|unknown" (as the last run left it),
//     "last_seen": TIME | null (the last run that judged it),
//     "consecutive_failures": N,
//     "restarts_in_window": N, "budget": "5 per 1h" | "unlimited" | null (unknown),
//     "last_restart": TIME | null,
//     "next_restart_at": TIME | null (backing off: no restart before then),
//     "grace_until": TIME | null,
//     "paused": bool, "paused_until": TIME | null (null while paused: until resume),
//     "gave_up": bool, "gave_up_at": TIME | null, "restarts_resume_at": TIME | null
//   }]
// }
// TIME: UTC, ISO 8601, whole seconds ("2024-05-01T12:00:00Z"). Fields are only
// ever added within a schema version.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/policy_settings.hpp"
#include "policy/service_history.hpp"

namespace pm {

inline constexpr int kStatusSchemaVersion = 1;

// One row of the status: a configured service, or a name the state holds.
struct StatusEntry {
  std::string name;
  bool configured = false;  // a [[service]] has this name
  std::string backend;      // the config's; empty when not configured
  // The restart policy the run applies to it; unknown (nullopt) for a name
  // the config does not hold, unless every group service shares one policy.
  std::optional<RestartPolicy> policy;
  std::optional<ServiceHistory> history;  // nullopt: the state holds nothing of it
};

// SERVICE  STATE  FAILURES  RESTARTS  LAST RESTART  NOTES, columns sized to fit.
std::string render_status_table(const std::vector<StatusEntry>& entries, WallTime now);

// The --json document above ("written_at" is a unix-seconds stamp, 0 for none).
nlohmann::ordered_json status_json(const std::vector<StatusEntry>& entries, const std::string& config_file,
                                   const std::string& state_file, std::int64_t written_at, WallTime now);

}  // namespace pm
