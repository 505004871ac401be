#pragma once
// The restart policy (policy/restart_policy.hpp) behind the RestartGate
// seam: decisions from each service's history, which the caller loads from
// and saves to the state file, and the alert events they produce.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/restart_gate.hpp"
#include "policy/random_source.hpp"
#include "policy/restart_policy.hpp"

namespace pm {

struct ServiceEvent {
  std::string service;
  PolicyEvent event;
  std::string reason;
};

class PolicyGate : public RestartGate {
 public:
  // `histories` (by service name) is read and updated in place. `persist`,
  // when given, is called once a cycle's restarts are recorded and before
  // the first runs: it writes the histories to the state file, so a run
  // killed during a restart leaves it counted and the next run in its grace.
  PolicyGate(std::map<std::string, ServiceHistory>& histories, RandomSource& random,
             std::function<void()> persist = {});

  // The wall time decisions of the next cycle are made at.
  void begin_cycle(WallTime now) { now_ = now; }

  Answer judge(const ServiceConfig& service, Health health) override;
  // A restart starts the runs over each limit again.
  void restarted(const ServiceConfig& service) override;
  void before_restarts() override;
  // Counts the runs over each limit in the service's history.
  std::vector<LimitReading> check_limits(const ServiceConfig& service, const ResourceUse& use,
                                         std::string_view backend) override;

  // The events since the last call, oldest first.
  std::vector<ServiceEvent> take_events();

 private:
  std::map<std::string, ServiceHistory>& histories_;
  RandomSource& random_;
  std::function<void()> persist_;
  WallTime now_{};
  std::vector<ServiceEvent> events_;
};

}  // namespace pm
