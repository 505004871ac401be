#pragma once
// Runs a program from an argv vector (posix_spawnp, never a shell), captures
// its output with a size cap, and enforces a deadline: SIGTERM to the child's
// process group when it passes, SIGKILL after a grace period.
//
// The child runs in its own process group, with stdin from /dev/null, stdout
// and stderr to pipes, no blocked signals and default signal dispositions.
#include <cstddef>
#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "util/deadline.hpp"
#include "util/duration.hpp"

namespace pm {

class Interrupt;

struct ExecRequest {
  // argv[0] is looked up in PATH when it has no '/': the monitor's own PATH,
  // even when env_overrides sets another one for the child.
  std::vector<std::string> argv;
  // Added to (or replacing in) the monitor's own environment; for a repeated
  // name the last entry wins. A name must be non-empty and contain no '='.
  std::vector<std::pair<std::string, std::string>> env_overrides;
  Deadline deadline = Deadline::never();
  Duration kill_grace{2000};                 // SIGTERM -> SIGKILL
  std::size_t output_cap = 4 * 1024 * 1024;  // per stream; the rest is read and dropped
  // When false, a stop request (SIGTERM to the monitor) lets the child finish
  // within its deadline: a restart command is never cut in half.
  bool interruptible = true;
};

struct ExecResult {
  int exit_code = -1;        // valid when signal == 0 and !timed_out; -1 when never started
  int signal = 0;            // the signal that ended the child, if any (SIGTERM/SIGKILL when stopped)
  bool timed_out = false;    // the deadline passed; the child was stopped (or never started)
  bool interrupted = false;  // the monitor was asked to stop; the child was stopped (or never started)
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  std::string out;
  std::string err;
  Duration elapsed{0};  // from spawn to reap

  bool succeeded() const { return !timed_out && !interrupted && signal == 0 && exit_code == 0; }
  // "exited with status 1", "killed by signal 9 (Killed)", "timed out after 10.2s"
  // (the elapsed time, grace period included), "interrupted".
  std::string describe() const;
  // The last non-empty line of stderr (or of stdout when stderr has none),
  // whitespace-trimmed and cut to 300 bytes (never inside a UTF-8 character):
  // what a user needs to see of a failed command.
  std::string last_output_line() const;
  // "'<shown>' <describe()>: <last_output_line()>", the message for a failed
  // command shown as `shown`.
  std::string failure(std::string_view shown) const;
};

// The seam through which backends run commands; tests pass a fake.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Unexpected: the program could not be started at all (not found, not
  // executable); the message names the program and the reason.
  virtual std::expected<ExecResult, std::string> run(const ExecRequest& request) = 0;
};

// Runs real processes. `interrupt` (optional, must outlive the runner) stops
// a running interruptible child early, like a deadline does.
class ProcessRunner : public CommandRunner {
 public:
  explicit ProcessRunner(const Interrupt* interrupt = nullptr) : interrupt_(interrupt) {}
  // Blocks until the child has exited and been reaped; never leaves a zombie.
  // - Nothing is started when the deadline has already passed or an
  //   interruptible request finds the interrupt already requested: the result
  //   says timed_out / interrupted.
  // - When stopped (timed out or interrupted), whatever is left of the child's
  //   process group when it exits is SIGKILLed before run() returns.
  // - After the child exits, output is read for at most 200 ms more: a
  //   grandchild that left the process group (setsid) and still holds the
  //   pipes is neither waited for nor killed.
  // So run() returns by about deadline + kill_grace + 200 ms, unless the child
  // cannot even be killed (uninterruptible sleep in the kernel).
  // Keeps no state between calls. Installs no SIGCHLD handler; if the process
  // sets SIGCHLD to SIG_IGN, exit statuses are lost (exit_code stays -1).
  std::expected<ExecResult, std::string> run(const ExecRequest& request) override;

 private:
  const Interrupt* interrupt_;
};

}  // namespace pm
