#include "report/nagios_line.hpp"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/report_fields.hpp"
#include "report/text_report.hpp"

namespace pm {
namespace {

// Nagios splits the plugin output at the first '|' and at line breaks.
std::string plain_text(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '|') c = '/';
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// "disk /var 93% critical", "cpu unknown: cannot read /proc/stat: ...": the checks that are not ok.
std::vector<std::string> resource_problems(const std::vector<ResourceCheck>& checks) {
  std::vector<std::string> problems;
  for (const auto& check : checks) {
    if (check.level == ResourceLevel::Ok) continue;
    problems.push_back(check.value
                           ? fmt::format("{} {} {}", check_name(check),
                                         format_level_value(check, *check.value), to_string(check.level))
                           : fmt::format("{} unknown: {}", check_name(check), check.error));
  }
  return problems;
}

// 'memory'=41%;80;90;0;100 or 'load1_per_cpu'=0.35;1.5;3;0: levels in the value's unit.
std::string resource_perfdata(const ResourceCheck& check) {
  const std::string label = check.kind == ResourceKind::Load ? "load1_per_cpu" : check_name(check);
  auto level = [&](const std::optional<double>& value) {
    if (!value) return std::string();
    std::string text = format_level_value(check, *value);
    return check.is_percent() ? text.substr(0, text.size() - 1) : text;  // the unit only on the value
  };
  return fmt::format("{}={};{};{};0{}", nagios_label(label), format_level_value(check, *check.value),
                     level(check.threshold.warn), level(check.threshold.critical),
                     check.is_percent() ? ";100" : "");
}

std::string summary_of(const CycleResult& cycle) {
  std::vector<std::string> failing;
  std::vector<std::string> recovered;
  for (const auto& result : cycle.services) {
    const int code = service_exit_code(result);
    if (code == 2) failing.push_back(fmt::format("{} ({})", result.service->name, describe_outcome(result)));
    if (code == 1) recovered.push_back(result.service->name);
  }
  std::vector<std::string> parts;
  if (!failing.empty()) parts.push_back(fmt::format("failing: {}", fmt::join(failing, ", ")));
  if (!recovered.empty())
    parts.push_back(fmt::format("restarted and recovered: {}", fmt::join(recovered, ", ")));
  if (auto problems = resource_problems(cycle.resources); !problems.empty())
    parts.push_back(fmt::format("resources: {}", fmt::join(problems, ", ")));
  const std::size_t total = cycle.services.size();
  if (total == 0 && !cycle.resources.empty()) {
    if (parts.empty())
      parts.push_back(fmt::format("{} resource check{} OK", cycle.resources.size(),
                                  cycle.resources.size() == 1 ? "" : "s"));
  } else if (total == 0) {
    parts.emplace_back("no service checked");
  } else if (failing.empty()) {
    parts.push_back(fmt::format("{} service{} OK", total, total == 1 ? "" : "s"));
  } else {
    parts.push_back(fmt::format("{} of {} services OK", total - failing.size(), total));
  }
  if (cycle.deadline_reached) parts.emplace_back("run deadline reached");
  if (cycle.interrupted) parts.emplace_back("interrupted");
  return plain_text(fmt::format("{}", fmt::join(parts, "; ")));
}

std::string perfdata_of(const CycleResult& cycle) {
  std::vector<std::string> values;
  int failing = 0;
  int recovered = 0;
  for (const auto& result : cycle.services) {
    if (result.probe && result.probe->attempts > 0)
      values.push_back(fmt::format("{}={}s;;;0", nagios_label(result.service->name + "_probe"),
                                   decimal_seconds(result.probe->latency)));
    const int code = service_exit_code(result);
    failing += code == 2 ? 1 : 0;
    recovered += code == 1 ? 1 : 0;
  }
  for (const auto& check : cycle.resources) {
    if (check.value) values.push_back(resource_perfdata(check));
  }
  values.push_back(fmt::format("'services'={};;;0", cycle.services.size()));
  values.push_back(fmt::format("'failing'={};;;0", failing));
  values.push_back(fmt::format("'recovered'={};;;0", recovered));
  values.push_back(fmt::format("'duration'={}s;;;0", decimal_seconds(cycle.elapsed)));
  return fmt::format("{}", fmt::join(values, " "));
}

}  // namespace

std::string_view nagios_status(int exit_code) {
  switch (exit_code) {
    case 0: return "OK";
    case 1: return "WARNING";
    case 2: return "CRITICAL";
    default: return "UNKNOWN";
  }
}

std::string nagios_label(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
      case '\'': out += "''"; break;
      case '=': out += '_'; break;
      case '\n':
      case '\r':
      case '|': out += ' '; break;
      default: out += c;
    }
  }
  return out + "'";
}

std::string render_nagios_line(const CycleResult& cycle) {
  return fmt::format("PROCESS-MONITOR {} - {} | {}\n", nagios_status(cycle.exit_code()), summary_of(cycle),
                     perfdata_of(cycle));
}

std::string render_nagios_unknown(std::string_view why) {
  return fmt::format("PROCESS-MONITOR UNKNOWN - {}\n", plain_text(why));
}

}  // namespace pm
