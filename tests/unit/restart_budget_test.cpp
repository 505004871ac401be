// The restart budget: parsing "5 per 1h", the sliding window, giving up and
// coming back, and a crash-looping service run by cron for 100 minutes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "fake_clock.hpp"
#include "policy/restart_policy.hpp"

using namespace std::chrono_literals;
using pm::ObservedHealth;
using pm::PolicyEvent;
using pm::RestartDecision;
using pm::test::at;
using pm::test::FixedRandom;
using pm::test::kNoon;

namespace {

// Runs of a cron-started monitor on one service (see restart_policy_test.cpp).
struct Runs {
  pm::RestartPolicy policy;
  pm::ServiceHistory history;
  FixedRandom random{0.5};
  std::vector<pm::WallTime> restarts;
  std::vector<PolicyEvent> events;

  pm::PolicyDecision run(ObservedHealth observation, pm::WallTime now) {
    auto decision = pm::decide(policy, history, observation, now, "api");
    if (decision.decision == RestartDecision::Restart) {
      decision.history = pm::record_restart(policy, decision.history, now, random);
      restarts.push_back(now);
    }
    history = decision.history;
    events.insert(events.end(), decision.events.begin(), decision.events.end());
    return decision;
  }
  long count(PolicyEvent event) const { return std::count(events.begin(), events.end(), event); }
};

// Restarts whenever failing: no grace, no backoff, so only the budget decides.
Runs budget_only(pm::RestartBudget budget) {
  Runs runs;
  runs.policy.grace = 0s;
  runs.policy.backoff_initial = 0s;
  runs.policy.budget = budget;
  return runs;
}

}  // namespace

TEST_CASE("budget: valid restart budgets parse and print back", "[policy][budget]") {
  CHECK(pm::parse_restart_budget("5 per 1h").value() == pm::RestartBudget{.count = 5, .window = 1h});
  CHECK(pm::parse_restart_budget("3 per 10m").value() == pm::RestartBudget{.count = 3, .window = 10min});
  CHECK(pm::parse_restart_budget("  1 \t per  1m30s ").value() ==
        pm::RestartBudget{.count = 1, .window = 90s});
  CHECK(pm::parse_restart_budget("unlimited").value().unlimited);
  for (auto text : {"5 per 1h", "3 per 10m", "1 per 1m30s", "unlimited"}) {
    CHECK(pm::to_string(pm::parse_restart_budget(text).value()) == text);
  }
}

TEST_CASE("budget: malformed restart budgets are rejected with the reason", "[policy][budget]") {
  auto error = [](std::string_view text) { return pm::parse_restart_budget(text).error(); };
  const std::string forms = R"((expected "COUNT per WINDOW" or "unlimited", e.g. "5 per 1h"))";
  CHECK(error("") == "invalid restart budget '': empty " + forms);
  CHECK(error("5") == "invalid restart budget '5': missing 'per WINDOW' after the count " + forms);
  CHECK(error("5 per") == "invalid restart budget '5 per': missing the window after 'per' " + forms);
  CHECK(error("5 in 1h") ==
        "invalid restart budget '5 in 1h': expected 'per' after the count, found 'in' " + forms);
  CHECK(error("five per 1h") ==
        "invalid restart budget 'five per 1h': 'five' is not a number of restarts " + forms);
  CHECK(error("5/1h") == "invalid restart budget '5/1h': '5/1h' is not a number of restarts " + forms);
  CHECK(error("0 per 1h") == "invalid restart budget '0 per 1h': the count must be at least 1 " + forms);
  CHECK(error("-1 per 1h") == "invalid restart budget '-1 per 1h': the count must be at least 1 " + forms);
  CHECK(error("99999999999 per 1h") ==
        "invalid restart budget '99999999999 per 1h': count too large " + forms);
  CHECK(error("5 per 0s") == "invalid restart budget '5 per 0s': the window must be longer than 0s " + forms);
  CHECK(error("5 per 1h or so") ==
        "invalid restart budget '5 per 1h or so': unexpected 'or' after the window " + forms);
  CHECK(error("unlimited 5") == "invalid restart budget 'unlimited 5': unexpected '5' " + forms);
  CHECK(error("5 per 1x") ==
        "invalid restart budget '5 per 1x': invalid duration '1x': unknown unit 'x' "
        "(examples: \"500ms\", \"30s\", \"5m\", \"1h30m\")");
  CHECK(error("5 per 60") ==
        "invalid restart budget '5 per 60': invalid duration '60': missing unit (ms, s, m, h "
        "or d) (examples: \"500ms\", \"30s\", \"5m\", \"1h30m\")");
}

TEST_CASE("budget: restart policy settings are checked", "[policy][budget]") {
  CHECK(pm::check_restart_policy(pm::RestartPolicy{}));
  auto error = [](auto change) {
    pm::RestartPolicy policy;
    change(policy);
    return pm::check_restart_policy(policy).error();
  };
  CHECK(error([](auto& p) { p.confirm = 0; }) == "confirm must be at least 1, got 0");
  CHECK(error([](auto& p) { p.grace = -1s; }) == "grace must not be negative");
  CHECK(error([](auto& p) { p.backoff_factor = 0.5; }) == "backoff_factor must be at least 1, got 0.5");
  CHECK(error([](auto& p) { p.backoff_max = 5s; }) ==
        "backoff_max (5s) must not be shorter than backoff_initial (10s)");
  CHECK(error([](auto& p) { p.backoff_jitter = 1.0; }) ==
        "backoff_jitter must be at least 0 and below 1, got 1");
  CHECK(error([](auto& p) { p.budget.count = 0; }) == "the restart budget's count must be at least 1, got 0");
  CHECK(error([](auto& p) { p.budget.window = 0s; }) == "the restart budget's window must be longer than 0s");
}

TEST_CASE("budget: restarts leave the sliding window as they age", "[policy][budget]") {
  Runs runs = budget_only({.count = 3, .window = 10min});
  for (auto minute : {0min, 4min, 8min}) {
    REQUIRE(runs.run(ObservedHealth::Failing, at(minute)).decision == RestartDecision::Restart);
    runs.run(ObservedHealth::Fine, at(minute + 1min));
  }
  SECTION("three restarts within ten minutes: the budget is used up") {
    auto decision = runs.run(ObservedHealth::Failing, at(9min + 59s));
    CHECK(decision.decision == RestartDecision::GaveUp);
    CHECK(decision.history.restart_times.size() == 3);
  }
  SECTION("ten minutes after the first, it no longer counts") {
    auto decision = runs.run(ObservedHealth::Failing, at(10min));
    CHECK(decision.decision == RestartDecision::Restart);
    CHECK(decision.reason == "failing: restart 3 in the last 10m (budget 3 per 10m)");
    CHECK(runs.history.restart_times == std::vector{at(4min), at(8min), at(10min)});
  }
}

TEST_CASE("budget: a service given up on is given up until it is fine again", "[policy][budget]") {
  Runs runs = budget_only({.count = 2, .window = 1h});
  runs.run(ObservedHealth::Failing, at(0min));
  runs.run(ObservedHealth::Failing, at(1min));
  auto gave_up = runs.run(ObservedHealth::Failing, at(2min));
  CHECK(gave_up.decision == RestartDecision::GaveUp);
  CHECK(gave_up.reason ==
        "gave up: 2 restarts in the last 1h (budget 2 per 1h); restarts resume at 13:01:00 UTC, or at once "
        "after "
        "'process-monitor reset api'");
  CHECK(gave_up.until == at(61min));
  CHECK(gave_up.events == std::vector{PolicyEvent::GaveUp});
  CHECK(gave_up.history.gave_up_at == at(2min));

  for (int minute = 3; minute <= 10; ++minute) {
    CHECK(runs.run(ObservedHealth::Failing, at(minute * 1min)).events.empty());
    CHECK(runs.run(ObservedHealth::Starting, at(minute * 1min + 30s)).decision == RestartDecision::GaveUp);
  }
  auto fine = runs.run(ObservedHealth::Fine, at(11min));
  CHECK(fine.reason == "recovered");
  CHECK(fine.events == std::vector{PolicyEvent::Recovered});
  CHECK_FALSE(fine.history.gave_up);

  // Being fine for a minute does not refill the budget: a new incident, given up at once.
  CHECK(runs.run(ObservedHealth::Failing, at(12min)).events ==
        std::vector{PolicyEvent::BecameUnhealthy, PolicyEvent::GaveUp});
  CHECK(runs.restarts.size() == 2);
}

TEST_CASE("budget: restarts resume once the window holds none of the restarts", "[policy][budget]") {
  Runs runs = budget_only({.count = 2, .window = 1h});
  for (int minute = 0; minute < 61; ++minute) runs.run(ObservedHealth::Failing, at(minute * 1min));
  CHECK(runs.restarts.size() == 2);
  auto resumed = runs.run(ObservedHealth::Failing, at(61min));
  CHECK(resumed.decision == RestartDecision::Restart);
  CHECK(resumed.events == std::vector{PolicyEvent::Resumed});
  CHECK_FALSE(resumed.history.gave_up);
  CHECK(runs.run(ObservedHealth::Failing, at(62min)).decision ==
        RestartDecision::Restart);  // a full budget again
  CHECK(runs.count(PolicyEvent::GaveUp) == 1);
}

TEST_CASE("budget: reset retries at once without a second BecameUnhealthy", "[policy][budget]") {
  Runs runs = budget_only({.count = 2, .window = 1h});
  for (int minute = 0; minute < 5; ++minute) runs.run(ObservedHealth::Failing, at(minute * 1min));
  REQUIRE(runs.history.gave_up);
  runs.history = pm::reset_history(runs.history);
  CHECK(runs.history.restart_times.empty());
  CHECK(runs.run(ObservedHealth::Failing, at(5min)).decision == RestartDecision::Restart);
  runs.run(ObservedHealth::Fine, at(6min));
  CHECK(runs.events ==
        std::vector{PolicyEvent::BecameUnhealthy, PolicyEvent::GaveUp, PolicyEvent::Recovered});
}

TEST_CASE("budget: an unlimited budget never gives up", "[policy][budget]") {
  Runs runs = budget_only({.unlimited = true});
  for (int minute = 0; minute < 30; ++minute) runs.run(ObservedHealth::Failing, at(minute * 1min));
  CHECK(runs.restarts.size() == 30);
  CHECK(runs.count(PolicyEvent::GaveUp) == 0);
  CHECK(runs.run(ObservedHealth::Failing, at(30min)).reason ==
        "failing: restart 31 in the last 1h (budget unlimited)");
}

TEST_CASE("budget: restarts still age out after the wall clock stepped backwards", "[policy][budget]") {
  Runs runs = budget_only({.count = 5, .window = 1h});
  for (int minute = 0; minute < 6; ++minute) runs.run(ObservedHealth::Failing, at(minute * 1min));
  REQUIRE(runs.history.gave_up);
  // The next run, a minute later, reads two hours earlier. Unmoved, the
  // restarts would hold the budget for three hours instead of one.
  auto after_step = runs.run(ObservedHealth::Failing, at(-114min));
  CHECK(after_step.decision == RestartDecision::GaveUp);
  // Moved back by the 119 minute step, the newest restart (12:04) is at
  // 10:05: the budget comes back at 11:05, one hour after it, as it would have.
  CHECK(after_step.until == at(-55min));
  CHECK(runs.run(ObservedHealth::Failing, at(-56min)).decision == RestartDecision::GaveUp);
  CHECK(runs.run(ObservedHealth::Failing, at(-55min)).decision == RestartDecision::Restart);
}

TEST_CASE("budget: a crash loop under cron, 5 per 1h: five restarts in the first hour, one alert",
          "[policy][budget]") {
  Runs runs;  // the defaults: confirm 1, grace 30s, backoff 10s x2 up to 10m, jitter 20%
  runs.policy.budget = pm::parse_restart_budget("5 per 1h").value();
  double draw = GENERATE(0.0, 0.5, 1.0);
  runs.random = FixedRandom{draw};

  std::vector<PolicyEvent> first_hour_events;
  for (int minute = 0; minute < 100; ++minute) {
    auto decision = runs.run(ObservedHealth::Failing, at(minute * 1min));
    if (minute < 60)
      first_hour_events.insert(first_hour_events.end(), decision.events.begin(), decision.events.end());
    if (minute >= 6 && minute < 65) CHECK(decision.decision == RestartDecision::GaveUp);
    if (minute == 65) CHECK(decision.events == std::vector{PolicyEvent::Resumed});
  }

  auto in_first_hour = std::count_if(runs.restarts.begin(), runs.restarts.end(),
                                     [](pm::WallTime time) { return time < at(60min); });
  CHECK(in_first_hour == 5);
  REQUIRE(runs.restarts.size() >= 6);
  CHECK(std::vector(runs.restarts.begin(), runs.restarts.begin() + 6) ==
        std::vector{at(0min), at(1min), at(2min), at(3min), at(5min), at(65min)});
  CHECK(first_hour_events == std::vector{PolicyEvent::BecameUnhealthy, PolicyEvent::GaveUp});
  CHECK(runs.count(PolicyEvent::BecameUnhealthy) == 1);
  // After the window passed, a fresh budget of five, spent at the capped
  // backoff: 10m waits at a middle draw put the fifth restart at minute 101,
  // so one GaveUp in 100 runs; 8m waits at the lowest draw spend it by minute
  // 94, and minute 95 is a second, new give-up after its Resumed (not a repeat).
  if (draw == 0.5) {
    CHECK(runs.events ==
          std::vector{PolicyEvent::BecameUnhealthy, PolicyEvent::GaveUp, PolicyEvent::Resumed});
    CHECK(runs.restarts.size() == 9);
  }
  if (draw == 0.0) {
    CHECK(runs.events == std::vector{PolicyEvent::BecameUnhealthy, PolicyEvent::GaveUp, PolicyEvent::Resumed,
                                     PolicyEvent::GaveUp});
    CHECK(runs.restarts.size() == 10);
  }
}
