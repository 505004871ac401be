#include <catch2/catch.hpp>

#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backend/docker_containers.hpp"
#include "test_data.hpp"

using namespace pm;
using json = nlohmann::json;

namespace {

const ContainerSummary& find(const std::vector<ContainerSummary>& list, const std::string& name) {
  for (const auto& container : list) {
    if (container.name == name) return container;
  }
  FAIL("no container named " << name);
  throw;
}

std::vector<ContainerSummary> recorded_list(const std::string& file = "docker/containers-list.json") {
  auto parsed = parse_container_list(test::read_test_data(file));
  if (!parsed) FAIL(parsed.error());
  return *parsed;
}

ContainerDetail recorded_inspect(const std::string& name) {
  auto parsed = parse_container_inspect(test::read_test_data("docker/inspect-" + name + ".json"));
  if (!parsed) FAIL(parsed.error());
  return *parsed;
}

// The recorded list with one entry changed by `edit`.
std::string edited_list(std::size_t index, const std::function<void(json&)>& edit) {
  json list = json::parse(test::read_test_data("docker/containers-list.json"));
  edit(list.at(index));
  return list.dump();
}

std::string list_error(std::string_view body) {
  auto parsed = parse_container_list(body);
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

std::string inspect_error(std::string_view body) {
  auto parsed = parse_container_inspect(body);
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

using Labels = std::map<std::string, std::string>;

}  // namespace

TEST_CASE("the recorded list of every kind of container", "[docker]") {
  auto list = recorded_list();
  REQUIRE(list.size() == 11);
  for (const auto& container : list) {
    CHECK(container.id.size() == 64);
    CHECK_FALSE(container.name.starts_with('/'));
  }
  struct Expected {
    std::string name, state, status_text, health;
  };
  const std::vector<Expected> expected{
      {"web", "running", "Up 2 seconds (healthy)", "healthy"},
      {"sick", "running", "Up 2 seconds (unhealthy)", "unhealthy"},
      {"slow", "running", "Up 2 seconds (health: starting)", "starting"},
      {"plain", "running", "Up 2 seconds", ""},
      {"stopped", "exited", "Exited (3) 2 seconds ago", ""},
      {"fresh", "created", "Created", ""},
      {"frozen", "paused", "Up 1 second (Paused)", ""},
      {"restarting", "restarting", "Restarting (1) Less than a second ago", ""},
      {"monitored", "running", "Up 1 second", ""},
      {"sar-api-1", "running", "Up 1 second", ""},
      {"sar-worker-1", "running", "Up 1 second", ""},
  };
  for (const auto& want : expected) {
    INFO(want.name);
    const auto& container = find(list, want.name);
    CHECK(container.state == want.state);
    CHECK(container.status_text == want.status_text);
    CHECK(health_from_status_text(container.status_text) == want.health);
  }
  CHECK(find(list, "web").id.starts_with("6d11bcc59047"));
  CHECK(find(list, "web").labels.empty());
  CHECK(find(list, "monitored").labels == Labels{{"com.example.monitor", "true"}});
  CHECK(find(list, "sar-api-1").labels == Labels{{"com.docker.compose.container-number", "1"},
                                                 {"com.docker.compose.oneoff", "False"},
                                                 {"com.docker.compose.project", "sar"},
                                                 {"com.docker.compose.service", "api"}});
  CHECK(find(list, "sar-worker-1").labels.at("com.docker.compose.service") == "worker");
  CHECK(find(list, "sar-worker-1").labels.at("com.docker.compose.project") == "sar");
}

TEST_CASE("the recorded lists filtered by label and without all=1", "[docker]") {
  auto compose = recorded_list("docker/containers-list-filtered-label.json");
  REQUIRE(compose.size() == 2);
  for (const auto& container : compose) {
    CHECK(container.labels.at("com.docker.compose.project") == "sar");
    CHECK(container.state == "running");
  }
  CHECK(find(compose, "sar-api-1").id == find(recorded_list(), "sar-api-1").id);

  auto running = recorded_list("docker/containers-list-running.json");
  CHECK(running.size() == 9);
  for (const auto& container : running) {
    INFO(container.name);
    CHECK(container.state != "exited");
    CHECK(container.state != "created");
  }
  CHECK(find(running, "frozen").state == "paused");
  CHECK(find(running, "restarting").state == "restarting");
}

TEST_CASE("the recorded inspect answers", "[docker]") {
  auto list = recorded_list();
  for (std::string name : {"web", "sick", "slow", "stopped", "plain", "fresh", "frozen", "restarting"}) {
    INFO(name);
    auto detail = recorded_inspect(name);
    CHECK(detail.name == name);
    CHECK(detail.id == find(list, name).id);
    CHECK(detail.status == find(list, name).state);
    CHECK_FALSE(detail.oom_killed);
    CHECK(detail.error.empty());
  }

  auto web = recorded_inspect("web");
  CHECK(web.status == "running");
  CHECK(web.pid > 0);
  CHECK(web.health == "healthy");
  CHECK(web.failing_streak == 0);
  CHECK(web.last_health_exit_code == 0);
  CHECK(web.started_at == "2026-11-26T09:09:21.427069237Z");

  auto sick = recorded_inspect("sick");
  CHECK(sick.health == "unhealthy");
  CHECK(sick.failing_streak >= 1);
  CHECK(sick.last_health_exit_code == 1);
  CHECK(sick.last_health_output.empty());  // `false` prints nothing

  auto slow = recorded_inspect("slow");
  CHECK(slow.health == "starting");
  CHECK(slow.failing_streak == 0);
  CHECK(slow.last_health_output.empty());  // empty Log

  auto stopped = recorded_inspect("stopped");
  CHECK(stopped.status == "exited");
  CHECK(stopped.exit_code == 3);
  CHECK(stopped.pid == 0);
  CHECK(stopped.health.empty());

  auto plain = recorded_inspect("plain");
  CHECK(plain.status == "running");
  CHECK(plain.pid > 0);
  CHECK(plain.health.empty());
  CHECK(plain.failing_streak == 0);

  auto fresh = recorded_inspect("fresh");
  CHECK(fresh.status == "created");
  CHECK(fresh.pid == 0);
  CHECK(fresh.started_at == "0001-01-01T00:00:00Z");

  auto frozen = recorded_inspect("frozen");
  CHECK(frozen.status == "paused");
  CHECK(frozen.pid > 0);

  auto restarting = recorded_inspect("restarting");
  CHECK(restarting.status == "restarting");
  CHECK(restarting.restart_count == 4);
  CHECK(restarting.exit_code == 1);
  CHECK(docker_state_to_unit_state(restarting.status) == UnitState::Starting);
}

TEST_CASE("recorded engine errors instead of a list or details", "[docker]") {
  CHECK(list_error(test::read_test_data("docker/error-400-bad-version.json")) ==
        "Docker engine answered an error instead of a container list: client version 9.99 is too new. "
        "Maximum supported API version is 1.41");
  for (std::string file : {"error-404-no-such-container.json", "error-404-restart-no-such-container.json"}) {
    auto body = test::read_test_data("docker/" + file);
    CHECK(inspect_error(body) ==
          "Docker engine answered an error instead of container details: No such container: nope");
    CHECK(list_error(body) ==
          "Docker engine answered an error instead of a container list: No such container: nope");
  }
  CHECK(inspect_error(test::read_test_data("docker/error-409-start-paused.json")) ==
        "Docker engine answered an error instead of container details: cannot start a paused container, "
        "try unpause instead");
  CHECK_THAT(inspect_error(test::read_test_data("docker/error-409-remove-running.json")),
             Catch::StartsWith("Docker engine answered an error instead of container details: You cannot "
                               "remove a running container"));
}

TEST_CASE("malformed container lists", "[docker]") {
  const auto recorded = test::read_test_data("docker/containers-list.json");
  const std::string not_json = "Docker engine answered a container list that is not JSON";
  const std::string not_array = "Docker engine answered a container list that is not a JSON array";
  CHECK(list_error(recorded.substr(0, recorded.size() / 2)) == not_json);
  CHECK(list_error("") == not_json);
  CHECK(list_error("<html>502 Bad Gateway</html>") == not_json);
  CHECK(list_error("{}") == not_array);
  CHECK(list_error(R"({"Id":"abc","Names":["/x"],"State":"running"})") == not_array);
  CHECK(list_error("42") == not_array);
  CHECK(list_error("null") == not_array);
  CHECK(list_error(R"([{"Id":"a","Names":["/a"],"State":"running"},7])") ==
        "Docker container list entry 1: is not an object");

  CHECK(list_error(edited_list(3, [](json& e) { e.erase("Names"); })) ==
        "Docker container list entry 3: has no Names");
  CHECK(list_error(edited_list(3, [](json& e) { e["Names"] = json::array(); })) ==
        "Docker container list entry 3: has no Names");
  CHECK(list_error(edited_list(3, [](json& e) { e["Names"] = "/sar-worker-1"; })) ==
        "Docker container list entry 3: has no Names");
  CHECK(list_error(edited_list(0, [](json& e) { e.erase("Id"); })) ==
        "Docker container list entry 0: has no Id");
  CHECK(list_error(edited_list(10, [](json& e) { e["Id"] = 12; })) ==
        "Docker container list entry 10: has no Id");
  CHECK(list_error(edited_list(5, [](json& e) { e.erase("State"); })) ==
        "Docker container list entry 5: has no State");
  CHECK(list_error(edited_list(2, [](json& e) { e["Labels"] = json::array({"a=b"}); })) ==
        "Docker container list entry 2: has Labels that are not an object");

  auto without_extras = parse_container_list(edited_list(3, [](json& e) {
    e["Labels"] = nullptr;
    e.erase("Status");
  }));
  REQUIRE(without_extras);
  CHECK(without_extras->at(3).name == "sar-worker-1");
  CHECK(without_extras->at(3).labels.empty());
  CHECK(without_extras->at(3).status_text.empty());

  auto several_names =
      parse_container_list(R"([{"Id":"abc","Names":["/a","/b/alias"],"State":"running","Labels":null}])");
  REQUIRE(several_names);
  CHECK(several_names->front().name == "a");

  auto empty = parse_container_list("[]\n");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("malformed inspect answers", "[docker]") {
  const auto recorded = test::read_test_data("docker/inspect-web.json");
  CHECK(inspect_error(recorded.substr(0, 1000)) ==
        "Docker engine answered container details that are not JSON");
  CHECK(inspect_error("") == "Docker engine answered container details that are not JSON");
  CHECK(inspect_error(test::read_test_data("docker/containers-list.json")) ==
        "Docker engine answered container details that are not a JSON object");

  auto edited = [&](const std::function<void(json&)>& edit) {
    json root = json::parse(recorded);
    edit(root);
    return root.dump();
  };
  CHECK(inspect_error(edited([](json& r) { r.erase("Id"); })) == "Docker container details have no Id");
  CHECK(inspect_error(edited([](json& r) { r.erase("State"); })) ==
        "Docker container details of web: have no State.Status");
  CHECK(inspect_error(edited([](json& r) { r["State"].erase("Status"); })) ==
        "Docker container details of web: have no State.Status");
  CHECK(inspect_error(edited([](json& r) {
          r.erase("Name");
          r["State"] = "running";
        })) == "Docker container details of " + json::parse(recorded)["Id"].get<std::string>() +
                   ": have no State.Status");

  auto health_null = parse_container_inspect(edited([](json& r) { r["State"]["Health"] = nullptr; }));
  REQUIRE(health_null);
  CHECK(health_null->health.empty());

  auto minimal = parse_container_inspect(R"({"Id":"abc","State":{"Status":"dead","OOMKilled":true}})");
  REQUIRE(minimal);
  CHECK(minimal->name.empty());
  CHECK(minimal->status == "dead");
  CHECK(minimal->oom_killed);
  CHECK(minimal->restart_count == 0);
}

TEST_CASE("the newest health check output is trimmed and cut on a UTF-8 boundary", "[docker]") {
  const auto recorded = test::read_test_data("docker/inspect-sick.json");
  auto with_output = [&](const std::string& output) {
    json root = json::parse(recorded);
    root["State"]["Health"]["Log"].push_back({{"Output", output}, {"ExitCode", 7}});
    auto parsed = parse_container_inspect(root.dump());
    REQUIRE(parsed);
    CHECK(parsed->last_health_exit_code == 7);
    return parsed->last_health_output;
  };
  CHECK(with_output("  connection refused\n") == "connection refused");
  CHECK(with_output("\n\t \n").empty());
  CHECK(with_output(std::string(300, 'x')) == std::string(200, 'x'));
  // "é" is two bytes: with 199 'a' in front, byte 200 would split it.
  CHECK(with_output(std::string(199, 'a') + "\xC3\xA9" + "tail") == std::string(199, 'a'));
  CHECK(with_output(std::string(198, 'a') + "\xC3\xA9" + "tail") == std::string(198, 'a') + "\xC3\xA9");
  // "€" is three bytes.
  CHECK(with_output(std::string(199, 'a') + "\xE2\x82\xAC") == std::string(199, 'a'));
  CHECK(with_output("   " + std::string(199, 'b') + " c") == std::string(199, 'b'));
}

TEST_CASE("health from the list's Status text", "[docker]") {
  CHECK(health_from_status_text("Up 2 seconds (healthy)") == "healthy");
  CHECK(health_from_status_text("Up 3 hours (unhealthy)") == "unhealthy");
  CHECK(health_from_status_text("Up 2 seconds (health: starting)") == "starting");
  CHECK(health_from_status_text("Up About a minute (healthy)") == "healthy");
  CHECK(health_from_status_text("Up 2 seconds (Paused)").empty());
  CHECK(health_from_status_text("Up 2 seconds").empty());
  CHECK(health_from_status_text("Exited (3) 2 seconds ago").empty());
  CHECK(health_from_status_text("Restarting (1) Less than a second ago").empty());
  CHECK(health_from_status_text("Created").empty());
  CHECK(health_from_status_text("").empty());
  CHECK(health_from_status_text("(healthy)").empty());
  CHECK(health_from_status_text("Up 2 seconds (healthy) ").empty());
  CHECK(health_from_status_text("Up 2 seconds (healthy) (Paused)").empty());
  CHECK(health_from_status_text("Up 2 seconds(healthy)").empty());
}

TEST_CASE("Docker states map onto neutral states", "[docker]") {
  CHECK(docker_state_to_unit_state("running") == UnitState::Running);
  CHECK(docker_state_to_unit_state("restarting") == UnitState::Starting);
  CHECK(docker_state_to_unit_state("removing") == UnitState::Stopping);
  CHECK(docker_state_to_unit_state("paused") == UnitState::Stopped);
  CHECK(docker_state_to_unit_state("exited") == UnitState::Stopped);
  CHECK(docker_state_to_unit_state("created") == UnitState::Stopped);
  CHECK(docker_state_to_unit_state("dead") == UnitState::Failed);
  CHECK(docker_state_to_unit_state("Running") == UnitState::Failed);
  CHECK(docker_state_to_unit_state("") == UnitState::Failed);
}

TEST_CASE("a large synthetic list keeps only the needed fields", "[docker]") {
  json recorded = json::parse(test::read_test_data("docker/containers-list.json"));
  json entry;
  for (const auto& candidate : recorded) {
    if (candidate["Names"][0] == "/sar-api-1") entry = candidate;
  }
  REQUIRE(entry.is_object());
  entry["Config"] = {{"Env", json::array({"SECRET=hunter2"})}};
  json list = json::array();
  constexpr int kCount = 2000;
  for (int i = 0; i < kCount; ++i) {
    entry["Id"] = fmt::format("{:064x}", i);
    entry["Names"] = json::array({fmt::format("/svc-{}", i)});
    list.push_back(entry);
  }
  auto parsed = parse_container_list(list.dump());
  REQUIRE(parsed);
  REQUIRE(parsed->size() == kCount);
  for (int i = 0; i < kCount; ++i) {
    const auto& container = (*parsed)[i];
    if (container.id != fmt::format("{:064x}", i) || container.name != fmt::format("svc-{}", i) ||
        container.state != "running" || container.status_text != "Up 1 second" ||
        container.labels.size() != 4 || container.labels.at("com.docker.compose.service") != "api") {
      FAIL("entry " << i << " parsed wrong: " << container.id << " " << container.name);
    }
  }
}
