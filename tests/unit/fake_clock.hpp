#pragma once
// The fake time and randomness of the policy and status tests: a fixed
// wall-clock noon to count from, and a random source that always answers
// the same value. No test sleeps or reads the real clock.
#include <chrono>

#include "policy/random_source.hpp"
#include "policy/wall_time.hpp"

namespace pm::test {

// 2024-05-01 12:00:00 UTC, the first run.
inline const WallTime kNoon = std::chrono::sys_days{std::chrono::year{2024} / 5 / 1} + std::chrono::hours(12);

inline WallTime at(std::chrono::seconds since_noon) { return kNoon + since_noon; }

class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(double value = 0.5) : value_(value) {}
  double uniform01() override { return value_; }

 private:
  double value_;
};

}  // namespace pm::test
