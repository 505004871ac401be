#pragma once
// The directory of a live log, opened once: every rotation step is an *at()
// call relative to it, by file name, so a path component replaced by a
// symbolic link halfway through cannot send a later step elsewhere. Each
// step that changes the file system passes through the step hook first
// (tests use it to look at every intermediate state and to inject failures).
#include <sys/stat.h>
#include <sys/types.h>

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/unique_fd.hpp"

namespace pm {

// Called with a description of a step ("rename /d/app.log to /d/app.log.1")
// just before it runs; an unexpected value fails the step with that message,
// as if the system call had failed.
using StepHook = std::function<std::expected<void, std::string>(std::string_view step)>;

// "cannot <what>: <strerror(error)>".
std::string os_error(std::string_view what, int error);

class LogDirectory {
 public:
  // Opens `path` (symbolic links in it are followed: only the live file
  // itself must not be one). `hook` may be empty and must outlive this.
  static std::expected<LogDirectory, std::string> open(const std::string& path, const StepHook* hook);

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }
  std::string path_of(std::string_view name) const;

  // lstat of an entry; nullopt when it does not exist.
  std::expected<std::optional<struct stat>, std::string> stat(std::string_view name) const;
  // The names of the directory's entries (no "." or "..").
  std::expected<std::vector<std::string>, std::string> names() const;
  // openat(name, flags | O_NOFOLLOW | O_CLOEXEC): a symbolic link is refused
  // (ELOOP). O_CREAT opens are steps.
  std::expected<UniqueFd, std::string> open_file(std::string_view name, int flags, mode_t mode = 0) const;

  // Renames without ever replacing an existing name (renameat2 with
  // RENAME_NOREPLACE; link + unlink where the filesystem lacks it): an
  // existing `to` is an error and both files stay.
  std::expected<void, std::string> rename_new(std::string_view from, std::string_view to) const;
  // Removes an entry; one that is already gone is not an error.
  std::expected<void, std::string> remove(std::string_view name) const;
  // fsync of the directory: the renames, creations and removals so far
  // survive a crash, before a step that relies on them.
  std::expected<void, std::string> sync() const;

  // Runs the step hook for a step done outside this class (on a file).
  std::expected<void, std::string> step(std::string_view description) const;

 private:
  LogDirectory(std::string path, UniqueFd fd, const StepHook* hook)
      : path_(std::move(path)), fd_(std::move(fd)), hook_(hook) {}

  std::string path_;
  UniqueFd fd_;
  const StepHook* hook_;
};

}  // namespace pm
