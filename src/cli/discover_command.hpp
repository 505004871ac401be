#pragma once
// `process-monitor discover`, and what a run does without a config file.
#include "cli/options.hpp"

namespace pm {

// Prints a commented config TOML for what the reachable engines run
// (discover/). Engine settings come from -c / $PROCESS_MONITOR_CONFIG when
// given (never from /etc/process-monitor/config.toml, which `discover >
// /etc/process-monitor/config.toml` has emptied by then), else from the
// environment. Exit 0 printed; 2 no engine answered (or not the --backend
// one), with the reasons; 3 a config given that cannot be read.
int discover_command(const Options& options);

// Whether there is no config file at all: no -c, no $PROCESS_MONITOR_CONFIG,
// and no /etc/process-monitor/config.toml.
bool no_config_file(const Options& options);

// One cycle over what discovery finds, read-only (as --dry-run: nothing is
// restarted, the state file is not touched), for a run without a config file;
// says so in its output. Exit codes as a dry run: 0 all fine, 2 something is
// down or unhealthy, or no engine answered.
int run_discovered(const Options& options);

}  // namespace pm
