#pragma once
// The waits between restarts of a service that keeps failing.
#include "policy/policy_settings.hpp"

namespace pm {

// The backoff after one more restart: backoff_initial after the first
// (`current` is 0), then `current` times backoff_factor, at most backoff_max.
Duration next_backoff(const RestartPolicy& policy, Duration current);

// `backoff` spread by +-backoff_jitter: `draw` 0 gives (1 - jitter) times
// backoff, 0.5 the backoff itself, 1 (1 + jitter) times; never above
// backoff_max. `draw` outside [0, 1] is clamped.
Duration jittered_wait(const RestartPolicy& policy, Duration backoff, double draw);

}  // namespace pm
