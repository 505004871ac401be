#include "cli/run_command.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "backend/registry.hpp"
#include "cli/config_source.hpp"
#include "cli/logging.hpp"
#include "cli/state_session.hpp"
#include "core/cycle.hpp"
#include "core/policy_gate.hpp"
#include "probe/http_prober.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"
#include "util/interrupt.hpp"

namespace pm {
namespace {

void print_report(const CycleResult& cycle, const Options& options) {
  if (options.quiet && cycle.exit_code() == 0) return;
  std::string text = options.json ? render_json_report(cycle, options.dry_run) : render_text_report(cycle);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void log_events(const std::vector<ServiceEvent>& events) {
  for (const auto& event : events) {
    if (event.event == PolicyEvent::GaveUp) {
      spdlog::error("{}: gave up: {}", event.service, event.reason);
    } else {
      spdlog::warn("{}: {}{}{}", event.service, to_string(event.event), event.reason.empty() ? "" : ": ",
                   event.reason);
    }
  }
}

// The state dir: --state-dir, else $PROCESS_MONITOR_STATE_DIR, else the
// config's (StateSession falls back to [monitor] state_dir, then the default).
std::optional<std::string> state_dir_override(const Options& options) {
  if (options.state_dir) return options.state_dir;
  const char* env = std::getenv("PROCESS_MONITOR_STATE_DIR");
  if (env != nullptr && *env != '\0') return std::string(env);
  return std::nullopt;
}

}  // namespace

void print_error(const std::string& message) { fmt::print(stderr, "process-monitor: error: {}\n", message); }

int run_monitor(const Options& options) {
  if (auto logging = setup_logging(options.log_level, options.quiet, options.log_file); !logging) {
    print_error(logging.error());
    return kExitUsage;
  }
  auto config = load_config_for(options);
  if (!config) {
    print_error(config.error());
    return kExitUsage;
  }
  auto services = select_services(*config, options.services);
  if (!services) {
    print_error(services.error());
    return kExitUsage;
  }

  Interrupt interrupt;
  interrupt.install_signal_handlers();
  ProcessRunner runner(&interrupt);
  HttpProber prober(&interrupt);
  // The lock and the state are held for the whole run (every cycle of --interval).
  auto session = StateSession::open(*config, state_dir_override(options), options.wait_lock, interrupt);
  if (!session) {
    print_error(session.error().message);
    return session.error().lock_busy ? kExitLocked : kExitUsage;
  }
  SystemRandom random;
  PolicyGate gate(session->histories(), random);
  Backends backends = make_backends(*config, runner);
  Cycle cycle(backends, prober, runner, interrupt,
              CycleOptions{.dry_run = options.dry_run, .verify_interval = config->monitor.verify_interval},
              &gate);
  Duration deadline = options.deadline.value_or(config->monitor.deadline);
  // One cycle, with the policy's decisions made at the wall time it starts,
  // its events logged and (unless --dry-run) the histories saved.
  auto run_cycle = [&] {
    gate.begin_cycle(std::chrono::system_clock::now());
    CycleResult result = cycle.run(*services, Deadline::after(deadline));
    log_events(gate.take_events());
    if (!options.dry_run) {
      if (auto saved = session->save(); !saved) spdlog::error("{}", saved.error());
    }
    print_report(result, options);
    return result;
  };

  if (!options.interval) return run_cycle().exit_code();

  // Fixed cadence, start to start; a cycle that overruns the interval delays
  // the next one instead of piling up.
  spdlog::info("checking {} service(s) every {}", services->size(), format_duration(*options.interval));
  auto next = Deadline::Clock::now();
  while (!interrupt.requested()) {
    run_cycle();
    next += *options.interval;
    auto now = Deadline::Clock::now();
    if (next < now) next = now;
    interrupt.sleep_for(std::chrono::duration_cast<Duration>(next - now));
  }
  spdlog::info("stopping on signal {}", interrupt.signal_number());
  return kExitOk;
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
