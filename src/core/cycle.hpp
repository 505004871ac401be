#pragma once
// One monitoring cycle: observe -> probe -> judge -> act -> verify. The
// seams (backends, prober, command runner) come in through the constructor,
// so a test builds a Cycle from fakes.
#include <vector>

#include "backend/registry.hpp"
#include "config/config.hpp"
#include "core/cycle_result.hpp"
#include "core/restart_gate.hpp"
#include "probe/probe.hpp"
#include "util/exec.hpp"
#include "util/interrupt.hpp"

namespace pm {

struct CycleOptions {
  bool dry_run = false;            // judge and report, restart nothing
  Duration verify_interval{1000};  // between re-checks while verifying
};

class Cycle {
 public:
  // `gate` (optional) is the restart policy; without one every needed
  // restart is made.
  Cycle(Backends& backends, Prober& prober, CommandRunner& runner, const Interrupt& interrupt,
        CycleOptions options, RestartGate* gate = nullptr);

  // Runs one cycle over `services`; nothing runs past `deadline`.
  CycleResult run(const std::vector<ServicePtr>& services, Deadline deadline);

 private:
  // Probes the services that should be probed; fills result.probe.
  void probe(std::vector<ServiceResult>& results, Deadline deadline);
  // Asks each backend for the usage of its running units that have limits
  // and no usage yet (Docker's stats); a failure is logged and leaves them unmeasured.
  void measure(std::vector<ServiceResult>& results, Deadline deadline);
  // Reads the service's limits (through the gate, which counts runs over them)
  // and lets a `restart` limit that acts turn the verdict unhealthy.
  void check_limits(ServiceResult& result);
  // What to do about the service (wait, nothing, would restart); true when
  // it is to be restarted, which the gate has then recorded.
  bool decide(ServiceResult& result);
  void restart(ServiceResult& result, Deadline deadline);

  Backends& backends_;
  Prober& prober_;
  CommandRunner& runner_;
  const Interrupt& interrupt_;
  CycleOptions options_;
  AlwaysRestart always_;
  RestartGate* gate_;
};

}  // namespace pm
