#include "rotate/rotation_result.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace pm {

bool GroupRotation::failed() const {
  return !errors.empty() ||
         std::ranges::any_of(files, [](const FileRotation& file) { return !file.errors.empty(); });
}

bool RotationResult::failed() const { return std::ranges::any_of(groups, &GroupRotation::failed); }

std::vector<std::string> rotation_lines(const RotationResult& result, bool verbose) {
  // "rotated" in a run, "would rotate" in a dry run.
  auto done = [&](std::string_view verb, std::string_view past) {
    return result.dry_run ? fmt::format("would {}", verb) : std::string(past);
  };
  std::vector<std::string> lines;
  for (const auto& group : result.groups) {
    for (const auto& note : group.notes) lines.push_back(fmt::format("note: {}: {}", group.paths, note));
    for (const auto& error : group.errors) lines.push_back(fmt::format("error: {}: {}", group.where, error));
    for (const auto& file : group.files) {
      if (file.rotated) {
        lines.push_back(fmt::format("{} {} -> {} ({})", done("rotate", "rotated"), file.live,
                                    file.rotated_to.value_or("?"), file.reason));
      } else if (verbose && file.errors.empty()) {
        lines.push_back(fmt::format("{}: {}", file.live, file.reason));
      }
      for (const auto& plain : file.compressed) {
        lines.push_back(fmt::format("{} {} -> {}.gz", done("compress", "compressed"), plain, plain));
      }
      for (const auto& removed : file.removed) {
        lines.push_back(fmt::format("{} {}", done("remove", "removed"), removed));
      }
      for (const auto& note : file.notes) lines.push_back(fmt::format("warning: {}: {}", file.live, note));
      for (const auto& error : file.errors) lines.push_back(fmt::format("error: {}: {}", file.live, error));
    }
    if (group.reopened) lines.push_back(fmt::format("{}: {}", done("reopen", "reopened"), *group.reopened));
  }
  return lines;
}

}  // namespace pm
