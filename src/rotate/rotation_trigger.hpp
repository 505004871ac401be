#pragma once
// When a live file is due: it reached max_size, or max_age passed since it
// started collecting lines. That start is the last rotation recorded in the
// RotationState, because a file's own times do not tell: mtime and ctime
// change with every line, and copytruncate keeps the same inode (and birth
// time) forever. For a file the state does not know yet, its birth time
// (statx) stands in; where the filesystem has none, the first sighting.
#include <cstdint>
#include <optional>
#include <string>

#include "policy/wall_time.hpp"
#include "rotate/log_group.hpp"

namespace pm {

struct TriggerDecision {
  bool rotate = false;
  // Why, for the report: "size 120M reached max_size 100M", "7d since the
  // last rotation (max_age 7d)", "empty (not_if_empty)", "below max_size 100M".
  std::string reason;
};

// `since`: when the file started collecting lines, if known.
TriggerDecision decide_rotation(const LogGroupConfig& group, std::uint64_t size,
                                std::optional<WallTime> since, WallTime now, bool force);

// The birth time of `fd`'s file, where the filesystem records one.
std::optional<WallTime> birth_time(int fd);

}  // namespace pm
