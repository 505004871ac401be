#include <algorithm>

#include <fmt/format.h>

#include "config/text_rules.hpp"
#include "discover/engine_findings.hpp"

namespace pm {

EngineFindings pm2_findings(const std::vector<Pm2Process>& processes) {
  EngineFindings found = make_engine_findings("pm2", "pm2");
  std::vector<std::string> names;
  for (const auto& process : processes) names.push_back(process.name);
  std::ranges::sort(names);
  names.erase(std::unique(names.begin(), names.end()), names.end());
  StatusByTarget statuses = summarize_pm2_processes(processes, names);
  for (const auto& name : names) {
    const UnitStatus& status = statuses.at(name).front();
    Finding finding = make_finding("pm2", name, "pm2", {{"target", name}});
    finding.state = status.state;
    finding.engine_state = status.engine_state;
    if (status.handles.size() > 1) {
      finding.notes.push_back(
          fmt::format("{} instances (cluster): a restart restarts them all", status.handles.size()));
    }
    if (auto valid = check_service_name(name); !valid) {
      finding.not_monitored =
          fmt::format("its name cannot be a pm2 target: {}; rename the app in PM2", valid.error());
    }
    found.findings.push_back(std::move(finding));
  }
  return found;
}

}  // namespace pm
