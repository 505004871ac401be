#include "backend/docker_backend.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>

#include "backend/docker_containers.hpp"
#include "backend/docker_selector.hpp"
#include "backend/docker_stats.hpp"

namespace pm {
namespace {

// A stop timeout is what the engine waits between SIGTERM and SIGKILL; the
// restart call itself may take that long plus the stop and the start.
constexpr Duration kRestartMargin{30000};

std::string percent_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// The list call: narrowed by the engine when one label selector covers every
// target, else the whole list (names are matched here: the engine's name
// filter matches substrings).
std::string list_path(const std::vector<DockerSelector>& selectors) {
  std::string path = "/containers/json?all=1";
  if (selectors.size() == 1 && !selectors.front().list_filter().empty()) {
    path += "&filters=" + percent_encode(selectors.front().list_filter());
  }
  return path;
}

std::string failed_call(std::string_view what, const EngineResponse& response) {
  return fmt::format("the Docker engine answered {} to {}: {}", response.status, what,
                     engine_error_message(response.body));
}

std::string engine_state_words(const ContainerSummary& summary, const ContainerDetail* detail) {
  std::string words = summary.state;
  if (detail != nullptr && (summary.state == "exited" || summary.state == "dead")) {
    words += fmt::format(" ({}{})", detail->exit_code, detail->oom_killed ? ", out of memory" : "");
  }
  std::string health = detail != nullptr ? detail->health : health_from_status_text(summary.status_text);
  if (summary.state == "running" && !health.empty()) words += fmt::format(" ({})", health);
  return words;
}

UnitStatus unit_status(const ContainerSummary& summary, const ContainerDetail* detail) {
  UnitStatus status;
  status.state = docker_state_to_unit_state(summary.state);
  status.engine_state = engine_state_words(summary, detail);
  status.handles = {summary.id, summary.name};
  if (summary.state == "running") {
    status.engine_health = detail != nullptr ? detail->health : health_from_status_text(summary.status_text);
  }
  if (detail == nullptr) status.processes_known = summary.state != "running";
  if (detail != nullptr) {
    if (status.state == UnitState::Running && detail->pid > 0) status.pids = {detail->pid};
    status.restart_count = detail->restart_count;
    if (detail->health == "unhealthy") {
      status.engine_health_detail = fmt::format("failed {} time(s) in a row", detail->failing_streak);
      if (!detail->last_health_output.empty())
        status.engine_health_detail += ": " + detail->last_health_output;
    }
  }
  return status;
}

// The list tells a running container's state and Docker's own health
// verdict; a running container is inspected only when its HEALTHCHECK is
// not healthy (for the failing streak and output), so a cycle over running
// containers is one call. Its pid and restart count come from identify(),
// which verification calls for the containers it watches. Every other
// container is inspected for its exit code and restart count.
bool needs_inspect(const ContainerSummary& summary) {
  if (summary.state != "running") return true;
  const std::string health = health_from_status_text(summary.status_text);
  return !(health == "healthy" || health.empty());
}

// Inspects each container at most once per observation.
class ContainerInspector {
 public:
  ContainerInspector(DockerEngineClient& engine, Deadline deadline) : engine_(engine), deadline_(deadline) {}

  // The detail of `container`, or nullptr when it vanished since the list
  // (its listed state is then the last one known).
  std::expected<const ContainerDetail*, std::string> inspect(const ContainerSummary& container) {
    if (auto it = details_.find(container.id); it != details_.end()) return &it->second;
    if (gone_.contains(container.id)) return nullptr;
    auto answer = engine_.get("/containers/" + container.id + "/json", deadline_);
    if (!answer) return std::unexpected(answer.error());
    if (answer->status == 404) {
      gone_.insert(container.id);
      return nullptr;
    }
    if (answer->status != 200)
      return std::unexpected(failed_call("an inspect of " + container.name, *answer));
    auto parsed = parse_container_inspect(answer->body);
    if (!parsed) return std::unexpected(parsed.error());
    return &details_.emplace(container.id, std::move(*parsed)).first->second;
  }

 private:
  DockerEngineClient& engine_;
  Deadline deadline_;
  std::map<std::string, ContainerDetail> details_;
  std::set<std::string> gone_;  // answered 404: removed since the list
};

// GET `path` (a container list) and its parsed answer.
std::expected<std::vector<ContainerSummary>, std::string> fetch_container_list(DockerEngineClient& engine,
                                                                               const std::string& path,
                                                                               Deadline deadline) {
  auto listed = engine.get(path, deadline);
  if (!listed) return std::unexpected(listed.error());
  if (listed->status != 200) return std::unexpected(failed_call("the container list", *listed));
  return parse_container_list(listed->body);
}

// The units `selector` matches. Members of a group are named after their
// Compose service when it has one container, else after the container.
std::expected<std::vector<UnitStatus>, std::string> units_of(const DockerSelector& selector,
                                                             const std::vector<ContainerSummary>& containers,
                                                             ContainerInspector& inspector) {
  std::map<std::string, int> containers_per_service;
  for (const auto& container : containers) {
    if (selector.matches(container))
      ++containers_per_service[container_label(container, kComposeServiceLabel)];
  }
  std::vector<UnitStatus> units;
  for (const auto& container : containers) {
    if (!selector.matches(container)) continue;
    const ContainerDetail* detail = nullptr;
    if (needs_inspect(container)) {
      auto inspected = inspector.inspect(container);
      if (!inspected) return std::unexpected(inspected.error());
      detail = *inspected;
    }
    UnitStatus status = unit_status(container, detail);
    if (selector.is_group()) {
      std::string service = container_label(container, kComposeServiceLabel);
      bool by_service = selector.kind == DockerSelector::Kind::Compose && !service.empty() &&
                        containers_per_service[service] == 1;
      status.member_name = by_service ? service : container.name;
      status.member_target = container.name;
    }
    units.push_back(std::move(status));
  }
  if (units.empty()) units.push_back(missing_unit(selector.nothing_matches()));
  std::ranges::sort(units, {}, &UnitStatus::member_name);  // the engine lists newest first
  return units;
}

}  // namespace

DockerBackend::DockerBackend(DockerSettings settings) : settings_(std::move(settings)) {}
DockerBackend::~DockerBackend() = default;

std::expected<DockerEngineClient*, std::string> DockerBackend::client() {
  if (client_) return client_.get();
  DockerHostSettings host;
  host.config_host = settings_.host;
  host.config_tls_verify = settings_.tls_verify;
  host.config_cert_path = settings_.cert_path;
  host.env_host = std::getenv("DOCKER_HOST");
  host.env_tls_verify = std::getenv("DOCKER_TLS_VERIFY");
  host.env_cert_path = std::getenv("DOCKER_CERT_PATH");
  const char* home = std::getenv("HOME");
  host.home = home != nullptr ? home : "";
  auto endpoint = resolve_docker_endpoint(host);
  if (!endpoint) return std::unexpected(endpoint.error());
  client_ = std::make_unique<DockerEngineClient>(std::move(*endpoint));
  return client_.get();
}

std::expected<StatusByTarget, std::string> DockerBackend::observe(const std::vector<std::string>& targets,
                                                                  Deadline deadline) {
  auto engine = client();
  if (!engine) return std::unexpected(engine.error());
  Deadline call_deadline = deadline.capped(settings_.timeout);

  StatusByTarget result;
  std::vector<std::pair<std::string, DockerSelector>> selected;
  for (const auto& target : targets) {
    auto selector = parse_docker_target(target);
    if (selector) {
      selected.emplace_back(target, std::move(*selector));
    } else {
      result[target] = {missing_unit(selector.error())};
    }
  }
  std::vector<DockerSelector> selectors;
  for (const auto& entry : selected) selectors.push_back(entry.second);
  auto containers = fetch_container_list(**engine, list_path(selectors), call_deadline);
  if (!containers) return std::unexpected(containers.error());

  ContainerInspector inspector(**engine, call_deadline);
  for (const auto& [target, selector] : selected) {
    auto units = units_of(selector, *containers, inspector);
    if (!units) return std::unexpected(units.error());
    result[target] = std::move(*units);
  }
  return result;
}

std::expected<std::vector<ContainerSummary>, std::string> DockerBackend::list_containers(Deadline deadline) {
  auto engine = client();
  if (!engine) return std::unexpected(engine.error());
  return fetch_container_list(**engine, list_path({}), deadline.capped(settings_.timeout));
}

std::expected<void, std::string> DockerBackend::measure(const std::vector<UnitStatus*>& units,
                                                        Deadline deadline) {
  auto engine = client();
  if (!engine) return std::unexpected(engine.error());
  Deadline call_deadline = deadline.capped(settings_.timeout);
  std::expected<void, std::string> outcome;
  auto fail = [&](std::string why) {
    if (outcome) outcome = std::unexpected(std::move(why));
  };
  for (UnitStatus* unit : units) {
    if (unit->state != UnitState::Running || unit->handles.empty() || unit->usage != ResourceUse{}) continue;
    const std::string& id = unit->handles.front();
    auto answer = (*engine)->get("/containers/" + id + "/stats?stream=false&one-shot=true", call_deadline);
    if (!answer) {
      fail(answer.error());
      continue;
    }
    if (answer->status != 200) {
      fail(failed_call("the stats of " + id.substr(0, 12), *answer));
      continue;
    }
    auto use = parse_container_stats(answer->body);
    if (!use) {
      fail(fmt::format("the stats of {}: {}", id.substr(0, 12), use.error()));
      continue;
    }
    unit->usage = *use;
  }
  return outcome;
}

std::expected<void, std::string> DockerBackend::identify(const std::vector<UnitStatus*>& units,
                                                         Deadline deadline) {
  auto engine = client();
  if (!engine) return std::unexpected(engine.error());
  Deadline call_deadline = deadline.capped(settings_.timeout);
  std::expected<void, std::string> outcome;
  for (UnitStatus* unit : units) {
    if (unit->processes_known || unit->handles.empty()) continue;
    const std::string& id = unit->handles.front();
    auto answer = (*engine)->get("/containers/" + id + "/json", call_deadline);
    std::string failure;
    if (!answer) {
      failure = answer.error();
    } else if (answer->status == 404) {
      continue;  // removed since the list: left unknown
    } else if (answer->status != 200) {
      failure = failed_call("an inspect of " + id.substr(0, 12), *answer);
    } else if (auto detail = parse_container_inspect(answer->body); !detail) {
      failure = detail.error();
    } else {
      if (unit->state == UnitState::Running && detail->pid > 0) unit->pids = {detail->pid};
      unit->restart_count = detail->restart_count;
      unit->processes_known = true;
    }
    if (!failure.empty() && outcome) outcome = std::unexpected(std::move(failure));
  }
  return outcome;
}

std::expected<std::string, std::string> DockerBackend::restart(const ServiceConfig& service,
                                                               const UnitStatus& last, Deadline deadline) {
  if (last.state == UnitState::Missing || last.handles.empty()) {
    return std::unexpected(
        fmt::format("{}: process-monitor starts and restarts containers but does not create "
                    "them; create it (docker run, docker compose up), or give the service "
                    "a restart_command",
                    last.engine_state));
  }
  auto engine = client();
  if (!engine) return std::unexpected(engine.error());
  const std::string& id = last.handles.front();
  const std::string& shown = last.handles.size() > 1 ? last.handles[1] : service.target;

  std::string path;
  std::string done;
  Deadline call_deadline = deadline.capped(settings_.timeout);
  if (last.engine_state.starts_with("paused")) {
    path = "/containers/" + id + "/unpause";
    done = "docker unpause " + shown;
  } else if (last.state == UnitState::Stopped || last.state == UnitState::Failed) {
    path = "/containers/" + id + "/start";
    done = "docker start " + shown;
  } else {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(service.stop_timeout).count();
    path = fmt::format("/containers/{}/restart?t={}", id, seconds);
    done = fmt::format("docker restart -t {} {}", seconds, shown);
    call_deadline = deadline.capped(service.stop_timeout + kRestartMargin);
  }
  auto answer = (*engine)->post(path, call_deadline);
  if (!answer) return std::unexpected(fmt::format("{}: {}", done, answer.error()));
  // 304: already started (someone else was quicker): fine, verification decides.
  if (answer->status != 204 && answer->status != 304) return std::unexpected(failed_call(done, *answer));
  return done;
}

std::expected<std::string, std::string> DockerBackend::signal_container(const std::string& container,
                                                                        std::string_view signal,
                                                                        Deadline deadline) {
  auto engine = client();
  if (!engine) return std::unexpected(engine.error());
  std::string done = fmt::format("docker kill --signal {} {}", signal, container);
  auto answer = (*engine)->post(fmt::format("/containers/{}/kill?signal={}", container, signal),
                                deadline.capped(settings_.timeout));
  if (!answer) return std::unexpected(fmt::format("{}: {}", done, answer.error()));
  if (answer->status == 404) {
    return std::unexpected(
        fmt::format("{}: no container {} (check the name in 'docker ps')", done, container));
  }
  if (answer->status == 409) {
    return std::unexpected(
        fmt::format("{}: container {} is not running, so nothing writes its log", done, container));
  }
  if (answer->status != 204) return std::unexpected(failed_call(done, *answer));
  return done;
}

}  // namespace pm
