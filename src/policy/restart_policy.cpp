#include "policy/restart_policy.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "policy/backoff.hpp"
#include "policy/history_alignment.hpp"

namespace pm {
namespace {

struct Outcome {
  RestartDecision decision;
  std::string reason;
  std::optional<WallTime> until;
};

bool troubled(ServiceState state) {
  return state == ServiceState::Unhealthy || state == ServiceState::Restarting ||
         state == ServiceState::GaveUp;
}

// Events come from the change of state alone, so a run that changes nothing
// cannot alert, however often it repeats.
std::vector<PolicyEvent> events_between(ServiceState before, ServiceState after) {
  std::vector<PolicyEvent> events;
  if (before == after) return events;
  if (!troubled(before) && troubled(after)) events.push_back(PolicyEvent::BecameUnhealthy);
  if (before == ServiceState::GaveUp && troubled(after)) events.push_back(PolicyEvent::Resumed);
  if (after == ServiceState::GaveUp) events.push_back(PolicyEvent::GaveUp);
  if (troubled(before) && after == ServiceState::Healthy) events.push_back(PolicyEvent::Recovered);
  return events;
}

std::string restarts(std::size_t count) { return fmt::format("{} restart{}", count, count == 1 ? "" : "s"); }

std::string budget_note(const RestartPolicy& policy) {
  return fmt::format("budget {}", to_string(policy.budget));
}

// Rounded up, so "in 1s" is never said of a wait that has 1.5s left.
std::string from_now(WallTime time, WallTime now) {
  return format_duration(std::chrono::ceil<std::chrono::seconds>(time - now));
}

std::optional<WallTime> grace_end(const RestartPolicy& policy, const ServiceHistory& history, WallTime now) {
  if (!history.last_restart || *history.last_restart + policy.grace <= now) return std::nullopt;
  return *history.last_restart + policy.grace;
}

Outcome in_grace(const ServiceHistory& history, WallTime grace_until, WallTime now, std::string_view what) {
  return {RestartDecision::InGrace,
          fmt::format("{}, in grace until {} after the restart at {}", what,
                      format_wall_time(grace_until, now), format_wall_time(*history.last_restart, now)),
          grace_until};
}

// Given up, and the budget window still holds restarts.
bool still_given_up(const RestartPolicy& policy, const ServiceHistory& history) {
  return history.gave_up && !policy.budget.unlimited && !history.restart_times.empty();
}

Outcome given_up(const RestartPolicy& policy, const ServiceHistory& history, WallTime now,
                 std::string_view service_name) {
  // Restarts resume once the window holds none of the restarts that used the
  // budget up: a full budget then, rather than one restart each time the
  // oldest one ages out (which would give up, and alert, again and again).
  WallTime resume_at = history.restart_times.back() + policy.budget.window;
  return {RestartDecision::GaveUp,
          fmt::format("gave up: {} in the last {} ({}); restarts resume at {}, or at once after "
                      "'process-monitor reset {}'",
                      restarts(history.restart_times.size()), format_duration(policy.budget.window),
                      budget_note(policy), format_wall_time(resume_at, now), service_name),
          resume_at};
}

Outcome on_fine(const RestartPolicy& policy, ServiceHistory& history, WallTime now) {
  bool was_troubled = troubled(history.last_state);
  history.consecutive_failures = 0;
  history.gave_up = false;
  history.gave_up_at.reset();
  if (!history.healthy_since) history.healthy_since = now;
  if (now - *history.healthy_since >= policy.backoff_reset_after) {
    history.backoff = Duration::zero();
    history.next_restart_at.reset();
  }
  history.last_state = ServiceState::Healthy;
  return {RestartDecision::Fine, was_troubled ? "recovered" : "", std::nullopt};
}

Outcome on_starting(const RestartPolicy& policy, ServiceHistory& history, WallTime now,
                    std::string_view service_name) {
  history.healthy_since.reset();
  if (still_given_up(policy, history)) return given_up(policy, history, now, service_name);
  if (auto until = grace_end(policy, history, now)) return in_grace(history, *until, now, "starting");
  return {RestartDecision::InGrace, "the engine is acting on it: waited for, not restarted on top",
          std::nullopt};
}

Outcome on_failing(const RestartPolicy& policy, ServiceHistory& history, WallTime now,
                   std::string_view service_name) {
  history.healthy_since.reset();
  // A slow starter fails its checks for a while after every restart; counting
  // those would restart it again the moment grace ends (monit's loop).
  if (auto until = grace_end(policy, history, now)) return in_grace(history, *until, now, "failing");

  history.consecutive_failures =
      std::min(history.consecutive_failures + 1, std::numeric_limits<int>::max() - 1);
  if (still_given_up(policy, history)) return given_up(policy, history, now, service_name);
  if (history.gave_up) {
    history.gave_up = false;
    history.gave_up_at.reset();
    history.last_state = ServiceState::Unhealthy;  // -> Resumed
  }
  if (history.consecutive_failures < policy.confirm) {
    return {
        RestartDecision::WaitConfirm,
        fmt::format("failure {} of {} needed before a restart", history.consecutive_failures, policy.confirm),
        std::nullopt};
  }

  const std::size_t used = history.restart_times.size();
  history.last_state = ServiceState::Unhealthy;
  if (!policy.budget.unlimited && used >= static_cast<std::size_t>(policy.budget.count)) {
    history.gave_up = true;
    history.gave_up_at = now;
    history.last_state = ServiceState::GaveUp;
    return given_up(policy, history, now, service_name);
  }
  if (history.next_restart_at && now < *history.next_restart_at) {
    return {
        RestartDecision::BackingOff,
        fmt::format("backing off until {} ({} from now); {} in the last {} ({})",
                    format_wall_time(*history.next_restart_at, now), from_now(*history.next_restart_at, now),
                    restarts(used), format_duration(policy.budget.window), budget_note(policy)),
        history.next_restart_at};
  }
  history.last_state = ServiceState::Restarting;
  std::string confirmed =
      policy.confirm > 1 ? fmt::format(", {} runs in a row", history.consecutive_failures) : std::string{};
  return {RestartDecision::Restart,
          fmt::format("failing{}: restart {} in the last {} ({})", confirmed, used + 1,
                      format_duration(policy.budget.window), budget_note(policy)),
          std::nullopt};
}

}  // namespace

std::string_view to_string(ObservedHealth observation) {
  switch (observation) {
    case ObservedHealth::Fine: return "fine";
    case ObservedHealth::Failing: return "failing";
    case ObservedHealth::Starting: return "starting";
    case ObservedHealth::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(RestartDecision decision) {
  switch (decision) {
    case RestartDecision::Fine: return "fine";
    case RestartDecision::Unknown: return "unknown";
    case RestartDecision::WaitConfirm: return "wait-confirm";
    case RestartDecision::InGrace: return "in-grace";
    case RestartDecision::BackingOff: return "backing-off";
    case RestartDecision::Restart: return "restart";
    case RestartDecision::GaveUp: return "gave-up";
    case RestartDecision::Paused: return "paused";
  }
  return "unknown";
}

std::string_view to_string(PolicyEvent event) {
  switch (event) {
    case PolicyEvent::BecameUnhealthy: return "became-unhealthy";
    case PolicyEvent::Recovered: return "recovered";
    case PolicyEvent::GaveUp: return "gave-up";
    case PolicyEvent::Resumed: return "resumed";
  }
  return "unknown";
}

PolicyDecision decide(const RestartPolicy& policy, const ServiceHistory& history, ObservedHealth observation,
                      WallTime now, std::string_view service_name) {
  ServiceHistory next = align_history(policy, history, now);
  const ServiceState before = next.last_state;
  if (next.paused && next.paused_until && now >= *next.paused_until) next = resume_history(std::move(next));

  Outcome outcome;
  if (next.paused) {
    // A pause freezes the policy: nothing counted, nothing restarted, the
    // alert state kept for when it ends.
    outcome = {RestartDecision::Paused,
               next.paused_until ? fmt::format("paused until {}, or 'process-monitor resume {}'",
                                               format_wall_time(*next.paused_until, now), service_name)
                                 : fmt::format("paused until 'process-monitor resume {}'", service_name),
               next.paused_until};
  } else {
    switch (observation) {
      case ObservedHealth::Unknown:
        outcome = {RestartDecision::Unknown,
                   "the engine could not be asked: not counted as a failure, not restarted", std::nullopt};
        break;
      case ObservedHealth::Fine: outcome = on_fine(policy, next, now); break;
      case ObservedHealth::Starting: outcome = on_starting(policy, next, now, service_name); break;
      case ObservedHealth::Failing: outcome = on_failing(policy, next, now, service_name); break;
    }
  }
  auto events = events_between(before, next.last_state);
  return {outcome.decision, std::move(outcome.reason), outcome.until, std::move(next), std::move(events)};
}

ServiceHistory record_restart(const RestartPolicy& policy, ServiceHistory history, WallTime now,
                              RandomSource& random) {
  history = align_history(policy, std::move(history), now);
  history.restart_times.push_back(now);
  ++history.restarts_total;
  history.last_restart = now;
  history.backoff = next_backoff(policy, history.backoff);
  history.next_restart_at = now + jittered_wait(policy, history.backoff, random.uniform01());
  // The restart answered the failures counted so far: the next one needs
  // `confirm` new failures after grace. A count that survived the restart
  // would restart again on the first failure after grace, whatever `confirm`
  // says.
  history.consecutive_failures = 0;
  history.healthy_since.reset();
  return history;
}

ServiceHistory reset_history(ServiceHistory history) {
  history.consecutive_failures = 0;
  history.restart_times.clear();
  history.last_restart.reset();
  history.backoff = Duration::zero();
  history.next_restart_at.reset();
  history.gave_up = false;
  history.gave_up_at.reset();
  if (history.last_state == ServiceState::GaveUp) history.last_state = ServiceState::Unhealthy;
  return history;
}

ServiceHistory pause_history(ServiceHistory history, std::optional<WallTime> until) {
  history.paused = true;
  history.paused_until = until;
  return history;
}

ServiceHistory resume_history(ServiceHistory history) {
  history.paused = false;
  history.paused_until.reset();
  return history;
}

}  // namespace pm
