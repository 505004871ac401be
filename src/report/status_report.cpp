#include "report/status_report.hpp"

#include <algorithm>
#include <array>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pm {
namespace {

using json = nlohmann::ordered_json;

// What a row says, as of `now`: the history read the way the next run will.
struct View {
  std::string state = "unknown";
  int failures = 0;
  std::size_t restarts = 0;
  bool paused = false;
  bool gave_up = false;
  std::optional<WallTime> last_restart, next_restart, grace_until, paused_until, gave_up_at, resumes_at,
      last_seen;
};

View view_of(const StatusEntry& entry, WallTime now) {
  View view;
  if (!entry.history) return view;
  const ServiceHistory& history = *entry.history;
  const auto& policy = entry.policy;
  view.state = to_string(history.last_state);
  view.failures = history.consecutive_failures;
  view.restarts = policy ? std::ranges::count_if(history.restart_times,
                                                 [&](WallTime t) { return t > now - policy->budget.window; })
                         : history.restart_times.size();
  view.last_restart = history.last_restart;
  view.last_seen = history.last_seen;
  view.gave_up = history.gave_up;
  view.gave_up_at = history.gave_up_at;
  // A pause that has ended, a past backoff or grace: the next run ignores them.
  view.paused = history.paused && (!history.paused_until || *history.paused_until > now);
  if (view.paused) view.paused_until = history.paused_until;
  if (!history.gave_up && history.next_restart_at > now) view.next_restart = history.next_restart_at;
  if (policy && history.last_restart && *history.last_restart + policy->grace > now)
    view.grace_until = *history.last_restart + policy->grace;
  if (policy && history.gave_up && !policy->budget.unlimited && !history.restart_times.empty())
    view.resumes_at = history.restart_times.back() + policy->budget.window;
  return view;
}

std::string iso_time(WallTime time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(WallClock::to_time_t(std::chrono::floor<std::chrono::seconds>(time))));
}

json json_time(const std::optional<WallTime>& time) { return time ? json(iso_time(*time)) : json(nullptr); }

std::string restarts_cell(const StatusEntry& entry, const View& view) {
  if (!entry.policy) return std::to_string(view.restarts);
  const RestartBudget& budget = entry.policy->budget;
  if (budget.unlimited)
    return fmt::format("{} in {} (unlimited)", view.restarts, format_duration(budget.window));
  return fmt::format("{} of {} per {}", view.restarts, budget.count, format_duration(budget.window));
}

std::string notes_cell(const StatusEntry& entry, const View& view, WallTime now) {
  std::vector<std::string> notes;
  if (!entry.history || !entry.history->last_seen) notes.push_back("not judged by a run yet");
  if (view.paused) {
    notes.push_back(view.paused_until ? "paused until " + format_wall_time(*view.paused_until, now)
                                      : fmt::format("paused until 'process-monitor resume {}'", entry.name));
  }
  if (view.gave_up) {
    notes.push_back(fmt::format(
        "gave up at {}{}, or after 'process-monitor reset {}'",
        view.gave_up_at ? format_wall_time(*view.gave_up_at, now) : "?",
        view.resumes_at ? "; restarts resume at " + format_wall_time(*view.resumes_at, now) : std::string(),
        entry.name));
  }
  if (view.next_restart)
    notes.push_back("backing off: no restart before " + format_wall_time(*view.next_restart, now));
  if (view.grace_until) notes.push_back("in grace until " + format_wall_time(*view.grace_until, now));
  if (!entry.configured) notes.push_back("not a [[service]] name: a group member, or no longer configured");
  return notes.empty() ? "-" : fmt::format("{}", fmt::join(notes, "; "));
}

}  // namespace

std::string render_status_table(const std::vector<StatusEntry>& entries, WallTime now) {
  using Row = std::array<std::string, 6>;
  std::vector<Row> rows{Row{"SERVICE", "STATE", "FAILURES", "RESTARTS", "LAST RESTART", "NOTES"}};
  for (const auto& entry : entries) {
    View view = view_of(entry, now);
    rows.push_back(Row{entry.name, view.state, std::to_string(view.failures), restarts_cell(entry, view),
                       view.last_restart ? format_wall_time(*view.last_restart, now) : "-",
                       notes_cell(entry, view, now)});
  }
  std::array<std::size_t, 6> widths{};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c + 1 < row.size(); ++c) out += fmt::format("{:<{}}  ", row[c], widths[c]);
    out += row.back() + "\n";
  }
  return out;
}

json status_json(const std::vector<StatusEntry>& entries, const std::string& config_file,
                 const std::string& state_file, std::int64_t written_at, WallTime now) {
  json services = json::array();
  for (const auto& entry : entries) {
    View view = view_of(entry, now);
    services.push_back(json{
        {"name", entry.name},
        {"configured", entry.configured},
        {"backend", entry.configured ? json(entry.backend) : json(nullptr)},
        {"state", view.state},
        {"last_seen", json_time(view.last_seen)},
        {"consecutive_failures", view.failures},
        {"restarts_in_window", view.restarts},
        {"budget", entry.policy ? json(to_string(entry.policy->budget)) : json(nullptr)},
        {"last_restart", json_time(view.last_restart)},
        {"next_restart_at", json_time(view.next_restart)},
        {"grace_until", json_time(view.grace_until)},
        {"paused", view.paused},
        {"paused_until", json_time(view.paused_until)},
        {"gave_up", view.gave_up},
        {"gave_up_at", json_time(view.gave_up_at)},
        {"restarts_resume_at", json_time(view.resumes_at)},
    });
  }
  auto written = written_at > 0 ? std::optional(WallTime(std::chrono::seconds(written_at))) : std::nullopt;
  return json{{"schema_version", kStatusSchemaVersion},
              {"config_file", config_file},
              {"state_file", state_file},
              {"now", iso_time(now)},
              {"written_at", json_time(written)},
              {"services", services}};
}

}  // namespace pm
