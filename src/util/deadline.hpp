#pragma once
// A point on the monotonic clock by which something must be done. Every
// external call (exec, HTTP, engine socket) takes one, and the run's own
// deadline bounds them all, so a hung engine can never hang the monitor.
#include <algorithm>
#include <chrono>

#include "util/duration.hpp"

namespace pm {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Deadline(Clock::time_point at) : at_(at) {}
  static Deadline after(Duration budget) { return Deadline(Clock::now() + budget); }
  static Deadline never() { return Deadline(Clock::time_point::max()); }

  Clock::time_point at() const { return at_; }
  bool expired() const { return Clock::now() >= at_; }

  // Time left, never negative.
  Duration remaining() const {
    if (at_ == Clock::time_point::max()) return Duration::max();
    auto left = std::chrono::duration_cast<Duration>(at_ - Clock::now());
    return std::max(left, Duration::zero());
  }

  // The earlier of this deadline and `budget` from now: a call's own timeout
  // inside the run's deadline.
  Deadline capped(Duration budget) const {
    auto now = Clock::now();
    if (at_ - now <= budget) return *this;
    return Deadline(now + budget);
  }

 private:
  Clock::time_point at_;
};

}  // namespace pm
