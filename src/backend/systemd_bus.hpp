#pragma once
// One connection to a systemd service manager over D-Bus (sd-bus), with a
// deadline on everything. Why D-Bus and not `systemctl show`: one process
// start costs more than the whole batched query (measured in the closing
// note of the systemd backend), errors arrive typed (AccessDenied,
// UnitMasked, NoSuchUnit) instead of as text to parse, and a restart's job
// result comes from the job's own JobRemoved signal.
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/deadline.hpp"

struct sd_bus;
struct sd_bus_message;

namespace pm {

enum class SystemdScope { System, User };
std::string_view to_string(SystemdScope scope);

// The properties process-monitor reads of a unit. The first four come from
// ListUnitsByNames for every unit; the others only when read (SystemdReads).
struct SystemdUnitProperties {
  std::string id;               // the unit's canonical name
  std::string load_state;       // loaded, not-found, masked, bad-setting, error
  std::string active_state;     // active, reloading, inactive, failed, activating, deactivating
  std::string sub_state;        // running, exited, dead, failed, auto-restart, start-pre, ...
  std::string result;           // Service.Result: success, exit-code, signal, start-limit-hit, ...
  long n_restarts = -1;         // Service.NRestarts; -1 when absent (systemd < 235, or not a service)
  long main_pid = 0;            // Service.MainPID; 0 when none
  bool processes_read = false;  // MainPID (and NRestarts, where it exists) were read
  // Service.MemoryCurrent and CPUUsageNSec; unset when systemd reports none
  // (accounting off, no cgroup controller, or UINT64_MAX "[not set]").
  std::optional<std::uint64_t> memory_current;
  std::optional<std::uint64_t> cpu_usage_nsec;
};

// The groups of Service properties read beyond the listing, each only for
// the units that need it.
enum class SystemdReads {
  Result,     // Result: why a failed unit failed
  Processes,  // MainPID, NRestarts: to watch a restarted unit stay up
  Usage,      // MemoryCurrent, CPUUsageNSec: for resource limits
};

// A loaded unit as Manager.ListUnitsByPatterns lists it.
struct SystemdListedUnit {
  std::string name;          // "nginx.service"
  std::string load_state;    // loaded, not-found, masked, ...
  std::string active_state;  // active, failed, inactive, ...
  std::string sub_state;     // running, exited, dead, ...
};

// A unit file as Manager.ListUnitFilesByPatterns lists it.
struct SystemdUnitFile {
  std::string path;   // "/lib/systemd/system/nginx.service"; a template ends in "@.service"
  std::string state;  // "enabled", "enabled-runtime"
};

// What a manager runs and would start at boot, for discovery.
struct SystemdServiceListing {
  std::vector<SystemdListedUnit> units;        // every loaded *.service unit
  std::vector<SystemdUnitFile> enabled_files;  // every *.service unit file enabled (or enabled-runtime)
};

class SystemdBus {
 public:
  // Connects to the system manager (the system bus) or to the user manager
  // of the calling user ($DBUS_SESSION_BUS_ADDRESS, else
  // $XDG_RUNTIME_DIR/bus). Unexpected: no manager reachable; the message
  // says why and what to check.
  static std::expected<std::unique_ptr<SystemdBus>, std::string> connect(SystemdScope scope);
  ~SystemdBus();
  SystemdBus(const SystemdBus&) = delete;
  SystemdBus& operator=(const SystemdBus&) = delete;

  // Id, LoadState, ActiveState and SubState of every unit, by the name
  // asked for, in one ListUnitsByNames call however many units (a name the
  // manager does not know is listed "not-found"). Unexpected: the manager
  // stopped answering or refused, or its answer does not list each name
  // once.
  std::expected<std::map<std::string, SystemdUnitProperties>, std::string> list_units(
      const std::vector<std::string>& units, Deadline deadline);

  // The `group` properties of every unit, read with pipelined
  // Properties.Get calls on one connection (`window`: see PropertyReads).
  // A property a unit lacks stays unset. Unexpected: the manager stopped
  // answering, or answered a value of the wrong type.
  std::expected<std::map<std::string, SystemdUnitProperties>, std::string> read_units(
      const std::vector<std::string>& units, SystemdReads group, Deadline deadline,
      std::size_t window = kMaxReadsInFlight);
  static constexpr std::size_t kMaxReadsInFlight = 256;

  // The method calls sent on this connection so far (the round-trip test
  // counts them against a real manager).
  std::size_t calls_sent() const { return calls_sent_; }

  // The manager's service units and enabled service unit files, asked with
  // two pipelined calls (ListUnitsByPatterns, ListUnitFilesByPatterns): one
  // round trip. Unexpected: refused (the message names the fix), or no
  // answer by the deadline.
  std::expected<SystemdServiceListing, std::string> list_service_units(Deadline deadline);

  // RestartUnit(unit, "replace"), then waits for the job to finish. Returns
  // the job result ("done", "failed", "timeout", "canceled", "dependency",
  // "skipped"). Unexpected: the call was refused (permission, masked, not
  // found: each with the fix) or the deadline passed first.
  std::expected<std::string, std::string> restart_unit(const std::string& unit, Deadline deadline);

  // ResetFailedUnit(unit): clears the failed state and the start-limit counter.
  std::expected<void, std::string> reset_failed(const std::string& unit, Deadline deadline);

  // KillUnit(unit, "main", signal): sends `signal` to the unit's main
  // process only (log reopening; "all" would also signal its helpers).
  std::expected<void, std::string> kill_main_process(const std::string& unit, int signal, Deadline deadline);

 private:
  SystemdBus(sd_bus* bus, SystemdScope scope) : bus_(bus), scope_(scope) {}
  // Runs the bus until `done()` or the deadline; unexpected on timeout or a broken connection.
  template <typename Done>
  std::expected<void, std::string> pump(Done done, Deadline deadline, std::string_view waiting_for);

  // Sends `request` (built with status `built`: negative is an error; the
  // request is released either way) and runs the bus until its answer, the
  // deadline or a broken connection: never sd_bus_call, which waits for a
  // new connection's authentication without a limit (a manager that accepts
  // and never answers held `rotate`'s KillUnit forever). `read` reads a
  // successful answer (negative errno: it could not). Unexpected: the
  // refusal in words that name the fix, no answer in time, or an answer
  // that could not be read.
  std::expected<void, std::string> call(sd_bus_message* request, int built, std::string_view method,
                                        std::string_view unit, std::string_view action, Deadline deadline,
                                        const std::function<int(sd_bus_message*)>& read = {});

  sd_bus* bus_;
  SystemdScope scope_;
  std::size_t calls_sent_ = 0;
};

}  // namespace pm
