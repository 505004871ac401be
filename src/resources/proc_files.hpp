#pragma once
// Pure parsers of the kernel's /proc files the host checks read (proc(5)).
// They take the file's text, never a path, so tests feed recorded files.
// Unexpected: a one-line reason naming the file and what was wrong.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace pm {

struct MemoryInfo {
  std::uint64_t total_kib = 0;      // MemTotal
  std::uint64_t available_kib = 0;  // MemAvailable (kernel >= 3.14)
  // (total - available) / total, within [0, 1].
  double used_ratio() const;
};

// /proc/meminfo: needs MemTotal (> 0) and MemAvailable, both in kB.
std::expected<MemoryInfo, std::string> parse_meminfo(std::string_view text);

// /proc/loadavg: its first field, the 1-minute load average.
std::expected<double, std::string> parse_loadavg(std::string_view text);

// The aggregate "cpu" line of /proc/stat, in USER_HZ ticks summed over CPUs.
struct CpuTimes {
  std::uint64_t busy = 0;                 // user + nice + system + irq + softirq + steal
  std::uint64_t total = 0;                // busy + idle + iowait (guest time is inside user already)
  std::optional<std::int64_t> boot_time;  // "btime", unix seconds: tells a reboot
};

// /proc/stat: the "cpu" line needs at least its first four fields (user
// nice system idle); fields a kernel does not have count as 0.
std::expected<CpuTimes, std::string> parse_proc_stat(std::string_view text);

// The busy share of the CPU time between two samples, within [0, 1];
// nullopt when `later` is not after `earlier` (same ticks, counters that went
// back, another boot).
std::optional<double> cpu_busy_ratio(const CpuTimes& earlier, const CpuTimes& later);

}  // namespace pm
