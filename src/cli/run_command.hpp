#pragma once
// The commands behind the command line. Each returns the process exit code;
// user-facing errors are printed once, as "process-monitor: error: ...".
#include "cli/options.hpp"
#include "core/cycle_result.hpp"

namespace pm {

// One cycle (--once, the default) or a cycle every --interval until
// SIGTERM/SIGINT.
int run_monitor(const Options& options);

// Validates the config: 0 valid, 3 invalid.
int check_config(const Options& options);

// Prints the cycle's report to stdout as the options ask (text, --json,
// --format nagios); nothing with -q when all is fine.
void print_report(const CycleResult& cycle, const Options& options);

// Prints "process-monitor: error: MESSAGE" to stderr.
void print_error(const std::string& message);
// The first message print_error() printed in this process, or "" (for
// --format nagios, whose one line must say why a run ended early).
const std::string& first_error();

}  // namespace pm
