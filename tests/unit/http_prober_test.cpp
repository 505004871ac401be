#include "probe/http_prober.hpp"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loopback_http_server.hpp"
#include "util/interrupt.hpp"

namespace pm {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::LoopbackHttpServer;
using test::Route;

HealthCheck check_for(std::string url) {
  HealthCheck check;
  check.url = std::move(url);
  check.timeout = 2s;
  check.retries = 0;
  check.retry_delay = 50ms;
  return check;
}

std::vector<ProbeResult> probe(const std::vector<HealthCheck>& checks,
                               Deadline deadline = Deadline::after(10s),
                               const Interrupt* interrupt = nullptr) {
  std::vector<const HealthCheck*> pointers;
  for (const HealthCheck& check : checks) pointers.push_back(&check);
  HttpProber prober(interrupt);
  return prober.probe_all(pointers, deadline);
}

ProbeResult probe_one(const HealthCheck& check, Deadline deadline = Deadline::after(10s),
                      const Interrupt* interrupt = nullptr) {
  return probe({check}, deadline, interrupt).at(0);
}

Duration since(Clock::time_point start) { return std::chrono::duration_cast<Duration>(Clock::now() - start); }

// Sets an environment variable for the scope of a test, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_CASE("HttpProber: no checks, no results", "[probe][http]") {
  HttpProber prober;
  CHECK(prober.probe_all({}, Deadline::after(1s)).empty());
}

TEST_CASE("HttpProber: a 200 is healthy, with its status and latency", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/health", Route{.body = "fine", .delay = 100ms});

  ProbeResult result = probe_one(check_for(server.url("/health")));

  CHECK(result.healthy);
  CHECK(result.error.empty());
  CHECK(result.status_code == 200);
  CHECK(result.attempts == 1);
  CHECK(result.latency >= 90ms);
  CHECK(result.latency < 2s);
  CHECK(server.request_count("/health") == 1);
}

TEST_CASE("HttpProber: a status outside expect_status is unhealthy", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/health", Route{.status = 503});

  ProbeResult result = probe_one(check_for(server.url("/health")));

  CHECK_FALSE(result.healthy);
  CHECK(result.status_code == 503);
  CHECK(result.error == "status 503 not in 200-399");
}

TEST_CASE("HttpProber: a redirect is judged, not followed", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/moved", Route{.status = 302, .headers = {{"Location", "/elsewhere"}}});
  server.set_route("/elsewhere", Route{.status = 500});
  HealthCheck check = check_for(server.url("/moved"));

  SECTION("302 is in the default 200-399") {
    ProbeResult result = probe_one(check);
    CHECK(result.healthy);
    CHECK(result.status_code == 302);
  }
  SECTION("302 is not in 200") {
    check.expect_status = {StatusRange{200, 200}};
    check.expect_status_text = "200";
    ProbeResult result = probe_one(check);
    CHECK_FALSE(result.healthy);
    CHECK(result.error == "status 302 not in 200");
  }
  CHECK(server.request_count("/elsewhere") == 0);
}

TEST_CASE("HttpProber: body_contains", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/health", Route{.body = R"({"status": "ok", "db": "up"})"});
  HealthCheck check = check_for(server.url("/health"));

  SECTION("found") {
    check.body_contains = "\"db\": \"up\"";
    CHECK(probe_one(check).healthy);
  }
  SECTION("not found") {
    check.body_contains = "ready";
    ProbeResult result = probe_one(check);
    CHECK_FALSE(result.healthy);
    CHECK(result.status_code == 200);
    CHECK(result.error == "body does not contain 'ready'");
  }
}

TEST_CASE("HttpProber: sends the configured headers and its user agent", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/health", Route{});
  HealthCheck check = check_for(server.url("/health"));
  check.headers = {{"X-Probe-Token", "s3cret"}, {"X-Empty", ""}};

  REQUIRE(probe_one(check).healthy);

  auto request = server.last_request("/health");
  REQUIRE(request);
  CHECK(request->method == "GET");
  CHECK(request->headers["x-probe-token"] == "s3cret");
  REQUIRE(request->headers.contains("x-empty"));
  CHECK(request->headers["x-empty"].empty());
  CHECK(request->headers["user-agent"].starts_with("process-monitor/"));
}

TEST_CASE("HttpProber: retries", "[probe][http]") {
  LoopbackHttpServer server;
  HealthCheck check = check_for(server.url("/flaky"));
  check.retries = 2;
  check.retry_delay = 100ms;

  SECTION("a check that fails twice, then succeeds, is healthy on its third attempt") {
    server.set_route("/flaky", Route{.status = 200, .first_statuses = {503, 503}});
    auto start = Clock::now();
    ProbeResult result = probe_one(check);
    CHECK(result.healthy);
    CHECK(result.error.empty());
    CHECK(result.status_code == 200);
    CHECK(result.attempts == 3);
    CHECK(since(start) >= 200ms);  // two retry delays
  }
  SECTION("retries exhausted: the last attempt's error") {
    server.set_route("/flaky", Route{.status = 503});
    ProbeResult result = probe_one(check);
    CHECK_FALSE(result.healthy);
    CHECK(result.attempts == 3);
    CHECK(result.error == "status 503 not in 200-399");
  }
  CHECK(server.request_count("/flaky") == 3);
}

TEST_CASE("HttpProber: retry delays of different checks overlap", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/down", Route{.status = 503});
  HealthCheck check = check_for(server.url("/down"));
  check.retries = 2;
  check.retry_delay = 300ms;
  std::vector<HealthCheck> checks(5, check);

  auto start = Clock::now();
  std::vector<ProbeResult> results = probe(checks);

  // Waiting out each delay in turn would take 5 * 2 * 300ms = 3s.
  CHECK(since(start) < 2s);
  for (const ProbeResult& result : results) CHECK(result.attempts == 3);
  CHECK(server.request_count("/down") == 15);
}

TEST_CASE("HttpProber: connection refused", "[probe][http]") {
  ProbeResult result =
      probe_one(check_for("http://127.0.0.1:" + std::to_string(test::closed_loopback_port()) + "/"));

  CHECK_FALSE(result.healthy);
  CHECK(result.status_code == 0);
  CHECK(result.attempts == 1);
  CHECK(result.error == "connection refused");
}

TEST_CASE("HttpProber: a server that never answers times out after the check's timeout", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/hang", Route{.hang = true});
  HealthCheck check = check_for(server.url("/hang"));
  check.timeout = 300ms;

  auto start = Clock::now();
  ProbeResult result = probe_one(check);

  CHECK_FALSE(result.healthy);
  CHECK(result.error == "timed out after 300ms");
  CHECK(since(start) >= 250ms);
  CHECK(since(start) < 2s);
}

TEST_CASE("HttpProber: checks run concurrently", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/slow", Route{.delay = 300ms});
  std::vector<HealthCheck> checks(20, check_for(server.url("/slow")));

  auto start = Clock::now();
  std::vector<ProbeResult> results = probe(checks);

  // Sequential probing would take 20 * 300ms = 6s.
  CHECK(since(start) < 3s);
  REQUIRE(results.size() == 20);
  for (const ProbeResult& result : results) CHECK(result.healthy);
  CHECK(server.request_count("/slow") == 20);
}

TEST_CASE("HttpProber: results are in the order of the checks", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/slow-failing", Route{.status = 500, .delay = 200ms});
  server.set_route("/fast", Route{});
  const std::string refused = "http://127.0.0.1:" + std::to_string(test::closed_loopback_port()) + "/";

  std::vector<ProbeResult> results =
      probe({check_for(server.url("/slow-failing")), check_for(server.url("/fast")), check_for(refused)});

  REQUIRE(results.size() == 3);
  CHECK(results[0].error == "status 500 not in 200-399");
  CHECK(results[1].healthy);
  CHECK(results[2].error == "connection refused");
}

TEST_CASE("HttpProber: the run deadline bounds probing", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/hang", Route{.hang = true});
  server.set_route("/down", Route{.status = 503});

  SECTION("a deadline shorter than the check's timeout cuts the attempt") {
    HealthCheck check = check_for(server.url("/hang"));
    check.timeout = 5s;
    auto start = Clock::now();
    ProbeResult result = probe_one(check, Deadline::after(300ms));
    CHECK_FALSE(result.healthy);
    CHECK(result.error.starts_with("timed out after"));
    CHECK(result.error.find("run deadline") != std::string::npos);
    CHECK(since(start) < 2s);
  }
  SECTION("a retry that could only start after the deadline is not waited for") {
    HealthCheck check = check_for(server.url("/down"));
    check.retries = 5;
    check.retry_delay = 2s;
    auto start = Clock::now();
    ProbeResult result = probe_one(check, Deadline::after(500ms));
    CHECK(result.attempts == 1);
    CHECK(result.error == "status 503 not in 200-399");
    CHECK(since(start) < 1s);
  }
  SECTION("a deadline already passed runs nothing") {
    ProbeResult result = probe_one(check_for(server.url("/down")), Deadline(Clock::now() - 1ms));
    CHECK_FALSE(result.healthy);
    CHECK(result.attempts == 0);
    CHECK(result.error == "run deadline reached before the probe could run");
    CHECK(server.request_count("/down") == 0);
  }
}

TEST_CASE("HttpProber: an interrupt ends probing at once", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/hang", Route{.hang = true});
  server.set_route("/down", Route{.status = 503});
  Interrupt interrupt;

  SECTION("requested before the call: nothing runs") {
    interrupt.request();
    ProbeResult result = probe_one(check_for(server.url("/hang")), Deadline::after(10s), &interrupt);
    CHECK(result.attempts == 0);
    CHECK(result.error == "interrupted");
    CHECK(server.request_count("/hang") == 0);
  }
  SECTION("during a transfer or a retry delay") {
    HealthCheck hanging = check_for(server.url("/hang"));
    hanging.timeout = 10s;
    HealthCheck retrying = check_for(server.url("/down"));
    retrying.retries = 3;
    retrying.retry_delay = 10s;
    Clock::time_point requested_at;
    std::thread requester([&] {
      std::this_thread::sleep_for(300ms);
      requested_at = Clock::now();
      interrupt.request(15);
    });
    std::vector<ProbeResult> results = probe({hanging, retrying}, Deadline::after(20s), &interrupt);
    requester.join();
    // The wake fd ends the wait at once; a generous bound that still fails if
    // the interrupt were only noticed when some poll timeout ran out.
    CHECK(since(requested_at) < 500ms);
    REQUIRE(results.size() == 2);
    for (const ProbeResult& result : results) {
      CHECK_FALSE(result.healthy);
      CHECK(result.attempts == 1);
      CHECK(result.error == "interrupted");
    }
  }
}

TEST_CASE("HttpProber: reads at most 1 MiB of a body", "[probe][http]") {
  constexpr std::size_t kFiveMb = 5 * 1024 * 1024;
  LoopbackHttpServer server;
  std::string big = "<html>status: ok</html>";
  big.resize(kFiveMb, 'x');
  HealthCheck check = check_for(server.url("/big"));
  check.body_contains = "status: ok";

  SECTION("a 5 MB body with the text in its first KB is healthy") {
    server.set_route("/big", Route{.body = big});
    ProbeResult result = probe_one(check);
    CHECK(result.healthy);
    CHECK(result.status_code == 200);
    CHECK(result.error.empty());
  }
  SECTION("reading stops at the cap: a body that stalls after 2 MB does not time out") {
    check.timeout = 5s;
    server.set_route("/big", Route{.body = big, .stall_after = 2 * 1024 * 1024});
    auto start = Clock::now();
    ProbeResult result = probe_one(check);
    CHECK(result.healthy);
    CHECK(since(start) < 3s);
  }
  SECTION("text past the cap is not found") {
    big.replace(3 * 1024 * 1024, 6, "needle");
    server.set_route("/big", Route{.body = big});
    check.body_contains = "needle";
    ProbeResult result = probe_one(check);
    CHECK_FALSE(result.healthy);
    CHECK(result.error == "body does not contain 'needle' (in its first 1 MiB)");
  }
}

TEST_CASE("HttpProber: proxy environment variables are ignored", "[probe][http]") {
  LoopbackHttpServer server;
  server.set_route("/health", Route{});
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(test::closed_loopback_port());
  ScopedEnv http_proxy("http_proxy", dead_proxy);
  ScopedEnv upper_http_proxy("HTTP_PROXY", dead_proxy);
  ScopedEnv all_proxy("ALL_PROXY", dead_proxy);

  ProbeResult result = probe_one(check_for(server.url("/health")));

  CHECK(result.healthy);
  CHECK(server.request_count("/health") == 1);
}

TEST_CASE("HttpProber: only http and https URLs are probed", "[probe][http]") {
  ProbeResult result = probe_one(check_for("ftp://127.0.0.1/health"));

  CHECK_FALSE(result.healthy);
  CHECK(result.error.starts_with("unsupported URL scheme"));
}

}  // namespace
}  // namespace pm
