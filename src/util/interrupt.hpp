#pragma once
// Cooperative cancellation driven by SIGTERM/SIGINT. The signal handler only
// sets a flag and writes one byte to a pipe (both async-signal-safe); waits
// in the monitor (sleeps between cycles, poll loops of exec and HTTP) watch
// the pipe's read end, so a signal ends them within milliseconds.
#include <atomic>

#include "util/duration.hpp"

namespace pm {

class Interrupt {
 public:
  Interrupt();
  ~Interrupt();
  Interrupt(const Interrupt&) = delete;
  Interrupt& operator=(const Interrupt&) = delete;

  // Routes SIGTERM and SIGINT to this object. At most one Interrupt may be
  // installed at a time.
  void install_signal_handlers();

  // Marks the interrupt as requested (what the signal handler does).
  void request(int signal_number = 0);
  bool requested() const { return signal_.load() != -1; }
  // The signal that requested it, 0 when requested by code, -1 when not requested.
  int signal_number() const { return signal_.load(); }

  // Readable once requested; for poll().
  int wake_fd() const { return pipe_[0]; }

  // Sleeps for `duration` or until requested. Returns false when interrupted.
  bool sleep_for(Duration duration) const;

 private:
  std::atomic<int> signal_{-1};
  int pipe_[2]{-1, -1};
};

}  // namespace pm
