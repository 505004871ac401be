#include "core/observe.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pm {
namespace {

using Answer = std::expected<StatusByTarget, std::string>;

bool uses(const ServiceConfig& service, std::string_view backend) {
  return service.backend == backend || service.backend == "auto";
}

Sighting resolve_auto(const ServiceConfig& service,
                      const std::map<std::string, Answer, std::less<>>& answers) {
  std::vector<std::string> rejections;
  std::vector<std::string> accepting;
  Sighting found;
  for (const auto& [backend, answer] : answers) {
    if (!answer) {
      rejections.push_back(fmt::format("{}: {}", backend, answer.error()));
      continue;
    }
    const UnitStatus& status = answer->at(service.target);
    if (status.state == UnitState::Missing) {
      rejections.push_back(fmt::format("{}: {}", backend, status.engine_state));
      continue;
    }
    accepting.push_back(backend);
    found = Sighting{backend, status, ""};
  }
  if (accepting.size() == 1) return found;
  if (accepting.empty()) {
    return Sighting{"", std::nullopt,
                    fmt::format("no backend knows '{}' ({})", service.target, fmt::join(rejections, "; "))};
  }
  return Sighting{"", std::nullopt,
                  fmt::format("'{}' is known to several backends ({}); set backend explicitly",
                              service.target, fmt::join(accepting, ", "))};
}

}  // namespace

std::vector<Sighting> observe_services(const std::vector<const ServiceConfig*>& services, Backends& backends,
                                       Deadline deadline) {
  std::map<std::string, Answer, std::less<>> answers;
  for (auto& [name, backend] : backends) {
    std::vector<std::string> targets;
    for (const auto* service : services) {
      if (uses(*service, name) && std::ranges::find(targets, service->target) == targets.end()) {
        targets.push_back(service->target);
      }
    }
    if (!targets.empty()) answers.emplace(name, backend->observe(targets, deadline));
  }

  std::vector<Sighting> sightings;
  sightings.reserve(services.size());
  for (const auto* service : services) {
    if (service->backend == "none") {
      sightings.push_back(Sighting{"none", std::nullopt, ""});
    } else if (service->backend == "auto") {
      sightings.push_back(resolve_auto(*service, answers));
    } else if (auto it = answers.find(service->backend); it == answers.end()) {
      sightings.push_back(Sighting{service->backend, std::nullopt, "backend not available in this build"});
    } else if (!it->second) {
      sightings.push_back(Sighting{service->backend, std::nullopt, it->second.error()});
    } else {
      sightings.push_back(Sighting{service->backend, it->second->at(service->target), ""});
    }
  }
  return sightings;
}

}  // namespace pm
