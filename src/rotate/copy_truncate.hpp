#pragma once
// The copytruncate method, for writers that cannot reopen their log: copy
// the live file, then remove from it exactly what was copied.
//
// The removal is fallocate(FALLOC_FL_COLLAPSE_RANGE) on filesystems that
// have it (ext4, xfs): the copied prefix leaves the file and whatever was
// appended meanwhile stays, so nothing is lost or duplicated. A collapse
// works on whole filesystem blocks, so the cut is the last block boundary
// at which a line ends: no line is split between the rotated and the live
// file, and the rest stays in the live file for the next rotation. A file
// with no line end on a block boundary yet is not rotated (it will have one
// as it grows: with lines of random length, about one boundary in the
// average line length). Safe writers append with O_APPEND (every write
// lands at the current end, which moves with the collapse): shells' >>,
// PM2, most loggers. A writer that keeps its own offset (opened without
// O_APPEND) writes past the new end after the collapse, leaving a hole of
// NUL bytes, as it would after any truncate.
//
// Elsewhere (tmpfs, btrfs, NFS) the rest of the file is copied too and the
// file truncated to zero: lines appended between the end of that copy and
// the truncate are lost. The outcome carries a warning that says so.
#include <sys/stat.h>

#include <cstdint>
#include <expected>
#include <string>

#include "rotate/log_directory.hpp"
#include "util/deadline.hpp"

namespace pm {

// Where to cut a file of `size` bytes on the filesystem of `fd`: the
// largest multiple of the block size below `size` right after a '\n' (below:
// a collapse may not reach the end of the file). 0 when there is none.
std::expected<std::uint64_t, std::string> line_cut_length(int fd, std::uint64_t size);

struct CopyTruncateOutcome {
  bool collapsed = false;   // false: copied and truncated (see warning)
  std::uint64_t moved = 0;  // bytes now in the rotated file
  std::string warning;
};

// Copies the first `length` bytes (line_cut_length) of the live file
// `live_fd` (named `live`, stat `info`) to `rotated_name`, committed and
// synced before anything leaves the live file, then removes them from it.
// A crash in between duplicates the copied lines, never loses them. On
// failure the rotated file is removed again and the live file is whole.
std::expected<CopyTruncateOutcome, std::string> rotate_by_copytruncate(
    const LogDirectory& dir, int live_fd, const std::string& live, const struct stat& info,
    const std::string& rotated_name, std::uint64_t length, Deadline deadline);

}  // namespace pm
