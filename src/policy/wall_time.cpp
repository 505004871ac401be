#include "policy/wall_time.hpp"

#include <ctime>

#include <fmt/format.h>

namespace pm {

std::optional<WallTime> wall_time_from_unix_ms(std::int64_t unix_ms) {
  using std::chrono::duration_cast, std::chrono::milliseconds;
  constexpr auto kMax = duration_cast<milliseconds>(WallTime::duration::max()).count();
  constexpr auto kMin = duration_cast<milliseconds>(WallTime::duration::min()).count();
  if (unix_ms > kMax || unix_ms < kMin) return std::nullopt;
  return WallTime(milliseconds(unix_ms));
}

std::string format_wall_time(WallTime time, WallTime now) {
  std::time_t seconds = WallClock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return fmt::format("{}s after the epoch", seconds);
  auto distance = time > now ? time - now : now - time;
  if (distance >= std::chrono::days{1}) {
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", utc.tm_year + 1900, utc.tm_mon + 1,
                       utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  }
  return fmt::format("{:02}:{:02}:{:02} UTC", utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace pm
