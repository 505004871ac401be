#pragma once
// Validation of health check URLs, by the same parser that later fetches them.
#include <expected>
#include <string>
#include <string_view>

namespace pm {

// Checks that libcurl reads `url` as an absolute http:// or https:// URL with
// a non-empty host. Unexpected: the problem, without the URL ("no host part in
// the URL", "scheme 'ftp' is not supported; use http or https").
std::expected<void, std::string> check_http_url(std::string_view url);

}  // namespace pm
