#pragma once
// Log rotation from the command line: `process-monitor rotate` on its own,
// and the rotation every run does after its checks. Both hold the run lock
// (a StateSession) and keep rotation's memory in the state file.
#include <optional>
#include <string>

#include "cli/options.hpp"
#include "cli/state_session.hpp"
#include "config/config.hpp"
#include "rotate/rotation_result.hpp"
#include "util/deadline.hpp"
#include "util/exec.hpp"

namespace pm {

struct RotationRequest {
  bool dry_run = false;  // plan only: nothing touched, the state unchanged
  bool force = false;    // rotate every matched file, due or not
  // The monitor's own log (--log-file): rotated past [monitor] log_max_size,
  // keeping [monitor] log_keep, gzipped once no run writes to it.
  std::optional<std::string> log_file;
};

// Rotates the config's [[logs]] groups and the monitor's own log file, in
// that order, within `deadline`; the state's rotation memory is updated
// (the caller saves it).
RotationResult rotate_logs(const Config& config, const RotationRequest& request, StateSession& session,
                           CommandRunner& runner, Deadline deadline);

// Logs what rotation did: errors as errors, warnings as warnings, the rest
// at info (so a quiet cron run mails only trouble).
void log_rotation(const RotationResult& result);

// True when `result` renamed the file at `path` (the monitor's own log: its
// sink must reopen).
bool rotated_file(const RotationResult& result, const std::string& path);

// `process-monitor rotate [--force] [--dry-run]`. Exit codes: 0 done (or
// nothing due), 2 a group failed (its files intact), 3 usage or config, 4
// another run holds the lock.
int rotate_command(const Options& options);

}  // namespace pm
