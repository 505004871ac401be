#include "discover/discover.hpp"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backend/docker_backend.hpp"
#include "backend/pm2_backend.hpp"
#include "backend/systemd_backend.hpp"
#include "discover/engine_findings.hpp"

namespace pm {
namespace {

// `binary` as the monitor would find it in PATH now, so a config run from
// cron (whose PATH is short) finds the same one; unchanged when it holds a
// '/' or is not found.
std::string found_in_path(const std::string& binary) {
  const char* path = std::getenv("PATH");
  if (binary.find('/') != std::string::npos || path == nullptr) return binary;
  std::string_view dirs(path);
  while (!dirs.empty()) {
    std::string_view dir = dirs.substr(0, dirs.find(':'));
    dirs.remove_prefix(std::min(dirs.size(), dir.size() + 1));
    if (dir.empty()) continue;
    std::string candidate = fmt::format("{}/{}", dir, binary);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return binary;
}

// The config's value, else the environment's; unset when neither has one.
std::optional<std::string> config_or_env(const std::optional<std::string>& configured, const char* variable) {
  if (configured) return configured;
  const char* value = std::getenv(variable);
  if (value != nullptr && *value != '\0') return std::string(value);
  return std::nullopt;
}

EngineFindings discover_pm2(const Config& settings, CommandRunner& runner, Deadline deadline) {
  Pm2Backend backend(settings.pm2, runner);
  auto processes = backend.list_processes(deadline);
  if (!processes) return make_engine_findings("pm2", "pm2", processes.error());
  EngineFindings found = pm2_findings(*processes);
  found.settings.push_back(
      EngineSetting{.key = "binary", .value = found_in_path(settings.pm2.binary), .boolean = false});
  found.settings.push_back(EngineSetting{.key = "home", .value = backend.pm2_home(), .boolean = false});
  return found;
}

EngineFindings discover_docker(const Config& settings, Deadline deadline) {
  DockerBackend backend(settings.docker);
  auto containers = backend.list_containers(deadline);
  if (!containers) return make_engine_findings("docker", "docker", containers.error());
  EngineFindings found = docker_findings(*containers);
  if (auto host = config_or_env(settings.docker.host, "DOCKER_HOST"))
    found.settings.push_back(EngineSetting{.key = "host", .value = *host, .boolean = false});
  std::optional<bool> tls_verify = settings.docker.tls_verify;
  if (const char* env = std::getenv("DOCKER_TLS_VERIFY"); !tls_verify && env != nullptr && *env != '\0')
    tls_verify = std::string_view(env) != "0";
  if (tls_verify)
    found.settings.push_back(
        EngineSetting{.key = "tls_verify", .value = *tls_verify ? "true" : "false", .boolean = true});
  if (auto cert_path = config_or_env(settings.docker.cert_path, "DOCKER_CERT_PATH"))
    found.settings.push_back(EngineSetting{.key = "cert_path", .value = *cert_path, .boolean = false});
  return found;
}

void discover_systemd(const Config& settings, Deadline deadline, std::vector<EngineFindings>& out) {
  SystemdBackend backend(settings.systemd);
  for (SystemdScope scope : {SystemdScope::System, SystemdScope::User}) {
    auto listing = backend.list_service_units(scope, deadline);
    if (listing) {
      out.push_back(systemd_findings(scope, *listing));
    } else {
      out.push_back(make_engine_findings(systemd_engine_name(scope), "systemd", listing.error()));
    }
  }
}

}  // namespace

std::vector<EngineFindings> discover_engines(const Config& settings, const std::optional<std::string>& only,
                                             CommandRunner& runner, Deadline deadline) {
  std::vector<EngineFindings> engines;
  auto wanted = [&](std::string_view backend) { return !only || *only == backend; };
  if (wanted("pm2")) engines.push_back(discover_pm2(settings, runner, deadline));
  if (wanted("docker")) engines.push_back(discover_docker(settings, deadline));
  if (wanted("systemd")) discover_systemd(settings, deadline, engines);
  return engines;
}

bool any_reachable(const std::vector<EngineFindings>& engines) {
  for (const auto& engine : engines) {
    if (!engine.unreachable) return true;
  }
  return false;
}

std::string unreachable_reasons(const std::vector<EngineFindings>& engines) {
  std::vector<std::string> reasons;
  for (const auto& engine : engines) {
    if (engine.unreachable) reasons.push_back(fmt::format("{}: {}", engine.engine, *engine.unreachable));
  }
  return fmt::format("{}", fmt::join(reasons, "\n  "));
}

}  // namespace pm
