#include "cli/rotate_command.hpp"

#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/config_source.hpp"
#include "cli/logging.hpp"
#include "cli/run_command.hpp"
#include "rotate/backend_reopener.hpp"
#include "rotate/rotate_groups.hpp"
#include "util/interrupt.hpp"

namespace pm {
namespace {

constexpr std::string_view kErrorPrefix = "error: ";
constexpr std::string_view kWarningPrefix = "warning: ";

}  // namespace

RotationResult rotate_logs(const Config& config, const RotationRequest& request, StateSession& session,
                           CommandRunner& runner, Deadline deadline) {
  std::vector<LogGroupConfig> groups = config.logs;
  if (request.log_file) {
    groups.push_back(
        monitor_log_group(*request.log_file, config.monitor.log_max_size, config.monitor.log_keep));
  }
  if (groups.empty()) return RotationResult{.dry_run = request.dry_run, .groups = {}};
  BackendLogReopener reopener(config, runner);
  RotationContext context;
  context.now = WallClock::now();
  context.deadline = deadline;
  context.dry_run = request.dry_run;
  context.force = request.force;
  context.reopener = &reopener;
  return rotate_groups(groups, context, session.rotation());
}

void log_rotation(const RotationResult& result) {
  for (const auto& line : rotation_lines(result, /*verbose=*/false)) {
    if (line.starts_with(kErrorPrefix)) {
      spdlog::error("logs: {}", line.substr(kErrorPrefix.size()));
    } else if (line.starts_with(kWarningPrefix)) {
      spdlog::warn("logs: {}", line.substr(kWarningPrefix.size()));
    } else {
      spdlog::info("logs: {}", line);
    }
  }
}

bool rotated_file(const RotationResult& result, const std::string& path) {
  for (const auto& group : result.groups) {
    for (const auto& file : group.files) {
      if (file.live == path && file.rotated && !result.dry_run) return true;
    }
  }
  return false;
}

int rotate_command(const Options& options) {
  auto config = start_with_config(options);
  if (!config) return kExitUsage;
  if (config->logs.empty() && !options.log_file) {
    print_error(
        fmt::format("{} has no [[logs]] group to rotate (and no --log-file was given)", config->path));
    return kExitUsage;
  }
  Interrupt interrupt;
  interrupt.install_signal_handlers();
  auto session = StateSession::open(*config, state_dir_override(options), options.wait_lock, interrupt);
  if (!session) {
    print_error(session.error().message);
    return session.error().lock_busy ? kExitLocked : kExitUsage;
  }
  ProcessRunner runner(&interrupt);
  const Deadline deadline = Deadline::after(options.deadline.value_or(config->monitor.deadline));
  RotationResult result = rotate_logs(
      *config,
      RotationRequest{.dry_run = options.dry_run, .force = options.force, .log_file = options.log_file},
      *session, runner, deadline);
  if (!options.dry_run) {
    if (auto saved = session->save(); !saved) spdlog::error("{}", saved.error());
  }
  // The report on stdout (every file, with why it was or was not rotated,
  // unless -q); errors also on stderr.
  for (const auto& line : rotation_lines(result, /*verbose=*/!options.quiet)) {
    if (line.starts_with(kErrorPrefix)) {
      print_error(line.substr(kErrorPrefix.size()));
    } else if (!options.quiet) {
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
    }
  }
  std::fflush(stdout);
  return result.failed() ? kExitUnhealthy : kExitOk;
}

}  // namespace pm
