#pragma once
// Docker containers, over the Engine API (no docker CLI): one container
// list per cycle for every docker service, an inspect only for containers
// whose detail matters (not running, or not reported healthy by Docker's
// own health check), and start / restart / unpause through the API.
#include <memory>

#include "backend/backend.hpp"
#include "backend/docker_containers.hpp"
#include "backend/docker_engine_client.hpp"
#include "config/config.hpp"

namespace pm {

class DockerBackend : public Backend {
 public:
  explicit DockerBackend(DockerSettings settings);
  ~DockerBackend() override;

  std::string_view name() const override { return "docker"; }
  std::string_view create_hint() const override {
    return "create it with 'docker run' or 'docker compose up'";
  }
  std::expected<StatusByTarget, std::string> observe(const std::vector<std::string>& targets,
                                                     Deadline deadline) override;
  // One stats call (one-shot) per running container in `units` that has no
  // usage yet; the first failure is returned after the others were asked.
  std::expected<void, std::string> measure(const std::vector<UnitStatus*>& units, Deadline deadline) override;
  // One inspect per unit (its container id), for the pid and RestartCount.
  std::expected<void, std::string> identify(const std::vector<UnitStatus*>& units,
                                            Deadline deadline) override;
  // Exited, created and dead containers are started, paused ones unpaused,
  // running ones restarted with t = the service's stop_timeout; that call's
  // deadline is stop_timeout plus a margin, so a container that merely
  // takes its time to stop is not reported as a failed restart.
  std::expected<std::string, std::string> restart(const ServiceConfig& service, const UnitStatus& last,
                                                  Deadline deadline) override;

  // Every container the engine has, whatever its state, from one list call
  // (discovery). Unexpected as observe(): the engine could not be asked.
  std::expected<std::vector<ContainerSummary>, std::string> list_containers(Deadline deadline);

  // Sends `signal` (a name like "HUP") to the main process of `container`
  // (a name or id), e.g. to make it reopen its log. Returns what was done
  // ("docker kill --signal HUP web").
  std::expected<std::string, std::string> signal_container(const std::string& container,
                                                           std::string_view signal, Deadline deadline);

 private:
  std::expected<DockerEngineClient*, std::string> client();

  DockerSettings settings_;
  std::unique_ptr<DockerEngineClient> client_;  // kept: one connection and one negotiation per process
};

}  // namespace pm
