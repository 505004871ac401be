#pragma once
// Human durations as they appear in config files and flags: "500ms", "30s",
// "5m", "1h", "2d", and sums of them ("1m30s"). A bare number is rejected:
// "30" could mean seconds or milliseconds, and guessing is how a 30 ms
// timeout ends up in production.
#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace pm {

using Duration = std::chrono::milliseconds;

// Parses `text`; the error says what was wrong and shows a valid form.
std::expected<Duration, std::string> parse_duration(std::string_view text);

// For reports: 250ms -> "250ms", 1500ms -> "1.5s", 90000ms -> "1m30s",
// 0 -> "0s". Values of a minute or more are exact unit sums that
// parse_duration reads back.
std::string format_duration(Duration duration);

}  // namespace pm
