#include "cli/run_command.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <utility>

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
#include "probe/tls_warning.hpp"
#include "report/json_report.hpp"
#include "report/metrics_file.hpp"
#include "report/nagios_line.hpp"
#include "report/text_report.hpp"
#include "resources/host_checks.hpp"
#include "state/run_lock.hpp"
#include "util/interrupt.hpp"
#include "util/reload_signal.hpp"

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
// (and a --once) take their turn there, and each cycle sees what they
// changed: it reads the state file again unless the file is still the one
// the previous cycle saved (StateCarry; reading and decoding it was a fifth
// of a cycle's instructions). Cycles start on a fixed cadence, start to start; a
// cycle that overruns the interval delays the next one instead of piling up.
// A SIGHUP between cycles calls `reload` and starts the next cycle at once.
int run_loop(const std::string& state_file, Duration interval, Duration wait_lock, std::size_t service_count,
             const Interrupt& interrupt, const std::function<void(StateSession&)>& cycle,
             const std::function<void()>& reload) {
  auto loop_lock = RunLock::acquire(state_file + ".loop", Duration::zero(), &interrupt);
  if (!loop_lock) {
    print_error(
        fmt::format("an --interval loop already runs on this config's state: {}", loop_lock.error().message));
    return loop_lock.error().kind == LockError::Busy ? kExitLocked : kExitUsage;
  }
  install_reload_signal();
  spdlog::info("checking {} service(s) every {}", service_count, format_duration(interval));
  auto next = Deadline::Clock::now();
  std::optional<StateCarry> carry;
  while (!interrupt.requested()) {
    {
      // A run holding the lock for a whole interval costs this cycle, not the loop.
      auto session = StateSession::open_at(state_file, std::max(interval, wait_lock), interrupt, &carry);
      if (session) {
        cycle(*session);
        carry = std::move(*session).carry_over();
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
    // Slices of at most kReloadLatency, so a SIGHUP is seen soon (the sleep
    // itself ends at once only on SIGTERM/SIGINT).
    constexpr Duration kReloadLatency{200};
    bool reloading = false;
    for (auto now = Deadline::Clock::now(); now < next && !interrupt.requested();
         now = Deadline::Clock::now()) {
      if ((reloading = take_reload_request())) break;
      interrupt.sleep_for(std::min(kReloadLatency, std::chrono::duration_cast<Duration>(next - now)));
    }
    if (reloading || take_reload_request()) {
      reload();
      next = Deadline::Clock::now();
    } else if (auto now = Deadline::Clock::now(); next < now) {
      next = now;
    }
  }
  spdlog::info("stopping on signal {}", interrupt.signal_number());
  return kExitOk;
}

// What runs work from, all made from one config; the --interval loop makes
// a new one on SIGHUP. `services` share ownership of `config`.
struct Setup {
  std::shared_ptr<const Config> config;
  std::vector<ServicePtr> services;
  Backends backends;
  std::unique_ptr<AlertSender> alerts;
  std::string state_file;
};

std::expected<Setup, std::string> make_setup(Config loaded, const Options& options, CommandRunner& runner) {
  Setup setup;
  setup.config = std::make_shared<const Config>(std::move(loaded));
  auto services = select_services(setup.config, options.services);
  if (!services) return std::unexpected(services.error());
  setup.services = std::move(*services);
  warn_unverified_tls(setup.services);  // on every run, and on every reload of a loop
  auto state_file = StateSession::locate(*setup.config, state_dir_override(options));
  if (!state_file) return std::unexpected(state_file.error());
  setup.state_file = std::move(*state_file);
  setup.backends = make_backends(*setup.config, runner);
  setup.alerts = std::make_unique<AlertSender>(setup.config->alerts, runner);
  return setup;
}

// SIGHUP in the --interval loop: the config read again and checked as at
// start. A config that does not load, or would move the state file (the
// loop's lock is on the old one), is refused and the running one kept.
void reload_setup(Setup& setup, const Options& options, CommandRunner& runner) {
  auto loaded = load_config_for(options);
  auto fresh = loaded ? make_setup(std::move(*loaded), options, runner)
                      : std::expected<Setup, std::string>(std::unexpected(loaded.error()));
  if (fresh && fresh->state_file != setup.state_file) {
    fresh =
        std::unexpected(fmt::format("its state file would be {}, not {} ([monitor] state_dir changed); "
                                    "restart the loop to move it",
                                    fresh->state_file, setup.state_file));
  }
  if (!fresh) {
    spdlog::error("reload refused, the loop goes on with the config it has: {}", fresh.error());
    return;
  }
  setup = std::move(*fresh);
  spdlog::warn("reloaded {}: {} service(s)", setup.config->path, setup.services.size());
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

  Interrupt interrupt;
  interrupt.install_signal_handlers();
  ProcessRunner runner(&interrupt);
  auto made = make_setup(std::move(*config), options, runner);
  if (!made) {
    print_error(made.error());
    return kExitUsage;
  }
  Setup setup = std::move(*made);
  HttpProber prober(&interrupt);
  SystemRandom random;
  LocalHost host(&interrupt);
  // One cycle under the run lock `session` holds: the policy's decisions made
  // at the wall time it starts from the histories just loaded, its events
  // logged, and (unless --dry-run) the histories saved and alerts sent.
  auto run_cycle = [&](StateSession& session) {
    const Config& config = *setup.config;
    // A restart is saved before it runs (write-ahead): a run killed during it
    // leaves it counted once. Never reached under --dry-run.
    PolicyGate gate(session.histories(), random, [&session] {
      if (auto saved = session.save(); !saved) spdlog::error("{}", saved.error());
    });
    Cycle cycle(setup.backends, prober, runner, interrupt,
                CycleOptions{.dry_run = options.dry_run, .verify_interval = config.monitor.verify_interval},
                &gate);
    gate.begin_cycle(std::chrono::system_clock::now());
    Deadline run_deadline = Deadline::after(options.deadline.value_or(config.monitor.deadline));
    CycleResult result = cycle.run(setup.services, run_deadline);
    // The host's thresholds; --dry-run reads the previous CPU sample but does not save this one.
    result.resources = check_host(config.resources, host, session.resources(), WallClock::now());
    auto changes = gate.take_events();
    log_events(changes);
    // Log rotation after the checks, on what is left of the run's deadline.
    RotationResult rotation =
        rotate_logs(config, RotationRequest{.dry_run = options.dry_run, .log_file = options.log_file},
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
      if (!config.alerts.empty()) setup.alerts->send(alert_events(changes, result), run_deadline);
    }
    print_report(result, options);
    // Logged when it fails; the run's result and exit code stand.
    if (options.metrics_file)
      publish_metrics_file(*options.metrics_file, result, std::as_const(session).histories(),
                           WallClock::now());
    // A group that failed to rotate is trouble to report, like a service still down.
    return rotation.failed() ? std::max(result.exit_code(), kExitUnhealthy) : result.exit_code();
  };

  if (!options.interval) {
    auto session = StateSession::open_at(setup.state_file, options.wait_lock, interrupt);
    if (!session) {
      print_error(session.error().message);
      return session.error().lock_busy ? kExitLocked : kExitUsage;
    }
    return run_cycle(*session);
  }
  const std::string state_file = setup.state_file;  // a reload keeps it (reload_setup)
  return run_loop(
      state_file, *options.interval, options.wait_lock, setup.services.size(), interrupt,
      [&](StateSession& session) { run_cycle(session); }, [&] { reload_setup(setup, options, runner); });
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
