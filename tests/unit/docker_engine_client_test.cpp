#include "backend/docker_engine_client.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>

#include "child_process.hpp"
#include "unix_socket_http_server.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using pm::Deadline;
using pm::DockerEndpoint;
using pm::DockerEngineClient;
using pm::Duration;
using pm::test::ScriptedResponse;
using pm::test::UnixSocketHttpServer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Enough for any of these calls on a slow machine; a hang fails the test instead of blocking it.
Deadline generous() { return Deadline::after(Duration{10000}); }

DockerEndpoint socket_endpoint(const std::string& path) {
  DockerEndpoint endpoint;
  endpoint.kind = DockerEndpoint::Kind::UnixSocket;
  endpoint.socket_path = path;
  endpoint.shown = "unix://" + path;
  return endpoint;
}

std::vector<std::string> request_lines(const UnixSocketHttpServer& server) {
  std::vector<std::string> lines;
  for (const auto& request : server.requests()) lines.push_back(request.method + " " + request.target);
  return lines;
}

// What `client.get("/info")` says, run in a child process as user nobody: root
// connects to a mode-000 socket regardless, so EACCES needs an unprivileged user.
std::string get_as_nobody(const std::string& socket_path) {
  return pm::test::in_child([&] {
    DockerEngineClient client(socket_endpoint(socket_path));
    auto response = client.get("/info", Deadline::after(Duration{5000}));
    return response ? "answered " + std::to_string(response->status) : response.error();
  });
}

}  // namespace

TEST_CASE("compare_api_versions compares numerically", "[docker_engine]") {
  CHECK(pm::compare_api_versions("1.41", "1.9") > 0);
  CHECK(pm::compare_api_versions("1.9", "1.41") < 0);
  CHECK(pm::compare_api_versions("1.41", "1.41") == 0);
  CHECK(pm::compare_api_versions("2.0", "1.99") > 0);
  CHECK(pm::compare_api_versions("1", "1.0") == 0);
  CHECK(pm::compare_api_versions("1.24.1", "1.24") > 0);
  // Malformed compares as 0.0.
  CHECK(pm::compare_api_versions("abc", "0.0") == 0);
  CHECK(pm::compare_api_versions("1.x", "1.0") < 0);
  CHECK(pm::compare_api_versions("", "1.24") < 0);
}

TEST_CASE("engine_error_message reads {\"message\"}, else the trimmed body", "[docker_engine]") {
  CHECK(pm::engine_error_message(R"({"message":"No such container: web"})") == "No such container: web");
  CHECK(pm::engine_error_message("  page not found\n") == "page not found");
  CHECK(pm::engine_error_message(R"({"message": 42})") == R"({"message": 42})");
  CHECK(pm::engine_error_message(R"({"message": "")") == R"({"message": "")");
  CHECK(pm::engine_error_message("").empty());
  const std::string long_body(1000, 'x');
  CHECK(pm::engine_error_message(long_body) == std::string(300, 'x'));
  // A cut never splits a UTF-8 character: 299 bytes, then a 2-byte 'é' across the limit.
  const std::string accented = std::string(299, 'x') + "\xc3\xa9" + "yyy";
  CHECK(pm::engine_error_message(accented) == std::string(299, 'x'));
}

TEST_CASE("docker engine: negotiates the version once and prefixes paths with it", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.41");
  server.on("GET /v1.41/containers/json", {.status = 200, .body = "[]"});
  server.on("POST /v1.41/containers/web/restart", {.status = 204, .body = ""});
  DockerEngineClient client(socket_endpoint(server.socket_path()));

  auto list = client.get("/containers/json?all=1", generous());
  REQUIRE(list.has_value());
  CHECK(list->status == 200);
  CHECK(list->body == "[]");
  auto restart = client.post("/containers/web/restart?t=10", generous());
  REQUIRE(restart.has_value());
  CHECK(restart->status == 204);
  CHECK(client.api_version(generous()).value() == "1.41");

  CHECK(request_lines(server) == std::vector<std::string>{"GET /_ping", "GET /v1.41/containers/json?all=1",
                                                          "POST /v1.41/containers/web/restart?t=10"});
  // The POST has an empty body and no form content type.
  const auto requests = server.requests();
  CHECK(requests[2].headers.at("content-length") == "0");
  CHECK(requests[2].headers.count("content-type") == 0);
  CHECK(requests[1].headers.at("host") == "localhost");
  // One handle, one kept-alive connection.
  CHECK(server.connections() == 1);
}

TEST_CASE("docker engine: an engine newer than the cap is spoken to at the cap", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.99");
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  auto response = client.get("/info", generous());
  REQUIRE(response.has_value());
  CHECK(response->status == 404);  // any status is a response
  CHECK(request_lines(server).back() == "GET /v" + std::string(pm::kMaxDockerApiVersion) + "/info");
}

TEST_CASE("docker engine: an engine older than the minimum is refused", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.12");
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  auto response = client.get("/info", generous());
  REQUIRE_FALSE(response.has_value());
  CHECK(response.error() == "the Docker engine at unix://" + server.socket_path() +
                                " speaks API 1.12, older than 1.24 (Docker 1.12); upgrade it");
  CHECK(request_lines(server) == std::vector<std::string>{"GET /_ping"});
}

TEST_CASE("docker engine: without an API-Version header, /version tells", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping(std::nullopt);
  server.on("GET /version", {.status = 200, .body = R"({"Version":"1.12.6","ApiVersion":"1.24"})"});
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  REQUIRE(client.get("/info", generous()).has_value());
  CHECK(request_lines(server) == std::vector<std::string>{"GET /_ping", "GET /version", "GET /v1.24/info"});
}

TEST_CASE("docker engine: a server that is not a Docker engine is named as such", "[docker_engine]") {
  UnixSocketHttpServer server;  // answers 404 to everything, no API-Version
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  auto response = client.get("/info", generous());
  REQUIRE_FALSE(response.has_value());
  CHECK_THAT(response.error(), Contains("unix://" + server.socket_path()) &&
                                   Contains("does not look like a Docker engine (no API-Version header on "
                                            "/_ping"));

  UnixSocketHttpServer junk;
  junk.answer_ping("banana");
  DockerEngineClient junk_client(socket_endpoint(junk.socket_path()));
  CHECK_THAT(junk_client.get("/info", generous()).error(), Contains("API version 'banana'"));
}

TEST_CASE("docker engine: an error body's message can be extracted", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.41");
  server.on("POST /v1.41/containers/nope/restart",
            {.status = 404, .body = R"({"message":"No such container: nope"})"});
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  auto response = client.post("/containers/nope/restart", generous());
  REQUIRE(response.has_value());
  CHECK(response->status == 404);
  CHECK(pm::engine_error_message(response->body) == "No such container: nope");
}

TEST_CASE("docker engine: a missing socket says so and how to fix it", "[docker_engine]") {
  UnixSocketHttpServer server;  // only for a temporary directory
  const std::string missing = server.directory() + "/missing.sock";
  DockerEngineClient client(socket_endpoint(missing));
  auto response = client.get("/info", generous());
  REQUIRE_FALSE(response.has_value());
  CHECK(response.error() == "no Docker engine socket at " + missing +
                                " (is dockerd running? set [docker] host or DOCKER_HOST if it listens "
                                "elsewhere)");
}

TEST_CASE("docker engine: a stale socket (nobody listening) is named", "[docker_engine]") {
  UnixSocketHttpServer server;
  const std::string stale = server.directory() + "/stale.sock";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, stale.c_str(), stale.size() + 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  close(fd);  // bound, never listened on, closed: the file stays, connect() is refused
  DockerEngineClient client(socket_endpoint(stale));
  CHECK_THAT(client.get("/info", generous()).error(),
             StartsWith("the Docker engine socket " + stale + " refuses connections") &&
                 Contains("dockerd is not running"));
}

TEST_CASE("docker engine: permission denied on the socket says what to do", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.41");
  REQUIRE(chmod(server.socket_path().c_str(), 0) == 0);
  REQUIRE(chmod(server.directory().c_str(), 0755) == 0);
  // Root would connect anyway: the client runs in a child as nobody (uid 65534).
  const std::string error = geteuid() == 0 ? get_as_nobody(server.socket_path()) : [&] {
    DockerEngineClient client(socket_endpoint(server.socket_path()));
    return client.get("/info", generous()).error();
  }();
  const std::string uid = geteuid() == 0 ? "65534" : std::to_string(geteuid());
  CHECK(error == "permission denied on " + server.socket_path() +
                     ": run as root or add the user to the 'docker' group; a rootless engine listens on "
                     "/run/user/" +
                     uid + "/docker.sock");
}

TEST_CASE("docker engine: an engine that never answers is given up at the deadline", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.on("GET /_ping", {.hang = true});
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  const auto start = Clock::now();
  auto response = client.get("/info", Deadline::after(Duration{300}));
  const auto took = Clock::now() - start;
  REQUIRE_FALSE(response.has_value());
  CHECK_THAT(response.error(),
             StartsWith("the Docker engine at unix://" + server.socket_path() + " did not answer within "));
  CHECK(took >= 250ms);
  CHECK(took < 5s);  // generous: the point is that it does not hang
}

TEST_CASE("docker engine: a request after negotiation is bound by the deadline too", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.41");
  server.on("GET /v1.41/containers/json", {.hang = true});
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  REQUIRE(client.api_version(generous()).has_value());
  const auto start = Clock::now();
  auto response = client.get("/containers/json", Deadline::after(Duration{300}));
  REQUIRE_FALSE(response.has_value());
  CHECK_THAT(response.error(), Contains("did not answer within"));
  CHECK(Clock::now() - start < 5s);
}

TEST_CASE("docker engine: a deadline already passed makes no connection", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.41");
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  auto response = client.get("/info", Deadline(Deadline::Clock::now() - 1s));
  REQUIRE_FALSE(response.has_value());
  CHECK_THAT(response.error(), StartsWith("deadline reached before calling the Docker engine"));
  CHECK(server.connections() == 0);
  CHECK(server.requests().empty());
}

TEST_CASE("docker engine: a body past 64 MiB is refused, not held", "[docker_engine]") {
  UnixSocketHttpServer server;
  server.answer_ping("1.41");
  server.on("GET /v1.41/containers/json", {.status = 200, .body = std::string(64 * 1024 * 1024 + 1, 'x')});
  DockerEngineClient client(socket_endpoint(server.socket_path()));
  auto response = client.get("/containers/json", generous());
  REQUIRE_FALSE(response.has_value());
  CHECK_THAT(response.error(), Contains("sent more than 64 MiB for GET /v1.41/containers/json"));
}

TEST_CASE("docker engine: tcp connection refused names the endpoint", "[docker_engine]") {
  // Port 1 on loopback: nothing listens there in a test environment.
  DockerEndpoint endpoint;
  endpoint.kind = DockerEndpoint::Kind::Tcp;
  endpoint.host = "127.0.0.1";
  endpoint.port = 1;
  endpoint.shown = "tcp://127.0.0.1:1";
  DockerEngineClient client(endpoint);
  CHECK(client.get("/info", generous()).error() ==
        "the Docker engine at tcp://127.0.0.1:1 refused the connection (is dockerd listening on port 1?)");
}

TEST_CASE("docker engine: TLS settings are taken by curl and failures still name the endpoint",
          "[docker_engine]") {
  // No TLS server here: this checks that the TLS options are accepted (a setup error
  // would say "cannot set up"), and that the connect failure comes first.
  DockerEndpoint endpoint;
  endpoint.kind = DockerEndpoint::Kind::Tcp;
  endpoint.host = "127.0.0.1";
  endpoint.port = 1;
  endpoint.tls = endpoint.tls_verify = true;
  endpoint.ca_file = "/nonexistent/ca.pem";
  endpoint.cert_file = "/nonexistent/cert.pem";
  endpoint.key_file = "/nonexistent/key.pem";
  endpoint.shown = "tcp://127.0.0.1:1";
  DockerEngineClient client(endpoint);
  CHECK_THAT(client.get("/info", generous()).error(),
             StartsWith("the Docker engine at tcp://127.0.0.1:1 refused"));
}
