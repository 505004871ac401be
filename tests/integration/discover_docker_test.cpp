// `process-monitor discover --backend docker` and a run without a config
// file, against the real Docker Engine (tests/engines/docker). Containers
// it-dk-disc-* and Compose projects itdisc / itdiscro (labels as Docker
// Compose sets them); no ports. Other tests' containers share the engine, so
// a discovered config is run with --service for this test's services only.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "discover_harness.hpp"
#include "docker_harness.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// A container as Docker Compose would make it for `service` of `project`.
TestContainer::Options compose_member(const std::string& project, const std::string& service, int number,
                                      bool healthcheck) {
  TestContainer::Options options;
  options.healthcheck = healthcheck;
  options.labels = {{"com.docker.compose.project", project},
                    {"com.docker.compose.service", service},
                    {"com.docker.compose.container-number", std::to_string(number)},
                    {"com.docker.compose.oneoff", "False"}};
  return options;
}

}  // namespace

TEST_CASE(
    "discover --backend docker: one service per Compose service, the HEALTHCHECK noted, a config that runs "
    "green",
    "[docker]") {
  TestContainer api("itdisc-api-1", compose_member("itdisc", "api", 1, true));
  TestContainer plain("it-dk-disc-plain");
  TempDir dir;
  std::string printed;
  std::string config =
      discover_config(dir, {"--backend", "docker"}, {{"DOCKER_HOST", DockerEngine::host()}}, printed);

  CHECK_THAT(printed, Catch::Contains(fmt::format("[docker]\nhost = \"{}\"\n", DockerEngine::host())));
  CHECK_THAT(printed,
             Catch::Contains("# Compose project itdisc, service api: container itdisc-api-1\n"
                             "# Docker HEALTHCHECK (healthy now): the engine's own health is used; no "
                             "health URL is set\n"
                             "# docker: running (healthy)\n"
                             "[[service]]\nname = \"itdisc-api\"\nbackend = \"docker\"\n"
                             "compose_project = \"itdisc\"\ncompose_service = \"api\"\n"));
  CHECK_THAT(printed, Catch::Contains("name = \"it-dk-disc-plain\"\nbackend = \"docker\"\n"
                                      "container = \"it-dk-disc-plain\"\n"));
  CHECK_THAT(printed, !Catch::Contains("\nurl"));  // no health URL is invented
  std::string started = DockerEngine::started_at(api.name());

  // No DOCKER_HOST here: the config's [docker] host reaches the engine.
  auto run =
      run_monitor({"--once", "--json", "-c", config, "--service", "itdisc-api", "--service", plain.name()});
  CHECK(run.exit_code == 0);
  auto report = parse_json(run);
  CHECK(service_named(report, "itdisc-api")["health"] == "healthy");
  CHECK(service_named(report, "itdisc-api")["target"] == "compose:itdisc/api");
  CHECK(service_named(report, plain.name())["health"] == "healthy");
  CHECK(DockerEngine::started_at(api.name()) == started);
}

TEST_CASE("discover --backend docker with no engine there: exit 2 with the reason", "[docker]") {
  TempDir dir;
  auto run = run_monitor({"discover", "--backend", "docker"},
                         {{"DOCKER_HOST", "unix://" + dir.path() + "/none.sock"}});
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
  CHECK_THAT(run.err,
             Catch::Contains("process-monitor: error: the engine cannot be reached:\n  docker: no Docker "
                             "engine socket at " +
                             dir.path() + "/none.sock"));
}

TEST_CASE(
    "no config file: --once reports what discovery finds and starts nothing: exit 2 for an exited replica",
    "[docker]") {
  TestContainer web1("itdiscro-web-1", compose_member("itdiscro", "web", 1, false));
  TestContainer web2("itdiscro-web-2", compose_member("itdiscro", "web", 2, false));
  web2.kill();
  std::string started = DockerEngine::started_at(web2.name());
  TempDir dir;

  auto run = run_monitor({"--once", "--json"}, no_config_env(dir, {{"DOCKER_HOST", DockerEngine::host()}}));
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains(kReadOnlyNote));
  auto report = parse_json(run);
  CHECK(report["dry_run"] == true);
  int rows = 0;
  for (const auto& service : report["services"]) {
    if (service["name"] != "itdiscro-web") continue;
    ++rows;
    CHECK(service["target"] == "compose:itdiscro/web");
    CHECK(service["action"] == (service["state"] == "running" ? "none" : "would-restart"));
  }
  CHECK(rows == 2);  // each replica is checked
  CHECK(DockerEngine::status(web2.name()) == "exited");
  CHECK(DockerEngine::started_at(web2.name()) == started);

  auto table = run_monitor({"--once"}, no_config_env(dir, {{"DOCKER_HOST", DockerEngine::host()}}));
  CHECK(table.exit_code == 2);
  CHECK_THAT(table.out, Catch::StartsWith(kReadOnlyNote) && Catch::Contains("would restart (--dry-run)"));
}
