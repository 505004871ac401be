#pragma once
// Where a cron-driven monitor keeps what it must remember between runs, and
// the name of the state file for one config file.
#include <expected>
#include <optional>
#include <string>

namespace pm {

// What decides the default state directory; read from the process by
// process_state_dir_environment(), built by hand in tests.
struct StateDirEnvironment {
  bool is_root = false;        // effective uid 0
  std::string xdg_state_home;  // $XDG_STATE_HOME; "" when unset
  std::string home;            // $HOME, else the passwd entry's home; "" when neither
};

StateDirEnvironment process_state_dir_environment();

// The state directory: `configured` when given, else /var/lib/process-monitor
// for root, else $XDG_STATE_HOME/process-monitor (when absolute), else
// ~/.local/state/process-monitor. Errors: a relative configured path, or no
// usable home directory.
std::expected<std::string, std::string> choose_state_dir(const std::optional<std::string>& configured,
                                                         const StateDirEnvironment& environment);

// `<state_dir>/<config stem>-<12 hex digits>.state.json`: the stem keeps only
// [A-Za-z0-9._-] (others become '_'), the digits hash the config's absolute,
// normalized path (symlinks not resolved), so two config files never share a
// state file and the same file always finds its own.
std::string state_file_path(const std::string& state_dir, const std::string& config_path);

// Creates `state_dir` and its missing parents (each 0700), and checks that the
// directory can be written. The error names the directory, the cause and,
// where one exists, the fix.
std::expected<void, std::string> ensure_state_dir(const std::string& state_dir);

}  // namespace pm
