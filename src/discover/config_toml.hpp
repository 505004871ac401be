#pragma once
// The config TOML that monitors what discovery found: `process-monitor
// discover` prints it, and a run without a config file monitors it.
#include <string>
#include <vector>

#include "discover/findings.hpp"

namespace pm {

// A commented config: a header saying how to install it; each reachable
// engine's settings table ([pm2] home, [docker] host) so the config reaches
// the engines discovery asked; then per engine a comment (what it is, or
// "# docker: not reachable: REASON"), its notes, and one [[service]] per
// finding with a valid unique name (service_names.hpp), backend, selector
// keys, and expect = "any" for what was stopped when discovered. Findings
// that cannot be monitored are comments. No health URL is invented.
std::string render_discovered_config(const std::vector<EngineFindings>& engines);

// How many [[service]] tables render_discovered_config writes.
std::size_t monitored_count(const std::vector<EngineFindings>& engines);

}  // namespace pm
