#pragma once
// Service names for what discovery found: valid by the config's rules
// (config/text_rules.hpp: [A-Za-z0-9][A-Za-z0-9._@:-]{0,127}) and unique.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pm {

// A valid service name made from `wanted`: every run of characters the rules
// do not allow becomes one '-', what does not start with a letter or digit is
// dropped from the front, '-' from the end, and it is cut to the maximum
// length; "service" when nothing is left.
std::string sanitize_service_name(std::string_view wanted);

// One unique valid name per (wanted name, qualifier) pair, in order: the
// sanitized name; when an earlier one took it, "QUALIFIER-NAME"; then
// "NAME-2", "NAME-3", ... Every result is within the maximum length.
std::vector<std::string> unique_service_names(const std::vector<std::pair<std::string, std::string>>& wanted);

}  // namespace pm
