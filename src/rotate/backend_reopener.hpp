#pragma once
// The real LogReopener: pm2 through the [pm2] settings' binary and home,
// systemd over D-Bus (KillUnit), Docker over the Engine API (kill with a
// signal), a pidfile by kill(2), a command by the CommandRunner. Backends
// are made on first use, so a config that reopens nothing talks to no engine.
#include <memory>

#include "config/config.hpp"
#include "rotate/log_reopener.hpp"
#include "util/exec.hpp"

namespace pm {

class Pm2Backend;
class DockerBackend;
class SystemdBackend;

class BackendLogReopener : public LogReopener {
 public:
  // `runner` must outlive this.
  BackendLogReopener(const Config& config, CommandRunner& runner);
  ~BackendLogReopener() override;

  std::expected<std::string, std::string> reopen(const ReopenAction& action, Deadline deadline) override;

 private:
  std::expected<std::string, std::string> signal_pidfile(const ReopenPidfile& action) const;
  std::expected<std::string, std::string> run_command(const ReopenExec& action, Deadline deadline);

  Pm2Settings pm2_settings_;
  DockerSettings docker_settings_;
  SystemdSettings systemd_settings_;
  CommandRunner& runner_;
  std::unique_ptr<Pm2Backend> pm2_;
  std::unique_ptr<DockerBackend> docker_;
  std::unique_ptr<SystemdBackend> systemd_;
};

}  // namespace pm
