#include "core/verify.hpp"

#include <map>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/observe.hpp"

namespace pm {
namespace {

using Clock = Deadline::Clock;

struct Watch {
  ServiceResult* result;
  Clock::time_point window_end;
  Verdict last;  // the latest verdict that was not fine
  // The pids of the previous round when it was fine without anything to
  // vouch for it (possibly none: a oneshot unit or a target has no process).
  std::optional<std::vector<int>> running_pids;
  // The latest round found it fine, but its process could not be identified
  // (Backend::identify failed), so nothing tells whether it stays up.
  bool unidentified = false;
};

Duration since(Clock::time_point start) { return std::chrono::duration_cast<Duration>(Clock::now() - start); }

// A passing check (ours or the engine's own) or an allowed stop settles a
// service at once; a bare "running" does not (see Verifier::run).
bool vouched_for(const ServiceConfig& service, const Verdict& verdict, const Sighting& sighting) {
  return service.health || verdict.health == Health::StoppedOk || !sighting.status ||
         sighting.status->engine_health == "healthy";
}

void settle(Watch& watch, Verdict verdict, Clock::time_point cycle_start) {
  watch.result->final_verdict = std::move(verdict);
  watch.result->settled_after = since(cycle_start);
}

}  // namespace

Verifier::Verifier(Backends& backends, Prober& prober, const Interrupt& interrupt, Duration interval)
    : backends_(backends), prober_(prober), interrupt_(interrupt), interval_(interval) {}

void Verifier::identify_processes(const std::vector<ServicePtr>& services, std::vector<Sighting>& sightings,
                                  Deadline deadline) {
  std::map<std::string, std::vector<UnitStatus*>> unknown;  // by backend
  for (std::size_t i = 0; i < sightings.size(); ++i) {
    auto& status = sightings[i].status;
    // A check vouches for these without their pids (vouched_for).
    if (!status || status->processes_known || services[i]->health || status->engine_health == "healthy")
      continue;
    unknown[sightings[i].backend].push_back(&*status);
  }
  for (auto& [name, units] : unknown) {
    auto backend = backends_.find(name);
    if (backend == backends_.end()) continue;
    if (auto identified = backend->second->identify(units, deadline); !identified)
      spdlog::warn("{}: the processes of restarted units are unknown: {}", name, identified.error());
  }
}

void Verifier::run(const std::vector<ServiceResult*>& pending, Clock::time_point cycle_start,
                   Deadline deadline) {
  std::vector<Watch> watches;
  for (auto* result : pending) {
    watches.push_back(Watch{result, Clock::now() + result->service->verify_timeout, result->verdict, {}});
  }
  while (!watches.empty()) {
    std::vector<ServicePtr> services;
    for (const auto& watch : watches) services.push_back(watch.result->service);
    // Watched services name single units, so there is one Observed each.
    std::vector<Sighting> sightings;
    for (auto& observed : observe_services(services, backends_, deadline)) {
      sightings.push_back(std::move(observed.sighting));
    }
    if (sightings.size() != services.size())
      sightings.resize(services.size(), Sighting{"", std::nullopt, "lost"});
    identify_processes(services, sightings, deadline);

    // Each round is one attempt: retries would only stretch the round.
    std::vector<HealthCheck> checks;
    std::vector<std::size_t> owners;
    for (std::size_t i = 0; i < watches.size(); ++i) {
      if (should_probe(*services[i], sightings[i])) {
        checks.push_back(*services[i]->health);
        checks.back().retries = 0;
        owners.push_back(i);
      }
    }
    std::vector<const HealthCheck*> check_pointers;
    for (const auto& check : checks) check_pointers.push_back(&check);
    auto probes = prober_.probe_all(check_pointers, deadline);
    std::vector<std::optional<ProbeResult>> probe_of(watches.size());
    for (std::size_t k = 0; k < owners.size(); ++k) probe_of[owners[k]] = std::move(probes[k]);

    std::vector<Watch> still;
    for (std::size_t i = 0; i < watches.size(); ++i) {
      Watch& watch = watches[i];
      const ServiceConfig& service = *services[i];
      Verdict verdict = judge(service, sightings[i], probe_of[i]);
      if (is_fine(verdict.health)) {
        // vouched_for() holds when there is no status (a probe-only service).
        const bool vouched = vouched_for(service, verdict, sightings[i]);
        const UnitStatus* status = vouched ? nullptr : &*sightings[i].status;
        bool stable =
            vouched || (status->processes_known && watch.running_pids && *watch.running_pids == status->pids);
        if (stable) {
          spdlog::info("{}: {} after {}", service.name, to_string(verdict.health),
                       format_duration(since(cycle_start)));
          settle(watch, verdict, cycle_start);
          continue;
        }
        watch.unidentified = !status->processes_known;
        if (status->processes_known) {
          watch.running_pids = status->pids;
        } else {
          watch.running_pids.reset();  // not known this round: nothing to compare the next one with
        }
      } else {
        watch.last = verdict;
        watch.running_pids.reset();
        watch.unidentified = false;
      }
      if (Clock::now() >= watch.window_end) {
        // Seen running once but never twice the same: it may be restarting
        // in a loop, so it is not reported as recovered.
        Verdict final =
            watch.running_pids
                ? Verdict{Health::Unhealthy,
                          fmt::format("seen running but not twice with the same process within {}; "
                                      "it may be restarting in a loop",
                                      format_duration(service.verify_timeout))}
            : watch.unidentified
                ? Verdict{Health::Unknown,
                          fmt::format("running after the restart, but its process could not be identified "
                                      "within {} to tell whether it stays up",
                                      format_duration(service.verify_timeout))}
                : Verdict{watch.last.health,
                          fmt::format("still {} after {}: {}", to_string(watch.last.health),
                                      format_duration(service.verify_timeout), watch.last.reason)};
        spdlog::error("{}: {}", service.name, final.reason);
        settle(watch, std::move(final), cycle_start);
        continue;
      }
      still.push_back(watch);
    }
    watches = std::move(still);
    if (watches.empty()) break;

    std::string cut_short;
    if (interrupt_.requested()) cut_short = "not verified: the monitor was asked to stop";
    if (deadline.remaining() <= interval_) cut_short = "not verified: the run deadline was reached";
    if (cut_short.empty() && !interrupt_.sleep_for(interval_))
      cut_short = "not verified: the monitor was asked to stop";
    if (!cut_short.empty()) {
      for (auto& watch : watches) {
        spdlog::error("{}: {} (last seen {}: {})", watch.result->service->name, cut_short,
                      to_string(watch.last.health), watch.last.reason);
        settle(watch, Verdict{watch.last.health, cut_short}, cycle_start);
      }
      break;
    }
  }
}

}  // namespace pm
