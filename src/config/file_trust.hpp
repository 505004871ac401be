#pragma once
// What a monitor running as root accepts from the file system: a file that
// another user can change must not steer a root process. Like sudo (sudoers)
// and monit (its control file), the config file and every program a config
// argv names by absolute path (restart_command, [[alert]] exec, [[logs]]
// reopen commands) must be owned by root and not writable by group or others.
// Only the files themselves are checked, not the directories above them
// (sudo checks the file too); programs named without '/' come from PATH.
#include <sys/stat.h>
#include <sys/types.h>

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace pm {

// The owner trusted files must have for a process running as `euid`: 0 for
// root; nothing (no check) for any other user, who can only hurt itself.
std::optional<uid_t> required_owner_for(uid_t euid);

// Unexpected: why the file `path` with status `status` is not trusted, and
// the command that fixes it: "/etc/x.toml is writable by group 'adm' and by
// others: run chmod go-w /etc/x.toml".
std::expected<void, std::string> check_trusted(const struct stat& status, std::string_view path, uid_t owner);

// The same for the file at `path`, symbolic links followed (the file that
// would be run). A file that does not exist (yet) passes: it is checked again
// by every run that loads the config, and running it fails on its own.
std::expected<void, std::string> check_trusted_path(const std::string& path, uid_t owner);

}  // namespace pm
