#pragma once
// Health probes. A Prober checks many services at once: the cycle's probing
// time is that of the slowest probe, not the sum.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "util/deadline.hpp"

namespace pm {

class Interrupt;

struct ProbeResult {
  bool healthy = false;
  long status_code = 0;  // HTTP status of the last attempt, 0 if none
  Duration latency{0};   // of the last attempt
  int attempts = 0;
  // Why the last attempt failed ("connection refused", "timed out after 2s",
  // "status 503 not in 200-399", "body does not contain 'ok'"); empty when healthy.
  std::string error;
};

class Prober {
 public:
  virtual ~Prober() = default;
  // Probes every check concurrently; results are in the order of `checks`.
  // Each check retries up to its `retries` with `retry_delay` between
  // attempts; nothing runs past `deadline`.
  virtual std::vector<ProbeResult> probe_all(const std::vector<const HealthCheck*>& checks,
                                             Deadline deadline) = 0;
};

}  // namespace pm
