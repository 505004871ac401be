#pragma once
// What rotation remembers between runs: since when each live file has been
// collecting lines, for max_age. A plain value: the CLI keeps it in the
// state file (rotation_state_to_json / _from_json) and hands it in and out
// of rotate_groups().
#include <expected>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "policy/wall_time.hpp"

namespace pm {

struct RotationState {
  // Live file path -> its last rotation by process-monitor, or when
  // rotation first saw it (then its birth time when the filesystem records
  // one). Entries of files no longer configured are dropped by rotate_groups.
  std::map<std::string, WallTime> live_since;
};

// {"/var/log/app.log": 1764150000000, ...}: unix milliseconds.
nlohmann::json rotation_state_to_json(const RotationState& state);
// Unexpected: not an object, or a value that is not a time; names the entry.
std::expected<RotationState, std::string> rotation_state_from_json(const nlohmann::json& json);

}  // namespace pm
