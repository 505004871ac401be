#include "cli/discover_command.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "backend/registry.hpp"
#include "cli/config_source.hpp"
#include "cli/logging.hpp"
#include "cli/run_command.hpp"
#include "config/load_config.hpp"
#include "core/cycle.hpp"
#include "discover/config_toml.hpp"
#include "discover/discover.hpp"
#include "probe/http_prober.hpp"
#include "report/metrics_file.hpp"
#include "util/interrupt.hpp"

namespace pm {
namespace {

constexpr std::string_view kReadOnlyNote =
    "no config file: monitoring what discovery found, read-only; write one with 'process-monitor discover > "
    "/etc/process-monitor/config.toml'";

bool config_named(const Options& options) {
  const char* env = std::getenv("PROCESS_MONITOR_CONFIG");
  return options.config_path || (env != nullptr && *env != '\0');
}

// What the engines run, or nothing when none of them answered (the reasons
// printed after `context`).
std::optional<std::vector<EngineFindings>> discover_or_explain(const Config& settings, const Options& options,
                                                               CommandRunner& runner, Deadline deadline,
                                                               std::string_view context) {
  auto engines = discover_engines(settings, options.discover_backend, runner, deadline);
  if (any_reachable(engines)) return engines;
  print_error(fmt::format("{}:\n  {}", context, unreachable_reasons(engines)));
  return std::nullopt;
}

}  // namespace

bool no_config_file(const Options& options) {
  return !config_named(options) && config_file_absent(kSystemConfigPath);
}

int discover_command(const Options& options) {
  if (auto logging = setup_logging(options.log_level, options.quiet, options.log_file); !logging) {
    print_error(logging.error());
    return kExitUsage;
  }
  Config settings;
  if (config_named(options)) {
    auto loaded = load_config_for(options);
    if (!loaded) {
      print_error(loaded.error());
      return kExitUsage;
    }
    settings = std::move(*loaded);
  }
  Interrupt interrupt;
  ProcessRunner runner(&interrupt);
  auto engines = discover_or_explain(
      settings, options, runner, Deadline::after(options.deadline.value_or(settings.monitor.deadline)),
      options.discover_backend ? "the engine cannot be reached" : "no engine can be reached");
  if (!engines) return kExitUnhealthy;
  std::string text = render_discovered_config(*engines);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  std::size_t count = monitored_count(*engines);
  if (count == 0) {
    spdlog::warn("nothing to monitor was found: check-config refuses a config without a [[service]]");
  } else {
    spdlog::info("discovered {} service(s)", count);
  }
  return kExitOk;
}

int run_discovered(const Options& options) {
  if (auto logging = setup_logging(options.log_level, options.quiet, options.log_file); !logging) {
    print_error(logging.error());
    return kExitUsage;
  }
  Interrupt interrupt;
  interrupt.install_signal_handlers();
  ProcessRunner runner(&interrupt);
  Config defaults;
  // One deadline for the whole run, discovery included.
  Deadline deadline = Deadline::after(options.deadline.value_or(defaults.monitor.deadline));
  auto engines = discover_or_explain(defaults, options, runner, deadline,
                                     "no config file, and no engine can be reached to discover what runs");
  if (!engines) return kExitUnhealthy;
  for (const auto& engine : *engines) {
    if (engine.unreachable)
      spdlog::info("discovery: {} not reachable: {}", engine.engine, *engine.unreachable);
  }
  CycleResult result;  // nothing found: an empty report
  if (monitored_count(*engines) > 0) {
    // The config `discover` would print, read back: what runs here is exactly what it monitors.
    auto parsed = parse_config(render_discovered_config(*engines), "(discovered)");
    if (!parsed) {
      print_error("internal error: the discovered config is invalid: " + parsed.error());
      return kExitUsage;
    }
    auto config = std::make_shared<const Config>(std::move(*parsed));
    auto services = select_services(config, options.services);
    if (!services) {
      print_error(services.error());
      return kExitUsage;
    }
    HttpProber prober(&interrupt);
    Backends backends = make_backends(*config, runner);
    Cycle cycle(backends, prober, runner, interrupt,
                CycleOptions{.dry_run = true, .verify_interval = config->monitor.verify_interval});
    result = cycle.run(*services, deadline);
  }
  // The note leads the text table; JSON and Nagios outputs keep their format, so there it is logged.
  bool printed = !(options.quiet && result.exit_code() == kExitOk);
  if (printed && !options.json && !options.nagios) {
    fmt::print("{}\n", kReadOnlyNote);
  } else {
    spdlog::info("{}", kReadOnlyNote);
  }
  Options read_only = options;
  read_only.dry_run = true;
  print_report(result, read_only);
  if (options.metrics_file) publish_metrics_file(*options.metrics_file, result, {}, WallClock::now());
  return result.exit_code();
}

}  // namespace pm
