#include "core/cycle_result.hpp"

#include <algorithm>

namespace pm {

std::string_view to_string(Action action) {
  switch (action) {
    case Action::None: return "none";
    case Action::Restart: return "restart";
    case Action::WouldRestart: return "would-restart";
    case Action::Wait: return "wait";
  }
  return "none";
}

std::vector<const LimitReading*> limit_warnings(const ServiceResult& result) {
  std::vector<const LimitReading*> warnings;
  for (const auto& reading : result.limits) {
    if (reading.unsupported || (reading.acts() && reading.action == LimitAction::Warn)) {
      warnings.push_back(&reading);
    }
  }
  return warnings;
}

int service_exit_code(const ServiceResult& result) {
  switch (result.action) {
    case Action::None:
      if (!is_fine(result.verdict.health)) return 2;
      return limit_warnings(result).empty() ? 0 : 1;
    case Action::WouldRestart: return 2;
    case Action::Wait: return result.final_verdict && is_fine(result.final_verdict->health) ? 0 : 2;
    case Action::Restart:
      if (result.action_failed) return 2;
      return result.final_verdict && is_fine(result.final_verdict->health) ? 1 : 2;
  }
  return 2;
}

int CycleResult::exit_code() const {
  int worst = resources_exit_code(resources);
  for (const auto& service : services) worst = std::max(worst, service_exit_code(service));
  return worst;
}

}  // namespace pm
