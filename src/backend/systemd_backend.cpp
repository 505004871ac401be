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
    auto properties = (*connection)->read_units(units, deadline.capped(settings_.timeout));
    if (!properties) {
      buses_.erase(scope);  // reconnect next time: the manager may have been re-executed
      return std::unexpected(properties.error());
    }
    for (const auto& unit : units) {
      result[format_systemd_target(scope, unit)] = {systemd_unit_status(properties->at(unit))};
    }
  }
  return result;
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
