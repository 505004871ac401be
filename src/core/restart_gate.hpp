#pragma once
// The seam between one cycle and the restart policy that outlives it: the
// cycle tells the gate each service's verdict, and restarts only what the
// gate allows. Without a policy (tests, and the gate's default) every
// needed restart is allowed.
#include <string>

#include "config/config.hpp"
#include "core/verdict.hpp"

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
  // A restart of `service` was attempted (accepted or refused).
  virtual void restarted(const ServiceConfig& service) = 0;
};

class AlwaysRestart : public RestartGate {
 public:
  Answer judge(const ServiceConfig&, Health) override { return {}; }
  void restarted(const ServiceConfig&) override {}
};

}  // namespace pm
