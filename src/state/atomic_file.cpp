#include "state/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pm {
namespace {

namespace fs = boost::filesystem;

std::unexpected<AtomicWriteError> failed(int error, std::string_view step, const std::string& where,
                                         bool replaced = false) {
  return std::unexpected(
      AtomicWriteError{fmt::format("{} while {} {}", std::strerror(error), step, where), replaced});
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t wrote = ::write(fd, content.data(), content.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return false;
    content.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return true;
}

// The temporary name starts with the target's own name, so a file left by a
// crash (power loss between create and rename) shows what it belonged to.
int create_temporary(const fs::path& target, fs::path& temporary, mode_t mode) {
  for (int attempt = 0;; ++attempt) {
    temporary = target.parent_path() / fs::unique_path(target.filename().string() + ".tmp-%%%%%%%%");
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd >= 0 || errno != EEXIST || attempt == 8) return fd;
  }
}

}  // namespace

std::expected<void, AtomicWriteError> replace_file_atomically(const std::string& path,
                                                              const TextSource& write, mode_t mode) {
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::path temporary;
  const int fd = create_temporary(target, temporary, mode);
  if (fd < 0) return failed(errno, "creating a temporary file in", directory.string());

  // Written and synced before the rename: otherwise a crash right after it
  // can leave a renamed but empty file (ext4 delayed allocation, xfs).
  // errno is kept at the failed write: the source may run more code before it returns.
  int error = 0;
  const TextSink sink = [fd, &error](std::string_view piece) {
    if (write_all(fd, piece)) return true;
    error = errno;
    return false;
  };
  const char* step = nullptr;
  if (!write(sink)) {
    step = "writing";
    if (error == 0) error = EIO;  // the source gave up without a failed write (not expected)
  } else if (::fsync(fd) != 0) {
    step = "syncing";
    error = errno;
  }
  // close() reports deferred write errors on NFS; the data is only safe if it succeeds.
  if (::close(fd) != 0 && step == nullptr) {
    step = "closing";
    error = errno;
  }
  if (step != nullptr) {
    ::unlink(temporary.c_str());
    return failed(error, step, temporary.string());
  }

  boost::system::error_code renamed;
  fs::rename(temporary, target, renamed);
  if (renamed) {
    ::unlink(temporary.c_str());
    return failed(renamed.value(), "renaming it over", path);
  }

  // The rename itself is only durable once the directory entry is on disk.
  const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd < 0) return failed(errno, "opening for sync", directory.string(), true);
  const bool synced = ::fsync(directory_fd) == 0 || errno == EINVAL;  // EINVAL: no dir fsync here
  const int sync_error = errno;
  ::close(directory_fd);
  if (!synced) return failed(sync_error, "syncing", directory.string(), true);
  return {};
}

std::expected<void, AtomicWriteError> replace_file_atomically(const std::string& path,
                                                              std::string_view content, mode_t mode) {
  return replace_file_atomically(
      path, [content](const TextSink& sink) { return sink(content); }, mode);
}

}  // namespace pm
