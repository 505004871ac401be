#pragma once
// Per-service resource limits ([service.limits]): memory and CPU use as the
// service's engine reports them, acted on after `cycles` consecutive runs
// over the limit, as monit's "if memory > 1 GB for 3 cycles then restart".
// Pure functions of (limits, usage, what the previous runs left, now): the
// caller keeps LimitMemory between runs (the state file, beside the restart
// history) and turns a limit that acts into a verdict or a warning.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backend/unit_status.hpp"
#include "policy/wall_time.hpp"

namespace pm {

enum class LimitAction {
  Warn,     // reported, exit 1; never restarted for it
  Restart,  // judged unhealthy: restarted through the restart policy, as a failed health check
};

std::string_view to_string(LimitAction action);  // "warn", "restart"

enum class LimitResource { Memory, Cpu };

std::string_view to_string(LimitResource resource);  // "memory", "cpu"

struct ServiceLimits {
  std::optional<std::uint64_t> memory_bytes;  // unset: no memory limit
  int memory_cycles = 1;                      // consecutive runs over it before acting
  LimitAction memory_action = LimitAction::Restart;
  std::optional<double> cpu_ratio;  // 1.0 = one CPU busy; unset: no CPU limit
  int cpu_cycles = 3;               // CPU bursts are normal: act on a sustained load only
  LimitAction cpu_action = LimitAction::Warn;

  bool configured() const { return memory_bytes.has_value() || cpu_ratio.has_value(); }
  bool operator==(const ServiceLimits&) const = default;
};

// A reading of cumulative CPU time, to compute the share used until the next one.
struct CpuSample {
  std::uint64_t time_ns = 0;
  WallTime at{};
  bool operator==(const CpuSample&) const = default;
};

// What one run leaves to the next, per service.
struct LimitMemory {
  int memory_over = 0;  // consecutive runs over the memory limit, up to this one
  int cpu_over = 0;
  std::optional<CpuSample> cpu_sample;  // the engine's last cumulative CPU time
  bool operator==(const LimitMemory&) const = default;
};

// One limit as this run found it.
struct LimitReading {
  LimitResource resource = LimitResource::Memory;
  std::optional<double> value;  // bytes, or a CPU ratio; unset: not measured this run
  double limit = 0;
  int cycles_over = 0;  // consecutive runs over, this one included
  int cycles = 1;       // needed before acting
  LimitAction action = LimitAction::Warn;
  std::string note;          // why `value` is unset ("systemd reports no MemoryCurrent ...")
  bool unsupported = false;  // the engine reports nothing to check the limit against: a warning

  bool over() const { return value.has_value() && *value > limit; }
  bool acts() const { return over() && cycles_over >= cycles; }
};

struct LimitOutcome {
  std::vector<LimitReading> readings;  // one per configured limit: memory first
  LimitMemory next;                    // to keep for the next run
};

// The readings of `limits` against `use`, given what the previous run left.
// CPU: the engine's own share when it gives one (PM2), else the CPU time
// since the previous sample divided by the wall time between them; the
// first run, or a counter that went backwards (the unit restarted), gives
// no value yet. A run without a value leaves the count of runs over as it
// was. `backend` names the engine in notes.
LimitOutcome check_limits(const ServiceLimits& limits, const ResourceUse& use, const LimitMemory& previous,
                          WallTime now, std::string_view backend);

// "memory 612 MiB over the limit of 512 MiB for 3 runs" (acting) or
// "memory 612 MiB over the limit of 512 MiB (1 of 3 runs)"; "cpu 93% ...".
std::string describe(const LimitReading& reading);

}  // namespace pm
