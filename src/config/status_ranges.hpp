#pragma once
// The expect_status syntax of health checks.
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace pm {

inline constexpr int kMinHttpStatus = 100;
inline constexpr int kMaxHttpStatus = 599;

// Parses a comma-separated list of status codes and inclusive ranges:
// "200", "200-399", "200-299,404". Each code is within 100..599 and a range's
// low end is not above its high end; spaces around items are ignored.
// Unexpected: what is wrong with which item.
std::expected<std::vector<StatusRange>, std::string> parse_status_ranges(std::string_view text);

}  // namespace pm
