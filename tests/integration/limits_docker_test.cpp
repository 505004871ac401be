// [service.limits] against a real Docker Engine: the container's memory from
// its one-shot stats (asked only for containers with limits), restarted after
// its runs over the limit. Containers it-dk-limit-*.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "docker_harness.hpp"

using namespace pm;
using namespace pm::it;

TEST_CASE("a container over its memory limit is restarted after its runs over it", "[docker][limits]") {
  TestContainer limited("it-dk-limit-over");
  TestContainer other("it-dk-limit-free");
  TempDir dir;
  // A busybox sleep uses a few hundred KiB: over a 64 KiB limit from the start.
  std::string config =
      dir.write("config.toml",
                docker_table() + "[monitor]\nverify_interval = \"200ms\"\n\n" +
                    fmt::format("[[service]]\nname = \"{0}\"\nbackend = \"docker\"\ncontainer = \"{0}\"\n"
                                "grace = \"0s\"\nbackoff = \"0s\"\n"
                                "[service.limits]\nmemory = \"64KiB\"\nmemory_cycles = 2\ncpu = \"50%\"\n\n"
                                "[[service]]\nname = \"{1}\"\nbackend = \"docker\"\ncontainer = \"{1}\"\n",
                                limited.name(), other.name()));
  const std::string started = DockerEngine::started_at(limited.name());
  const std::string other_started = DockerEngine::started_at(other.name());

  auto first = run_monitor({"--once", "--json", "-c", config});
  CHECK(first.exit_code == 0);
  auto report = parse_json(first);
  const auto& over = service_named(report, limited.name());
  INFO(over.dump(2));
  REQUIRE(over["usage"]["memory_bytes"].is_number_unsigned());
  CHECK(over["usage"]["memory_bytes"].get<std::uint64_t>() > 64 * 1024);
  CHECK(over["usage"]["cpu_time_ns"].is_number_unsigned());
  CHECK(over["limits"][0]["cycles_over"] == 1);
  CHECK(over["limits"][1]["value"].is_null());  // the first CPU sample
  CHECK_THAT(text_of(over["limits"][1]["note"]), Catch::Contains("first CPU sample"));
  // No limits: no stats call, so no usage.
  CHECK(service_named(report, other.name())["usage"]["memory_bytes"].is_null());
  CHECK(DockerEngine::started_at(limited.name()) == started);

  auto second = run_monitor({"--once", "--json", "-c", config});
  CHECK(second.exit_code == 1);
  report = parse_json(second);
  const auto& restarted = service_named(report, limited.name());
  INFO(restarted.dump(2));
  CHECK(restarted["health"] == "unhealthy");
  CHECK_THAT(text_of(restarted["reason"]), Catch::Contains("over the limit of 64 KiB for 2 runs"));
  CHECK(restarted["action"] == "restart");
  CHECK(restarted["final_health"] == "healthy");
  // An idle sleep: far below half a CPU since the first run.
  REQUIRE(restarted["limits"][1]["value"].is_number());
  CHECK(restarted["limits"][1]["value"].get<double>() < 0.5);
  CHECK(DockerEngine::started_at(limited.name()) != started);
  CHECK(DockerEngine::started_at(other.name()) == other_started);
}
