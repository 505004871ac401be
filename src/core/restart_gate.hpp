#pragma once
// The seam between one cycle and the restart policy that outlives it: the
// cycle tells the gate each service's verdict, and restarts only what the
// gate allows. Without a policy (tests, and the gate's default) every
// needed restart is allowed.
#include <string>

#include "config/config.hpp"
#include "core/verdict.hpp"
#include "resources/service_limits.hpp"

namespace pm {

class RestartGate {
 public:
  struct Answer {
    bool restart = true;  // a needed restart may happen now
    std::string reason;   // why not ("in grace until ...", "gave up: ..."), or the policy's note
  };
  virtual ~RestartGate() = default;
  // Once per service per cycle, with its first verdict.
  virtual Answer judge(const ServiceConfig& service, Health health) = 0;
  // A restart of `service` is about to be attempted: called before the
  // restart runs, so a monitor killed during it (SIGKILL, OOM) has already
  // counted it, once, however the attempt ends.
  virtual void restarted(const ServiceConfig& service) = 0;
  // Once per cycle, after every restart of the cycle was recorded by
  // restarted() and before the first runs. Optional.
  virtual void before_restarts() {}
  // Once per running service with limits per cycle, before judge(): its
  // limits read against `use` (as the engine `backend` reported it). The
  // default remembers nothing between cycles, so every limit counts only
  // this cycle's run.
  virtual std::vector<LimitReading> check_limits(const ServiceConfig& service, const ResourceUse& use,
                                                 std::string_view backend) {
    return pm::check_limits(service.limits, use, {}, WallClock::now(), backend).readings;
  }
};

class AlwaysRestart : public RestartGate {
 public:
  Answer judge(const ServiceConfig&, Health) override { return {}; }
  void restarted(const ServiceConfig&) override {}
};

}  // namespace pm
