#include "config/status_ranges.hpp"

#include <charconv>

#include <fmt/format.h>

namespace pm {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::expected<int, std::string> parse_code(std::string_view text) {
  int code = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
  bool all_digits = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  if (!all_digits || error != std::errc{} || end != text.data() + text.size()) {
    if (all_digits) return std::unexpected(fmt::format("{} is not an HTTP status (100-599)", text));
    return std::unexpected(fmt::format("'{}' is not a status code", text));
  }
  if (code < kMinHttpStatus || code > kMaxHttpStatus) {
    return std::unexpected(fmt::format("{} is not an HTTP status (100-599)", code));
  }
  return code;
}

std::expected<StatusRange, std::string> parse_item(std::string_view item) {
  if (item.empty()) return std::unexpected("empty item (a stray comma?)");
  std::size_t dash = item.find('-');
  if (dash == std::string_view::npos) {
    auto code = parse_code(item);
    if (!code) return std::unexpected(code.error());
    return StatusRange{*code, *code};
  }
  std::string_view low_text = trimmed(item.substr(0, dash));
  std::string_view high_text = trimmed(item.substr(dash + 1));
  if (low_text.empty() || high_text.empty()) {
    return std::unexpected(fmt::format("'{}' is not a range like 200-399", item));
  }
  auto low = parse_code(low_text);
  if (!low) return std::unexpected(low.error());
  auto high = parse_code(high_text);
  if (!high) return std::unexpected(high.error());
  if (*low > *high) return std::unexpected(fmt::format("range {}-{} runs backwards", *low, *high));
  return StatusRange{*low, *high};
}

}  // namespace

std::expected<std::vector<StatusRange>, std::string> parse_status_ranges(std::string_view text) {
  std::vector<StatusRange> ranges;
  if (trimmed(text).empty()) return std::unexpected("it is empty");
  while (true) {
    std::size_t comma = text.find(',');
    auto range = parse_item(trimmed(text.substr(0, comma)));
    if (!range) return std::unexpected(range.error());
    ranges.push_back(*range);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return ranges;
}

}  // namespace pm
