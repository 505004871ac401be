#include "core/observe.hpp"

#include <map>
#include <string_view>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace pm {
namespace {

using Answer = std::expected<StatusByTarget, std::string>;
using Answers = std::map<std::string, Answer, std::less<>>;

bool uses(const ServiceConfig& service, std::string_view backend) {
  return service.backend == backend || service.backend == "auto";
}

bool found(const std::vector<UnitStatus>& units) {
  return !(units.size() == 1 && units.front().state == UnitState::Missing);
}

// The backend that knows the target of an "auto" service, and its units;
// or why none (or several) do.
std::expected<std::pair<std::string, std::vector<UnitStatus>>, std::string> resolve_auto(
    const ServiceConfig& service, const Answers& answers) {
  std::vector<std::string> rejections;
  std::vector<std::string> accepting;
  std::pair<std::string, std::vector<UnitStatus>> result;
  for (const auto& [backend, answer] : answers) {
    if (!answer) {
      rejections.push_back(fmt::format("{}: {}", backend, answer.error()));
      continue;
    }
    const auto& units = answer->at(service.target);
    if (!found(units)) {
      rejections.push_back(fmt::format("{}: {}", backend, units.front().engine_state));
      continue;
    }
    accepting.push_back(backend);
    result = {backend, units};
  }
  if (accepting.size() == 1) return result;
  if (accepting.empty()) {
    return std::unexpected(
        fmt::format("no backend knows '{}' ({})", service.target, fmt::join(rejections, "; ")));
  }
  return std::unexpected(fmt::format("'{}' is known to several backends ({}); set backend explicitly",
                                     service.target, fmt::join(accepting, ", ")));
}

// One Observed per unit; group members get a service of their own.
void add_units(const ServicePtr& service, const std::string& backend, const std::vector<UnitStatus>& units,
               std::vector<Observed>& out) {
  for (const auto& unit : units) {
    if (unit.member_target.empty()) {
      out.push_back(Observed{service, Sighting{backend, unit, ""}});
      continue;
    }
    auto member = std::make_shared<ServiceConfig>(*service);
    member->name = unit.member_name;
    member->target = unit.member_target;
    member->backend = backend;
    out.push_back(Observed{std::move(member), Sighting{backend, unit, ""}});
  }
}

// Two services can reach one unit: a Compose project and one of its
// services, or a label and a container name. The unit is checked (and
// restarted) once: a service configured for it alone beats a group member,
// and otherwise the first one in the config does.
void drop_duplicate_units(std::vector<Observed>& observed) {
  auto identity = [](const Observed& entry) -> std::string {
    const auto& status = entry.sighting.status;
    if (!status || status->handles.empty()) return {};
    return entry.sighting.backend + "\n" + status->handles.front();
  };
  auto is_member = [](const Observed& entry) { return !entry.sighting.status->member_target.empty(); };
  std::map<std::string, std::size_t> owner;  // identity -> index of the entry that keeps the unit
  std::vector<bool> dropped(observed.size(), false);
  for (std::size_t i = 0; i < observed.size(); ++i) {
    std::string id = identity(observed[i]);
    if (id.empty()) continue;
    auto [it, first] = owner.emplace(id, i);
    if (first) continue;
    std::size_t kept = it->second;
    bool replace = is_member(observed[kept]) && !is_member(observed[i]);
    std::size_t loser = replace ? kept : i;
    if (replace) it->second = i;
    dropped[loser] = true;
    spdlog::debug("{}: the same unit as service {}; checked once", observed[loser].service->name,
                  observed[it->second].service->name);
  }
  // In place: a second vector would double the peak (0.55 MB at 1000 services).
  std::size_t kept = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    if (dropped[i]) continue;
    if (kept != i) observed[kept] = std::move(observed[i]);
    ++kept;
  }
  observed.erase(observed.begin() + static_cast<std::ptrdiff_t>(kept), observed.end());
}

}  // namespace

std::vector<Observed> observe_services(const std::vector<ServicePtr>& services, Backends& backends,
                                       Deadline deadline) {
  Answers answers;
  for (auto& [name, backend] : backends) {
    std::vector<std::string> targets;
    std::unordered_set<std::string_view> asked;  // each target once, in config order
    for (const auto& service : services) {
      if (uses(*service, name) && asked.insert(service->target).second) targets.push_back(service->target);
    }
    if (!targets.empty()) answers.emplace(name, backend->observe(targets, deadline));
  }

  std::vector<Observed> observed;
  observed.reserve(services.size());
  for (const auto& service : services) {
    if (service->backend == "none") {
      observed.push_back(Observed{service, Sighting{"none", std::nullopt, ""}});
    } else if (service->backend == "auto") {
      auto resolved = resolve_auto(*service, answers);
      if (resolved) {
        add_units(service, resolved->first, resolved->second, observed);
      } else {
        observed.push_back(Observed{service, Sighting{"", std::nullopt, resolved.error()}});
      }
    } else if (auto it = answers.find(service->backend); it == answers.end()) {
      observed.push_back(
          Observed{service, Sighting{service->backend, std::nullopt, "backend not available in this build"}});
    } else if (!it->second) {
      observed.push_back(Observed{service, Sighting{service->backend, std::nullopt, it->second.error()}});
    } else {
      add_units(service, service->backend, it->second->at(service->target), observed);
    }
  }
  drop_duplicate_units(observed);
  return observed;
}

}  // namespace pm
