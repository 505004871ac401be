#include "backend/pm2_backend.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "backend/pm2_jlist.hpp"
#include "backend/pm2_rpc.hpp"

namespace pm {

Pm2Backend::Pm2Backend(Pm2Settings settings, CommandRunner& runner)
    : settings_(std::move(settings)), runner_(runner) {}

std::string Pm2Backend::pm2_home() const {
  if (settings_.home) return *settings_.home;
  if (const char* env = std::getenv("PM2_HOME"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return fmt::format("{}/.pm2", home != nullptr ? home : "");
}

// Every pm2 command (jlist included) starts a daemon when none runs. A fresh
// daemon knows no apps, so asking would replace "PM2 is down" with a
// misleading "app not in list" and leave a stray daemon behind: look at the
// daemon's pid file first instead.
std::expected<void, std::string> Pm2Backend::check_daemon_alive() const {
  std::string pid_path = pm2_home() + "/pm2.pid";
  std::ifstream pid_file(pid_path);
  long pid = 0;
  if (!(pid_file >> pid) || pid <= 0) {
    return std::unexpected(
        fmt::format("PM2 daemon is not running (no pid in {}); start it with 'pm2 resurrect' or 'pm2 start', "
                    "or set [pm2] home / PM2_HOME if it uses another directory",
                    pid_path));
  }
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
    return std::unexpected(fmt::format(
        "PM2 daemon is not running (pid {} from {} is gone); start it with 'pm2 resurrect'", pid, pid_path));
  }
  return {};
}

std::expected<ExecResult, std::string> Pm2Backend::run_pm2(std::vector<std::string> args, Deadline deadline,
                                                           bool interruptible) {
  ExecRequest request;
  request.argv.push_back(settings_.binary);
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.env_overrides.emplace_back("PM2_HOME", pm2_home());
  request.deadline = deadline.capped(settings_.timeout);
  request.output_cap = 64 * 1024 * 1024;  // jlist of a big fleet with large environments
  request.interruptible = interruptible;
  return runner_.run(request);
}

std::expected<std::vector<Pm2Process>, std::string> Pm2Backend::list_processes(Deadline deadline) {
  if (auto alive = check_daemon_alive(); !alive) return std::unexpected(alive.error());
  // The daemon's own socket first: the same list in about a millisecond,
  // where `pm2 jlist` spends 0.2-0.4 s starting Node. `pm2 jlist` stays the
  // way when the socket cannot be used (another user's daemon, an unknown
  // answer); a daemon that does not answer in time is an error either way.
  Deadline call_deadline = deadline.capped(settings_.timeout);
  std::vector<Pm2Process> processes;
  auto listed = pm2_rpc_process_list(pm2_home() + "/rpc.sock", call_deadline,
                                     [&](std::istream& in) -> std::expected<void, std::string> {
                                       auto parsed = parse_pm2_list(in);
                                       if (!parsed) return std::unexpected(parsed.error());
                                       processes = std::move(*parsed);
                                       return {};
                                     });
  if (listed) {
    return processes;
  } else if (listed.error().kind == Pm2RpcFailure::Kind::TimedOut) {
    return std::unexpected(listed.error().message);
  } else {
    spdlog::debug("PM2 RPC socket not used ({}); asking pm2 jlist", listed.error().message);
  }
  auto result = run_pm2({"jlist"}, deadline, /*interruptible=*/true);
  if (!result) return std::unexpected(result.error());
  if (!result->succeeded()) return std::unexpected(result->failure(settings_.binary + " jlist"));
  if (result->stdout_truncated) {
    return std::unexpected("'pm2 jlist' printed more than 64 MiB; refusing a truncated list");
  }
  return parse_pm2_jlist(result->out);
}

std::expected<StatusByTarget, std::string> Pm2Backend::observe(const std::vector<std::string>& targets,
                                                               Deadline deadline) {
  auto processes = list_processes(deadline);
  if (!processes) return std::unexpected(processes.error());
  return summarize_pm2_processes(*processes, targets);
}

std::expected<std::string, std::string> Pm2Backend::restart(const ServiceConfig& service,
                                                            const UnitStatus& last, Deadline deadline) {
  const std::string& target = service.target;
  if (last.state == UnitState::Missing || last.handles.empty()) {
    return std::unexpected(
        fmt::format("'{}' is not in the pm2 list, so pm2 cannot restart it; start it once with 'pm2 start' "
                    "(and 'pm2 save'), or give the service a restart_command",
                    target));
  }
  // By pm_id, not by name: a name can also match a namespace, "all" or a
  // number, and ids restart exactly the instances that were observed.
  std::vector<std::string> args{"restart"};
  args.insert(args.end(), last.handles.begin(), last.handles.end());
  auto result = run_pm2(args, deadline, /*interruptible=*/false);
  std::string command = fmt::format("pm2 {}", fmt::join(args, " "));
  if (!result) return std::unexpected(result.error());
  if (!result->succeeded()) return std::unexpected(result->failure(command));
  return command;
}

std::expected<std::string, std::string> Pm2Backend::reload_logs(Deadline deadline) {
  if (auto alive = check_daemon_alive(); !alive) return std::unexpected(alive.error());
  auto result = run_pm2({"reloadLogs"}, deadline, /*interruptible=*/false);
  std::string command = fmt::format("{} reloadLogs", settings_.binary);
  if (!result) return std::unexpected(result.error());
  if (!result->succeeded()) return std::unexpected(result->failure(command));
  return command;
}

}  // namespace pm
