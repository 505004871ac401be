// The restart policy's rules, run after run, on a fake clock (plain time
// points) and a fake random source: no sleeps, no engine.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "fake_clock.hpp"
#include "policy/backoff.hpp"
#include "policy/restart_policy.hpp"

using namespace std::chrono_literals;
using pm::ObservedHealth;
using pm::PolicyEvent;
using pm::RestartDecision;
using pm::ServiceState;
using pm::test::at;
using pm::test::FixedRandom;
using pm::test::kNoon;

namespace {

// One service as a cron-started monitor sees it: every run() is a fresh
// process that gets only the saved history, decides, restarts when told
// (recording the restart), and saves the history again.
struct Runs {
  pm::RestartPolicy policy;
  pm::ServiceHistory history;
  FixedRandom random{0.5};  // no jitter
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

}  // namespace

TEST_CASE("policy: a fine service is left alone and raises no event", "[policy]") {
  Runs runs;
  for (int minute = 0; minute < 5; ++minute) {
    auto decision = runs.run(ObservedHealth::Fine, at(minute * 1min));
    CHECK(decision.decision == RestartDecision::Fine);
    CHECK(decision.reason.empty());
  }
  CHECK(runs.events.empty());
  CHECK(runs.history.last_state == ServiceState::Healthy);
  CHECK(runs.history.healthy_since == at(0s));
}

TEST_CASE("policy: an unknown observation never counts as a failure and never restarts", "[policy]") {
  Runs runs;
  runs.policy.confirm = 2;
  runs.run(ObservedHealth::Failing, at(0min));
  for (int minute = 1; minute <= 5; ++minute) {
    auto decision = runs.run(ObservedHealth::Unknown, at(minute * 1min));
    CHECK(decision.decision == RestartDecision::Unknown);
    CHECK(decision.reason == "the engine could not be asked: not counted as a failure, not restarted");
    CHECK(decision.events.empty());
  }
  CHECK(runs.history.consecutive_failures == 1);  // neither counted nor reset
  CHECK(runs.restarts.empty());
  CHECK(runs.run(ObservedHealth::Failing, at(6min)).decision == RestartDecision::Restart);
}

TEST_CASE(
    "policy: confirmation counts failed runs across runs and retries, unknowns and starts do not reset it",
    "[policy]") {
  Runs runs;
  runs.policy.confirm = 3;
  auto first = runs.run(ObservedHealth::Failing, at(0min));
  CHECK(first.decision == RestartDecision::WaitConfirm);
  CHECK(first.reason == "failure 1 of 3 needed before a restart");
  CHECK(first.events.empty());  // an unconfirmed failure is no alert yet

  SECTION("the third failed run restarts, whatever came between") {
    CHECK(runs.run(ObservedHealth::Unknown, at(1min)).decision == RestartDecision::Unknown);
    CHECK(runs.run(ObservedHealth::Failing, at(2min)).reason == "failure 2 of 3 needed before a restart");
    CHECK(runs.run(ObservedHealth::Starting, at(3min)).decision == RestartDecision::InGrace);
    auto third = runs.run(ObservedHealth::Failing, at(4min));
    CHECK(third.decision == RestartDecision::Restart);
    CHECK(third.reason == "failing, 3 runs in a row: restart 1 in the last 1h (budget 5 per 1h)");
    CHECK(third.events == std::vector{PolicyEvent::BecameUnhealthy});
  }
  SECTION("one fine run starts the count over") {
    runs.run(ObservedHealth::Failing, at(1min));
    runs.run(ObservedHealth::Fine, at(2min));
    CHECK(runs.run(ObservedHealth::Failing, at(3min)).reason == "failure 1 of 3 needed before a restart");
    CHECK(runs.events.empty());
  }
}

TEST_CASE("policy: the failure count starts over after a restart", "[policy]") {
  Runs runs;
  runs.policy.confirm = 2;
  runs.run(ObservedHealth::Failing, at(0min));
  REQUIRE(runs.run(ObservedHealth::Failing, at(1min)).decision == RestartDecision::Restart);
  CHECK(runs.history.consecutive_failures == 0);
  // Grace (30s) and backoff (10s) are over by the next run: still confirm anew.
  auto after = runs.run(ObservedHealth::Failing, at(2min));
  CHECK(after.decision == RestartDecision::WaitConfirm);
  CHECK(after.reason == "failure 1 of 2 needed before a restart");
  CHECK(runs.run(ObservedHealth::Failing, at(3min)).decision == RestartDecision::Restart);
  CHECK(runs.restarts.size() == 2);
}

TEST_CASE("policy: after a restart, failures within grace are reported, not counted, not acted on",
          "[policy]") {
  Runs runs;
  runs.policy.grace = 5min;
  REQUIRE(runs.run(ObservedHealth::Failing, at(0min)).decision == RestartDecision::Restart);

  auto failing = runs.run(ObservedHealth::Failing, at(1min));
  CHECK(failing.decision == RestartDecision::InGrace);
  CHECK(failing.reason == "failing, in grace until 12:05:00 UTC after the restart at 12:00:00 UTC");
  CHECK(failing.until == at(5min));
  CHECK(failing.history.consecutive_failures == 0);

  auto starting = runs.run(ObservedHealth::Starting, at(2min));
  CHECK(starting.decision == RestartDecision::InGrace);
  CHECK(starting.reason == "starting, in grace until 12:05:00 UTC after the restart at 12:00:00 UTC");

  SECTION("a slow starter that comes up within grace is restarted once") {
    CHECK(runs.run(ObservedHealth::Fine, at(4min)).events == std::vector{PolicyEvent::Recovered});
    CHECK(runs.restarts.size() == 1);
  }
  SECTION("still failing when grace ends: restarted then, not earlier") {
    CHECK(runs.run(ObservedHealth::Failing, at(4min + 59s)).decision == RestartDecision::InGrace);
    CHECK(runs.run(ObservedHealth::Failing, at(5min)).decision == RestartDecision::Restart);
  }
}

TEST_CASE("policy: a starting service outside grace is waited for, not counted", "[policy]") {
  Runs runs;
  auto decision = runs.run(ObservedHealth::Starting, at(0min));
  CHECK(decision.decision == RestartDecision::InGrace);
  CHECK(decision.reason == "the engine is acting on it: waited for, not restarted on top");
  CHECK(decision.history.consecutive_failures == 0);
  CHECK(decision.events.empty());
}

TEST_CASE("policy: the backoff grows by its factor up to backoff_max", "[policy]") {
  pm::RestartPolicy policy;
  FixedRandom no_jitter{0.5};
  pm::ServiceHistory history;
  std::vector<pm::Duration> waits;
  for (int restart = 0; restart < 9; ++restart) {
    history = pm::record_restart(policy, history, at(restart * 1h), no_jitter);
    waits.push_back(history.backoff);
    CHECK(history.next_restart_at == at(restart * 1h) + history.backoff);
  }
  CHECK(waits == std::vector<pm::Duration>{10s, 20s, 40s, 80s, 160s, 320s, 600s, 600s, 600s});
}

TEST_CASE("policy: jitter spreads each wait by +-backoff_jitter, never beyond backoff_max", "[policy]") {
  pm::RestartPolicy policy;  // jitter 0.2, max 10m
  CHECK(pm::jittered_wait(policy, 10s, 0.0) == 8s);
  CHECK(pm::jittered_wait(policy, 10s, 0.5) == 10s);
  CHECK(pm::jittered_wait(policy, 10s, 1.0) == 12s);
  CHECK(pm::jittered_wait(policy, 600s, 0.0) == 480s);
  CHECK(pm::jittered_wait(policy, 600s, 1.0) == 600s);  // capped
  CHECK(pm::jittered_wait(policy, 10s, -3.0) == 8s);    // a draw out of range is clamped
  CHECK(pm::jittered_wait(policy, 10s, 7.0) == 12s);

  FixedRandom high{1.0};
  auto history = pm::record_restart(policy, {}, at(0s), high);
  CHECK(history.backoff == 10s);  // the jitter is not compounded into the next backoff
  CHECK(history.next_restart_at == at(12s));

  pm::SystemRandom real;
  for (int draw = 0; draw < 1000; ++draw) {
    double value = real.uniform01();
    CHECK((value >= 0.0 && value <= 1.0));
  }
}

TEST_CASE("policy: no restart before next_restart_at", "[policy]") {
  Runs runs;
  runs.policy.grace = 0s;
  runs.policy.backoff_initial = 5min;
  REQUIRE(runs.run(ObservedHealth::Failing, at(0min)).decision == RestartDecision::Restart);
  auto waiting = runs.run(ObservedHealth::Failing, at(3min + 20s));
  CHECK(waiting.decision == RestartDecision::BackingOff);
  CHECK(waiting.reason ==
        "backing off until 12:05:00 UTC (1m40s from now); 1 restart in the last 1h (budget 5 per 1h)");
  CHECK(waiting.until == at(5min));
  CHECK(waiting.events.empty());  // already unhealthy since the restart
  CHECK(runs.run(ObservedHealth::Failing, at(5min)).decision == RestartDecision::Restart);
}

TEST_CASE("policy: the backoff starts over once the service stayed fine for backoff_reset_after",
          "[policy]") {
  Runs runs;
  runs.run(ObservedHealth::Failing, at(0min));
  runs.run(ObservedHealth::Failing, at(1min));
  runs.run(ObservedHealth::Failing, at(2min));
  REQUIRE(runs.history.backoff == 40s);

  runs.run(ObservedHealth::Fine, at(3min));
  runs.run(ObservedHealth::Fine, at(12min));
  CHECK(runs.history.backoff == 40s);  // 9 minutes fine: not yet

  SECTION("ten minutes fine") {
    runs.run(ObservedHealth::Fine, at(13min));
    CHECK(runs.history.backoff == 0s);
    CHECK_FALSE(runs.history.next_restart_at);
    runs.run(ObservedHealth::Failing, at(14min));
    CHECK(runs.history.backoff == 10s);  // backoff_initial again
  }
  SECTION("a run that was not fine starts the fine period over") {
    runs.run(ObservedHealth::Starting, at(12min + 30s));  // the engine restarted it by itself
    runs.run(ObservedHealth::Fine, at(13min));
    runs.run(ObservedHealth::Fine, at(22min));
    CHECK(runs.history.backoff == 40s);
    runs.run(ObservedHealth::Fine, at(23min));
    CHECK(runs.history.backoff == 0s);
  }
}

TEST_CASE("policy: a wall clock stepping backwards neither stalls nor hurries restarts", "[policy]") {
  Runs runs;
  runs.policy.backoff_initial = 5min;
  REQUIRE(runs.run(ObservedHealth::Failing, at(0min)).decision == RestartDecision::Restart);

  // A minute later the clock reads an hour earlier (11:01). Taken literally,
  // grace would last until 12:00:30 and the backoff until 12:05: an hour with
  // no restart. Moved back by the step, the waits keep their length.
  auto in_grace = runs.run(ObservedHealth::Failing, at(-59min));
  CHECK(in_grace.decision == RestartDecision::InGrace);
  CHECK(in_grace.until == at(-59min + 30s));
  auto backing_off = runs.run(ObservedHealth::Failing, at(-58min));
  CHECK(backing_off.decision == RestartDecision::BackingOff);
  CHECK(backing_off.until == at(-54min));
  CHECK(runs.run(ObservedHealth::Failing, at(-55min)).decision == RestartDecision::BackingOff);
  CHECK(runs.run(ObservedHealth::Failing, at(-54min)).decision == RestartDecision::Restart);
  CHECK(runs.history.restart_times == std::vector{at(-59min), at(-54min)});
}

TEST_CASE("policy: times in the future in a state file are taken as now", "[policy]") {
  pm::RestartPolicy policy;
  pm::ServiceHistory history;  // no last_seen: the step cannot be measured
  history.last_restart = at(24h);
  history.restart_times = {at(24h)};
  history.next_restart_at = at(48h);
  history.backoff = 20s;

  auto aligned = pm::decide(policy, history, ObservedHealth::Failing, at(0s), "api");
  CHECK(aligned.decision == RestartDecision::InGrace);
  CHECK(aligned.until == at(30s));
  CHECK(aligned.history.last_restart == at(0s));
  CHECK(aligned.history.next_restart_at == at(10min));  // at most backoff_max after the last restart
  CHECK(pm::decide(policy, aligned.history, ObservedHealth::Failing, at(10min), "api").decision ==
        RestartDecision::Restart);
}

TEST_CASE("policy: a paused service is neither counted nor restarted until the pause ends", "[policy]") {
  Runs runs;
  runs.run(ObservedHealth::Failing, at(0min));  // restarted: an incident is open
  runs.history = pm::pause_history(runs.history, at(2h));

  for (int minute = 1; minute <= 10; ++minute) {
    auto decision = runs.run(ObservedHealth::Failing, at(minute * 1min));
    CHECK(decision.decision == RestartDecision::Paused);
    CHECK(decision.reason == "paused until 14:00:00 UTC, or 'process-monitor resume api'");
    CHECK(decision.until == at(2h));
  }
  CHECK(runs.history.consecutive_failures == 0);
  CHECK(runs.restarts.size() == 1);

  SECTION("the pause ends by itself, and the incident still ends with Recovered") {
    CHECK(runs.run(ObservedHealth::Fine, at(2h)).events == std::vector{PolicyEvent::Recovered});
    CHECK_FALSE(runs.history.paused);
  }
  SECTION("paused until resume") {
    runs.history = pm::pause_history(runs.history, std::nullopt);
    auto decision = runs.run(ObservedHealth::Failing, at(3h));
    CHECK(decision.decision == RestartDecision::Paused);
    CHECK(decision.reason == "paused until 'process-monitor resume api'");
    runs.history = pm::resume_history(runs.history);
    CHECK(runs.run(ObservedHealth::Failing, at(3h + 1min)).decision == RestartDecision::Restart);
    CHECK(runs.count(PolicyEvent::BecameUnhealthy) == 1);
  }
}

TEST_CASE("policy: events are raised on changes only", "[policy]") {
  Runs runs;
  runs.policy.budget = pm::RestartBudget{.unlimited = true};
  for (int minute = 0; minute < 10; ++minute) runs.run(ObservedHealth::Failing, at(minute * 1min));
  CHECK(runs.restarts.size() > 1);
  CHECK(runs.events == std::vector{PolicyEvent::BecameUnhealthy});

  for (int minute = 10; minute < 13; ++minute) runs.run(ObservedHealth::Fine, at(minute * 1min));
  CHECK(runs.events == std::vector{PolicyEvent::BecameUnhealthy, PolicyEvent::Recovered});
  CHECK(runs.history.last_state == ServiceState::Healthy);
}

TEST_CASE("policy: names of observations, decisions, events and states", "[policy]") {
  CHECK(pm::to_string(ObservedHealth::Starting) == "starting");
  CHECK(pm::to_string(RestartDecision::WaitConfirm) == "wait-confirm");
  CHECK(pm::to_string(RestartDecision::BackingOff) == "backing-off");
  CHECK(pm::to_string(PolicyEvent::BecameUnhealthy) == "became-unhealthy");
  for (auto state : {ServiceState::Unknown, ServiceState::Healthy, ServiceState::Unhealthy,
                     ServiceState::Restarting, ServiceState::GaveUp}) {
    CHECK(pm::service_state_from_string(pm::to_string(state)) == state);
  }
  CHECK_FALSE(pm::service_state_from_string("paused"));
  CHECK(pm::format_wall_time(at(90s), at(0s)) == "12:01:30 UTC");
  CHECK(pm::format_wall_time(at(48h), at(0s)) == "2024-05-03 12:00:00 UTC");
}
