#include "rotate/rotation_state.hpp"

#include <fmt/format.h>

namespace pm {

nlohmann::json rotation_state_to_json(const RotationState& state) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [path, since] : state.live_since) {
    object[path] = std::chrono::duration_cast<std::chrono::milliseconds>(since.time_since_epoch()).count();
  }
  return object;
}

std::expected<RotationState, std::string> rotation_state_from_json(const nlohmann::json& json) {
  if (!json.is_object()) return std::unexpected("the rotation state is not an object");
  RotationState state;
  for (const auto& [path, value] : json.items()) {
    auto since = value.is_number_integer() ? wall_time_from_unix_ms(value.get<std::int64_t>()) : std::nullopt;
    if (!since) {
      return std::unexpected(fmt::format("the rotation state of {} is not a time in milliseconds", path));
    }
    state.live_since[path] = *since;
  }
  return state;
}

}  // namespace pm
