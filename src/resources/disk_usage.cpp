#include "resources/disk_usage.hpp"

namespace pm {
namespace {

double share(double used, double of) { return of <= 0 ? 0.0 : (used >= of ? 1.0 : used / of); }

}  // namespace

DiskUsage disk_usage(const struct statvfs& stats) {
  DiskUsage usage;
  // Counts in f_frsize units; free >= available (reserved blocks).
  const double used =
      stats.f_blocks > stats.f_bfree ? static_cast<double>(stats.f_blocks - stats.f_bfree) : 0;
  usage.blocks_used = share(used, used + static_cast<double>(stats.f_bavail));
  if (stats.f_files > 0) {
    const double inodes = static_cast<double>(stats.f_files);
    const double free = static_cast<double>(stats.f_ffree);
    usage.inodes_used = share(inodes > free ? inodes - free : 0, inodes);
  }
  return usage;
}

}  // namespace pm
