#pragma once
// The warning for health checks that skip TLS verification (insecure = true).
#include <vector>

#include "config/config.hpp"

namespace pm {

// Logs one warning per service in `services` whose check has insecure =
// true, its URL redacted. Called once when a run starts, not per probe: a
// cron run warns every time, an --interval loop once as it starts (its
// config is read once), and retries and verification add no repeats.
void warn_unverified_tls(const std::vector<ServicePtr>& services);

}  // namespace pm
