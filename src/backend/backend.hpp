#pragma once
// The interface every backend (PM2, and later systemd and Docker) implements.
// A backend answers for ALL of its services in one round trip per cycle.
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "backend/unit_status.hpp"
#include "util/deadline.hpp"

namespace pm {

// Target (backend-side name or selector) -> the units it matches. A target
// that names one unit has exactly one entry (state Missing when the engine
// does not know it); a group selector has one entry per member, or a single
// Missing entry when nothing matches.
using StatusByTarget = std::map<std::string, std::vector<UnitStatus>, std::less<>>;

struct ServiceConfig;

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;

  // How an operator creates a unit this backend does not know ("pm2 start
  // APP, then pm2 save"): process-monitor restarts units, it never creates
  // them. Optional.
  virtual std::string_view create_hint() const { return {}; }

  // The status of every target in `targets`, in one query to the engine.
  // A target the engine does not know is present with state Missing.
  // Unexpected: the engine could not be asked or gave an answer that makes
  // no sense; the message says why and names the fix. It applies to every
  // target of this backend.
  virtual std::expected<StatusByTarget, std::string> observe(const std::vector<std::string>& targets,
                                                             Deadline deadline) = 0;

  // Fills in the usage (UnitStatus::usage) of `units`, running units from
  // this cycle's observe() whose service has a resource limit, where
  // observe() did not report it already. For engines that charge a call per
  // unit for it (Docker's stats), so only limited units pay. Unexpected:
  // why some units were left without usage. Optional: PM2 and systemd report
  // usage in observe() itself.
  virtual std::expected<void, std::string> measure(const std::vector<UnitStatus*>& units, Deadline deadline) {
    (void)units;
    (void)deadline;
    return {};
  }

  // Fills in the pids and restart count of `units`, units from this
  // backend's observe() with processes_known false, and sets it. For engines
  // whose list lacks them (Docker: one inspect each), so that only the units
  // verification watches pay: it tells a process that stays up from one
  // restarting in a loop by its pids. A unit gone since its observe() is
  // left as it was. Unexpected: why some units were left unknown. Optional.
  virtual std::expected<void, std::string> identify(const std::vector<UnitStatus*>& units,
                                                    Deadline deadline) {
    (void)units;
    (void)deadline;
    return {};
  }

  // Restarts `service` (starts it if it is stopped or failed); `last` is
  // its status from observe(). Returns what was done ("pm2 restart 3 4"),
  // or why it failed. Returns once the engine has accepted the restart; the
  // cycle verifies the result separately.
  virtual std::expected<std::string, std::string> restart(const ServiceConfig& service,
                                                          const UnitStatus& last, Deadline deadline) = 0;
};

}  // namespace pm
