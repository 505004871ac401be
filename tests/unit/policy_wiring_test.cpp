// The restart policy as the cycle and the state file see it: config keys,
// the history's JSON form, and the gate between policy and cycle.
#include <catch2/catch.hpp>

#include "config/load_config.hpp"
#include "core/policy_gate.hpp"
#include "fake_clock.hpp"
#include "policy/history_json.hpp"

using namespace pm;
using namespace std::chrono_literals;

namespace {

ServiceConfig named(std::string name) {
  ServiceConfig service;
  service.name = std::move(name);
  return service;
}

}  // namespace

TEST_CASE("policy keys: built-in, then [defaults], then the service's own", "[policy][config]") {
  auto config = parse_config(R"([[service]]
name = "a"
backend = "pm2"
confirm = 3
backoff = "1s"

[[service]]
name = "b"
backend = "pm2"

[defaults]
grace = "5s"
restart_budget = "2 per 10m"
backoff_max = "1m"
)",
                             "test.toml");
  REQUIRE(config);
  const RestartPolicy& a = config->services[0].policy;
  CHECK(a.confirm == 3);
  CHECK(a.backoff_initial == Duration{1000});
  CHECK(a.grace == Duration{5000});
  CHECK(a.budget.count == 2);
  CHECK(a.budget.window == Duration{600000});
  CHECK(a.backoff_max == Duration{60000});
  const RestartPolicy& b = config->services[1].policy;
  CHECK(b.confirm == 1);
  CHECK(b.backoff_initial == RestartPolicy{}.backoff_initial);
  CHECK(b.grace == Duration{5000});

  auto bad = parse_config("[[service]]\nname = \"a\"\nbackend = \"pm2\"\nconfirm = 0\n", "test.toml");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error(), Catch::Contains("test.toml:4:11: 'confirm' must be"));
  auto budget = parse_config(
      "[defaults]\nrestart_budget = \"5 a 1h\"\n[[service]]\nname = \"a\"\nbackend = \"pm2\"\n", "test.toml");
  REQUIRE_FALSE(budget);
  CHECK_THAT(budget.error(), Catch::StartsWith("test.toml:2:18: "));
}

TEST_CASE("a history survives its JSON form", "[policy][state]") {
  ServiceHistory history;
  WallTime now{std::chrono::milliseconds(1'750'000'000'123)};
  history.consecutive_failures = 2;
  history.restart_times = {now - 10min, now - 1min};
  history.last_restart = now - 1min;
  history.backoff = 20s;
  history.next_restart_at = now + 20s;
  history.gave_up = true;
  history.gave_up_at = now;
  history.paused = true;
  history.last_state = ServiceState::GaveUp;
  history.last_seen = now;
  history.restarts_total = 12;
  history.limits = LimitMemory{2, 1, CpuSample{123'456'789'000ULL, now - 1min}};
  auto back = history_from_json(history_to_json(history));
  REQUIRE(back);
  CHECK(*back == history);

  CHECK(history_from_json(nlohmann::json::object()).value() == ServiceHistory{});
  CHECK_THAT(history_from_json(nlohmann::json{{"gave_up", "yes"}}).error(), Catch::Contains("'gave_up'"));
  CHECK_THAT(history_from_json(nlohmann::json{{"last_state", "sleepy"}}).error(),
             Catch::Contains("'last_state'"));
  CHECK_THAT(history_from_json(nlohmann::json{{"restart_times", {1, "x"}}}).error(),
             Catch::Contains("'restart_times'"));
  CHECK_THAT(history_from_json(nlohmann::json::array()).error(), Catch::Contains("not an object"));
  CHECK_THAT(history_from_json(nlohmann::json{{"limits", {{"memory_over", -1}}}}).error(),
             Catch::Contains("'limits.memory_over'"));
  CHECK_THAT(history_from_json(nlohmann::json{{"limits", {{"cpu_sample_ns", 5}}}}).error(),
             Catch::Contains("'limits.cpu_sample_ns'"));
  CHECK_THAT(history_from_json(nlohmann::json{{"restarts_total", -3}}).error(),
             Catch::Contains("'restarts_total'"));
}

TEST_CASE("the policy gate counts runs over a limit and a restart starts them again", "[policy][limits]") {
  std::map<std::string, ServiceHistory> histories;
  pm::test::FixedRandom random;
  PolicyGate gate(histories, random);
  ServiceConfig api = named("api");
  api.limits.memory_bytes = 100;
  api.limits.memory_cycles = 2;
  WallTime start{std::chrono::hours(480'000)};
  ResourceUse big{500, std::nullopt, std::nullopt};
  gate.begin_cycle(start);
  CHECK_FALSE(gate.check_limits(api, big, "pm2").at(0).acts());
  gate.begin_cycle(start + 1min);
  CHECK(gate.check_limits(api, big, "pm2").at(0).acts());
  CHECK(histories["api"].limits.memory_over == 2);
  gate.judge(api, Health::Unhealthy);
  gate.restarted(api);
  CHECK(histories["api"].limits.memory_over == 0);
  CHECK(histories["api"].restarts_total == 1);
  gate.begin_cycle(start + 2min);
  CHECK(gate.check_limits(api, big, "pm2").at(0).cycles_over == 1);
}

TEST_CASE("the policy gate counts runs, records restarts and reports changes once", "[policy]") {
  std::map<std::string, ServiceHistory> histories;
  pm::test::FixedRandom random;
  PolicyGate gate(histories, random);
  ServiceConfig api = named("api");
  api.policy.confirm = 2;
  api.policy.grace = 30s;
  WallTime start{std::chrono::hours(480'000)};

  gate.begin_cycle(start);
  auto first = gate.judge(api, Health::Unhealthy);
  CHECK_FALSE(first.restart);  // 1 of 2
  gate.begin_cycle(start + 1min);
  auto second = gate.judge(api, Health::Unhealthy);
  REQUIRE(second.restart);
  gate.restarted(api);
  CHECK(histories["api"].restart_times.size() == 1);
  auto events = gate.take_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].event == PolicyEvent::BecameUnhealthy);
  CHECK(events[0].service == "api");

  gate.begin_cycle(start + 1min + 10s);
  auto in_grace = gate.judge(api, Health::Down);
  CHECK_FALSE(in_grace.restart);
  CHECK_THAT(in_grace.reason, Catch::Contains("in grace"));
  CHECK(gate.take_events().empty());

  gate.begin_cycle(start + 5min);
  gate.judge(api, Health::Healthy);
  events = gate.take_events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].event == PolicyEvent::Recovered);
  CHECK(gate.take_events().empty());
}

TEST_CASE("[[alert]] tables configure webhook and exec channels", "[alert][config]") {
  auto config = parse_config(R"([[alert]]
webhook = "https://hooks.example.com/services/T0/B0/secret"
format = "slack"
events = ["gave-up", "recovered"]
headers = { Authorization = "Bearer x" }
timeout = "3s"
retries = 2

[[alert]]
exec = ["/usr/local/bin/page", "--team", "ops"]

[[service]]
name = "a"
backend = "pm2"
)",
                             "test.toml");
  REQUIRE(config);
  REQUIRE(config->alerts.size() == 2);
  const auto& hook = config->alerts[0];
  CHECK(hook.kind == AlertChannelConfig::Webhook);
  CHECK(hook.format == "slack");
  CHECK(hook.events == std::vector<std::string>{"gave-up", "recovered"});
  CHECK(hook.headers.size() == 1);
  CHECK(hook.timeout == Duration{3000});
  CHECK(hook.retries == 2);
  CHECK(config->alerts[1].kind == AlertChannelConfig::Exec);
  CHECK(config->alerts[1].argv == std::vector<std::string>{"/usr/local/bin/page", "--team", "ops"});

  auto error_of = [](std::string_view text) {
    auto parsed =
        parse_config(std::string(text) + "[[service]]\nname = \"a\"\nbackend = \"pm2\"\n", "test.toml");
    REQUIRE_FALSE(parsed);
    return parsed.error();
  };
  CHECK_THAT(error_of("[[alert]]\nformat = \"json\"\n"),
             Catch::Contains("test.toml:1:1: [[alert]] needs exactly one"));
  CHECK_THAT(error_of("[[alert]]\nwebhook = \"ftp://x\"\n"),
             Catch::Contains("test.toml:2:11: invalid webhook url"));
  CHECK_THAT(error_of("[[alert]]\nexec = [\"x\"]\nformat = \"xml\"\n"), Catch::Contains("'format' must be"));
  CHECK_THAT(error_of("[[alert]]\nexec = [\"x\"]\nevents = [\"recoverd\"]\n"),
             Catch::Contains("unknown event 'recoverd' (did you mean 'recovered'?)"));
  CHECK_THAT(error_of("[[alert]]\nexec = [\"x\"]\nwebhok = \"y\"\n"),
             Catch::Contains("unknown key 'webhok' in [[alert]] (did you mean 'webhook'?)"));
}

TEST_CASE("the policy gate persists a cycle's restarts once, after recording them", "[policy][state]") {
  std::map<std::string, ServiceHistory> histories;
  pm::test::FixedRandom random;
  std::vector<std::uint64_t> restarts_seen;  // restarts_total each time the histories were persisted
  PolicyGate gate(histories, random, [&] { restarts_seen.push_back(histories["api"].restarts_total); });
  ServiceConfig api = named("api");
  ServiceConfig web = named("web");
  gate.begin_cycle(WallTime{std::chrono::hours(480'000)});
  REQUIRE(gate.judge(api, Health::Unhealthy).restart);
  REQUIRE(gate.judge(web, Health::Down).restart);
  CHECK(restarts_seen.empty());  // judging alone writes nothing
  gate.restarted(api);
  gate.restarted(web);
  CHECK(restarts_seen.empty());  // recording neither: one save for the cycle
  gate.before_restarts();
  CHECK(restarts_seen == std::vector<std::uint64_t>{1});
  CHECK(histories["web"].restarts_total == 1);
}
