#include "util/exec.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "util/interrupt.hpp"

extern char** environ;

namespace pm {
namespace {

using Clock = std::chrono::steady_clock;

// Output still in flight when the child exits is read for this long. Longer
// would not help: whatever still holds the pipes then (a grandchild that left
// the process group with setsid) may hold them forever.
constexpr Duration kDrainAfterExit{200};
// Without pidfd_open (kernels before 5.3) the child's exit is noticed by polling.
constexpr Duration kExitPollInterval{20};
constexpr std::size_t kMaxLineLength = 300;

// Closes on destruction, so every early return releases the pipes.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(std::exchange(fd_, -1));
  }

 private:
  int fd_;
};

// If run() leaves early (an exception while collecting output), the child's
// whole group is killed and the child reaped: no zombie, no stray command.
struct ChildGuard {
  pid_t pid;
  bool reaped = false;
  ~ChildGuard() {
    if (reaped) return;
    kill(-pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
};

enum class ChildState { kRunning, kExited, kGone };

// WNOWAIT leaves an exited child a zombie: its pid, which is also its process
// group id, cannot be reused until we reap it, so signalling the group stays safe.
ChildState child_state(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
    return info.si_pid == pid ? ChildState::kExited : ChildState::kRunning;
  }
  // ECHILD: reaped behind our back (SIGCHLD set to SIG_IGN); the status is lost.
  return errno == ECHILD ? ChildState::kGone : ChildState::kRunning;
}

std::string error_text(int error) { return std::generic_category().message(error); }

// posix_spawnp takes a complete environment, so overriding means copying
// environ. The last override of a name wins, as with repeated setenv().
std::vector<std::string> merged_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  auto overridden = [&](std::string_view name, std::size_t from) {
    return std::any_of(overrides.begin() + static_cast<std::ptrdiff_t>(from), overrides.end(),
                       [&](const auto& entry) { return entry.first == name; });
  };
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (!overridden(text.substr(0, text.find('=')), 0)) env.emplace_back(text);
  }
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    if (!overridden(overrides[i].first, i + 1)) env.push_back(overrides[i].first + "=" + overrides[i].second);
  }
  return env;
}

// Returns 0 or an errno value. glibc (>= 2.24, CLONE_VFORK) reports a failed
// exec through the return value, so "not found" is known here, not later as
// exit status 127.
int spawn(const std::vector<std::string>& args, char* const* envp, int out_fd, int err_fd, pid_t* pid) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  sigset_t empty;
  sigemptyset(&empty);
  // SIG_IGN survives exec (handlers do not): an ignored SIGPIPE or SIGTERM in
  // the monitor must not leak into the commands it runs.
  sigset_t to_default;
  sigfillset(&to_default);
  sigdelset(&to_default, SIGKILL);
  sigdelset(&to_default, SIGSTOP);

  // Neither init can fail in glibc (they only clear the structure).
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // dup2 before the open: should fd 0 be free in the monitor, a pipe may have landed there.
  int rc = posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // Own process group: the deadline kill reaches everything the command forked.
  constexpr auto kFlags =
      static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = posix_spawnattr_setflags(&attr, kFlags);
  if (rc == 0) rc = posix_spawnattr_setpgroup(&attr, 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &empty);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &to_default);
  if (rc == 0) rc = posix_spawnp(pid, argv[0], &actions, &attr, argv.data(), envp);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

std::string_view last_line(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  auto end = text.find_last_not_of(kSpace);
  if (end == std::string_view::npos) return {};
  text = text.substr(0, end + 1);
  if (auto newline = text.rfind('\n'); newline != std::string_view::npos) text.remove_prefix(newline + 1);
  return text.substr(text.find_first_not_of(kSpace));
}

}  // namespace

std::string ExecResult::describe() const {
  if (interrupted) return "interrupted";
  if (timed_out) return fmt::format("timed out after {}", format_duration(elapsed));
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exited with status {}", exit_code);
}

std::string ExecResult::failure(std::string_view shown) const {
  return fmt::format("'{}' {}: {}", shown, describe(), last_output_line());
}

std::string ExecResult::last_output_line() const {
  std::string_view line = last_line(err);
  if (line.empty()) line = last_line(out);
  if (line.size() > kMaxLineLength) {
    // Back off to a UTF-8 character boundary rather than emit half a character.
    std::size_t cut = kMaxLineLength;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut);
  }
  return std::string(line);
}

std::expected<ExecResult, std::string> ProcessRunner::run(const ExecRequest& request) {
  if (request.argv.empty()) return std::unexpected(std::string("cannot run an empty command"));
  const std::string& program = request.argv.front();
  ExecResult result;
  const bool interruptible = request.interruptible && interrupt_ != nullptr;
  // Nothing is started once the monitor is stopping or the time is up.
  result.interrupted = interruptible && interrupt_->requested();
  result.timed_out = !result.interrupted && request.deadline.expired();
  if (result.interrupted || result.timed_out) return result;

  std::vector<std::string> env_storage;
  std::vector<char*> envp;
  if (!request.env_overrides.empty()) {
    for (const auto& [name, value] : request.env_overrides) {
      if (name.empty() || name.contains('=')) {
        return std::unexpected(
            fmt::format("cannot run '{}': invalid environment variable name '{}'", program, name));
      }
    }
    env_storage = merged_environment(request.env_overrides);
    for (auto& entry : env_storage) envp.push_back(entry.data());
    envp.push_back(nullptr);
  }

  // O_CLOEXEC: a command spawned concurrently by another thread must not inherit our pipes.
  int out_pipe[2], err_pipe[2];
  auto pipe_failed = [&] {
    return std::unexpected(fmt::format("cannot run '{}': pipe: {}", program, error_text(errno)));
  };
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return pipe_failed();
  Fd out_read(out_pipe[0]);
  Fd out_write(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return pipe_failed();
  Fd err_read(err_pipe[0]);
  Fd err_write(err_pipe[1]);

  const auto start = Clock::now();
  pid_t pid = 0;
  int rc = spawn(request.argv, envp.empty() ? environ : envp.data(), out_write.get(), err_write.get(), &pid);
  // Only the child may hold the write ends, or EOF never comes.
  out_write.reset();
  err_write.reset();
  if (rc != 0) {
    return std::unexpected(fmt::format("cannot run '{}': {}{}", program, error_text(rc),
                                       rc == ENOENT ? " (is it installed and in PATH?)" : ""));
  }
  ChildGuard child{pid};
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));

  struct Stream {
    Fd& fd;
    std::string& text;
    bool& truncated;
  };
  std::array<Stream, 2> streams{
      {{out_read, result.out, result.stdout_truncated}, {err_read, result.err, result.stderr_truncated}}};
  std::array<char, 64 * 1024> buffer;
  std::optional<Clock::time_point> kill_at;      // set when SIGTERM was sent
  std::optional<Clock::time_point> drain_until;  // set when the child exited
  bool killed = false;
  bool gone = false;

  while (true) {
    const auto now = Clock::now();
    if (!drain_until) {
      ChildState state = child_state(pid);
      gone = state == ChildState::kGone;
      if (state != ChildState::kRunning) drain_until = now + kDrainAfterExit;
    }
    const bool pipes_open = out_read.get() >= 0 || err_read.get() >= 0;
    if (drain_until && (!pipes_open || now >= *drain_until)) break;
    if (!drain_until && !kill_at) {
      result.timed_out = request.deadline.expired();
      result.interrupted = !result.timed_out && interruptible && interrupt_->requested();
      if (result.timed_out || result.interrupted) {
        kill(-pid, SIGTERM);
        kill_at = now + request.kill_grace;
      }
    }
    if (!drain_until && kill_at && !killed && now >= *kill_at) {
      kill(-pid, SIGKILL);
      killed = true;
    }

    // poll() skips negative fds (revents 0): slots 0 and 1 stay the streams' even once closed. The
    // pidfd stays readable once the child exited, the wake fd once requested: each is watched only
    // until acted on.
    const bool watch_wake = interruptible && !kill_at && !drain_until;
    std::array<pollfd, 4> fds{{{out_read.get(), POLLIN, 0},
                               {err_read.get(), POLLIN, 0},
                               {drain_until ? -1 : pidfd.get(), POLLIN, 0},
                               {watch_wake ? interrupt_->wake_fd() : -1, POLLIN, 0}}};

    auto wake = drain_until ? *drain_until
                : !kill_at  ? request.deadline.at()
                : !killed   ? *kill_at
                            : Clock::time_point::max();
    if (!drain_until && pidfd.get() < 0) wake = std::min(wake, now + kExitPollInterval);
    auto wait_ms = std::chrono::ceil<Duration>(wake - now).count();
    int timeout = static_cast<int>(std::clamp<decltype(wait_ms)>(wait_ms, 0, INT_MAX));
    if (poll(fds.data(), fds.size(), timeout) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }

    for (std::size_t i = 0; i < streams.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Stream& stream = streams[i];
      ssize_t n = read(stream.fd.get(), buffer.data(), buffer.size());
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) stream.fd.reset();
      if (n <= 0) continue;
      // Past the cap, output is still read (and dropped) so the child never blocks on a full pipe.
      std::size_t room = request.output_cap - std::min(request.output_cap, stream.text.size());
      std::size_t got = static_cast<std::size_t>(n);
      stream.text.append(buffer.data(), std::min(room, got));
      if (got > room) stream.truncated = true;
    }
  }

  int status = 0;
  if (!gone) {
    // A stopped command's leftovers (children that ignored SIGTERM) go too. The leader is still a
    // zombie, so its group id cannot name anyone else yet.
    if (kill_at) kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  child.reaped = true;
  result.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - start);
  if (!gone && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (!gone && WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace pm
