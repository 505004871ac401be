#include <catch2/catch.hpp>

#include <memory>

#include "captured_log.hpp"
#include "core/cycle.hpp"
#include "fakes.hpp"

using namespace pm;
using test::FakeBackend;
using test::FakeProber;
using test::FakeRunner;

namespace {

ServiceConfig pm2_service(std::string name, bool with_health = true) {
  ServiceConfig service;
  service.name = name;
  service.backend = "pm2";
  service.target = name;
  service.verify_timeout = Duration{200};
  if (with_health) {
    service.health = HealthCheck{};
    service.health->url = "http://127.0.0.1/" + name;
  }
  return service;
}

// A cycle over fakes; verification re-checks every 10 ms.
struct Harness {
  Backends backends;
  FakeBackend* pm2;
  FakeProber prober;
  FakeRunner runner;
  Interrupt interrupt;
  std::vector<ServiceConfig> services;

  Harness() {
    auto backend = std::make_unique<FakeBackend>("pm2");
    pm2 = backend.get();
    backends.emplace("pm2", std::move(backend));
  }

  CycleResult run(bool dry_run = false) {
    std::vector<ServicePtr> selected;
    for (const auto& service : services) selected.push_back(std::make_shared<ServiceConfig>(service));
    Cycle cycle(backends, prober, runner, interrupt, CycleOptions{dry_run, Duration{10}});
    return cycle.run(selected, Deadline::after(Duration{5000}));
  }
};

}  // namespace

TEST_CASE("healthy services: one observation for all, probed, nothing done, exit 0", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api"), pm2_service("web")};
  h.pm2->states = {{"api", test::running()}, {"web", test::running()}};
  auto result = h.run();
  CHECK(result.exit_code() == 0);
  CHECK(h.pm2->observe_calls == 1);
  CHECK(h.pm2->observed_targets[0] == std::vector<std::string>{"api", "web"});
  CHECK(h.prober.calls == 1);
  CHECK(h.prober.probed_urls.size() == 2);
  CHECK(h.pm2->restarted.empty());
  CHECK(result.services[0].verdict.health == Health::Healthy);
  CHECK(result.services[0].action == Action::None);
}

TEST_CASE("the gate hears of every restart before the first runs", "[cycle][policy]") {
  // What the gate saw of the backend's restarts when it was told of each
  // one, and (plus 100) when asked to keep the records.
  struct OrderGate : RestartGate {
    const std::vector<std::string>* backend_restarts = nullptr;
    std::vector<std::size_t> seen;
    Answer judge(const ServiceConfig&, Health) override { return {}; }
    void restarted(const ServiceConfig&) override { seen.push_back(backend_restarts->size()); }
    void before_restarts() override { seen.push_back(100 + backend_restarts->size()); }
  };
  Harness h;
  h.services = {pm2_service("api"), pm2_service("web")};
  h.pm2->states = {{"api", test::running()}, {"web", test::running()}};
  h.prober.results["http://127.0.0.1/api"] = FakeProber::failing("status 503 not in 200-399");
  h.prober.results["http://127.0.0.1/web"] = FakeProber::failing("status 503 not in 200-399");
  OrderGate gate;
  gate.backend_restarts = &h.pm2->restarted;
  std::vector<ServicePtr> selected{std::make_shared<ServiceConfig>(h.services[0]),
                                   std::make_shared<ServiceConfig>(h.services[1])};
  Cycle cycle(h.backends, h.prober, h.runner, h.interrupt, CycleOptions{false, Duration{10}}, &gate);
  cycle.run(selected, Deadline::after(Duration{5000}));
  // Both recorded, then kept once, all before the first restart: a run killed during one has counted both.
  CHECK(gate.seen == std::vector<std::size_t>{0, 0, 100});
  CHECK(h.pm2->restarted == std::vector<std::string>{"api", "web"});
}

TEST_CASE("an unhealthy service is restarted and verified: exit 1", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api"), pm2_service("web")};
  h.pm2->states = {{"api", test::running()}, {"web", test::running()}};
  h.prober.results["http://127.0.0.1/api"] = FakeProber::failing("status 503 not in 200-399");
  h.pm2->on_restart = [&](const std::string&) { h.prober.results.clear(); };
  auto result = h.run();
  CHECK(h.pm2->restarted == std::vector<std::string>{"api"});
  CHECK(result.exit_code() == 1);
  const auto& api = result.services[0];
  CHECK(api.verdict.health == Health::Unhealthy);
  CHECK(api.verdict.reason == "status 503 not in 200-399");
  CHECK(api.action == Action::Restart);
  CHECK(api.action_detail == "fake restart api");
  REQUIRE(api.final_verdict);
  CHECK(api.final_verdict->health == Health::Healthy);
  CHECK(service_exit_code(result.services[1]) == 0);
}

TEST_CASE("a service that stays unhealthy after its restart: exit 2 with the reason", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api")};
  h.pm2->states = {{"api", test::running()}};
  h.prober.results["http://127.0.0.1/api"] = FakeProber::failing("status 503 not in 200-399");
  auto result = h.run();
  CHECK(h.pm2->restarted.size() == 1);
  CHECK(result.exit_code() == 2);
  REQUIRE(result.services[0].final_verdict);
  CHECK(result.services[0].final_verdict->health == Health::Unhealthy);
  CHECK_THAT(result.services[0].final_verdict->reason, Catch::StartsWith("still unhealthy after 200ms"));
  CHECK(h.prober.calls >= 3);  // the first probe and at least two verify rounds
}

TEST_CASE("dry run (--dry-run) restarts nothing and exits 2 on a failure", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api")};
  h.pm2->states = {{"api", test::with_state(UnitState::Failed, "errored")}};
  auto result = h.run(/*dry_run=*/true);
  CHECK(h.pm2->restarted.empty());
  CHECK(result.services[0].action == Action::WouldRestart);
  CHECK(result.exit_code() == 2);
  CHECK(h.prober.probed_urls.empty());  // a failed app is not probed
}

TEST_CASE("a stopped app is down unless expect = any", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api"), pm2_service("batch")};
  h.services[1].expect = Expect::Any;
  h.pm2->states = {{"api", test::with_state(UnitState::Stopped, "stopped")},
                   {"batch", test::with_state(UnitState::Stopped, "stopped")}};
  h.pm2->on_restart = [&](const std::string& target) { h.pm2->states[target] = test::running(); };
  auto result = h.run();
  CHECK(h.pm2->restarted == std::vector<std::string>{"api"});
  CHECK(result.services[0].verdict.health == Health::Down);
  CHECK(result.services[1].verdict.health == Health::StoppedOk);
  CHECK(result.exit_code() == 1);
}

TEST_CASE("an unreachable engine is exit 2 for its services, and nothing is restarted", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api")};
  h.pm2->engine_error = "PM2 daemon is not running";
  auto result = h.run();
  CHECK(result.services[0].verdict.health == Health::Unknown);
  CHECK(result.services[0].verdict.reason == "PM2 daemon is not running");
  CHECK(h.pm2->restarted.empty());
  CHECK(result.exit_code() == 2);
}

TEST_CASE("a refused restart is exit 2 and says why", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api")};
  h.pm2->states = {{"api", test::with_state(UnitState::Failed, "errored")}};
  h.pm2->restart_error = "'pm2 restart 0' exited with status 1";
  auto result = h.run();
  CHECK(result.services[0].action_failed);
  CHECK(result.services[0].action_detail == "'pm2 restart 0' exited with status 1");
  CHECK(result.exit_code() == 2);
}

TEST_CASE("a launching app is waited for, not restarted", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api")};
  h.pm2->states = {{"api", test::with_state(UnitState::Starting, "launching")}};
  h.prober.results["http://127.0.0.1/api"] = FakeProber::failing("connection refused", 0);
  SECTION("it comes up: exit 0, nothing was restarted") {
    h.pm2->on_observe = [&](int call) {
      if (call == 2) {
        h.pm2->states["api"] = test::running();
        h.prober.results.clear();
      }
    };
    auto result = h.run();
    CHECK(h.pm2->restarted.empty());
    CHECK(result.services[0].action == Action::Wait);
    CHECK(result.exit_code() == 0);
  }
  SECTION("it never comes up: exit 2") {
    auto result = h.run();
    CHECK(h.pm2->restarted.empty());
    CHECK(result.services[0].action == Action::Wait);
    CHECK_THAT(result.services[0].final_verdict->reason, Catch::StartsWith("still starting after 200ms"));
    CHECK(result.exit_code() == 2);
  }
}

TEST_CASE("without a health check a restart is verified by a stable pid", "[cycle]") {
  Harness h;
  h.services = {pm2_service("worker", /*with_health=*/false)};
  h.pm2->states = {{"worker", test::with_state(UnitState::Failed, "errored")}};
  SECTION("stays up: recovered") {
    h.pm2->on_restart = [&](const std::string&) { h.pm2->states["worker"] = test::running({42}); };
    auto result = h.run();
    CHECK(result.exit_code() == 1);
    CHECK(h.pm2->observe_calls >= 3);  // the first look and two verify rounds
  }
  SECTION("crash loop: online with a new pid every time is not recovered") {
    int pid = 1000;
    h.pm2->on_restart = [&](const std::string&) { h.pm2->states["worker"] = test::running({pid}); };
    h.prober.results.clear();
    // Every observation sees a new pid, as a crash-looping app shows.
    struct Looping : FakeBackend {
      int* pid;
      explicit Looping(int* p) : FakeBackend("pm2"), pid(p) {}
      std::expected<StatusByTarget, std::string> observe(const std::vector<std::string>& targets,
                                                         Deadline deadline) override {
        auto out = FakeBackend::observe(targets, deadline);
        if (out && !restarted.empty()) (*out)["worker"] = {test::running({++*pid})};
        return out;
      }
    };
    auto looping = std::make_unique<Looping>(&pid);
    looping->states = h.pm2->states;
    h.backends["pm2"] = std::move(looping);
    auto result = h.run();
    CHECK(result.exit_code() == 2);
  }
}

TEST_CASE("pids an observation left out are asked for only to verify a restart", "[cycle]") {
  Harness h;
  h.services = {pm2_service("worker", /*with_health=*/false), pm2_service("idle", /*with_health=*/false)};
  // As Docker's list shows running containers: no pid until identify() asks.
  UnitStatus unidentified = test::running({});
  unidentified.processes_known = false;
  h.pm2->states = {{"worker", test::with_state(UnitState::Failed, "errored")}, {"idle", unidentified}};
  h.pm2->on_restart = [&](const std::string&) { h.pm2->states["worker"] = unidentified; };
  SECTION("identified: the same pid twice is recovered") {
    h.pm2->pids_by_handle["worker"] = {42};
    auto result = h.run();
    CHECK(result.exit_code() == 1);
    REQUIRE(result.services[0].final_verdict);
    CHECK(result.services[0].final_verdict->health == Health::Healthy);
    // Only the restarted unit, once per verify round; the cycle's first look asked nothing.
    CHECK(h.pm2->identify_calls == h.pm2->observe_calls - 1);
    CHECK(h.pm2->identified_handles == std::vector<std::string>(h.pm2->identify_calls, "worker"));
    CHECK(result.services[1].sighting.status->pids.empty());  // idle: fine, never identified
  }
  SECTION("a health URL vouches for it: no pid asked for") {
    h.services[0] = pm2_service("worker", /*with_health=*/true);
    h.pm2->pids_by_handle["worker"] = {42};
    auto result = h.run();
    CHECK(result.exit_code() == 1);
    CHECK(h.pm2->identify_calls == 0);
  }
  SECTION("the engine cannot say: not called recovered") {
    h.pm2->identify_error = "inspect refused";
    test::CapturedLog log;
    auto result = h.run();
    CHECK(result.exit_code() == 2);
    REQUIRE(result.services[0].final_verdict);
    CHECK(result.services[0].final_verdict->health == Health::Unknown);
    CHECK(result.services[0].final_verdict->reason ==
          "running after the restart, but its process could not be identified within 200ms to tell "
          "whether it stays up");
    CHECK_THAT(log.text(),
               Catch::Contains("pm2: the processes of restarted units are unknown: inspect refused"));
  }
}

TEST_CASE("a probe-only service is reported, never restarted without restart_command", "[cycle]") {
  Harness h;
  ServiceConfig site;
  site.name = "site";
  site.backend = "none";
  site.target = "site";
  site.health = HealthCheck{};
  site.health->url = "http://127.0.0.1/site";
  h.services = {site};
  h.prober.results["http://127.0.0.1/site"] = FakeProber::failing("connection refused", 0);
  SECTION("no restart_command") {
    auto result = h.run();
    CHECK(result.services[0].action == Action::None);
    CHECK_THAT(result.services[0].action_detail, Catch::Contains("no restart_command"));
    CHECK(h.runner.commands.empty());
    CHECK(h.pm2->observe_calls == 0);
    CHECK(result.exit_code() == 2);
  }
  SECTION("restart_command runs as an argv vector") {
    h.services[0].restart_command = {"docker-compose", "up", "-d", "site"};
    h.runner.on_run = [&](const std::vector<std::string>&) { h.prober.results.clear(); };
    auto result = h.run();
    REQUIRE(h.runner.commands.size() == 1);
    CHECK(h.runner.commands[0] == std::vector<std::string>{"docker-compose", "up", "-d", "site"});
    CHECK(result.exit_code() == 1);
  }
  SECTION("a failing restart_command is reported with its output") {
    h.services[0].restart_command = {"false"};
    h.runner.exit_code = 1;
    h.runner.stderr_text = "no such service: site\n";
    auto result = h.run();
    CHECK(result.services[0].action_failed);
    CHECK_THAT(result.services[0].action_detail,
               Catch::Contains("exited with status 1: no such service: site"));
    CHECK(result.exit_code() == 2);
  }
}

TEST_CASE("a stop request before acting restarts nothing", "[cycle]") {
  Harness h;
  h.services = {pm2_service("api")};
  h.pm2->states = {{"api", test::with_state(UnitState::Failed, "errored")}};
  h.interrupt.request();
  auto result = h.run();
  CHECK(h.pm2->restarted.empty());
  CHECK(result.interrupted);
  CHECK(result.exit_code() == 2);
}

TEST_CASE("a group selector becomes one service per member, each restarted alone", "[cycle]") {
  Harness h;
  ServiceConfig project = pm2_service("sar", /*with_health=*/false);
  project.target = "compose:sar";
  h.services = {project};
  auto member = [](std::string name, std::string container, UnitStatus status) {
    status.member_name = std::move(name);
    status.member_target = std::move(container);
    return status;
  };
  h.pm2->groups["compose:sar"] = {
      member("api", "sar-api-1", test::running({5})),
      member("worker", "sar-worker-1", test::with_state(UnitState::Failed, "exited"))};
  // Members are verified by their exact target.
  h.pm2->states["sar-api-1"] = test::running({5});
  h.pm2->on_restart = [&](const std::string& target) { h.pm2->states[target] = test::running({9}); };
  auto result = h.run();
  REQUIRE(result.services.size() == 2);
  CHECK(result.services[0].service->name == "api");
  CHECK(result.services[0].service->target == "sar-api-1");
  CHECK(result.services[0].action == Action::None);
  CHECK(result.services[1].service->name == "worker");
  CHECK(h.pm2->restarted == std::vector<std::string>{"sar-worker-1"});
  CHECK(result.services[1].final_verdict->health == Health::Healthy);
  CHECK(result.exit_code() == 1);
}

TEST_CASE("a unit reached by two services is checked and restarted once", "[cycle]") {
  Harness h;
  ServiceConfig project = pm2_service("sar", /*with_health=*/false);
  project.target = "compose:sar";
  ServiceConfig api = pm2_service("api-alone", /*with_health=*/false);
  api.target = "compose:sar/api";
  h.services = {project, api};
  auto failed = test::with_state(UnitState::Failed, "exited");
  failed.handles = {"id-api"};
  UnitStatus member = failed;
  member.member_name = "api";
  member.member_target = "sar-api-1";
  h.pm2->groups["compose:sar"] = {member};
  h.pm2->groups["compose:sar/api"] = {failed};
  h.pm2->on_restart = [&](const std::string& target) {
    h.pm2->groups.clear();
    h.pm2->states[target] = test::running({3});
  };
  auto result = h.run();
  REQUIRE(result.services.size() == 1);
  CHECK(result.services[0].service->name == "api-alone");  // the service configured for it alone wins
  CHECK(h.pm2->restarted == std::vector<std::string>{"compose:sar/api"});
}

TEST_CASE("limits: only running limited units are measured, once per backend", "[cycle][limits]") {
  Harness h;
  h.services = {pm2_service("api"), pm2_service("web"), pm2_service("old")};
  h.services[0].limits.memory_bytes = 100;
  h.services[2].limits.memory_bytes = 100;
  h.pm2->states = {{"api", test::running()},
                   {"web", test::running()},
                   {"old", test::with_state(UnitState::Stopped, "stopped")}};
  h.pm2->usage_by_handle["api"] = ResourceUse{50, std::nullopt, std::nullopt};
  auto result = h.run();
  CHECK(h.pm2->measure_calls == 1);
  CHECK(h.pm2->measured_handles == std::vector<std::string>{"api"});
  REQUIRE(result.services[0].limits.size() == 1);
  CHECK(*result.services[0].limits[0].value == 50);
  CHECK(result.services[1].limits.empty());
  CHECK(result.services[2].limits.empty());  // not running: nothing to check
}

TEST_CASE("limits: a restart limit over its runs restarts a service its probe finds healthy",
          "[cycle][limits]") {
  Harness h;
  h.services = {pm2_service("api")};
  h.services[0].limits.memory_bytes = 100;
  h.pm2->states = {{"api", test::running()}};
  h.pm2->usage_by_handle["api"] = ResourceUse{500, std::nullopt, std::nullopt};
  // The restart brings it back small; verification does not re-check limits.
  h.pm2->on_restart = [&](const std::string&) {
    h.pm2->usage_by_handle["api"] = ResourceUse{50, 0.0, std::nullopt};
  };
  auto result = h.run();
  const auto& api = result.services[0];
  CHECK(api.verdict.health == Health::Unhealthy);
  CHECK(api.verdict.reason == "memory 500 B over the limit of 100 B for 1 run");
  CHECK(api.action == Action::Restart);
  CHECK(h.pm2->restarted == std::vector<std::string>{"api"});
  CHECK(result.exit_code() == 1);
}

TEST_CASE("limits: a warn limit, or one the engine cannot measure, makes exit 1 and no restart",
          "[cycle][limits]") {
  Harness h;
  h.services = {pm2_service("api"), pm2_service("web")};
  h.services[0].limits.memory_bytes = 100;
  h.services[0].limits.memory_action = LimitAction::Warn;
  h.services[1].limits.memory_bytes = 100;
  h.pm2->states = {{"api", test::running()}, {"web", test::running()}};
  h.pm2->usage_by_handle["api"] = ResourceUse{500, std::nullopt, std::nullopt};
  h.pm2->measure_error = "stats refused";
  auto result = h.run();
  CHECK(h.pm2->restarted.empty());
  CHECK(result.services[0].verdict.health == Health::Healthy);
  CHECK(service_exit_code(result.services[0]) == 1);
  CHECK(result.services[1].limits.at(0).unsupported);
  CHECK(service_exit_code(result.services[1]) == 1);
  CHECK(result.exit_code() == 1);
}
