#pragma once
// One host check's result, as the reports show it, and how it adds to the
// run's exit code. As check_http's -w/-c: a value at or above `warn` is a
// warning (exit 1), at or above `critical` critical (exit 2); a check that
// could not be measured (an unreadable /proc file, a path that statvfs
// refuses) is critical too, as an engine that cannot be asked is.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/resource_settings.hpp"

namespace pm {

enum class ResourceLevel { Ok, Warn, Critical, Unknown };

std::string_view to_string(ResourceLevel level);  // "ok", "warn", "critical", "unknown"

// report/prometheus_metrics.cpp indexes its families by this order.
enum class ResourceKind { Memory, Load, Cpu, Disk, Inodes };

std::string_view to_string(ResourceKind kind);  // "memory", "load", "cpu", "disk", "inodes"

struct ResourceCheck {
  ResourceKind kind = ResourceKind::Memory;
  std::string path;             // Disk and Inodes: the configured path; else empty
  std::optional<double> value;  // a ratio in [0, 1]; Load: load per CPU; unset: not measured
  Threshold threshold;
  ResourceLevel level = ResourceLevel::Ok;
  std::string error;  // why `value` is unset

  // Load's value is a number, the others' a percentage.
  bool is_percent() const { return kind != ResourceKind::Load; }
};

// The level `value` reaches under `threshold`.
ResourceLevel judge(double value, const Threshold& threshold);

// A measured check, judged; or one that failed with `error` (Unknown).
ResourceCheck measured(ResourceKind kind, std::string path, double value, const Threshold& threshold);
ResourceCheck unmeasured(ResourceKind kind, std::string path, std::string error, const Threshold& threshold);

// Ok 0, Warn 1, Critical and Unknown 2.
int resource_exit_code(ResourceLevel level);
// The worst of `checks`, 0 for none.
int resources_exit_code(const std::vector<ResourceCheck>& checks);

// "memory", "disk /var", "inodes /var": the check's name in reports.
std::string check_name(const ResourceCheck& check);
// A value or a threshold as written in reports: "87%" (percent checks,
// rounded down to a whole percent, as "90%" in the config reads) or "1.25".
std::string format_level_value(const ResourceCheck& check, double value);

}  // namespace pm
