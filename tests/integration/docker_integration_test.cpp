// process-monitor --once against a real Docker Engine (tests/engines/docker).
// Each test uses its own containers (names it-dk-*, Compose project
// itcompose, label com.example.it-label) and its own loopback ports
// (39201-39209), so tests can run in parallel. Containers are set up with the
// docker CLI; process-monitor talks to the engine over its API socket.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "docker_harness.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// The config head: the test engine (or `docker`, another [docker] table) and
// a short verify interval.
std::string config_head(const std::string& docker = docker_table()) {
  return docker + "[monitor]\nverify_interval = \"200ms\"\n\n";
}

// One [[service]] for `container`, named after it, with its health URL when
// it has one (no retries, a short timeout, so failures show fast).
std::string service_for(const TestContainer& container) {
  std::string text = fmt::format("[[service]]\nname = \"{0}\"\nbackend = \"docker\"\ncontainer = \"{0}\"\n",
                                 container.name());
  if (container.has_health_url()) {
    text += fmt::format("[service.health]\nurl = \"{}\"\ntimeout = \"1s\"\nretries = 0\n",
                        container.health_url());
  }
  return text + "\n";
}

std::string config_for(const std::vector<const TestContainer*>& containers) {
  std::string text = config_head();
  for (const auto* container : containers) text += service_for(*container);
  return text;
}

std::vector<std::string> service_names(const nlohmann::json& report) {
  std::vector<std::string> names;
  for (const auto& service : report["services"]) names.push_back(service["name"].get<std::string>());
  std::ranges::sort(names);
  return names;
}

TestContainer::Options serving_http(int port) {
  TestContainer::Options options;
  options.http_port = port;
  return options;
}

TestContainer::Options with_healthcheck() {
  TestContainer::Options options;
  options.healthcheck = true;
  return options;
}

TestContainer::Options labelled(std::map<std::string, std::string> labels) {
  TestContainer::Options options;
  options.labels = std::move(labels);
  return options;
}

// Labels like the ones Docker Compose puts on the containers it creates.
TestContainer::Options compose_labels(const std::string& project, const std::string& service) {
  return labelled({{"com.docker.compose.project", project},
                   {"com.docker.compose.service", service},
                   {"com.docker.compose.container-number", "1"},
                   {"com.docker.compose.oneoff", "False"}});
}

}  // namespace

TEST_CASE("healthy containers (plain, HEALTHCHECK, HTTP health URL): exit 0, nothing restarted, -q silent",
          "[docker]") {
  TestContainer plain("it-dk-plain");
  TestContainer checked("it-dk-checked", with_healthcheck());
  TestContainer web("it-dk-web", serving_http(39201));
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&plain, &checked, &web}));
  std::vector<const TestContainer*> all{&plain, &checked, &web};
  std::map<std::string, std::string> started;
  std::map<std::string, long> restarts;
  for (const auto* container : all) {
    started[container->name()] = DockerEngine::started_at(container->name());
    restarts[container->name()] = DockerEngine::restart_count(container->name());
  }

  auto quiet = run_monitor({"--once", "-q", "-c", config});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());

  auto json = run_monitor({"--once", "--json", "-c", config});
  CHECK(json.exit_code == 0);
  auto report = parse_json(json);
  CHECK(report["exit_code"] == 0);
  CHECK(service_names(report) == std::vector<std::string>{"it-dk-checked", "it-dk-plain", "it-dk-web"});
  for (const auto* container : all) {
    auto service = service_named(report, container->name());
    INFO(service.dump(2));
    CHECK(service["backend"] == "docker");
    CHECK(service["state"] == "running");
    CHECK(service["health"] == "healthy");
    CHECK(service["action"] == "none");
  }
  CHECK(service_named(report, "it-dk-checked")["engine_state"] == "running (healthy)");
  CHECK(service_named(report, "it-dk-plain")["engine_state"] == "running");
  // Running and not inspected (one list call for all): no pid, no restart count.
  CHECK(service_named(report, "it-dk-plain")["pids"] == nlohmann::json::array());
  CHECK(service_named(report, "it-dk-plain")["restart_count"].is_null());
  CHECK(service_named(report, "it-dk-web")["probe"]["status_code"] == 200);

  auto table = run_monitor({"--once", "-c", config});
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("it-dk-plain") && Catch::Contains("it-dk-checked") &&
                            Catch::Contains("it-dk-web") && Catch::Contains("ok 200"));

  for (const auto* container : all) {
    INFO(container->name());
    CHECK(DockerEngine::started_at(container->name()) == started[container->name()]);
    CHECK(DockerEngine::restart_count(container->name()) == restarts[container->name()]);
    CHECK(DockerEngine::status(container->name()) == "running");
  }
}

TEST_CASE("a HEALTHCHECK that turns unhealthy: restarted, verified healthy, exit 1", "[docker]") {
  TestContainer sick("it-dk-sick", with_healthcheck());
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&sick}));
  std::string started_before = DockerEngine::started_at(sick.name());
  sick.break_healthcheck();

  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto report = parse_json(run);
  CHECK(report["exit_code"] == 1);
  auto service = service_named(report, sick.name());
  INFO(service.dump(2));
  CHECK(service["state"] == "running");
  CHECK(service["engine_state"] == "running (unhealthy)");
  CHECK(service["health"] == "unhealthy");
  CHECK_THAT(text_of(service["reason"]), Catch::Contains("docker health check says unhealthy"));
  CHECK(service["action"] == "restart");
  CHECK_THAT(text_of(service["action_detail"]), Catch::StartsWith("docker restart"));
  CHECK(service["action_failed"] == false);
  CHECK(service["final_health"] == "healthy");
  CHECK(DockerEngine::started_at(sick.name()) != started_before);
  CHECK(DockerEngine::status(sick.name()) == "running");
  CHECK(DockerEngine::health(sick.name()) == "healthy");

  // The restart fixed it: the next run is quiet.
  auto again = run_monitor({"--once", "-q", "-c", config});
  CHECK(again.exit_code == 0);
  CHECK(again.out.empty());
}

TEST_CASE("a killed container is started, not restarted: exit 1, running again", "[docker]") {
  TestContainer killed("it-dk-killed", serving_http(39202));
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&killed}));
  killed.kill();

  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto service = service_named(parse_json(run), killed.name());
  INFO(service.dump(2));
  CHECK(service["state"] == "stopped");
  CHECK_THAT(text_of(service["engine_state"]), Catch::StartsWith("exited"));
  CHECK(service["health"] == "down");
  CHECK(service["action"] == "restart");
  CHECK_THAT(text_of(service["action_detail"]), Catch::StartsWith("docker start"));
  CHECK(service["final_health"] == "healthy");
  CHECK(DockerEngine::status(killed.name()) == "running");
  CHECK(http_get(killed.health_url()) == 200);
}

TEST_CASE("a Compose project is reported service by service, and only the killed one is started",
          "[docker]") {
  TestContainer api("itcompose-api-1", compose_labels("itcompose", "api"));
  TestContainer worker("itcompose-worker-1", compose_labels("itcompose", "worker"));
  // Another project whose name starts with the same letters: never selected.
  TestContainer other("itcompose-other-api-1", compose_labels("itcompose-other", "api"));
  TempDir dir;
  auto config = dir.write("config.toml", config_head() +
                                             "[[service]]\nname = \"stack\"\nbackend = \"docker\"\n"
                                             "compose_project = \"itcompose\"\n");

  auto healthy = run_monitor({"--once", "--json", "-c", config});
  CHECK(healthy.exit_code == 0);
  auto report = parse_json(healthy);
  CHECK(service_names(report) == std::vector<std::string>{"api", "worker"});
  CHECK(service_named(report, "api")["target"] == "itcompose-api-1");
  CHECK(service_named(report, "worker")["target"] == "itcompose-worker-1");

  std::string api_started = DockerEngine::started_at(api.name());
  std::string other_started = DockerEngine::started_at(other.name());
  worker.kill();
  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  report = parse_json(run);
  CHECK(service_names(report) == std::vector<std::string>{"api", "worker"});
  auto api_report = service_named(report, "api");
  auto worker_report = service_named(report, "worker");
  INFO(report.dump(2));
  CHECK(api_report["health"] == "healthy");
  CHECK(api_report["action"] == "none");
  CHECK(worker_report["health"] == "down");
  CHECK(worker_report["action"] == "restart");
  CHECK_THAT(text_of(worker_report["action_detail"]), Catch::StartsWith("docker start"));
  CHECK(worker_report["final_health"] == "healthy");
  CHECK(DockerEngine::status(worker.name()) == "running");
  CHECK(DockerEngine::started_at(api.name()) == api_started);
  CHECK(DockerEngine::started_at(other.name()) == other_started);
}

TEST_CASE("a label selects every container that has it, and only the killed one is started", "[docker]") {
  const std::string key = "com.example.it-label";
  TestContainer first("it-dk-label-a", labelled({{key, "true"}}));
  TestContainer second("it-dk-label-b", labelled({{key, "true"}}));
  TestContainer off("it-dk-label-off", labelled({{key, "false"}}));
  TempDir dir;
  auto config = dir.write("config.toml", config_head() +
                                             "[[service]]\nname = \"labelled\"\nbackend = \"docker\"\n"
                                             "label = \"com.example.it-label=true\"\n");

  auto healthy = run_monitor({"--once", "--json", "-c", config});
  CHECK(healthy.exit_code == 0);
  CHECK(service_names(parse_json(healthy)) == std::vector<std::string>{"it-dk-label-a", "it-dk-label-b"});

  std::string first_started = DockerEngine::started_at(first.name());
  second.kill();
  off.kill();  // not selected: left stopped
  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto report = parse_json(run);
  INFO(report.dump(2));
  CHECK(service_names(report) == std::vector<std::string>{"it-dk-label-a", "it-dk-label-b"});
  CHECK(service_named(report, first.name())["action"] == "none");
  auto second_report = service_named(report, second.name());
  CHECK(second_report["health"] == "down");
  CHECK_THAT(text_of(second_report["action_detail"]), Catch::StartsWith("docker start"));
  CHECK(second_report["final_health"] == "healthy");
  CHECK(DockerEngine::status(second.name()) == "running");
  CHECK(DockerEngine::started_at(first.name()) == first_started);
  CHECK(DockerEngine::status(off.name()) == "exited");
}

TEST_CASE("a health URL failing on a running container: restarted, verified, exit 1", "[docker]") {
  TestContainer web("it-dk-404", serving_http(39203));
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&web}));
  std::string started_before = DockerEngine::started_at(web.name());
  web.break_health_url();

  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 1);
  auto service = service_named(parse_json(run), web.name());
  INFO(service.dump(2));
  CHECK(service["state"] == "running");
  CHECK(service["probe"]["status_code"] == 404);
  CHECK(service["health"] == "unhealthy");
  CHECK(service["action"] == "restart");
  CHECK_THAT(text_of(service["action_detail"]), Catch::StartsWith("docker restart"));
  CHECK(service["final_health"] == "healthy");
  CHECK(DockerEngine::started_at(web.name()) != started_before);
  CHECK(http_get(web.health_url()) == 200);
  CHECK_THAT(run.err, Catch::Contains("it-dk-404: unhealthy (status 404 not in 200-399); restarting"));
}

TEST_CASE("a missing container is reported by name and not created: exit 2", "[docker]") {
  TempDir dir;
  DockerEngine::try_run({"rm", "-f", "it-dk-absent"});
  auto config = dir.write("config.toml", config_head() +
                                             "[[service]]\nname = \"ghost\"\nbackend = \"docker\"\n"
                                             "container = \"it-dk-absent\"\n");
  auto table = run_monitor({"--once", "-c", config});
  CHECK(table.exit_code == 2);
  CHECK_THAT(table.out, Catch::Contains("ghost") && Catch::Contains("no container named 'it-dk-absent'"));

  auto json = run_monitor({"--once", "--json", "-c", config});
  CHECK(json.exit_code == 2);
  auto service = service_named(parse_json(json), "ghost");
  INFO(service.dump(2));
  CHECK(service["health"] == "down");
  CHECK_THAT(text_of(service["reason"]), Catch::Contains("no container named 'it-dk-absent'"));
  CHECK(DockerEngine::status("it-dk-absent") == "absent");
}

TEST_CASE("a docker host at a socket that does not exist: exit 2 with the reason, within the deadline",
          "[docker]") {
  TempDir dir;
  std::string socket = dir.path() + "/absent/docker.sock";
  auto config = dir.write("config.toml", config_head(docker_table("unix://" + socket)) +
                                             "[[service]]\nname = \"web\"\nbackend = \"docker\"\n");
  // The run's deadline is 60 s; the harness's limit of 30 s only catches a hang.
  auto run = run_monitor({"--once", "--json", "--deadline", "60s", "-c", config}, {}, Duration{30000});
  CHECK(run.exit_code == 2);
  auto report = parse_json(run);
  CHECK(report["deadline_reached"] == false);
  auto service = service_named(report, "web");
  INFO(service.dump(2));
  CHECK(service["health"] == "unknown");
  CHECK(service["action"] == "none");
  CHECK_THAT(text_of(service["engine_error"]), Catch::Contains("no Docker engine socket at " + socket));
  CHECK_THAT(run.err, Catch::Contains("no Docker engine socket at " + socket));
}

TEST_CASE("an engine that accepts and never answers: the run ends, exit 2, saying it did not answer",
          "[docker]") {
  TempDir dir;
  SilentEngine silent(dir.path() + "/silent.sock");
  auto config = dir.write("config.toml", config_head(docker_table(silent.host(), "timeout = \"2s\"")) +
                                             "[[service]]\nname = \"web\"\nbackend = \"docker\"\n");
  // run_monitor fails the test if the run does not end by itself: its limit
  // (30 s) is far past the run's own 5 s deadline.
  auto run = run_monitor({"--once", "--json", "--deadline", "5s", "-c", config}, {}, Duration{30000});
  CHECK(run.exit_code == 2);
  CHECK(silent.connections() >= 1);
  CHECK(silent.bytes_read() > 0);  // a request was sent, and never answered
  auto report = parse_json(run);
  auto service = service_named(report, "web");
  INFO(service.dump(2));
  CHECK(service["health"] == "unknown");
  CHECK(service["action"] == "none");
  CHECK_THAT(text_of(service["engine_error"]),
             Catch::Contains("the Docker engine at " + silent.host() + " did not answer"));
  CHECK_THAT(run.err, Catch::Contains("did not answer"));
}

TEST_CASE("dry run on an unhealthy container: exit 2, nothing restarted", "[docker]") {
  TestContainer sick("it-dk-dry", with_healthcheck());
  TempDir dir;
  auto config = dir.write("config.toml", config_for({&sick}));
  sick.break_healthcheck();
  std::string started_before = DockerEngine::started_at(sick.name());

  auto run = run_monitor({"--once", "--dry-run", "-c", config});
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.out, Catch::Contains("it-dk-dry") && Catch::Contains("would restart (--dry-run)"));
  CHECK(DockerEngine::started_at(sick.name()) == started_before);
  CHECK(DockerEngine::health(sick.name()) == "unhealthy");
}

TEST_CASE("over TCP with TLS client certificates (tls_verify, cert_path): the engine answers, exit 0",
          "[docker]") {
  TestContainer plain("it-dk-tls");
  TempDir dir;
  const std::string tls =
      fmt::format("tls_verify = true\ncert_path = \"{}\"", DockerEngine::tls_client_dir());
  auto config =
      dir.write("config.toml", config_head(docker_table(DockerEngine::tls_host(), tls)) + service_for(plain));
  std::string started_before = DockerEngine::started_at(plain.name());

  auto run = run_monitor({"--once", "--json", "-c", config});
  INFO("stderr: " << run.err);
  CHECK(run.exit_code == 0);
  auto report = parse_json(run);
  CHECK(report["exit_code"] == 0);
  auto service = service_named(report, plain.name());
  INFO(service.dump(2));
  CHECK(service["engine_error"].is_null());
  CHECK(service["state"] == "running");
  CHECK(service["engine_state"] == "running");
  CHECK(service["health"] == "healthy");
  CHECK(service["action"] == "none");
  CHECK(DockerEngine::started_at(plain.name()) == started_before);
}

TEST_CASE(
    "over TCP with TLS, a client without the engine's certificates is refused: exit 2, the endpoint named",
    "[docker]") {
  TestContainer plain("it-dk-tls-refused");
  TempDir dir;
  const std::string where = DockerEngine::tls_host();
  // The right ca.pem, but a client certificate of another CA: the engine refuses it.
  const std::string mixed = dir.path() + "/mixed";
  copy_file(DockerEngine::tls_client_dir() + "/ca.pem", mixed + "/ca.pem");
  copy_file(DockerEngine::other_tls_client_dir() + "/cert.pem", mixed + "/cert.pem");
  copy_file(DockerEngine::other_tls_client_dir() + "/key.pem", mixed + "/key.pem");
  struct Case {
    std::string what;
    std::string tls;
    std::string message;
  };
  const std::vector<Case> cases{
      // Another CA altogether: its ca.pem does not vouch for the engine's certificate.
      {"another CA",
       fmt::format("tls_verify = true\ncert_path = \"{}\"", DockerEngine::other_tls_client_dir()),
       "TLS with the Docker engine at " + where + " failed"},
      {"a client certificate of another CA", fmt::format("tls_verify = true\ncert_path = \"{}\"", mixed),
       "TLS with the Docker engine at " + where + " failed"},
      // Plain HTTP to the TLS port: the message says to turn TLS on.
      {"no TLS", "tls_verify = false", "it expects TLS: set [docker] tls_verify = true"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto config = dir.write("config.toml", config_head(docker_table(where, c.tls)) + service_for(plain));
    auto run = run_monitor({"--once", "--json", "-c", config});
    CHECK(run.exit_code == 2);
    auto service = service_named(parse_json(run), plain.name());
    INFO(service.dump(2));
    CHECK(service["health"] == "unknown");
    CHECK(service["action"] == "none");
    CHECK_THAT(text_of(service["engine_error"]), Catch::Contains(c.message));
    CHECK_THAT(run.err, Catch::Contains(c.message));
  }
  CHECK(DockerEngine::status(plain.name()) == "running");
}
