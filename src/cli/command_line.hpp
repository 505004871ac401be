#pragma once
// The CLI11 definition of process-monitor's command line.
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/options.hpp"

namespace pm {

// Builds the parser; parsing it fills `options`. Usage errors (unknown flag,
// bad duration, --once with --interval) surface as CLI::ParseError.
std::unique_ptr<CLI::App> make_command_line(Options& options);

// "process-monitor 0.1.0" plus compiled-in backends and library versions.
std::string version_text();

}  // namespace pm
