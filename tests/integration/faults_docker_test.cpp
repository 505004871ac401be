// Fault injection (issue 10) on the Docker side: a fake engine on a unix
// socket that answers its version ping as dockerd does and then answers the
// container list with garbage, with a truncated body, or later than the
// [docker] timeout. Each run must end by itself with exit 2 and a message
// naming the fault; the next run against the real test engine must work.
// Containers are named it-fault-dk-*.
#include <catch2/catch.hpp>

#include <functional>

#include <fmt/format.h>

#include "docker_harness.hpp"
#include "engine_harness.hpp"
#include "fault_servers.hpp"

using namespace pm;
using namespace pm::it;

namespace {

// What the fake engine does with a request other than /_ping; false closes the connection.
using ListAnswer = std::function<bool(FaultConnection&)>;

// A Docker engine that negotiates API 1.41 like dockerd, then answers every
// other call with `answer`. Connections are kept alive, as dockerd keeps them.
FaultServer::Handler fake_engine(ListAnswer answer) {
  return [answer = std::move(answer)](FaultConnection& connection) {
    for (std::string request = connection.read_request(); !request.empty();
         request = connection.read_request()) {
      if (FaultConnection::path_of(request) == "/_ping") {
        if (!connection.send(http_head(200, 2, "API-Version: 1.41\r\nContent-Type: text/plain\r\n") + "OK"))
          return;
      } else if (!answer(connection)) {
        return;
      }
    }
  };
}

std::string config_for(const std::string& host, const std::string& container) {
  return docker_table(host, "timeout = \"2s\"") + "[monitor]\nverify_interval = \"200ms\"\n\n" +
         fmt::format("[[service]]\nname = \"{0}\"\nbackend = \"docker\"\ncontainer = \"{0}\"\n", container);
}

// A run of the config on the fake engine at `host`: exit 2 with `words` in the
// engine error, ended by itself well before its own 20 s deadline.
void check_fault(const std::string& host, const std::string& words) {
  TempDir dir;
  auto config = dir.write("config.toml", config_for(host, "it-fault-dk-web"));
  auto run = run_monitor({"--once", "--json", "--deadline", "20s", "-c", config}, {}, Duration{60000});
  check_engine_fault(run, "it-fault-dk-web", words);
}

// The next run, against the real engine: a running container is healthy (exit 0).
void next_run_works(const std::string& container_name) {
  TestContainer container(container_name);
  TempDir dir;
  auto config = dir.write("config.toml", config_for(DockerEngine::host(), container.name()));
  auto run = run_monitor({"--once", "--json", "-c", config});
  CHECK(run.exit_code == 0);
  CHECK(service_named(parse_json(run), container.name())["health"] == "healthy");
}

}  // namespace

TEST_CASE("a Docker engine answering a container list that is not JSON: exit 2 saying so",
          "[docker][faults]") {
  TempDir dir;
  FaultServer engine(
      dir.path() + "/garbage.sock", fake_engine([](FaultConnection& connection) {
        const std::string body = "<html>{not json";
        return connection.send(http_head(200, body.size(), "Content-Type: application/json\r\n") + body);
      }));
  check_fault(engine.host(), "Docker engine answered a container list that is not JSON");
  next_run_works("it-fault-dk-garbage");
}

TEST_CASE("a Docker engine closing in the middle of its answer: exit 2 naming the bytes it did not send",
          "[docker][faults]") {
  TempDir dir;
  FaultServer engine(dir.path() + "/truncated.sock", fake_engine([](FaultConnection& connection) {
                       connection.send(http_head(200, 1000, "Content-Type: application/json\r\n") +
                                       "[{\"Id\": \"0123456789ab\", \"Names\": [");
                       return false;  // closed after 34 of 1000 bytes: 966 missing
                     }));
  check_fault(engine.host(), "cut its answer short: transfer closed with 966 bytes remaining to read");
  next_run_works("it-fault-dk-truncated");
}

TEST_CASE("a Docker engine slower than the [docker] timeout: exit 2 saying it did not answer within it",
          "[docker][faults]") {
  TempDir dir;
  FaultServer engine(dir.path() + "/slow.sock", fake_engine([](FaultConnection& connection) {
                       // Ten times the 2 s timeout, then the right answer: too late.
                       if (!connection.pause(std::chrono::seconds(20))) return false;
                       return connection.send(http_head(200, 2, "Content-Type: application/json\r\n") + "[]");
                     }));
  check_fault(engine.host(), "the Docker engine at " + engine.host() + " did not answer within");
  next_run_works("it-fault-dk-slow");
}
