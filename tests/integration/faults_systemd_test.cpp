// Fault injection (issue 10) on the systemd side: a user manager socket that
// answers D-Bus' authentication with garbage. The run must end by itself with
// exit 2 and a message naming the manager; the next run against the real test
// manager must work. (A manager that is not there, and one that never answers,
// are in systemd_integration_test.cpp.) Units are named it-fault-sd-*.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fmt/format.h>

#include "engine_harness.hpp"
#include "fault_servers.hpp"
#include "systemd_harness.hpp"

using namespace pm;
using namespace pm::it;

TEST_CASE("a user manager socket answering garbage: exit 2 naming the manager, the next run fine",
          "[systemd][faults]") {
  TempDir dir;
  const std::string runtime_dir = dir.path() + "/runtime";
  REQUIRE(mkdir(runtime_dir.c_str(), 0700) == 0);
  REQUIRE(mkdir((runtime_dir + "/systemd").c_str(), 0700) == 0);
  FaultServer garbage(runtime_dir + "/systemd/private", [](FaultConnection& connection) {
    // In place of "OK <server guid>" to AUTH EXTERNAL.
    connection.send("HTTP/1.1 400 Bad Request\r\n\r\n\x01\x02 garbage\r\n");
    connection.pause(std::chrono::seconds(30));
  });
  auto config =
      dir.write("config.toml", systemd_config_head("timeout = \"2s\"") +
                                   "[[service]]\nname = \"it-fault-sd-web\"\nbackend = \"systemd\"\n");
  EnvList env{{"XDG_RUNTIME_DIR", runtime_dir},
              {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + runtime_dir + "/bus"}};
  auto run = run_monitor({"--once", "--json", "--deadline", "20s", "-c", config}, env, Duration{60000});
  check_engine_fault(run, "it-fault-sd-web", "lost the connection to the systemd user manager");
  CHECK(garbage.connections() >= 1);

  TestUnit unit("it-fault-sd-next");
  TempDir next_dir;
  auto next_config =
      next_dir.write("config.toml", systemd_config_head() + fmt::format("[[service]]\nname = \"{}\"\n"
                                                                        "backend = \"systemd\"\n",
                                                                        unit.name()));
  auto next = run_monitor({"--once", "--json", "-c", next_config}, SystemdEngine::env());
  CHECK(next.exit_code == 0);
  CHECK(service_named(parse_json(next), unit.name())["health"] == "healthy");
}
