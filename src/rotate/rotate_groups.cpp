#include "rotate/rotate_groups.hpp"

#include <sys/stat.h>

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rotate/log_paths.hpp"
#include "rotate/rotate_file.hpp"
#include "rotate/upkeep.hpp"

namespace pm {
namespace {

// Runs the group's reopen action after its files were renamed. A failure
// loses nothing: the writer keeps appending to the renamed files, which stay
// uncompressed and are not removed while it holds them.
void reopen_writer(const LogGroupConfig& group, const RotationContext& context, GroupRotation& out) {
  const ReopenAction& action = *group.reopen;
  if (context.dry_run) {
    out.reopened = describe(action);
    return;
  }
  if (context.reopener == nullptr) {
    out.errors.push_back(fmt::format("cannot reopen ({}): no reopener was given (a bug)", describe(action)));
    return;
  }
  auto done = context.reopener->reopen(action, context.deadline);
  if (done) {
    out.reopened = *done;
    return;
  }
  out.errors.push_back(
      fmt::format("the logs were renamed but their writer was not told to reopen ({}): {}; nothing "
                  "is lost, it keeps writing into the renamed files until it reopens",
                  describe(action), done.error()));
}

std::uint64_t size_of(const std::string& path) {
  struct stat info {};
  return lstat(path.c_str(), &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

GroupRotation rotate_group(const LogGroupConfig& group, const RotationContext& context,
                           RotationState& state) {
  GroupRotation out;
  out.where = group.where;
  out.paths = fmt::format("{}", fmt::join(group.paths, ", "));
  LivePaths live = find_live_files(group);
  out.notes = std::move(live.notes);
  out.errors = std::move(live.errors);
  bool renamed = false;
  for (const auto& path : live.files) {
    if (context.deadline.expired()) {
      out.errors.push_back(fmt::format("the run's deadline passed before {} was looked at", path));
      break;
    }
    FileRotation& file = out.files.emplace_back();
    file.live = path;
    renamed = rotate_live_file(group, path, context, state, file) || renamed;
  }
  auto settle_until = Deadline::Clock::now();
  if (renamed && group.reopen) {
    reopen_writer(group, context, out);
    if (out.reopened) settle_until += context.settle;
  }
  for (auto& file : out.files) {
    if (!file.errors.empty() || context.deadline.expired()) continue;
    std::optional<std::string> planned;
    if (context.dry_run && file.rotated && file.rotated_to)
      planned = file.rotated_to->substr(file.live.rfind('/') + 1);
    keep_rotated_files(group, file.live, context, settle_until, planned, size_of(file.live), file);
  }
  return out;
}

}  // namespace

RotationResult rotate_groups(const std::vector<LogGroupConfig>& groups, const RotationContext& context,
                             RotationState& state) {
  RotationResult result;
  result.dry_run = context.dry_run;
  for (const auto& group : groups) result.groups.push_back(rotate_group(group, context, state));
  if (!context.dry_run) {
    std::erase_if(state.live_since, [](const auto& entry) {
      struct stat info {};
      return lstat(entry.first.c_str(), &info) != 0 && errno == ENOENT;
    });
  }
  return result;
}

}  // namespace pm
