#pragma once
// Diagnostics go through spdlog to stderr ("process-monitor: warning: ...")
// and optionally to a log file with timestamps. Results never do: they go
// to stdout as the report.
#include <expected>
#include <optional>
#include <string>

namespace pm {

// `level` is one of trace/debug/info/warn/error/off, or empty for the
// default (info; warn when `quiet`). Unexpected: the log file cannot be opened.
std::expected<void, std::string> setup_logging(const std::string& level, bool quiet,
                                               const std::optional<std::string>& log_file);

}  // namespace pm
