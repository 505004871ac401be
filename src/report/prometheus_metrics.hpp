#pragma once
// The --metrics-file content: one run in the Prometheus text exposition
// format (0.0.4), for node_exporter's textfile collector. Pure rendering:
// the cycle and the restart histories come in, text comes out.
//
// Per service of the run, labelled {service="...",backend="..."}, all gauges:
//   process_monitor_service_up                  1 the engine says it runs, 0 it does not; absent
//                                               when the engine could not be asked or there is
//                                               none (backend "none")
//   process_monitor_service_healthy             1 fine when the run ended (healthy, stopped where
//                                               expect = "any" allows it, or verified after a
//                                               restart), 0 not
//   process_monitor_probe_duration_seconds      the health probe's (last attempt's) time; absent
//                                               when no probe ran
//   process_monitor_probe_status_code           its HTTP status; absent when no HTTP answer came
//   process_monitor_service_restarts_in_window  restarts process-monitor made within the service's
//                                               restart_budget window (see the .cpp: not a counter)
//   process_monitor_service_gave_up             1 the restart budget is used up, 0 not
// Per [resources] check that was measured (ratios 0-1), absent otherwise:
//   process_monitor_host_memory_used_ratio      (MemTotal - MemAvailable) / MemTotal
//   process_monitor_host_load1_per_cpu          1-minute load average / online CPUs
//   process_monitor_host_cpu_busy_ratio         busy CPU time since the previous run
//   process_monitor_disk_used_ratio{path}       blocks used, as df's Use%
//   process_monitor_disk_inodes_used_ratio{path} inodes used
// Per run, without labels:
//   process_monitor_last_run_timestamp_seconds  when the run ended (unix time)
//   process_monitor_last_run_duration_seconds   how long the cycle took
//   process_monitor_last_run_exit_code          0, 1 or 2, as the process exits (resources included)
// Label values are escaped (backslash, double quote, newline); each family
// has HELP and TYPE lines and its samples together, families with no sample
// are left out. Metric names never change within a release series.
#include <map>
#include <string>

#include "core/cycle_result.hpp"
#include "policy/service_history.hpp"

namespace pm {

// `histories` are the restart histories after the cycle, by service name (the
// state file's); a service without one has made no restart. `finished_at` is
// when the run ended.
std::string render_prometheus_metrics(const CycleResult& cycle,
                                      const std::map<std::string, ServiceHistory>& histories,
                                      WallTime finished_at);

// `text` as a label value: \ -> \\, " -> \", newline -> \n.
std::string escape_label_value(std::string_view text);

}  // namespace pm
