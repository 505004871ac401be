// Fault injection (issue 10) on the PM2 side: a `[pm2] binary` that hangs or
// prints garbage, and a daemon socket (rpc.sock) that accepts and never
// answers. Each run must end within the PM2 timeout with exit 2 and a message
// naming the fault; the next run against the real test daemon must work.
// Apps are named it-fault-pm2-* on ports 39400-39409.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include "engine_harness.hpp"
#include "fault_servers.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// A PM2_HOME whose pm2.pid names a live process (this test) but which has no
// rpc.sock: process-monitor takes the daemon as running and falls back to
// `<binary> jlist`.
std::string fake_pm2_home(const TempDir& dir) {
  const std::string home = dir.path() + "/pm2-home";
  REQUIRE(mkdir(home.c_str(), 0700) == 0);
  std::ofstream(home + "/pm2.pid") << getpid() << "\n";
  return home;
}

std::string write_script(const TempDir& dir, const std::string& name, const std::string& body) {
  std::string path = dir.write(name, "#!/bin/sh\n" + body);
  REQUIRE(chmod(path.c_str(), 0755) == 0);
  return path;
}

std::string fake_config(const std::string& binary, const std::string& home) {
  return fmt::format(
      "[pm2]\nbinary = \"{}\"\nhome = \"{}\"\ntimeout = \"2s\"\n\n"
      "[[service]]\nname = \"api\"\nbackend = \"pm2\"\n",
      binary, home);
}

// The next run, against the real daemon: a healthy app is healthy (exit 0).
void next_run_works(const TestApp& app) {
  TempDir dir;
  auto config =
      dir.write("config.toml", pm2_table() + fmt::format("[[service]]\nname = \"{}\"\nbackend = \"pm2\"\n\n"
                                                         "[service.health]\nurl = \"{}\"\ntimeout = \"2s\"\n",
                                                         app.name(), app.health_url()));
  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 0);
  CHECK(service_named(parse_json(run), app.name())["health"] == "healthy");
}

}  // namespace

TEST_CASE("a pm2 binary that hangs is killed at the PM2 timeout, child and all: exit 2 saying so",
          "[pm2][faults]") {
  TestApp app("it-fault-pm2-hang", 39400);
  TempDir dir;
  const std::string pid_file = dir.path() + "/sleeper.pid";
  // A child that keeps the output pipe open: only killing the process group ends it.
  auto binary = write_script(dir, "pm2", fmt::format("sleep 600 &\necho $! > {}\nwait\n", pid_file));
  auto config = dir.write("config.toml", fake_config(binary, fake_pm2_home(dir)));

  auto run = run_monitor({"--once", "--json", "--deadline", "20s", "-c", config}, {}, Duration{60000});
  check_engine_fault(run, "api", "'" + binary + " jlist' timed out after 2");
  long sleeper = 0;
  std::ifstream(pid_file) >> sleeper;
  REQUIRE(sleeper > 0);
  CHECK(eventually([&] { return !process_running(sleeper); }, Duration{10000}));

  next_run_works(app);
}

TEST_CASE("a pm2 binary that prints garbage: exit 2 saying the list is not JSON", "[pm2][faults]") {
  TestApp app("it-fault-pm2-garbage", 39401);
  TempDir dir;
  auto binary = write_script(dir, "pm2", "echo '[{\"pm_id\": 0, \"name\": \"api\", \"pm2_env\": {'\n");
  auto config = dir.write("config.toml", fake_config(binary, fake_pm2_home(dir)));

  auto run = run_monitor({"--once", "--json", "--deadline", "20s", "-c", config}, {}, Duration{60000});
  check_engine_fault(run, "api", "pm2 jlist printed malformed or truncated JSON");

  next_run_works(app);
}

TEST_CASE("a PM2 daemon socket that accepts and never answers: exit 2 within the PM2 timeout, no pm2 run",
          "[pm2][faults]") {
  TestApp app("it-fault-pm2-silent", 39402);
  TempDir dir;
  const std::string home = fake_pm2_home(dir);
  FaultServer silent(home + "/rpc.sock", [](FaultConnection& connection) {
    connection.pause(std::chrono::minutes(10));  // until the client goes or the test ends
  });
  // Would the monitor fall back to `pm2 jlist` and wait a second time, this records it.
  const std::string ran = dir.path() + "/pm2-ran";
  auto binary = write_script(dir, "pm2", fmt::format("echo ran > {}\necho '[]'\n", ran));
  auto config = dir.write("config.toml", fake_config(binary, home));

  auto run = run_monitor({"--once", "--json", "--deadline", "20s", "-c", config}, {}, Duration{60000});
  check_engine_fault(run, "api", "the PM2 daemon did not answer on " + home + "/rpc.sock");
  CHECK(silent.connections() >= 1);
  CHECK(access(ran.c_str(), F_OK) != 0);

  next_run_works(app);
}
