#include "backend/unit_status.hpp"

namespace pm {

std::string_view to_string(UnitState state) {
  switch (state) {
    case UnitState::Running: return "running";
    case UnitState::Starting: return "starting";
    case UnitState::Stopping: return "stopping";
    case UnitState::Stopped: return "stopped";
    case UnitState::Failed: return "failed";
    case UnitState::Missing: return "missing";
  }
  return "unknown";
}

UnitStatus missing_unit(std::string why) {
  UnitStatus status;
  status.state = UnitState::Missing;
  status.engine_state = std::move(why);
  return status;
}

}  // namespace pm
