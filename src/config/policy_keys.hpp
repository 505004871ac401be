#pragma once
// The restart policy keys (issue 5), accepted in [defaults] and in each
// [[service]]: confirm, grace, backoff, backoff_max, backoff_reset_after,
// restart_budget. A service's policy is the built-in one, overlaid with
// [defaults], overlaid with the service's own keys.
#include <optional>
#include <string_view>

#include "config/field_reader.hpp"
#include "config/toml.hpp"
#include "policy/policy_settings.hpp"

namespace pm {

struct PolicyOverrides {
  std::optional<int> confirm;
  std::optional<Duration> grace, backoff, backoff_max, backoff_reset_after;
  std::optional<RestartBudget> budget;
};

// Reads the policy key `key` from `value` into `overrides`; problems go to
// `reader`. `key` must be one of the six names above.
void read_policy_key(FieldReader& reader, std::string_view key, const toml::node& value,
                     PolicyOverrides& overrides);

RestartPolicy apply_overrides(RestartPolicy policy, const PolicyOverrides& overrides);

}  // namespace pm
