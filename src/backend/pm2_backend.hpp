#pragma once
// PM2 apps, through the pm2 command: one `pm2 jlist` per cycle for all PM2
// services, `pm2 restart <pm_id...>` to restart one.
#include "backend/backend.hpp"
#include "backend/pm2_jlist.hpp"
#include "config/config.hpp"
#include "util/exec.hpp"

namespace pm {

class Pm2Backend : public Backend {
 public:
  Pm2Backend(Pm2Settings settings, CommandRunner& runner);

  std::string_view name() const override { return "pm2"; }
  std::string_view create_hint() const override { return "start it once with 'pm2 start', then 'pm2 save'"; }
  std::expected<StatusByTarget, std::string> observe(const std::vector<std::string>& targets,
                                                     Deadline deadline) override;
  std::expected<std::string, std::string> restart(const ServiceConfig& service, const UnitStatus& last,
                                                  Deadline deadline) override;

  // Every process of the daemon, from one `pm2 jlist` (discovery). Unexpected
  // as observe(): no daemon running, pm2 failed, or output it cannot read.
  std::expected<std::vector<Pm2Process>, std::string> list_processes(Deadline deadline);

  // `pm2 reloadLogs`: every app of the daemon reopens its log files.
  // Returns the command run.
  std::expected<std::string, std::string> reload_logs(Deadline deadline);

  // The PM2_HOME in effect: the config's, else $PM2_HOME, else $HOME/.pm2.
  std::string pm2_home() const;

 private:
  std::expected<ExecResult, std::string> run_pm2(std::vector<std::string> args, Deadline deadline,
                                                 bool interruptible);
  std::expected<void, std::string> check_daemon_alive() const;

  Pm2Settings settings_;
  CommandRunner& runner_;
};

}  // namespace pm
