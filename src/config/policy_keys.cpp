#include "config/policy_keys.hpp"

#include <fmt/format.h>

namespace pm {
namespace {

constexpr int kMaxConfirm = 100;

void read_optional_duration(FieldReader& reader, std::string_view key, const toml::node& value,
                            std::optional<Duration>& out) {
  Duration duration{0};
  if (reader.read_duration(value, key, ZeroDuration::kAllowed, duration)) out = duration;
}

}  // namespace

void read_policy_key(FieldReader& reader, std::string_view key, const toml::node& value,
                     PolicyOverrides& overrides) {
  if (key == "confirm") {
    int confirm = 1;
    if (reader.read_integer(value, key, 1, kMaxConfirm, confirm)) overrides.confirm = confirm;
  } else if (key == "grace") {
    read_optional_duration(reader, key, value, overrides.grace);
  } else if (key == "backoff") {
    read_optional_duration(reader, key, value, overrides.backoff);
  } else if (key == "backoff_max") {
    read_optional_duration(reader, key, value, overrides.backoff_max);
  } else if (key == "backoff_reset_after") {
    read_optional_duration(reader, key, value, overrides.backoff_reset_after);
  } else if (key == "restart_budget") {
    std::string text;
    if (!reader.read_string(value, key, text)) return;
    auto budget = parse_restart_budget(text);
    if (!budget) {
      reader.fail(value.source(), budget.error());
      return;
    }
    overrides.budget = *budget;
  }
}

RestartPolicy apply_overrides(RestartPolicy policy, const PolicyOverrides& overrides) {
  if (overrides.confirm) policy.confirm = *overrides.confirm;
  if (overrides.grace) policy.grace = *overrides.grace;
  if (overrides.backoff) policy.backoff_initial = *overrides.backoff;
  if (overrides.backoff_max) policy.backoff_max = *overrides.backoff_max;
  if (overrides.backoff_reset_after) policy.backoff_reset_after = *overrides.backoff_reset_after;
  if (overrides.budget) policy.budget = *overrides.budget;
  return policy;
}

}  // namespace pm
