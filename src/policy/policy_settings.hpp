#pragma once
// How hard process-monitor tries to keep one service up: the settings of the
// restart policy (src/policy/restart_policy.hpp), plain values with the
// defaults a service gets when its config says nothing.
#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "util/duration.hpp"

namespace pm {

// At most `count` restarts within any `window` (a sliding window). When a
// restart is needed and the window already holds `count` restarts, the
// policy gives up until the window has emptied, the service is fine again,
// or `process-monitor reset` is run.
struct RestartBudget {
  int count = 5;                           // at least 1; ignored when unlimited
  Duration window{std::chrono::hours{1}};  // longer than zero
  bool unlimited = false;  // never give up (restarts are still counted over `window` for reports)

  bool operator==(const RestartBudget&) const = default;
};

// "5 per 1h", "3 per 10m", "unlimited". The window is a duration as
// parse_duration reads it. The error names the text and the valid forms.
std::expected<RestartBudget, std::string> parse_restart_budget(std::string_view text);

// "5 per 1h" or "unlimited": what parse_restart_budget reads back.
std::string to_string(const RestartBudget& budget);

struct RestartPolicy {
  int confirm = 1;                                     // consecutive failed runs before a restart, at least 1
  Duration grace{std::chrono::seconds{30}};            // after a restart: failures are reported, not acted on
  Duration backoff_initial{std::chrono::seconds{10}};  // the wait after the first restart (0s: no backoff)
  double backoff_factor = 2.0;                     // each further restart waits this much longer, at least 1
  Duration backoff_max{std::chrono::minutes{10}};  // no wait is ever longer, jitter included
  double backoff_jitter = 0.2;                     // each wait is spread by +-20%, in [0, 1)
  Duration backoff_reset_after{
      std::chrono::minutes{10}};  // fine for this long: the next restart waits backoff_initial again
  RestartBudget budget{};

  bool operator==(const RestartPolicy&) const = default;
};

// Whether `policy` is usable; the error names the first setting that is not
// and its allowed range. decide() and record_restart() expect a valid policy.
std::expected<void, std::string> check_restart_policy(const RestartPolicy& policy);

}  // namespace pm
