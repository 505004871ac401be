#include "util/size.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace pm {
namespace {

struct SizeUnit {
  char letter;  // as written, either case
  std::uint64_t bytes;
};

constexpr std::array<SizeUnit, 5> kSizeUnits{{
    {'B', 1},
    {'K', 1ULL << 10},
    {'M', 1ULL << 20},
    {'G', 1ULL << 30},
    {'T', 1ULL << 40},
}};

std::string bad(std::string_view text, std::string_view why) {
  return fmt::format("invalid size '{}': {} (examples: \"512K\", \"100M\", \"1G\")", text, why);
}

// The unit of `suffix` ("M", "m", "MiB"), or nullptr.
const SizeUnit* unit_of(std::string_view suffix) {
  if (suffix.empty()) return nullptr;
  char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(suffix.front())));
  std::string_view rest = suffix.substr(1);
  for (const auto& unit : kSizeUnits) {
    if (unit.letter != letter) continue;
    if (rest.empty() || (unit.letter != 'B' && rest == "iB")) return &unit;
  }
  return nullptr;
}

}  // namespace

std::expected<std::uint64_t, std::string> parse_size(std::string_view text) {
  if (text.empty()) return std::unexpected(bad(text, "empty"));
  std::uint64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (ec == std::errc::result_out_of_range) return std::unexpected(bad(text, "number too large"));
  if (ec != std::errc{}) return std::unexpected(bad(text, "expected a whole number"));
  std::string_view suffix = text.substr(static_cast<std::size_t>(end - text.data()));
  if (suffix.empty()) return std::unexpected(bad(text, "missing unit (B, K, M, G or T)"));
  const SizeUnit* unit = unit_of(suffix);
  if (unit == nullptr) return std::unexpected(bad(text, fmt::format("unknown unit '{}'", suffix)));
  if (amount > std::numeric_limits<std::uint64_t>::max() / unit->bytes) {
    return std::unexpected(bad(text, "too large"));
  }
  return amount * unit->bytes;
}

std::string format_size(std::uint64_t bytes) {
  for (auto it = kSizeUnits.rbegin(); it != kSizeUnits.rend(); ++it) {
    if (bytes != 0 && bytes % it->bytes == 0) return fmt::format("{}{}", bytes / it->bytes, it->letter);
  }
  return "0B";
}

}  // namespace pm
