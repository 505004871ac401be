#include "state/run_lock.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "util/deadline.hpp"

namespace pm {
namespace {

// Why polling, not a blocking flock(): nothing can cancel a blocked flock()
// but a signal without SA_RESTART, and the Interrupt installs SIGTERM with
// SA_RESTART; a helper thread stuck in flock() could not be stopped either.
// A retry every 50 ms costs nothing next to a minute between runs, and the
// wait still ends at once on an interrupt (its wake fd is polled).
constexpr Duration kRetryPeriod{50};
// Longer than any run; keeps Deadline arithmetic clear of overflow.
constexpr Duration kLongestWait{24LL * 60 * 60 * 1000};

// The pid the holder wrote, if that process still exists. The holder writes
// it just after locking, so for a moment the file may be empty or still
// name a previous, dead holder: both are reported as unknown.
std::optional<pid_t> read_holder(int fd) {
  char text[32];
  const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
  if (got <= 0) return std::nullopt;
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text, text + got, pid);
  if (ec != std::errc{} || pid <= 0) return std::nullopt;
  if (::kill(pid, 0) != 0 && errno != EPERM) return std::nullopt;
  return pid;
}

void write_own_pid(int fd) {
  const std::string text = fmt::format("{}\n", ::getpid());
  // Informational only: a failure here leaves the lock itself intact.
  if (::ftruncate(fd, 0) != 0) return;
  [[maybe_unused]] auto wrote = ::pwrite(fd, text.data(), text.size(), 0);
}

std::string holder_text(std::optional<pid_t> pid) {
  return pid ? fmt::format("another process-monitor run (pid {})", *pid) : "another process-monitor run";
}

LockError busy(int fd, const std::string& path, Duration waited) {
  const auto pid = read_holder(fd);
  std::string message = fmt::format("{} holds {}", holder_text(pid), path);
  if (waited > Duration::zero())
    message += fmt::format("; gave up after waiting {}", format_duration(waited));
  return LockError{LockError::Busy, pid, std::move(message)};
}

// Sleeps up to `period`; false when the interrupt was requested.
bool pause_for(Duration period, const Interrupt* interrupt) {
  if (interrupt == nullptr) {
    ::poll(nullptr, 0, static_cast<int>(period.count()));
    return true;
  }
  return interrupt->sleep_for(period);
}

}  // namespace

std::string lock_file_path(const std::string& state_file) { return state_file + ".lock"; }

std::expected<RunLock, LockError> RunLock::acquire(const std::string& state_file, Duration wait,
                                                   const Interrupt* interrupt) {
  std::string path = lock_file_path(state_file);
  // O_NOFOLLOW: the file is truncated once locked, and a planted symlink
  // must not turn that into truncating some other file as root.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return std::unexpected(
        LockError{LockError::Io, std::nullopt,
                  fmt::format("cannot open lock file {}: {}", path, std::strerror(errno))});
  }
  wait = std::clamp(wait, Duration::zero(), kLongestWait);
  const Deadline deadline = Deadline::after(wait);
  auto give_up = [fd](LockError error) {
    ::close(fd);
    return std::unexpected(std::move(error));
  };
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      write_own_pid(fd);
      return RunLock(fd, std::move(path));
    }
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      return give_up(LockError{LockError::Io, std::nullopt,
                               fmt::format("cannot lock {}: {}", path, std::strerror(errno))});
    }
    if (deadline.expired()) return give_up(busy(fd, path, wait));
    if (!pause_for(std::min(kRetryPeriod, deadline.remaining()), interrupt)) {
      LockError error = busy(fd, path, Duration::zero());
      error.kind = LockError::Interrupted;
      error.message = "interrupted while waiting: " + error.message;
      return give_up(std::move(error));
    }
  }
}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

RunLock::~RunLock() { release(); }

void RunLock::release() {
  if (fd_ < 0) return;
  // Emptied while still held, so no later reader names this pid as a holder.
  [[maybe_unused]] auto truncated = ::ftruncate(fd_, 0);
  ::close(fd_);  // closing the last descriptor of the open file releases the flock
  fd_ = -1;
}

}  // namespace pm
