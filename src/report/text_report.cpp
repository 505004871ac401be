#include "report/text_report.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "report/report_fields.hpp"

namespace pm {
namespace {

using Row = std::vector<std::string>;

// Columns padded to their widest cell (at most 40: long errors do not push
// the last column off screen); the last column is not padded.
std::string render_table(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c + 1 < row.size(); ++c)
      widths[c] = std::max(widths[c], std::min<std::size_t>(row[c].size(), 40));
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string cell = row[c];
      if (c + 1 < row.size() && cell.size() > widths[c]) cell = cell.substr(0, widths[c] - 3) + "...";
      out += c + 1 < row.size() ? fmt::format("{:<{}}  ", cell, widths[c]) : cell;
    }
    out += "\n";
  }
  return out;
}

Row resource_row(const ResourceCheck& check) {
  auto level = [&](const std::optional<double>& value) {
    return value ? format_level_value(check, *value) : std::string("-");
  };
  std::string result(to_string(check.level));
  if (!check.error.empty()) result += ": " + check.error;
  return Row{check_name(check), level(check.value), level(check.threshold.warn),
             level(check.threshold.critical), result};
}

std::string state_cell(const ServiceResult& result) {
  if (result.sighting.status) return result.sighting.status->engine_state;
  if (result.service->backend == "none") return "-";
  return "unreachable";
}

std::string health_cell(const ServiceResult& result) {
  if (!result.probe) return "-";
  const ProbeResult& probe = *result.probe;
  if (probe.healthy) return fmt::format("ok {}", probe.status_code);
  return probe.error;
}

std::string latency_cell(const ServiceResult& result) {
  if (!result.probe || result.probe->attempts == 0) return "-";
  auto ms = result.probe->latency.count();
  return ms == 0 ? "<1ms" : fmt::format("{}ms", ms);
}

}  // namespace

namespace {

// What was done, without the limits' notes.
std::string describe_action(const ServiceResult& result) {
  // The reason for an unhealthy or down service is in the STATE and HEALTH
  // columns already; this says what was done about it.
  std::string_view health = to_string(result.verdict.health);
  const auto& final_verdict = result.final_verdict;
  bool fine_now = final_verdict && is_fine(final_verdict->health);
  std::string settled = format_duration(result.settled_after);
  switch (result.action) {
    case Action::None:
      if (result.verdict.health == Health::Healthy) return "ok";
      if (result.verdict.health == Health::StoppedOk) return "stopped (allowed)";
      if (!result.action_detail.empty()) return fmt::format("{}: {}", health, result.action_detail);
      return fmt::format("{}: {}", health, result.verdict.reason);
    case Action::WouldRestart: return fmt::format("{}; would restart (--dry-run)", health);
    case Action::Wait:
      if (fine_now) return fmt::format("was starting, ok after {}", settled);
      return fmt::format("{}", final_verdict ? final_verdict->reason : "not verified");
    case Action::Restart:
      if (result.action_failed) return fmt::format("{}; restart failed: {}", health, result.action_detail);
      if (fine_now)
        return fmt::format("{}; restarted, {} after {}", health, to_string(final_verdict->health), settled);
      return fmt::format("{}; restarted, {}", health, final_verdict ? final_verdict->reason : "not verified");
  }
  return "";
}

}  // namespace

std::string describe_outcome(const ServiceResult& result) {
  std::string out = describe_action(result);
  for (const auto& reading : result.limits) {
    // Without an action the text above holds the verdict's reason, which
    // names a limit that made the service unhealthy already.
    bool in_reason =
        reading.acts() && reading.action == LimitAction::Restart && result.action == Action::None;
    if (in_reason || !(reading.over() || reading.unsupported)) continue;
    out += "; " + describe(reading);
    if (reading.acts() && reading.action == LimitAction::Warn) out += " (warn)";
  }
  return out;
}

std::string render_text_report(const CycleResult& cycle) {
  std::string out;
  if (!cycle.services.empty() || cycle.resources.empty()) {
    std::vector<Row> rows;
    rows.push_back(Row{"SERVICE", "BACKEND", "STATE", "HEALTH", "LATENCY", "RESULT"});
    for (const auto& result : cycle.services) {
      rows.push_back(Row{result.service->name, reported_backend(result), state_cell(result),
                         health_cell(result), latency_cell(result), describe_outcome(result)});
    }
    out += render_table(rows);
  }
  if (cycle.resources.empty()) return out;
  if (!out.empty()) out += "\n";
  std::vector<Row> rows;
  rows.push_back(Row{"RESOURCE", "VALUE", "WARN", "CRITICAL", "RESULT"});
  for (const auto& check : cycle.resources) rows.push_back(resource_row(check));
  return out + render_table(rows);
}

}  // namespace pm
