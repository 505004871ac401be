#pragma once
// Finding and loading the config the command line points at, and picking
// the services --service names.
#include <expected>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "config/config.hpp"

namespace pm {

// -c, then $PROCESS_MONITOR_CONFIG, then /etc/process-monitor/config.toml.
std::expected<Config, std::string> load_config_for(const Options& options);

// What every command that reads the config does first: logging set up as
// the options say, then the config loaded. On failure the error is printed
// and nothing is returned (the command exits 3).
std::optional<Config> start_with_config(const Options& options);

// The state directory the command line asks for: --state-dir, else
// $PROCESS_MONITOR_STATE_DIR; nothing when neither is set (the config's
// [monitor] state_dir, then the default, apply).
std::optional<std::string> state_dir_override(const Options& options);

// The services --service names (all of them without --service). Unexpected:
// a name that is not configured; the message lists the configured ones.
// Each shares ownership of `config` (no copy of a service is made).
std::expected<std::vector<ServicePtr>, std::string> select_services(
    const std::shared_ptr<const Config>& config, const std::vector<std::string>& names);

}  // namespace pm
