#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "report/json_report.hpp"
#include "report/text_report.hpp"
#include "report_samples.hpp"

using namespace pm;

namespace {

// api: answered 503, restarted, healthy after 1.5 s; worker: PM2 unreachable.
struct Sample {
  CycleResult cycle;

  Sample() { cycle.services = {test::restarted_result("api"), test::unreachable_result("worker")}; }
};

}  // namespace

TEST_CASE("the text report has a line per service saying what was done", "[report]") {
  Sample sample;
  std::string text = render_text_report(sample.cycle);
  CHECK_THAT(text, Catch::StartsWith("SERVICE  BACKEND  STATE        HEALTH"));
  CHECK_THAT(text, Catch::Contains("api      pm2      online       status 503 not in 200-399  12ms     "
                                   "unhealthy; restarted, healthy after 1.5s"));
  CHECK_THAT(text, Catch::Contains("worker   pm2      unreachable  -") &&
                       Catch::Contains("unknown: PM2 daemon is not running"));
}

TEST_CASE("the JSON report carries the schema version and every stage", "[report]") {
  Sample sample;
  auto report = nlohmann::json::parse(render_json_report(sample.cycle, false));
  CHECK(report["schema_version"] == kJsonSchemaVersion);
  CHECK(report["exit_code"] == 2);
  REQUIRE(report["services"].size() == 2);
  const auto& api = report["services"][0];
  CHECK(api["name"] == "api");
  CHECK(api["state"] == "running");
  CHECK(api["pids"] == nlohmann::json::array({7}));
  CHECK(api["restart_count"] == 0);
  CHECK(api["probe"]["status_code"] == 503);
  CHECK(api["probe"]["latency_ms"] == 12);
  CHECK(api["action"] == "restart");
  CHECK(api["action_detail"] == "pm2 restart 0");
  CHECK(api["final_health"] == "healthy");
  CHECK(api["settled_ms"] == 1500);
  CHECK(api["exit_code"] == 1);
  const auto& worker = report["services"][1];
  CHECK(worker["state"].is_null());
  CHECK(worker["engine_error"] == "PM2 daemon is not running");
  CHECK(worker["probe"].is_null());
  CHECK(worker["exit_code"] == 2);
}

TEST_CASE("the JSON report gives no restart count for a unit whose processes were not asked for",
          "[report]") {
  CycleResult cycle;
  cycle.services.push_back(test::healthy_result("container", Duration{4}));
  cycle.services[0].sighting.status->pids.clear();
  cycle.services[0].sighting.status->restart_count = 0;
  cycle.services[0].sighting.status->processes_known = false;  // a running Docker container from its list
  auto report = nlohmann::json::parse(render_json_report(cycle, false));
  const auto& unit = report["services"][0];
  CHECK(unit["state"] == "running");
  CHECK(unit["pids"] == nlohmann::json::array());
  CHECK(unit["restart_count"].is_null());
}
