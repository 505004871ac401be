#pragma once
// Byte sizes as they appear in config files: "512K", "100M", "1G", "2T",
// or "4096B". Units are powers of 1024 (K = 1024 bytes, like logrotate and
// ls -h); "KiB", "MiB", "GiB" and "TiB" are accepted as the same units. A
// bare number is rejected, as durations are: "100" could be bytes or
// megabytes.
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace pm {

// Parses `text`; the error says what was wrong and shows valid forms.
std::expected<std::uint64_t, std::string> parse_size(std::string_view text);

// For reports, exact and readable back by parse_size: 104857600 -> "100M",
// 1536 -> "1536B"... the largest unit that divides the size, 0 -> "0B".
std::string format_size(std::uint64_t bytes);

}  // namespace pm
