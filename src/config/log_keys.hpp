#pragma once
// [[logs]] groups: which log files process-monitor rotates, and how.
//   [[logs]]
//   paths = ["/var/log/app/*.log"]     # absolute paths and globs
//   max_size = "100M"   max_age = "7d" # at least one
//   keep = 7   max_total = "1G"   compress = true   delay_compress = false
//   naming = "numbered"                # or "date"
//   method = "rename"                  # or "copytruncate"
//   reopen = { pm2 = "api" }           # reopen_keys.hpp; rename only
//   create_owner = "app"   create_group = "adm"   create_mode = "0640"   # rename only
//   missing_ok = false   not_if_empty = false   allow_unsafe_dir = false
#include <string_view>
#include <vector>

#include "config/field_reader.hpp"
#include "config/toml.hpp"
#include "rotate/log_group.hpp"

namespace pm {

// Its accepted keys, for unknown-key messages.
std::vector<std::string_view> log_key_names();

// Reads the value of the top-level 'logs' key (an array of tables); a path
// given in two groups is an error. Problems go to `reader`.
std::vector<LogGroupConfig> read_log_groups(FieldReader& reader, const toml::node& value);

}  // namespace pm
