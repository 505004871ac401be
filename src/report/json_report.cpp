#include "report/json_report.hpp"

#include <nlohmann/json.hpp>

#include "report/report_fields.hpp"
#include "report/text_report.hpp"

namespace pm {
namespace {

// Ordered: keys appear in the order written here, the schema's order.
using json = nlohmann::ordered_json;

json optional_number(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

template <typename Number>
json optional_count(const std::optional<Number>& value) {
  return value ? json(*value) : json(nullptr);
}

json usage_json(const ServiceResult& result) {
  const auto& status = result.sighting.status;
  if (!status || status->state != UnitState::Running) return nullptr;
  const ResourceUse& use = status->usage;
  return {{"memory_bytes", optional_count(use.memory_bytes)},
          {"cpu_ratio", optional_number(use.cpu_ratio)},
          {"cpu_time_ns", optional_count(use.cpu_time_ns)}};
}

json limit_json(const LimitReading& reading) {
  bool memory = reading.resource == LimitResource::Memory;
  json value = reading.value
                   ? (memory ? json(static_cast<std::uint64_t>(*reading.value)) : json(*reading.value))
                   : json(nullptr);
  return {{"resource", to_string(reading.resource)},
          {"value", std::move(value)},
          {"limit", memory ? json(static_cast<std::uint64_t>(reading.limit)) : json(reading.limit)},
          {"unit", memory ? "bytes" : "cpu_ratio"},
          {"cycles_over", reading.cycles_over},
          {"cycles", reading.cycles},
          {"action", to_string(reading.action)},
          {"over", reading.over()},
          {"acts", reading.acts()},
          {"note", reading.note.empty() ? json(nullptr) : json(reading.note)}};
}

json service_json(const ServiceResult& result) {
  json out;
  out["name"] = result.service->name;
  out["backend"] = reported_backend(result);
  out["target"] = result.service->target;
  const auto& status = result.sighting.status;
  out["state"] = status ? json(to_string(status->state)) : json(nullptr);
  out["engine_state"] = status ? json(status->engine_state) : json(nullptr);
  out["engine_error"] = result.sighting.error.empty() ? json(nullptr) : json(result.sighting.error);
  out["pids"] = status ? json(status->pids) : json::array();
  out["restart_count"] = status && status->processes_known ? json(status->restart_count) : json(nullptr);
  if (result.probe) {
    out["probe"] = {{"healthy", result.probe->healthy},
                    {"status_code", result.probe->status_code},
                    {"latency_ms", result.probe->latency.count()},
                    {"attempts", result.probe->attempts},
                    {"error", result.probe->error}};
  } else {
    out["probe"] = nullptr;
  }
  out["health"] = to_string(result.verdict.health);
  out["reason"] = result.verdict.reason;
  out["policy"] = result.policy_note;
  out["action"] = to_string(result.action);
  out["action_detail"] = result.action_detail;
  out["action_failed"] = result.action_failed;
  const auto& final_verdict = result.final_verdict;
  out["final_health"] = final_verdict ? json(to_string(final_verdict->health)) : json(nullptr);
  out["final_reason"] = final_verdict ? json(final_verdict->reason) : json(nullptr);
  out["settled_ms"] = final_verdict ? json(result.settled_after.count()) : json(nullptr);
  out["exit_code"] = service_exit_code(result);
  out["summary"] = describe_outcome(result);
  out["usage"] = usage_json(result);
  out["limits"] = json::array();
  for (const auto& reading : result.limits) out["limits"].push_back(limit_json(reading));
  return out;
}

json resources_json(const std::vector<ResourceCheck>& checks) {
  json list = json::array();
  for (const auto& check : checks) {
    list.push_back({{"check", to_string(check.kind)},
                    {"path", check.path.empty() ? json(nullptr) : json(check.path)},
                    {"unit", check.is_percent() ? "ratio" : "load_per_cpu"},
                    {"value", optional_number(check.value)},
                    {"warn", optional_number(check.threshold.warn)},
                    {"critical", optional_number(check.threshold.critical)},
                    {"level", to_string(check.level)},
                    {"error", check.error.empty() ? json(nullptr) : json(check.error)}});
  }
  return {{"exit_code", resources_exit_code(checks)}, {"checks", std::move(list)}};
}

}  // namespace

std::string render_json_report(const CycleResult& cycle, bool dry_run) {
  json out;
  out["schema_version"] = kJsonSchemaVersion;
  out["exit_code"] = cycle.exit_code();
  out["elapsed_ms"] = cycle.elapsed.count();
  out["interrupted"] = cycle.interrupted;
  out["deadline_reached"] = cycle.deadline_reached;
  out["dry_run"] = dry_run;
  out["services"] = json::array();
  for (const auto& result : cycle.services) out["services"].push_back(service_json(result));
  if (!cycle.resources.empty()) out["resources"] = resources_json(cycle.resources);
  return out.dump(2) + "\n";
}

}  // namespace pm
