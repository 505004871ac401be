#include "rotate/compress_rotated.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "rotate/gzip_stream.hpp"
#include "rotate/open_check.hpp"
#include "rotate/partial_file.hpp"

namespace pm {
namespace {

// LIVE.2 and LIVE.2.gz both exist: finish the earlier run's work if the
// .gz holds exactly LIVE.2's data.
std::expected<CompressOutcome, std::string> finish_interrupted(const LogDirectory& dir,
                                                               const std::string& plain,
                                                               const std::string& gz, int plain_fd,
                                                               Deadline deadline) {
  auto gz_fd = dir.open_file(gz, O_RDONLY);
  if (!gz_fd) return std::unexpected(gz_fd.error());
  auto same = gzip_matches(gz_fd->get(), plain_fd, deadline, dir.path_of(gz), dir.path_of(plain));
  if (!same) return std::unexpected(same.error());
  if (!*same) {
    return std::unexpected(
        fmt::format("both {} and {} exist and hold different data; left both: keep the one "
                    "you want and remove the other",
                    dir.path_of(plain), dir.path_of(gz)));
  }
  if (auto removed = dir.remove(plain); !removed) return std::unexpected(removed.error());
  return CompressOutcome{true, "finished an interrupted compression"};
}

bool same_content_times(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

std::expected<CompressOutcome, std::string> compress_rotated(const LogDirectory& dir, const RotatedFile& file,
                                                             Deadline deadline) {
  const std::string& plain = file.name;
  std::string gz = plain + std::string(kGzipSuffix);
  auto in = dir.open_file(plain, O_RDONLY);
  if (!in) return std::unexpected(in.error());
  struct stat before {};
  if (fstat(in->get(), &before) != 0) return std::unexpected(os_error("stat " + dir.path_of(plain), errno));
  if (!S_ISREG(before.st_mode))
    return std::unexpected(fmt::format("{} is not a regular file", dir.path_of(plain)));

  OpenCheck open = check_open_elsewhere(in->get());
  if (open.state == OpenState::Open) {
    return CompressOutcome{false,
                           "still open by a process (a writer that has not reopened its log yet?); "
                           "compressed by a later run"};
  }
  auto existing = dir.stat(gz);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) return finish_interrupted(dir, plain, gz, in->get(), deadline);

  auto partial = PartialFile::create(dir, gz, before);
  if (!partial) return std::unexpected(partial.error());
  if (auto zipped = gzip_file(in->get(), partial->fd(), deadline, dir.path_of(plain), partial->path());
      !zipped) {
    return std::unexpected(zipped.error());
  }
  CompressOutcome outcome{true, {}};
  if (open.state == OpenState::Unknown) {
    // Without a lease, a file that changed while it was read is still being
    // written: keep it whole for a later run rather than lose the new lines.
    struct stat after {};
    if (fstat(in->get(), &after) != 0) return std::unexpected(os_error("stat " + dir.path_of(plain), errno));
    if (!same_content_times(before, after)) {
      return CompressOutcome{false, "written to while being compressed; compressed by a later run"};
    }
    outcome.note = fmt::format(
        "cannot tell whether a writer still has it open ({}); it did not change while "
        "being compressed",
        open.reason);
  }
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  futimens(partial->fd(), times);  // the .gz keeps the time of its last line
  if (auto committed = partial->commit(); !committed) return std::unexpected(committed.error());
  if (auto removed = dir.remove(plain); !removed) return std::unexpected(removed.error());
  if (auto synced = dir.sync(); !synced) return std::unexpected(synced.error());
  return outcome;
}

}  // namespace pm
