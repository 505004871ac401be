// [service.limits] against a real PM2 daemon: an app that allocates past its
// memory limit is restarted after its runs over it, and a `warn` limit only
// warns. Port 39164.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine_harness.hpp"

using namespace pm;
using namespace pm::it;

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

std::string limited_config(const TestApp& app, const std::string& limits) {
  return pm2_table() +
         fmt::format(
             "[monitor]\nverify_interval = \"200ms\"\n\n"
             "[[service]]\nname = \"{0}\"\nbackend = \"pm2\"\ngrace = \"0s\"\nbackoff = \"0s\"\n"
             "[service.health]\nurl = \"{1}\"\ntimeout = \"1s\"\nretries = 0\n{2}",
             app.name(), app.health_url(), limits.empty() ? "" : "[service.limits]\n" + limits);
}

const nlohmann::json& memory_reading(const nlohmann::json& report) {
  const auto& limits = report["services"][0]["limits"];
  REQUIRE(limits.size() == 1);
  REQUIRE(limits[0]["resource"] == "memory");
  return limits[0];
}

}  // namespace

TEST_CASE("a PM2 app past its memory limit is restarted after its runs over it", "[pm2][limits]") {
  TestApp app("it-leaky", 39164);
  TempDir dir;
  std::string config = dir.write("config.toml", limited_config(app, ""));
  // What the idle app uses, as PM2 reports it: the limit sits 64 MiB above.
  auto idle = parse_json(run_monitor({"--once", "--json", "-c", config}));
  const auto& usage = idle["services"][0]["usage"];
  INFO(usage.dump());
  REQUIRE(usage["memory_bytes"].is_number_unsigned());
  const std::uint64_t idle_bytes = usage["memory_bytes"].get<std::uint64_t>();
  CHECK(idle_bytes > 10 * kMiB);  // a Node.js process
  const std::uint64_t limit = idle_bytes + 64 * kMiB;
  dir.write("config.toml", limited_config(app, fmt::format("memory = \"{}B\"\nmemory_cycles = 2\n", limit)));
  const long restarts_before = Pm2Engine::restart_count(app.name());

  auto under = run_monitor({"--once", "--json", "-c", config});
  CHECK(under.exit_code == 0);
  CHECK(memory_reading(parse_json(under))["over"] == false);

  CHECK(http_get(fmt::format("http://127.0.0.1:{}/allocate?mb=150", app.port())) == 200);
  auto first_over = run_monitor({"--once", "--json", "-c", config});
  CHECK(first_over.exit_code == 0);  // 1 of 2 runs: not acted on yet
  auto reading = memory_reading(parse_json(first_over));
  CHECK(reading["over"] == true);
  CHECK(reading["cycles_over"] == 1);
  CHECK(reading["acts"] == false);
  CHECK(reading["value"].get<std::uint64_t>() > limit);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);

  auto second_over = run_monitor({"--once", "--json", "-c", config});
  CHECK(second_over.exit_code == 1);
  auto report = parse_json(second_over);
  const auto& service = report["services"][0];
  CHECK(service["probe"]["healthy"] == true);  // the health URL never failed
  CHECK(service["health"] == "unhealthy");
  CHECK_THAT(service["reason"].get<std::string>(), Catch::Contains("over the limit of") &&
                                                       Catch::Contains("for 2 runs") &&
                                                       Catch::StartsWith("memory "));
  CHECK(service["action"] == "restart");
  CHECK(service["final_health"] == "healthy");
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
  CHECK_THAT(second_over.err, Catch::Contains("it-leaky: unhealthy (memory "));

  // The restart freed the memory: under the limit, counted from zero again.
  auto after = run_monitor({"--once", "--json", "-c", config});
  CHECK(after.exit_code == 0);
  reading = memory_reading(parse_json(after));
  CHECK(reading["over"] == false);
  CHECK(reading["cycles_over"] == 0);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before + 1);
}

TEST_CASE("a PM2 app over a warn limit: exit 1 with the reading, never restarted", "[pm2][limits]") {
  TestApp app("it-heavy", 39165);
  TempDir dir;
  std::string config = dir.write(
      "config.toml", limited_config(app, "memory = \"1MiB\"\nmemory_action = \"warn\"\ncpu = \"800%\"\n"));
  const long restarts_before = Pm2Engine::restart_count(app.name());
  auto run = run_monitor({"--once", "-c", config});
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out,
             Catch::Contains("ok; memory ") && Catch::Contains("over the limit of 1.0 MiB for 1 run (warn)"));
  CHECK_THAT(run.err, Catch::Contains("it-heavy: memory "));
  auto report = parse_json(run_monitor({"--once", "--json", "-c", config}));
  const auto& limits = report["services"][0]["limits"];
  REQUIRE(limits.size() == 2);
  CHECK(limits[1]["resource"] == "cpu");
  CHECK(limits[1]["value"].is_number());  // PM2's own share: known from the first run
  CHECK(limits[1]["over"] == false);
  CHECK(Pm2Engine::restart_count(app.name()) == restarts_before);
}
