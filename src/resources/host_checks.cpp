#include "resources/host_checks.hpp"

#include <fmt/format.h>

#include "resources/disk_usage.hpp"
#include "resources/proc_files.hpp"

namespace pm {
namespace {

using json = nlohmann::json;

std::int64_t unix_seconds(WallTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// The previous run's sample, from memory["cpu"] = {"busy", "total", "boot_time"?, "at"};
// nullopt when absent, malformed, taken within the same second (too few
// ticks to mean anything) or older than kMaxCpuSampleAge (an average over
// hours says little about now).
std::optional<CpuTimes> previous_sample(const json& memory, WallTime now) {
  if (!memory.is_object()) return std::nullopt;
  auto cpu = memory.find("cpu");
  if (cpu == memory.end() || !cpu->is_object()) return std::nullopt;
  const json& sample = *cpu;
  auto unsigned_at = [&](const char* key) {
    return sample.contains(key) && sample[key].is_number_unsigned();
  };
  if (!unsigned_at("busy") || !unsigned_at("total") || !sample.contains("at") ||
      !sample["at"].is_number_integer())
    return std::nullopt;
  const std::int64_t age = unix_seconds(now) - sample["at"].get<std::int64_t>();
  if (age < 1 || age > kMaxCpuSampleAge.count()) return std::nullopt;
  CpuTimes times{sample["busy"].get<std::uint64_t>(), sample["total"].get<std::uint64_t>(), std::nullopt};
  if (sample.contains("boot_time") && sample["boot_time"].is_number_integer())
    times.boot_time = sample["boot_time"].get<std::int64_t>();
  return times;
}

void remember_sample(json& memory, const CpuTimes& times, WallTime now) {
  if (!memory.is_object()) memory = json::object();
  json sample = {{"busy", times.busy}, {"total", times.total}, {"at", unix_seconds(now)}};
  if (times.boot_time) sample["boot_time"] = *times.boot_time;
  memory["cpu"] = std::move(sample);
}

ResourceCheck check_cpu(const Threshold& threshold, HostSource& host, json& memory, WallTime now) {
  auto read_times = [&]() -> std::expected<CpuTimes, std::string> {
    auto text = host.read_proc("stat");
    if (!text) return std::unexpected(text.error());
    return parse_proc_stat(*text);
  };
  auto current = read_times();
  if (!current) return unmeasured(ResourceKind::Cpu, "", current.error(), threshold);
  std::optional<double> busy;
  if (auto previous = previous_sample(memory, now)) busy = cpu_busy_ratio(*previous, *current);
  if (!busy) {
    // No usable previous run: a short sample of our own.
    host.wait(kFirstCpuSample);
    auto later = read_times();
    if (!later) return unmeasured(ResourceKind::Cpu, "", later.error(), threshold);
    busy = cpu_busy_ratio(*current, *later);
    current = later;
  }
  remember_sample(memory, *current, now);
  if (!busy)
    return unmeasured(ResourceKind::Cpu, "", "/proc/stat: the CPU counters did not advance", threshold);
  return measured(ResourceKind::Cpu, "", *busy, threshold);
}

ResourceCheck check_memory(const Threshold& threshold, HostSource& host) {
  auto text = host.read_proc("meminfo");
  auto info = text ? parse_meminfo(*text) : std::unexpected(text.error());
  if (!info) return unmeasured(ResourceKind::Memory, "", info.error(), threshold);
  return measured(ResourceKind::Memory, "", info->used_ratio(), threshold);
}

ResourceCheck check_load(const Threshold& threshold, HostSource& host) {
  auto text = host.read_proc("loadavg");
  auto load = text ? parse_loadavg(*text) : std::unexpected(text.error());
  if (!load) return unmeasured(ResourceKind::Load, "", load.error(), threshold);
  return measured(ResourceKind::Load, "", *load / host.online_cpus(), threshold);
}

void check_disk(const DiskThreshold& disk, HostSource& host, std::vector<ResourceCheck>& checks) {
  auto stats = host.stat_filesystem(disk.path);
  if (!stats) {
    checks.push_back(unmeasured(ResourceKind::Disk, disk.path, stats.error(), disk.used));
    checks.push_back(unmeasured(ResourceKind::Inodes, disk.path, stats.error(), disk.used));
    return;
  }
  DiskUsage usage = disk_usage(*stats);
  checks.push_back(measured(ResourceKind::Disk, disk.path, usage.blocks_used, disk.used));
  // A filesystem without inode counts cannot run out of them: no check.
  if (usage.inodes_used)
    checks.push_back(measured(ResourceKind::Inodes, disk.path, *usage.inodes_used, disk.used));
}

}  // namespace

std::vector<ResourceCheck> check_host(const ResourceSettings& settings, HostSource& host, json& memory,
                                      WallTime now) {
  std::vector<ResourceCheck> checks;
  if (settings.memory.configured()) checks.push_back(check_memory(settings.memory, host));
  if (settings.load.configured()) checks.push_back(check_load(settings.load, host));
  if (settings.cpu.configured()) checks.push_back(check_cpu(settings.cpu, host, memory, now));
  for (const auto& disk : settings.disks) check_disk(disk, host, checks);
  return checks;
}

}  // namespace pm
