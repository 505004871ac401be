#pragma once
// What a backend reports about one service, in backend-neutral terms.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pm {

enum class UnitState {
  Running,   // the engine says it runs (PM2 online)
  Starting,  // the engine is bringing it up (PM2 launching): not restarted on top
  Stopping,  // the engine is taking it down (PM2 stopping)
  Stopped,   // stopped on purpose (PM2 stopped)
  Failed,    // crashed or given up by the engine (PM2 errored, one-launch-status)
  Missing,   // the engine does not know this name
};

std::string_view to_string(UnitState state);

// What the engine says a running unit uses; each field is unset when the
// engine does not report it (PM2 reports memory and a CPU share, systemd
// MemoryCurrent and CPUUsageNSec when accounting is on, Docker its stats).
struct ResourceUse {
  std::optional<std::uint64_t> memory_bytes;  // resident memory, all instances together
  std::optional<double> cpu_ratio;            // the engine's own recent CPU share; 1.0 = one CPU busy
  std::optional<std::uint64_t> cpu_time_ns;   // CPU time used since the unit started, all instances
  bool operator==(const ResourceUse&) const = default;
};

struct UnitStatus;
// A unit the engine does not know; `why` says so in the engine's terms.
UnitStatus missing_unit(std::string why);

struct UnitStatus {
  UnitState state = UnitState::Missing;
  // The engine's own words: "online", "errored", "online 2/2", "not in pm2 list".
  std::string engine_state;
  std::vector<int> pids;   // main process id(s), when running
  long restart_count = 0;  // restarts the engine itself has counted
  // False when observe() left `pids` and `restart_count` out to spare a call
  // per unit (Docker: its list has neither; a running container is
  // inspected only when Backend::identify asks). Reports then show no pid
  // and no restart count.
  bool processes_known = true;
  // The engine's own health check of a running unit (Docker HEALTHCHECK):
  // "healthy", "unhealthy", "starting", or "" when it has none.
  std::string engine_health;
  std::string engine_health_detail;  // why it is unhealthy, when the engine says
  // Backend-private handles of the instances (PM2 pm_id, Docker container
  // id), used to restart exactly what was observed.
  std::vector<std::string> handles;
  // Set only when the target selects a group (a Docker label or Compose
  // project): this member's name in reports (its Compose service, else its
  // container name) and the exact target that names it alone, for restart
  // and verification.
  std::string member_name;
  std::string member_target;
  ResourceUse usage;  // when running and the engine reports it
};

}  // namespace pm
