#include "resources/resource_check.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace pm {

std::string_view to_string(ResourceLevel level) {
  switch (level) {
    case ResourceLevel::Ok: return "ok";
    case ResourceLevel::Warn: return "warn";
    case ResourceLevel::Critical: return "critical";
    case ResourceLevel::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::Memory: return "memory";
    case ResourceKind::Load: return "load";
    case ResourceKind::Cpu: return "cpu";
    case ResourceKind::Disk: return "disk";
    case ResourceKind::Inodes: return "inodes";
  }
  return "memory";
}

ResourceLevel judge(double value, const Threshold& threshold) {
  if (threshold.critical && value >= *threshold.critical) return ResourceLevel::Critical;
  if (threshold.warn && value >= *threshold.warn) return ResourceLevel::Warn;
  return ResourceLevel::Ok;
}

ResourceCheck measured(ResourceKind kind, std::string path, double value, const Threshold& threshold) {
  return ResourceCheck{kind, std::move(path), value, threshold, judge(value, threshold), {}};
}

ResourceCheck unmeasured(ResourceKind kind, std::string path, std::string error, const Threshold& threshold) {
  return ResourceCheck{kind,      std::move(path),        std::nullopt,
                       threshold, ResourceLevel::Unknown, std::move(error)};
}

int resource_exit_code(ResourceLevel level) {
  switch (level) {
    case ResourceLevel::Ok: return 0;
    case ResourceLevel::Warn: return 1;
    case ResourceLevel::Critical:
    case ResourceLevel::Unknown: return 2;
  }
  return 2;
}

int resources_exit_code(const std::vector<ResourceCheck>& checks) {
  int worst = 0;
  for (const auto& check : checks) worst = std::max(worst, resource_exit_code(check.level));
  return worst;
}

std::string check_name(const ResourceCheck& check) {
  if (check.path.empty()) return std::string(to_string(check.kind));
  return fmt::format("{} {}", to_string(check.kind), check.path);
}

std::string format_level_value(const ResourceCheck& check, double value) {
  if (check.is_percent()) return fmt::format("{}%", static_cast<int>(std::floor(value * 100 + 1e-9)));
  return fmt::format("{:.2f}", value);
}

}  // namespace pm
