#include "rotate/backend_reopener.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backend/docker_backend.hpp"
#include "backend/pm2_backend.hpp"
#include "backend/systemd_backend.hpp"
#include "util/overloaded.hpp"

namespace pm {
namespace {

// The pid in `path`: one positive decimal number (and a newline).
std::expected<pid_t, std::string> read_pidfile(const std::string& path, struct stat& info) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return std::unexpected(fmt::format("cannot read the pidfile {}: {}", path, std::strerror(errno)));
  char text[32] = {};
  ssize_t count = fstat(fd, &info) == 0 ? read(fd, text, sizeof text - 1) : -1;
  close(fd);
  if (count < 0)
    return std::unexpected(fmt::format("cannot read the pidfile {}: {}", path, std::strerror(errno)));
  std::string_view digits(text, static_cast<std::size_t>(count));
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == ' ')) digits.remove_suffix(1);
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc{} || end != digits.data() + digits.size() || pid <= 1) {
    return std::unexpected(fmt::format("the pidfile {} holds no process id", path));
  }
  return pid;
}

// Whoever may write a pidfile chooses which process gets the signal. Only a
// pidfile its own process could have written is trusted: not writable by
// others, and owned by root or by the user the process runs as.
std::expected<void, std::string> check_pidfile_trust(const std::string& path, const struct stat& info,
                                                     pid_t pid) {
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return std::unexpected(
        fmt::format("the pidfile {} is writable by others (mode {:04o}), so anyone could choose "
                    "which process gets the signal; 'chmod go-w {}'",
                    path, info.st_mode & 07777, path));
  }
  struct stat process {};
  if (stat(fmt::format("/proc/{}", pid).c_str(), &process) != 0) {
    return std::unexpected(fmt::format("pid {} from {} is not running (a stale pidfile?)", pid, path));
  }
  if (info.st_uid != 0 && info.st_uid != process.st_uid) {
    return std::unexpected(
        fmt::format("the pidfile {} belongs to uid {} but pid {} runs as uid {}; refusing to "
                    "signal a process its pidfile's owner does not run",
                    path, info.st_uid, pid, process.st_uid));
  }
  return {};
}

}  // namespace

BackendLogReopener::BackendLogReopener(const Config& config, CommandRunner& runner)
    : pm2_settings_(config.pm2),
      docker_settings_(config.docker),
      systemd_settings_(config.systemd),
      runner_(runner) {}

BackendLogReopener::~BackendLogReopener() = default;

std::expected<std::string, std::string> BackendLogReopener::reopen(const ReopenAction& action,
                                                                   Deadline deadline) {
  Deadline capped = deadline.capped(action.timeout);
  return std::visit(Overloaded{
                        [&](const ReopenPm2&) {
                          if (!pm2_) pm2_ = std::make_unique<Pm2Backend>(pm2_settings_, runner_);
                          return pm2_->reload_logs(capped);
                        },
                        [&](const ReopenPidfile& pidfile) { return signal_pidfile(pidfile); },
                        [&](const ReopenSystemd& unit) {
                          if (!systemd_) systemd_ = std::make_unique<SystemdBackend>(systemd_settings_);
                          return systemd_->signal_main_process(unit.target, unit.signal, capped);
                        },
                        [&](const ReopenDocker& docker) {
                          if (!docker_) docker_ = std::make_unique<DockerBackend>(docker_settings_);
                          std::string name = signal_name(docker.signal);
                          return docker_->signal_container(docker.container, std::string_view(name).substr(3),
                                                           capped);
                        },
                        [&](const ReopenExec& exec) { return run_command(exec, capped); },
                    },
                    action.how);
}

std::expected<std::string, std::string> BackendLogReopener::signal_pidfile(
    const ReopenPidfile& action) const {
  struct stat info {};
  auto pid = read_pidfile(action.pidfile, info);
  if (!pid) return std::unexpected(pid.error());
  if (auto trusted = check_pidfile_trust(action.pidfile, info, *pid); !trusted) {
    return std::unexpected(trusted.error());
  }
  if (kill(*pid, action.signal) != 0) {
    return std::unexpected(fmt::format("cannot send {} to pid {} (from {}): {}", signal_name(action.signal),
                                       *pid, action.pidfile, std::strerror(errno)));
  }
  return fmt::format("sent {} to pid {} (from {})", signal_name(action.signal), *pid, action.pidfile);
}

std::expected<std::string, std::string> BackendLogReopener::run_command(const ReopenExec& action,
                                                                        Deadline deadline) {
  ExecRequest request;
  request.argv = action.argv;
  request.deadline = deadline;
  request.interruptible = false;  // the log was renamed already: let the reopen finish
  std::string command = fmt::format("{}", fmt::join(action.argv, " "));
  auto result = runner_.run(request);
  if (!result) return std::unexpected(result.error());
  if (!result->succeeded()) return std::unexpected(result->failure(command));
  return command;
}

}  // namespace pm
