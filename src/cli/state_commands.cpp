#include "cli/state_commands.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

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
#include "report/status_report.hpp"
#include "state/state_dir.hpp"
#include "state/state_store.hpp"

namespace pm {
namespace {

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
  if (!path) {
    print_error(path.error());
    return kExitUsage;
  }
  auto document = peek_state(*path);
  if (!document) {
    print_error(document.error().message);
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
  if (!session && session.error().lock_busy) {
    // An --interval loop frees the lock between cycles: waiting gets a turn.
    print_error(session.error().message +
                "; nothing changed: try again, or add --wait-lock 2m to wait for it");
    return kExitLocked;
  }
  if (!session) {
    print_error(session.error().message);
    return kExitUsage;
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
    auto document = status_json(changed, config->path, session->path(), stamp, now);
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
