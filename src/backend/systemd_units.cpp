#include "backend/systemd_units.hpp"

#include <limits>

#include <fmt/format.h>

namespace pm {

SystemdTarget parse_systemd_target(std::string_view target) {
  if (target.starts_with("user/")) return {SystemdScope::User, std::string(target.substr(5))};
  if (target.starts_with("system/")) return {SystemdScope::System, std::string(target.substr(7))};
  return {SystemdScope::System, std::string(target)};
}

std::string format_systemd_target(SystemdScope scope, std::string_view unit) {
  return scope == SystemdScope::User ? fmt::format("user/{}", unit) : std::string(unit);
}

UnitStatus systemd_unit_status(const SystemdUnitProperties& properties, SystemdScope scope) {
  UnitStatus status;
  if (properties.load_state == "not-found") {
    status.state = UnitState::Missing;
    status.engine_state = "not found";
    return status;
  }
  status.handles = {format_systemd_target(scope, properties.id)};
  status.processes_known = false;
  apply_processes(properties, status);
  // Masked and stopped: it must not run. Masked while still running (masked
  // after it started) is judged by what it does, below.
  if (properties.load_state == "masked" && properties.active_state != "active") {
    status.state = UnitState::Stopped;
    status.engine_state = "masked";
    status.pids.clear();  // only a running unit has pids (as below): a masked one may still be stopping
    return status;
  }
  const std::string& active = properties.active_state;
  if (active == "active" || active == "reloading") {
    status.state = UnitState::Running;
  } else if (active == "activating") {
    status.state = UnitState::Starting;
  } else if (active == "deactivating") {
    status.state = UnitState::Stopping;
  } else if (active == "inactive") {
    status.state = UnitState::Stopped;
  } else {
    status.state = UnitState::Failed;  // "failed", and anything a later systemd adds
  }
  // A failed unit is described by why it failed; the others by their sub-state.
  bool show_result = active == "failed" && !properties.result.empty() && properties.result != "success";
  status.engine_state =
      fmt::format("{} ({})", active, show_result ? properties.result : properties.sub_state);
  if (properties.load_state != "loaded") status.engine_state += fmt::format(", {}", properties.load_state);
  if (status.state != UnitState::Running) {
    status.pids.clear();
  } else {
    apply_usage(properties, status);
  }
  return status;
}

void apply_processes(const SystemdUnitProperties& properties, UnitStatus& status) {
  if (!properties.processes_read) return;
  status.processes_known = true;
  status.restart_count = std::max(properties.n_restarts, 0L);
  status.pids.clear();
  // MainPID is a D-Bus uint32: one above INT_MAX (no real pid) would wrap to a negative pid.
  if (properties.main_pid > 0 && properties.main_pid <= std::numeric_limits<int>::max())
    status.pids = {static_cast<int>(properties.main_pid)};
}

void apply_usage(const SystemdUnitProperties& properties, UnitStatus& status) {
  status.usage.memory_bytes = properties.memory_current;
  status.usage.cpu_time_ns = properties.cpu_usage_nsec;
}

}  // namespace pm
