#include "rotate/rotate_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <ctime>

#include <fmt/format.h>

#include "rotate/copy_truncate.hpp"
#include "rotate/dir_safety.hpp"
#include "rotate/rename_rotation.hpp"
#include "rotate/rotation_slot.hpp"
#include "rotate/rotation_trigger.hpp"

namespace pm {
namespace {

std::tm local_time(WallTime now) {
  std::time_t seconds = WallClock::to_time_t(now);
  std::tm local{};
  localtime_r(&seconds, &local);
  return local;
}

// When the file started collecting lines: the state's record, else its
// birth time, else now (recorded, so max_age counts from this first sighting).
std::optional<WallTime> live_since(const std::string& path, int fd, const RotationContext& context,
                                   RotationState& state) {
  if (auto known = state.live_since.find(path); known != state.live_since.end()) return known->second;
  std::optional<WallTime> born = birth_time(fd);
  if (!context.dry_run) state.live_since[path] = born.value_or(context.now);
  return born;
}

// The live file, opened without following a symbolic link, as a regular file.
std::expected<UniqueFd, std::string> open_live(const LogDirectory& dir, const std::string& name, int flags,
                                               struct stat& info) {
  auto fd = dir.open_file(name, flags);
  if (!fd) return std::unexpected(fd.error());
  if (fstat(fd->get(), &info) != 0) return std::unexpected(os_error("stat " + dir.path_of(name), errno));
  if (!S_ISREG(info.st_mode))
    return std::unexpected(fmt::format("{} is not a regular file", dir.path_of(name)));
  return fd;
}

// Runs the group's method on the open live file; returns the rotated name.
std::expected<std::string, std::string> run_method(const LogGroupConfig& group, const LogDirectory& dir,
                                                   const std::string& name, int fd, const struct stat& info,
                                                   const RotationContext& context, FileRotation& out) {
  std::uint64_t length = static_cast<std::uint64_t>(info.st_size);
  if (group.method == RotateMethod::CopyTruncate) {
    auto cut = line_cut_length(fd, length);
    if (!cut) return std::unexpected(cut.error());
    if (*cut == 0) return std::string();
    length = *cut;
  }
  auto rotated = make_room_for_rotation(dir, name, group.naming, local_time(context.now), context.dry_run);
  if (!rotated || context.dry_run) return rotated;
  if (group.method == RotateMethod::Rename) {
    auto renamed = rotate_by_rename(dir, name, *rotated, group.create, info);
    if (!renamed) return std::unexpected(renamed.error());
    return rotated;
  }
  auto copied = rotate_by_copytruncate(dir, fd, name, info, *rotated, length, context.deadline);
  if (!copied) return std::unexpected(copied.error());
  if (!copied->warning.empty()) out.notes.push_back(copied->warning);
  return rotated;
}

}  // namespace

std::pair<std::string, std::string> split_path(const std::string& path) {
  auto slash = path.rfind('/');
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

bool rotate_live_file(const LogGroupConfig& group, const std::string& path, const RotationContext& context,
                      RotationState& state, FileRotation& out) {
  auto [dir_path, name] = split_path(path);
  auto dir = LogDirectory::open(dir_path, &context.before_step);
  if (!dir) {
    out.errors.push_back(dir.error());
    return false;
  }
  struct stat dir_info {};
  if (fstat(dir->fd(), &dir_info) != 0) {
    out.errors.push_back(os_error("stat " + dir_path, errno));
    return false;
  }
  if (!group.allow_unsafe_dir) {
    if (auto safe = check_directory_safety(dir_path, dir_info); !safe) {
      out.errors.push_back(safe.error());
      return false;
    }
  }
  struct stat info {};
  int flags = group.method == RotateMethod::CopyTruncate ? O_RDWR : O_RDONLY;
  auto fd = open_live(*dir, name, flags, info);
  if (!fd) {
    out.errors.push_back(fd.error());
    return false;
  }
  auto decision = decide_rotation(group, static_cast<std::uint64_t>(info.st_size),
                                  live_since(path, fd->get(), context, state), context.now, context.force);
  out.reason = decision.reason;
  if (!decision.rotate) return false;
  auto rotated = run_method(group, *dir, name, fd->get(), info, context, out);
  if (!rotated) {
    out.errors.push_back(rotated.error());
    return false;
  }
  if (rotated->empty()) {
    out.reason = fmt::format(
        "{}, but no line ends on a filesystem block boundary yet, where copytruncate cuts "
        "without losing or splitting a line; it rotates once the file grows",
        decision.reason);
    return false;
  }
  out.rotated = true;
  out.rotated_to = dir->path_of(*rotated);
  if (!context.dry_run) state.live_since[path] = context.now;
  return group.method == RotateMethod::Rename;
}

}  // namespace pm
