// process-monitor --once against a real systemd user manager
// (tests/engines/systemd). Each test uses its own units (it-sd-*) and, where
// a unit has a health URL, its own loopback port (39301-39309), so tests can
// run in parallel. Units are set up and inspected with `systemctl --user`;
// process-monitor reaches the manager over D-Bus with the manager's
// XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS in its environment.
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backend/systemd_backend.hpp"
#include "docker_harness.hpp"  // SilentEngine: a socket that accepts and never answers
#include "systemd_harness.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// One [[service]] for `unit`, named after it, with its health URL when it has
// one (no retries, a short timeout, so failures show fast).
std::string service_for(const TestUnit& unit, const std::string& verify_timeout = "15s") {
  std::string text =
      fmt::format("[[service]]\nname = \"{}\"\nbackend = \"systemd\"\nverify_timeout = \"{}\"\n", unit.name(),
                  verify_timeout);
  if (unit.has_health_url()) {
    text += fmt::format("[service.health]\nurl = \"{}\"\ntimeout = \"1s\"\nretries = 0\n", unit.health_url());
  }
  return text + "\n";
}

std::string config_for(const std::vector<const TestUnit*>& units, const std::string& verify_timeout = "15s") {
  std::string text = systemd_config_head();
  for (const auto* unit : units) text += service_for(*unit, verify_timeout);
  return text;
}

// process-monitor with the test manager's environment.
MonitorRun run_against_manager(std::vector<std::string> args) {
  return run_monitor(std::move(args), SystemdEngine::env());
}

TestUnit::Options serving_http(int port) {
  TestUnit::Options options;
  options.http_port = port;
  return options;
}

TestUnit::Options with_service_lines(std::vector<std::string> lines) {
  TestUnit::Options options;
  options.service_lines = std::move(lines);
  return options;
}

// The properties that change when systemd (re)starts a unit.
struct StartMark {
  std::string invocation_id;
  long main_pid = 0;
  long n_restarts = 0;
};

StartMark start_mark(const TestUnit& unit) {
  auto values = SystemdEngine::show(unit.unit(), {"InvocationID", "MainPID", "NRestarts"});
  return {values["InvocationID"], std::stol(values["MainPID"]), std::stol(values["NRestarts"])};
}

// A user manager's runtime dir under `dir` whose private socket accepts
// connections and never answers; env() points process-monitor at it.
struct SilentUserManager {
  std::string runtime_dir;
  SilentEngine engine;
  explicit SilentUserManager(const TempDir& dir)
      : runtime_dir(make_runtime_dir(dir)), engine(runtime_dir + "/systemd/private") {}
  EnvList env() const {
    return {{"XDG_RUNTIME_DIR", runtime_dir},
            {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime_dir + "/bus"}};
  }
  static std::string make_runtime_dir(const TempDir& dir) {
    std::string path = dir.path() + "/runtime";
    REQUIRE(mkdir(path.c_str(), 0700) == 0);
    REQUIRE(mkdir((path + "/systemd").c_str(), 0700) == 0);
    return path;
  }
};

}  // namespace

TEST_CASE("healthy units (plain and with a health URL): exit 0, nothing restarted, -q prints nothing",
          "[systemd]") {
  TestUnit plain("it-sd-healthy");
  TestUnit web("it-sd-healthy-web", serving_http(39301));
  TempDir dir;
  // The plain one names its unit and scope itself; the web one gets both
  // from the defaults (name + ".service", [systemd] scope).
  auto config = dir.write("config.toml", systemd_config_head() +
                                             "[[service]]\nname = \"plain\"\nbackend = \"systemd\"\n"
                                             "unit = \"it-sd-healthy.service\"\nscope = \"user\"\n\n" +
                                             service_for(web));
  StartMark plain_before = start_mark(plain);
  StartMark web_before = start_mark(web);
  REQUIRE(plain_before.main_pid > 0);
  REQUIRE(web_before.main_pid > 0);

  auto quiet = run_against_manager({"--once", "-q", "-c", config});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());

  auto json = run_against_manager({"--once", "--json", "-c", config});
  CHECK(json.exit_code == 0);
  auto report = parse_json(json);
  CHECK(report["exit_code"] == 0);
  auto plain_report = service_named(report, "plain");
  auto web_report = service_named(report, web.name());
  INFO(report.dump(2));
  CHECK(plain_report["target"] == "user/it-sd-healthy.service");
  CHECK(web_report["target"] == "user/it-sd-healthy-web.service");
  for (const auto* service : {&plain_report, &web_report}) {
    CHECK((*service)["backend"] == "systemd");
    CHECK((*service)["state"] == "running");
    CHECK((*service)["engine_state"] == "active (running)");
    CHECK((*service)["health"] == "healthy");
    CHECK((*service)["action"] == "none");
    // A healthy cycle lists units in one call, without their processes.
    CHECK((*service)["restart_count"] == nullptr);
    CHECK((*service)["pids"] == nlohmann::json::array());
  }
  CHECK(web_report["probe"]["status_code"] == 200);

  auto table = run_against_manager({"--once", "-c", config});
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("plain") && Catch::Contains("it-sd-healthy-web") &&
                            Catch::Contains("active (running)") && Catch::Contains("ok 200"));

  StartMark plain_after = start_mark(plain);
  StartMark web_after = start_mark(web);
  CHECK(plain_after.main_pid == plain_before.main_pid);
  CHECK(plain_after.n_restarts == plain_before.n_restarts);
  CHECK(plain_after.invocation_id == plain_before.invocation_id);
  CHECK(web_after.main_pid == web_before.main_pid);
  CHECK(web_after.n_restarts == web_before.n_restarts);
  CHECK(web_after.invocation_id == web_before.invocation_id);
}

TEST_CASE(
    "a unit killed with SIGKILL (Restart=no) is restarted and verified: exit 1, active again, JSON "
    "with action_detail, final_health and settled_ms",
    "[systemd]") {
  TestUnit killed("it-sd-killed");
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&killed}));
  StartMark before = start_mark(killed);
  killed.kill_main_process();
  REQUIRE(killed.prop("ActiveState") == "failed");
  REQUIRE(killed.prop("Result") == "signal");

  auto run = run_against_manager({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto report = parse_json(run);
  CHECK(report["exit_code"] == 1);
  auto service = service_named(report, killed.name());
  INFO(service.dump(2));
  CHECK(service["state"] == "failed");
  CHECK(service["engine_state"] == "failed (signal)");
  CHECK(service["health"] == "down");
  CHECK(service["reason"] == "systemd says failed (signal)");
  CHECK(service["action"] == "restart");
  CHECK(service["action_detail"] ==
        "systemctl --user reset-failed it-sd-killed.service, then systemctl --user restart "
        "it-sd-killed.service");
  CHECK(service["action_failed"] == false);
  CHECK(service["final_health"] == "healthy");
  REQUIRE(service["settled_ms"].is_number_integer());
  CHECK(service["settled_ms"].get<long>() >= 0);
  CHECK(service["settled_ms"].get<long>() <= report["elapsed_ms"].get<long>());
  CHECK(service["exit_code"] == 1);
  CAPTURE(service["settled_ms"]);

  CHECK(killed.prop("ActiveState") == "active");
  StartMark after = start_mark(killed);
  CHECK(after.main_pid > 0);
  CHECK(after.main_pid != before.main_pid);
  CHECK(after.invocation_id != before.invocation_id);
  // Restarted by process-monitor, not by systemd (Restart=no).
  CHECK(after.n_restarts == before.n_restarts);

  // The restart fixed it: the next run is quiet.
  auto again = run_against_manager({"--once", "-q", "-c", config});
  CHECK(again.exit_code == 0);
  CHECK(again.out.empty());
}

TEST_CASE(
    "one ListUnitsByNames call per cycle for 40 units, their processes read only when asked, across the "
    "read window",
    "[systemd][round_trips]") {
  // The backend in this process, against the real user manager, so that
  // its D-Bus calls can be counted.
  for (const auto& [name, value] : SystemdEngine::env()) ::setenv(name.c_str(), value.c_str(), 1);
  std::vector<std::unique_ptr<TestUnit>> units;
  std::vector<std::string> targets;
  for (int i = 0; i < 40; ++i) {
    units.push_back(std::make_unique<TestUnit>(fmt::format("it-sd-window-{}", i)));
    targets.push_back("user/" + units.back()->unit());
  }
  units.push_back(std::make_unique<TestUnit>("it-sd-window-killed"));
  units.back()->kill_main_process();
  targets.push_back("user/it-sd-window-killed.service");
  targets.push_back("user/it-sd-window-absent.service");

  SystemdBackend backend(SystemdSettings{});
  // Small, so that 40 units' 80 reads cross it many times.
  backend.set_read_window(8);
  auto observed = backend.observe(targets, Deadline::after(std::chrono::seconds(30)));
  REQUIRE(observed);
  // One ListUnitsByNames for the 42 units, and the Result of the one failed unit.
  CHECK(backend.calls_sent() == 2);
  REQUIRE(observed->size() == 42);
  const UnitStatus& killed = observed->at("user/it-sd-window-killed.service").front();
  CHECK(killed.state == UnitState::Failed);
  CHECK(killed.engine_state == "failed (signal)");
  CHECK(observed->at("user/it-sd-window-absent.service").front().state == UnitState::Missing);

  std::vector<UnitStatus*> running;
  for (int i = 0; i < 40; ++i) {
    UnitStatus& status = observed->at(targets[i]).front();
    INFO(targets[i]);
    CHECK(status.state == UnitState::Running);
    CHECK(status.engine_state == "active (running)");
    CHECK_FALSE(status.processes_known);
    CHECK(status.pids.empty());
    CHECK(status.handles == std::vector<std::string>{targets[i]});
    running.push_back(&status);
  }

  // identify(): MainPID and NRestarts of each, pipelined 8 at a time; each
  // answer lands on its own unit.
  auto identified = backend.identify(running, Deadline::after(std::chrono::seconds(30)));
  REQUIRE(identified);
  CHECK(backend.calls_sent() == 2 + 80);
  for (int i = 0; i < 40; ++i) {
    INFO(targets[i]);
    CHECK(running[i]->processes_known);
    CHECK(running[i]->pids == std::vector<int>{static_cast<int>(units[i]->main_pid())});
    CHECK(running[i]->restart_count == units[i]->n_restarts());
  }

  // The next cycle asks once again, whatever the number of units.
  auto again = backend.observe(targets, Deadline::after(std::chrono::seconds(30)));
  REQUIRE(again);
  CHECK(backend.calls_sent() == 82 + 2);
}

TEST_CASE("a health URL that fails while the unit runs: restarted, its ExecStartPre fixes it, exit 1",
          "[systemd]") {
  TestUnit web("it-sd-web", serving_http(39302));
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&web}));
  StartMark before = start_mark(web);
  web.break_health_url();
  REQUIRE(web.prop("ActiveState") == "active");

  auto run = run_against_manager({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto service = service_named(parse_json(run), web.name());
  INFO(service.dump(2));
  CHECK(service["state"] == "running");
  CHECK(service["engine_state"] == "active (running)");
  CHECK(service["health"] == "unhealthy");
  CHECK(service["probe"]["status_code"] == 404);
  CHECK(service["action"] == "restart");
  CHECK(service["action_detail"] == "systemctl --user restart it-sd-web.service");
  CHECK(service["action_failed"] == false);
  CHECK(service["final_health"] == "healthy");
  CHECK(service["settled_ms"].is_number_integer());
  CHECK_THAT(run.err, Catch::Contains("it-sd-web: unhealthy (status 404 not in 200-399); restarting"));

  StartMark after = start_mark(web);
  CHECK(web.prop("ActiveState") == "active");
  CHECK(after.invocation_id != before.invocation_id);
  CHECK(after.main_pid != before.main_pid);
  CHECK(http_get(web.health_url()) == 200);

  auto again = run_against_manager({"--once", "-q", "-c", config});
  CHECK(again.exit_code == 0);
  CHECK(again.out.empty());
}

TEST_CASE("a unit refused by its start limit is reset-failed and started: exit 1, active again",
          "[systemd]") {
  TestUnit::Options options;
  options.unit_lines = {"StartLimitBurst=2", "StartLimitIntervalSec=30s"};
  TestUnit limited("it-sd-limit", options);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&limited}));

  // As tests/data/systemd/README.md recorded it: restarts of a healthy unit
  // in a row until a start is refused. The start above was the first of the
  // burst of 2, so the second restart is the refused third start (up to 6
  // tries, should the limit's interval have begun anew meanwhile).
  bool refused = false;
  for (int i = 0; i < 6 && !refused; ++i) {
    ExecResult restart = SystemdEngine::try_systemctl({"restart", limited.unit()});
    refused = limited.prop("Result") == "start-limit-hit";
    if (refused) {
      INFO(restart.err);
      CHECK_FALSE(restart.succeeded());
      CHECK_THAT(restart.err, Catch::Contains("attempted too often"));
    }
  }
  REQUIRE(refused);
  // The refused restart has already stopped it; were it still running, a
  // SIGKILL leaves it failed with the same result (systemd keeps the first).
  if (limited.prop("ActiveState") != "failed")
    SystemdEngine::try_systemctl({"kill", "-s", "KILL", limited.unit()});
  SystemdEngine::wait_for(limited.unit(), "ActiveState", "failed");
  REQUIRE(limited.prop("Result") == "start-limit-hit");

  auto run = run_against_manager({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto service = service_named(parse_json(run), limited.name());
  INFO(service.dump(2));
  CHECK(service["state"] == "failed");
  CHECK(service["engine_state"] == "failed (start-limit-hit)");
  CHECK(service["health"] == "down");
  CHECK(service["action"] == "restart");
  CHECK_THAT(text_of(service["action_detail"]),
             Catch::Contains("systemctl --user reset-failed it-sd-limit.service") &&
                 Catch::EndsWith("systemctl --user restart it-sd-limit.service"));
  CHECK(service["action_failed"] == false);
  CHECK(service["final_health"] == "healthy");
  CHECK(limited.prop("ActiveState") == "active");
  CHECK(limited.prop("Result") == "success");
  CHECK(limited.main_pid() > 0);
}

TEST_CASE("a unit waiting for systemd's own restart (Restart=always) is left to systemd: wait, exit 2",
          "[systemd]") {
  TestUnit restarting("it-sd-autorestart", with_service_lines({"Restart=always", "RestartSec=30s"}));
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&restarting}, "2s"));
  restarting.kill_main_process();
  SystemdEngine::wait_for(restarting.unit(), "SubState", "auto-restart");
  StartMark before = start_mark(restarting);
  REQUIRE(before.main_pid == 0);

  auto run = run_against_manager({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 2);
  auto service = service_named(parse_json(run), restarting.name());
  INFO(service.dump(2));
  CHECK(service["state"] == "starting");
  CHECK(service["engine_state"] == "activating (auto-restart)");
  CHECK(service["health"] == "starting");
  CHECK(service["action"] == "wait");
  CHECK(service["action_detail"] == "");
  CHECK(service["final_health"] == "starting");
  CHECK_THAT(text_of(service["final_reason"]), Catch::StartsWith("still starting after 2s"));
  CHECK(service["exit_code"] == 2);

  // Nobody started it: systemd still waits out its RestartSec.
  StartMark after = start_mark(restarting);
  CHECK(restarting.prop("SubState") == "auto-restart");
  CHECK(after.main_pid == 0);
  CHECK(after.n_restarts == before.n_restarts);
  CHECK(after.invocation_id == before.invocation_id);
}

TEST_CASE("a unit the manager does not know is reported not found: exit 2, nothing created", "[systemd]") {
  TempDir dir;
  auto config = dir.write("config.toml", systemd_config_head() +
                                             "[[service]]\nname = \"it-sd-missing\"\nbackend = \"systemd\"\n"
                                             "verify_timeout = \"5s\"\n");
  auto run = run_against_manager({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 2);
  auto service = service_named(parse_json(run), "it-sd-missing");
  INFO(service.dump(2));
  CHECK(service["target"] == "user/it-sd-missing.service");
  CHECK(service["state"] == "missing");
  CHECK(service["engine_state"] == "not found");
  CHECK(service["health"] == "down");
  CHECK(service["action"] == "none");
  CHECK_THAT(text_of(service["action_detail"]), Catch::Contains("nothing to restart"));

  auto table = run_against_manager({"--once", "-c", config});
  CHECK(table.exit_code == 2);
  CHECK_THAT(table.out, Catch::Contains("it-sd-missing") && Catch::Contains("not found"));

  auto state = SystemdEngine::show("it-sd-missing.service", {"LoadState", "ActiveState"});
  CHECK(state["LoadState"] == "not-found");
  CHECK(state["ActiveState"] == "inactive");
}

TEST_CASE("a masked unit: exit 2 with a message saying it is masked, left masked and stopped", "[systemd]") {
  TestUnit::Options options;
  options.start = false;
  TestUnit masked("it-sd-masked", options);
  masked.mask();
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&masked}));

  auto run = run_against_manager({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 2);
  auto service = service_named(parse_json(run), masked.name());
  INFO(service.dump(2));
  CHECK(service["engine_state"] == "masked");
  CHECK(service["health"] == "down");
  CHECK(service["action_failed"] == true);
  CHECK_THAT(text_of(service["action_detail"]),
             Catch::Contains("it-sd-masked.service is masked") &&
                 Catch::Contains("systemctl --user unmask it-sd-masked.service"));
  CHECK_THAT(run.err, Catch::Contains("masked"));

  // The next run is within the restart policy's grace after that (refused)
  // restart attempt: reported, not tried again.
  auto table = run_against_manager({"--once", "-c", config});
  CHECK(table.exit_code == 2);
  CHECK_THAT(table.out, Catch::Contains("it-sd-masked") && Catch::Contains("masked") &&
                            Catch::Contains("not restarted: failing, in grace until"));

  CHECK(masked.prop("LoadState") == "masked");
  CHECK(masked.prop("ActiveState") == "inactive");
}

TEST_CASE("no user manager reachable (empty XDG_RUNTIME_DIR): exit 2 saying so, and the run ends",
          "[systemd]") {
  TempDir dir;
  std::string runtime_dir = dir.path() + "/runtime";
  REQUIRE(mkdir(runtime_dir.c_str(), 0700) == 0);
  auto config =
      dir.write("config.toml",
                systemd_config_head() + "[[service]]\nname = \"it-sd-nomanager\"\nbackend = \"systemd\"\n");
  // Both ways sd-bus finds a user bus point into the empty dir.
  EnvList env{{"XDG_RUNTIME_DIR", runtime_dir},
              {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime_dir + "/bus"}};
  // run_monitor fails the test if the run does not end by itself (hang detector).
  auto run = run_monitor({"--once", "--json", "-c", config}, env, Duration{60000});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("no systemd user manager reachable"));
  auto service = service_named(parse_json(run), "it-sd-nomanager");
  INFO(service.dump(2));
  CHECK(service["health"] == "unknown");
  CHECK(service["action"] == "none");
  CHECK_THAT(text_of(service["engine_error"]),
             Catch::Contains("no systemd user manager reachable") && Catch::Contains(runtime_dir));
}

TEST_CASE("scope \"system\" on a machine without a system manager: exit 2 saying so", "[systemd]") {
  // As root, process-monitor uses /run/systemd/private when it exists: then
  // this machine has a system manager and there is nothing to check here.
  if (access("/run/systemd/private", F_OK) == 0) {
    WARN("this machine runs a systemd system manager (/run/systemd/private): not checked");
    return;
  }
  TempDir dir;
  auto config = dir.write(
      "config.toml", "[[service]]\nname = \"it-sd-system\"\nbackend = \"systemd\"\nscope = \"system\"\n");
  // The system bus is looked up here instead of /run/dbus/system_bus_socket:
  // nothing listens there, whatever this machine runs.
  EnvList env{{"DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + dir.path() + "/system_bus_socket"}};
  auto run = run_monitor({"--once", "--json", "-c", config}, env, Duration{60000});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains("no systemd system manager reachable"));
  auto service = service_named(parse_json(run), "it-sd-system");
  INFO(service.dump(2));
  CHECK(service["target"] == "it-sd-system.service");
  CHECK(service["health"] == "unknown");
  CHECK(service["action"] == "none");
}

TEST_CASE("dry run on a failed unit: exit 2, nothing restarted", "[systemd]") {
  TestUnit dry("it-sd-dry");
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&dry}));
  dry.kill_main_process();
  REQUIRE(dry.prop("ActiveState") == "failed");
  StartMark before = start_mark(dry);

  auto run = run_against_manager({"--once", "--dry-run", "-c", config});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::Contains("it-sd-dry") && Catch::Contains("would restart (--dry-run)"));

  auto json = run_against_manager({"--once", "--dry-run", "--json", "-c", config});
  CHECK(json.exit_code == 2);
  auto report = parse_json(json);
  CHECK(report["dry_run"] == true);
  CHECK(service_named(report, dry.name())["action"] == "would-restart");

  StartMark after = start_mark(dry);
  CHECK(dry.prop("ActiveState") == "failed");
  CHECK(after.main_pid == 0);
  CHECK(after.invocation_id == before.invocation_id);
}

// ---- regressions: product bugs these tests found, now fixed -----------------

TEST_CASE(
    "a unit whose own restarts hit the start limit (Result stays exit-code) is reset-failed and "
    "started",
    "[systemd]") {
  TempDir scratch;
  TestUnit::Options options;
  options.start = false;
  options.unit_lines = {"StartLimitBurst=2", "StartLimitIntervalSec=60s"};
  // Fails until scratch/ok exists: a cause that goes away (a database back up).
  options.exec_start =
      fmt::format("/bin/sh -c 'test -f {}/ok && exec sleep infinity; exit 1'", scratch.path());
  options.service_lines = {"Restart=always", "RestartSec=100ms"};
  TestUnit looping("it-sd-kb-loop", options);
  SystemdEngine::systemctl({"start", looping.unit()});
  SystemdEngine::wait_for(looping.unit(), "ActiveState", "failed");
  REQUIRE(looping.prop("Result") == "exit-code");  // systemd 252 keeps the earlier result
  scratch.write("ok", "");
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&looping}, "5s"));

  auto run = run_against_manager({"--once", "--json", "-c", config});
  auto service = service_named(parse_json(run), looping.name());
  INFO(service.dump(2));
  CHECK(run.exit_code == 1);
  CHECK_THAT(text_of(service["action_detail"]), Catch::Contains("reset-failed"));
  CHECK(looping.prop("ActiveState") == "active");
}

TEST_CASE("a oneshot unit (RemainAfterExit=yes, no main process) is started and verified", "[systemd]") {
  TestUnit::Options options;
  options.start = false;
  options.exec_start = "/bin/true";
  options.service_lines = {"Type=oneshot", "RemainAfterExit=yes"};
  TestUnit oneshot("it-sd-kb-oneshot", options);
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&oneshot}, "3s"));

  auto run = run_against_manager({"--once", "--json", "-c", config});
  auto service = service_named(parse_json(run), oneshot.name());
  INFO(service.dump(2));
  REQUIRE(oneshot.prop("ActiveState") == "active");  // the restart worked
  CHECK(run.exit_code == 1);
  CHECK(service["final_health"] == "healthy");
}

TEST_CASE(
    "a user manager that accepts the connection and never answers cannot hold the run past its "
    "deadline",
    "[systemd]") {
  TempDir dir;
  SilentUserManager silent(dir);
  auto config =
      dir.write("config.toml", systemd_config_head("timeout = \"2s\"") +
                                   "[[service]]\nname = \"it-sd-kb-silent\"\nbackend = \"systemd\"\n");
  // The run's own deadline is 5 s; run_monitor fails the test when it is not over after 30 s.
  auto run = run_monitor({"--once", "--deadline", "5s", "-c", config}, silent.env(), Duration{30000});
  CHECK(run.exit_code == 2);
  CHECK(silent.engine.connections() >= 1);
  CHECK_THAT(run.err, Catch::Contains("did not answer"));
}

TEST_CASE(
    "rotate's reopen through a user manager that accepts the connection and never answers ends by the "
    "deadline, the file rotated",
    "[systemd][rotate]") {
  // KillUnit is the first call on the connection here: nothing before it
  // has found the manager silent.
  TempDir dir;
  SilentUserManager silent(dir);
  const std::string live = dir.path() + "/app.log";
  {
    std::ofstream out(live);
    out << "a line\n";
  }
  auto config =
      dir.write("config.toml",
                fmt::format("[monitor]\ndeadline = \"5s\"\nstate_dir = \"{}/state\"\n\n[systemd]\ntimeout = "
                            "\"2s\"\n\n[[logs]]\npaths = [\"{}\"]\nmax_size = \"1M\"\nreopen = {{ systemd = "
                            "\"it-sd-kb-silent-writer\", scope = \"user\" }}\n",
                            dir.path(), live));
  // run_monitor fails the test when it is not over after 30 s.
  auto run = run_monitor({"rotate", "--force", "-c", config}, silent.env(), Duration{30000});
  INFO("stderr:\n" << run.err);
  CHECK(run.exit_code == 2);
  CHECK(silent.engine.connections() >= 1);
  CHECK_THAT(run.err, Catch::Contains("did not answer") && Catch::Contains("reopen"));
  // Renamed before the reopen was asked for, and kept whole.
  std::ifstream rotated(live + ".1");
  std::string line;
  REQUIRE(std::getline(rotated, line));
  CHECK(line == "a line");
}
