#include "policy/history_alignment.hpp"

#include <algorithm>

namespace pm {
namespace {

void shift(std::optional<WallTime>& time, WallClock::duration by) {
  if (time) *time -= by;
}

void clamp_to(std::optional<WallTime>& time, WallTime latest) {
  if (time && *time > latest) time = latest;
}

}  // namespace

ServiceHistory align_history(const RestartPolicy& policy, ServiceHistory history, WallTime now) {
  // A clock that went back by `step` (NTP, a VM restored, an operator): the
  // times were written on the old clock. Moving them keeps every interval,
  // so no wait ends earlier than it would have. paused_until is an absolute
  // time an operator chose and stays as it is.
  if (history.last_seen && *history.last_seen > now) {
    const auto step = *history.last_seen - now;
    for (auto& time : history.restart_times) time -= step;
    shift(history.last_restart, step);
    shift(history.next_restart_at, step);
    shift(history.healthy_since, step);
    shift(history.gave_up_at, step);
  }
  // Still in the future (a hand-edited or foreign state file, or a clock that
  // stepped back before last_seen was written): never wait forever on it.
  for (auto& time : history.restart_times) time = std::min(time, now);
  clamp_to(history.last_restart, now);
  clamp_to(history.healthy_since, now);
  clamp_to(history.gave_up_at, now);
  clamp_to(history.next_restart_at, history.last_restart.value_or(now) + policy.backoff_max);
  std::sort(history.restart_times.begin(), history.restart_times.end());

  // The sliding window: a restart at t counts while t + window > now.
  std::erase_if(history.restart_times, [&](WallTime time) { return time + policy.budget.window <= now; });
  history.last_seen = now;
  return history;
}

}  // namespace pm
