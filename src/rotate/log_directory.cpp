#include "rotate/log_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pm {

std::string os_error(std::string_view what, int error) {
  return fmt::format("cannot {}: {}", what, std::strerror(error));
}

std::expected<LogDirectory, std::string> LogDirectory::open(const std::string& path, const StepHook* hook) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(os_error(fmt::format("open the directory {}", path), errno));
  return LogDirectory(path, UniqueFd(fd), hook);
}

std::string LogDirectory::path_of(std::string_view name) const {
  return path_ == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", path_, name);
}

std::expected<void, std::string> LogDirectory::step(std::string_view description) const {
  if (hook_ == nullptr || !*hook_) return {};
  return (*hook_)(description);
}

std::expected<std::optional<struct stat>, std::string> LogDirectory::stat(std::string_view name) const {
  struct stat info {};
  if (fstatat(fd(), std::string(name).c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0) return info;
  if (errno == ENOENT) return std::optional<struct stat>{};
  return std::unexpected(os_error(fmt::format("stat {}", path_of(name)), errno));
}

std::expected<std::vector<std::string>, std::string> LogDirectory::names() const {
  // fdopendir takes the descriptor it is given: hand it a fresh one.
  int copy = openat(fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* listing = copy < 0 ? nullptr : fdopendir(copy);
  if (listing == nullptr) {
    int error = errno;
    if (copy >= 0) close(copy);
    return std::unexpected(os_error(fmt::format("list {}", path_), error));
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = readdir(listing)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  int error = errno;
  closedir(listing);
  if (error != 0) return std::unexpected(os_error(fmt::format("list {}", path_), error));
  return names;
}

std::expected<UniqueFd, std::string> LogDirectory::open_file(std::string_view name, int flags,
                                                             mode_t mode) const {
  if ((flags & O_CREAT) != 0) {
    if (auto allowed = step(fmt::format("create {}", path_of(name))); !allowed) {
      return std::unexpected(allowed.error());
    }
  }
  int fd = openat(this->fd(), std::string(name).c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd >= 0) return UniqueFd(fd);
  std::string_view verb = (flags & O_CREAT) != 0 ? "create" : "open";
  if (errno == ELOOP) {
    return std::unexpected(fmt::format("cannot {} {}: it is a symbolic link, which rotation never follows",
                                       verb, path_of(name)));
  }
  return std::unexpected(os_error(fmt::format("{} {}", verb, path_of(name)), errno));
}

std::expected<void, std::string> LogDirectory::rename_new(std::string_view from, std::string_view to) const {
  std::string what = fmt::format("rename {} to {}", path_of(from), path_of(to));
  if (auto allowed = step(what); !allowed) return std::unexpected(allowed.error());
  std::string from_name(from);
  std::string to_name(to);
  if (renameat2(fd(), from_name.c_str(), fd(), to_name.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno != EINVAL && errno != ENOSYS) {
    if (errno == EEXIST) return std::unexpected(fmt::format("cannot {}: the target exists", what));
    return std::unexpected(os_error(what, errno));
  }
  // No RENAME_NOREPLACE here: a hard link never replaces either, and both
  // names hold the data until the old one goes.
  if (linkat(fd(), from_name.c_str(), fd(), to_name.c_str(), 0) != 0) {
    if (errno == EEXIST) return std::unexpected(fmt::format("cannot {}: the target exists", what));
    return std::unexpected(os_error(what, errno));
  }
  if (unlinkat(fd(), from_name.c_str(), 0) != 0) return std::unexpected(os_error(what, errno));
  return {};
}

std::expected<void, std::string> LogDirectory::remove(std::string_view name) const {
  std::string what = fmt::format("remove {}", path_of(name));
  if (auto allowed = step(what); !allowed) return std::unexpected(allowed.error());
  if (unlinkat(fd(), std::string(name).c_str(), 0) == 0 || errno == ENOENT) return {};
  return std::unexpected(os_error(what, errno));
}

std::expected<void, std::string> LogDirectory::sync() const {
  if (fsync(fd()) == 0 || errno == EINVAL) return {};  // EINVAL: a filesystem without directory sync
  return std::unexpected(os_error(fmt::format("sync the directory {}", path_), errno));
}

}  // namespace pm
