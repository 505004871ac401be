// --service: which configured services a run checks (cli/config_source.hpp).
#include <catch2/catch.hpp>

#include "cli/config_source.hpp"
#include "config/load_config.hpp"

using namespace pm;

namespace {

std::shared_ptr<const Config> three_services() {
  auto config = parse_config(R"([[service]]
name = "api"
backend = "pm2"

[[service]]
name = "web"
backend = "pm2"

[[service]]
name = "db"
backend = "pm2"
)",
                             "/etc/pm/config.toml");
  REQUIRE(config);
  return std::make_shared<const Config>(std::move(*config));
}

std::vector<std::string> names_of(const std::vector<ServicePtr>& services) {
  std::vector<std::string> names;
  for (const auto& service : services) names.push_back(service->name);
  return names;
}

}  // namespace

TEST_CASE("select_services: every service, without copies, each keeping the config alive", "[config]") {
  auto config = three_services();
  auto selected = select_services(config, {});
  REQUIRE(selected);
  CHECK(names_of(*selected) == std::vector<std::string>{"api", "web", "db"});
  CHECK(selected->front().get() == &config->services.front());  // the config's own, not a copy
  CHECK(config.use_count() == 4);
  config.reset();  // a reloaded loop drops its old config while results may still hold services
  CHECK((*selected)[2]->name == "db");
  CHECK((*selected)[2]->backend == "pm2");
}

TEST_CASE("select_services: --service names in the order given, each once, an unknown name lists the known",
          "[config]") {
  auto config = three_services();
  auto selected = select_services(config, {"db", "api", "db"});
  REQUIRE(selected);
  CHECK(names_of(*selected) == std::vector<std::string>{"db", "api"});
  auto unknown = select_services(config, {"api", "cache"});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error() ==
        "--service cache: no such service in /etc/pm/config.toml (configured: api, web, db)");
}
