#include "policy/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace pm {

Duration next_backoff(const RestartPolicy& policy, Duration current) {
  if (current <= Duration::zero()) return std::min(policy.backoff_initial, policy.backoff_max);
  double grown = static_cast<double>(current.count()) * policy.backoff_factor;
  if (grown >= static_cast<double>(policy.backoff_max.count())) return policy.backoff_max;
  return Duration{std::llround(grown)};
}

// Spread evenly, so that services (and hosts) that failed together do not
// retry together; capped, because backoff_max is a promise its name makes.
Duration jittered_wait(const RestartPolicy& policy, Duration backoff, double draw) {
  draw = std::clamp(draw, 0.0, 1.0);
  double spread = 1.0 + policy.backoff_jitter * (2.0 * draw - 1.0);
  double wait = std::min(static_cast<double>(backoff.count()) * spread,
                         static_cast<double>(policy.backoff_max.count()));
  return Duration{std::llround(std::max(wait, 0.0))};
}

}  // namespace pm
