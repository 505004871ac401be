#pragma once
// Parsing of one container's stats (GET /containers/{id}/stats?stream=false
// &one-shot=true, API 1.41+; older engines ignore one-shot and sample for a
// second). Memory is counted as `docker stats` shows it: the cgroup's usage
// less its inactive page cache, which the kernel reclaims before it kills.
#include <expected>
#include <string>
#include <string_view>

#include "backend/unit_status.hpp"

namespace pm {

// memory_bytes: memory_stats.usage minus stats.inactive_file (cgroup v2) or
// stats.total_inactive_file (cgroup v1), unset when memory_stats is empty
// (the engine has no memory cgroup for it). cpu_time_ns:
// cpu_stats.cpu_usage.total_usage, unset when absent. Unexpected: not a JSON
// object, or a field of the wrong type; the message names it.
std::expected<ResourceUse, std::string> parse_container_stats(std::string_view body);

}  // namespace pm
