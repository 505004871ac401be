#include "rotate/rotation_trigger.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "util/size.hpp"

namespace pm {

TriggerDecision decide_rotation(const LogGroupConfig& group, std::uint64_t size,
                                std::optional<WallTime> since, WallTime now, bool force) {
  if (size == 0 && group.not_if_empty) return {false, "empty (not_if_empty)"};
  if (force) return {true, "forced"};
  if (group.max_size && size >= *group.max_size) {
    return {true,
            fmt::format("size {} reached max_size {}", format_size(size), format_size(*group.max_size))};
  }
  std::string age_text;
  if (group.max_age && since) {
    auto age = std::chrono::duration_cast<Duration>(now - *since);
    if (age >= *group.max_age) {
      return {true, fmt::format("{} since its last rotation (max_age {})", format_duration(age),
                                format_duration(*group.max_age))};
    }
    age_text = fmt::format("{} of max_age {}", format_duration(std::max(age, Duration::zero())),
                           format_duration(*group.max_age));
  } else if (group.max_age) {
    age_text = "age unknown until the next run";
  }
  std::string size_text =
      group.max_size ? fmt::format("size {} of max_size {}", format_size(size), format_size(*group.max_size))
                     : std::string();
  std::string joiner = !size_text.empty() && !age_text.empty() ? ", " : "";
  return {false, fmt::format("not due: {}{}{}", size_text, joiner, age_text)};
}

std::optional<WallTime> birth_time(int fd) {
  struct statx info {};
  if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &info) != 0 || (info.stx_mask & STATX_BTIME) == 0) {
    return std::nullopt;
  }
  return WallTime(std::chrono::duration_cast<WallClock::duration>(
      std::chrono::seconds(info.stx_btime.tv_sec) + std::chrono::nanoseconds(info.stx_btime.tv_nsec)));
}

}  // namespace pm
