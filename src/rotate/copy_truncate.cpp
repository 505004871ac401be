#include "rotate/copy_truncate.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "rotate/file_io.hpp"
#include "rotate/partial_file.hpp"

namespace pm {
namespace {

// Copies from `offset` to the end of the live file onto the end of the
// committed rotated file, then truncates the live file: the fallback where
// the filesystem cannot collapse. Unexpected: a failure before the truncate
// (the live file is whole). After it, a failed sync is only a warning: the
// copy cannot be undone any more.
struct TruncatedCopy {
  std::uint64_t moved = 0;
  std::string sync_problem;
};

std::expected<TruncatedCopy, std::string> copy_rest_and_truncate(const LogDirectory& dir, int live_fd,
                                                                 const std::string& live,
                                                                 const std::string& rotated_name,
                                                                 std::uint64_t offset, Deadline deadline) {
  auto rotated = dir.open_file(rotated_name, O_WRONLY | O_APPEND);
  if (!rotated) return std::unexpected(rotated.error());
  auto copied = copy_range(live_fd, rotated->get(), offset, UINT64_MAX, deadline);
  if (!copied) {
    return std::unexpected(describe(copied.error(), dir.path_of(live), dir.path_of(rotated_name)));
  }
  // The truncate follows the end of the copy at once: whatever the writer
  // appends in between is lost, so nothing else may happen there. The copy
  // is synced after; the bulk of it was synced by the commit already.
  if (auto allowed = dir.step(fmt::format("truncate {}", dir.path_of(live))); !allowed) {
    return std::unexpected(allowed.error());
  }
  if (ftruncate(live_fd, 0) != 0) {
    return std::unexpected(os_error(fmt::format("truncate {}", dir.path_of(live)), errno));
  }
  TruncatedCopy done{offset + *copied, {}};
  if (fsync(rotated->get()) != 0) {
    done.sync_problem = "; and " + os_error(fmt::format("sync {}", dir.path_of(rotated_name)), errno);
  }
  return done;
}

}  // namespace

std::expected<std::uint64_t, std::string> line_cut_length(int fd, std::uint64_t size) {
  struct statfs filesystem {};
  if (fstatfs(fd, &filesystem) != 0)
    return std::unexpected(os_error("read the filesystem's block size", errno));
  auto block = static_cast<std::uint64_t>(filesystem.f_bsize);
  if (block == 0 || size == 0) return 0;
  for (std::uint64_t cut = (size - 1) / block * block; cut > 0; cut -= block) {
    char last = 0;
    auto read = read_at(fd, std::span(&last, 1), cut - 1);
    if (!read) return std::unexpected(os_error("read the log", read.error().error));
    if (*read == 1 && last == '\n') return cut;
  }
  return 0;
}

std::expected<CopyTruncateOutcome, std::string> rotate_by_copytruncate(
    const LogDirectory& dir, int live_fd, const std::string& live, const struct stat& info,
    const std::string& rotated_name, std::uint64_t length, Deadline deadline) {
  std::string live_path = dir.path_of(live);
  {
    auto partial = PartialFile::create(dir, rotated_name, info);
    if (!partial) return std::unexpected(partial.error());
    auto copied = copy_range(live_fd, partial->fd(), 0, length, deadline);
    if (!copied) return std::unexpected(describe(copied.error(), live_path, partial->path()));
    if (*copied != length) {
      return std::unexpected(
          fmt::format("{} shrank while being copied (truncated by someone else?)", live_path));
    }
    if (auto committed = partial->commit(); !committed) return std::unexpected(committed.error());
  }
  // From here the copied lines are safe in the rotated file.
  auto undo = [&](std::string error) -> std::expected<CopyTruncateOutcome, std::string> {
    auto removed = dir.remove(rotated_name);
    return std::unexpected(
        fmt::format("{}; {}", error,
                    removed ? fmt::format("{} is whole, nothing rotated", live_path)
                            : fmt::format("{} and {} both hold the copied lines ({})", live_path,
                                          dir.path_of(rotated_name), removed.error())));
  };
  if (auto allowed = dir.step(fmt::format("collapse the first {} bytes of {}", length, live_path));
      !allowed) {
    return undo(allowed.error());
  }
  if (fallocate(live_fd, FALLOC_FL_COLLAPSE_RANGE, 0, static_cast<off_t>(length)) == 0) {
    return CopyTruncateOutcome{true, length, {}};
  }
  int error = errno;
  if (error != EOPNOTSUPP && error != EINVAL) {
    return undo(os_error(fmt::format("remove the copied lines from {}", live_path), error));
  }
  auto moved = copy_rest_and_truncate(dir, live_fd, live, rotated_name, length, deadline);
  if (!moved) return undo(moved.error());
  return CopyTruncateOutcome{
      false, moved->moved,
      fmt::format(
          "this filesystem cannot remove the copied part of a file (fallocate COLLAPSE_RANGE: {}), so the "
          "file was copied and then truncated: lines written between the end of the copy and the "
          "truncate are lost. For no loss use method = \"rename\" with a reopen action, or keep the log "
          "on ext4 or xfs{}",
          std::strerror(error), moved->sync_problem)};
}

}  // namespace pm
