#include "policy/service_history.hpp"

#include <array>
#include <utility>

namespace pm {
namespace {

constexpr std::array<std::pair<ServiceState, std::string_view>, 5> kStateNames{{
    {ServiceState::Unknown, "unknown"},
    {ServiceState::Healthy, "healthy"},
    {ServiceState::Unhealthy, "unhealthy"},
    {ServiceState::Restarting, "restarting"},
    {ServiceState::GaveUp, "gave-up"},
}};

}  // namespace

std::string_view to_string(ServiceState state) {
  for (const auto& [candidate, name] : kStateNames) {
    if (candidate == state) return name;
  }
  return "unknown";
}

std::optional<ServiceState> service_state_from_string(std::string_view text) {
  for (const auto& [state, name] : kStateNames) {
    if (name == text) return state;
  }
  return std::nullopt;
}

}  // namespace pm
