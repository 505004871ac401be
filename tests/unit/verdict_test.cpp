#include <catch2/catch.hpp>

#include "core/cycle_result.hpp"
#include "core/verdict.hpp"
#include "fakes.hpp"

using namespace pm;

namespace {

ServiceConfig service_with_health() {
  ServiceConfig service;
  service.name = "api";
  service.backend = "pm2";
  service.target = "api";
  service.health = HealthCheck{};
  return service;
}

Sighting seen(UnitStatus status) { return Sighting{"pm2", std::move(status), ""}; }

}  // namespace

TEST_CASE("verdicts from backend state and probe", "[verdict]") {
  ServiceConfig service = service_with_health();
  ProbeResult ok{true, 200, Duration{1}, 1, ""};
  ProbeResult bad{false, 503, Duration{1}, 3, "status 503 not in 200-399"};

  CHECK(judge(service, seen(test::running()), ok).health == Health::Healthy);
  auto unhealthy = judge(service, seen(test::running()), bad);
  CHECK(unhealthy.health == Health::Unhealthy);
  CHECK(unhealthy.reason == "status 503 not in 200-399");
  auto errored = judge(service, seen(test::with_state(UnitState::Failed, "errored")), std::nullopt);
  CHECK(errored.health == Health::Down);
  CHECK(errored.reason == "pm2 says errored");
  CHECK(judge(service, seen(test::with_state(UnitState::Missing, "not in pm2 list")), std::nullopt).reason ==
        "not in pm2 list");
  CHECK(judge(service, seen(test::with_state(UnitState::Stopping, "stopping")), std::nullopt).health ==
        Health::Starting);
  CHECK(judge(service, seen(test::with_state(UnitState::Starting, "launching")), bad).health ==
        Health::Starting);
  CHECK(judge(service, seen(test::with_state(UnitState::Starting, "launching")), ok).health ==
        Health::Healthy);
  CHECK(judge(service, Sighting{"pm2", std::nullopt, "daemon down"}, std::nullopt).health == Health::Unknown);

  service.expect = Expect::Any;
  CHECK(judge(service, seen(test::with_state(UnitState::Stopped, "stopped")), std::nullopt).health ==
        Health::StoppedOk);
  service.expect = Expect::Running;
  CHECK(judge(service, seen(test::with_state(UnitState::Stopped, "stopped")), std::nullopt).health ==
        Health::Down);

  service.health.reset();
  CHECK(judge(service, seen(test::running()), std::nullopt).health == Health::Healthy);
}

TEST_CASE("only running or starting services with a health check are probed", "[verdict]") {
  ServiceConfig service = service_with_health();
  CHECK(should_probe(service, seen(test::running())));
  CHECK(should_probe(service, seen(test::with_state(UnitState::Starting, "launching"))));
  CHECK_FALSE(should_probe(service, seen(test::with_state(UnitState::Failed, "errored"))));
  CHECK_FALSE(should_probe(service, Sighting{"pm2", std::nullopt, "down"}));
  service.backend = "none";
  CHECK(should_probe(service, Sighting{"none", std::nullopt, ""}));
  service.health.reset();
  CHECK_FALSE(should_probe(service, Sighting{"none", std::nullopt, ""}));
}

TEST_CASE("exit codes: 0 fine, 1 recovered, 2 still failing", "[verdict]") {
  ServiceConfig service = service_with_health();
  ServiceResult result;
  result.service = std::make_shared<ServiceConfig>(service);
  result.verdict = {Health::Healthy, ""};
  CHECK(service_exit_code(result) == 0);
  result.verdict = {Health::StoppedOk, ""};
  CHECK(service_exit_code(result) == 0);

  result.verdict = {Health::Unhealthy, "503"};
  CHECK(service_exit_code(result) == 2);  // nothing could be done
  result.action = Action::WouldRestart;
  CHECK(service_exit_code(result) == 2);
  result.action = Action::Restart;
  CHECK(service_exit_code(result) == 2);  // not verified
  result.final_verdict = Verdict{Health::Healthy, ""};
  CHECK(service_exit_code(result) == 1);
  result.action_failed = true;
  CHECK(service_exit_code(result) == 2);
  result.action_failed = false;
  result.final_verdict = Verdict{Health::Unhealthy, "still"};
  CHECK(service_exit_code(result) == 2);
  result.action = Action::Wait;
  CHECK(service_exit_code(result) == 2);
  result.final_verdict = Verdict{Health::Healthy, ""};
  CHECK(service_exit_code(result) == 0);

  CycleResult cycle;
  CHECK(cycle.exit_code() == 0);
  cycle.services = {result, result};
  cycle.services[1].action = Action::Restart;
  CHECK(cycle.exit_code() == 1);
}

TEST_CASE("expect = stopped: never probed, never restarted, whatever the engine says", "[verdict]") {
  ServiceConfig service = service_with_health();
  service.expect = Expect::Stopped;
  ProbeResult bad{false, 503, Duration{1}, 1, "status 503"};
  CHECK_FALSE(should_probe(service, seen(test::running())));
  CHECK(judge(service, seen(test::running()), bad).health == Health::StoppedOk);
  CHECK(judge(service, seen(test::with_state(UnitState::Failed, "errored")), std::nullopt).health ==
        Health::StoppedOk);
  CHECK(judge(service, Sighting{"pm2", std::nullopt, "daemon down"}, std::nullopt).health == Health::Unknown);
}
