#include "report/prometheus_metrics.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "report/report_fields.hpp"

namespace pm {
namespace {

// One metric family: its samples are written together, after HELP and TYPE,
// as the format requires.
struct Family {
  std::string_view name;
  std::string_view help;
  std::vector<std::string> samples;  // "{labels} value"
  std::string_view type = "gauge";
};

std::string labels_of(const ServiceResult& result) {
  return fmt::format("{{service=\"{}\",backend=\"{}\"}}", escape_label_value(result.service->name),
                     escape_label_value(reported_backend(result)));
}

// The restart history keeps only the restart times inside the budget window
// (ServiceHistory::restart_times): this count drops as restarts age out of
// the window, a gauge named _in_window. The lifetime count is
// ServiceHistory::restarts_total, the _total counter.
std::size_t restarts_in_window(const ServiceResult& result,
                               const std::map<std::string, ServiceHistory>& histories, WallTime now) {
  auto history = histories.find(result.service->name);
  if (history == histories.end()) return 0;
  const Duration window = result.service->policy.budget.window;
  return static_cast<std::size_t>(std::ranges::count_if(history->second.restart_times,
                                                        [&](WallTime time) { return time > now - window; }));
}

std::uint64_t restarts_total(const ServiceResult& result,
                             const std::map<std::string, ServiceHistory>& histories) {
  auto history = histories.find(result.service->name);
  return history == histories.end() ? 0 : history->second.restarts_total;
}

bool gave_up(const ServiceResult& result, const std::map<std::string, ServiceHistory>& histories) {
  auto history = histories.find(result.service->name);
  return history != histories.end() && history->second.gave_up;
}

void append(std::string& out, const Family& family) {
  if (family.samples.empty()) return;
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, family.help, family.name, family.type);
  for (const auto& sample : family.samples) out += fmt::format("{}{}\n", family.name, sample);
}

// The measured [resources] checks, one family per kind; a check that could
// not be measured has no sample (its exit code says so).
std::vector<Family> resource_families(const std::vector<ResourceCheck>& checks) {
  std::vector<Family> families{
      {"process_monitor_host_memory_used_ratio",
       "Share of MemTotal that is not MemAvailable (/proc/meminfo).",
       {}},
      {"process_monitor_host_load1_per_cpu", "The 1-minute load average divided by the online CPUs.", {}},
      {"process_monitor_host_cpu_busy_ratio",
       "Busy share of all CPUs' time since the previous run (/proc/stat; 200 ms on a first run).",
       {}},
      {"process_monitor_disk_used_ratio",
       "Share of the filesystem's blocks used, as df's Use% (reserved blocks count as used).",
       {}},
      {"process_monitor_disk_inodes_used_ratio", "Share of the filesystem's inodes used.", {}},
  };
  for (const auto& check : checks) {
    if (!check.value) continue;
    const std::string labels =
        check.path.empty() ? "" : fmt::format("{{path=\"{}\"}}", escape_label_value(check.path));
    families[static_cast<std::size_t>(check.kind)].samples.push_back(
        fmt::format("{} {}", labels, *check.value));
  }
  return families;
}

}  // namespace

std::string escape_label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_prometheus_metrics(const CycleResult& cycle,
                                      const std::map<std::string, ServiceHistory>& histories,
                                      WallTime finished_at) {
  Family up{"process_monitor_service_up",
            "Whether the service's engine reports it running (1) or not (0); absent when the engine "
            "could not be asked or the service has none.",
            {}};
  Family healthy{"process_monitor_service_healthy",
                 "Whether the service was fine when the run ended (1): healthy, allowed to be stopped, or "
                 "verified healthy after a restart.",
                 {}};
  Family probe_duration{
      "process_monitor_probe_duration_seconds", "Time of the health probe's last attempt in the run.", {}};
  Family probe_status{
      "process_monitor_probe_status_code", "HTTP status of the health probe's last attempt.", {}};
  Family restarts{"process_monitor_service_restarts_in_window",
                  "Restarts process-monitor made of the service within its restart_budget window (falls as "
                  "restarts leave the window; not a lifetime counter).",
                  {}};
  Family gave_up_family{"process_monitor_service_gave_up",
                        "Whether the service's restart budget is used up (1): no restarts until it recovers, "
                        "the window empties or process-monitor reset.",
                        {}};
  Family restarts_counter{"process_monitor_service_restarts_total",
                          "Restarts process-monitor decided for the service since its state file began.",
                          {},
                          "counter"};
  Family memory{
      "process_monitor_service_memory_bytes",
      "Memory the service's engine reports it using (PM2 monit, systemd MemoryCurrent, Docker stats "
      "less inactive page cache; Docker only for services with [service.limits]).",
      {}};
  Family cpu_ratio{"process_monitor_service_cpu_ratio",
                   "The service's CPU share, 1 = one CPU busy: PM2's own, else since the previous run "
                   "(services with a CPU limit).",
                   {}};
  Family cpu_seconds{"process_monitor_service_cpu_seconds_total",
                     "CPU time the service has used since it started (systemd CPUUsageNSec, Docker stats).",
                     {},
                     "counter"};
  for (const auto& result : cycle.services) {
    const std::string labels = labels_of(result);
    const auto& status = result.sighting.status;  // absent: the engine could not be asked, or backend "none"
    if (status && status->state == UnitState::Running) {
      const ResourceUse& use = status->usage;
      if (use.memory_bytes) memory.samples.push_back(fmt::format("{} {}", labels, *use.memory_bytes));
      if (use.cpu_time_ns)
        cpu_seconds.samples.push_back(
            fmt::format("{} {}", labels, static_cast<double>(*use.cpu_time_ns) / 1e9));
      std::optional<double> share = use.cpu_ratio;
      for (const auto& reading : result.limits) {
        if (reading.resource == LimitResource::Cpu && reading.value) share = reading.value;
      }
      if (share) cpu_ratio.samples.push_back(fmt::format("{} {}", labels, *share));
    }
    if (status)
      up.samples.push_back(fmt::format("{} {}", labels, status->state == UnitState::Running ? 1 : 0));
    const Verdict& last = result.final_verdict ? *result.final_verdict : result.verdict;
    healthy.samples.push_back(fmt::format("{} {}", labels, is_fine(last.health) ? 1 : 0));
    if (result.probe && result.probe->attempts > 0) {
      probe_duration.samples.push_back(fmt::format("{} {}", labels, decimal_seconds(result.probe->latency)));
      if (result.probe->status_code != 0)
        probe_status.samples.push_back(fmt::format("{} {}", labels, result.probe->status_code));
    }
    restarts.samples.push_back(
        fmt::format("{} {}", labels, restarts_in_window(result, histories, finished_at)));
    restarts_counter.samples.push_back(fmt::format("{} {}", labels, restarts_total(result, histories)));
    gave_up_family.samples.push_back(fmt::format("{} {}", labels, gave_up(result, histories) ? 1 : 0));
  }
  const auto finished_ms = std::chrono::duration_cast<Duration>(finished_at.time_since_epoch());
  const Family run_families[] = {
      {"process_monitor_last_run_timestamp_seconds",
       "When the last run ended, in unix time.",
       {" " + decimal_seconds(finished_ms)}},
      {"process_monitor_last_run_duration_seconds",
       "How long the last run's cycle took.",
       {" " + decimal_seconds(cycle.elapsed)}},
      {"process_monitor_last_run_exit_code",
       "The last run's exit code: 0 all fine, 1 restarted and recovered or a resource at its warn level, 2 "
       "still "
       "failing or a resource at its critical level.",
       {fmt::format(" {}", cycle.exit_code())}},
  };

  std::string out;
  for (const Family* family : {&up, &healthy, &probe_duration, &probe_status, &restarts, &restarts_counter,
                               &gave_up_family, &memory, &cpu_ratio, &cpu_seconds})
    append(out, *family);
  for (const auto& family : resource_families(cycle.resources)) append(out, family);
  for (const auto& family : run_families) append(out, family);
  return out;
}

}  // namespace pm
