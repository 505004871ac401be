#pragma once
// The plain data one cycle produces: Observation -> Verdict -> Action ->
// Outcome for every service, and the exit code they add up to.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/verdict.hpp"
#include "probe/probe.hpp"
#include "resources/resource_check.hpp"

namespace pm {

enum class Action {
  None,          // nothing to do (fine, or nothing can be done: see detail)
  Restart,       // restarted (or started) through the backend or restart_command
  WouldRestart,  // --dry-run: would have restarted
  Wait,          // the engine was already acting; waited for it
};

std::string_view to_string(Action action);

struct ServiceResult {
  // The service as configured, or a member of a configured group (one
  // container of a Compose project), which has a config of its own.
  std::shared_ptr<const ServiceConfig> service;
  Sighting sighting;                 // what the backend said first
  std::optional<ProbeResult> probe;  // the first probe, when one ran
  Verdict verdict;                   // the first judgement
  // [service.limits] as read this cycle (running services with limits only).
  std::vector<LimitReading> limits;
  bool restart_allowed = true;  // by the restart policy (confirm, grace, backoff, budget, pause)
  std::string policy_note;      // the policy's reason ("in grace until ...", "gave up: ...")
  Action action = Action::None;
  std::string action_detail;             // the command run, or why no restart was possible
  bool action_failed = false;            // the restart was refused or could not be made
  std::optional<Verdict> final_verdict;  // after verification (Restart and Wait only)
  Duration settled_after{0};             // from the start of the cycle to the final verdict
};

// The limits that make a warning: over a `warn` limit for its runs, or not
// measurable because the engine reports nothing for it.
std::vector<const LimitReading*> limit_warnings(const ServiceResult& result);

// 0 fine; 1 was restarted and is verified fine now, or a limit warns; 2 still not fine.
int service_exit_code(const ServiceResult& result);

struct CycleResult {
  std::vector<ServiceResult> services;
  std::vector<ResourceCheck> resources;  // the [resources] checks; empty when none is configured
  Duration elapsed{0};
  bool interrupted = false;       // SIGTERM/SIGINT arrived during the cycle
  bool deadline_reached = false;  // the run deadline cut something short
  // The worst of the services' and the resource checks' (warn 1, critical 2); 0 for none.
  int exit_code() const;
};

}  // namespace pm
