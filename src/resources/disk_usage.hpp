#pragma once
// A filesystem's use from its statvfs(3) numbers, as df computes it: used
// blocks over the blocks an unprivileged user could have (used + available),
// so the root-reserved blocks count as full, and df's "Use%" is the same.
#include <optional>

#include <sys/statvfs.h>

namespace pm {

struct DiskUsage {
  double blocks_used = 0;  // within [0, 1]
  std::optional<double>
      inodes_used;  // within [0, 1]; unset where the filesystem has no inode count (btrfs, vfat)
};

DiskUsage disk_usage(const struct statvfs& stats);

}  // namespace pm
