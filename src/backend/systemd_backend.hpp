#pragma once
// systemd units, over D-Bus (systemd_bus.hpp): one pipelined property read
// per manager per cycle for every systemd service, RestartUnit jobs waited
// for until they finish.
#include <map>
#include <memory>

#include "backend/backend.hpp"
#include "backend/systemd_bus.hpp"
#include "config/config.hpp"

namespace pm {

class SystemdBackend : public Backend {
 public:
  explicit SystemdBackend(SystemdSettings settings);
  ~SystemdBackend() override;

  std::string_view name() const override { return "systemd"; }
  std::string_view create_hint() const override {
    return "install its unit file, then 'systemctl daemon-reload' and 'systemctl enable --now UNIT' (with "
           "--user for a user unit)";
  }
  // Unexpected when a manager a target needs cannot be reached: the message
  // names it (system or user) and what to check.
  std::expected<StatusByTarget, std::string> observe(const std::vector<std::string>& targets,
                                                     Deadline deadline) override;
  // A failed unit is reset-failed first (it may have hit its start limit;
  // the returned description says so); the restart job is waited for, and
  // any result but "done" is a failure naming the result.
  std::expected<std::string, std::string> restart(const ServiceConfig& service, const UnitStatus& last,
                                                  Deadline deadline) override;

  // The service units of the `scope` manager and its enabled service unit
  // files (discovery), in one round trip. Unexpected: the manager cannot be
  // reached or refused.
  std::expected<SystemdServiceListing, std::string> list_service_units(SystemdScope scope, Deadline deadline);

  // Sends `signal` to the main process of `target` ("unit" or
  // "user/unit"), e.g. to make it reopen its log. Returns what was done
  // ("systemctl kill -s 1 --kill-whom=main nginx.service").
  std::expected<std::string, std::string> signal_main_process(const std::string& target, int signal,
                                                              Deadline deadline);

 private:
  std::expected<SystemdBus*, std::string> bus(SystemdScope scope);

  SystemdSettings settings_;
  std::map<SystemdScope, std::unique_ptr<SystemdBus>> buses_;  // kept across cycles; dropped on error
};

}  // namespace pm
