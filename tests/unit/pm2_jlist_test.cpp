#include <catch2/catch.hpp>
#include <sstream>

#include "backend/pm2_jlist.hpp"
#include "test_data.hpp"

using namespace pm;

namespace {

const Pm2Process& find(const std::vector<Pm2Process>& list, const std::string& name) {
  for (const auto& process : list) {
    if (process.name == name) return process;
  }
  FAIL("no process named " << name);
  throw;
}

}  // namespace

TEST_CASE("jlist of a real PM2 with online, cluster, stopped and errored apps", "[pm2]") {
  auto parsed = parse_pm2_jlist(test::read_test_data("pm2/jlist-mixed.json"));
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 7);
  const auto& api = find(*parsed, "api");
  CHECK(api.status == "online");
  CHECK(api.pm_id == 0);
  CHECK(api.pid > 0);
  CHECK(api.exec_mode == "fork_mode");
  CHECK(api.memory_bytes > 0);
  CHECK(find(*parsed, "paused").status == "stopped");
  CHECK(find(*parsed, "crashy").status == "errored");

  auto status = summarize_pm2_processes(*parsed, {"api", "web", "paused", "crashy", "clash", "ghost"});
  CHECK(status.at("api").front().state == UnitState::Running);
  CHECK(status.at("api").front().handles == std::vector<std::string>{"0"});
  CHECK(status.at("web").front().state == UnitState::Running);
  CHECK(status.at("web").front().engine_state == "online (2 instances)");
  CHECK(status.at("web").front().handles == std::vector<std::string>{"1", "2"});
  CHECK(status.at("web").front().pids.size() == 2);
  CHECK(status.at("paused").front().state == UnitState::Stopped);
  CHECK(status.at("crashy").front().state == UnitState::Failed);
  CHECK(status.at("clash").front().state == UnitState::Failed);
  CHECK(status.at("clash").front().engine_state == "errored (0/2 online)");
  CHECK(status.at("clash").front().restart_count == 30);
  CHECK(status.at("ghost").front().state == UnitState::Missing);
  CHECK(status.at("ghost").front().engine_state == "not in pm2 list");
}

TEST_CASE("a cluster with one instance down is not running", "[pm2]") {
  auto parsed = parse_pm2_jlist(test::read_test_data("pm2/jlist-mixed.json")).value();
  for (auto& process : parsed) {
    if (process.name == "web" && process.pm_id == 2) process.status = "errored";
  }
  auto status = summarize_pm2_processes(parsed, {"web"});
  CHECK(status.at("web").front().state == UnitState::Failed);
  CHECK(status.at("web").front().engine_state == "errored (1/2 online)");
  CHECK(status.at("web").front().pids.size() == 1);
}

TEST_CASE("every PM2 status maps to a state", "[pm2]") {
  CHECK(pm2_status_to_state("online") == UnitState::Running);
  CHECK(pm2_status_to_state("launching") == UnitState::Starting);
  CHECK(pm2_status_to_state("stopping") == UnitState::Stopping);
  CHECK(pm2_status_to_state("stopped") == UnitState::Stopped);
  CHECK(pm2_status_to_state("errored") == UnitState::Failed);
  CHECK(pm2_status_to_state("one-launch-status") == UnitState::Failed);
  CHECK(pm2_status_to_state("something-new") == UnitState::Failed);
}

TEST_CASE("banner lines printed before the JSON are skipped", "[pm2]") {
  // What PM2 prints when the CLI is newer than the daemon, and when jlist
  // had to spawn a daemon.
  std::string banner =
      ">>>> In-memory PM2 is out-of-date, do:\n>>>> $ pm2 update\nIn memory PM2 version: 5.3.0\n"
      "Local PM2 version: 6.0.8\n\n[PM2] Spawning PM2 daemon with pm2_home=/root/.pm2\n"
      "[PM2] PM2 Successfully daemonized\n";
  auto parsed = parse_pm2_jlist(banner + test::read_test_data("pm2/jlist-mixed.json"));
  REQUIRE(parsed);
  CHECK(parsed->size() == 7);
  CHECK(parse_pm2_jlist(banner + "[]\n").value().empty());
}

TEST_CASE("the app environment is dropped while parsing, secrets included", "[pm2]") {
  std::string raw = test::read_test_data("pm2/jlist-huge-env.json");
  REQUIRE(raw.find("hunter2-recorded") != std::string::npos);  // the recording does hold the secret
  REQUIRE(raw.size() > 400'000);
  auto parsed = parse_pm2_jlist(raw);
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 8);
  const auto& big = find(*parsed, "big-env");
  CHECK(big.status == "online");
  for (const auto& process : *parsed) {
    CHECK(process.name.find("hunter2") == std::string::npos);
    CHECK(process.status.find("hunter2") == std::string::npos);
  }
}

TEST_CASE("an empty PM2 list is valid", "[pm2]") {
  auto parsed = parse_pm2_jlist(test::read_test_data("pm2/jlist-empty.json"));
  REQUIRE(parsed);
  CHECK(parsed->empty());
  CHECK(summarize_pm2_processes(*parsed, {"api"}).at("api").front().state == UnitState::Missing);
}

TEST_CASE("answers that are not a jlist are rejected with the reason", "[pm2]") {
  CHECK_THAT(parse_pm2_jlist("").error(), Catch::Contains("printed no JSON list"));
  CHECK_THAT(parse_pm2_jlist("[PM2][ERROR] Daemon not launched\n").error(),
             Catch::Contains("printed no JSON list (first line: '[PM2][ERROR] Daemon not launched')"));
  std::string recorded = test::read_test_data("pm2/jlist-mixed.json");
  CHECK_THAT(parse_pm2_jlist(recorded.substr(0, recorded.size() / 2)).error(),
             Catch::Contains("malformed or truncated"));
  CHECK_THAT(parse_pm2_jlist(R"([{"name":"a","pm_id":0}])").error(),
             Catch::Contains("entry 0: has no pm2_env"));
  CHECK_THAT(parse_pm2_jlist(R"([{"name":"a","pm_id":0,"pm2_env":{}}])").error(),
             Catch::Contains("entry 0: has no pm2_env.status"));
  CHECK_THAT(parse_pm2_jlist(R"([{"pm_id":0,"pm2_env":{"status":"online"}}])").error(),
             Catch::Contains("has no name"));
  CHECK_THAT(parse_pm2_jlist(R"([{"name":"a","pm_id":"x","pm2_env":{"status":"online"}}])").error(),
             Catch::Contains("has no pm_id"));
  CHECK_THAT(parse_pm2_jlist(R"([{"name":"a","pm_id":0,"pm2_env":{"status":"online"}},1])").error(),
             Catch::Contains("entry 1: is not an object"));
  CHECK_THAT(parse_pm2_jlist(R"([{"name":"a","pm_id":0,"pm2_env":{"status":"online"}}] trailing)").error(),
             Catch::Contains("malformed or truncated"));
}

TEST_CASE("a list is read entry by entry: the first bad entry is named, nested objects are not entries",
          "[pm2]") {
  const std::string ok = R"({"name":"a","pm_id":0,"pm2_env":{"status":"online","axm_options":{"name":"x"}}})";
  CHECK_THAT(parse_pm2_jlist("[" + ok + R"(,{"name":"b"},1])").error(),
             Catch::Contains("entry 1: has no pm_id"));
  std::istringstream nested(R"([[{"name":"a","pm_id":0,"pm2_env":{"status":"online"}}]])");
  CHECK_THAT(parse_pm2_list(nested).error(), Catch::Contains("entry 0: is not an object"));
  CHECK_THAT(parse_pm2_jlist("[" + ok + ",null]").error(), Catch::Contains("entry 1: is not an object"));
  auto three = parse_pm2_jlist("[" + ok + "," + ok + "," + ok + "]");
  REQUIRE(three);
  CHECK(three->size() == 3);
  CHECK(three->front().name == "a");
  CHECK(three->front().status == "online");

  // The daemon's answer on its socket is read the same way; an object is no list.
  std::istringstream listed("[" + ok + "]");
  auto streamed = parse_pm2_list(listed);
  REQUIRE(streamed);
  CHECK(streamed->size() == 1);
  std::istringstream object(R"({"a":)" + ok + "}");
  CHECK_THAT(parse_pm2_list(object).error(), Catch::Contains("the PM2 daemon sent no JSON list"));
}
