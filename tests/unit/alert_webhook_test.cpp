// AlertSender's webhook channels against loopback HTTP servers.
#include <stdlib.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "alert/alert_sender.hpp"
#include "captured_log.hpp"
#include "loopback_http_server.hpp"

using namespace std::chrono_literals;
using pm::AlertChannelConfig;
using pm::AlertEvent;
using pm::AlertSender;
using pm::Deadline;
using pm::Duration;
using pm::test::CapturedLog;
using pm::test::LoopbackHttpServer;
using pm::test::Route;

namespace {

// Bounds on how long a send may take are generous, so a slow machine does
// not fail them; a send that ignores its deadline (30 s timeouts) does.
constexpr auto kGenerous = 5s;

// No exec channel here, so no command runs: the results would say so if one did.
class NoRunner : public pm::CommandRunner {
 public:
  std::expected<pm::ExecResult, std::string> run(const pm::ExecRequest&) override {
    return std::unexpected(std::string("no command should run"));
  }
};

AlertEvent event(std::string kind, std::string service = "api") {
  AlertEvent e;
  e.kind = std::move(kind);
  e.service = std::move(service);
  e.backend = "pm2";
  e.reason = "5 restarts in 1h";
  e.host = "web-1";
  e.time = pm::WallTime{} + std::chrono::hours{24 * 365};
  return e;
}

AlertChannelConfig webhook(std::string url) {
  AlertChannelConfig channel;
  channel.kind = AlertChannelConfig::Webhook;
  channel.url = std::move(url);
  channel.retry_delay = Duration{10};
  return channel;
}

// A loopback server whose `path` answers 204, as webhook receivers do.
std::unique_ptr<LoopbackHttpServer> receiver(const std::string& path) {
  auto server = std::make_unique<LoopbackHttpServer>();
  server->set_route(path, Route{.status = 204, .body = ""});
  return server;
}

// The one request `server` received for `path`.
pm::test::RecordedRequest only_request(const LoopbackHttpServer& server, const std::string& path) {
  auto requests = server.requests(path);
  REQUIRE(requests.size() == 1);
  return requests[0];
}

// Sets (or, with nullopt, unsets) an environment variable while it lives.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Loopback receivers are reached directly even where the environment names
// a proxy (CI machines often do); the proxy test sets its own.
class DirectToLoopback {
  ScopedEnv no_proxy_{"no_proxy", "127.0.0.1,localhost"};
};

}  // namespace

TEST_CASE("webhook: the JSON event is POSTed with its content type and the channel's headers",
          "[alert][webhook]") {
  DirectToLoopback direct;
  auto server = receiver("/hook");
  AlertChannelConfig channel = webhook(server->url("/hook"));
  channel.headers = {{"Authorization", "Bearer s3cr3t"}, {"X-Team", "ops"}};
  NoRunner runner;
  AlertSender sender({channel}, runner);

  auto results = sender.send({event("gave-up")}, Deadline::after(20s));
  auto request = only_request(*server, "/hook");

  REQUIRE(results.size() == 1);
  CHECK(results[0].delivered);
  CHECK(results[0].attempts == 1);
  CHECK(results[0].error.empty());
  CHECK(results[0].event == "gave-up");
  CHECK(results[0].service == "api");
  CHECK(results[0].channel == "webhook " + server->url("/hook"));
  CHECK(request.method == "POST");
  CHECK(request.target == "/hook");
  CHECK(request.headers["content-type"].starts_with("application/json"));
  CHECK(request.headers["authorization"] == "Bearer s3cr3t");
  CHECK(request.headers["x-team"] == "ops");
  CHECK(request.headers.count("expect") == 0);
  CHECK(nlohmann::json::parse(request.body) == pm::to_json(event("gave-up")));
}

TEST_CASE("webhook: the slack format posts the summary as text", "[alert][webhook]") {
  DirectToLoopback direct;
  auto server = receiver("/slack");
  AlertChannelConfig channel = webhook(server->url("/slack"));
  channel.format = "slack";
  NoRunner runner;
  auto results = AlertSender({channel}, runner).send({event("gave-up")}, Deadline::after(20s));
  auto body = only_request(*server, "/slack").body;

  REQUIRE(results.size() == 1);
  CHECK(results[0].delivered);
  CHECK(nlohmann::json::parse(body) ==
        nlohmann::json{{"text", "process-monitor on web-1: api gave up: 5 restarts in 1h"}});
}

TEST_CASE("webhook: a 500 is retried, and the next 2xx delivers", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;
  server.set_route("/hook", Route{.status = 204, .body = "", .first_statuses = {500}});
  NoRunner runner;
  auto results =
      AlertSender({webhook(server.url("/hook"))}, runner).send({event("recovered")}, Deadline::after(20s));

  REQUIRE(results.size() == 1);
  CHECK(results[0].delivered);
  CHECK(results[0].attempts == 2);
  CHECK(server.request_count("/hook") == 2);
  auto request = server.last_request("/hook");
  REQUIRE(request);
  CHECK(request->method == "POST");
  CHECK(request->headers["content-type"] == "application/json");
}

TEST_CASE("webhook: gives up after its retries, says why and logs a warning", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;
  server.set_route("/hook", Route{.status = 503, .body = "maintenance\nmore"});
  AlertChannelConfig channel = webhook(server.url("/hook"));
  channel.retries = 2;
  NoRunner runner;
  CapturedLog log;
  auto results = AlertSender({channel}, runner).send({event("gave-up")}, Deadline::after(20s));

  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].attempts == 3);
  CHECK(server.request_count("/hook") == 3);
  CHECK(results[0].error == "status 503: maintenance; after 3 attempts");
  CHECK(log.text().find("warning: alert: gave-up for api not delivered to webhook " + server.url("/hook") +
                        ": status 503: maintenance; after 3 attempts") != std::string::npos);
}

TEST_CASE("webhook: an answer that will not change (404) is not retried", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;  // no route: 404
  AlertChannelConfig channel = webhook(server.url("/services/T000/B000/XXXX"));
  channel.retries = 3;
  NoRunner runner;
  CapturedLog log;
  auto results = AlertSender({channel}, runner).send({event("gave-up")}, Deadline::after(20s));

  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].attempts == 1);
  CHECK(results[0].error == "status 404: no route");
  // The token in the path reaches neither the result nor the log.
  CHECK(results[0].channel == "webhook " + server.url("/services/***"));
  CHECK(log.text().find("XXXX") == std::string::npos);
  CHECK(log.text().find("/services/***") != std::string::npos);
}

TEST_CASE("webhook: connection refused is a failure like any other", "[alert][webhook]") {
  DirectToLoopback direct;
  AlertChannelConfig channel =
      webhook("http://127.0.0.1:" + std::to_string(pm::test::closed_loopback_port()) + "/hook");
  NoRunner runner;
  auto results = AlertSender({channel}, runner).send({event("gave-up")}, Deadline::after(20s));
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].attempts == 2);
  CHECK(results[0].error == "connection refused; after 2 attempts");
}

TEST_CASE("webhook: a hanging receiver does not hold the send past its deadline", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;
  server.set_route("/hang", Route{.hang = true});
  server.set_route("/ok", Route{.status = 200});
  AlertChannelConfig hanging = webhook(server.url("/hang"));
  hanging.timeout = Duration{30000};
  hanging.retries = 5;
  NoRunner runner;
  AlertSender sender({hanging, webhook(server.url("/ok"))}, runner);

  const auto start = std::chrono::steady_clock::now();
  auto results = sender.send({event("became-unhealthy")}, Deadline::after(300ms));
  const auto took = std::chrono::steady_clock::now() - start;

  CHECK(took < kGenerous);
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].error.starts_with("timed out after "));
  CHECK(results[0].error.find("(cut short by the alert deadline)") != std::string::npos);
  // The other channel was not held up by the hanging one.
  CHECK(results[1].delivered);
  CHECK(results[1].channel == "webhook " + server.url("/ok"));
}

TEST_CASE("webhook: a deadline already passed sends nothing", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;
  server.set_route("/hook", Route{});
  NoRunner runner;
  auto results = AlertSender({webhook(server.url("/hook"))}, runner)
                     .send({event("gave-up")}, Deadline(Deadline::Clock::now() - 1s));
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].delivered);
  CHECK(results[0].attempts == 0);
  CHECK(results[0].error == "the alert deadline passed before it could be sent");
  CHECK(server.request_count("/hook") == 0);
}

TEST_CASE("webhook: each channel gets only the events it subscribes to, in order", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;
  server.set_route("/all", Route{});
  server.set_route("/pager", Route{});
  AlertChannelConfig pager = webhook(server.url("/pager"));
  pager.events = {"gave-up"};
  NoRunner runner;
  AlertSender sender({webhook(server.url("/all")), pager}, runner);

  auto results =
      sender.send({event("became-unhealthy", "api"), event("gave-up", "web"), event("recovered", "db")},
                  Deadline::after(20s));

  REQUIRE(results.size() == 4);
  CHECK(server.request_count("/all") == 3);
  CHECK(server.request_count("/pager") == 1);
  CHECK(results[0].event == "became-unhealthy");
  CHECK(results[1].event == "gave-up");
  CHECK(results[2].event == "recovered");
  CHECK(results[3].event == "gave-up");
  CHECK(results[3].service == "web");
  CHECK(results[3].channel == "webhook " + server.url("/pager"));
  for (const auto& result : results) CHECK(result.delivered);
}

TEST_CASE("webhook: a broken channel is reported and the others still deliver", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;
  server.set_route("/hook", Route{});
  AlertChannelConfig no_url = webhook("");
  AlertChannelConfig bad_format = webhook(server.url("/other"));
  bad_format.format = "xml";
  NoRunner runner;
  auto results = AlertSender({no_url, bad_format, webhook(server.url("/hook"))}, runner)
                     .send({event("gave-up")}, Deadline::after(20s));

  REQUIRE(results.size() == 3);
  CHECK(results[0].error == "no URL to post to");
  CHECK(results[0].attempts == 0);
  CHECK(results[1].error == "unknown format 'xml' (expected \"json\" or \"slack\")");
  CHECK(server.request_count("/other") == 0);
  CHECK(results[2].delivered);
}

TEST_CASE("webhook: no events, nothing sent", "[alert][webhook]") {
  DirectToLoopback direct;
  LoopbackHttpServer server;
  server.set_route("/hook", Route{});
  NoRunner runner;
  CHECK(AlertSender({webhook(server.url("/hook"))}, runner).send({}, Deadline::after(20s)).empty());
  CHECK(server.request_count("/hook") == 0);
}

TEST_CASE("webhook: the environment's proxy is used (webhooks may need one)", "[alert][webhook]") {
  LoopbackHttpServer proxy;
  // A proxy is asked for the absolute URL; the name never needs to resolve here.
  proxy.set_route("http://alerts.invalid/hook", Route{.status = 200});
  ScopedEnv http_proxy("http_proxy", proxy.url(""));
  ScopedEnv all_proxy("ALL_PROXY", std::nullopt);
  ScopedEnv no_proxy("no_proxy", std::nullopt);
  ScopedEnv no_proxy_upper("NO_PROXY", std::nullopt);
  NoRunner runner;
  auto results = AlertSender({webhook("http://alerts.invalid/hook")}, runner)
                     .send({event("gave-up")}, Deadline::after(20s));

  REQUIRE(results.size() == 1);
  CHECK(results[0].delivered);
  CHECK(proxy.request_count("http://alerts.invalid/hook") == 1);
}
