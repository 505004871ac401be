#include "cli/run_command.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "alert/alert_sender.hpp"
#include "backend/registry.hpp"
#include "cli/config_source.hpp"
#include "cli/discover_command.hpp"
#include "cli/logging.hpp"
#include "cli/rotate_command.hpp"
#include "cli/state_session.hpp"
#include "core/cycle.hpp"
#include "core/policy_gate.hpp"
#include "probe/http_prober.hpp"
#include "report/json_report.hpp"
#include "report/metrics_file.hpp"
#include "report/nagios_line.hpp"
#include "report/text_report.hpp"
#include "resources/host_checks.hpp"
#include "state/run_lock.hpp"
#include "util/interrupt.hpp"

namespace pm {

void print_report(const CycleResult& cycle, const Options& options) {
  if (options.quiet && cycle.exit_code() == 0) return;
  std::string text = options.nagios ? render_nagios_line(cycle)
                     : options.json ? render_json_report(cycle, options.dry_run)
                                    : render_text_report(cycle);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

namespace {

void log_events(const std::vector<ServiceEvent>& events) {
  for (const auto& event : events) {
    if (event.event == PolicyEvent::GaveUp) {
      spdlog::error("{}: {}", event.service, event.reason);  // the reason starts with "gave up"
    } else {
      spdlog::warn("{}: {}{}{}", event.service, to_string(event.event), event.reason.empty() ? "" : ": ",
                   event.reason);
    }
  }
}

// The alerts of one cycle: the policy's state changes (became unhealthy,
// recovered, gave up, resumed), then the restarts that were made.
std::vector<AlertEvent> alert_events(const std::vector<ServiceEvent>& changes, const CycleResult& cycle) {
  auto now = std::chrono::system_clock::now();
  std::string host = local_host_name();
  auto result_of = [&](const std::string& name) -> const ServiceResult* {
    for (const auto& result : cycle.services) {
      if (result.service->name == name) return &result;
    }
    return nullptr;
  };
  std::vector<AlertEvent> events;
  for (const auto& change : changes) {
    const ServiceResult* result = result_of(change.service);
    // Became unhealthy says what is wrong; the policy's words say what it does about it.
    std::string reason =
        change.event == PolicyEvent::BecameUnhealthy && result != nullptr
            ? fmt::format("{}: {}", to_string(result->verdict.health), result->verdict.reason)
            : change.reason;
    events.push_back(AlertEvent{std::string(to_string(change.event)), change.service,
                                result != nullptr ? result->sighting.backend : "", reason, host, now});
  }
  for (const auto& result : cycle.services) {
    if (result.action != Action::Restart || result.action_failed) continue;
    events.push_back(AlertEvent{std::string(kAlertRestarted), result.service->name, result.sighting.backend,
                                fmt::format("{}: {}", result.action_detail, describe_outcome(result)), host,
                                now});
  }
  return events;
}

// The --interval loop. It holds `<state file>.loop.lock` for its life, so a
// second loop on the same config exits 4 at once; the run lock itself it
// takes for each cycle and frees between cycles, so reset, pause and resume
// (and a --once) take their turn there, and each cycle reloads the state and
// sees what they changed. Cycles start on a fixed cadence, start to start; a
// cycle that overruns the interval delays the next one instead of piling up.
int run_loop(const std::string& state_file, Duration interval, Duration wait_lock, std::size_t service_count,
             const Interrupt& interrupt, const std::function<void(StateSession&)>& cycle) {
  auto loop_lock = RunLock::acquire(state_file + ".loop", Duration::zero(), &interrupt);
  if (!loop_lock) {
    print_error(
        fmt::format("an --interval loop already runs on this config's state: {}", loop_lock.error().message));
    return loop_lock.error().kind == LockError::Busy ? kExitLocked : kExitUsage;
  }
  spdlog::info("checking {} service(s) every {}", service_count, format_duration(interval));
  auto next = Deadline::Clock::now();
  while (!interrupt.requested()) {
    {
      // A run holding the lock for a whole interval costs this cycle, not the loop.
      auto session = StateSession::open_at(state_file, std::max(interval, wait_lock), interrupt);
      if (session) {
        cycle(*session);
      } else if (interrupt.requested()) {
        break;
      } else if (session.error().lock_busy) {
        spdlog::warn("cycle skipped: {}", session.error().message);
      } else {
        print_error(session.error().message);  // a state file of a newer format, an unusable state dir
        return kExitUsage;
      }
    }
    next += interval;
    auto now = Deadline::Clock::now();
    if (next < now) next = now;
    interrupt.sleep_for(std::chrono::duration_cast<Duration>(next - now));
  }
  spdlog::info("stopping on signal {}", interrupt.signal_number());
  return kExitOk;
}

}  // namespace

namespace {
std::string& first_error_slot() {
  static std::string message;
  return message;
}
}  // namespace

void print_error(const std::string& message) {
  if (first_error_slot().empty()) first_error_slot() = message;
  fmt::print(stderr, "process-monitor: error: {}\n", message);
}

const std::string& first_error() { return first_error_slot(); }

int run_monitor(const Options& options) {
  if (!options.interval && no_config_file(options)) return run_discovered(options);
  auto config = start_with_config(options);
  if (!config) return kExitUsage;
  auto services = select_services(*config, options.services);
  if (!services) {
    print_error(services.error());
    return kExitUsage;
  }

  Interrupt interrupt;
  interrupt.install_signal_handlers();
  auto state_file = StateSession::locate(*config, state_dir_override(options));
  if (!state_file) {
    print_error(state_file.error());
    return kExitUsage;
  }
  ProcessRunner runner(&interrupt);
  HttpProber prober(&interrupt);
  SystemRandom random;
  LocalHost host(&interrupt);
  Backends backends = make_backends(*config, runner);
  AlertSender alerts(config->alerts, runner);
  Duration deadline = options.deadline.value_or(config->monitor.deadline);
  // One cycle under the run lock `session` holds: the policy's decisions made
  // at the wall time it starts from the histories just loaded, its events
  // logged, and (unless --dry-run) the histories saved and alerts sent.
  auto run_cycle = [&](StateSession& session) {
    // A restart is saved before it runs (write-ahead): a run killed during it
    // leaves it counted once. Never reached under --dry-run.
    PolicyGate gate(session.histories(), random, [&session] {
      if (auto saved = session.save(); !saved) spdlog::error("{}", saved.error());
    });
    Cycle cycle(backends, prober, runner, interrupt,
                CycleOptions{.dry_run = options.dry_run, .verify_interval = config->monitor.verify_interval},
                &gate);
    gate.begin_cycle(std::chrono::system_clock::now());
    Deadline run_deadline = Deadline::after(deadline);
    CycleResult result = cycle.run(*services, run_deadline);
    // The host's thresholds; --dry-run reads the previous CPU sample but does not save this one.
    result.resources = check_host(config->resources, host, session.resources(), WallClock::now());
    auto changes = gate.take_events();
    log_events(changes);
    // Log rotation after the checks, on what is left of the run's deadline.
    RotationResult rotation =
        rotate_logs(*config, RotationRequest{.dry_run = options.dry_run, .log_file = options.log_file},
                    session, runner, run_deadline);
    log_rotation(rotation);
    if (options.interval && options.log_file && rotated_file(rotation, *options.log_file)) {
      // The loop's own log was renamed: open the new file (nothing written meanwhile is lost).
      if (auto reopened = setup_logging(options.log_level, options.quiet, options.log_file); !reopened)
        print_error(reopened.error());
    }
    if (!options.dry_run) {
      if (auto saved = session.save(); !saved) spdlog::error("{}", saved.error());
      // Within the run's deadline; a failing channel is logged, never fatal.
      if (!config->alerts.empty()) alerts.send(alert_events(changes, result), run_deadline);
    }
    print_report(result, options);
    // Logged when it fails; the run's result and exit code stand.
    if (options.metrics_file)
      publish_metrics_file(*options.metrics_file, result, session.histories(), WallClock::now());
    // A group that failed to rotate is trouble to report, like a service still down.
    return rotation.failed() ? std::max(result.exit_code(), kExitUnhealthy) : result.exit_code();
  };

  if (!options.interval) {
    auto session = StateSession::open_at(*state_file, options.wait_lock, interrupt);
    if (!session) {
      print_error(session.error().message);
      return session.error().lock_busy ? kExitLocked : kExitUsage;
    }
    return run_cycle(*session);
  }
  return run_loop(*state_file, *options.interval, options.wait_lock, services->size(), interrupt,
                  [&](StateSession& session) { run_cycle(session); });
}

int check_config(const Options& options) {
  auto config = load_config_for(options);
  if (!config) {
    print_error(config.error());
    return kExitUsage;
  }
  if (!options.quiet) fmt::print("{}: OK, {} service(s)\n", config->path, config->services.size());
  return kExitOk;
}

}  // namespace pm
