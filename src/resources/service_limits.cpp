#include "resources/service_limits.hpp"

#include <cmath>

#include <fmt/format.h>

namespace pm {
namespace {

// What the engine is asked for, in notes about a missing value.
std::string_view memory_source(std::string_view backend) {
  if (backend == "systemd") return "no MemoryCurrent (is MemoryAccounting on, with a memory cgroup?)";
  if (backend == "docker") return "no memory in the container's stats (no memory cgroup?)";
  if (backend == "pm2") return "no memory (monit) for every instance";
  return "no memory use";
}

std::string_view cpu_source(std::string_view backend) {
  if (backend == "systemd") return "no CPUUsageNSec (is CPUAccounting on?)";
  if (backend == "docker") return "no CPU time in the container's stats (no cpuacct cgroup?)";
  if (backend == "pm2") return "no CPU share (monit) for every instance";
  return "no CPU use";
}

std::string readable_bytes(double bytes) {
  constexpr double kMiB = 1024.0 * 1024.0;
  if (bytes >= 1024.0 * kMiB) return fmt::format("{:.1f} GiB", bytes / (1024.0 * kMiB));
  if (bytes >= kMiB) return fmt::format("{:.1f} MiB", bytes / kMiB);
  if (bytes >= 1024.0) return fmt::format("{:.0f} KiB", std::ceil(bytes / 1024.0));
  return fmt::format("{:.0f} B", bytes);
}

std::string readable(LimitResource resource, double value) {
  return resource == LimitResource::Memory ? readable_bytes(value) : fmt::format("{:.0f}%", value * 100.0);
}

// Counts runs over the limit: one more when over, back to 0 when under, the
// same when not measured (a missing sample neither starts nor breaks a run).
int next_count(int previous, const LimitReading& reading) {
  if (!reading.value) return previous;
  return reading.over() ? previous + 1 : 0;
}

void mark_unsupported(LimitReading& reading, std::string_view backend, std::string_view missing) {
  reading.note = fmt::format("{} reports {}", backend, missing);
  reading.unsupported = true;
}

// Counts `reading` onto the runs over its limit so far, adds it to
// `outcome`, and returns the new count.
int add_counted(LimitOutcome& outcome, LimitReading reading, int previous_over) {
  reading.cycles_over = next_count(previous_over, reading);
  outcome.readings.push_back(std::move(reading));
  return outcome.readings.back().cycles_over;
}

// The CPU share since `previous`, or why there is none yet.
std::optional<double> cpu_since(const std::optional<CpuSample>& previous, const CpuSample& now,
                                std::string& note) {
  if (!previous) {
    note = "first CPU sample; the share is known from the next run on";
    return std::nullopt;
  }
  if (now.time_ns < previous->time_ns) {
    note = "the unit restarted since the previous run; the share is known from the next run on";
    return std::nullopt;
  }
  auto wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.at - previous->at).count();
  if (wall_ns <= 0) {
    note = "the wall clock did not advance since the previous sample";
    return std::nullopt;
  }
  return static_cast<double>(now.time_ns - previous->time_ns) / static_cast<double>(wall_ns);
}

}  // namespace

std::string_view to_string(LimitAction action) { return action == LimitAction::Warn ? "warn" : "restart"; }

std::string_view to_string(LimitResource resource) {
  return resource == LimitResource::Memory ? "memory" : "cpu";
}

LimitOutcome check_limits(const ServiceLimits& limits, const ResourceUse& use, const LimitMemory& previous,
                          WallTime now, std::string_view backend) {
  LimitOutcome outcome;
  outcome.next = previous;
  if (use.cpu_time_ns) {
    outcome.next.cpu_sample = CpuSample{*use.cpu_time_ns, now};
  } else {
    outcome.next.cpu_sample.reset();
  }

  if (limits.memory_bytes) {
    LimitReading reading{LimitResource::Memory,
                         std::nullopt,
                         static_cast<double>(*limits.memory_bytes),
                         0,
                         limits.memory_cycles,
                         limits.memory_action,
                         ""};
    if (use.memory_bytes) {
      reading.value = static_cast<double>(*use.memory_bytes);
    } else {
      mark_unsupported(reading, backend, memory_source(backend));
    }
    outcome.next.memory_over = add_counted(outcome, std::move(reading), previous.memory_over);
  }
  if (limits.cpu_ratio) {
    LimitReading reading{
        LimitResource::Cpu, std::nullopt, *limits.cpu_ratio, 0, limits.cpu_cycles, limits.cpu_action, ""};
    if (use.cpu_ratio) {
      reading.value = *use.cpu_ratio;
    } else if (use.cpu_time_ns) {
      reading.value = cpu_since(previous.cpu_sample, CpuSample{*use.cpu_time_ns, now}, reading.note);
    } else {
      mark_unsupported(reading, backend, cpu_source(backend));
    }
    outcome.next.cpu_over = add_counted(outcome, std::move(reading), previous.cpu_over);
  }
  return outcome;
}

std::string describe(const LimitReading& reading) {
  std::string_view name = to_string(reading.resource);
  std::string limit = readable(reading.resource, reading.limit);
  if (!reading.value) return fmt::format("{} not measured: {}", name, reading.note);
  std::string value = readable(reading.resource, *reading.value);
  if (!reading.over()) return fmt::format("{} {} (limit {})", name, value, limit);
  if (reading.acts()) {
    return fmt::format("{} {} over the limit of {} for {} run{}", name, value, limit, reading.cycles_over,
                       reading.cycles_over == 1 ? "" : "s");
  }
  return fmt::format("{} {} over the limit of {} ({} of {} runs)", name, value, limit, reading.cycles_over,
                     reading.cycles);
}

}  // namespace pm
