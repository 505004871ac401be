#pragma once
// The commands that work on the state file alone; no engine is asked.
//   status                 what the state says of each service. Reads the file
//                          without the run lock (saves replace it by rename, so
//                          a read sees one whole file) and writes nothing: it
//                          answers at once while a run is going on.
//   reset/pause/resume SERVICE...   change histories under the run lock
//                          (--wait-lock honoured), so they never race a cycle.
// The state dir is found as a run finds it: --state-dir, else
// $PROCESS_MONITOR_STATE_DIR, else [monitor] state_dir, else the default.
// Exit codes: 0 done; 3 usage, config or state error, or an unknown service
// name; 4 (reset/pause/resume) another run holds the lock, nothing changed.
//
// status --json (and reset/pause/resume --json, which add "action" and list
// the named services after the change), schema version 1:
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
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/options.hpp"
#include "config/config.hpp"
#include "policy/service_history.hpp"

namespace pm {

inline constexpr int kStatusSchemaVersion = 1;

// `process-monitor status`.
int show_status(const Options& options);
// `process-monitor reset|pause|resume SERVICE...` (options.command says which).
int change_state(const Options& options);

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

// The rows: configured services in config order (a group service, whose
// members are judged under their own names, only when the state holds its
// name), then the state's other names, sorted. Members of a Docker label or
// Compose group appear there, with the group's policy when the config's
// group services all share one (the state does not say which group a member
// came from, and status asks no engine).
std::vector<StatusEntry> status_entries(const Config& config,
                                        const std::map<std::string, ServiceHistory>& histories);

// SERVICE  STATE  FAILURES  RESTARTS  LAST RESTART  NOTES, columns sized to fit.
std::string render_status_table(const std::vector<StatusEntry>& entries, WallTime now);

// The --json document above ("written_at" is a unix-seconds stamp, 0 for none).
nlohmann::ordered_json status_json(const std::vector<StatusEntry>& entries, const std::string& config_file,
                                   const std::string& state_file, std::int64_t written_at, WallTime now);

// `requested`, without repeats, when each is a row of status_entries(). The
// error names the first unknown one and lists the known names.
std::expected<std::vector<std::string>, std::string> resolve_service_names(
    const std::vector<std::string>& requested, const Config& config,
    const std::map<std::string, ServiceHistory>& histories);

}  // namespace pm
