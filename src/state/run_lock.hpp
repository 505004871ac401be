#pragma once
// One monitor run at a time per state file. cron starts a run every minute
// whether or not the last one has finished; two runs restarting the same
// service, or saving the same state, would undo each other.
#include <sys/types.h>

#include <expected>
#include <optional>
#include <string>

#include "util/duration.hpp"
#include "util/interrupt.hpp"

namespace pm {

struct LockError {
  enum Kind {
    Busy,         // another run holds the lock (at once, or still at the end of the wait)
    Interrupted,  // the Interrupt was requested while waiting
    Io,           // the lock file cannot be opened or locked
  };
  Kind kind;
  std::optional<pid_t> holder_pid;  // Busy/Interrupted: the holder, when known and alive
  std::string message;              // "another process-monitor run (pid 1234) holds /x.state.json.lock"
};

// `<state_file>.lock`: a separate file, because the state file is replaced
// by rename on every save and a lock on the old inode would protect nothing.
std::string lock_file_path(const std::string& state_file);

// An exclusive flock() on `<state_file>.lock`, held until the RunLock is
// destroyed or the process dies (a SIGKILLed holder frees it; so does a
// crash). The lock file holds the holder's pid and is never deleted:
// deleting it would let two runs lock two different inodes of one name.
// A child forked without exec shares the lock and keeps it held while it
// lives; exec'd children do not inherit it (O_CLOEXEC).
class RunLock {
 public:
  // wait <= 0: one attempt, Busy at once if held. wait > 0: retries until it
  // is free, `wait` has passed (Busy) or `interrupt` is requested
  // (Interrupted). The lock file is created (0600) if missing; a symlink in
  // its place is refused (Io).
  static std::expected<RunLock, LockError> acquire(const std::string& state_file, Duration wait,
                                                   const Interrupt* interrupt = nullptr);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

  const std::string& path() const { return path_; }

 private:
  RunLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void release();

  int fd_ = -1;
  std::string path_;
};

}  // namespace pm
