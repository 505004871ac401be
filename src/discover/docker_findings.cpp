#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backend/docker_selector.hpp"
#include "config/docker_selection.hpp"
#include "discover/engine_findings.hpp"

namespace pm {
namespace {

// "running (healthy)", "exited".
std::string state_words(const ContainerSummary& container) {
  std::string health = health_from_status_text(container.status_text);
  return health.empty() ? container.state : fmt::format("{} ({})", container.state, health);
}

// Running, restarting (the engine is acting) and paused containers are what
// the engine runs; the rest were stopped or never started.
bool is_up(const ContainerSummary& container) {
  return container.state == "running" || container.state == "restarting" || container.state == "paused";
}

// The Docker HEALTHCHECK note, when a container has one. Only the list's
// status text tells, and only for running containers.
std::optional<std::string> healthcheck_note(const std::vector<const ContainerSummary*>& containers) {
  for (const auto* container : containers) {
    std::string health = health_from_status_text(container->status_text);
    if (!health.empty()) {
      return fmt::format("Docker HEALTHCHECK ({} now): the engine's own health is used; no health URL is set",
                         health);
    }
  }
  return std::nullopt;
}

// One Compose service, its replicas together: Stopped only when every one is.
Finding compose_finding(const std::string& project, const std::string& service,
                        const std::vector<const ContainerSummary*>& containers) {
  Finding finding = make_finding("docker", project + "-" + service, "docker",
                                 {{"compose_project", project}, {"compose_service", service}});
  std::vector<std::string> words;
  // Stopped only when every replica is; else the worst of the others (a
  // stopped replica beside running ones is then down, and restarted).
  constexpr UnitState kWorstFirst[] = {UnitState::Failed, UnitState::Stopping, UnitState::Starting,
                                       UnitState::Running};
  finding.state = UnitState::Stopped;
  for (const auto* container : containers) {
    words.push_back(containers.size() == 1 ? state_words(*container)
                                           : fmt::format("{} {}", container->name, state_words(*container)));
    UnitState state = docker_state_to_unit_state(container->state);
    if (state == UnitState::Stopped) continue;
    if (finding.state == UnitState::Stopped ||
        std::ranges::find(kWorstFirst, state) < std::ranges::find(kWorstFirst, finding.state))
      finding.state = state;
  }
  finding.engine_state = fmt::format("{}", fmt::join(words, ", "));
  finding.notes.push_back(containers.size() == 1
                              ? fmt::format("Compose project {}, service {}: container {}", project, service,
                                            containers.front()->name)
                              : fmt::format("Compose project {}, service {}: {} containers, each checked",
                                            project, service, containers.size()));
  if (auto note = healthcheck_note(containers)) finding.notes.push_back(*note);
  if (!is_compose_project(project) || !is_compose_service(service)) {
    finding.not_monitored =
        fmt::format("Compose project {} / service {} cannot be written as compose_project / compose_service",
                    project, service);
  }
  return finding;
}

Finding container_finding(const ContainerSummary& container) {
  Finding finding = make_finding("docker", container.name, "docker", {{"container", container.name}});
  finding.state = docker_state_to_unit_state(container.state);
  finding.engine_state = state_words(container);
  if (auto note = healthcheck_note({&container})) finding.notes.push_back(*note);
  if (!is_container_name(container.name)) finding.not_monitored = "its name is not a valid container name";
  return finding;
}

}  // namespace

EngineFindings docker_findings(const std::vector<ContainerSummary>& containers) {
  EngineFindings found = make_engine_findings("docker", "docker");
  std::vector<const ContainerSummary*> sorted;
  for (const auto& container : containers) sorted.push_back(&container);
  std::ranges::sort(sorted, {}, &ContainerSummary::name);  // the engine lists newest first

  std::map<std::pair<std::string, std::string>, std::vector<const ContainerSummary*>> compose;
  for (const auto* container : sorted) {
    std::string project = container_label(*container, kComposeProjectLabel);
    std::string service = container_label(*container, kComposeServiceLabel);
    if (container_label(*container, "com.docker.compose.oneoff") == "True") {
      found.notes.push_back(fmt::format("not monitored: {} ({}), a one-off 'docker compose run' container",
                                        container->name, container->state));
    } else if (!project.empty() && !service.empty()) {
      compose[{project, service}].push_back(container);
    } else if (is_up(*container)) {
      found.findings.push_back(container_finding(*container));
    } else {
      found.notes.push_back(fmt::format(
          "not monitored: {} ({}), stopped and not in a Compose project; if it should run, add a [[service]] "
          "with container = \"{}\"",
          container->name, container->status_text, container->name));
    }
  }
  for (const auto& [key, members] : compose) {
    found.findings.push_back(compose_finding(key.first, key.second, members));
  }
  return found;
}

}  // namespace pm
