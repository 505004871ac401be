#pragma once
// Fakes for the cycle's seams: a backend whose answers a test scripts, a
// prober that returns scripted results, a command runner that records argv.
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "config/config.hpp"
#include "probe/probe.hpp"
#include "util/exec.hpp"

namespace pm::test {

// Without a handle, FakeBackend gives the unit its target as handle, so
// distinct targets are distinct units.
inline UnitStatus running(std::vector<int> pids = {100}, std::string handle = "") {
  UnitStatus status;
  status.state = UnitState::Running;
  status.engine_state = "online";
  status.pids = std::move(pids);
  if (!handle.empty()) status.handles = {std::move(handle)};
  return status;
}

inline UnitStatus with_state(UnitState state, std::string word) {
  UnitStatus status = running();
  status.state = state;
  status.engine_state = std::move(word);
  if (state != UnitState::Running) status.pids.clear();
  return status;
}

class FakeBackend : public Backend {
 public:
  explicit FakeBackend(std::string name = "pm2") : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }

  std::expected<StatusByTarget, std::string> observe(const std::vector<std::string>& targets,
                                                     Deadline) override {
    ++observe_calls;
    observed_targets.push_back(targets);
    if (on_observe) on_observe(observe_calls);
    if (!engine_error.empty()) return std::unexpected(engine_error);
    StatusByTarget out;
    for (const auto& target : targets) {
      if (auto group = groups.find(target); group != groups.end()) {
        out[target] = group->second;
        continue;
      }
      auto it = states.find(target);
      UnitStatus status = it == states.end() ? with_state(UnitState::Missing, "not in list") : it->second;
      if (status.handles.empty() && status.state != UnitState::Missing) status.handles = {target};
      out[target] = {status};
    }
    return out;
  }

  // Fills usage from `usage_by_handle`, as Docker's stats calls do.
  std::expected<void, std::string> measure(const std::vector<UnitStatus*>& units, Deadline) override {
    ++measure_calls;
    for (UnitStatus* unit : units) {
      measured_handles.push_back(unit->handles.front());
      if (auto it = usage_by_handle.find(unit->handles.front()); it != usage_by_handle.end())
        unit->usage = it->second;
    }
    if (!measure_error.empty()) return std::unexpected(measure_error);
    return {};
  }

  // Fills the pids of units left unknown from `pids_by_handle`, as Docker's inspects do.
  std::expected<void, std::string> identify(const std::vector<UnitStatus*>& units, Deadline) override {
    ++identify_calls;
    for (UnitStatus* unit : units) {
      identified_handles.push_back(unit->handles.front());
      if (!identify_error.empty()) continue;
      if (auto it = pids_by_handle.find(unit->handles.front()); it != pids_by_handle.end()) {
        unit->pids = it->second;
        unit->processes_known = true;
      }
    }
    if (!identify_error.empty()) return std::unexpected(identify_error);
    return {};
  }

  std::expected<std::string, std::string> restart(const ServiceConfig& service, const UnitStatus&,
                                                  Deadline) override {
    const std::string& target = service.target;
    restarted.push_back(target);
    if (!restart_error.empty()) return std::unexpected(restart_error);
    if (on_restart) on_restart(target);
    return "fake restart " + target;
  }

  std::map<std::string, UnitStatus> states;
  std::map<std::string, std::vector<UnitStatus>> groups;  // group selectors: every member
  std::string engine_error;
  std::string restart_error;
  std::function<void(const std::string&)> on_restart;  // e.g. make the service healthy
  std::function<void(int)> on_observe;                 // called with the call count, before answering
  std::vector<std::string> restarted;
  std::vector<std::vector<std::string>> observed_targets;
  int observe_calls = 0;
  std::map<std::string, ResourceUse> usage_by_handle;  // what measure() reports
  std::string measure_error;
  std::vector<std::string> measured_handles;
  int measure_calls = 0;
  std::map<std::string, std::vector<int>> pids_by_handle;  // what identify() reports
  std::string identify_error;
  std::vector<std::string> identified_handles;
  int identify_calls = 0;

 private:
  std::string name_;
};

// Answers by URL: the current result for each URL (healthy unless set).
class FakeProber : public Prober {
 public:
  std::vector<ProbeResult> probe_all(const std::vector<const HealthCheck*>& checks, Deadline) override {
    ++calls;
    std::vector<ProbeResult> out;
    for (const auto* check : checks) {
      probed_urls.push_back(check->url);
      auto it = results.find(check->url);
      ProbeResult result = it == results.end() ? ProbeResult{true, 200, Duration{3}, 1, ""} : it->second;
      out.push_back(result);
    }
    return out;
  }

  static ProbeResult failing(std::string error, long status = 503) {
    return ProbeResult{false, status, Duration{3}, 1, std::move(error)};
  }

  std::map<std::string, ProbeResult> results;
  std::vector<std::string> probed_urls;
  int calls = 0;
};

class FakeRunner : public CommandRunner {
 public:
  std::expected<ExecResult, std::string> run(const ExecRequest& request) override {
    commands.push_back(request.argv);
    if (!spawn_error.empty()) return std::unexpected(spawn_error);
    ExecResult result;
    result.exit_code = exit_code;
    result.err = stderr_text;
    if (on_run) on_run(request.argv);
    return result;
  }
  std::vector<std::vector<std::string>> commands;
  int exit_code = 0;
  std::string stderr_text;
  std::string spawn_error;
  std::function<void(const std::vector<std::string>&)> on_run;
};

}  // namespace pm::test
