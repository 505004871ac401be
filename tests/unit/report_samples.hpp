#pragma once
// ServiceResults as a cycle leaves them, one per kind of outcome, for the
// report renderers' tests (text, JSON, Prometheus, Nagios).
#include <memory>
#include <string>

#include "core/cycle_result.hpp"
#include "fakes.hpp"

namespace pm::test {

inline std::shared_ptr<const ServiceConfig> service_named(std::string name, std::string backend = "pm2") {
  ServiceConfig service;
  service.name = std::move(name);
  service.backend = std::move(backend);
  service.target = service.name;
  return std::make_shared<const ServiceConfig>(std::move(service));
}

// Running, probed 200 in `latency`.
inline ServiceResult healthy_result(std::string name, Duration latency = Duration{4}) {
  ServiceResult result;
  result.service = service_named(std::move(name));
  result.sighting = Sighting{"pm2", running({41}), ""};
  result.probe = ProbeResult{true, 200, latency, 1, ""};
  result.verdict = {Health::Healthy, ""};
  return result;
}

// Answered 503 three times, restarted, healthy 1.5 s into the cycle.
inline ServiceResult restarted_result(std::string name) {
  ServiceResult result;
  result.service = service_named(std::move(name));
  result.sighting = Sighting{"pm2", running({7}), ""};
  result.probe = ProbeResult{false, 503, Duration{12}, 3, "status 503 not in 200-399"};
  result.verdict = {Health::Unhealthy, "status 503 not in 200-399"};
  result.action = Action::Restart;
  result.action_detail = "pm2 restart 0";
  result.final_verdict = Verdict{Health::Healthy, ""};
  result.settled_after = Duration{1500};
  return result;
}

// Stopped, and the engine refused to start it.
inline ServiceResult restart_failed_result(std::string name) {
  ServiceResult result;
  result.service = service_named(std::move(name));
  result.sighting = Sighting{"pm2", with_state(UnitState::Stopped, "stopped"), ""};
  result.verdict = {Health::Down, "pm2 says stopped"};
  result.action = Action::Restart;
  result.action_detail = "'pm2 restart 3' exited with status 1: [PM2][ERROR] Process 3 not found";
  result.action_failed = true;
  return result;
}

// --dry-run: failing, would have been restarted.
inline ServiceResult dry_run_result(std::string name) {
  ServiceResult result = restarted_result(std::move(name));
  result.action = Action::WouldRestart;
  result.action_detail.clear();
  result.final_verdict.reset();
  result.settled_after = Duration{0};
  return result;
}

// The engine could not be asked: no state, no probe.
inline ServiceResult unreachable_result(std::string name) {
  ServiceResult result;
  result.service = service_named(std::move(name));
  result.sighting = Sighting{"pm2", std::nullopt, "PM2 daemon is not running"};
  result.verdict = {Health::Unknown, "PM2 daemon is not running"};
  return result;
}

// backend "none" (probe only): the probe got no HTTP answer, so no status code.
inline ServiceResult refused_probe_result(std::string name) {
  ServiceResult result;
  result.service = service_named(std::move(name), "none");
  result.sighting = Sighting{"none", std::nullopt, ""};
  result.probe = ProbeResult{false, 0, Duration{1}, 1, "connection refused"};
  result.verdict = {Health::Unhealthy, "connection refused"};
  return result;
}

}  // namespace pm::test
