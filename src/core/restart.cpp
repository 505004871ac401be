#include "core/restart.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pm {

std::expected<void, std::string> can_restart(const ServiceConfig& service, const Sighting& sighting,
                                             const Backends& backends) {
  if (!service.restart_command.empty()) return {};
  if (service.backend == "none") {
    return std::unexpected("backend \"none\" has no restart_command: reported only");
  }
  if (!sighting.status) return std::unexpected("its backend could not be asked, so nothing is restarted");
  if (sighting.status->state == UnitState::Missing) {
    auto backend = backends.find(sighting.backend);
    std::string_view hint = backend == backends.end() ? "" : backend->second->create_hint();
    return std::unexpected(
        fmt::format("nothing to restart: {} restarts what exists but never creates it; {}{}or "
                    "give the service a restart_command",
                    sighting.backend, hint, hint.empty() ? "" : ", "));
  }
  return {};
}

std::expected<std::string, std::string> restart_service(const ServiceConfig& service,
                                                        const Sighting& sighting, Backends& backends,
                                                        CommandRunner& runner, Deadline deadline) {
  if (auto possible = can_restart(service, sighting, backends); !possible) {
    return std::unexpected(possible.error());
  }
  Deadline restart_deadline = deadline.capped(service.restart_timeout);

  if (!service.restart_command.empty()) {
    std::string shown = fmt::format("{}", fmt::join(service.restart_command, " "));
    ExecRequest request;
    request.argv = service.restart_command;
    request.deadline = restart_deadline;
    request.interruptible = false;
    auto result = runner.run(request);
    if (!result) return std::unexpected(result.error());
    if (!result->succeeded()) return std::unexpected("restart_command " + result->failure(shown));
    return shown;
  }

  auto backend = backends.find(sighting.backend);
  if (backend == backends.end())
    return std::unexpected(fmt::format("backend '{}' is not available", sighting.backend));
  return backend->second->restart(service, *sighting.status, restart_deadline);
}

}  // namespace pm
