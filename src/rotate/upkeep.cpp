#include "rotate/upkeep.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "rotate/compress_rotated.hpp"
#include "rotate/open_check.hpp"
#include "rotate/partial_file.hpp"
#include "rotate/retention.hpp"
#include "rotate/rotate_file.hpp"

namespace pm {
namespace {

constexpr Duration kSettlePoll{50};

// The rotated files of `live`, newest first, with their sizes. Partial files
// of rotated names, left by a run that stopped halfway, are removed.
std::expected<std::vector<RotatedFile>, std::string> list_rotated(const LogDirectory& dir,
                                                                  const std::string& live,
                                                                  RotatedNaming naming, bool dry_run) {
  auto names = dir.names();
  if (!names) return std::unexpected(names.error());
  for (const auto& name : *names) {
    if (dry_run || !name.ends_with(kPartialSuffix)) continue;
    std::string_view final_name = std::string_view(name).substr(0, name.size() - kPartialSuffix.size());
    if (!parse_rotated_name(live, final_name, naming)) continue;
    if (auto removed = dir.remove(name); !removed) return std::unexpected(removed.error());
  }
  std::vector<RotatedFile> files;
  for (auto& file : rotated_files_of(live, *names, naming)) {
    auto info = dir.stat(file.name);
    if (!info) return std::unexpected(info.error());
    if (!*info) continue;  // removed since the listing
    file.size = static_cast<std::uint64_t>((*info)->st_size);
    files.push_back(std::move(file));
  }
  return files;
}

// Removes one rotated file unless a process still has it open.
void remove_rotated(const LogDirectory& dir, const RotatedFile& file, FileRotation& out) {
  auto fd = dir.open_file(file.name, O_RDONLY);
  if (!fd) {
    out.errors.push_back(fd.error());
    return;
  }
  if (check_open_elsewhere(fd->get()).state == OpenState::Open) {
    out.notes.push_back(
        fmt::format("{} is still open by a process (a writer that has not reopened its log?); "
                    "removed by a later run",
                    dir.path_of(file.name)));
    return;
  }
  fd->reset();
  if (auto removed = dir.remove(file.name); !removed) {
    out.errors.push_back(removed.error());
  } else {
    out.removed.push_back(dir.path_of(file.name));
  }
}

void compress(const LogDirectory& dir, const RotatedFile& file, const RotationContext& context,
              Deadline::Clock::time_point settle_until, FileRotation& out) {
  while (true) {
    auto outcome = compress_rotated(dir, file, context.deadline);
    if (!outcome) {
      out.errors.push_back(outcome.error());
      return;
    }
    if (outcome->compressed) {
      out.compressed.push_back(dir.path_of(file.name));
      if (!outcome->note.empty())
        out.notes.push_back(fmt::format("{}: {}", dir.path_of(file.name), outcome->note));
      return;
    }
    if (Deadline::Clock::now() + kSettlePoll > settle_until || context.deadline.remaining() < kSettlePoll) {
      out.notes.push_back(fmt::format("{}: {}", dir.path_of(file.name), outcome->note));
      return;
    }
    std::this_thread::sleep_for(kSettlePoll);
  }
}

void plan_only(const LogGroupConfig& group, const LogDirectory& dir, std::vector<RotatedFile> files,
               const std::string& live, const std::optional<std::string>& planned, std::uint64_t live_size,
               FileRotation& out) {
  if (planned) {
    files = shifted_for_new(files, live, group.naming);
    if (auto fresh = parse_rotated_name(live, *planned, group.naming)) {
      fresh->size = live_size;
      files.insert(files.begin(), *fresh);
    }
  }
  // Sizes before compression: max_total may remove less once compressed.
  auto removals = plan_removals(files, group.keep, group.max_total);
  for (const auto& file : removals) out.removed.push_back(dir.path_of(file.name));
  if (!group.compress) return;
  std::erase_if(files, [&](const RotatedFile& file) {
    return std::ranges::any_of(removals, [&](const RotatedFile& gone) { return gone.name == file.name; });
  });
  for (const auto& file : plan_compressions(files, group.delay_compress)) {
    out.compressed.push_back(dir.path_of(file.name));
  }
}

}  // namespace

void keep_rotated_files(const LogGroupConfig& group, const std::string& live_path,
                        const RotationContext& context, Deadline::Clock::time_point settle_until,
                        const std::optional<std::string>& planned, std::uint64_t live_size,
                        FileRotation& out) {
  auto [dir_path, live] = split_path(live_path);
  auto dir = LogDirectory::open(dir_path, &context.before_step);
  if (!dir) {
    out.errors.push_back(dir.error());
    return;
  }
  auto files = list_rotated(*dir, live, group.naming, context.dry_run);
  if (!files) {
    out.errors.push_back(files.error());
    return;
  }
  if (context.dry_run) {
    plan_only(group, *dir, std::move(*files), live, planned, live_size, out);
    return;
  }
  for (const auto& file : plan_removals(*files, group.keep, std::nullopt)) remove_rotated(*dir, file, out);
  if (group.compress) {
    files = list_rotated(*dir, live, group.naming, false);
    if (!files) {
      out.errors.push_back(files.error());
      return;
    }
    for (const auto& file : plan_compressions(*files, group.delay_compress)) {
      compress(*dir, file, context, settle_until, out);
    }
  }
  if (!group.max_total) return;
  files = list_rotated(*dir, live, group.naming, false);
  if (!files) {
    out.errors.push_back(files.error());
    return;
  }
  for (const auto& file : plan_removals(*files, group.keep, group.max_total)) remove_rotated(*dir, file, out);
}

}  // namespace pm
