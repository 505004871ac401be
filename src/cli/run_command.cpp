#include "cli/run_command.hpp"

#include <cstdio>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "backend/registry.hpp"
#include "cli/config_source.hpp"
#include "cli/logging.hpp"
#include "core/cycle.hpp"
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
  Backends backends = make_backends(*config, runner);
  Cycle cycle(backends, prober, runner, interrupt,
              CycleOptions{.dry_run = options.dry_run, .verify_interval = config->monitor.verify_interval});
  Duration deadline = options.deadline.value_or(config->monitor.deadline);

  if (!options.interval) {
    CycleResult result = cycle.run(*services, Deadline::after(deadline));
    print_report(result, options);
    return result.exit_code();
  }

  // Fixed cadence, start to start; a cycle that overruns the interval delays
  // the next one instead of piling up.
  spdlog::info("checking {} service(s) every {}", services->size(), format_duration(*options.interval));
  auto next = Deadline::Clock::now();
  while (!interrupt.requested()) {
    CycleResult result = cycle.run(*services, Deadline::after(deadline));
    print_report(result, options);
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
