#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "config_documents.hpp"

using namespace std::chrono_literals;
using Catch::Contains;
using Catch::StartsWith;
using pm::test::error_of;
using pm::test::parsed;

TEST_CASE("a [[logs]] group gets its defaults", "[config][logs]") {
  auto config = parsed(R"([[logs]]
paths = ["/var/log/app/*.log"]
max_size = "100M"
)");
  REQUIRE(config.logs.size() == 1);
  const pm::LogGroupConfig& group = config.logs[0];
  CHECK(group.paths == std::vector<std::string>{"/var/log/app/*.log"});
  CHECK(group.max_size == 100ULL << 20);
  CHECK_FALSE(group.max_age);
  CHECK(group.keep == 7);
  CHECK_FALSE(group.max_total);
  CHECK_FALSE(group.compress);
  CHECK_FALSE(group.delay_compress);
  CHECK(group.naming == pm::RotatedNaming::Numbered);
  CHECK(group.method == pm::RotateMethod::Rename);
  CHECK_FALSE(group.reopen);
  CHECK_FALSE(group.missing_ok);
  CHECK_FALSE(group.not_if_empty);
  CHECK_FALSE(group.allow_unsafe_dir);
  CHECK(group.where == "test.toml:1:1");
  CHECK(config.services.empty());  // a config that only rotates logs is fine
}

TEST_CASE("every [[logs]] key is read into its typed value", "[config][logs]") {
  auto config = parsed(R"([[logs]]
paths = ["/var/log/nginx/access.log", "/var/log/nginx/error.log"]
max_size = "512K"
max_age = "7d"
keep = 0
max_total = "1G"
compress = true
delay_compress = true
naming = "date"
missing_ok = true
not_if_empty = true
allow_unsafe_dir = true
create_owner = "www-data"
create_group = "4"
create_mode = "0640"
reopen = { systemd = "nginx", signal = "USR1", timeout = "3s" }

[[logs]]
paths = ["/srv/a.log"]
max_age = "1h"
method = "copytruncate"

[[logs]]
paths = ["/srv/b.log"]
max_size = "1M"
  [logs.reopen]
  pidfile = "/run/b.pid"
)");
  REQUIRE(config.logs.size() == 3);
  const auto& nginx = config.logs[0];
  CHECK(nginx.max_size == 512 * 1024);
  CHECK(nginx.max_age == 7 * 24h);
  CHECK(nginx.keep == 0);
  CHECK(nginx.max_total == 1ULL << 30);
  CHECK(nginx.compress);
  CHECK(nginx.delay_compress);
  CHECK(nginx.naming == pm::RotatedNaming::Dated);
  CHECK(nginx.missing_ok);
  CHECK(nginx.not_if_empty);
  CHECK(nginx.allow_unsafe_dir);
  CHECK(nginx.create.owner == "www-data");
  CHECK(nginx.create.group == "4");
  CHECK(nginx.create.mode == 0640u);
  REQUIRE(nginx.reopen);
  CHECK(nginx.reopen->timeout == 3s);
  const auto* unit = std::get_if<pm::ReopenSystemd>(&nginx.reopen->how);
  REQUIRE(unit != nullptr);
  CHECK(unit->target == "nginx.service");
  CHECK(pm::describe(*nginx.reopen) == "SIGUSR1 to nginx.service");
  CHECK(config.logs[1].method == pm::RotateMethod::CopyTruncate);
  const auto* pidfile = std::get_if<pm::ReopenPidfile>(&config.logs[2].reopen->how);
  REQUIRE(pidfile != nullptr);
  CHECK(pidfile->pidfile == "/run/b.pid");
  CHECK(pm::describe(*config.logs[2].reopen) == "SIGHUP to the pid in /run/b.pid");
}

TEST_CASE("each reopen form is read", "[config][logs]") {
  auto reopen_of = [](std::string_view table) {
    auto config =
        parsed(fmt::format("[[logs]]\npaths = [\"/a.log\"]\nmax_size = \"1M\"\nreopen = {}\n", table));
    return pm::describe(*config.logs.at(0).reopen);
  };
  CHECK(reopen_of(R"({ pm2 = "api" })") == "pm2 reloadLogs (app api)");
  CHECK(reopen_of(R"({ docker = "web" })") == "SIGHUP to container web");
  CHECK(reopen_of(R"({ docker = "web", signal = "SIGUSR2" })") == "SIGUSR2 to container web");
  CHECK(reopen_of(R"({ systemd = "app.socket", scope = "user" })") == "SIGHUP to user/app.socket");
  CHECK(reopen_of(R"({ exec = ["/usr/bin/kill", "-HUP", "12"] })") == "/usr/bin/kill -HUP 12");
}

TEST_CASE("[[logs]] values are checked one by one", "[config][logs]") {
  auto error_in = [](std::string_view keys) {
    return error_of(fmt::format("[[logs]]\npaths = [\"/var/log/a.log\"]\nmax_size = \"1M\"\n{}\n", keys));
  };
  CHECK(error_in("keep = -1") == "test.toml:4:8: 'keep' must be from 0 to 1000, got -1");
  CHECK(error_in("max_total = \"0M\"") == "test.toml:4:13: 'max_total' must be larger than zero");
  CHECK_THAT(error_in("max_total = \"10\""),
             StartsWith("test.toml:4:13: 'max_total': invalid size '10': missing unit"));
  CHECK(error_in("max_age = \"400d\"") == "test.toml:4:11: 'max_age' must be at most 366d, got 400d");
  CHECK(error_in("compress = \"yes\"") == "test.toml:4:12: 'compress' must be true or false, got string");
  CHECK(error_in("method = \"copy\"") ==
        "test.toml:4:10: 'method' must be \"rename\" or \"copytruncate\", got 'copy'");
  CHECK(error_in("naming = \"dated\"") ==
        "test.toml:4:10: 'naming' must be \"numbered\" or \"date\", got 'dated' (did you mean 'date'?)");
  CHECK(error_in("create_mode = \"0644x\"") ==
        "test.toml:4:15: 'create_mode' must be permission bits in octal like \"0640\", got '0644x'");
  CHECK_THAT(error_in("create_mode = \"4755\""), Contains("'create_mode' must be permission bits"));
  CHECK_THAT(error_in("create_owner = \"-x\""), Contains("'create_owner' must be a user or group name"));
  CHECK(error_in("reopen = \"HUP\"") ==
        "test.toml:4:10: 'reopen' must be a table like { pm2 = \"api\" }, got string");
}

TEST_CASE("paths must be absolute and name files", "[config][logs]") {
  auto error_for = [](std::string_view paths) {
    return error_of(fmt::format("[[logs]]\npaths = {}\nmax_size = \"1M\"\n", paths));
  };
  CHECK(error_for(R"(["var/log/a.log"])") ==
        "test.toml:2:10: 'paths[0]' must be an absolute path, got 'var/log/a.log'");
  CHECK(error_for(R"(["/a.log", "/var/log/"])") ==
        "test.toml:2:20: 'paths[1]' must name files, not a directory, got '/var/log/'");
  CHECK(error_for(R"(["/var/log/../etc/x"])") ==
        "test.toml:2:10: 'paths[0]' must not contain '..', got '/var/log/../etc/x'");
  CHECK(error_for(R"([])") ==
        "test.toml:2:9: 'paths' must be a non-empty list like [\"/var/log/app/*.log\"], got an empty list");
  CHECK(error_for(R"("/a.log")") ==
        "test.toml:2:9: 'paths' must be a non-empty list like [\"/var/log/app/*.log\"], got string");
  CHECK(error_for(R"([""])") == "test.toml:2:10: 'paths[0]' must not be empty");
}

TEST_CASE("keys of one group are checked together", "[config][logs]") {
  CHECK(error_of(R"([[logs]]
max_size = "1M"
)") == "test.toml:1:1: [[logs]] needs 'paths' (paths = [\"/var/log/app/*.log\"])");
  CHECK_THAT(error_of(R"([[logs]]
paths = ["/a.log"]
)"),
             StartsWith("test.toml:1:1: [[logs]] needs max_size (\"100M\"), max_age (\"7d\") or both"));
  CHECK(error_of(R"([[logs]]
paths = ["/a.log"]
max_size = "1M"
delay_compress = true
)") == "test.toml:4:18: 'delay_compress' needs compress = true");
  CHECK_THAT(error_of(R"([[logs]]
paths = ["/a.log"]
max_size = "1M"
method = "copytruncate"
reopen = { pm2 = "api" }
)"),
             StartsWith("test.toml:5:10: 'reopen' and method = \"copytruncate\" contradict each other"));
  CHECK_THAT(
      error_of(R"([[logs]]
paths = ["/a.log"]
max_size = "1M"
method = "copytruncate"
create_mode = "0600"
)"),
      StartsWith(
          "test.toml:5:15: create_owner, create_group and create_mode apply to method = \"rename\" only"));
}

TEST_CASE("a reopen table names exactly one way, with a fitting signal", "[config][logs]") {
  auto error_for = [](std::string_view reopen) {
    return error_of(fmt::format("[[logs]]\npaths = [\"/a.log\"]\nmax_size = \"1M\"\nreopen = {}\n", reopen));
  };
  CHECK_THAT(error_for(R"({ pm2 = "api", docker = "web" })"),
             StartsWith("test.toml:4:10: 'reopen' needs exactly one of pm2 = \"APP\", pidfile"));
  CHECK_THAT(error_for(R"({ timeout = "1s" })"), StartsWith("test.toml:4:10: 'reopen' needs exactly one of"));
  CHECK(error_for(R"({ docker = "web", signal = "TERM" })") ==
        "test.toml:4:37: 'signal' must be \"HUP\", \"USR1\", \"USR2\" or \"WINCH\" (signals that ask a "
        "program to "
        "reopen its logs), got 'TERM'");
  CHECK_THAT(error_for(R"({ pm2 = "api", signal = "HUP" })"),
             StartsWith("test.toml:4:34: 'signal' goes with pidfile, systemd or docker, not with pm2"));
  CHECK(error_for(R"({ pidfile = "run/x.pid" })") ==
        "test.toml:4:22: 'pidfile' must be an absolute path, got 'run/x.pid'");
  CHECK(error_for(R"({ docker = "web", scope = "user" })") ==
        "test.toml:4:36: 'scope' goes with systemd only");
  CHECK_THAT(error_for(R"({ systemd = "a/b" })"), Contains("'a/b' is not a valid unit name"));
  CHECK_THAT(error_for(R"({ exec = "reopen.sh" })"), Contains("'exec' must be an array of strings"));
}

TEST_CASE("unknown [[logs]] keys get a suggestion or the right table", "[config][logs]") {
  CHECK(error_of(R"([[logs]]
paths = ["/a.log"]
max_sise = "1M"
)") == "test.toml:3:1: unknown key 'max_sise' in [[logs]] (did you mean 'max_size'?)");
  CHECK(error_of(R"([[logs]]
paths = ["/a.log"]
max_size = "1M"
pidfile = "/run/a.pid"
)") == "test.toml:4:1: unknown key 'pidfile' in [[logs]] ('pidfile' belongs in [logs.reopen])");
  CHECK(error_of(R"([[logs]]
paths = ["/a.log"]
max_size = "1M"
reopen = { pm2 = "api", sigal = "HUP" }
)") == "test.toml:4:25: unknown key 'sigal' in [logs.reopen] (did you mean 'signal'?)");
  CHECK_THAT(error_of(R"([logs]
paths = ["/a.log"]
)"),
             StartsWith("test.toml:1:1: 'logs' must be an array of tables, got table; write [[logs]]"));
}

TEST_CASE("a path in two groups is an error at the second", "[config][logs]") {
  CHECK(error_of(R"([[logs]]
paths = ["/a.log"]
max_size = "1M"

[[logs]]
paths = ["/b.log", "/a.log"]
max_age = "1d"
)") == "test.toml:6:20: '/a.log' is already in a [[logs]] group (line 2); a file rotated by two groups would "
       "rotate twice");
}

TEST_CASE("no services and no logs is still an error", "[config][logs]") {
  CHECK_THAT(error_of("[pm2]\nbinary = \"pm2\"\n"),
             StartsWith("test.toml:1:1: no [[service]] defined") && Contains("or [[logs]] groups to rotate"));
}
