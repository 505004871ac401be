#pragma once
// One live file of a group: the safety checks, the trigger, then the
// group's method. Compression and retention come later (upkeep.hpp), after
// the group's reopen action.
#include <string>

#include "rotate/log_group.hpp"
#include "rotate/rotate_groups.hpp"
#include "rotate/rotation_result.hpp"
#include "rotate/rotation_state.hpp"

namespace pm {

// Rotates `path` if it is due, recording in `out` what happened (or in a
// dry run, what would) and in `state` when it rotated. `out.live` is set
// by the caller. Returns true when the file was renamed (or would be): the
// group's reopen action must run.
bool rotate_live_file(const LogGroupConfig& group, const std::string& path, const RotationContext& context,
                      RotationState& state, FileRotation& out);

// "/var/log/app.log" -> {"/var/log", "app.log"}; "/app.log" -> {"/", "app.log"}.
std::pair<std::string, std::string> split_path(const std::string& path);

}  // namespace pm
