// DockerBackend against a stand-in engine on a unix socket that answers with
// the recorded Engine API answers of tests/data/docker.
#include "backend/docker_backend.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "test_data.hpp"
#include "unix_socket_http_server.hpp"

using namespace pm;
using Catch::Contains;
using Catch::StartsWith;
using json = nlohmann::json;
using test::read_test_data;
using test::ScriptedResponse;
using test::UnixSocketHttpServer;

namespace {

// Enough for any of these calls on a slow machine; a hang fails the test instead of blocking it.
Deadline generous() { return Deadline::after(Duration{10000}); }

const std::vector<std::string> kRecordedNames{"web",   "sick",   "slow",  "stopped",
                                              "fresh", "frozen", "plain", "restarting"};

// The full id of the container `name` in a recorded list, read from the raw JSON.
std::string id_in_list(const std::string& name, const std::string& file = "docker/containers-list.json") {
  for (const json& entry : json::parse(read_test_data(file))) {
    if (entry.at("Names").at(0) == "/" + name) return entry.at("Id").get<std::string>();
  }
  FAIL("no container named " << name << " in " << file);
  throw;
}

std::string inspect_path(const std::string& name) {
  return "/v1.41/containers/" + id_in_list(name) + "/json";
}

// The recorded inspect answer of plain (running, no healthcheck), made into
// one of a sar container: no inspect of those was recorded.
std::string derived_inspect(const std::string& name, int pid) {
  json detail = json::parse(read_test_data("docker/inspect-plain.json"));
  detail["Id"] = id_in_list(name);
  detail["Name"] = "/" + name;
  detail["State"]["Pid"] = pid;
  return detail.dump();
}

std::vector<std::string> request_lines(const UnixSocketHttpServer& server) {
  std::vector<std::string> lines;
  for (const auto& request : server.requests()) lines.push_back(request.method + " " + request.target);
  return lines;
}

long count_of(const std::vector<std::string>& lines, const std::string& line) {
  return std::ranges::count(lines, line);
}

// Requests to list containers, whatever their query.
std::vector<std::string> list_requests(const UnixSocketHttpServer& server) {
  std::vector<std::string> lines;
  for (const auto& line : request_lines(server)) {
    if (line.starts_with("GET /v1.41/containers/json")) lines.push_back(line);
  }
  return lines;
}

long inspect_count(const UnixSocketHttpServer& server) {
  return std::ranges::count_if(request_lines(server), [](const std::string& line) {
    return line.starts_with("GET /v1.41/containers/") && line.ends_with("/json") &&
           !line.starts_with("GET /v1.41/containers/json");
  });
}

// A stand-in engine speaking API 1.41 with the recorded list and inspect answers.
struct Engine {
  UnixSocketHttpServer server;

  explicit Engine(const std::string& list_file = "docker/containers-list.json") {
    server.answer_ping("1.41");
    server.on("GET /v1.41/containers/json", {.status = 200, .body = read_test_data(list_file)});
    for (const auto& name : kRecordedNames) {
      server.on("GET " + inspect_path(name),
                {.status = 200, .body = read_test_data("docker/inspect-" + name + ".json")});
    }
  }

  void answer_sar_inspects() {
    server.on("GET " + inspect_path("sar-api-1"),
              {.status = 200, .body = derived_inspect("sar-api-1", 4242)});
    server.on("GET " + inspect_path("sar-worker-1"),
              {.status = 200, .body = derived_inspect("sar-worker-1", 4343)});
  }

  DockerSettings settings() const {
    DockerSettings settings;
    settings.host = "unix://" + server.socket_path();
    settings.tls_verify = false;
    return settings;
  }
};

StatusByTarget observed(DockerBackend& backend, const std::vector<std::string>& targets) {
  auto result = backend.observe(targets, generous());
  INFO((result ? std::string() : result.error()));
  REQUIRE(result);
  return *result;
}

const UnitStatus& only_unit(const StatusByTarget& result, const std::string& target) {
  auto it = result.find(target);
  INFO("target " << target);
  REQUIRE(it != result.end());
  REQUIRE(it->second.size() == 1);
  return it->second.front();
}

ServiceConfig docker_service(const std::string& target, Duration stop_timeout = Duration{10000}) {
  ServiceConfig service;
  service.name = target;
  service.backend = "docker";
  service.target = target;
  service.stop_timeout = stop_timeout;
  return service;
}

}  // namespace

TEST_CASE("DockerBackend observes containers by name with one list call", "[docker_backend]") {
  Engine engine;
  DockerBackend backend(engine.settings());
  const std::vector<std::string> targets{"web",    "sick",  "slow",       "stopped", "fresh",
                                         "frozen", "plain", "restarting", "ghost"};
  const StatusByTarget result = observed(backend, targets);
  const auto lines = request_lines(engine.server);
  INFO(fmt::format("requests: {}", fmt::join(lines, ", ")));

  SECTION("one list request, with all=1 and no filter") {
    CHECK(list_requests(engine.server) == std::vector<std::string>{"GET /v1.41/containers/json?all=1"});
    CHECK(count_of(lines, "GET /_ping") == 1);
    CHECK(result.size() == targets.size());
  }

  SECTION("running containers healthy or without a healthcheck are not inspected, all others exactly once") {
    CHECK(count_of(lines, "GET " + inspect_path("web")) == 0);
    CHECK(count_of(lines, "GET " + inspect_path("plain")) == 0);
    for (const std::string name : {"sick", "slow", "stopped", "fresh", "frozen", "restarting"}) {
      INFO(name);
      CHECK(count_of(lines, "GET " + inspect_path(name)) == 1);
    }
    CHECK(inspect_count(engine.server) == 6);
    CHECK(lines.size() == 1 + 1 + 6);  // ping, list, inspects
  }

  SECTION("every unit's handle is its container id; single names are no group members") {
    for (const auto& name : kRecordedNames) {
      INFO(name);
      const UnitStatus& unit = only_unit(result, name);
      CHECK(unit.handles == std::vector<std::string>{id_in_list(name), name});
      CHECK(unit.member_name.empty());
      CHECK(unit.member_target.empty());
    }
  }

  SECTION("running (healthy), from the list alone") {
    const UnitStatus& web = only_unit(result, "web");
    CHECK(web.state == UnitState::Running);
    CHECK(web.engine_state == "running (healthy)");
    CHECK(web.engine_health == "healthy");
    CHECK(web.engine_health_detail.empty());
    CHECK(web.pids.empty());  // not inspected, so no pid
    CHECK_FALSE(web.processes_known);
  }

  SECTION("running (unhealthy), with the failing streak") {
    const UnitStatus& sick = only_unit(result, "sick");
    CHECK(sick.state == UnitState::Running);
    CHECK(sick.engine_state == "running (unhealthy)");
    CHECK(sick.engine_health == "unhealthy");
    CHECK(sick.engine_health_detail == "failed 2 time(s) in a row");  // the recorded output is empty
    CHECK(sick.pids == std::vector<int>{13157});
    CHECK(sick.restart_count == 0);
    CHECK(sick.processes_known);
  }

  SECTION("running, health starting") {
    const UnitStatus& slow = only_unit(result, "slow");
    CHECK(slow.state == UnitState::Running);
    CHECK(slow.engine_state == "running (starting)");
    CHECK(slow.engine_health == "starting");
    CHECK(slow.engine_health_detail.empty());
    CHECK(slow.pids == std::vector<int>{13206});
  }

  SECTION("running without a healthcheck, from the list alone") {
    const UnitStatus& plain = only_unit(result, "plain");
    CHECK(plain.state == UnitState::Running);
    CHECK(plain.engine_state == "running");
    CHECK(plain.engine_health.empty());
    CHECK(plain.pids.empty());
    CHECK_FALSE(plain.processes_known);
  }

  SECTION("exited with its exit code") {
    const UnitStatus& stopped = only_unit(result, "stopped");
    CHECK(stopped.state == UnitState::Stopped);
    CHECK(stopped.engine_state == "exited (3)");
    CHECK(stopped.engine_health.empty());
    CHECK(stopped.pids.empty());
    CHECK(stopped.processes_known);  // a stopped container has none
  }

  SECTION("created only") {
    const UnitStatus& fresh = only_unit(result, "fresh");
    CHECK(fresh.state == UnitState::Stopped);
    CHECK(fresh.engine_state == "created");
    CHECK(fresh.pids.empty());
  }

  SECTION("paused is stopped, and keeps no pid") {
    const UnitStatus& frozen = only_unit(result, "frozen");
    CHECK(frozen.state == UnitState::Stopped);
    CHECK(frozen.engine_state == "paused");
    CHECK(frozen.engine_health.empty());
    CHECK(frozen.pids.empty());  // the recorded Pid 13516 is not reported: it does not run
  }

  SECTION("restarting is starting, with the engine's restart count") {
    const UnitStatus& restarting = only_unit(result, "restarting");
    CHECK(restarting.state == UnitState::Starting);
    CHECK(restarting.engine_state == "restarting");
    CHECK(restarting.restart_count == 4);
    CHECK(restarting.pids.empty());
  }

  SECTION("an unknown name is missing") {
    const UnitStatus& ghost = only_unit(result, "ghost");
    CHECK(ghost.state == UnitState::Missing);
    CHECK(ghost.engine_state == "no container named 'ghost'");
    CHECK(ghost.handles.empty());
  }
}

TEST_CASE("DockerBackend negotiates once and keeps its client between observations", "[docker_backend]") {
  Engine engine;
  DockerBackend backend(engine.settings());
  CHECK(only_unit(observed(backend, {"web"}), "web").engine_state == "running (healthy)");
  CHECK(only_unit(observed(backend, {"stopped"}), "stopped").engine_state == "exited (3)");
  const auto lines = request_lines(engine.server);
  CHECK(count_of(lines, "GET /_ping") == 1);
  CHECK(list_requests(engine.server).size() == 2);
}

TEST_CASE("DockerBackend inspects a container once even when several targets match it", "[docker_backend]") {
  Engine engine;
  DockerBackend backend(engine.settings());
  const StatusByTarget result =
      observed(backend, {"compose:sar", "sar-api-1", "label:com.docker.compose.service=worker", "sick",
                         "sick", "stopped", "stopped"});
  const auto lines = request_lines(engine.server);
  INFO(fmt::format("requests: {}", fmt::join(lines, ", ")));

  // Several selectors: the whole list, matched here. The running sar
  // containers have no healthcheck: not inspected.
  CHECK(list_requests(engine.server) == std::vector<std::string>{"GET /v1.41/containers/json?all=1"});
  CHECK(count_of(lines, "GET " + inspect_path("sick")) == 1);
  CHECK(count_of(lines, "GET " + inspect_path("stopped")) == 1);
  CHECK(inspect_count(engine.server) == 2);

  REQUIRE(result.size() == 5);
  const UnitStatus& api = only_unit(result, "sar-api-1");
  CHECK(api.pids.empty());
  CHECK_FALSE(api.processes_known);
  CHECK(api.member_name.empty());
  CHECK(result.at("compose:sar").size() == 2);
  const auto& worker = result.at("label:com.docker.compose.service=worker");
  REQUIRE(worker.size() == 1);
  CHECK(worker[0].member_name == "sar-worker-1");  // a label group names members after their container
  CHECK(only_unit(result, "sick").engine_health == "unhealthy");
  CHECK(only_unit(result, "stopped").engine_state == "exited (3)");
}

TEST_CASE("DockerBackend identifies running containers when asked: one inspect each, pid and restart count",
          "[docker_backend]") {
  Engine engine;
  engine.answer_sar_inspects();
  DockerBackend backend(engine.settings());
  StatusByTarget result = observed(backend, {"compose:sar", "plain", "sick"});
  const long before = inspect_count(engine.server);  // sick only
  CHECK(before == 1);
  auto& project = result.at("compose:sar");
  REQUIRE(project.size() == 2);
  UnitStatus& plain = result.at("plain").front();
  UnitStatus& sick = result.at("sick").front();
  REQUIRE(backend.identify({&project[0], &project[1], &plain, &sick}, generous()));
  CHECK(project[0].pids == std::vector<int>{4242});
  CHECK(project[1].pids == std::vector<int>{4343});
  CHECK(plain.pids == std::vector<int>{13054});
  for (const UnitStatus* unit : {&project[0], &project[1], &plain}) {
    CHECK(unit->processes_known);
    CHECK(unit->restart_count == 0);
  }
  CHECK(inspect_count(engine.server) == before + 3);  // sick was known already: not asked again
}

// A 404 answer (the container vanished since the list) is remembered too: a
// container that several targets match is inspected once per observation.
TEST_CASE("DockerBackend keeps the listed state of a container that vanished before its inspect",
          "[docker_backend]") {
  Engine engine;  // no sar inspect scripted: the stand-in answers 404 as the engine does
  engine.server.on("GET " + inspect_path("stopped"),
                   {.status = 404, .body = read_test_data("docker/error-404-no-such-container.json")});
  DockerBackend backend(engine.settings());
  StatusByTarget result = observed(backend, {"stopped", "stopped", "compose:sar"});
  const auto lines = request_lines(engine.server);
  INFO(fmt::format("requests: {}", fmt::join(lines, ", ")));
  const UnitStatus& stopped = only_unit(result, "stopped");
  CHECK(stopped.state == UnitState::Stopped);
  CHECK(stopped.engine_state == "exited");  // no exit code without the inspect
  CHECK(count_of(lines, "GET " + inspect_path("stopped")) == 1);

  // Asked to identify a container removed since the list: left unknown, not an error.
  auto& project = result.at("compose:sar");
  REQUIRE(project.size() == 2);
  REQUIRE(backend.identify({&project[0]}, generous()));
  CHECK_FALSE(project[0].processes_known);
  CHECK(project[0].pids.empty());
  CHECK(project[0].state == UnitState::Running);
}

TEST_CASE("DockerBackend narrows the list for a single group selector", "[docker_backend]") {
  const std::string filtered = "docker/containers-list-filtered-label.json";

  SECTION("compose:PROJECT: members named after their Compose service, sorted") {
    Engine engine(filtered);
    DockerBackend backend(engine.settings());
    const StatusByTarget result = observed(backend, {"compose:sar"});
    // filters={"label":["com.docker.compose.project=sar"]}, URL-encoded
    CHECK(
        list_requests(engine.server) ==
        std::vector<std::string>{"GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22com.docker."
                                 "compose.project%3Dsar%22%5D%7D"});
    REQUIRE(result.size() == 1);
    const auto& units = result.at("compose:sar");
    REQUIRE(units.size() == 2);
    // The engine lists the worker first.
    CHECK(units[0].member_name == "api");
    CHECK(units[0].member_target == "sar-api-1");
    CHECK(units[0].handles == std::vector<std::string>{id_in_list("sar-api-1", filtered), "sar-api-1"});
    CHECK(units[0].state == UnitState::Running);
    CHECK(units[0].engine_state == "running");
    CHECK(units[1].member_name == "worker");
    CHECK(units[1].member_target == "sar-worker-1");
    CHECK(units[1].handles == std::vector<std::string>{id_in_list("sar-worker-1", filtered), "sar-worker-1"});
    CHECK(units[1].state == UnitState::Running);
    CHECK(inspect_count(engine.server) == 0);  // running without a healthcheck: from the list alone
  }

  SECTION("label:KEY=VALUE: members named after their container") {
    Engine engine(filtered);
    DockerBackend backend(engine.settings());
    const StatusByTarget result = observed(backend, {"label:com.docker.compose.project=sar"});
    CHECK(
        list_requests(engine.server) ==
        std::vector<std::string>{"GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22com.docker."
                                 "compose.project%3Dsar%22%5D%7D"});
    const auto& units = result.at("label:com.docker.compose.project=sar");
    REQUIRE(units.size() == 2);
    CHECK(units[0].member_name == "sar-api-1");
    CHECK(units[0].member_target == "sar-api-1");
    CHECK(units[1].member_name == "sar-worker-1");
    CHECK(units[1].member_target == "sar-worker-1");
  }

  SECTION("compose:PROJECT/SERVICE filters on both labels and is still matched here") {
    Engine engine(filtered);  // answers both containers although the filter asks for api only
    DockerBackend backend(engine.settings());
    const StatusByTarget result = observed(backend, {"compose:sar/api"});
    CHECK(
        list_requests(engine.server) ==
        std::vector<std::string>{"GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22com.docker."
                                 "compose.project%3Dsar%22%2C%22com.docker.compose.service%3Dapi%22%5D%7D"});
    const UnitStatus& api = only_unit(result, "compose:sar/api");
    CHECK(api.handles == std::vector<std::string>{id_in_list("sar-api-1", filtered), "sar-api-1"});
    CHECK(api.member_name.empty());  // one service: not a group
  }

  SECTION("a selector that matches nothing is one missing unit") {
    Engine engine;
    engine.server.on("GET /v1.41/containers/json",
                     {.status = 200, .body = "[]\n"});  // the engine's empty list
    DockerBackend backend(engine.settings());
    const StatusByTarget result = observed(backend, {"compose:x"});
    CHECK(
        list_requests(engine.server) ==
        std::vector<std::string>{"GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22com.docker."
                                 "compose.project%3Dx%22%5D%7D"});
    const UnitStatus& unit = only_unit(result, "compose:x");
    CHECK(unit.state == UnitState::Missing);
    CHECK(unit.engine_state == "no container of Compose project 'x'");
    CHECK(unit.handles.empty());
    CHECK(inspect_count(engine.server) == 0);
  }

  SECTION("with a name target too, the whole list is fetched and matched here") {
    Engine engine;
    DockerBackend backend(engine.settings());
    const StatusByTarget result = observed(backend, {"compose:x", "web"});
    CHECK(list_requests(engine.server) == std::vector<std::string>{"GET /v1.41/containers/json?all=1"});
    CHECK(only_unit(result, "compose:x").engine_state == "no container of Compose project 'x'");
    CHECK(only_unit(result, "web").state == UnitState::Running);
  }
}

TEST_CASE("DockerBackend reports a malformed target as missing and observes the others", "[docker_backend]") {
  Engine engine;
  DockerBackend backend(engine.settings());
  const StatusByTarget result = observed(backend, {"compose:", "web"});
  const UnitStatus& bad = only_unit(result, "compose:");
  CHECK(bad.state == UnitState::Missing);
  CHECK_THAT(bad.engine_state, Contains("incomplete Compose selector 'compose:'"));
  CHECK(only_unit(result, "web").engine_state == "running (healthy)");
}

TEST_CASE("DockerBackend restarts, starts or unpauses what it observed", "[docker_backend]") {
  Engine engine;
  DockerBackend backend(engine.settings());
  const StatusByTarget result = observed(backend, {"web", "stopped", "fresh", "frozen", "ghost"});
  auto posts = [&] {
    std::vector<std::string> lines;
    for (const auto& line : request_lines(engine.server)) {
      if (line.starts_with("POST ")) lines.push_back(line);
    }
    return lines;
  };
  const std::string web_id = id_in_list("web");
  const std::string stopped_id = id_in_list("stopped");

  SECTION("running: restart with t = stop_timeout in seconds") {
    engine.server.on("POST /v1.41/containers/" + web_id + "/restart", {.status = 204});
    auto done = backend.restart(docker_service("web", Duration{7000}), only_unit(result, "web"), generous());
    INFO((done ? std::string() : done.error()));
    REQUIRE(done);
    CHECK(*done == "docker restart -t 7 web");
    CHECK(posts() == std::vector<std::string>{"POST /v1.41/containers/" + web_id + "/restart?t=7"});
  }

  SECTION("exited: start") {
    engine.server.on("POST /v1.41/containers/" + stopped_id + "/start", {.status = 204});
    auto done = backend.restart(docker_service("stopped"), only_unit(result, "stopped"), generous());
    INFO((done ? std::string() : done.error()));
    REQUIRE(done);
    CHECK(*done == "docker start stopped");
    CHECK(posts() == std::vector<std::string>{"POST /v1.41/containers/" + stopped_id + "/start"});
  }

  SECTION("created: start") {
    const std::string id = id_in_list("fresh");
    engine.server.on("POST /v1.41/containers/" + id + "/start", {.status = 204});
    auto done = backend.restart(docker_service("fresh"), only_unit(result, "fresh"), generous());
    INFO((done ? std::string() : done.error()));
    REQUIRE(done);
    CHECK(*done == "docker start fresh");
    CHECK(posts() == std::vector<std::string>{"POST /v1.41/containers/" + id + "/start"});
  }

  SECTION("already started (304) is accepted") {
    engine.server.on("POST /v1.41/containers/" + stopped_id + "/start", {.status = 304});
    auto done = backend.restart(docker_service("stopped"), only_unit(result, "stopped"), generous());
    INFO((done ? std::string() : done.error()));
    REQUIRE(done);
    CHECK(*done == "docker start stopped");
  }

  SECTION("paused: unpause, not start") {
    const std::string id = id_in_list("frozen");
    engine.server.on("POST /v1.41/containers/" + id + "/unpause", {.status = 204});
    auto done = backend.restart(docker_service("frozen"), only_unit(result, "frozen"), generous());
    INFO((done ? std::string() : done.error()));
    REQUIRE(done);
    CHECK(*done == "docker unpause frozen");
    CHECK(posts() == std::vector<std::string>{"POST /v1.41/containers/" + id + "/unpause"});
  }

  SECTION("missing: refused without a call, pointing at create") {
    auto done = backend.restart(docker_service("ghost"), only_unit(result, "ghost"), generous());
    REQUIRE_FALSE(done);
    CHECK_THAT(done.error(), StartsWith("no container named 'ghost'"));
    CHECK_THAT(done.error(), Contains("create"));
    CHECK(posts().empty());
  }

  SECTION("the engine's 404 message is passed on") {
    engine.server.on(
        "POST /v1.41/containers/" + web_id + "/restart",
        {.status = 404, .body = read_test_data("docker/error-404-restart-no-such-container.json")});
    auto done = backend.restart(docker_service("web", Duration{1000}), only_unit(result, "web"), generous());
    REQUIRE_FALSE(done);
    CHECK_THAT(done.error(), Contains("No such container: nope"));
    CHECK_THAT(done.error(), Contains("404"));
    CHECK_THAT(done.error(), Contains("docker restart -t 1 web"));
  }

  SECTION("the engine's 409 message is passed on") {
    engine.server.on("POST /v1.41/containers/" + stopped_id + "/start",
                     {.status = 409, .body = read_test_data("docker/error-409-start-paused.json")});
    auto done = backend.restart(docker_service("stopped"), only_unit(result, "stopped"), generous());
    REQUIRE_FALSE(done);
    CHECK_THAT(done.error(), Contains("cannot start a paused container, try unpause instead"));
    CHECK_THAT(done.error(), Contains("409"));
  }

  SECTION("the engine's 500 message is passed on") {
    engine.server.on("POST /v1.41/containers/" + web_id + "/restart",
                     {.status = 500, .body = R"({"message":"Cannot restart container: driver failed"})"});
    auto done = backend.restart(docker_service("web"), only_unit(result, "web"), generous());
    REQUIRE_FALSE(done);
    CHECK_THAT(done.error(), Contains("Cannot restart container: driver failed"));
    CHECK_THAT(done.error(), Contains("500"));
  }
}

TEST_CASE("DockerBackend restarts a group member by its own container", "[docker_backend]") {
  const std::string filtered = "docker/containers-list-filtered-label.json";
  Engine engine(filtered);
  DockerBackend backend(engine.settings());
  const StatusByTarget result = observed(backend, {"compose:sar"});
  const auto& units = result.at("compose:sar");
  REQUIRE(units.size() == 2);
  const std::string id = id_in_list("sar-worker-1", filtered);
  engine.server.on("POST /v1.41/containers/" + id + "/restart", {.status = 204});
  // The cycle gives a member its member_target as target.
  auto done = backend.restart(docker_service(units[1].member_target, Duration{3000}), units[1], generous());
  INFO((done ? std::string() : done.error()));
  REQUIRE(done);
  CHECK(*done == "docker restart -t 3 sar-worker-1");
  CHECK(count_of(request_lines(engine.server), "POST /v1.41/containers/" + id + "/restart?t=3") == 1);
}

TEST_CASE("DockerBackend reports engine failures as unexpected", "[docker_backend]") {
  SECTION("the list answered 500 with a message") {
    Engine engine;
    engine.server.on("GET /v1.41/containers/json",
                     {.status = 500, .body = R"({"message":"layer store is corrupt"})"});
    DockerBackend backend(engine.settings());
    auto result = backend.observe({"web"}, generous());
    REQUIRE_FALSE(result);
    CHECK_THAT(result.error(), Contains("layer store is corrupt"));
    CHECK_THAT(result.error(), Contains("500"));
    CHECK(inspect_count(engine.server) == 0);
  }

  SECTION("the list answered 400 with the recorded error") {
    Engine engine;
    engine.server.on("GET /v1.41/containers/json",
                     {.status = 400, .body = read_test_data("docker/error-400-bad-version.json")});
    DockerBackend backend(engine.settings());
    auto result = backend.observe({"web"}, generous());
    REQUIRE_FALSE(result);
    CHECK_THAT(result.error(), Contains("Maximum supported API version is 1.41"));
  }

  SECTION("a list that is not JSON") {
    Engine engine;
    engine.server.on("GET /v1.41/containers/json", {.status = 200, .body = "<html>502 Bad Gateway</html>"});
    DockerBackend backend(engine.settings());
    auto result = backend.observe({"web", "ghost"}, generous());
    REQUIRE_FALSE(result);
    CHECK_THAT(result.error(), Contains("not JSON"));
  }

  SECTION("an inspect answered 500") {
    Engine engine;
    engine.server.on("GET " + inspect_path("sick"),
                     {.status = 500, .body = R"({"message":"inspect broke"})"});
    DockerBackend backend(engine.settings());
    auto result = backend.observe({"web", "sick"}, generous());
    REQUIRE_FALSE(result);
    CHECK_THAT(result.error(), Contains("inspect broke"));
    CHECK_THAT(result.error(), Contains("sick"));
  }

  SECTION("no socket at the configured path") {
    const std::string directory = test::make_temp_directory("pm-nosock-");
    const std::string path = directory + "/docker.sock";
    DockerSettings settings;
    settings.host = "unix://" + path;
    DockerBackend backend(settings);
    auto result = backend.observe({"web"}, generous());
    std::filesystem::remove_all(directory);
    REQUIRE_FALSE(result);
    CHECK_THAT(result.error(), StartsWith("no Docker engine socket at " + path));
  }
}
