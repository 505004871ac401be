#include "report/text_report.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace pm {
namespace {

constexpr std::size_t kColumns = 6;
using Row = std::array<std::string, kColumns>;

std::string state_cell(const ServiceResult& result) {
  if (result.sighting.status) return result.sighting.status->engine_state;
  if (result.service->backend == "none") return "-";
  return "unreachable";
}

std::string health_cell(const ServiceResult& result) {
  if (!result.probe) return result.service->health ? "not probed" : "-";
  const ProbeResult& probe = *result.probe;
  if (probe.healthy) return fmt::format("ok {}", probe.status_code);
  return probe.error;
}

std::string latency_cell(const ServiceResult& result) {
  if (!result.probe || result.probe->attempts == 0) return "-";
  return format_duration(result.probe->latency);
}

}  // namespace

std::string describe_outcome(const ServiceResult& result) {
  const Verdict& first = result.verdict;
  auto settled = [&] { return format_duration(result.settled_after); };
  switch (result.action) {
    case Action::None:
      if (is_fine(first.health)) return first.health == Health::StoppedOk ? "stopped (allowed)" : "ok";
      if (!result.action_detail.empty())
        return fmt::format("{}: {}; {}", to_string(first.health), first.reason, result.action_detail);
      return fmt::format("{}: {}", to_string(first.health), first.reason);
    case Action::WouldRestart:
      return fmt::format("{}: {}; would restart (--dry-run)", to_string(first.health), first.reason);
    case Action::Wait:
      if (result.final_verdict && is_fine(result.final_verdict->health))
        return fmt::format("was starting, ok after {}", settled());
      return fmt::format("was starting; {}",
                         result.final_verdict ? result.final_verdict->reason : "not verified");
    case Action::Restart:
      if (result.action_failed)
        return fmt::format("{}: {}; restart failed: {}", to_string(first.health), first.reason,
                           result.action_detail);
      if (result.final_verdict && is_fine(result.final_verdict->health)) {
        return fmt::format("{}: {}; restarted, {} after {}", to_string(first.health), first.reason,
                           to_string(result.final_verdict->health), settled());
      }
      return fmt::format("{}: {}; restarted, {}", to_string(first.health), first.reason,
                         result.final_verdict ? result.final_verdict->reason : "not verified");
  }
  return "";
}

std::string render_text_report(const CycleResult& cycle) {
  std::vector<Row> rows;
  rows.push_back(Row{"SERVICE", "BACKEND", "STATE", "HEALTH", "LATENCY", "RESULT"});
  for (const auto& result : cycle.services) {
    std::string backend = result.sighting.backend.empty() ? result.service->backend : result.sighting.backend;
    rows.push_back(Row{result.service->name, backend, state_cell(result), health_cell(result),
                       latency_cell(result), describe_outcome(result)});
  }
  std::array<std::size_t, kColumns> widths{};
  for (const auto& row : rows) {
    // The last column is not padded; HEALTH is capped so long errors do not push RESULT off screen.
    for (std::size_t c = 0; c + 1 < kColumns; ++c)
      widths[c] = std::max(widths[c], std::min<std::size_t>(row[c].size(), 40));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < kColumns; ++c) {
      std::string cell = row[c];
      if (c + 1 < kColumns && cell.size() > widths[c]) cell = cell.substr(0, widths[c] - 3) + "...";
      line += c + 1 < kColumns ? fmt::format("{:<{}}  ", cell, widths[c]) : cell;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace pm
