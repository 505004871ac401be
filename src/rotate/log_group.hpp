#pragma once
// One [[logs]] group of the config: which files, when they rotate, how,
// how many rotated files stay, and how the writer is told to reopen.
// Everything here was validated by the config loader (config/log_keys.hpp);
// rotation code does not re-check it.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "util/duration.hpp"

namespace pm {

// How the live file is turned into a rotated one.
enum class RotateMethod {
  // Rename the live file, create an empty one, tell the writer to reopen.
  // Loses nothing: the writer keeps writing into the renamed file until it
  // reopens (the rotated file is compressed or removed only once no process
  // holds it open).
  Rename,
  // Copy the live file, then remove the copied part from it, for writers
  // that cannot reopen. Lossless for O_APPEND writers on filesystems with
  // FALLOC_FL_COLLAPSE_RANGE (ext4, xfs); elsewhere lines written between
  // the copy and the truncate are lost, and the result says so.
  CopyTruncate,
};

// The names of rotated files.
enum class RotatedNaming {
  Numbered,  // app.log.1 (newest), app.log.2.gz, ...
  Dated,     // app.log-20261126, app.log-20261126-143000 on a same-day collision
};

// How the writer of a renamed file is told to reopen its log.
struct ReopenPm2 {
  std::string app;  // for reports: `pm2 reloadLogs` reopens the logs of every app of that daemon
};
struct ReopenPidfile {
  std::string pidfile;  // absolute path of a file holding the writer's pid
  int signal = 0;
};
struct ReopenSystemd {
  std::string target;  // "unit.service", or "user/unit.service" for the user manager (systemd_units.hpp)
  int signal = 0;      // sent to the unit's main process (KillUnit "main")
};
struct ReopenDocker {
  std::string container;  // name or id
  int signal = 0;
};
struct ReopenExec {
  std::vector<std::string> argv;  // run without a shell; exit status 0 is success
};

struct ReopenAction {
  std::variant<ReopenPm2, ReopenPidfile, ReopenSystemd, ReopenDocker, ReopenExec> how;
  Duration timeout{10000};  // for the whole action
};

// "pm2 reloadLogs (app api)", "SIGHUP to the pid in /run/nginx.pid",
// "SIGUSR1 to nginx.service", "SIGHUP to container web", "/usr/bin/x y".
std::string describe(const ReopenAction& action);

// Signals that ask a writer to reopen its log: HUP, USR1, USR2 and WINCH,
// with or without the SIG prefix. Others (TERM, KILL, ...) would stop it.
std::optional<int> reopen_signal_number(std::string_view name);
std::string signal_name(int signal);  // "SIGHUP"

// Owner and mode of the new live file the rename method creates; unset
// parts are copied from the file it replaces.
struct CreateSpec {
  std::optional<std::string> owner;  // user name or numeric uid
  std::optional<std::string> group;  // group name or numeric gid
  std::optional<unsigned> mode;      // permission bits, e.g. 0640
};

struct LogGroupConfig {
  // Absolute paths and glob(3) patterns. Only regular files they match are
  // touched; a match that is a symbolic link is refused.
  std::vector<std::string> paths;
  // Triggers: the live file rotates when it reaches max_size, or when its
  // last rotation (rotation_state.hpp) is max_age ago. At least one is set.
  std::optional<std::uint64_t> max_size;
  std::optional<Duration> max_age;
  int keep = 7;                            // rotated files kept per live file
  std::optional<std::uint64_t> max_total;  // bytes of rotated files kept per live file
  bool compress = false;                   // gzip rotated files
  bool delay_compress = false;             // the newest rotated file stays uncompressed
  RotatedNaming naming = RotatedNaming::Numbered;
  bool missing_ok = false;    // a path or glob matching nothing is not an error
  bool not_if_empty = false;  // an empty live file is not rotated
  RotateMethod method = RotateMethod::Rename;
  CreateSpec create;                   // Rename only
  std::optional<ReopenAction> reopen;  // Rename only; run once per group after its files are renamed
  // Rotate even in a directory others can write to (dir_safety.hpp).
  bool allow_unsafe_dir = false;
  std::string where;  // "config.toml:40:1", the [[logs]] header, for messages
};

// A group for the monitor's own log file (--log-file): numbered, rotated
// at `max_size`, `keep` rotated files, compressed with delay_compress, by
// rename with no reopen action. The caller rotates it before the log sink
// opens the file (or re-opens its sink afterwards); a concurrent monitor
// run still writing into the renamed file loses nothing, as the file is
// compressed only once nobody holds it open.
LogGroupConfig monitor_log_group(const std::string& log_file, std::uint64_t max_size, int keep);

}  // namespace pm
