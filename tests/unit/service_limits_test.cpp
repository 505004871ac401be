// [service.limits]: the pure readings (runs over a limit, CPU share from
// cumulative CPU time), the verdict they make, the engines' usage as parsed
// from recorded answers (pm2 jlist, Docker stats), and the config keys.
#include <catch2/catch.hpp>

#include "backend/docker_stats.hpp"
#include "backend/pm2_jlist.hpp"
#include "backend/systemd_units.hpp"
#include "config/load_config.hpp"
#include "core/verdict.hpp"
#include "test_data.hpp"

using namespace pm;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const WallTime kStart{std::chrono::hours(480'000)};
constexpr std::uint64_t kMiB = 1024 * 1024;

ServiceLimits memory_limit(std::uint64_t bytes, int cycles, LimitAction action = LimitAction::Restart) {
  ServiceLimits limits;
  limits.memory_bytes = bytes;
  limits.memory_cycles = cycles;
  limits.memory_action = action;
  return limits;
}

// Runs check_limits once per entry, carrying what each run leaves.
std::vector<LimitReading> run_memory(const ServiceLimits& limits,
                                     const std::vector<std::optional<std::uint64_t>>& uses) {
  LimitMemory memory;
  std::vector<LimitReading> readings;
  WallTime now = kStart;
  for (const auto& use : uses) {
    auto outcome = check_limits(limits, ResourceUse{use, std::nullopt, std::nullopt}, memory, now, "pm2");
    memory = outcome.next;
    readings.push_back(outcome.readings.at(0));
    now += 1min;
  }
  return readings;
}

}  // namespace

TEST_CASE("limits: memory acts after its runs in a row over the limit", "[limits]") {
  auto readings = run_memory(memory_limit(100 * kMiB, 3), {150 * kMiB, 150 * kMiB, 150 * kMiB, 150 * kMiB});
  CHECK(readings[0].cycles_over == 1);
  CHECK_FALSE(readings[0].acts());
  CHECK_FALSE(readings[1].acts());
  CHECK(readings[2].acts());
  CHECK(readings[3].acts());
  CHECK(readings[2].cycles_over == 3);
  CHECK(describe(readings[0]) == "memory 150.0 MiB over the limit of 100.0 MiB (1 of 3 runs)");
  CHECK(describe(readings[2]) == "memory 150.0 MiB over the limit of 100.0 MiB for 3 runs");
}

TEST_CASE("limits: under the limit starts the count again, unmeasured keeps it", "[limits]") {
  auto readings =
      run_memory(memory_limit(100 * kMiB, 2), {150 * kMiB, 50 * kMiB, 150 * kMiB, std::nullopt, 150 * kMiB});
  CHECK(readings[1].cycles_over == 0);
  CHECK_FALSE(readings[1].over());
  CHECK(describe(readings[1]) == "memory 50.0 MiB (limit 100.0 MiB)");
  CHECK(readings[2].cycles_over == 1);
  CHECK(readings[3].cycles_over == 1);  // not measured: neither counted nor reset
  CHECK(readings[3].unsupported);
  CHECK_THAT(describe(readings[3]), Contains("memory not measured: pm2 reports no memory"));
  CHECK(readings[4].cycles_over == 2);
  CHECK(readings[4].acts());
}

TEST_CASE("limits: exactly at the limit is not over it", "[limits]") {
  auto readings = run_memory(memory_limit(100 * kMiB, 1), {100 * kMiB, 100 * kMiB + 1});
  CHECK_FALSE(readings[0].over());
  CHECK(readings[1].acts());
}

TEST_CASE("limits: CPU share from cumulative CPU time between runs", "[limits]") {
  ServiceLimits limits;
  limits.cpu_ratio = 0.9;
  limits.cpu_cycles = 2;
  auto cpu_time = [](std::uint64_t seconds) {
    return ResourceUse{std::nullopt, std::nullopt, seconds * 1'000'000'000ULL};
  };
  // First run: no previous sample, no share yet (and no warning).
  auto first = check_limits(limits, cpu_time(100), {}, kStart, "systemd");
  REQUIRE(first.readings.size() == 1);
  CHECK_FALSE(first.readings[0].value);
  CHECK_FALSE(first.readings[0].unsupported);
  CHECK_THAT(first.readings[0].note, Contains("first CPU sample"));
  // 57 s of CPU in 60 s: 95%.
  auto second = check_limits(limits, cpu_time(157), first.next, kStart + 60s, "systemd");
  REQUIRE(second.readings[0].value);
  CHECK(*second.readings[0].value == Approx(0.95));
  CHECK(second.readings[0].cycles_over == 1);
  CHECK(describe(second.readings[0]) == "cpu 95% over the limit of 90% (1 of 2 runs)");
  // 1.5 CPUs busy: over again, acts.
  auto third = check_limits(limits, cpu_time(247), second.next, kStart + 120s, "systemd");
  CHECK(*third.readings[0].value == Approx(1.5));
  CHECK(third.readings[0].acts());
  CHECK(third.readings[0].action == LimitAction::Warn);  // the CPU default
  // The counter went back: the unit restarted; no share this run, the count is kept.
  auto restarted = check_limits(limits, cpu_time(3), third.next, kStart + 180s, "systemd");
  CHECK_FALSE(restarted.readings[0].value);
  CHECK_THAT(restarted.readings[0].note, Contains("restarted"));
  CHECK(restarted.next.cpu_over == 2);
  CHECK(restarted.next.cpu_sample->time_ns == 3'000'000'000ULL);
  // A clock that did not move gives no share rather than a division by zero.
  auto same_time = check_limits(limits, cpu_time(4), restarted.next, kStart + 180s, "systemd");
  CHECK_FALSE(same_time.readings[0].value);
}

TEST_CASE("limits: PM2's own CPU share is used as it is", "[limits]") {
  ServiceLimits limits;
  limits.cpu_ratio = 0.5;
  limits.cpu_cycles = 1;
  limits.cpu_action = LimitAction::Restart;
  auto outcome = check_limits(limits, ResourceUse{1, 0.75, std::nullopt}, {}, kStart, "pm2");
  REQUIRE(outcome.readings.size() == 1);
  CHECK(outcome.readings[0].acts());
  CHECK_FALSE(outcome.next.cpu_sample);
  auto none = check_limits(limits, ResourceUse{}, {}, kStart, "docker");
  CHECK(none.readings[0].unsupported);
  CHECK_THAT(none.readings[0].note, Contains("docker reports no CPU time"));
}

TEST_CASE("limits: only a restart limit that acts makes a healthy service unhealthy", "[limits]") {
  auto over = run_memory(memory_limit(100 * kMiB, 1), {200 * kMiB}).at(0);
  Verdict healthy{Health::Healthy, ""};
  Verdict judged = with_limits(healthy, {over});
  CHECK(judged.health == Health::Unhealthy);
  CHECK(judged.reason == "memory 200.0 MiB over the limit of 100.0 MiB for 1 run");

  auto warn = run_memory(memory_limit(100 * kMiB, 1, LimitAction::Warn), {200 * kMiB}).at(0);
  CHECK(with_limits(healthy, {warn}).health == Health::Healthy);
  auto waiting = run_memory(memory_limit(100 * kMiB, 2), {200 * kMiB}).at(0);
  CHECK(with_limits(healthy, {waiting}).health == Health::Healthy);
  // A verdict that is already a failure keeps its own reason.
  Verdict down{Health::Down, "errored"};
  CHECK(with_limits(down, {over}).reason == "errored");
}

TEST_CASE("limits: pm2 jlist usage is the sum over online instances", "[limits][pm2]") {
  auto processes = parse_pm2_jlist(test::read_test_data("pm2/jlist-mixed.json")).value();
  auto status = summarize_pm2_processes(processes, {"api", "web", "paused"});
  const ResourceUse& api = status.at("api").at(0).usage;
  CHECK(api.memory_bytes == 57806848u);
  REQUIRE(api.cpu_ratio);
  CHECK(*api.cpu_ratio == Approx(0.002));
  // web runs two instances: memory and CPU add up.
  CHECK(status.at("web").at(0).usage.memory_bytes == 56774656u + 58175488u);
  CHECK(*status.at("web").at(0).usage.cpu_ratio == Approx(0.007));
  // A stopped app uses nothing worth reporting.
  CHECK(status.at("paused").at(0).usage == ResourceUse{});
}

TEST_CASE("limits: Docker stats of a running and of a never started container", "[limits][docker]") {
  auto running = parse_container_stats(test::read_test_data("docker/stats-plain.json"));
  REQUIRE(running);
  REQUIRE(running->memory_bytes);
  CHECK(*running->memory_bytes > 0);
  CHECK(*running->memory_bytes < 64 * kMiB);  // a busybox sleep
  REQUIRE(running->cpu_time_ns);
  CHECK(*running->cpu_time_ns > 0);
  CHECK_FALSE(running->cpu_ratio);

  auto fresh = parse_container_stats(test::read_test_data("docker/stats-fresh.json"));
  REQUIRE(fresh);
  CHECK(*fresh == ResourceUse{});
}

TEST_CASE("limits: Docker stats less inactive page cache, bad types refused", "[limits][docker]") {
  auto v1 = parse_container_stats(
      R"({"memory_stats":{"usage":1000,"stats":{"total_inactive_file":300,"inactive_file":100}},)"
      R"("cpu_stats":{"cpu_usage":{"total_usage":5}}})");
  CHECK(v1->memory_bytes == 700u);
  CHECK(v1->cpu_time_ns == 5u);
  auto v2 = parse_container_stats(R"({"memory_stats":{"usage":1000,"stats":{"inactive_file":100}}})");
  CHECK(v2->memory_bytes == 900u);
  auto cache_above_usage =
      parse_container_stats(R"({"memory_stats":{"usage":10,"stats":{"inactive_file":100}}})");
  CHECK(cache_above_usage->memory_bytes == 0u);
  CHECK_THAT(parse_container_stats("[]").error(), Contains("not a JSON object"));
  CHECK_THAT(parse_container_stats("{\"memory_stats\":{\"usage\":\"big\"}}").error(),
             Contains("memory_stats.usage"));
  CHECK_THAT(parse_container_stats("{\"memory_stats\":{\"usage\":-1}}").error(),
             Contains("memory_stats.usage"));
  CHECK_THAT(parse_container_stats("{\"cpu_stats\":[]}").error(), Contains("stats.cpu_stats"));
}

TEST_CASE("limits: systemd usage only for a running unit", "[limits][systemd]") {
  SystemdUnitProperties properties;
  properties.id = "api.service";
  properties.load_state = "loaded";
  properties.active_state = "active";
  properties.sub_state = "running";
  properties.main_pid = 42;
  properties.memory_current = 123 * kMiB;
  properties.cpu_usage_nsec = 9'000'000'000ULL;
  auto status = systemd_unit_status(properties, SystemdScope::System);
  CHECK(status.usage == ResourceUse{123 * kMiB, std::nullopt, 9'000'000'000ULL});
  properties.active_state = "failed";
  CHECK(systemd_unit_status(properties, SystemdScope::System).usage == ResourceUse{});
}

TEST_CASE("limits: the [service.limits] keys", "[limits][config]") {
  auto config = parse_config(R"([[service]]
name = "api"
backend = "pm2"
[service.limits]
memory = "512MiB"
memory_cycles = 3
cpu = "250%"
cpu_action = "restart"
)",
                             "test.toml");
  REQUIRE(config);
  const ServiceLimits& limits = config->services[0].limits;
  CHECK(limits.memory_bytes == 512 * kMiB);
  CHECK(limits.memory_cycles == 3);
  CHECK(limits.memory_action == LimitAction::Restart);
  REQUIRE(limits.cpu_ratio);
  CHECK(*limits.cpu_ratio == Approx(2.5));
  CHECK(limits.cpu_cycles == 3);
  CHECK(limits.cpu_action == LimitAction::Restart);
}

TEST_CASE("limits: every bad [service.limits] value is refused at its place", "[limits][config]") {
  auto error_of = [](const std::string& limits, const std::string& backend = "pm2") {
    auto config =
        parse_config("[[service]]\nname = \"api\"\nbackend = \"" + backend + "\"\n" +
                         (backend == "none" ? "[service.health]\nurl = \"http://127.0.0.1:1/\"\n" : "") +
                         "[service.limits]\n" + limits,
                     "test.toml");
    REQUIRE_FALSE(config);
    return config.error();
  };
  CHECK_THAT(error_of("memory = \"lots\"\n"), Contains("test.toml:5:10: 'memory'"));
  CHECK_THAT(error_of("memory = \"0B\"\n"), Contains("'memory' must be larger than zero"));
  CHECK_THAT(error_of("cpu = \"90\"\n"), Contains("test.toml:5:7: 'cpu' must be a share of one CPU"));
  CHECK_THAT(error_of("cpu = 90\n"), Contains("'cpu'"));
  CHECK_THAT(error_of("memory = \"1G\"\nmemory_cycles = 0\n"),
             Contains("test.toml:6:17: 'memory_cycles' must be from 1"));
  CHECK_THAT(
      error_of("memory = \"1G\"\nmemory_action = \"restrat\"\n"),
      Contains("'memory_action' must be \"warn\" or \"restart\", got 'restrat' (did you mean 'restart'?)"));
  CHECK_THAT(error_of("memroy = \"1G\"\n"),
             Contains("unknown key 'memroy' in [service.limits] (did you mean 'memory'?)"));
  CHECK_THAT(error_of("memory_cycles = 2\n"), Contains("[service.limits] sets no limit"));
  CHECK_THAT(error_of("memory = \"1G\"\n", "none"),
             Contains("backend \"none\": no engine reports its memory"));
  CHECK_THAT(error_of("memory = \"1G\"\nconfirm = 2\n"),
             Contains("'confirm' is a [[service]] key: keys after a [service.limits] header belong to it"));
}
