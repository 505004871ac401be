#pragma once
// The reopen table of a [[logs]] group: how the writer of a renamed log is
// told to reopen it. Exactly one of
//   reopen = { pm2 = "api" }                           pm2 reloadLogs
//   reopen = { pidfile = "/run/nginx.pid", signal = "USR1" }
//   reopen = { systemd = "nginx", signal = "USR1" }    KillUnit, main process; scope = "user" for the user
//   manager reopen = { docker = "web", signal = "HUP" }        Engine API kill with a signal reopen = { exec
//   = ["/usr/local/bin/reopen-logs"] }
// plus timeout = "10s". signal defaults to "HUP" where it applies.
#include <string_view>
#include <vector>

#include "config/field_reader.hpp"
#include "config/toml.hpp"
#include "rotate/log_group.hpp"

namespace pm {

// Its accepted keys, for unknown-key messages.
std::vector<std::string_view> reopen_key_names();

// Reads the reopen table; problems go to `reader`.
ReopenAction read_reopen(FieldReader& reader, const toml::table& table);

}  // namespace pm
