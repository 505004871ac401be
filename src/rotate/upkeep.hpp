#pragma once
// After rotation and the reopen action: compression and retention of one
// live file's rotated files (retention.hpp decides, this carries it out).
// Removals by count come first (no point compressing what goes), then
// compression, then removals by max_total over the compressed sizes. A file
// some process still holds open is neither compressed nor removed: its
// writer may still append to it (open_check.hpp).
#include <optional>
#include <string>

#include "rotate/log_group.hpp"
#include "rotate/rotate_groups.hpp"
#include "rotate/rotation_result.hpp"

namespace pm {

// `settle_until`: after a reopen action, files still open are re-checked
// until then before being left for a later run. In a dry run, `planned` is
// the rotated name the live file would get (nullopt: not rotating) and
// `live_size` its size, so the plan shows the files as they would be.
void keep_rotated_files(const LogGroupConfig& group, const std::string& live_path,
                        const RotationContext& context, Deadline::Clock::time_point settle_until,
                        const std::optional<std::string>& planned, std::uint64_t live_size,
                        FileRotation& out);

}  // namespace pm
