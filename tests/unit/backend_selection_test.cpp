#include <catch2/catch.hpp>

#include "backend/docker_selector.hpp"
#include "config/load_config.hpp"
#include "config_documents.hpp"

using namespace pm;
using Catch::Contains;
using pm::test::error_of;
const auto& valid = pm::test::parsed;

TEST_CASE("docker services select a container, a label or a Compose project", "[docker][config]") {
  auto config = valid(R"([docker]
host = "unix:///run/docker.sock"
tls_verify = false
timeout = "5s"

[[service]]
name = "web"
backend = "docker"
stop_timeout = "3s"

[[service]]
name = "api"
backend = "docker"
container = "sar-api-1"

[[service]]
name = "monitored"
backend = "docker"
label = "com.example.monitor=true"

[[service]]
name = "sar"
backend = "docker"
compose_project = "sar"

[[service]]
name = "sar-web"
backend = "docker"
compose_project = "sar"
compose_service = "web"
  [service.health]
  url = "http://127.0.0.1:8080/health"
)");
  CHECK(config.docker.host == "unix:///run/docker.sock");
  CHECK(config.docker.tls_verify == false);
  CHECK(config.docker.timeout == Duration{5000});
  CHECK(config.services[0].target == "web");
  CHECK(config.services[0].stop_timeout == Duration{3000});
  CHECK(config.services[1].target == "sar-api-1");
  CHECK(config.services[2].target == "label:com.example.monitor=true");
  CHECK(config.services[3].target == "compose:sar");
  CHECK(config.services[4].target == "compose:sar/web");
}

TEST_CASE("docker selection mistakes are rejected where they are written", "[docker][config]") {
  CHECK(error_of("[[service]]\nname = \"a\"\nbackend = \"pm2\"\ncontainer = \"a\"\n") ==
        R"(test.toml:4:13: 'container' only applies to backend "docker" (this service has backend "pm2"))");
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"docker\"\ncontainer = \"a\"\nlabel = \"x\"\n"),
             Contains("test.toml:5:9: give one of 'container', 'label' or 'compose_project'"));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"docker\"\ncompose_service = \"web\"\n"),
             Contains("test.toml:4:19: 'compose_service' needs 'compose_project'"));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"docker\"\ntarget = \"b\"\n"),
             Contains("test.toml:4:10: for backend \"docker\" name the container with 'container'"));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"docker\"\ncontainer = \"-bad\"\n"),
             Contains("test.toml:4:13: '-bad' is not a valid container name"));
  CHECK_THAT(error_of("[[service]]\nname = \"a@b\"\nbackend = \"docker\"\n"),
             Contains("'a@b' is not a valid container name") && Contains("set 'container'"));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"docker\"\ncompose_project = \"Sar\"\n"),
             Contains("test.toml:4:19: invalid compose_project 'Sar'"));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"docker\"\nlabel = \"=x\"\n"),
             Contains("test.toml:4:9: invalid label '=x'"));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"docker\"\ncompose_project = \"sar\"\n"
                      "[service.health]\nurl = \"http://x/\"\n"),
             Contains("cannot apply to every container a label or Compose project selects"));
  CHECK_THAT(error_of("[docker]\ntls_verify = \"yes\"\n[[service]]\nname = \"a\"\nbackend = \"docker\"\n"),
             Contains("test.toml:2:14: 'tls_verify' must be true or false, got string"));
  CHECK_THAT(error_of("[docker]\nhots = \"x\"\n[[service]]\nname = \"a\"\nbackend = \"docker\"\n"),
             Contains("test.toml:2:1: unknown key 'hots' in [docker] (did you mean 'host'?)"));
}

TEST_CASE("docker targets parse into selectors that match containers", "[docker]") {
  ContainerSummary api{"id1",
                       "sar-api-1",
                       "running",
                       "Up",
                       {{"com.docker.compose.project", "sar"}, {"com.docker.compose.service", "api"}}};
  ContainerSummary other{"id2", "web", "running", "Up", {{"com.example.monitor", "true"}}};

  auto by_name = parse_docker_target("web").value();
  CHECK_FALSE(by_name.is_group());
  CHECK(by_name.matches(other));
  CHECK_FALSE(by_name.matches(api));
  CHECK(by_name.list_filter().empty());
  CHECK(by_name.nothing_matches() == "no container named 'web'");

  auto by_label = parse_docker_target("label:com.example.monitor=true").value();
  CHECK(by_label.is_group());
  CHECK(by_label.matches(other));
  CHECK_FALSE(by_label.matches(api));
  CHECK(by_label.list_filter() == R"({"label":["com.example.monitor=true"]})");
  CHECK(parse_docker_target("label:com.example.monitor").value().matches(other));

  auto project = parse_docker_target("compose:sar").value();
  CHECK(project.is_group());
  CHECK(project.matches(api));
  CHECK_FALSE(project.matches(other));
  auto one_service = parse_docker_target("compose:sar/api").value();
  CHECK_FALSE(one_service.is_group());
  CHECK(one_service.matches(api));
  CHECK_FALSE(parse_docker_target("compose:sar/worker").value().matches(api));
  CHECK(one_service.list_filter() ==
        R"({"label":["com.docker.compose.project=sar","com.docker.compose.service=api"]})");

  CHECK_THAT(parse_docker_target("compose:").error(), Contains("incomplete Compose selector"));
  CHECK_THAT(parse_docker_target("label:").error(), Contains("empty label key"));
  CHECK_THAT(parse_docker_target("svc:x").error(), Contains("is not a container name"));
}

TEST_CASE("systemd services name a unit of the system or the user manager", "[systemd][config]") {
  auto config = valid(R"([[service]]
name = "backend-api"
backend = "systemd"

[[service]]
name = "worker"
backend = "systemd"
unit = "worker@1.service"
scope = "user"

[[service]]
name = "nightly"
backend = "systemd"
unit = "nightly.timer"

[systemd]
scope = "user"
timeout = "3s"
)");
  CHECK(config.services[0].target == "user/backend-api.service");  // [systemd] scope, written after it
  CHECK(config.services[1].target == "user/worker@1.service");
  CHECK(config.services[2].target == "user/nightly.timer");
  CHECK(config.systemd.timeout == Duration{3000});
  CHECK(valid("[[service]]\nname = \"api\"\nbackend = \"systemd\"\n").services[0].target == "api.service");
}

TEST_CASE("systemd selection mistakes are rejected where they are written", "[systemd][config]") {
  CHECK(error_of("[[service]]\nname = \"a\"\nbackend = \"pm2\"\nunit = \"a.service\"\n") ==
        R"(test.toml:4:8: 'unit' only applies to backend "systemd" (this service has backend "pm2"))");
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"systemd\"\nscope = \"session\"\n"),
             Contains("test.toml:4:9: 'scope' must be \"system\" or \"user\", got 'session'"));
  CHECK_THAT(error_of("[systemd]\nscope = \"root\"\n[[service]]\nname = \"a\"\nbackend = \"systemd\"\n"),
             Contains("test.toml:2:9: 'scope' must be \"system\" or \"user\""));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"systemd\"\ntarget = \"b\"\n"),
             Contains("test.toml:4:10: for backend \"systemd\" name the unit with 'unit'"));
  CHECK_THAT(error_of("[[service]]\nname = \"a\"\nbackend = \"systemd\"\nunit = \"a b.service\"\n"),
             Contains("test.toml:4:8: 'a b.service' is not a valid unit name"));
  CHECK_THAT(error_of("[systemd]\nscop = \"user\"\n[[service]]\nname = \"a\"\nbackend = \"systemd\"\n"),
             Contains("test.toml:2:1: unknown key 'scop' in [systemd] (did you mean 'scope'?)"));
}
