#pragma once
// Log rotation for one run: every [[logs]] group, each live file it matches,
// then the group's reopen action, then compression and retention of each
// file's rotated files. Failures are per group (a group's error never stops
// another group) and per file, and leave every line in some file.
//
// The caller holds the run lock: two rotations of one file at once would
// race each other's renames.
#include <vector>

#include "policy/wall_time.hpp"
#include "rotate/log_directory.hpp"
#include "rotate/log_group.hpp"
#include "rotate/log_reopener.hpp"
#include "rotate/rotation_result.hpp"
#include "rotate/rotation_state.hpp"
#include "util/deadline.hpp"

namespace pm {

struct RotationContext {
  WallTime now;  // for max_age and dated names (local time)
  // The run's deadline: checked between files and between chunks of every
  // copy and compression; what is cut short is cleaned up and reported.
  Deadline deadline = Deadline::never();
  bool dry_run = false;  // plan only: nothing is touched, the state is not changed
  bool force = false;    // rotate every matched file, due or not (an empty one still needs not_if_empty off)
  // Needed when a group has a reopen action; a group that needs it without
  // one fails with an error.
  LogReopener* reopener = nullptr;
  // After a reopen, how long to wait for writers to close the renamed files
  // before leaving their compression to a later run.
  Duration settle{2000};
  StepHook before_step;  // tests only (log_directory.hpp)
};

// Rotates `groups`. `state` supplies and receives since when each live file
// collects lines (rotation_state.hpp); entries of files no group matched
// any more are dropped.
RotationResult rotate_groups(const std::vector<LogGroupConfig>& groups, const RotationContext& context,
                             RotationState& state);

}  // namespace pm
