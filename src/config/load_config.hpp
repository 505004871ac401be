#pragma once
// Reading and validating the TOML configuration. All validation lives here:
// unknown keys, wrong types, bad durations, malformed URLs and duplicate
// names are rejected with "file:line:col: message" and, where one helps, a
// hint ("did you mean 'health'?").
#include <sys/types.h>

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace pm {

inline constexpr std::string_view kSystemConfigPath = "/etc/process-monitor/config.toml";

// Parses and validates the TOML text `document`; `file_name` is used in
// messages only. The error is one complete message, ready to print. With
// `program_owner`, programs named by absolute path in argv keys must be
// trusted files of that owner (config/file_trust.hpp).
std::expected<Config, std::string> parse_config(std::string_view document, const std::string& file_name,
                                                std::optional<uid_t> program_owner = std::nullopt);

// Reads `path` and parses it. With `owner`, the file itself and the programs
// its argv keys name by path must be owned by `owner` and not writable by
// group or others; the error says how to fix it.
std::expected<Config, std::string> load_config(const std::string& path, std::optional<uid_t> owner);

// load_config(path, required_owner_for(geteuid())): checked when run as root.
std::expected<Config, std::string> load_config(const std::string& path);

// The config file to use: `cli_path` if given, else $PROCESS_MONITOR_CONFIG,
// else /etc/process-monitor/config.toml. Unexpected: no file exists; the
// message lists where it looked and how to create one.
std::expected<std::string, std::string> locate_config(const std::optional<std::string>& cli_path,
                                                      const char* env_value,
                                                      std::string_view system_path = kSystemConfigPath);

// Whether the config file at `path` certainly does not exist (a file that
// cannot be reached for another reason, e.g. permissions, is not absent).
bool config_file_absent(std::string_view path);

}  // namespace pm
