#include "core/verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pm {

std::string_view to_string(Health health) {
  switch (health) {
    case Health::Healthy: return "healthy";
    case Health::StoppedOk: return "stopped";
    case Health::Starting: return "starting";
    case Health::Unhealthy: return "unhealthy";
    case Health::Down: return "down";
    case Health::Unknown: return "unknown";
  }
  return "unknown";
}

bool should_probe(const ServiceConfig& service, const Sighting& sighting) {
  if (!service.health || service.expect == Expect::Stopped) return false;
  if (service.backend == "none") return true;
  if (!sighting.status) return false;
  auto state = sighting.status->state;
  return state == UnitState::Running || state == UnitState::Starting;
}

Verdict judge(const ServiceConfig& service, const Sighting& sighting,
              const std::optional<ProbeResult>& probe) {
  auto from_probe = [&]() -> Verdict {
    if (!service.health) return {Health::Healthy, ""};
    if (!probe) return {Health::Unknown, "health check did not run"};
    if (probe->healthy) return {Health::Healthy, ""};
    return {Health::Unhealthy, probe->error};
  };
  if (service.expect == Expect::Stopped) {
    if (!sighting.status && service.backend != "none") return {Health::Unknown, sighting.error};
    return {Health::StoppedOk, "expected stopped"};
  }
  if (service.backend == "none") return from_probe();
  if (!sighting.status) return {Health::Unknown, sighting.error};

  const UnitStatus& status = *sighting.status;
  switch (status.state) {
    case UnitState::Running:
      // The engine's own health check counts before the configured probe.
      if (status.engine_health == "unhealthy") {
        std::string detail = status.engine_health_detail.empty() ? "" : ": " + status.engine_health_detail;
        return {Health::Unhealthy, fmt::format("{} health check says unhealthy{}", sighting.backend, detail)};
      }
      if (status.engine_health == "starting") {
        return {Health::Starting, fmt::format("{} health check is starting", sighting.backend)};
      }
      return from_probe();
    case UnitState::Starting:
    case UnitState::Stopping:
      if (status.state == UnitState::Starting && probe && probe->healthy) return {Health::Healthy, ""};
      return {Health::Starting, fmt::format("{} is {}", sighting.backend, status.engine_state)};
    case UnitState::Stopped:
      if (service.expect == Expect::Any) return {Health::StoppedOk, ""};
      return {Health::Down, fmt::format("{} says {}", sighting.backend, status.engine_state)};
    case UnitState::Failed:
      return {Health::Down, fmt::format("{} says {}", sighting.backend, status.engine_state)};
    case UnitState::Missing: return {Health::Down, status.engine_state};
  }
  return {Health::Unknown, "unexpected state"};
}

Verdict with_limits(Verdict verdict, const std::vector<LimitReading>& readings) {
  if (verdict.health != Health::Healthy) return verdict;
  std::vector<std::string> reasons;
  for (const auto& reading : readings) {
    if (reading.acts() && reading.action == LimitAction::Restart) reasons.push_back(describe(reading));
  }
  if (reasons.empty()) return verdict;
  return Verdict{Health::Unhealthy, fmt::format("{}", fmt::join(reasons, "; "))};
}

bool needs_restart(Health health) { return health == Health::Unhealthy || health == Health::Down; }

bool is_fine(Health health) { return health == Health::Healthy || health == Health::StoppedOk; }

}  // namespace pm
