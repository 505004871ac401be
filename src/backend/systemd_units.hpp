#pragma once
// From systemd's unit properties to process-monitor's neutral UnitStatus,
// and the target form that carries a unit's manager:
//   "backend-api.service"       a unit of the system manager
//   "user/backend-api.service"  a unit of the user manager
// ('/' cannot appear in a unit name, so the forms never collide.)
#include <string>
#include <string_view>

#include "backend/systemd_bus.hpp"
#include "backend/unit_status.hpp"

namespace pm {

struct SystemdTarget {
  SystemdScope scope = SystemdScope::System;
  std::string unit;
};

SystemdTarget parse_systemd_target(std::string_view target);
std::string format_systemd_target(SystemdScope scope, std::string_view unit);

// The neutral status of a unit:
//   LoadState not-found              -> Missing
//   masked                           -> Stopped ("masked"; a restart is refused with the fix)
//   active (running, exited, ...)    -> Running;  reloading -> Running
//   activating (incl. auto-restart)  -> Starting: systemd is acting, never restarted on top
//   deactivating                     -> Stopping
//   inactive                         -> Stopped;  failed -> Failed
// engine_state reads "active (running)", "failed (signal)",
// "activating (auto-restart)", "failed (start-limit-hit)", "not found".
// A running unit's usage is its MemoryCurrent and CPUUsageNSec, when set.
// Its pid (MainPID) and restart count (NRestarts) are known only when they
// were read (processes_read): a cycle lists units without them, and
// SystemdBackend::identify reads them for the units verification watches.
// Its handle is its target form (the manager's "user/" and the canonical
// Id), so a system and a user unit of one name stay two units.
UnitStatus systemd_unit_status(const SystemdUnitProperties& properties, SystemdScope scope);

// Sets `status`'s pids and restart count from MainPID and NRestarts, and
// processes_known, when `properties` has them (processes_read); else leaves
// it as it is. The caller clears the pids of a unit that is not running.
void apply_processes(const SystemdUnitProperties& properties, UnitStatus& status);
// Sets `status`'s usage from MemoryCurrent and CPUUsageNSec.
void apply_usage(const SystemdUnitProperties& properties, UnitStatus& status);

}  // namespace pm
