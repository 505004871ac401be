#include "cli/state_commands.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "backend/docker_selector.hpp"
#include "cli/config_source.hpp"
#include "cli/logging.hpp"
#include "cli/run_command.hpp"
#include "cli/state_session.hpp"
#include "policy/history_json.hpp"
#include "policy/restart_policy.hpp"
#include "state/state_dir.hpp"

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

bool selects_group(const ServiceConfig& service) {
  if (service.backend != "docker" && service.backend != "auto") return false;
  auto selector = parse_docker_target(service.target);
  return selector && selector->is_group();
}

// The state file StateSession::open would lock and load, found without
// creating anything.
std::expected<std::string, std::string> state_file_of(const Config& config, const Options& options) {
  auto dir = state_dir_override(options);
  auto chosen = choose_state_dir(dir ? dir : config.monitor.state_dir, process_state_dir_environment());
  if (!chosen) return std::unexpected(chosen.error());
  return state_file_path(*chosen, config.path);
}

// The state document in `path`, read only: unlike load_state(), a corrupt
// file is reported, not moved aside (that is for the run holding the lock).
std::expected<StateDocument, std::string> peek_state(const std::string& path) {
  constexpr off_t kMaxBytes = 16 * 1024 * 1024;  // as state_store.cpp
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return StateDocument{};
  std::string text, cause;
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0) {
    cause = std::strerror(errno);
  } else if (!S_ISREG(info.st_mode) || info.st_size > kMaxBytes) {
    cause = S_ISREG(info.st_mode) ? "larger than 16 MiB" : "not a regular file";
  } else {
    char buffer[65536];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) != 0) {
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        cause = std::strerror(errno);
        break;
      }
      text.append(buffer, static_cast<std::size_t>(got));
    }
  }
  if (fd >= 0) ::close(fd);
  if (!cause.empty()) return std::unexpected(fmt::format("cannot read state file {}: {}", path, cause));
  auto document = decode_state(text);
  if (document) return std::move(*document);
  if (document.error().newer_format) {
    return std::unexpected(fmt::format("state file {} was written by a newer process-monitor (format {})",
                                       path, document.error().format));
  }
  return std::unexpected(fmt::format("state file {} is corrupt ({}); the next run moves it aside", path,
                                     document.error().reason));
}

std::map<std::string, ServiceHistory> histories_of(const StateDocument& document, const std::string& path) {
  std::map<std::string, ServiceHistory> histories;
  for (const auto& [name, object] : document.services) {
    if (auto history = history_from_json(object)) {
      histories.emplace(name, *history);
    } else {
      spdlog::warn("state file {}: the history of {} is unreadable ({})", path, name, history.error());
    }
  }
  return histories;
}

bool logging_ready(const Options& options) {
  auto logging = setup_logging(options.log_level, options.quiet, options.log_file);
  if (!logging) print_error(logging.error());
  return logging.has_value();
}

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// Applies reset, pause or resume to `history`; the line that says what was done.
std::string apply(Command command, const std::string& name, ServiceHistory& history,
                  std::optional<Duration> pause_for, WallTime now) {
  if (command == Command::Reset) {
    history = reset_history(std::move(history));
    return name + " reset: failures, restarts, backoff and giving up forgotten";
  }
  if (command == Command::Pause) {
    std::optional<WallTime> until;
    if (pause_for) until = now + *pause_for;
    history = pause_history(std::move(history), until);
    return until ? fmt::format("{} paused until {}", name, format_wall_time(*until, now))
                 : fmt::format("{} paused until 'process-monitor resume {}'", name, name);
  }
  bool was_paused = history.paused && (!history.paused_until || *history.paused_until > now);
  history = resume_history(std::move(history));
  return was_paused ? name + " resumed" : name + " was not paused";
}

}  // namespace

std::vector<StatusEntry> status_entries(const Config& config,
                                        const std::map<std::string, ServiceHistory>& histories) {
  std::vector<StatusEntry> entries;
  std::optional<RestartPolicy> group_policy;
  bool groups_agree = true;
  for (const auto& service : config.services) {
    auto found = histories.find(service.name);
    if (selects_group(service)) {
      groups_agree = groups_agree && (!group_policy || *group_policy == service.policy);
      group_policy = service.policy;
      if (found == histories.end()) continue;
    }
    entries.push_back(StatusEntry{service.name, true, service.backend, service.policy,
                                  found == histories.end() ? std::nullopt : std::optional(found->second)});
  }
  if (!groups_agree) group_policy.reset();
  for (const auto& [name, history] : histories) {
    if (config.find_service(name) == nullptr)
      entries.push_back(StatusEntry{name, false, "", group_policy, history});
  }
  return entries;
}

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

std::expected<std::vector<std::string>, std::string> resolve_service_names(
    const std::vector<std::string>& requested, const Config& config,
    const std::map<std::string, ServiceHistory>& histories) {
  std::vector<std::string> known;
  for (const auto& entry : status_entries(config, histories)) known.push_back(entry.name);
  std::vector<std::string> names;
  for (const auto& name : requested) {
    if (std::ranges::find(known, name) == known.end()) {
      const ServiceConfig* group = config.find_service(name);
      std::string why = group ? fmt::format(
                                    "service {} selects a group ({}), whose members are kept under their "
                                    "own names: name them",
                                    name, group->target)
                              : fmt::format("no service {} in {} or in its state", name, config.path);
      return std::unexpected(fmt::format("{} (known: {})", why,
                                         known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", "))));
    }
    if (std::ranges::find(names, name) == names.end()) names.push_back(name);
  }
  return names;
}

int show_status(const Options& options) {
  if (!logging_ready(options)) return kExitUsage;
  auto config = load_config_for(options);
  auto path = config ? state_file_of(*config, options) : std::unexpected(config.error());
  auto document = path ? peek_state(*path) : std::unexpected(path.error());
  if (!document) {
    print_error(document.error());
    return kExitUsage;
  }
  const WallTime now = WallClock::now();
  auto entries = status_entries(*config, histories_of(*document, *path));
  if (options.json) {
    print(status_json(entries, config->path, *path, document->written_at, now).dump(2) + "\n");
    return kExitOk;
  }
  std::string saved =
      document->written_at > 0
          ? "saved " + format_wall_time(WallTime(std::chrono::seconds(document->written_at)), now)
          : "no run has saved it yet";
  print(fmt::format("state file {} ({})\n", *path, saved) + render_status_table(entries, now));
  return kExitOk;
}

int change_state(const Options& options) {
  if (!logging_ready(options)) return kExitUsage;
  if (options.pause_for && *options.pause_for <= Duration::zero()) {
    print_error("pause --for: the duration must be longer than 0s (leave --for out to pause until resume)");
    return kExitUsage;
  }
  auto config = load_config_for(options);
  if (!config) {
    print_error(config.error());
    return kExitUsage;
  }
  Interrupt interrupt;  // SIGINT/SIGTERM end a --wait-lock wait
  interrupt.install_signal_handlers();
  auto session = StateSession::open(*config, state_dir_override(options), options.wait_lock, interrupt);
  if (!session) {
    print_error(session.error().message);
    return session.error().lock_busy ? kExitLocked : kExitUsage;
  }
  auto names = resolve_service_names(options.state_services, *config, session->histories());
  if (!names) {
    print_error(names.error());
    return kExitUsage;
  }
  const WallTime now = WallClock::now();
  std::string lines;
  for (const auto& name : *names) {
    lines += apply(options.command, name, session->histories()[name], options.pause_for, now) + "\n";
  }
  if (auto saved = session->save(); !saved) {
    print_error(saved.error());
    return kExitUsage;
  }
  if (options.json) {
    std::vector<StatusEntry> changed;
    for (auto& entry : status_entries(*config, session->histories())) {
      if (std::ranges::find(*names, entry.name) != names->end()) changed.push_back(std::move(entry));
    }
    auto stamp = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    json document = status_json(changed, config->path, session->path(), stamp, now);
    document["action"] = options.command == Command::Reset   ? "reset"
                         : options.command == Command::Pause ? "pause"
                                                             : "resume";
    print(document.dump(2) + "\n");
  } else if (!options.quiet) {
    print(lines);
  }
  return kExitOk;
}

}  // namespace pm
