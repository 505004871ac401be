#pragma once
// The commands that work on the state file alone; no engine is asked.
//   status                 what the state says of each service. Reads the file
//                          without the run lock (saves replace it by rename, so
//                          a read sees one whole file) and writes nothing: it
//                          answers at once while a run is going on.
//   reset/pause/resume SERVICE...   change histories under the run lock
//                          (--wait-lock honoured), so they never race a cycle;
//                          an --interval loop frees it between cycles.
// The state dir is found as a run finds it: --state-dir, else
// $PROCESS_MONITOR_STATE_DIR, else [monitor] state_dir, else the default.
// Exit codes: 0 done; 3 usage, config or state error, or an unknown service
// name; 4 (reset/pause/resume) another run holds the lock, nothing changed.
// The --json documents are described in report/status_report.hpp.
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "config/config.hpp"
#include "policy/service_history.hpp"
#include "report/status_report.hpp"

namespace pm {

// `process-monitor status`.
int show_status(const Options& options);
// `process-monitor reset|pause|resume SERVICE...` (options.command says which).
int change_state(const Options& options);

// The rows: configured services in config order (a group service, whose
// members are judged under their own names, only when the state holds its
// name), then the state's other names, sorted. Members of a Docker label or
// Compose group appear there, with the group's policy when the config's
// group services all share one (the state does not say which group a member
// came from, and status asks no engine).
std::vector<StatusEntry> status_entries(const Config& config,
                                        const std::map<std::string, ServiceHistory>& histories);

// `requested`, without repeats, when each is a row of status_entries(). The
// error names the first unknown one and lists the known names.
std::expected<std::vector<std::string>, std::string> resolve_service_names(
    const std::vector<std::string>& requested, const Config& config,
    const std::map<std::string, ServiceHistory>& histories);

}  // namespace pm
