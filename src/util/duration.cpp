#include "util/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace pm {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t milliseconds;
};

// Longest suffix first, so "ms" is not read as "m" followed by junk.
constexpr std::array<Unit, 5> kUnits{{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
}};

std::string bad(std::string_view text, std::string_view why) {
  return fmt::format("invalid duration '{}': {} (examples: \"500ms\", \"30s\", \"5m\", \"1h30m\")", text,
                     why);
}

}  // namespace

std::expected<Duration, std::string> parse_duration(std::string_view text) {
  if (text.empty()) return std::unexpected(bad(text, "empty"));
  std::int64_t total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::int64_t amount = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), amount);
    if (ec == std::errc::result_out_of_range) return std::unexpected(bad(text, "number too large"));
    if (ec != std::errc{} || amount < 0) return std::unexpected(bad(text, "expected a number"));
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    const Unit* unit = nullptr;
    for (const auto& candidate : kUnits) {
      if (rest.starts_with(candidate.suffix)) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) {
      return std::unexpected(bad(
          text, rest.empty() ? "missing unit (ms, s, m, h or d)" : fmt::format("unknown unit '{}'", rest)));
    }
    rest.remove_prefix(unit->suffix.size());
    if (amount > (std::numeric_limits<std::int64_t>::max() - total) / unit->milliseconds) {
      return std::unexpected(bad(text, "too large"));
    }
    total += amount * unit->milliseconds;
  }
  return Duration{total};
}

std::string format_duration(Duration duration) {
  std::int64_t ms = duration.count();
  if (ms < 0) return "-" + format_duration(Duration{-ms});
  if (ms == 0) return "0s";
  if (ms < 60 * 1000) {
    if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
    if (ms < 1000) return fmt::format("{}ms", ms);
    std::string text = fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0);
    while (text.back() == '0') text.pop_back();
    return text + "s";
  }
  std::string out;
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (ms >= it->milliseconds) {
      out += fmt::format("{}{}", ms / it->milliseconds, it->suffix);
      ms %= it->milliseconds;
    }
  }
  return out;
}

}  // namespace pm
