#pragma once
// The [resources] table as configured: host thresholds checked once per run
// (config/resource_keys.cpp reads and validates them). Percent thresholds are
// stored as ratios (90% -> 0.9); load thresholds as the 1-minute load average
// per online CPU (2 CPUs at load 3.0 -> 1.5).
#include <optional>
#include <string>
#include <vector>

namespace pm {

// A check's levels; either may be unset, and when both are set warn < critical.
struct Threshold {
  std::optional<double> warn;
  std::optional<double> critical;
  bool configured() const { return warn.has_value() || critical.has_value(); }
};

// One [[resources.disk]]: its thresholds apply to the share of blocks used and
// to the share of inodes used of the filesystem holding `path`.
struct DiskThreshold {
  std::string path;  // absolute
  Threshold used;
};

struct ResourceSettings {
  Threshold memory;  // (MemTotal - MemAvailable) / MemTotal
  Threshold load;    // 1-minute load average / online CPUs
  Threshold cpu;     // busy share of all CPUs' time since the previous run
  std::vector<DiskThreshold> disks;
  bool configured() const {
    return memory.configured() || load.configured() || cpu.configured() || !disks.empty();
  }
};

}  // namespace pm
