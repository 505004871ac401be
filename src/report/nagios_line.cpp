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
  const std::size_t total = cycle.services.size();
  if (total == 0) {
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

}  // namespace pm
