#include "core/cycle.hpp"

#include <map>

#include <spdlog/spdlog.h>

#include "core/observe.hpp"
#include "core/restart.hpp"
#include "core/verify.hpp"

namespace pm {

Cycle::Cycle(Backends& backends, Prober& prober, CommandRunner& runner, const Interrupt& interrupt,
             CycleOptions options, RestartGate* gate)
    : backends_(backends),
      prober_(prober),
      runner_(runner),
      interrupt_(interrupt),
      options_(options),
      gate_(gate != nullptr ? gate : &always_) {}

void Cycle::probe(std::vector<ServiceResult>& results, Deadline deadline) {
  std::vector<const HealthCheck*> checks;
  std::vector<std::size_t> owners;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (should_probe(*results[i].service, results[i].sighting)) {
      checks.push_back(&*results[i].service->health);
      owners.push_back(i);
    }
  }
  auto probes = prober_.probe_all(checks, deadline);
  for (std::size_t k = 0; k < owners.size(); ++k) results[owners[k]].probe = std::move(probes[k]);
}

void Cycle::measure(std::vector<ServiceResult>& results, Deadline deadline) {
  std::map<std::string, std::vector<UnitStatus*>> wanted;  // backend -> its units
  for (auto& result : results) {
    auto& status = result.sighting.status;
    if (result.service->limits.configured() && status && status->state == UnitState::Running &&
        status->usage == ResourceUse{}) {
      wanted[result.sighting.backend].push_back(&*status);
    }
  }
  for (const auto& [name, units] : wanted) {
    auto backend = backends_.find(name);
    if (backend == backends_.end()) continue;
    if (auto measured = backend->second->measure(units, deadline); !measured) {
      spdlog::error("{}: cannot read the usage of limited services: {}", name, measured.error());
    }
  }
}

void Cycle::check_limits(ServiceResult& result) {
  const auto& status = result.sighting.status;
  if (!result.service->limits.configured() || !status || status->state != UnitState::Running) return;
  result.limits = gate_->check_limits(*result.service, status->usage, result.sighting.backend);
  for (const auto& reading : result.limits) {
    if (reading.unsupported) {
      spdlog::warn("{}: {} limit not checked: {}", result.service->name, to_string(reading.resource),
                   reading.note);
    } else if (reading.acts() && reading.action == LimitAction::Warn) {
      spdlog::warn("{}: {}", result.service->name, describe(reading));
    } else if (reading.over() && !reading.acts()) {
      spdlog::info("{}: {}", result.service->name, describe(reading));
    }  // a restart limit that acts is the verdict's reason, logged with the restart
  }
  result.verdict = with_limits(std::move(result.verdict), result.limits);
}

bool Cycle::decide(ServiceResult& result) {
  const ServiceConfig& service = *result.service;
  if (result.verdict.health == Health::Starting) {
    result.action = Action::Wait;
    return false;
  }
  if (!needs_restart(result.verdict.health)) return false;
  if (auto possible = can_restart(service, result.sighting, backends_); !possible) {
    result.action_detail = possible.error();
    spdlog::error("{}: {} ({}); {}", service.name, to_string(result.verdict.health), result.verdict.reason,
                  possible.error());
    return false;
  }
  if (!result.restart_allowed) {
    result.action_detail = "not restarted: " + result.policy_note;
    spdlog::warn("{}: {} ({}); {}", service.name, to_string(result.verdict.health), result.verdict.reason,
                 result.action_detail);
    return false;
  }
  if (options_.dry_run) {
    result.action = Action::WouldRestart;
    spdlog::warn("{}: {} ({}); --dry-run: not restarting", service.name, to_string(result.verdict.health),
                 result.verdict.reason);
    return false;
  }
  if (interrupt_.requested()) {
    result.action_detail = "not restarted: the monitor was asked to stop";
    return false;
  }
  spdlog::warn("{}: {} ({}); restarting", service.name, to_string(result.verdict.health),
               result.verdict.reason);
  result.action = Action::Restart;
  gate_->restarted(service);
  return true;
}

void Cycle::restart(ServiceResult& result, Deadline deadline) {
  const ServiceConfig& service = *result.service;
  auto done = restart_service(service, result.sighting, backends_, runner_, deadline);
  if (done) {
    result.action_detail = *done;
  } else {
    result.action_failed = true;
    result.action_detail = done.error();
    spdlog::error("{}: restart failed: {}", service.name, done.error());
  }
}

CycleResult Cycle::run(const std::vector<ServicePtr>& services, Deadline deadline) {
  auto started = Deadline::Clock::now();
  CycleResult cycle;
  auto observed_services = observe_services(services, backends_, deadline);
  cycle.services.reserve(observed_services.size());
  for (auto& observed : observed_services) {
    ServiceResult result;
    result.service = std::move(observed.service);
    result.sighting = std::move(observed.sighting);
    cycle.services.push_back(std::move(result));
  }
  measure(cycle.services, deadline);
  probe(cycle.services, deadline);
  for (auto& result : cycle.services) {
    result.verdict = judge(*result.service, result.sighting, result.probe);
    check_limits(result);
    auto answer = gate_->judge(*result.service, result.verdict.health);
    result.restart_allowed = answer.restart;
    result.policy_note = std::move(answer.reason);
    if (result.verdict.health == Health::Unknown) {
      spdlog::error("{}: {}", result.service->name, result.verdict.reason);
    }
  }
  // Every restart is recorded, and the records kept (one state save), before
  // the first runs: a run killed during them leaves each counted once.
  std::vector<ServiceResult*> restarting;
  for (auto& result : cycle.services) {
    if (decide(result)) restarting.push_back(&result);
  }
  if (!restarting.empty()) gate_->before_restarts();
  for (ServiceResult* result : restarting) restart(*result, deadline);

  std::vector<ServiceResult*> pending;
  for (auto& result : cycle.services) {
    bool restarted = result.action == Action::Restart && !result.action_failed;
    if (restarted || result.action == Action::Wait) pending.push_back(&result);
  }
  Verifier verifier(backends_, prober_, interrupt_, options_.verify_interval);
  verifier.run(pending, started, deadline);

  cycle.elapsed = std::chrono::duration_cast<Duration>(Deadline::Clock::now() - started);
  cycle.interrupted = interrupt_.requested();
  cycle.deadline_reached = deadline.expired();
  return cycle;
}

}  // namespace pm
