#pragma once
// Making a history loaded from the state file consistent with this run's
// clock, before any rule reads it.
#include "policy/policy_settings.hpp"
#include "policy/service_history.hpp"

namespace pm {

// decide() and record_restart() call this first. When the wall clock stepped
// backwards since history.last_seen, every remembered time moves back by the
// same step, so each wait still lasts as long as it had left (a step back of
// an hour neither stalls the service for an hour nor cuts a wait short). Then,
// whatever the state file says: a past time after `now` is taken as `now`,
// next_restart_at is at most backoff_max after the last restart, and the
// restarts that left the budget window are dropped. Sets last_seen to `now`.
ServiceHistory align_history(const RestartPolicy& policy, ServiceHistory history, WallTime now);

}  // namespace pm
