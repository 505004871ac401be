// One round trip per backend per cycle, whatever the number of services:
// a whole Cycle over N = 1, 10 and 100 healthy services on each backend, with
// PM2 (a stand-in daemon on rpc.sock) and Docker (a stand-in engine on a unix
// socket) real down to their sockets, where the calls are counted. systemd
// has no stand-in bus here; its fake backend counts observe() calls, and the
// real backend's D-Bus calls are counted against the real user manager
// (tests/integration/systemd_integration_test.cpp, "[round_trips]": one
// ListUnitsByNames for 42 units).
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "backend/docker_backend.hpp"
#include "backend/pm2_backend.hpp"
#include "core/cycle.hpp"
#include "fake_pm2_daemon.hpp"
#include "fakes.hpp"
#include "test_data.hpp"
#include "unix_socket_http_server.hpp"

using namespace pm;
using json = nlohmann::json;

namespace {

std::string name_of(const std::string& backend, int i) { return fmt::format("{}-svc-{}", backend, i); }

// A jlist of `count` online apps, made from a recorded online one.
std::string pm2_list(int count) {
  const json recorded = json::parse(test::read_test_data("pm2/jlist-mixed.json")).at(0);  // "api", online
  json list = json::array();
  for (int i = 0; i < count; ++i) {
    json app = recorded;
    app["name"] = app["pm2_env"]["name"] = name_of("pm2", i);
    app["pm_id"] = app["pm2_env"]["pm_id"] = i;
    list.push_back(app);
  }
  return list.dump();
}

// A container list of `count` running containers, made from the recorded
// "web" (a healthy HEALTHCHECK) and "plain" (none), taken in turn.
std::string docker_list(int count) {
  json web;
  json plain;
  for (const json& entry : json::parse(test::read_test_data("docker/containers-list.json"))) {
    if (entry.at("Names").at(0) == "/web") web = entry;
    if (entry.at("Names").at(0) == "/plain") plain = entry;
  }
  json list = json::array();
  for (int i = 0; i < count; ++i) {
    json container = i % 2 == 0 ? plain : web;
    container["Names"] = json::array({"/" + name_of("docker", i)});
    container["Id"] = fmt::format("{:064x}", i + 1);
    list.push_back(container);
  }
  return list.dump();
}

ServiceConfig service_on(const std::string& backend, int i) {
  ServiceConfig service;
  service.name = name_of(backend, i);
  service.backend = backend;
  service.target = name_of(backend, i);
  service.health = HealthCheck{};
  service.health->url = fmt::format("http://127.0.0.1/{}", service.name);
  return service;
}

}  // namespace

TEST_CASE("a cycle asks each backend once, whatever the number of services", "[round_trips]") {
  const int count = GENERATE(1, 10, 100);
  INFO(count << " service(s) per backend");

  test::FakePm2Daemon pm2_daemon;
  pm2_daemon.answer(pm2_list(count));
  test::UnixSocketHttpServer docker_engine;
  docker_engine.answer_ping("1.41");
  docker_engine.on("GET /v1.41/containers/json", {.status = 200, .body = docker_list(count)});

  test::FakeRunner runner;
  Pm2Settings pm2_settings;
  pm2_settings.home = pm2_daemon.home();
  DockerSettings docker_settings;
  docker_settings.host = "unix://" + docker_engine.socket_path();
  docker_settings.tls_verify = false;
  auto systemd = std::make_unique<test::FakeBackend>("systemd");
  test::FakeBackend& systemd_backend = *systemd;

  Backends backends;
  backends.emplace("pm2", std::make_unique<Pm2Backend>(pm2_settings, runner));
  backends.emplace("docker", std::make_unique<DockerBackend>(docker_settings));
  backends.emplace("systemd", std::move(systemd));

  std::vector<ServiceConfig> services;
  for (const std::string backend : {"pm2", "docker", "systemd"}) {
    for (int i = 0; i < count; ++i) services.push_back(service_on(backend, i));
  }
  for (int i = 0; i < count; ++i) systemd_backend.states[name_of("systemd", i)] = test::running();
  std::vector<ServicePtr> selected;
  for (const auto& service : services) selected.push_back(std::make_shared<ServiceConfig>(service));

  test::FakeProber prober;
  Interrupt interrupt;
  Cycle cycle(backends, prober, runner, interrupt, CycleOptions{false, Duration{10}});
  CycleResult result = cycle.run(selected, Deadline::after(Duration{10000}));

  CHECK(result.exit_code() == 0);
  CHECK(result.services.size() == services.size());
  // PM2: one getMonitorData on rpc.sock, and no pm2 process started.
  CHECK(pm2_daemon.calls() == std::vector<std::string>{"getMonitorData"});
  CHECK(runner.commands.empty());
  // Docker: the version ping (once per client) and one list; running containers, with a healthy
  // HEALTHCHECK or none, are not inspected.
  std::vector<std::string> requests;
  for (const auto& request : docker_engine.requests())
    requests.push_back(request.method + " " + request.target);
  INFO(fmt::format("docker requests: {}", fmt::join(requests, ", ")));
  CHECK(std::ranges::count_if(requests, [](const std::string& line) {
          return line.starts_with("GET /v1.41/containers/json");
        }) == 1);
  CHECK(requests.size() == 2);
  // systemd: one observe for all its units.
  CHECK(systemd_backend.observe_calls == 1);
  // And one probe round for all health URLs.
  CHECK(prober.calls == 1);
  CHECK(prober.probed_urls.size() == services.size());
}
