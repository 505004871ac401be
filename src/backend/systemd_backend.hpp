#pragma once
// systemd units, over D-Bus (systemd_bus.hpp): one ListUnitsByNames call
// per manager per cycle for every systemd service (plus the Result of the
// failed ones), Service properties read only for the units that need them
// (identify, measure), RestartUnit jobs waited for until they finish.
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
  // names it (system or user) and what to check. Units come without pids
  // and restart count (processes_known false), and without usage.
  std::expected<StatusByTarget, std::string> observe(const std::vector<std::string>& targets,
                                                     Deadline deadline) override;
  // MainPID and NRestarts of `units`, pipelined on each manager's connection.
  std::expected<void, std::string> identify(const std::vector<UnitStatus*>& units,
                                            Deadline deadline) override;
  // MemoryCurrent and CPUUsageNSec of `units`, likewise.
  std::expected<void, std::string> measure(const std::vector<UnitStatus*>& units, Deadline deadline) override;
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

  // The D-Bus method calls sent on the open connections (the round-trip
  // test counts them against a real manager).
  std::size_t calls_sent() const;
  // At most `window` property reads out at once (tests: to cross the window
  // with few units).
  void set_read_window(std::size_t window) { read_window_ = window; }

 private:
  std::expected<SystemdBus*, std::string> bus(SystemdScope scope);
  // Reads `group` of `units` (their handles name unit and manager) and
  // applies each unit's properties to it; the first failure, after trying
  // every manager.
  template <typename Apply>
  std::expected<void, std::string> read_for(const std::vector<UnitStatus*>& units, SystemdReads group,
                                            Deadline deadline, Apply apply);

  SystemdSettings settings_;
  std::map<SystemdScope, std::unique_ptr<SystemdBus>> buses_;  // kept across cycles; dropped on error
  std::size_t read_window_ = SystemdBus::kMaxReadsInFlight;
};

}  // namespace pm
