#pragma once
// What the command line asked for, after CLI11 has parsed it.
#include <optional>
#include <string>
#include <vector>

#include "util/duration.hpp"

namespace pm {

enum class Command {
  Run,          // the default: check and restart (run_command.hpp)
  CheckConfig,  // check-config
  Status,       // status: the state file, read without the run lock (state_commands.hpp)
  Reset,        // reset SERVICE...
  Pause,        // pause SERVICE... [--for DURATION]
  Resume,       // resume SERVICE...
  Rotate,       // rotate [--force]: the [[logs]] groups only (rotate_command.hpp)
  Discover,     // discover [--backend NAME]: print a config for what the engines run (discover_command.hpp)
};

struct Options {
  Command command = Command::Run;
  std::optional<std::string> config_path;  // -c
  bool once = false;                       // --once (also the default)
  std::optional<Duration> interval;        // --interval
  bool dry_run = false;
  std::vector<std::string> services;        // --service filters
  bool json = false;                        // --json, --format json
  bool nagios = false;                      // --format nagios: one Nagios plugin status line
  std::optional<std::string> metrics_file;  // --metrics-file: Prometheus textfile, replaced after each cycle
  bool quiet = false;
  std::optional<std::string> log_file;
  std::string log_level;                        // empty: info, or warn with -q
  std::optional<Duration> deadline;             // --deadline overrides [monitor] deadline
  std::optional<std::string> state_dir;         // --state-dir (or $PROCESS_MONITOR_STATE_DIR)
  Duration wait_lock{0};                        // --wait-lock: wait for a run that holds the lock
  std::vector<std::string> state_services;      // the SERVICE arguments of reset, pause and resume
  std::optional<Duration> pause_for;            // pause --for; unset: until resume
  bool force = false;                           // rotate --force: every matched file, due or not
  std::optional<std::string> discover_backend;  // discover --backend: only this engine
};

// Exit codes, documented in README, --help and the man page.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRecovered = 1;
inline constexpr int kExitUnhealthy = 2;
inline constexpr int kExitUsage = 3;
inline constexpr int kExitLocked = 4;  // another run holds the lock; nothing was checked or restarted

}  // namespace pm
