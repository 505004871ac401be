#pragma once
// Where the restart policy's jitter comes from: injected, so tests choose the
// numbers and a policy decision is a pure function of its inputs.
#include <random>

namespace pm {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A number in [0, 1]; values outside are clamped by the caller.
  virtual double uniform01() = 0;
};

// The real one: std::mt19937 seeded from std::random_device, so that
// monitors on many hosts (or many services on one) do not retry in step.
class SystemRandom final : public RandomSource {
 public:
  SystemRandom();
  double uniform01() override;

 private:
  std::mt19937 engine_;
  std::uniform_real_distribution<double> distribution_{0.0, 1.0};
};

}  // namespace pm
