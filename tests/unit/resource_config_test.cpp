// [resources] and [[resources.disk]]: every key read, every bad value
// reported at its file:line:col.
#include <catch2/catch.hpp>

#include "config_documents.hpp"

using Catch::Contains;
using Catch::StartsWith;
using pm::test::error_of;
using pm::test::parsed;

TEST_CASE("[resources] keys are read as ratios and loads per CPU", "[config][resources]") {
  auto config = parsed(R"([resources]
memory_warn = "80%"
memory_critical = 90
cpu_critical = "100%"
load_warn = 1.5
load_critical = 3

[[resources.disk]]
path = "/"
warn = "85%"
critical = "95%"

[[resources.disk]]
path = "/var/lib/docker"
critical = 90
)");
  const pm::ResourceSettings& resources = config.resources;
  CHECK(resources.memory.warn == 0.80);
  CHECK(resources.memory.critical == 0.90);
  CHECK_FALSE(resources.cpu.warn);
  CHECK(resources.cpu.critical == 1.0);
  CHECK(resources.load.warn == 1.5);
  CHECK(resources.load.critical == 3.0);
  REQUIRE(resources.disks.size() == 2);
  CHECK(resources.disks[0].path == "/");
  CHECK(resources.disks[0].used.warn == 0.85);
  CHECK(resources.disks[1].path == "/var/lib/docker");
  CHECK_FALSE(resources.disks[1].used.warn);
  CHECK(resources.disks[1].used.critical == 0.90);
  CHECK(config.services.empty());  // a config that only watches the host is fine
}

TEST_CASE("without [resources] nothing is checked", "[config][resources]") {
  auto config = parsed(R"([[service]]
name = "api"
backend = "pm2"
)");
  CHECK_FALSE(config.resources.configured());
}

TEST_CASE("percentages are whole numbers 1-100, as integers or strings with %", "[config][resources]") {
  CHECK(error_of("[resources]\nmemory_warn = \"90\"\n") ==
        "test.toml:2:15: 'memory_warn' must be a percentage: an integer 1-100 or a string like \"90%\", got "
        "'90'");
  CHECK_THAT(error_of("[resources]\nmemory_warn = 0\n"),
             StartsWith("test.toml:2:15: 'memory_warn' must be a percentage"));
  CHECK_THAT(error_of("[resources]\ncpu_warn = 101\n"), Contains("got 101"));
  CHECK_THAT(error_of("[resources]\ncpu_warn = \"90.5%\"\n"), Contains("got '90.5%'"));
  CHECK_THAT(error_of("[resources]\ncpu_warn = 0.9\n"), Contains("got float"));
  CHECK_THAT(error_of("[resources]\ncpu_warn = \"%\"\n"), StartsWith("test.toml:2:12:"));
}

TEST_CASE("loads are numbers above 0", "[config][resources]") {
  CHECK(error_of("[resources]\nload_warn = 0\n") ==
        "test.toml:2:13: 'load_warn' must be a load average per CPU above 0 and at most 1000 (like 1.5), got "
        "0");
  CHECK_THAT(error_of("[resources]\nload_critical = \"2\"\n"), Contains("got string"));
  CHECK_THAT(error_of("[resources]\nload_critical = 5000.0\n"), Contains("got 5000"));
}

TEST_CASE("warn must be below critical", "[config][resources]") {
  CHECK(error_of(R"([resources]
memory_critical = "90%"
memory_warn = "90%"
)") == "test.toml:3:15: 'memory_warn' must be below 'memory_critical' (line 2): a warning comes before the "
       "critical level");
  CHECK_THAT(error_of("[resources]\nload_warn = 4.0\nload_critical = 2.0\n"),
             StartsWith("test.toml:2:13: 'load_warn'"));
  CHECK_THAT(error_of("[[resources.disk]]\npath = \"/\"\nwarn = 95\ncritical = 90\n"),
             StartsWith("test.toml:3:8: 'warn' must be below 'critical' (line 4)"));
}

TEST_CASE("unknown keys in [resources] and [[resources.disk]] are rejected with a suggestion",
          "[config][resources]") {
  CHECK(error_of("[resources]\nmemory_warning = 80\n") ==
        "test.toml:2:1: unknown key 'memory_warning' in [resources] (did you mean 'memory_warn'?)");
  CHECK(error_of("[[resources.disk]]\npath = \"/\"\ncritcal = 90\n") ==
        "test.toml:3:1: unknown key 'critcal' in [[resources.disk]] (did you mean 'critical'?)");
  CHECK_THAT(error_of("[resources]\npath = \"/\"\n"), Contains("('path' belongs in [[resources.disk]])"));
}

TEST_CASE("a disk needs an absolute path, a level, and a path of its own", "[config][resources]") {
  CHECK(error_of("[[resources.disk]]\nwarn = 80\n") ==
        "test.toml:1:1: [[resources.disk]] needs a 'path' (path = \"/var\")");
  CHECK(error_of("[[resources.disk]]\npath = \"/\"\n") ==
        "test.toml:1:1: [[resources.disk]] needs warn (\"80%\"), critical (\"90%\") or both");
  CHECK(error_of("[[resources.disk]]\npath = \"var\"\nwarn = 80\n") ==
        "test.toml:2:8: 'path' must be an absolute path, got 'var'");
  CHECK(error_of("[[resources.disk]]\npath = \"/\"\nwarn = 80\n\n[[resources.disk]]\npath = \"/\"\ncritical "
                 "= 90\n") == "test.toml:5:1: '/' is already in a [[resources.disk]] (line 1)");
  CHECK_THAT(error_of("[resources]\ndisk = \"/\"\n"),
             Contains("'disk' must be an array of tables, got string"));
  CHECK_THAT(error_of("resources = 3\n"), StartsWith("test.toml:1:13: 'resources' must be a table"));
}
