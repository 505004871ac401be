#pragma once
// The restart policy: whether a failing service is restarted now, waited
// for, or given up on. Pure functions of (settings, history, observation,
// now, random source): no clock, no I/O. A cron-started monitor is a fresh
// process every run, so everything carried from one run to the next is in
// ServiceHistory, which the caller loads before and saves after.
//
// One run, for one service:
//   auto decision = decide(policy, history, observation, now, name);
//   if (decision.decision == RestartDecision::Restart) {
//     restart it (attempted: whether or not the engine accepted it)
//     decision.history = record_restart(policy, decision.history, now, random);
//   }
//   save decision.history; alert on decision.events; report decision.reason.
//
// The rules, in the order they apply:
//   paused     until paused_until or resume_history(): nothing counted, nothing restarted.
//   unknown    the engine could not be asked: nothing counted, nothing restarted.
//   fine       failures reset; a gave-up service is no longer given up; after
//              backoff_reset_after of being fine the backoff starts over.
//   starting   the engine is acting: waited for, not counted as a failure.
//   failing:
//     grace    within `grace` after a restart: reported, not counted, not restarted.
//     gave up  stays given up until the budget window holds no restart (Resumed).
//     confirm  a restart needs `confirm` failed runs in a row; one observation
//              per run, so retries inside a run never reset or inflate the count.
//     budget   a restart needed with `budget.count` restarts in the window: give up.
//     backoff  no restart before next_restart_at.
//     restart  otherwise.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy_settings.hpp"
#include "policy/random_source.hpp"
#include "policy/service_history.hpp"

namespace pm {

// What one run saw of the service. From core/verdict.hpp's Health:
// Healthy, StoppedOk -> Fine; Unhealthy, Down -> Failing; Starting -> Starting;
// Unknown -> Unknown.
enum class ObservedHealth {
  Fine,
  Failing,   // needs a restart
  Starting,  // the engine is acting on it (launching, restarting, stopping)
  Unknown,   // the engine could not be asked
};

enum class RestartDecision {
  Fine,
  Unknown,      // nothing is known, nothing is done
  WaitConfirm,  // failing, not yet `confirm` runs in a row
  InGrace,      // failing or starting soon after a restart, or the engine is acting
  BackingOff,   // a restart is due but not before `until`
  Restart,      // restart it now, then record_restart()
  GaveUp,       // the restart budget is used up
  Paused,       // `process-monitor pause`
};

// Alerts: each comes from a change of ServiceState, so repeating the same
// observation never repeats one. BecameUnhealthy and Recovered alternate,
// pauses and resets included.
enum class PolicyEvent {
  BecameUnhealthy,  // a confirmed failure after being fine (or never judged)
  Recovered,        // fine again after being unhealthy or given up
  GaveUp,           // the restart budget ran out
  Resumed,          // the budget window emptied after giving up: restarts may happen again
};

std::string_view to_string(ObservedHealth observation);
std::string_view to_string(RestartDecision decision);
std::string_view to_string(PolicyEvent event);

struct PolicyDecision {
  RestartDecision decision = RestartDecision::Unknown;
  std::string reason;               // for reports; empty when plainly fine
  std::optional<WallTime> until;    // end of grace, backoff, give-up or pause, when known
  ServiceHistory history;           // to save (after record_restart when restarted)
  std::vector<PolicyEvent> events;  // in the order they happened
};

// Judges one run's observation of the service `service_name` (used in the
// reasons' hints). Expects check_restart_policy(policy) to pass.
PolicyDecision decide(const RestartPolicy& policy, const ServiceHistory& history, ObservedHealth observation,
                      WallTime now, std::string_view service_name);

// After a restart was attempted at `now` (accepted or refused: a refused one
// still counts, so an engine that refuses is not asked every run): counts it
// in the budget window, starts grace, grows the backoff (backoff_initial,
// then times backoff_factor, at most backoff_max), sets next_restart_at to
// now + that wait spread by +-backoff_jitter (never above backoff_max), and
// resets the failure count: the next restart needs `confirm` new failures
// after grace.
ServiceHistory record_restart(const RestartPolicy& policy, ServiceHistory history, WallTime now,
                              RandomSource& random);

// `process-monitor reset SERVICE`: forgets failures, restarts, backoff and
// giving up, so the next failing run may restart at once. Keeps a pause and
// the alert state (an incident still ends with Recovered, without a second
// BecameUnhealthy).
ServiceHistory reset_history(ServiceHistory history);
// `process-monitor pause SERVICE [--until T]`: absent `until` pauses until resume_history().
ServiceHistory pause_history(ServiceHistory history, std::optional<WallTime> until);
ServiceHistory resume_history(ServiceHistory history);

}  // namespace pm
