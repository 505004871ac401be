// `process-monitor discover --backend pm2` and a run without a config file,
// against the real PM2 daemon (tests/engines/pm2). Apps it-disc-* on ports
// 39160-39163. Other tests' apps share the daemon, so a discovered config is
// run with --service for this test's apps only.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "discover_harness.hpp"
#include "engine_harness.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// The test daemon reached through the environment, the pinned pm2 in PATH
// (as a shell where `pm2 ls` works has it).
EnvList pm2_env() {
  std::string bin = Pm2Engine::binary().substr(0, Pm2Engine::binary().rfind('/'));
  const char* path = std::getenv("PATH");
  return {{"PM2_HOME", Pm2Engine::home()}, {"PATH", bin + ":" + (path != nullptr ? path : "/usr/bin:/bin")}};
}

// A PM2 app that exits at once, until PM2 gives up on it (errored); deleted at destruction.
class ErroredApp {
 public:
  ErroredApp(std::string name, const TempDir& dir) : name_(std::move(name)) {
    std::string script = dir.write("exit.js", "process.exit(3)\n");
    Pm2Engine::try_run({"delete", name_});  // left over from an interrupted earlier run
    Pm2Engine::run({"start", script, "--name", name_, "--max-restarts", "1"});
    for (int i = 0; i < 100 && Pm2Engine::status(name_) != "errored"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(Pm2Engine::status(name_) == "errored");
  }
  ~ErroredApp() { Pm2Engine::try_run({"delete", name_}); }
  ErroredApp(const ErroredApp&) = delete;
  ErroredApp& operator=(const ErroredApp&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

}  // namespace

TEST_CASE(
    "discover --backend pm2: its config names the apps, reaches the daemon without the environment, runs "
    "green",
    "[pm2]") {
  TestApp app("it-disc-app", 39160);
  TestApp stopped("it-disc-stopped", 39161);
  Pm2Engine::run({"stop", stopped.name()});
  TempDir dir;
  std::string printed;
  std::string config = discover_config(dir, {"--backend", "pm2"}, pm2_env(), printed);

  CHECK_THAT(printed, Catch::Contains(fmt::format("[pm2]\nbinary = \"{}\"\nhome = \"{}\"\n",
                                                  Pm2Engine::binary(), Pm2Engine::home())));
  CHECK_THAT(printed,
             Catch::Contains("name = \"it-disc-app\"\nbackend = \"pm2\"\ntarget = \"it-disc-app\"\n"));
  CHECK_THAT(printed,
             Catch::Contains("name = \"it-disc-stopped\"\nbackend = \"pm2\"\ntarget = \"it-disc-stopped\"\n"
                             "# stopped when discovered: reported, never restarted; delete the expect line "
                             "to keep it running\nexpect = \"any\"\n"));
  CHECK_THAT(printed, !Catch::Contains("[docker]") && !Catch::Contains("\nurl"));
  long restarts_before = Pm2Engine::restart_count(app.name());

  // No PM2_HOME and no pm2 in PATH here: the config's [pm2] table reaches the daemon.
  auto run = run_monitor({"--once", "-c", config, "--service", app.name(), "--service", stopped.name()});
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("it-disc-app      pm2      online") &&
                          Catch::Contains("it-disc-stopped  pm2      stopped"));
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);
  CHECK(Pm2Engine::status(stopped.name()) == "stopped");
}

TEST_CASE("no config file: --once reports the PM2 apps discovery finds and restarts none: exit 2", "[pm2]") {
  TestApp app("it-disc-ro", 39162);
  TempDir dir;
  ErroredApp errored("it-disc-ro-errored", dir);
  long restarts_before = Pm2Engine::restart_count(app.name()) + Pm2Engine::restart_count(errored.name());
  EnvList env = no_config_env(dir, pm2_env());

  auto run = run_monitor({"--once"}, env);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out,
             Catch::StartsWith(std::string(kReadOnlyNote) + "; write one with 'process-monitor discover > "
                                                            "/etc/process-monitor/config.toml'\n"));
  CHECK_THAT(run.out, Catch::Contains("it-disc-ro ") && Catch::Contains("it-disc-ro-errored"));

  auto json_run =
      run_monitor({"--once", "--json", "--service", app.name(), "--service", errored.name()}, env);
  CHECK(json_run.exit_code == 2);
  auto report = parse_json(json_run);
  CHECK(report["dry_run"] == true);
  CHECK(service_named(report, app.name())["health"] == "healthy");
  CHECK(service_named(report, errored.name())["health"] == "down");
  CHECK(service_named(report, errored.name())["action"] == "would-restart");

  CHECK(Pm2Engine::status(errored.name()) == "errored");
  CHECK(Pm2Engine::restart_count(app.name()) + Pm2Engine::restart_count(errored.name()) == restarts_before);
}
