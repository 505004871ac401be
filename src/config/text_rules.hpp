#pragma once
// Character rules for strings from the config that reach engines, file names
// or HTTP requests, and quoting of user text for messages.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace pm {

inline constexpr std::size_t kMaxServiceNameLength = 128;

// A character service names may hold after the first: [A-Za-z0-9._@:-].
bool is_service_name_char(char c);

// Service names and backend targets: [A-Za-z0-9][A-Za-z0-9._@:-]{0,127}.
// Unexpected: what is wrong ("must start with a letter or digit", ...).
std::expected<void, std::string> check_service_name(std::string_view name);

// An HTTP header field name: a non-empty RFC 9110 token (no spaces, colons,
// CR or LF). Unexpected: what is wrong.
std::expected<void, std::string> check_header_name(std::string_view name);

// An HTTP header value: no CR, LF or NUL, which would end the header early
// and let the rest pass as another header. Unexpected: what is wrong.
std::expected<void, std::string> check_header_value(std::string_view value);

// `text` in single quotes, control characters escaped ("\n", "\x01"), so a
// message quoting user input stays one readable line.
std::string quoted(std::string_view text);

}  // namespace pm
