#pragma once
// The act stage for one service: its restart_command when it has one, else
// its backend's restart.
#include <expected>
#include <string>

#include "backend/registry.hpp"
#include "config/config.hpp"
#include "core/verdict.hpp"
#include "util/exec.hpp"

namespace pm {

// Restarts `service`. Returns what was done ("pm2 restart 3"), or why it
// could not be done. Never cut short by a stop request: a restart that was
// started finishes (within restart_timeout and `deadline`).
std::expected<std::string, std::string> restart_service(const ServiceConfig& service,
                                                        const Sighting& sighting, Backends& backends,
                                                        CommandRunner& runner, Deadline deadline);

// Whether a service can be restarted at all (a backend that restarts, or a
// restart_command); the error says why not.
std::expected<void, std::string> can_restart(const ServiceConfig& service, const Sighting& sighting,
                                             const Backends& backends);

}  // namespace pm
