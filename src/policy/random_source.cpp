#include "policy/random_source.hpp"

namespace pm {

SystemRandom::SystemRandom() : engine_(std::random_device{}()) {}

double SystemRandom::uniform01() { return distribution_(engine_); }

}  // namespace pm
