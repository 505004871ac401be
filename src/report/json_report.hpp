#pragma once
// The --json report. Schema version 1, documented field by field in
// schema/report-v1.schema.json (which the tests validate real output with):
// {
//   "schema_version": 1, "exit_code": 0..2, "elapsed_ms": N,
//   "interrupted": bool, "deadline_reached": bool, "dry_run": bool,
//   "services": [{
//     "name", "backend", "target",
//     "state": "running|starting|stopping|stopped|failed|missing" | null,
//     "engine_state": "online" | null, "engine_error": "..." | null,
//     "pids": [..], "restart_count": N | null,
//     "probe": {"healthy", "status_code", "latency_ms", "attempts", "error"} | null,
//     "health": "healthy|stopped|starting|unhealthy|down|unknown", "reason",
//     "policy": "the restart policy's note (grace, backoff, gave up), or empty",
//     "action": "none|restart|would-restart|wait", "action_detail", "action_failed",
//     "final_health": ... | null, "final_reason": ... | null, "settled_ms": N | null,
//     "exit_code": 0..2, "summary": "the RESULT column of the text report"
//   }],
//   "resources": {                      // only when [resources] has a threshold
//     "exit_code": 0..2, "checks": [{
//       "check": "memory|load|cpu|disk|inodes", "path": "/var" | null,
//       "unit": "ratio|load_per_cpu", "value": N | null, "warn": N | null, "critical": N | null,
//       "level": "ok|warn|critical|unknown", "error": "..." | null
//     }]
//   }
// }
// Fields are only ever added within a schema version, and added to the
// schema file with them (it rejects unknown fields).
#include <string>

#include "core/cycle_result.hpp"

namespace pm {

inline constexpr int kJsonSchemaVersion = 1;

std::string render_json_report(const CycleResult& cycle, bool dry_run);

}  // namespace pm
