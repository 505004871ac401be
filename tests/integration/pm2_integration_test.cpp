// process-monitor --once against a real PM2 daemon (tests/engines/pm2).
// Each test runs its own app on its own port, so tests can run in parallel.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine_harness.hpp"
#include "loopback_http_server.hpp"
#include "schema_check.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// A config with one [[service]] per app, probes with no retries and a short
// timeout so failures show fast.
std::string config_for(const std::vector<const TestApp*>& apps, const std::string& extra = "",
                       const std::string& verify_timeout = "8s") {
  std::string text = pm2_table() + "[monitor]\nverify_interval = \"200ms\"\n\n";
  for (const auto* app : apps) {
    text += fmt::format(
        "[[service]]\nname = \"{0}\"\nbackend = \"pm2\"\nverify_timeout = \"{3}\"\n{2}\n"
        "[service.health]\nurl = \"{1}\"\ntimeout = \"1s\"\nretries = 0\n\n",
        app->name(), app->health_url(), extra, verify_timeout);
  }
  return text;
}

TestApp::Options without_autorestart() {
  TestApp::Options options;
  options.autorestart = false;
  return options;
}

// The health endpoint answers `mode` even after a restart.
TestApp::Options sticky(const std::string& mode) {
  TestApp::Options options;
  options.sticky_mode = mode;
  return options;
}

TestApp::Options with_env(EnvList env) {
  TestApp::Options options;
  options.env = std::move(env);
  return options;
}

}  // namespace

TEST_CASE("healthy app: exit 0, nothing restarted, -q prints nothing", "[pm2]") {
  TestApp app("it-healthy", 39101);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  long restarts_before = Pm2Engine::restart_count(app.name());

  auto quiet = run_monitor({"--once", "-q", "-c", config});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());

  auto table = run_monitor({"--once", "-c", config});
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out,
             Catch::Contains("it-healthy") && Catch::Contains("online") && Catch::Contains("ok 200"));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);
}

TEST_CASE("503 from the health URL: restarted once, verified, exit 1", "[pm2]") {
  TestApp app("it-503", 39102);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  app.set_mode("503");
  long restarts_before = Pm2Engine::restart_count(app.name());

  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto report = parse_json(run);
  CHECK(report["schema_version"] == 1);
  CHECK(report["exit_code"] == 1);
  const auto& service = report["services"][0];
  CHECK(service["health"] == "unhealthy");
  CHECK(service["probe"]["status_code"] == 503);
  CHECK(service["action"] == "restart");
  CHECK(service["final_health"] == "healthy");
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  CHECK_THAT(run.err, Catch::Contains("it-503: unhealthy (status 503 not in 200-399); restarting"));

  // The restart fixed it: the next run is quiet.
  CHECK(run_monitor({"--once", "-q", "-c", config}).exit_code == 0);
}

TEST_CASE("a stopped app is started again: exit 1", "[pm2]") {
  TestApp app("it-stopped", 39103);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  Pm2Engine::run({"stop", app.name()});
  REQUIRE(Pm2Engine::status(app.name()) == "stopped");

  auto run = run_monitor({"--once", "-c", config});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("it-stopped  pm2      stopped") &&
                          Catch::Contains("down; restarted, healthy after"));
  CHECK(Pm2Engine::status(app.name()) == "online");
}

TEST_CASE("a stopped app with expect = \"any\" is left alone: exit 0", "[pm2]") {
  TestApp app("it-may-stop", 39104);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}, "expect = \"any\""));
  Pm2Engine::run({"stop", app.name()});
  auto run = run_monitor({"--once", "-c", config});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("stopped (allowed)"));
  CHECK(Pm2Engine::status(app.name()) == "stopped");
}

TEST_CASE("a crashed app (no autorestart) is restarted: exit 1", "[pm2]") {
  TestApp app("it-crashed", 39105, without_autorestart());
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  app.set_mode("crash");
  for (int i = 0; i < 100 && Pm2Engine::status(app.name()) == "online"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string crashed = Pm2Engine::status(app.name());
  REQUIRE(crashed != "online");

  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto service = parse_json(run)["services"][0];
  CHECK(service["engine_state"] == crashed);
  CHECK(service["reason"] == "pm2 says " + crashed);
  CHECK(service["final_health"] == "healthy");
  CHECK(Pm2Engine::status(app.name()) == "online");
}

TEST_CASE("an app a restart cannot fix: one restart, exit 2 within the verify timeout", "[pm2]") {
  TestApp app("it-broken", 39106, sticky("503"));
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  long restarts_before = Pm2Engine::restart_count(app.name());

  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 2);
  auto service = parse_json(run)["services"][0];
  CHECK(service["action"] == "restart");
  CHECK(service["final_health"] == "unhealthy");
  CHECK_THAT(service["final_reason"].get<std::string>(), Catch::StartsWith("still unhealthy after 8s"));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
}

TEST_CASE("a health URL that hangs times out and the run ends with exit 2", "[pm2]") {
  TestApp app("it-hang", 39107, sticky("hang"));
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}, "", "3s"));
  auto run = run_monitor({"--once", "--json", "-c", config}, {}, Duration{60000});
  CHECK(run.exit_code == 2);
  auto report = parse_json(run);
  CHECK(report["deadline_reached"] == false);
  auto service = report["services"][0];
  CHECK_THAT(service["reason"].get<std::string>(), Catch::Contains("timed out after 1s"));
}

TEST_CASE("dry run restarts nothing and exits 2", "[pm2]") {
  TestApp app("it-dry", 39108);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  app.set_mode("503");
  long restarts_before = Pm2Engine::restart_count(app.name());
  auto run = run_monitor({"--once", "--dry-run", "-c", config});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::Contains("would restart (--dry-run)"));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);
}

TEST_CASE("a service filter checks only the named service", "[pm2]") {
  TestApp first("it-filter-a", 39109);
  TestApp second("it-filter-b", 39110);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&first, &second}));
  first.set_mode("503");
  second.set_mode("503");
  long second_before = Pm2Engine::restart_count(second.name());
  auto run = run_monitor({"-c", config, "--service", "it-filter-a", "--once"});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("it-filter-a"));
  CHECK_THAT(run.out, !Catch::Contains("it-filter-b"));
  CHECK(Pm2Engine::restart_count(second.name()) == second_before);

  auto unknown = run_monitor({"-c", config, "--service", "nope", "--once"});
  CHECK(unknown.exit_code == 3);
  CHECK_THAT(unknown.err, Catch::Contains("--service nope: no such service") &&
                              Catch::Contains("configured: it-filter-a, it-filter-b"));
}

// Issue 10: every planted secret (the app's environment, probe URL
// credentials and header values, the webhook's URL credentials, path token
// and Authorization header) stays out of stdout, stderr, --json, the metrics
// file, the state file and the log file of a run that restarts the app and
// alerts (to a receiver that fails, so the failure is logged too).
TEST_CASE("the app's environment never reaches the output", "[pm2]") {
  TestApp app("it-secret", 39111, with_env({{"SECRET_TOKEN", "hunter2-integration"}}));
  pm::test::LoopbackHttpServer receiver;  // no route: every post gets 404
  TempDir dir;
  const std::vector<std::string> planted{"hunter2-integration",
                                         "planted-url-pass",
                                         "planted-probe-header",
                                         "planted-hook-pass",
                                         "planted0hook0path0token0123456789",
                                         "planted-hook-bearer"};
  std::string config = config_for({&app});
  const std::string url = app.health_url();
  config.replace(config.find(url), url.size(),
                 "http://probe-user:planted-url-pass@" + url.substr(std::string("http://").size()));
  config.replace(config.find("retries = 0\n"), std::string("retries = 0\n").size(),
                 "retries = 0\nheaders = { X-Api-Key = \"planted-probe-header\" }\n");
  config += fmt::format(
      "[[alert]]\nwebhook = \"http://hook-user:planted-hook-pass@127.0.0.1:{}/services/"
      "planted0hook0path0token0123456789\"\nheaders = {{ Authorization = \"Bearer planted-hook-bearer\" }}\n"
      "retries = 0\n",
      receiver.port());
  auto path = dir.write("config.toml", config);
  const std::string metrics = dir.path() + "/metrics.prom";
  const std::string log = dir.path() + "/monitor.log";
  const std::string state = dir.path() + "/state";
  app.set_mode("503");
  auto run = run_monitor({"--once", "--json", "--log-level", "trace", "-c", path, "--metrics-file", metrics,
                          "--log-file", log, "--state-dir", state});
  CHECK(run.exit_code == 1);
  // The webhook was really posted, with its secrets.
  CHECK(receiver.request_count("/services/planted0hook0path0token0123456789") >= 1);

  std::string state_text;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(state)) {
    if (entry.is_regular_file()) state_text += read_text(entry.path().string());
  }
  const std::vector<std::pair<std::string, std::string>> outputs{{"stdout", run.out},
                                                                 {"stderr", run.err},
                                                                 {"metrics", read_text(metrics)},
                                                                 {"log file", read_text(log)},
                                                                 {"state", state_text}};
  for (const auto& [name, text] : outputs) {
    INFO(name);
    CHECK_FALSE(text.empty());
    for (const auto& secret : planted) {
      INFO(secret);
      CHECK(text.find(secret) == std::string::npos);
    }
  }
}

TEST_CASE("an app missing from PM2 is down and cannot be restarted by pm2: exit 2", "[pm2]") {
  TempDir dir;
  auto config = dir.write("config.toml", pm2_table() +
                                             "[[service]]\nname = \"it-ghost\"\nbackend = \"pm2\"\n"
                                             "[service.health]\nurl = \"http://127.0.0.1:39112/health\"\n");
  auto run = run_monitor({"--once", "-c", config});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out,
             Catch::Contains("not in pm2 list") && Catch::Contains("start it once with 'pm2 start'"));
}

TEST_CASE("a PM2 daemon that is not running: exit 2 with the reason, and none is started", "[pm2]") {
  TempDir dir;
  std::string home = dir.path() + "/no-daemon";
  auto config = dir.write("config.toml", fmt::format("[pm2]\nbinary = \"{}\"\nhome = \"{}\"\n\n"
                                                     "[[service]]\nname = \"api\"\nbackend = \"pm2\"\n",
                                                     Pm2Engine::binary(), home));
  auto run = run_monitor({"--once", "-c", config});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("PM2 daemon is not running"));
  CHECK(access((home + "/pm2.pid").c_str(), F_OK) != 0);
}

TEST_CASE("config errors exit 3 with file:line:col and check-config validates", "[pm2]") {
  TempDir dir;
  auto bad = dir.write("bad.toml", "[[service]]\nname = \"api\"\nbackend = \"pm2\"\nhelth = {}\n");
  auto run = run_monitor({"--once", "-c", bad});
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err,
             Catch::Contains(bad + ":4:1: unknown key 'helth'") && Catch::Contains("did you mean 'health'"));
  CHECK(run_monitor({"check-config", "-c", bad}).exit_code == 3);

  auto good = dir.write("good.toml", pm2_table() + "[[service]]\nname = \"api\"\nbackend = \"pm2\"\n");
  auto checked = run_monitor({"check-config", "-c", good});
  CHECK(checked.exit_code == 0);
  CHECK_THAT(checked.out, Catch::Contains("OK, 1 service"));

  auto missing = run_monitor({"--once"}, {{"PROCESS_MONITOR_CONFIG", dir.path() + "/absent.toml"}});
  CHECK(missing.exit_code == 3);
  CHECK_THAT(missing.err, Catch::Contains("absent.toml"));
}

TEST_CASE("usage errors exit 3: --once with --interval, a bare number for a duration", "[pm2]") {
  auto both = run_monitor({"--once", "--interval", "2s"});
  CHECK(both.exit_code == 3);
  CHECK_THAT(both.err, Catch::Contains("--once excludes --interval"));
  auto bare = run_monitor({"-i", "2"});
  CHECK(bare.exit_code == 3);
  CHECK_THAT(bare.err, Catch::Contains("missing unit"));
  auto version = run_monitor({"--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::Contains("process-monitor ") && Catch::Contains("backends: pm2"));
}

TEST_CASE("interval mode keeps checking and ends on SIGTERM within a second", "[pm2]") {
  TestApp app("it-interval", 39113);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  auto out_file = dir.path() + "/out";
  // Started by hand (not run_monitor) to signal it while it runs.
  std::vector<std::string> args{PM_BINARY, "--interval",  "300ms",
                                "-c",      config,        "--log-file",
                                out_file,  "--state-dir", dir.path() + "/state"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, PM_BINARY, nullptr, nullptr, argv.data(), environ) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Counted before the failure: the loop may restart it before a count taken after would be read.
  long restarts_before = Pm2Engine::restart_count(app.name());
  app.set_mode("503");  // the loop notices and restarts it
  for (int i = 0; i < 100 && Pm2Engine::restart_count(app.name()) == restarts_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  auto signalled = std::chrono::steady_clock::now();
  kill(pid, SIGTERM);
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() - signalled < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL("--interval did not stop on SIGTERM");
  }
  // Not a speed claim: a bound far above the ~0.1 s it takes, that still
  // fails if the loop ignored the signal until its next cycle or longer.
  CHECK(std::chrono::steady_clock::now() - signalled < std::chrono::seconds(5));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

// Outputs (issue 7): --json against its schema, --metrics-file read by the
// real node_exporter, --format nagios. Ports 39120-39125.

namespace {

const std::string kRepoRoot = PM_ENGINES_DIR "/../..";

void check_schema(const std::string& schema, const MonitorRun& run) {
  auto check = test::check_against_schema(kRepoRoot, schema, run.out);
  INFO(schema << " on:\n" << run.out << "\n" << check.errors);
  CHECK(check.exit_code == 0);
}

// The program `name` as PATH finds it, or "".
std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t at = 0; at <= dirs.size();) {
    std::size_t end = std::min(dirs.find(':', at), dirs.size());
    std::string candidate = dirs.substr(at, end - at) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    at = end + 1;
  }
  return "";
}

// Debian's prometheus-node-exporter with only the textfile collector,
// reading `directory`, on 127.0.0.1:`port`; stopped at destruction.
class NodeExporter {
 public:
  NodeExporter(const std::string& binary, const std::string& directory, int port) : port_(port) {
    std::vector<std::string> args{binary, "--collector.disable-defaults", "--collector.textfile",
                                  "--collector.textfile.directory=" + directory,
                                  fmt::format("--web.listen-address=127.0.0.1:{}", port)};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = log_dir_.path() + "/node-exporter.log";
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(spawned == 0);
    for (int i = 0; i < 200 && http_get(metrics_url()) != 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    INFO("node_exporter's log:\n" << read_text(log));
    REQUIRE(http_get(metrics_url()) == 200);
  }
  ~NodeExporter() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  NodeExporter(const NodeExporter&) = delete;
  NodeExporter& operator=(const NodeExporter&) = delete;

  std::string metrics_url() const { return fmt::format("http://127.0.0.1:{}/metrics", port_); }

 private:
  int port_;
  pid_t pid_ = -1;
  TempDir log_dir_;
};

}  // namespace

TEST_CASE("the JSON report of a healthy and a restarted app and status --json match their schemas",
          "[pm2][outputs]") {
  TestApp healthy("it-json-healthy", 39120);
  TestApp restarted("it-json-restarted", 39121);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&healthy, &restarted}));
  restarted.set_mode("503");

  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  check_schema("report-v1.schema.json", run);
  auto report = parse_json(run);
  CHECK(service_named(report, "it-json-healthy")["exit_code"] == 0);
  CHECK(service_named(report, "it-json-restarted")["action"] == "restart");
  CHECK(service_named(report, "it-json-restarted")["exit_code"] == 1);

  auto again = run_monitor({"--once", "--format", "json", "-c", config});
  CHECK(again.exit_code == 0);
  check_schema("report-v1.schema.json", again);

  auto status = run_monitor({"status", "--json", "-c", config});
  CHECK(status.exit_code == 0);
  check_schema("status-v1.schema.json", status);
}

TEST_CASE("the metrics file is read by the real node_exporter's textfile collector", "[pm2][outputs]") {
  const std::string binary = find_in_path("prometheus-node-exporter");
  if (binary.empty()) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true")
      FAIL("CI=true and prometheus-node-exporter is not installed (scripts/install-deps.sh)");
    WARN("SKIPPED: prometheus-node-exporter is not installed (scripts/install-deps.sh)");
    return;
  }
  TestApp fine("it-metrics-ok", 39122);
  TestApp failing("it-metrics-503", 39123);
  TempDir dir;
  TempDir textfiles;
  auto config = dir.write("config.toml", config_for({&fine, &failing}));
  failing.set_mode("503");
  NodeExporter exporter(binary, textfiles.path(), 39125);

  const std::string metrics_file = textfiles.path() + "/process_monitor.prom";
  auto run = run_monitor({"--once", "-q", "--metrics-file", metrics_file, "-c", config});
  CHECK(run.exit_code == 1);
  INFO("metrics file:\n" << read_text(metrics_file));
  auto scrape = http_fetch(exporter.metrics_url());
  REQUIRE(scrape.status == 200);
  INFO("scrape:\n" << scrape.body);
  // node_exporter writes the labels in name order.
  for (const char* sample : {
           R"(process_monitor_service_up{backend="pm2",service="it-metrics-ok"} 1)",
           R"(process_monitor_service_healthy{backend="pm2",service="it-metrics-503"} 1)",
           R"(process_monitor_probe_status_code{backend="pm2",service="it-metrics-ok"} 200)",
           R"(process_monitor_probe_status_code{backend="pm2",service="it-metrics-503"} 503)",
           R"(process_monitor_service_restarts_in_window{backend="pm2",service="it-metrics-503"} 1)",
           R"(process_monitor_service_restarts_in_window{backend="pm2",service="it-metrics-ok"} 0)",
           R"(process_monitor_service_gave_up{backend="pm2",service="it-metrics-503"} 0)",
           "process_monitor_last_run_exit_code 1",
           "# TYPE process_monitor_probe_duration_seconds gauge",
           "process_monitor_last_run_duration_seconds ",
           "process_monitor_last_run_timestamp_seconds 1.",
           "node_textfile_scrape_error 0",
       }) {
    CHECK_THAT(scrape.body, Catch::Contains(sample));
  }

  // A metrics file that cannot be written is logged; the run's result stands.
  auto unwritable = run_monitor(
      {"--once", "--metrics-file", dir.path() + "/config.toml/process_monitor.prom", "-c", config});
  CHECK(unwritable.exit_code == 0);
  CHECK_THAT(unwritable.out, Catch::Contains("it-metrics-ok"));
  CHECK_THAT(unwritable.err,
             Catch::Contains("process-monitor: error: cannot write the metrics file " + dir.path() +
                             "/config.toml/process_monitor.prom: Not a directory"));
}

TEST_CASE("the nagios format prints one status line with perfdata and exits as a Nagios plugin",
          "[pm2][outputs]") {
  TestApp app("it-nagios", 39124);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&app}));
  app.set_mode("503");
  auto run = run_monitor({"--once", "--format", "nagios", "-c", config});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out,
             Catch::Matches("PROCESS-MONITOR WARNING - restarted and recovered: it-nagios; 1 service OK "
                            "\\| 'it-nagios_probe'=[0-9.]+s;;;0 'services'=1;;;0 'failing'=0;;;0 "
                            "'recovered'=1;;;0 'duration'=[0-9.]+s;;;0\n"));
  auto both = run_monitor({"--once", "--json", "--format", "nagios", "-c", config});
  CHECK(both.exit_code == 3);
  CHECK_THAT(both.err, Catch::Contains("--json excludes --format"));

  // A run that ends before any check still prints its one line: UNKNOWN, and why.
  auto broken = dir.write("broken.toml", "[[service]]\nname = \"x\"\nbackend = \"pm3\"\n");
  auto unknown = run_monitor({"--once", "--format", "nagios", "-c", broken});
  CHECK(unknown.exit_code == 3);
  CHECK_THAT(unknown.out,
             Catch::Matches("PROCESS-MONITOR UNKNOWN - .*broken.toml:3:11: unknown backend 'pm3'[^\n]*\n"));
}
