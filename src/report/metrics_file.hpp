#pragma once
// Writing the --metrics-file: the run's Prometheus metrics
// (prometheus_metrics.hpp) replace the file atomically, so node_exporter's
// textfile collector, which may read it at any moment, sees the previous run
// or this one, never a half-written file.
#include <expected>
#include <map>
#include <string>
#include <string_view>

#include "core/cycle_result.hpp"
#include "policy/service_history.hpp"

namespace pm {

// Replaces `path` with `text`: a temporary file in the same directory (its
// name does not end in .prom, so the collector never reads it), fsynced, then
// renamed over `path`; mode 0644, so a node_exporter running as another user
// can read it. Unexpected: "cannot write the metrics file PATH: why".
std::expected<void, std::string> write_metrics_file(const std::string& path, std::string_view text);

// After a run: renders its metrics and writes them to `path`. A failure is
// logged as an error and returned as false; it never changes the run's
// result or exit code (the metrics file simply keeps the previous run).
bool publish_metrics_file(const std::string& path, const CycleResult& cycle,
                          const std::map<std::string, ServiceHistory>& histories, WallTime finished_at);

}  // namespace pm
