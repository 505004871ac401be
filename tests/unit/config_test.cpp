#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "config/load_config.hpp"
#include "config/status_ranges.hpp"
#include "config/suggest.hpp"
#include "config/text_rules.hpp"
#include "config/url_check.hpp"
#include "config_documents.hpp"

using namespace std::chrono_literals;
using Catch::Contains;
using Catch::StartsWith;
using pm::Config;
using pm::Duration;
using pm::parse_config;
using pm::test::error_of;
using pm::test::parsed;

namespace {

// A directory of scratch files, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pm-config-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, std::string_view text) const {
    std::string path = (path_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

// ---- valid configs ---------------------------------------------------------

TEST_CASE("a minimal config gets every default", "[config]") {
  Config config = parsed(R"([[service]]
name = "backend-api"
backend = "pm2"
)");
  CHECK(config.path == "test.toml");
  CHECK(config.monitor.deadline == 120s);
  CHECK(config.monitor.verify_interval == 1s);
  CHECK(config.pm2.binary == "pm2");
  CHECK_FALSE(config.pm2.home);
  CHECK(config.pm2.timeout == 15s);
  REQUIRE(config.services.size() == 1);
  const pm::ServiceConfig& service = config.services[0];
  CHECK(service.name == "backend-api");
  CHECK(service.backend == "pm2");
  CHECK(service.target == "backend-api");
  CHECK(service.expect == pm::Expect::Running);
  CHECK(service.restart_command.empty());
  CHECK(service.restart_timeout == 60s);
  CHECK(service.verify_timeout == 30s);
  CHECK_FALSE(service.health);
  CHECK(service.where.str() == "test.toml:1:1");
}

TEST_CASE("every key is read into its typed value", "[config]") {
  Config config = parsed(R"([monitor]
deadline = "5m"
verify_interval = "500ms"

[pm2]
binary = "/usr/local/bin/pm2"
home = "/home/app/.pm2"
timeout = "20s"

[[service]]
name = "backend-api"
backend = "pm2"
target = "api"
expect = "any"
restart_command = ["docker-compose", "up", "-d", "api"]
restart_timeout = "90s"
verify_timeout = "45s"
  [service.health]
  url = "https://localhost:3001/health"
  timeout = "3s"
  expect_status = "200-299, 404"
  body_contains = "ok"
  headers = { X-Token = "t", Authorization = "Bearer x" }
  retries = 4
  retry_delay = "250ms"
)");
  CHECK(config.monitor.deadline == 5min);
  CHECK(config.monitor.verify_interval == 500ms);
  CHECK(config.pm2.binary == "/usr/local/bin/pm2");
  CHECK(config.pm2.home == "/home/app/.pm2");
  CHECK(config.pm2.timeout == 20s);
  REQUIRE(config.services.size() == 1);
  const pm::ServiceConfig& service = config.services[0];
  CHECK(service.target == "api");
  CHECK(service.expect == pm::Expect::Any);
  CHECK(service.restart_command == std::vector<std::string>{"docker-compose", "up", "-d", "api"});
  CHECK(service.restart_timeout == 90s);
  CHECK(service.verify_timeout == 45s);
  CHECK(service.where.str() == "test.toml:10:1");
  REQUIRE(service.health);
  const pm::HealthCheck& health = *service.health;
  CHECK(health.url == "https://localhost:3001/health");
  CHECK(health.timeout == 3s);
  REQUIRE(health.expect_status.size() == 2);
  CHECK(health.expect_status[0].low == 200);
  CHECK(health.expect_status[0].high == 299);
  CHECK(health.expect_status[1].low == 404);
  CHECK(health.expect_status[1].high == 404);
  CHECK(health.expect_status_text == "200-299, 404");
  CHECK(health.body_contains == "ok");
  // In the order written, not toml++'s sorted order.
  using Header = std::pair<std::string, std::string>;
  CHECK(health.headers == std::vector<Header>{{"X-Token", "t"}, {"Authorization", "Bearer x"}});
  CHECK(health.retries == 4);
  CHECK(health.retry_delay == 250ms);
}

TEST_CASE("a health check gets its defaults", "[config]") {
  Config config = parsed(R"([[service]]
name = "site"
backend = "none"
[service.health]
url = "http://example.com/"
)");
  const pm::HealthCheck& health = config.services.at(0).health.value();
  CHECK(health.timeout == 5s);
  REQUIRE(health.expect_status.size() == 1);
  CHECK(health.expect_status[0].low == 200);
  CHECK(health.expect_status[0].high == 399);
  CHECK(health.expect_status_text == "200-399");
  CHECK_FALSE(health.body_contains);
  CHECK(health.headers.empty());
  CHECK(health.retries == 2);
  CHECK(health.retry_delay == 1s);
}

TEST_CASE("boundary values are accepted", "[config]") {
  Config config = parsed(R"([monitor]
deadline = "1d"
[[service]]
name = "a"
backend = "auto"
restart_command = ["/bin/restart", ""]
verify_timeout = "1d"
[service.health]
url = "http://[::1]:8080/health"
retries = 0
retry_delay = "0s"
[[service]]
name = "b"
backend = "pm2"
target = "a"
[service.health]
url = "http://localhost/"
retries = 10
)");
  REQUIRE(config.services.size() == 2);
  CHECK(config.services[0].restart_command == std::vector<std::string>{"/bin/restart", ""});
  CHECK(config.services[0].health->retries == 0);
  CHECK(config.services[0].health->retry_delay == 0s);
  CHECK(config.services[0].verify_timeout == 24h);
  // Same target, different backends: not the same thing.
  CHECK(config.services[1].target == "a");
  CHECK(config.services[1].health->retries == 10);
}

TEST_CASE("services may be written as an array of inline tables", "[config]") {
  Config config = parsed(R"(service = [
  { name = "a", backend = "pm2" },
  { name = "b", backend = "pm2", health = { url = "http://b.local/" } },
]
)");
  REQUIRE(config.services.size() == 2);
  CHECK(config.services[1].health->url == "http://b.local/");
  CHECK(config.services[1].where.str() == "test.toml:3:3");
}

TEST_CASE("find_service looks services up by name", "[config]") {
  Config config = parsed(R"([[service]]
name = "a"
backend = "pm2"
[[service]]
name = "b"
backend = "pm2"
)");
  REQUIRE(config.find_service("b") != nullptr);
  CHECK(config.find_service("b")->name == "b");
  CHECK(config.find_service("B") == nullptr);
  CHECK(config.find_service("c") == nullptr);
}

TEST_CASE("source locations print as file:line:col", "[config]") {
  CHECK(pm::SourceLocation{"config.toml", 12, 9}.str() == "config.toml:12:9");
  CHECK(pm::SourceLocation{"config.toml", 12, 0}.str() == "config.toml:12");
  CHECK(pm::SourceLocation{"config.toml", 0, 0}.str() == "config.toml");
}

TEST_CASE("the example configs load", "[config]") {
  for (const char* name :
       {"config.toml", "legacy-process-monitor-sh.toml", "compose-project.toml", "systemd-service.toml"}) {
    auto config = pm::load_config(std::string(PM_TEST_DATA_DIR "/../../examples/") + name);
    INFO(name << ": " << (config ? std::string() : config.error()));
    CHECK(config);
  }
  auto legacy = pm::load_config(PM_TEST_DATA_DIR "/../../examples/legacy-process-monitor-sh.toml");
  REQUIRE(legacy);
  const pm::ServiceConfig* api = legacy->find_service("backend-api");
  REQUIRE(api != nullptr);
  CHECK(api->backend == "pm2");
  CHECK(api->health->url == "http://localhost:3001/health");
  CHECK(api->health->retries == 2);
  CHECK(api->health->retry_delay == 5s);
}

// ---- syntax and unknown keys -----------------------------------------------

TEST_CASE("a TOML syntax error is reported at its place", "[config]") {
  std::string error = error_of(R"([[service]]
name = "a"
backend = pm2
)");
  CHECK_THAT(error, StartsWith("test.toml:3:11: TOML syntax error: "));
}

TEST_CASE("a key defined twice is a syntax error", "[config]") {
  std::string error = error_of(R"([[service]]
name = "a"
name = "b"
)");
  CHECK_THAT(error, StartsWith("test.toml:3:") && Contains("TOML syntax error"));
}

TEST_CASE("an unknown key is reported at the key, with a suggestion", "[config]") {
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
helth = { url = "http://x/" }
)") == "test.toml:4:1: unknown key 'helth' in [[service]] (did you mean 'health'?)");

  CHECK(error_of(R"([monitor]
  dedline = "5s"
)") == "test.toml:2:3: unknown key 'dedline' in [monitor] (did you mean 'deadline'?)");

  CHECK(error_of(R"([pm2]
timout = "5s"
)") == "test.toml:2:1: unknown key 'timout' in [pm2] (did you mean 'timeout'?)");

  CHECK(error_of(R"([monitr]
deadline = "5s"
)") == "test.toml:1:2: unknown key 'monitr' at the top level (did you mean 'monitor'?)");

  CHECK(error_of(R"([[service]]
name = "a"
backend = "none"
[service.health]
url = "http://x/"
retrys = 3
)") == "test.toml:6:1: unknown key 'retrys' in [service.health] (did you mean 'retries'?)");
}

TEST_CASE("an unknown key gets the most useful hint there is", "[config]") {
  SECTION("a key of another section") {
    CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
url = "http://x/"
)") == "test.toml:4:1: unknown key 'url' in [[service]] ('url' belongs in [service.health])");
  }
  SECTION("a service key written below its health table") {
    std::string error = error_of(R"([[service]]
name = "a"
backend = "pm2"
[service.health]
url = "http://x/"
restart_timeout = "5s"
)");
    CHECK_THAT(error, StartsWith("test.toml:6:1: unknown key 'restart_timeout' in [service.health]"));
    CHECK_THAT(error, Contains("move this one above that header"));
  }
  SECTION("nothing close: the known keys") {
    CHECK(error_of(R"([monitor]
colour = "blue"
)") == "test.toml:2:1: unknown key 'colour' in [monitor] (known keys: state_dir, deadline, verify_interval, "
       "log_max_size, log_keep)");
  }
}

TEST_CASE("of several problems, the first in the file is reported", "[config]") {
  CHECK_THAT(error_of(R"([monitor]
deadline = 5
[[service]]
name = "a"
backend = "pm2"
zzz = 1
)"),
             StartsWith("test.toml:2:12: 'deadline' must be a duration string"));
  CHECK_THAT(error_of(R"([[service]]
aaa = 1
name = "a b"
backend = "pm2"
)"),
             StartsWith("test.toml:2:1: unknown key 'aaa'"));
}

// ---- durations -------------------------------------------------------------

TEST_CASE("a duration of the wrong type names the type", "[config]") {
  CHECK(error_of(R"([[service]]
name = "a"
backend = "none"
[service.health]
url = "http://x/"
timeout = 5
)") == R"(test.toml:6:11: 'timeout' must be a duration string like "5s", got integer)");

  CHECK_THAT(
      error_of(R"([monitor]
verify_interval = 1.5
)"),
      StartsWith(R"(test.toml:2:19: 'verify_interval' must be a duration string like "1s", got float)"));
}

TEST_CASE("a malformed duration gets parse_duration's reason", "[config]") {
  std::string error = error_of(R"([pm2]
timeout = "15 s"
)");
  CHECK_THAT(error, StartsWith("test.toml:2:11: 'timeout': invalid duration '15 s': unknown unit ' s'"));
  CHECK_THAT(error_of(R"([monitor]
deadline = "120"
)"),
             StartsWith("test.toml:2:12: 'deadline': invalid duration '120': missing unit"));
}

TEST_CASE("zero is rejected where it makes no sense", "[config]") {
  CHECK(error_of(R"([monitor]
deadline = "0s"
)") == "test.toml:2:12: 'deadline' must be longer than zero");
  CHECK(error_of(R"([monitor]
verify_interval = "0ms"
)") == "test.toml:2:19: 'verify_interval' must be longer than zero");
  CHECK(error_of(R"([pm2]
timeout = "0s"
)") == "test.toml:2:11: 'timeout' must be longer than zero");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
restart_timeout = "0s"
)") == "test.toml:4:19: 'restart_timeout' must be longer than zero");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
verify_timeout = "0s"
)") == "test.toml:4:18: 'verify_timeout' must be longer than zero");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
health.url = "http://x/"
health.timeout = "0s"
)") == "test.toml:5:18: 'timeout' must be longer than zero");
}

TEST_CASE("durations longer than a day are rejected", "[config]") {
  CHECK(error_of(R"([monitor]
deadline = "2d"
)") == "test.toml:2:12: 'deadline' must be at most 1d, got 2d");
}

TEST_CASE("timeouts beyond the run's deadline are rejected", "[config]") {
  SECTION("verify_timeout written in the service") {
    std::string error = error_of(R"([monitor]
deadline = "1m"
[[service]]
name = "api"
backend = "pm2"
verify_timeout = "2m"
)");
    CHECK_THAT(error,
               StartsWith("test.toml:6:18: verify_timeout of service 'api' (2m) exceeds [monitor] deadline "
                          "(1m, line 2)"));
    CHECK_THAT(error, Contains("lower verify_timeout or raise deadline"));
  }
  SECTION("a default restart_timeout: reported at the service") {
    std::string error = error_of(R"([monitor]
deadline = "45s"
verify_interval = "1s"
[[service]]
name = "api"
backend = "pm2"
verify_timeout = "10s"
)");
    CHECK_THAT(error, StartsWith("test.toml:4:1: restart_timeout of service 'api' (1m, the default) exceeds "
                                 "[monitor] deadline (45s, line 2)"));
  }
  SECTION("against the default deadline") {
    CHECK_THAT(
        error_of(R"([[service]]
name = "api"
backend = "pm2"
restart_timeout = "3m"
)"),
        StartsWith("test.toml:4:19: restart_timeout of service 'api' (3m) exceeds [monitor] deadline (2m, "
                   "the default)"));
  }
  SECTION("equal to the deadline is fine") {
    Config config = parsed(R"([monitor]
deadline = "1m"
[[service]]
name = "api"
backend = "pm2"
restart_timeout = "1m"
verify_timeout = "1m"
)");
    CHECK(config.services[0].verify_timeout == 1min);
  }
}

// ---- strings, names and enumerations ---------------------------------------

TEST_CASE("a string of the wrong type names the type", "[config]") {
  CHECK(error_of(R"([[service]]
name = 42
backend = "pm2"
)") == "test.toml:2:8: 'name' must be a string, got integer");
  CHECK(error_of(R"([pm2]
binary = ["pm2"]
)") == "test.toml:2:10: 'binary' must be a string, got array");
  CHECK(error_of(R"([pm2]
binary = ""
)") == "test.toml:2:10: 'binary' must not be empty");
}

TEST_CASE("service names and targets follow the name rules", "[config]") {
  CHECK(error_of(R"([[service]]
name = "backend api"
backend = "pm2"
)") == "test.toml:2:8: invalid name 'backend api': a space is not allowed (use letters, digits and . _ @ : "
       "-)");
  CHECK(error_of(R"([[service]]
name = "-api"
backend = "pm2"
)") == "test.toml:2:8: invalid name '-api': it must start with a letter or digit");
  CHECK(error_of(R"([[service]]
name = "api"
backend = "pm2"
target = "api/../x"
)") == "test.toml:4:10: invalid target 'api/../x': '/' is not allowed (use letters, digits and . _ @ : -)");
  CHECK_THAT(error_of(R"([[service]]
name = "a\nb"
backend = "pm2"
)"),
             StartsWith(R"(test.toml:2:8: invalid name 'a\nb': control character '\n' is not allowed)"));

  std::string longest(128, 'a');
  CHECK(parsed("[[service]]\nname = \"" + longest + "\"\nbackend = \"pm2\"\n").services[0].name == longest);
  CHECK_THAT(error_of("[[service]]\nname = \"" + longest + "a\"\nbackend = \"pm2\"\n"),
             StartsWith("test.toml:2:8: invalid name '") && Contains("longer than 128 characters"));
  CHECK(parsed(R"([[service]]
name = "worker@2:blue_v1.0-x"
backend = "pm2"
)")
            .services[0]
            .name == "worker@2:blue_v1.0-x");
}

TEST_CASE("name and backend are required", "[config]") {
  CHECK(error_of(R"([[service]]
backend = "pm2"
)") == R"(test.toml:1:1: [[service]] needs a 'name' (name = "backend-api"))");
  CHECK(error_of(R"([[service]]
name = "a"
)") == R"(test.toml:1:1: [[service]] needs a 'backend': "pm2", "docker", "systemd", "none" or "auto")");
}

TEST_CASE("an unknown backend gets a suggestion", "[config]") {
  CHECK(
      error_of(R"([[service]]
name = "a"
backend = "PM2"
)") ==
      R"(test.toml:3:11: unknown backend 'PM2' (did you mean 'pm2'?); use "pm2", "docker", "systemd", "none" or "auto")");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "kubernetes"
)") == R"(test.toml:3:11: unknown backend 'kubernetes'; use "pm2", "docker", "systemd", "none" or "auto")");
}

TEST_CASE("expect is running or any", "[config]") {
  CHECK(
      error_of(R"([[service]]
name = "a"
backend = "pm2"
expect = "runing"
)") ==
      R"(test.toml:4:10: 'expect' must be "running", "any" or "stopped", got 'runing' (did you mean 'running'?))");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
expect = true
)") == "test.toml:4:10: 'expect' must be a string, got boolean");
}

TEST_CASE("pm2 home must be absolute", "[config]") {
  CHECK(error_of(R"([pm2]
home = "~/.pm2"
)") == "test.toml:2:8: 'home' must be an absolute path (~ is not expanded), got '~/.pm2'");
}

// ---- restart_command -------------------------------------------------------

TEST_CASE("restart_command is a non-empty argv vector", "[config]") {
  std::string error = error_of(R"([[service]]
name = "a"
backend = "pm2"
restart_command = "pm2 restart a"
)");
  CHECK_THAT(error, StartsWith("test.toml:4:19: 'restart_command' must be an array of strings like "));
  CHECK_THAT(error, Contains("got string (it runs without a shell"));

  CHECK_THAT(error_of(R"([[service]]
name = "a"
backend = "pm2"
restart_command = []
)"),
             StartsWith("test.toml:4:19: 'restart_command' is empty"));
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
restart_command = ["pm2", 7]
)") == "test.toml:4:27: 'restart_command[1]' must be a string, got integer");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
restart_command = ["", "restart"]
)") == "test.toml:4:20: 'restart_command[0]' (the program to run) must not be empty");
}

// ---- [service.health] ------------------------------------------------------

TEST_CASE("a health check needs a url", "[config]") {
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
  [service.health]
  timeout = "2s"
)") == R"(test.toml:4:3: [service.health] needs a 'url' (url = "http://localhost:3001/health"))");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
health = "http://x/"
)") == "test.toml:4:10: 'health' must be a table ([service.health]), got string");
}

TEST_CASE("malformed health urls are rejected with the reason", "[config]") {
  auto error_for_url = [](const std::string& url) {
    return error_of("[[service]]\nname = \"a\"\nbackend = \"pm2\"\nhealth.url = \"" + url + "\"\n");
  };
  CHECK(error_for_url("localhost:3001/health") ==
        "test.toml:4:14: invalid url 'localhost:3001/health': unsupported URL scheme (did you forget "
        "'http://'?)");
  CHECK(error_for_url("ftp://files.local/") ==
        "test.toml:4:14: invalid url 'ftp://files.local/': scheme 'ftp' is not supported; use http or https");
  CHECK(error_for_url("http://") == "test.toml:4:14: invalid url 'http://': no host part in the URL");
  CHECK_THAT(error_for_url("http://local host/"),
             StartsWith("test.toml:4:14: invalid url 'http://local host/': "));
  CHECK_THAT(error_for_url("http://x:99999/"),
             StartsWith("test.toml:4:14: invalid url 'http://x:99999/': port"));
}

TEST_CASE("expect_status takes codes and ranges", "[config]") {
  auto error_for_status = [](const std::string& status) {
    return error_of(
        "[[service]]\nname = \"a\"\nbackend = \"pm2\"\n[service.health]\nurl = \"http://x/\"\n"
        "expect_status = " +
        status + "\n");
  };
  CHECK_THAT(
      error_for_status(R"("200-600")"),
      StartsWith("test.toml:6:17: invalid expect_status '200-600': 600 is not an HTTP status (100-599)"));
  CHECK_THAT(error_for_status(R"("99")"), Contains("99 is not an HTTP status"));
  CHECK_THAT(error_for_status(R"("399-200")"),
             StartsWith("test.toml:6:17: invalid expect_status '399-200': range 399-200 runs backwards"));
  CHECK_THAT(error_for_status(R"("2xx")"), Contains("'2xx' is not a status code"));
  CHECK_THAT(error_for_status(R"("200,,404")"), Contains("empty item"));
  CHECK_THAT(error_for_status(R"("200-")"), Contains("'200-' is not a range like 200-399"));
  CHECK(error_for_status("200") ==
        R"(test.toml:6:17: 'expect_status' must be a string, got integer (write "200"))");
}

TEST_CASE("status ranges parse on their own", "[config]") {
  auto ranges = pm::parse_status_ranges("204");
  REQUIRE(ranges);
  REQUIRE(ranges->size() == 1);
  CHECK((*ranges)[0].low == 204);
  CHECK((*ranges)[0].high == 204);
  CHECK(pm::parse_status_ranges("100-599,200")->size() == 2);
  CHECK_FALSE(pm::parse_status_ranges(""));
  CHECK_FALSE(pm::parse_status_ranges("-200"));
  CHECK_FALSE(pm::parse_status_ranges("99999999999999999999"));
}

TEST_CASE("body_contains must not be empty", "[config]") {
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
[service.health]
url = "http://x/"
body_contains = ""
)") == "test.toml:6:17: 'body_contains' must not be empty");
}

TEST_CASE("headers are a table of well-formed strings", "[config]") {
  auto error_for_headers = [](const std::string& headers) {
    return error_of(
        "[[service]]\nname = \"a\"\nbackend = \"pm2\"\n[service.health]\nurl = \"http://x/\"\n"
        "headers = " +
        headers + "\n");
  };
  CHECK(error_for_headers(R"(["Authorization: x"])") ==
        R"(test.toml:6:11: 'headers' must be a table like { Authorization = "Bearer x" }, got array)");
  CHECK(error_for_headers(R"({ "Content Type" = "x" })") ==
        "test.toml:6:13: invalid header name 'Content Type': a space is not allowed in a header name");
  CHECK(error_for_headers(R"({ "X:Y" = "x" })") ==
        "test.toml:6:13: invalid header name 'X:Y': ':' is not allowed in a header name");
  CHECK(error_for_headers(R"({ X-Token = "a\r\nHost: evil" })") ==
        "test.toml:6:23: invalid value for header 'X-Token': control character '\\r' is not allowed "
        "in a header value");
  CHECK(error_for_headers(R"({ X-Token = 5 })") ==
        "test.toml:6:23: 'headers.X-Token' must be a string, got integer");
  CHECK(error_for_headers(R"({ accept = "a", Accept = "b" })") ==
        "test.toml:6:27: header 'Accept' is given twice (header names ignore case; the other is at line 6)");
}

TEST_CASE("retries is an integer from 0 to 10", "[config]") {
  auto error_for_retries = [](const std::string& retries) {
    return error_of(
        "[[service]]\nname = \"a\"\nbackend = \"pm2\"\n[service.health]\nurl = \"http://x/\"\n"
        "retries = " +
        retries + "\n");
  };
  CHECK(error_for_retries("11") == "test.toml:6:11: 'retries' must be from 0 to 10, got 11");
  CHECK(error_for_retries("-1") == "test.toml:6:11: 'retries' must be from 0 to 10, got -1");
  CHECK(error_for_retries("9999999999999") ==
        "test.toml:6:11: 'retries' must be from 0 to 10, got 9999999999999");
  CHECK(error_for_retries("2.0") == "test.toml:6:11: 'retries' must be an integer from 0 to 10, got float");
  CHECK(error_for_retries(R"("2")") ==
        "test.toml:6:11: 'retries' must be an integer from 0 to 10, got string");
}

// ---- the [[service]] array and rules across services -----------------------

TEST_CASE("service must be an array of tables", "[config]") {
  CHECK_THAT(error_of(R"([service]
name = "a"
backend = "pm2"
)"),
             StartsWith("test.toml:1:1: 'service' must be an array of tables, got table; write [[service]]"));
  CHECK_THAT(error_of(R"(service = "a"
)"),
             StartsWith("test.toml:1:11: 'service' must be an array of tables, got string"));
  CHECK(error_of(R"(service = [{ name = "a", backend = "pm2" }, 3]
)") == "test.toml:1:45: 'service[1]' must be a table, got integer");
  CHECK(error_of(R"(monitor = "fast"
)") == "test.toml:1:11: 'monitor' must be a table ([monitor]), got string");
}

TEST_CASE("a config without services is an error", "[config]") {
  CHECK_THAT(error_of(""), StartsWith("test.toml:1:1: no [[service]] defined"));
  CHECK_THAT(error_of(R"([monitor]
deadline = "1m"
)"),
             StartsWith("test.toml:1:1: no [[service]] defined"));
  CHECK_THAT(error_of(R"(service = []
[monitor]
deadline = "1m"
)"),
             StartsWith("test.toml:1:11: no [[service]] defined"));
}

TEST_CASE("duplicate service names point at the second", "[config]") {
  CHECK(error_of(R"([[service]]
name = "api"
backend = "pm2"

[[service]]
name = "api"
backend = "none"
health.url = "http://x/"
)") == "test.toml:6:8: duplicate service name 'api' (the first is at line 2)");
}

TEST_CASE("two services for one backend target are an error", "[config]") {
  std::string error = error_of(R"([[service]]
name = "api"
backend = "pm2"

[[service]]
name = "api-again"
backend = "pm2"
target = "api"
)");
  CHECK_THAT(error,
             StartsWith("test.toml:8:10: service 'api-again' has the same backend and target as service "
                        "'api' (line 1): pm2 'api'"));
  CHECK_THAT(error, Contains("restart it twice"));
}

TEST_CASE("backend none needs a health check", "[config]") {
  SECTION("without anything it would do nothing") {
    std::string error = error_of(R"([[service]]
name = "a"
backend = "pm2"
[[service]]
name = "cron-thing"
backend = "none"
)");
    CHECK_THAT(error,
               StartsWith("test.toml:4:1: service 'cron-thing' has backend \"none\", no [service.health] "
                          "check and no restart_command, so it would do nothing"));
    CHECK_THAT(error, Contains("add a [service.health] check"));
  }
  SECTION("a restart_command alone cannot tell when to restart") {
    CHECK_THAT(error_of(R"([[service]]
name = "site"
backend = "none"
restart_command = ["systemctl", "restart", "nginx"]
)"),
               StartsWith("test.toml:1:1: a service with backend \"none\" needs a [service.health] check"));
  }
  SECTION("a health check alone is fine: report only") {
    CHECK(parsed(R"([[service]]
name = "site"
backend = "none"
health = { url = "https://example.com/" }
)")
              .services[0]
              .restart_command.empty());
  }
}

TEST_CASE("strings with NUL characters are rejected", "[config]") {
  CHECK(error_of(R"([pm2]
binary = "pm2\u0000x"
)") == "test.toml:2:10: 'binary' contains a NUL character");
  CHECK(error_of(R"([[service]]
name = "a"
backend = "pm2"
restart_command = ["pm2", "re\u0000start"]
)") == "test.toml:4:27: 'restart_command[1]' contains a NUL character");
}

// ---- files -----------------------------------------------------------------

TEST_CASE("load_config reads the file and names it in messages", "[config]") {
  TempDir dir;
  std::string good = dir.write("good.toml", "[[service]]\nname = \"a\"\nbackend = \"pm2\"\n");
  auto config = pm::load_config(good);
  REQUIRE(config);
  CHECK(config->path == good);

  std::string bad = dir.write("bad.toml", "[[service]]\nname = \"a\"\n");
  CHECK_THAT(pm::load_config(bad).error(), StartsWith(bad + ":1:1: [[service]] needs a 'backend'"));

  std::string missing = dir.path("missing.toml");
  CHECK(pm::load_config(missing).error() == "cannot read " + missing + ": No such file or directory");
  CHECK(pm::load_config(dir.path("")).error() == "cannot read " + dir.path("") + ": Is a directory");
}

TEST_CASE("locate_config prefers -c, then the environment, then the system file", "[config]") {
  TempDir dir;
  std::string cli = dir.write("cli.toml", "");
  std::string env = dir.write("env.toml", "");
  std::string system = dir.write("system.toml", "");
  std::string missing = dir.path("missing.toml");

  CHECK(pm::locate_config(cli, env.c_str(), system).value() == cli);
  CHECK(pm::locate_config(std::nullopt, env.c_str(), system).value() == env);
  CHECK(pm::locate_config(std::nullopt, nullptr, system).value() == system);
  CHECK(pm::locate_config(std::nullopt, "", system).value() == system);

  // An explicit choice that does not exist never falls back to another file.
  CHECK(pm::locate_config(missing, env.c_str(), system).error() ==
        "config file '" + missing + "' does not exist");
  std::string from_env = pm::locate_config(std::nullopt, missing.c_str(), system).error();
  CHECK_THAT(from_env, Contains("'" + missing + "'") && Contains("$PROCESS_MONITOR_CONFIG") &&
                           Contains("does not exist"));

  std::string none = pm::locate_config(std::nullopt, nullptr, missing).error();
  CHECK_THAT(none,
             StartsWith("no config file found: -c was not given, $PROCESS_MONITOR_CONFIG is not set and " +
                        missing + " does not exist"));
  CHECK_THAT(none, Contains("/usr/share/doc/process-monitor/examples/config.toml") && Contains("-c FILE"));
  CHECK_THAT(pm::locate_config(std::nullopt, "", missing).error(),
             Contains("$PROCESS_MONITOR_CONFIG is empty"));
}

// ---- helpers ---------------------------------------------------------------

TEST_CASE("suggestions are close matches only", "[config]") {
  std::vector<std::string_view> keys{"health", "name", "target", "retries"};
  CHECK(pm::closest_match("helth", keys) == "health");
  CHECK(pm::closest_match("hlaeth", keys) == "health");
  CHECK(pm::closest_match("NAME", keys) == "name");
  CHECK(pm::closest_match("retrys", keys) == "retries");
  CHECK_FALSE(pm::closest_match("retry", keys));  // three edits: too far for a short word
  CHECK_FALSE(pm::closest_match("colour", keys));
  CHECK_FALSE(pm::closest_match("x", keys));
  CHECK(pm::edit_distance("", "abc") == 3);
  CHECK(pm::edit_distance("ab", "ba") == 1);
  CHECK(pm::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("url and text rules on their own", "[config]") {
  CHECK(pm::check_http_url("http://localhost:3001/health"));
  CHECK(pm::check_http_url("HTTPS://Example.com"));
  CHECK_FALSE(pm::check_http_url(std::string_view("http://a\0b/", 11)));
  CHECK(pm::check_service_name("a"));
  CHECK_FALSE(pm::check_service_name(""));
  CHECK(pm::check_header_name("X-Request-Id"));
  CHECK_FALSE(pm::check_header_name(""));
  CHECK_FALSE(pm::check_header_value("a\nb"));
  CHECK(pm::quoted("a\tb\x01") == R"('a\tb\x01')");
}

TEST_CASE("config: [monitor] log_max_size and log_keep, for the monitor's own log file", "[config]") {
  SECTION("defaults: 10M and 5") {
    auto config = parsed("[monitor]\n[[service]]\nname = \"a\"\nbackend = \"pm2\"\n");
    CHECK(config.monitor.log_max_size == 10u * 1024 * 1024);
    CHECK(config.monitor.log_keep == 5);
  }
  SECTION("set") {
    auto config = parsed(
        "[monitor]\nlog_max_size = \"512K\"\nlog_keep = 0\n[[service]]\nname = \"a\"\nbackend = \"pm2\"\n");
    CHECK(config.monitor.log_max_size == 512u * 1024);
    CHECK(config.monitor.log_keep == 0);
  }
  SECTION("errors") {
    CHECK(error_of("[monitor]\nlog_max_size = \"0K\"\n") ==
          "test.toml:2:16: 'log_max_size' must be larger than zero");
    CHECK_THAT(error_of("[monitor]\nlog_max_size = \"10 parsecs\"\n"),
               StartsWith("test.toml:2:16: 'log_max_size': "));
    CHECK(error_of("[monitor]\nlog_keep = 1001\n") ==
          "test.toml:2:12: 'log_keep' must be from 0 to 1000, got 1001");
  }
}
