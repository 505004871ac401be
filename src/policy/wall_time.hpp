#pragma once
// Wall-clock time, for what must mean the same in the next run: a monitor
// started by cron is a fresh process every minute, so a steady_clock reading
// (src/util/deadline.hpp) means nothing to the next run. Wall clocks can step
// (NTP, a VM resumed, an operator); restart_policy.cpp copes with that.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pm {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

// For reasons in reports: "12:01:30 UTC", or "2024-05-01 12:01:30 UTC" when
// `time` is a day or more away from `now`. Always UTC, so a decision's text
// does not depend on the TZ of whatever process made it. Whole seconds.
std::string format_wall_time(WallTime time, WallTime now);

// Unix milliseconds as read from the state file -> a WallTime; nullopt when
// WallTime (nanoseconds in 64 bits: about the years 1678 to 2262) cannot
// hold it, where the plain conversion would overflow.
std::optional<WallTime> wall_time_from_unix_ms(std::int64_t unix_ms);

}  // namespace pm
