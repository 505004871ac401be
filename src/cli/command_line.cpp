#include "cli/command_line.hpp"

#include <curl/curl.h>
#include <functional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/version.h>

#include "backend/registry.hpp"
#include "util/curl_global.hpp"

namespace pm {
namespace {

constexpr const char* kExitCodesHelp = R"(
Exit codes:
  0  every service is healthy (or allowed to be stopped); status, reset, pause,
     resume: done
  1  something was unhealthy and is now verified healthy after a restart; or
     a [resources] check reached its warn level
  2  something is still unhealthy: restart failed, verify timed out, engine
     unreachable, or --dry-run saw a failure; or a [[logs]] group failed to
     rotate; or a [resources] check reached its critical level or could not
     be measured
  3  usage, configuration or internal error; a state file that cannot be read;
     reset, pause, resume: a service name that is neither configured nor in the state
  4  another run holds the lock (see --wait-lock), or an --interval loop
     already runs on this config; nothing was done (status never waits for
     the lock; a loop frees it between cycles)

Without a config file (no -c, no $PROCESS_MONITOR_CONFIG, no
/etc/process-monitor/config.toml) a run checks what 'discover' finds,
read-only as with --dry-run: nothing is restarted; 0 all fine, 2 something
is down or unhealthy, or no engine answered.
discover: 0 the config was printed; 2 no engine (or not the --backend one)
answered; 3 the -c config cannot be read.

Global options work before or after a subcommand: process-monitor status -c FILE --json.
Config: -c FILE, else $PROCESS_MONITOR_CONFIG, else /etc/process-monitor/config.toml.
See process-monitor(1).)";

// A CLI11 transform that accepts "500ms", "30s", "5m" and rejects the rest
// with parse_duration's message.
CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto parsed = parse_duration(text);
        return parsed ? std::string() : parsed.error();
      },
      "DURATION");
}

void store_duration(const std::string& text, std::optional<Duration>& target) {
  if (auto parsed = parse_duration(text)) target = *parsed;
}

}  // namespace

std::string version_text() {
  // The libcurl that runs, not the one built against; the build's when it cannot be loaded.
  std::string curl = ensure_curl_loaded() ? curl_version_info(CURLVERSION_NOW)->version
                                          : fmt::format("{} (not loadable)", LIBCURL_VERSION);
  return fmt::format("process-monitor {}\nbackends: {}, none\nlibcurl {}, spdlog {}.{}.{}\n", PM_VERSION,
                     fmt::join(compiled_backends(), ", "), curl, SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR,
                     SPDLOG_VER_PATCH);
}

std::unique_ptr<CLI::App> make_command_line(Options& options) {
  auto app = std::make_unique<CLI::App>(
      "process-monitor: checks PM2 apps, Docker containers and systemd units and their health URLs,\n"
      "restarts the failed ones and verifies that the restart worked.",
      "process-monitor");
  app->footer(kExitCodesHelp);
  // A callback: the text loads libcurl for its version, which only --version should pay.
  app->set_version_flag("-V,--version", std::function<std::string()>(version_text));
  app->fallthrough();  // global options may follow a subcommand: check-config -c FILE

  app->add_option("-c,--config", options.config_path, "Config file (TOML)")->type_name("FILE");
  auto* once = app->add_flag("--once", options.once, "Run one cycle and exit (the default)");
  auto* interval =
      app->add_option_function<std::string>(
             "-i,--interval", [&options](const std::string& text) { store_duration(text, options.interval); },
             "Run a cycle every DURATION until SIGTERM/SIGINT (the run lock is taken per cycle)")
          ->check(duration_validator())
          ->type_name("DURATION");
  once->excludes(interval);
  auto* dry_run = app->add_flag("-n,--dry-run", options.dry_run, "Check and report; restart nothing");
  auto* service = app->add_option("-s,--service", options.services,
                                  "Only these services (repeatable, or comma-separated)")
                      ->delimiter(',')
                      ->type_name("NAME");
  auto* json =
      app->add_flag("--json", options.json,
                    "Print the report as JSON, schema version 1 (schema/report-v1.schema.json; status: "
                    "schema/status-v1.schema.json); the same as --format json");
  auto* format =
      app->add_option_function<std::string>(
             "--format",
             [&options](const std::string& text) {
               options.json = text == "json";
               options.nagios = text == "nagios";
             },
             "The run's report: text (the table, the default), json (as --json) or nagios (one line "
             "'PROCESS-MONITOR OK|WARNING|CRITICAL - summary | perfdata' for Nagios and Icinga; exit codes "
             "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)")
          ->check(CLI::IsMember({"text", "json", "nagios"}))
          ->type_name("FORMAT");
  json->excludes(format);
  auto* metrics_file =
      app->add_option(
             "--metrics-file", options.metrics_file,
             "After each cycle, replace FILE atomically with the run's Prometheus metrics (text format, "
             "for node_exporter's textfile collector: a *.prom file in its directory); a failed "
             "write is logged and does not change the exit code")
          ->type_name("FILE");
  app->add_flag("-q,--quiet", options.quiet,
                "Print nothing when every service is healthy (reset, pause, resume: nothing on success)");
  app->add_option("--log-file", options.log_file, "Also append diagnostics to FILE")->type_name("FILE");
  app->add_option(
         "--log-level", options.log_level,
         "Diagnostics on stderr: trace, debug, info, warn, error or off (default: info; warn with -q)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->type_name("LEVEL");
  auto* deadline =
      app->add_option_function<std::string>(
             "--deadline", [&options](const std::string& text) { store_duration(text, options.deadline); },
             "Deadline of a whole run (default: [monitor] deadline, 120s)")
          ->check(duration_validator())
          ->type_name("DURATION");

  app->add_option("--state-dir", options.state_dir,
                  "Where restart history is kept between runs (default: $PROCESS_MONITOR_STATE_DIR, else "
                  "[monitor] state_dir, else /var/lib/process-monitor as root)")
      ->type_name("DIR");
  app->add_option_function<std::string>(
         "--wait-lock",
         [&options](const std::string& text) {
           if (auto parsed = parse_duration(text)) options.wait_lock = *parsed;
         },
         "Wait up to DURATION for a run that holds the lock, instead of exiting 4 at once")
      ->check(duration_validator())
      ->type_name("DURATION");

  auto* check = app->add_subcommand("check-config", "Validate the config file and exit (0 valid, 3 invalid)");
  check->callback([&options] { options.command = Command::CheckConfig; });
  app->require_subcommand(0, 1);

  // The state commands ask no engine: the run's flags would be silently ignored, so they are errors.
  const std::vector<CLI::Option*> run_only{once, interval, dry_run, service, deadline, format, metrics_file};
  auto add_state_command = [&](const char* name, const char* description, Command command) {
    auto* sub = app->add_subcommand(name, description);
    sub->callback([&options, command] { options.command = command; });
    for (auto* option : run_only) sub->excludes(option);
    return sub;
  };
  add_state_command("status",
                    "Show each service's restart history from the state file: state, failures, restarts "
                    "in the budget window, backoff, pause, giving up. Asks no engine and never waits for "
                    "the run lock",
                    Command::Status);
  const char* service_help = "Service names: configured, or in the state (members of a Docker group)";
  add_state_command("reset",
                    "Forget the failures, restarts, backoff and giving up of SERVICE(s): the next failing "
                    "run may restart them at once",
                    Command::Reset)
      ->add_option("SERVICE", options.state_services, service_help)
      ->required();
  auto* pause = add_state_command(
      "pause", "Restart nothing of SERVICE(s) and count no failures, until resume or --for has passed",
      Command::Pause);
  pause->add_option("SERVICE", options.state_services, service_help)->required();
  // --for belongs to pause, but flag order never matters: a hidden twin on
  // the main command takes "--for 1h pause api", and is refused elsewhere.
  for (auto* owner : {pause, app.get()}) {
    owner
        ->add_option_function<std::string>(
            "--for", [&options](const std::string& text) { store_duration(text, options.pause_for); },
            "Pause for DURATION (default: until 'process-monitor resume')")
        ->check(duration_validator())
        ->type_name("DURATION")
        ->group(owner == pause ? "Options" : "");
  }
  add_state_command("resume", "End the pause of SERVICE(s)", Command::Resume)
      ->add_option("SERVICE", options.state_services, service_help)
      ->required();

  // rotate takes --dry-run (what would rotate) but none of the checks' flags.
  auto* rotate = app->add_subcommand(
      "rotate",
      "Rotate the [[logs]] groups (and --log-file) now, without checking services: the files that are due, "
      "or all with --force. --dry-run shows what would be done. Exit 0 done, 2 a group failed");
  rotate->callback([&options] { options.command = Command::Rotate; });
  for (auto* option : run_only) {
    if (option != dry_run && option != deadline) rotate->excludes(option);
  }
  for (auto* owner : {rotate, app.get()}) {
    owner
        ->add_flag("--force", options.force,
                   "Rotate every matched file, due or not (empty ones too, unless not_if_empty)")
        ->group(owner == rotate ? "Options" : "");
  }
  // discover asks the engines and prints a config; the run's flags but --deadline mean nothing to it.
  auto* discover = app->add_subcommand(
      "discover",
      "List what the reachable engines run (PM2 apps, Docker containers by Compose service, enabled or "
      "failed systemd services) and print a commented config that monitors them: 'process-monitor discover > "
      "/etc/process-monitor/config.toml'. Engines are reached as -c FILE (or $PROCESS_MONITOR_CONFIG) says, "
      "else as the environment says. Exit 0 printed, 2 no engine reachable");
  discover->callback([&options] { options.command = Command::Discover; });
  for (auto* option : run_only) {
    if (option != deadline) discover->excludes(option);
  }
  discover->excludes(json);
  for (auto* owner : {discover, app.get()}) {
    owner->add_option("--backend", options.discover_backend, "Only this engine: pm2, docker or systemd")
        ->check(CLI::IsMember({"pm2", "docker", "systemd"}))
        ->type_name("NAME")
        ->group(owner == discover ? "Options" : "");
  }
  app->callback([&options] {
    if (options.discover_backend && options.command != Command::Discover)
      throw CLI::ValidationError("--backend", "only discover takes --backend");
    if (options.pause_for && options.command != Command::Pause)
      throw CLI::ValidationError("--for", "only pause takes --for");
    if (options.force && options.command != Command::Rotate)
      throw CLI::ValidationError("--force", "only rotate takes --force");
  });
  return app;
}

}  // namespace pm
