#pragma once
// The name a live file's next rotated file gets, and making room for it.
#include <ctime>
#include <expected>
#include <string>

#include "rotate/log_directory.hpp"
#include "rotate/log_group.hpp"

namespace pm {

// Numbered: LIVE.N(.gz) move up to LIVE.N+1(.gz), the oldest first, so no
// rename ever meets an existing name, and the name is LIVE.1. A failure
// halfway leaves a gap in the numbers, which costs nothing: names are
// found by listing, not counted. Dated: a free dated name for `local`
// (rotated_names.hpp). With `dry_run` nothing moves; the name is the same.
std::expected<std::string, std::string> make_room_for_rotation(const LogDirectory& dir,
                                                               const std::string& live, RotatedNaming naming,
                                                               const std::tm& local, bool dry_run);

}  // namespace pm
