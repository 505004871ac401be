// Discovery's config: findings from recorded real engine answers (tests/data:
// a Docker container list, pm2 jlists, a systemd user manager's listing),
// valid unique names, escaping, Compose grouping, unreachable engines; every
// rendered config is read back by the real config parser.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/load_config.hpp"
#include "config/text_rules.hpp"
#include "discover/config_toml.hpp"
#include "discover/engine_findings.hpp"
#include "discover/service_names.hpp"
#include "discover/toml_text.hpp"
#include "test_data.hpp"

using namespace pm;
using json = nlohmann::json;

namespace {

std::vector<Pm2Process> recorded_jlist(const std::string& file) {
  auto parsed = parse_pm2_jlist(test::read_test_data("pm2/" + file));
  if (!parsed) FAIL(parsed.error());
  return *parsed;
}

std::vector<ContainerSummary> recorded_containers(const std::string& body) {
  auto parsed = parse_container_list(body);
  if (!parsed) FAIL(parsed.error());
  return *parsed;
}

// busctl --json=short's answer of a listing call: {"type": ..., "data": [[row, ...]]}.
json busctl_rows(const std::string& file) {
  return json::parse(test::read_test_data("systemd/" + file)).at("data").at(0);
}

// The user manager's listing recorded by tests/data/systemd/record-listing.sh.
SystemdServiceListing recorded_listing() {
  SystemdServiceListing listing;
  for (const auto& row : busctl_rows("listing-units.json")) {
    listing.units.push_back(SystemdListedUnit{row.at(0), row.at(2), row.at(3), row.at(4)});
  }
  for (const auto& row : busctl_rows("listing-unit-files.json")) {
    listing.enabled_files.push_back(SystemdUnitFile{row.at(0), row.at(1)});
  }
  return listing;
}

const Finding& finding_named(const EngineFindings& engine, const std::string& name) {
  for (const auto& finding : engine.findings) {
    if (finding.name == name) return finding;
  }
  FAIL("no finding " << name << " from " << engine.engine);
  throw;
}

std::vector<std::string> finding_names(const EngineFindings& engine) {
  std::vector<std::string> names;
  for (const auto& finding : engine.findings) names.push_back(finding.name);
  return names;
}

// The rendered config, read back by the config parser; fails the test when it refuses it.
Config parsed(const std::string& toml) {
  auto config = parse_config(toml, "discovered.toml");
  INFO(toml);
  if (!config) FAIL(config.error());
  return *config;
}

const ServiceConfig& service_named(const Config& config, const std::string& name) {
  const ServiceConfig* service = config.find_service(name);
  if (service == nullptr) FAIL("no service " << name);
  return *service;
}

// Every line is a comment, a blank, a table header or `key = value`: nothing an engine said broke a line.
void check_lines(const std::string& toml) {
  std::size_t start = 0;
  while (start < toml.size()) {
    std::size_t end = toml.find('\n', start);
    std::string line = toml.substr(start, end - start);
    INFO("line: " << line);
    bool shaped = line.empty() || line.starts_with("# ") || line.starts_with("[") ||
                  line.find(" = ") != std::string::npos;
    CHECK(shaped);
    CHECK(
        std::ranges::all_of(line, [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; }));
    start = end == std::string::npos ? toml.size() : end + 1;
  }
}

}  // namespace

TEST_CASE("service names: characters the rules refuse become '-', the result is always valid", "[discover]") {
  CHECK(sanitize_service_name("web") == "web");
  CHECK(sanitize_service_name("ok.v2@blue:1") == "ok.v2@blue:1");
  CHECK(sanitize_service_name("my api") == "my-api");
  CHECK(sanitize_service_name("we\"ird\\name") == "we-ird-name");
  CHECK(sanitize_service_name("a  /  b") == "a-b");
  CHECK(sanitize_service_name("\xc3\x9cn\xc3\xaf"
                              "c\xc3\xb6") == "n-c");  // "Ünïcö"
  CHECK(sanitize_service_name("_hidden.") == "hidden.");
  CHECK(sanitize_service_name("") == "service");
  CHECK(sanitize_service_name(" \"/ ") == "service");
  std::string long_name(300, 'x');
  CHECK(sanitize_service_name(long_name) == std::string(kMaxServiceNameLength, 'x'));
  for (const auto& wanted :
       std::vector<std::string>{"my api", "-x", "\t", "a\nb", "..", std::string(200, '@')}) {
    CHECK(check_service_name(sanitize_service_name(wanted)));
  }
}

TEST_CASE("service names: a clash takes the qualifier first, then a number", "[discover]") {
  auto names = unique_service_names({{"web", "pm2"},
                                     {"web", "docker"},
                                     {"web", "user"},
                                     {"web", "docker"},
                                     {"docker-web", "x"},
                                     {"my api", ""},
                                     {"my-api", ""}});
  CHECK(names == std::vector<std::string>{"web", "docker-web", "user-web", "docker-web-2", "x-docker-web",
                                          "my-api", "my-api-2"});
  // A long name keeps its suffix within the limit.
  std::string long_name(200, 'a');
  auto long_names = unique_service_names({{long_name, ""}, {long_name, ""}});
  CHECK(long_names[0].size() == kMaxServiceNameLength);
  CHECK(long_names[1].size() == kMaxServiceNameLength);
  CHECK(long_names[1].ends_with("-2"));
}

TEST_CASE("TOML strings escape quotes, backslashes, control characters and bytes that are not UTF-8",
          "[discover]") {
  CHECK(toml_string("plain") == "\"plain\"");
  CHECK(toml_string("we\"ird\\name") == R"("we\"ird\\name")");
  CHECK(toml_string("a\tb\nc\r\x01\x7f") == R"("a\tb\nc\r\u0001\u007F")");
  CHECK(toml_string("\xc3\x9c") == "\"\xc3\x9c\"");  // valid UTF-8 stays
  CHECK(toml_string("a\xff"
                    "b\xc3") == R"("a\uFFFDb\uFFFD")");             // invalid bytes and a cut sequence
  CHECK(toml_string("\xed\xa0\x80") == R"("\uFFFD\uFFFD\uFFFD")");  // a UTF-16 surrogate

  // Read back by the config parser: the same text.
  std::string home = "/srv/we\"ird\\pm2 home\t\xc3\x9c";
  Config config =
      parsed("[pm2]\nhome = " + toml_string(home) + "\n[[service]]\nname = \"api\"\nbackend = \"pm2\"\n");
  CHECK(config.pm2.home == home);
}

TEST_CASE("comment text is one line of valid UTF-8", "[discover]") {
  CHECK(comment_text("no engine\nat /run/x\r\x01 \xc3\x9c\xff") == "no engine at /run/x   \xc3\x9c?");
}

TEST_CASE(
    "pm2: one service per app (a cluster is one), stopped ones expect any, names a target cannot take are "
    "comments",
    "[discover]") {
  EngineFindings mixed = pm2_findings(recorded_jlist("jlist-mixed.json"));
  CHECK(finding_names(mixed) == std::vector<std::string>{"api", "clash", "crashy", "paused", "web"});
  CHECK(finding_named(mixed, "web").engine_state == "online (2 instances)");
  CHECK_THAT(finding_named(mixed, "web").notes.at(0), Catch::Contains("2 instances (cluster)"));
  CHECK(finding_named(mixed, "paused").state == UnitState::Stopped);
  CHECK(finding_named(mixed, "crashy").state == UnitState::Failed);

  Config config = parsed(render_discovered_config({mixed}));
  REQUIRE(config.services.size() == 5);
  CHECK(service_named(config, "web").target == "web");
  CHECK(service_named(config, "web").backend == "pm2");
  CHECK(service_named(config, "web").expect == Expect::Running);
  CHECK(service_named(config, "paused").expect == Expect::Any);
  CHECK(service_named(config, "crashy").expect == Expect::Running);  // down now: a run restarts it

  EngineFindings odd = pm2_findings(recorded_jlist("jlist-odd-names.json"));
  std::string toml = render_discovered_config({odd});
  check_lines(toml);
  CHECK_THAT(toml,
             Catch::Contains("# not monitored: 'my api' (online): its name cannot be a pm2 target: a space "
                             "is not allowed"));
  CHECK_THAT(toml, Catch::Contains("# not monitored: 'we\"ird\\name' (online)"));
  CHECK_THAT(toml, Catch::Contains("# not monitored: '\xc3\x9cn\xc3\xaf"
                                   "c\xc3\xb6"
                                   "d\xc3\xa9' (online)"));
  Config odd_config = parsed(toml);
  REQUIRE(odd_config.services.size() == 2);
  CHECK(service_named(odd_config, "ok.v2@blue:1").target == "ok.v2@blue:1");
  CHECK(service_named(odd_config, "web").target == "web");
}

TEST_CASE("docker: one service per Compose service, running containers by name, leftovers only mentioned",
          "[discover]") {
  EngineFindings docker =
      docker_findings(recorded_containers(test::read_test_data("docker/containers-list.json")));
  CHECK(finding_names(docker) == std::vector<std::string>{"frozen", "monitored", "plain", "restarting",
                                                          "sick", "slow", "web", "sar-api", "sar-worker"});
  const Finding& api = finding_named(docker, "sar-api");
  CHECK(api.selector == std::vector<std::pair<std::string, std::string>>{{"compose_project", "sar"},
                                                                         {"compose_service", "api"}});
  CHECK_THAT(api.notes.at(0), Catch::Contains("Compose project sar, service api: container sar-api-1"));
  CHECK_THAT(finding_named(docker, "web").notes.at(0),
             Catch::Contains("Docker HEALTHCHECK (healthy now): the engine's own health is used"));
  CHECK_THAT(finding_named(docker, "sick").notes.at(0), Catch::Contains("HEALTHCHECK (unhealthy now)"));
  CHECK(finding_named(docker, "plain").notes.empty());
  CHECK(finding_named(docker, "frozen").state == UnitState::Stopped);  // paused: expect any
  REQUIRE(docker.notes.size() == 2);
  CHECK_THAT(docker.notes[0], Catch::StartsWith("not monitored: fresh (Created)"));
  CHECK_THAT(docker.notes[1], Catch::StartsWith("not monitored: stopped (Exited (3)"));

  std::string toml = render_discovered_config({docker});
  check_lines(toml);
  CHECK_THAT(toml, !Catch::Contains("\nurl"));  // no health URL is invented
  Config config = parsed(toml);
  REQUIRE(config.services.size() == 9);
  CHECK(service_named(config, "sar-api").target == "compose:sar/api");
  CHECK(service_named(config, "sar-worker").target == "compose:sar/worker");
  CHECK(service_named(config, "web").target == "web");
  CHECK(!service_named(config, "web").health);
  CHECK(service_named(config, "frozen").expect == Expect::Any);
  CHECK(service_named(config, "restarting").expect == Expect::Running);
}

TEST_CASE("docker: the replicas of a Compose service are one service, stopped only when all are",
          "[discover]") {
  json list = json::parse(test::read_test_data("docker/containers-list.json"));
  json replica;
  for (const auto& container : list) {
    if (container["Names"][0] == "/sar-api-1") replica = container;
  }
  REQUIRE(replica.is_object());
  replica["Id"] = std::string(64, 'f');
  replica["Names"] = {"/sar-api-2"};
  replica["State"] = "exited";
  replica["Status"] = "Exited (137) 5 seconds ago";
  list.push_back(replica);
  // A one-off `docker compose run` container of the same service is left out.
  replica["Names"] = {"/sar-api-run-1"};
  replica["Labels"]["com.docker.compose.oneoff"] = "True";
  list.push_back(replica);

  EngineFindings docker = docker_findings(recorded_containers(list.dump()));
  const Finding& api = finding_named(docker, "sar-api");
  CHECK(api.state == UnitState::Running);  // one replica runs: the exited one is down, and restarted
  CHECK(api.engine_state == "sar-api-1 running, sar-api-2 exited");
  CHECK_THAT(api.notes.at(0), Catch::Contains("2 containers, each checked"));
  CHECK(std::ranges::count(
            docker.notes,
            "not monitored: sar-api-run-1 (exited), a one-off 'docker compose run' container") == 1);

  for (auto& container : list) {
    if (container["Names"][0] == "/sar-api-1") container["State"] = "exited";
  }
  CHECK(finding_named(docker_findings(recorded_containers(list.dump())), "sar-api").state ==
        UnitState::Stopped);
}

TEST_CASE("systemd: enabled or failed service units, templates left out, escaped names made readable",
          "[discover]") {
  EngineFindings user = systemd_findings(SystemdScope::User, recorded_listing());
  CHECK(user.engine == "systemd --user");
  // Not: pm-static (running, but static), pm-tpl@a (its template is not enabled), the manager's own units.
  CHECK(finding_names(user) == std::vector<std::string>{"pm-enabled-oneshot", "pm-enabled-runtime",
                                                        "pm-enabled-stopped", "pm-enabled", "pm-esc-name",
                                                        "pm-failed"});
  CHECK(finding_named(user, "pm-enabled-oneshot").engine_state == "active (exited)");
  CHECK(finding_named(user, "pm-enabled-oneshot").state == UnitState::Running);
  CHECK(finding_named(user, "pm-enabled-stopped").state == UnitState::Stopped);
  CHECK(finding_named(user, "pm-failed").state == UnitState::Failed);
  CHECK(finding_named(user, "pm-failed").engine_state == "failed");
  CHECK(finding_named(user, "pm-esc-name").selector ==
        std::vector<std::pair<std::string, std::string>>{{"unit", "pm-esc\\x2dname.service"},
                                                         {"scope", "user"}});

  std::string toml = render_discovered_config({user});
  check_lines(toml);
  CHECK_THAT(toml, Catch::Contains("unit = \"pm-esc\\\\x2dname.service\""));  // the backslash escaped
  Config config = parsed(toml);
  REQUIRE(config.services.size() == 6);
  CHECK(service_named(config, "pm-esc-name").target == "user/pm-esc\\x2dname.service");
  CHECK(service_named(config, "pm-enabled").target == "user/pm-enabled.service");
  CHECK(service_named(config, "pm-enabled-stopped").expect == Expect::Any);
  CHECK(service_named(config, "pm-failed").expect == Expect::Running);

  // The system manager's units have no scope key.
  EngineFindings system = systemd_findings(SystemdScope::System, recorded_listing());
  CHECK(finding_named(system, "pm-enabled").selector ==
        std::vector<std::pair<std::string, std::string>>{{"unit", "pm-enabled.service"}});
}

TEST_CASE("systemd: the instances of an enabled template are found, an enabled unit not loaded is stopped",
          "[discover]") {
  SystemdServiceListing listing;
  listing.enabled_files = {{"/lib/systemd/system/getty@.service", "enabled"},
                           {"/etc/systemd/system/idle.service", "enabled"}};
  listing.units = {{"getty@tty1.service", "loaded", "active", "running"},
                   {"getty@tty2.service", "loaded", "inactive", "dead"},
                   {"serial-getty@ttyS0.service", "loaded", "active", "running"}};
  EngineFindings system = systemd_findings(SystemdScope::System, listing);
  CHECK(finding_names(system) == std::vector<std::string>{"getty@tty1", "getty@tty2", "idle"});
  CHECK(finding_named(system, "idle").state == UnitState::Stopped);
  CHECK(finding_named(system, "idle").engine_state == "inactive (not loaded)");
}

TEST_CASE("a config over all engines: unreachable ones are comments, names stay unique, engine settings kept",
          "[discover]") {
  EngineFindings pm2 = pm2_findings(recorded_jlist("jlist-mixed.json"));
  pm2.settings = {{"binary", "/usr/local/bin/pm2", false}, {"home", "/home/app/.pm2", false}};
  EngineFindings docker =
      docker_findings(recorded_containers(test::read_test_data("docker/containers-list.json")));
  docker.settings = {{"host", "unix:///run/user/1000/docker.sock", false}, {"tls_verify", "false", true}};
  EngineFindings user = systemd_findings(SystemdScope::User, recorded_listing());
  EngineFindings system = make_engine_findings(
      "systemd", "systemd",
      "no systemd system manager reachable (No such file or directory):\nis this machine booted "
      "with systemd?");
  std::vector<EngineFindings> engines{pm2, docker, system, user};

  std::string toml = render_discovered_config(engines);
  check_lines(toml);
  CHECK_THAT(toml, Catch::Contains(
                       "# ---- systemd: not reachable: no systemd system manager reachable (No such file "
                       "or directory): is this machine booted with systemd?"));
  CHECK_THAT(toml, Catch::Contains("# ---- pm2: 5 found"));
  CHECK_THAT(toml, Catch::Contains("[pm2]\nbinary = \"/usr/local/bin/pm2\"\nhome = \"/home/app/.pm2\"\n"));
  CHECK_THAT(toml,
             Catch::Contains("[docker]\nhost = \"unix:///run/user/1000/docker.sock\"\ntls_verify = false\n"));
  CHECK(monitored_count(engines) == 5 + 9 + 6);

  Config config = parsed(toml);
  REQUIRE(config.services.size() == 20);
  CHECK(config.pm2.home == "/home/app/.pm2");
  CHECK(config.docker.host == "unix:///run/user/1000/docker.sock");
  // PM2 and Docker both run a "web": the second one is qualified.
  CHECK(service_named(config, "web").backend == "pm2");
  CHECK(service_named(config, "docker-web").backend == "docker");
  CHECK(service_named(config, "docker-web").target == "web");

  // An unreachable engine writes no table.
  docker.unreachable = "no Docker engine socket at /var/run/docker.sock";
  std::string without_docker = render_discovered_config({pm2, docker});
  CHECK_THAT(without_docker, !Catch::Contains("[docker]"));
  CHECK_THAT(without_docker, Catch::Contains("# ---- docker: not reachable: no Docker engine socket at "
                                             "/var/run/docker.sock\n"));
  CHECK(parsed(without_docker).services.size() == 5);
}

TEST_CASE("nothing found: the config says so (check-config refuses a config without services)",
          "[discover]") {
  EngineFindings pm2 = pm2_findings(recorded_jlist("jlist-empty.json"));
  std::string toml = render_discovered_config({pm2});
  CHECK(monitored_count({pm2}) == 0);
  CHECK_THAT(toml, Catch::Contains("# nothing to monitor was found"));
  CHECK_FALSE(parse_config(toml, "discovered.toml"));
}
