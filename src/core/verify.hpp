#pragma once
// The verify stage: after a restart (or while the engine is already
// starting a service), re-observe and re-probe until the service is fine or
// its verify_timeout passes. A restart is only reported as a recovery once
// this has seen the service fine.
#include <vector>

#include "backend/registry.hpp"
#include "core/cycle_result.hpp"
#include "probe/probe.hpp"
#include "util/interrupt.hpp"

namespace pm {

class Verifier {
 public:
  Verifier(Backends& backends, Prober& prober, const Interrupt& interrupt, Duration interval);

  // Sets final_verdict and settled_after of every service in `pending`.
  // A service with a health check (its probe, or the engine's own check
  // reporting healthy) is fine after one passing round; one without must be
  // seen running with the same pids twice in a row (a crash-looping process
  // is "online" for a moment after every restart).
  // Returns early on a stop request or at `deadline`, saying so in the
  // final verdicts of the services left.
  void run(const std::vector<ServiceResult*>& pending, Deadline::Clock::time_point cycle_start,
           Deadline deadline);

 private:
  // Asks each backend for the pids of the units in `sightings` (those of
  // `services`, in order) whose observation left them out and that no check
  // vouches for (Backend::identify); a failure is logged and those units
  // stay unknown this round.
  void identify_processes(const std::vector<ServicePtr>& services, std::vector<Sighting>& sightings,
                          Deadline deadline);

  Backends& backends_;
  Prober& prober_;
  const Interrupt& interrupt_;
  Duration interval_;
};

}  // namespace pm
