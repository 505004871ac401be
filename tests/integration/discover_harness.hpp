#pragma once
// What the discovery tests of every engine share: `process-monitor discover`
// run and its config checked, and the environment of a run without a config
// file. Header-only: each engine's test executable includes it.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine_harness.hpp"

namespace pm::it {

// What the no-config run says (cli/discover_command.cpp).
inline constexpr const char* kReadOnlyNote = "no config file: monitoring what discovery found, read-only";

// `process-monitor discover ARGS` with `env`: exit 0, its config written to
// dir/discovered.toml and accepted by `check-config` (run without `env`: the
// config itself must reach the engine). Returns the config's path; `printed`
// gets the config.
inline std::string discover_config(const TempDir& dir, const std::vector<std::string>& args,
                                   const EnvList& env, std::string& printed) {
  std::vector<std::string> argv{"discover"};
  argv.insert(argv.end(), args.begin(), args.end());
  MonitorRun discovered = run_monitor(argv, env);
  INFO("discover stderr:\n" << discovered.err << "\nstdout:\n" << discovered.out);
  REQUIRE(discovered.exit_code == 0);
  printed = discovered.out;
  std::string path = dir.write("discovered.toml", discovered.out);
  MonitorRun checked = run_monitor({"check-config", "-c", path});
  INFO("check-config stderr:\n" << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK_THAT(checked.out, Catch::Contains(path + ": OK"));
  return path;
}

// The environment of a run without a config file: $PROCESS_MONITOR_CONFIG
// empty (as good as unset), every engine pointed at nothing under `dir`,
// then `engine` (last wins). Fails the test when the machine has a
// /etc/process-monitor/config.toml, which such a run would read.
inline EnvList no_config_env(const TempDir& dir, const EnvList& engine) {
  struct stat status {};
  INFO("this test needs a machine without /etc/process-monitor/config.toml (a run would use it)");
  REQUIRE(stat("/etc/process-monitor/config.toml", &status) != 0);
  EnvList env{{"PROCESS_MONITOR_CONFIG", ""},
              {"PM2_HOME", dir.path() + "/no-pm2"},
              {"DOCKER_HOST", "unix://" + dir.path() + "/no-docker.sock"},
              {"XDG_RUNTIME_DIR", dir.path() + "/no-runtime-dir"},
              {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.path() + "/no-bus"}};
  env.insert(env.end(), engine.begin(), engine.end());
  return env;
}

}  // namespace pm::it
