#pragma once
// From each engine's own answer (one query per engine) to what a config
// could monitor. Pure functions: tests feed them recorded answers.
#include <vector>

#include "backend/docker_containers.hpp"
#include "backend/pm2_jlist.hpp"
#include "backend/systemd_bus.hpp"
#include "discover/findings.hpp"

namespace pm {

// One finding per PM2 app name (the instances of a cluster are one app),
// sorted by name. An app whose name cannot be a target is listed as not
// monitored.
EngineFindings pm2_findings(const std::vector<Pm2Process>& processes);

// One finding per Compose service (com.docker.compose.project / .service
// labels; its replicas together) and per other container that is running,
// restarting or paused. Stopped containers outside Compose (leftovers of
// `docker run`, usually) and Compose one-off containers (`docker compose
// run`) are only mentioned. A Docker HEALTHCHECK is noted: the engine's
// health is used.
EngineFindings docker_findings(const std::vector<ContainerSummary>& containers);

// One finding per service unit that is enabled (its unit file, or the
// template an instance comes from), or failed. Templates themselves cannot
// run and are left out.
EngineFindings systemd_findings(SystemdScope scope, const SystemdServiceListing& listing);
// How a systemd manager is called in findings: "systemd", "systemd --user".
std::string systemd_engine_name(SystemdScope scope);

}  // namespace pm
