#pragma once
// Discovery: asks each engine, once, what it runs (the backends' list
// calls), and turns the answers into findings (engine_findings.hpp).
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "discover/findings.hpp"
#include "util/deadline.hpp"
#include "util/exec.hpp"

namespace pm {

// Asks the engines: "pm2", "docker" and "systemd" (the system manager, then
// the user manager), or only the one `only` names. They are reached as `settings`
// ([pm2], [docker], [systemd]; the environment where they leave a key unset)
// says, each within its timeout and `deadline`. An engine that cannot be
// asked is in the result with its reason; the settings written back are the
// ones that reach it again from cron (PM2_HOME, DOCKER_HOST, ... made keys).
std::vector<EngineFindings> discover_engines(const Config& settings, const std::optional<std::string>& only,
                                             CommandRunner& runner, Deadline deadline);

// Whether any engine answered.
bool any_reachable(const std::vector<EngineFindings>& engines);

// Why the engines that did not answer did not, one "ENGINE: REASON" a line,
// the lines after the first indented by two spaces.
std::string unreachable_reasons(const std::vector<EngineFindings>& engines);

}  // namespace pm
