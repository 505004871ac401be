#include "core/policy_gate.hpp"

namespace pm {
namespace {

ObservedHealth observed(Health health) {
  switch (health) {
    case Health::Healthy:
    case Health::StoppedOk: return ObservedHealth::Fine;
    case Health::Unhealthy:
    case Health::Down: return ObservedHealth::Failing;
    case Health::Starting: return ObservedHealth::Starting;
    case Health::Unknown: return ObservedHealth::Unknown;
  }
  return ObservedHealth::Unknown;
}

}  // namespace

PolicyGate::PolicyGate(std::map<std::string, ServiceHistory>& histories, RandomSource& random,
                       std::function<void()> persist)
    : histories_(histories), random_(random), persist_(std::move(persist)) {}

RestartGate::Answer PolicyGate::judge(const ServiceConfig& service, Health health) {
  ServiceHistory& history = histories_[service.name];
  PolicyDecision decision = decide(service.policy, history, observed(health), now_, service.name);
  history = decision.history;
  for (auto event : decision.events) events_.push_back(ServiceEvent{service.name, event, decision.reason});
  return Answer{decision.decision == RestartDecision::Restart, decision.reason};
}

void PolicyGate::restarted(const ServiceConfig& service) {
  ServiceHistory& history = histories_[service.name];
  history = record_restart(service.policy, history, now_, random_);
  history.limits.memory_over = 0;
  history.limits.cpu_over = 0;
}

void PolicyGate::before_restarts() {
  if (persist_) persist_();
}

std::vector<LimitReading> PolicyGate::check_limits(const ServiceConfig& service, const ResourceUse& use,
                                                   std::string_view backend) {
  ServiceHistory& history = histories_[service.name];
  LimitOutcome outcome = pm::check_limits(service.limits, use, history.limits, now_, backend);
  history.limits = outcome.next;
  return std::move(outcome.readings);
}

std::vector<ServiceEvent> PolicyGate::take_events() { return std::exchange(events_, {}); }

}  // namespace pm
