// `process-monitor discover --backend systemd` and a run without a config
// file, against the real systemd user manager (tests/engines/systemd). Units
// it-sd-disc-*; no ports. Other tests' units share the manager, so a
// discovered config is run with --service for this test's units only.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "discover_harness.hpp"
#include "systemd_harness.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// A unit with an [Install] section (its lines follow the [Service] ones),
// enabled at runtime: discovery lists enabled units. Disabled again at
// destruction, before the TestUnit declared earlier removes the unit.
TestUnit::Options installable() {
  TestUnit::Options options;
  options.service_lines = {"[Install]", "WantedBy=default.target"};
  return options;
}

class EnabledUnit {
 public:
  explicit EnabledUnit(const std::string& name) : unit_(name, installable()) {
    SystemdEngine::systemctl({"enable", "--runtime", unit_.unit()});
    SystemdEngine::daemon_reload();
    REQUIRE(unit_.prop("UnitFileState") == "enabled-runtime");
  }
  ~EnabledUnit() { (void)SystemdEngine::try_systemctl({"disable", "--runtime", unit_.unit()}); }
  const TestUnit& unit() const { return unit_; }

 private:
  TestUnit unit_;
};

// A unit whose start fails: left failed (not enabled; discovery lists failed units too).
TestUnit::Options failing() {
  TestUnit::Options options;
  options.exec_start = "/bin/false";
  options.start = false;
  return options;
}

void fail_start(const TestUnit& unit) {
  (void)SystemdEngine::try_systemctl({"start", unit.unit()});
  SystemdEngine::wait_for(unit.unit(), "ActiveState", "failed");
}

}  // namespace

TEST_CASE(
    "discover --backend systemd: enabled and failed units of the user manager, a config that runs green",
    "[systemd]") {
  EnabledUnit enabled("it-sd-disc-enabled");
  TestUnit failed("it-sd-disc-failed", failing());
  fail_start(failed);
  TempDir dir;
  std::string printed;
  std::string config = discover_config(dir, {"--backend", "systemd"}, SystemdEngine::env(), printed);

  CHECK_THAT(printed, Catch::Contains("# ---- systemd --user: "));
  CHECK_THAT(printed,
             Catch::Contains("# systemd: active (running)\n[[service]]\nname = \"it-sd-disc-enabled\"\n"
                             "backend = \"systemd\"\nunit = \"it-sd-disc-enabled.service\"\n"
                             "scope = \"user\"\n"));
  CHECK_THAT(printed, Catch::Contains("# systemd: failed\n[[service]]\nname = \"it-sd-disc-failed\"\n"
                                      "backend = \"systemd\"\nunit = \"it-sd-disc-failed.service\"\n"
                                      "scope = \"user\"\n# down when discovered"));
  long pid = enabled.unit().main_pid();

  auto run = run_monitor({"--once", "-c", config, "--service", "it-sd-disc-enabled"}, SystemdEngine::env());
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("it-sd-disc-enabled  systemd  active (running)"));
  CHECK(enabled.unit().main_pid() == pid);
}

TEST_CASE("no config file: --once reports a failed unit discovery finds and does not restart it: exit 2",
          "[systemd]") {
  TestUnit failed("it-sd-disc-down", failing());
  fail_start(failed);
  std::string invocation = failed.prop("InvocationID");
  TempDir dir;
  EnvList env = no_config_env(dir, SystemdEngine::env());

  auto run = run_monitor({"--once"}, env);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::StartsWith(std::string(kReadOnlyNote) + "; write one with"));
  CHECK_THAT(run.out,
             Catch::Contains("it-sd-disc-down") && Catch::Contains("down; would restart (--dry-run)"));

  auto json_run = run_monitor({"--once", "--json", "--service", "it-sd-disc-down"}, env);
  CHECK(json_run.exit_code == 2);
  auto report = parse_json(json_run);
  CHECK(report["dry_run"] == true);
  CHECK(report["services"].size() == 1);
  CHECK(service_named(report, "it-sd-disc-down")["action"] == "would-restart");
  CHECK(service_named(report, "it-sd-disc-down")["target"] == "user/it-sd-disc-down.service");

  CHECK(failed.prop("ActiveState") == "failed");
  CHECK(failed.prop("InvocationID") == invocation);
}
