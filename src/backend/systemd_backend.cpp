#include "backend/systemd_backend.hpp"

#include <string.h>

#include <fmt/format.h>

#include "backend/systemd_units.hpp"

namespace pm {

SystemdBackend::SystemdBackend(SystemdSettings settings) : settings_(settings) {}
SystemdBackend::~SystemdBackend() = default;

std::expected<SystemdBus*, std::string> SystemdBackend::bus(SystemdScope scope) {
  auto& slot = buses_[scope];
  if (!slot) {
    auto connected = SystemdBus::connect(scope);
    if (!connected) return std::unexpected(connected.error());
    slot = std::move(*connected);
  }
  return slot.get();
}

std::expected<StatusByTarget, std::string> SystemdBackend::observe(const std::vector<std::string>& targets,
                                                                   Deadline deadline) {
  std::map<SystemdScope, std::vector<std::string>> units_by_scope;
  for (const auto& target : targets) {
    SystemdTarget parsed = parse_systemd_target(target);
    units_by_scope[parsed.scope].push_back(parsed.unit);
  }
  StatusByTarget result;
  for (const auto& [scope, units] : units_by_scope) {
    auto connection = bus(scope);
    if (!connection) return std::unexpected(connection.error());
    auto listed = (*connection)->list_units(units, deadline.capped(settings_.timeout));
    if (!listed) {
      buses_.erase(scope);  // reconnect next time: the manager may have been re-executed
      return std::unexpected(listed.error());
    }
    // Why a failed unit failed (its Result) is not in the listing: read for those alone.
    std::vector<std::string> failed;
    for (const auto& [unit, properties] : *listed) {
      if (properties.active_state == "failed") failed.push_back(unit);
    }
    if (!failed.empty()) {
      auto results =
          (*connection)->read_units(failed, SystemdReads::Result, deadline.capped(settings_.timeout));
      if (!results) {
        buses_.erase(scope);
        return std::unexpected(results.error());
      }
      for (const auto& unit : failed) (*listed)[unit].result = std::move((*results)[unit].result);
    }
    for (const auto& unit : units) {
      result[format_systemd_target(scope, unit)] = {systemd_unit_status(listed->at(unit), scope)};
    }
  }
  return result;
}

template <typename Apply>
std::expected<void, std::string> SystemdBackend::read_for(const std::vector<UnitStatus*>& units,
                                                          SystemdReads group, Deadline deadline,
                                                          Apply apply) {
  std::map<SystemdScope, std::vector<std::pair<std::string, UnitStatus*>>> by_scope;
  for (UnitStatus* unit : units) {
    if (unit->handles.empty()) continue;
    SystemdTarget target = parse_systemd_target(unit->handles.front());
    by_scope[target.scope].emplace_back(std::move(target.unit), unit);
  }
  std::string failure;
  for (const auto& [scope, wanted] : by_scope) {
    auto connection = bus(scope);
    if (!connection) {
      failure = connection.error();
      continue;
    }
    std::vector<std::string> names;
    for (const auto& entry : wanted) names.push_back(entry.first);
    auto read = (*connection)->read_units(names, group, deadline.capped(settings_.timeout), read_window_);
    if (!read) {
      buses_.erase(scope);
      failure = read.error();
      continue;
    }
    for (const auto& [name, unit] : wanted) apply((*read)[name], *unit);
  }
  if (!failure.empty()) return std::unexpected(failure);
  return {};
}

std::expected<void, std::string> SystemdBackend::identify(const std::vector<UnitStatus*>& units,
                                                          Deadline deadline) {
  return read_for(units, SystemdReads::Processes, deadline,
                  [](const SystemdUnitProperties& properties, UnitStatus& status) {
                    apply_processes(properties, status);
                    if (status.state != UnitState::Running) status.pids.clear();
                  });
}

std::expected<void, std::string> SystemdBackend::measure(const std::vector<UnitStatus*>& units,
                                                         Deadline deadline) {
  return read_for(units, SystemdReads::Usage, deadline, apply_usage);
}

std::size_t SystemdBackend::calls_sent() const {
  std::size_t calls = 0;
  for (const auto& [scope, connection] : buses_) calls += connection->calls_sent();
  return calls;
}

std::expected<std::string, std::string> SystemdBackend::restart(const ServiceConfig& service,
                                                                const UnitStatus& last, Deadline deadline) {
  SystemdTarget target = parse_systemd_target(service.target);
  auto connection = bus(target.scope);
  if (!connection) return std::unexpected(connection.error());
  std::string systemctl = target.scope == SystemdScope::User ? "systemctl --user" : "systemctl";
  std::string done;
  // A failed unit may have hit its start limit, and then stays refused
  // until reset-failed. systemd shows that as Result=start-limit-hit only
  // when the limit was hit by starts; a unit that hit it by failing keeps
  // Result=exit-code. So every failed unit is reset first (harmless: it
  // clears the failed state and the start counter, as an operator would).
  if (last.state == UnitState::Failed) {
    auto reset = (*connection)->reset_failed(target.unit, deadline);
    if (!reset) return std::unexpected(reset.error());
    bool limit = last.engine_state.find("start-limit-hit") != std::string::npos;
    done =
        fmt::format("{} reset-failed {}{}, then ", systemctl, target.unit, limit ? " (start limit hit)" : "");
  }
  auto job = (*connection)->restart_unit(target.unit, deadline);
  if (!job) {
    buses_.erase(target.scope);
    return std::unexpected(done + job.error());
  }
  if (*job != "done") {
    return std::unexpected(
        fmt::format("{}{} restart {}: the job ended '{}'; see '{} status {}' and 'journalctl{} "
                    "-u {}'",
                    done, systemctl, target.unit, *job, systemctl, target.unit,
                    target.scope == SystemdScope::User ? " --user" : "", target.unit));
  }
  return fmt::format("{}{} restart {}", done, systemctl, target.unit);
}

std::expected<SystemdServiceListing, std::string> SystemdBackend::list_service_units(SystemdScope scope,
                                                                                     Deadline deadline) {
  auto connection = bus(scope);
  if (!connection) return std::unexpected(connection.error());
  auto listing = (*connection)->list_service_units(deadline.capped(settings_.timeout));
  if (!listing) buses_.erase(scope);
  return listing;
}

std::expected<std::string, std::string> SystemdBackend::signal_main_process(const std::string& target,
                                                                            int signal, Deadline deadline) {
  SystemdTarget parsed = parse_systemd_target(target);
  auto connection = bus(parsed.scope);
  if (!connection) return std::unexpected(connection.error());
  auto sent = (*connection)->kill_main_process(parsed.unit, signal, deadline.capped(settings_.timeout));
  if (!sent) {
    buses_.erase(parsed.scope);
    return std::unexpected(sent.error());
  }
  const char* name = sigabbrev_np(signal);
  return fmt::format("systemctl{} kill --kill-whom=main --signal=SIG{} {}",
                     parsed.scope == SystemdScope::User ? " --user" : "", name != nullptr ? name : "?",
                     parsed.unit);
}

}  // namespace pm
